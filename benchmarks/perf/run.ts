/**
 * `npm run bench [-- --only a,b] [-- --out file.json]`: runs the performance suites and writes
 * every number to one JSON file (default `bench-results.json`). Targets are met here, never in
 * timed tests. Each suite is a module in this folder exporting `name` and `run()`.
 */
import { rename, writeFile } from "node:fs/promises";
import * as os from "node:os";
import { parseArgs } from "node:util";

interface Suite {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

const suites: Array<() => Promise<Suite>> = [
  () => import("./kernels.bench.js"),
  () => import("./tabular-io.bench.js"),
  () => import("./copula.bench.js"),
  () => import("./copula-wide.bench.js"),
  () => import("./ctgan.bench.js"),
  () => import("./ctgan-sdmetrics.bench.js"),
  () => import("./scoring.bench.js"),
  () => import("./synthesis-scoring.bench.js"),
  () => import("./service.bench.js"),
  () => import("./dp-synth.bench.js"),
  () => import("./dp-synth-aim.bench.js"),
  () => import("./nn.bench.js"),
  () => import("./federated-synthesis.bench.js"),
  () => import("./federated-accuracy.bench.js"),
  () => import("./federation.bench.js"),
];

const { values } = parseArgs({ options: { only: { type: "string" }, out: { type: "string", default: "bench-results.json" } } });
const only = values.only?.split(",");
const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version },
  startedAt: new Date().toISOString(),
};
for (const load of suites) {
  const suite = await load();
  if (only && !only.includes(suite.name)) continue;
  process.stderr.write(`bench: ${suite.name}…\n`);
  const started = performance.now();
  results[suite.name] = await suite.run();
  process.stderr.write(`bench: ${suite.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const tmp = `${values.out}.tmp-${process.pid}`;
await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
await rename(tmp, values.out);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`bench: wrote ${values.out}\n`);
