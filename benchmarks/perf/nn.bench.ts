/**
 * nn engine speed on this machine: one CTGAN training step (critic step + generator step) at
 * the reference settings (batch 500, pac 10, embedding 128, generator 256+256 residual, critic
 * 256→256, Adult-like widths: nn/gan-step-workload.ts), reported as seconds per step, seconds
 * per epoch of 65 steps (Adult: 32,561 rows / 500) against the target (≤ 1.3 s: 5× faster than
 * the reference CTGAN's 6.6 s/epoch here), and achieved GFLOP/s of the step's GEMM work next to
 * the CPU GEMM peak (1024³ on device buffers) measured in the same run. On a shared host the
 * wall times swing with other processes' load, so the run also reports CPU seconds per step (on
 * one thread: the work itself, nearly independent of load) next to the one-thread GEMM peak in
 * CPU time, and the machine's `uptime` before and after.
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { backendFor } from "../../kernels/index.js";
import { createGanStepWorkload, ctganAdultShape, Device } from "../../nn/index.js";

export const name = "nn";

const STEPS_PER_EPOCH = 65;
/** 6.6 s / 5, rounded down. */
const TARGET_EPOCH_SECONDS = 1.3;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * q)] ?? Number.NaN;
}
const median = (values: number[]): number => quantile(values, 0.5);

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`;
  }
}

/** CPU seconds (user + system, all threads of the process) spent by fn. */
function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export async function run(): Promise<Record<string, unknown>> {
  const uptimeBefore = uptime();
  const device = Device.open();
  const ops = device.ops;
  const n = 1024;
  const a = device.zeros(n, n).fill(0.5);
  const b = device.zeros(n, n).fill(0.25);
  const c = device.zeros(n, n);
  let gemmBest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i += 1) {
    const start = performance.now();
    ops.gemm(false, false, n, n, n, 1, a.pointer, b.pointer, 0, c.pointer);
    device.synchronize();
    gemmBest = Math.min(gemmBest, (performance.now() - start) / 1000);
  }
  const gemmPeakGflops = (2 * n ** 3) / gemmBest / 1e9;
  // The same product on one thread, timed in CPU seconds (best of 4): the per-core peak.
  let gemmCpuBest = Number.POSITIVE_INFINITY;
  if (device.kind === "cpu") {
    const cpu = backendFor("cpu");
    cpu.setThreads(1);
    for (let i = 0; i < 4; i += 1) {
      gemmCpuBest = Math.min(
        gemmCpuBest,
        cpuSeconds(() => ops.gemm(false, false, n, n, n, 1, a.pointer, b.pointer, 0, c.pointer)),
      );
    }
    cpu.setThreads(0);
  }
  const gemmPeakCpuGflops = (2 * n ** 3) / gemmCpuBest / 1e9;
  for (const t of [a, b, c]) t.dispose();

  const workload = createGanStepWorkload(device, ctganAdultShape, 7);
  const stepCpuSeconds: number[] = [];
  const timeSteps = (warmup: number, measured: number, cpuOut?: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < warmup + measured; i += 1) {
      const start = performance.now();
      const cpu = cpuSeconds(() => {
        workload.step();
        device.synchronize();
      });
      if (i >= warmup) {
        out.push((performance.now() - start) / 1000);
        cpuOut?.push(cpu);
      }
    }
    return out;
  };
  const loadBefore = os.loadavg()[0];
  // This VM's speed swings with its host (the one-thread step ranges 29–45 ms between runs
  // minutes apart at load < 1): the two-thread step is timed in TRIALS blocks of 25 steps, 10 s
  // apart, and each block's median is reported beside the median over all steps.
  const trials = Number(process.env["NN_BENCH_TRIALS"] ?? 5);
  const trialEpochSeconds: number[] = [];
  const stepSeconds: number[] = [];
  for (let t = 0; t < trials; t += 1) {
    if (t > 0) await new Promise((resolve) => setTimeout(resolve, 10_000));
    const block = timeSteps(3, 25);
    trialEpochSeconds.push(Number((median(block) * STEPS_PER_EPOCH).toFixed(2)));
    stepSeconds.push(...block);
  }
  // On an oversubscribed machine a team of threads waits for its slowest member at every op;
  // one thread shows the single-core rate of the same step (CPU library only).
  let singleThread: number[] = [];
  if (device.kind === "cpu") {
    const cpu = backendFor("cpu");
    cpu.setThreads(1);
    singleThread = timeSteps(1, 15, stepCpuSeconds);
    cpu.setThreads(0); // back to all cores (the default)
  }
  const finalCriticLoss = workload.criticLoss.item();
  const step = median(stepSeconds);
  const best = Math.min(...stepSeconds);
  const epochSeconds = step * STEPS_PER_EPOCH;
  const single = singleThread.length > 0 ? median(singleThread) : Number.NaN;
  const singleCpu = stepCpuSeconds.length > 0 ? median(stepCpuSeconds) : Number.NaN;
  const fastQuartile = quantile(stepSeconds, 0.25);
  return {
    device: device.kind,
    shape: ctganAdultShape,
    gemmPeakGflops1024: Number(gemmPeakGflops.toFixed(1)),
    gemmPeakOneThreadCpuGflops1024: Number(gemmPeakCpuGflops.toFixed(1)),
    stepSecondsMedian: Number(step.toFixed(4)),
    stepSecondsBest: Number(best.toFixed(4)),
    stepSecondsFastQuartile: Number(fastQuartile.toFixed(4)),
    stepSecondsAll: stepSeconds.map((s) => Number(s.toFixed(4))),
    gflopPerStep: Number((workload.flopsPerStep / 1e9).toFixed(3)),
    achievedGflopsMedian: Number((workload.flopsPerStep / step / 1e9).toFixed(1)),
    achievedGflopsBest: Number((workload.flopsPerStep / best / 1e9).toFixed(1)),
    epochSecondsMedian: Number(epochSeconds.toFixed(2)),
    epochSecondsBest: Number((best * STEPS_PER_EPOCH).toFixed(2)),
    epochSecondsFastQuartile: Number((fastQuartile * STEPS_PER_EPOCH).toFixed(2)),
    targetEpochSeconds: TARGET_EPOCH_SECONDS,
    referenceEpochSeconds: 6.6,
    speedupVsReferenceMedian: Number((6.6 / epochSeconds).toFixed(2)),
    meetsTarget: epochSeconds <= TARGET_EPOCH_SECONDS,
    trialEpochSeconds,
    trialsMeetingTarget: trialEpochSeconds.filter((e) => e <= TARGET_EPOCH_SECONDS).length,
    singleThreadStepSecondsMedian: Number(single.toFixed(4)),
    singleThreadStepSecondsAll: singleThread.map((s) => Number(s.toFixed(4))),
    singleThreadEpochSecondsMedian: Number((single * STEPS_PER_EPOCH).toFixed(2)),
    singleThreadAchievedGflopsMedian: Number((workload.flopsPerStep / single / 1e9).toFixed(1)),
    // CPU seconds of one step on one thread, and the step's GEMM rate in CPU time next to the
    // one-thread GEMM peak in CPU time: the load-robust efficiency figure.
    singleThreadStepCpuSecondsMedian: Number(singleCpu.toFixed(4)),
    singleThreadCpuGflopsMedian: Number((workload.flopsPerStep / singleCpu / 1e9).toFixed(1)),
    singleThreadCpuFractionOfPeak: Number((workload.flopsPerStep / singleCpu / 1e9 / gemmPeakCpuGflops).toFixed(3)),
    oneCoreEpochCpuSeconds: Number((singleCpu * STEPS_PER_EPOCH).toFixed(2)),
    finalCriticLossFinite: Number.isFinite(finalCriticLoss),
    loadAverageBefore: loadBefore,
    loadAverageAfter: os.loadavg()[0],
    uptimeBefore,
    uptimeAfter: uptime(),
    ompWaitPolicy: process.env["OMP_WAIT_POLICY"] ?? "(default)",
  };
}
