// Samples a coordinator's memory while the federation bench runs (profiling aid, not a bench):
//   DATALAB_CHILD_NODE_ARGS="--require $PWD/benchmarks/perf/federation-memory-sampler.cjs" \
//   FEDERATION_BENCH_HOLDERS=20 node --expose-gc dist/benchmarks/perf/run.js --only federation --out /tmp/x.json
// writes /tmp/datalab-memory-<pid>.tsv every 500 ms (MiB): ms, rss, heapTotal, heapUsed, external,
// arrayBuffers, VmHWM, RssAnon, RssFile. Only the main thread of a `datalab coordinator` samples.
const fs = require("node:fs");
const { threadId } = require("node:worker_threads");

if (threadId === 0 && process.argv.includes("coordinator")) {
  const file = `/tmp/datalab-memory-${process.pid}.tsv`;
  const started = Date.now();
  fs.writeFileSync(file, "ms\trss\theapTotal\theapUsed\texternal\tarrayBuffers\tvmHwm\trssAnon\trssFile\n");
  const mib = (bytes) => Math.round(bytes / 1048576);
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    const row = [Date.now() - started, mib(usage.rss), mib(usage.heapTotal), mib(usage.heapUsed), mib(usage.external), mib(usage.arrayBuffers)];
    row.push(Math.round(kib("VmHWM") / 1024), Math.round(kib("RssAnon") / 1024), Math.round(kib("RssFile") / 1024));
    fs.appendFileSync(file, `${row.join("\t")}\n`);
  }, 500);
  timer.unref();
}
