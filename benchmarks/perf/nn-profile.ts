/**
 * Per-op profile of one CTGAN training step (nn/gan-step-workload.ts at the reference shape):
 * `DL_NN_PROFILE=1 node --expose-gc dist/benchmarks/perf/nn-profile.js [threads] [steps] [out.json]`
 * prints each op's milliseconds per step, largest first, and the share not spent in native calls
 * (JS overhead between ops); with out.json it also writes them (with `uptime`). With threads = 1
 * the CPU times are the ops' own.
 */
import { execFileSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { backendFor, nnOpProfile } from "../../kernels/index.js";
import { createGanStepWorkload, ctganAdultShape, Device } from "../../nn/index.js";

const threads = Number(process.argv[2] ?? 1);
const steps = Number(process.argv[3] ?? 20);
const outPath = process.argv[4];
const uptime = (): string => execFileSync("uptime", { encoding: "utf8" }).trim();
const uptimeBefore = uptime();
if (nnOpProfile() === null) throw new Error("set DL_NN_PROFILE=1 to gather the per-op profile");
const device = Device.open();
if (device.kind === "cpu") backendFor("cpu").setThreads(threads);
const workload = createGanStepWorkload(device, ctganAdultShape, 7);
for (let i = 0; i < 3; i += 1) workload.step();
device.synchronize();
nnOpProfile(true);
const start = performance.now();
const cpuStart = process.cpuUsage();
const stepCpuMilliseconds: number[] = [];
for (let i = 0; i < steps; i += 1) {
  const stepStart = process.cpuUsage();
  workload.step();
  device.synchronize();
  const used = process.cpuUsage(stepStart);
  stepCpuMilliseconds.push((used.user + used.system) / 1000);
}
const cpu = process.cpuUsage(cpuStart);
const wall = (performance.now() - start) / steps;
stepCpuMilliseconds.sort((a, b) => a - b);
const profile = [...(nnOpProfile() ?? new Map())].sort((a, b) => b[1].cpuMilliseconds - a[1].cpuMilliseconds);
let inOps = 0;
let inOpsCpu = 0;
console.log("  CPU ms   wall ms  calls  op (per step)");
for (const [key, entry] of profile) {
  inOps += entry.milliseconds / steps;
  inOpsCpu += entry.cpuMilliseconds / steps;
  console.log(
    `${(entry.cpuMilliseconds / steps).toFixed(3).padStart(8)} ${(entry.milliseconds / steps).toFixed(3).padStart(8)}  ${String(entry.calls / steps).padStart(5)}  ${key}`,
  );
}
const cpuStep = (cpu.user + cpu.system) / 1000 / steps;
const cpuMin = stepCpuMilliseconds[0] ?? Number.NaN;
const cpuMedian = stepCpuMilliseconds[Math.floor(steps / 2)] ?? Number.NaN;
console.log(
  `step ${wall.toFixed(2)} ms wall, ${cpuStep.toFixed(2)} ms CPU (${inOpsCpu.toFixed(2)} in ops, ${(cpuStep - inOpsCpu).toFixed(2)} outside; per step min ${cpuMin.toFixed(2)}, median ${cpuMedian.toFixed(2)}), ${threads} thread(s)`,
);

if (outPath !== undefined) {
  const result = {
    threads,
    steps,
    kernelsDir: process.env["DATALAB_KERNELS_DIR"] ?? "(default)",
    stepWallMilliseconds: Number(wall.toFixed(3)),
    stepCpuMilliseconds: Number(cpuStep.toFixed(3)),
    stepCpuMillisecondsMin: Number(cpuMin.toFixed(3)),
    stepCpuMillisecondsMedian: Number(cpuMedian.toFixed(3)),
    inOpsCpuMilliseconds: Number(inOpsCpu.toFixed(3)),
    ops: profile.map(([op, entry]) => ({
      op,
      callsPerStep: entry.calls / steps,
      cpuMillisecondsPerStep: Number((entry.cpuMilliseconds / steps).toFixed(3)),
      wallMillisecondsPerStep: Number((entry.milliseconds / steps).toFixed(3)),
    })),
    uptimeBefore,
    uptimeAfter: uptime(),
  };
  writeFileSync(`${outPath}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${outPath}.tmp`, outPath);
}
