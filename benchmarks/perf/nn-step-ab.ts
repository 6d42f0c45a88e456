/**
 * The CTGAN training step of two builds, timed alternately, for a change's speed on a VM whose
 * speed swings between minutes (nn/README): `node dist/benchmarks/perf/nn-step-ab.js <before>
 * <after> [pairs] [steps] [out.json]`, where <before> and <after> are checkouts with `dist/` and
 * their kernels built (e.g. `git worktree add /tmp/before <commit>`, then `npm run build:kernels
 * && npx tsc -p tsconfig.build.json` there). Each block is a fresh process running `steps` steps of
 * that build's `nn/gan-step-workload.ts` at the reference shape after 10 warm-up steps; blocks
 * alternate (before, after, before, …) `pairs` times. Prints and writes each block's median and
 * the ratio of the medians of block medians (after / before).
 */
import { execFileSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const [beforeArg, afterArg, pairsArg, stepsArg, outPath] = process.argv.slice(2);
if (!beforeArg || !afterArg) throw new Error("usage: nn-step-ab.js <before-checkout> <after-checkout> [pairs] [steps] [out.json]");
const roots = { before: resolve(beforeArg), after: resolve(afterArg) };
const pairs = Number(pairsArg ?? 6);
const steps = Number(stepsArg ?? 100);

/** The child: times one block of the workload in `root` and prints {flopsPerStep, ms}. */
const child = `
const [root, steps] = [process.argv[1], Number(process.argv[2])];
const { createGanStepWorkload, ctganAdultShape } = await import(root + "/dist/nn/gan-step-workload.js");
const { Device } = await import(root + "/dist/nn/device.js");
const device = Device.open("cpu");
const w = createGanStepWorkload(device, ctganAdultShape);
for (let i = 0; i < 10; i++) w.step();
device.synchronize();
const ms = [];
for (let i = 0; i < steps; i++) { const t = performance.now(); w.step(); device.synchronize(); ms.push(performance.now() - t); }
console.log(JSON.stringify({ flopsPerStep: w.flopsPerStep, ms }));
`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const uptime = (): string => execFileSync("uptime", { encoding: "utf8" }).trim();

interface Block {
  build: "before" | "after";
  medianMs: number;
  fastQuartileMs: number;
}
const blocks: Block[] = [];
const flops: Record<string, number> = {};
const uptimeBefore = uptime();
for (let p = 0; p < pairs; p += 1) {
  for (const build of ["before", "after"] as const) {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", child, roots[build], String(steps)], { encoding: "utf8" });
    const { flopsPerStep, ms } = JSON.parse(out.trim().split("\n").pop() as string) as { flopsPerStep: number; ms: number[] };
    flops[build] = flopsPerStep;
    const sorted = [...ms].sort((a, b) => a - b);
    const block = { build, medianMs: median(ms), fastQuartileMs: sorted[Math.floor(sorted.length / 4)] as number };
    blocks.push(block);
    console.log(`${build}: median ${block.medianMs.toFixed(2)} ms, fast quartile ${block.fastQuartileMs.toFixed(2)} ms`);
  }
}
const of = (build: Block["build"], key: "medianMs" | "fastQuartileMs") => median(blocks.filter((b) => b.build === build).map((b) => b[key]));
const summary = {
  roots,
  pairs,
  stepsPerBlock: steps,
  gflopPerStep: { before: (flops["before"] ?? 0) / 1e9, after: (flops["after"] ?? 0) / 1e9 },
  medianOfBlockMediansMs: { before: of("before", "medianMs"), after: of("after", "medianMs") },
  medianOfBlockFastQuartilesMs: { before: of("before", "fastQuartileMs"), after: of("after", "fastQuartileMs") },
  ratioAfterOverBefore: of("after", "medianMs") / of("before", "medianMs"),
  ratioAfterOverBeforeFastQuartile: of("after", "fastQuartileMs") / of("before", "fastQuartileMs"),
  blocks,
  uptimeBefore,
  uptimeAfter: uptime(),
};
console.log(`after / before: ${summary.ratioAfterOverBefore.toFixed(3)} (medians), ${summary.ratioAfterOverBeforeFastQuartile.toFixed(3)} (fast quartiles)`);
if (outPath) {
  writeFileSync(`${outPath}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${outPath}.tmp`, outPath);
}
