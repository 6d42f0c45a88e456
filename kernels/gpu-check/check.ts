/**
 * GPU check: run on a GPU machine with only Node and the built libraries (see prepare.sh).
 *  1. Correctness: every CUDA kernel against the CPU library on fresh random inputs, outputs
 *     poisoned with NaN (or −7 for indices) first so an element the GPU never wrote is caught.
 *     Bounds per kernel are stated next to each comparison.
 *  2. Speed: achieved TFLOP/s and GB/s next to the card's peak measured in the same run
 *     (a large device-to-device copy; cuBLAS GEMM at 8192³), with the issue's targets.
 *  3. NVML (kernels/nvml.ts, the node's GPU telemetry): readings before and right after the timed
 *     work, beside the CUDA device's own memory total, so the telemetry is checked on a real card.
 * Prints a report, writes it as JSON to $OUT/gpu-check.json (or ./gpu-check.json), and exits 1
 * when any correctness check fails (2 when there is no GPU). GPU_CHECK_AGAINST=cpu runs the
 * checks CPU-against-CPU (a dry run of this script where there is no GPU).
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { backendFor, type CopulaSampleRequest, type KernelBackend, type MixedRows, type NearestOptions, openNvml } from "../index.js";
import { firstMismatch, randomSource } from "../test-support.js";
import { checkNnOps } from "./nn-ops-check.js";

const seed = Number(process.env["GPU_CHECK_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const random = randomSource(seed);
const results: Record<string, unknown> = { seed };
const failures: string[] = [];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function verdict(name: string, ok: boolean, detail: string): void {
  results[name] = { ok, detail };
  log(`${ok ? "PASS" : "FAIL"}  ${name}: ${detail}`);
  if (!ok) failures.push(name);
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, (performance.now() - start) / 1000];
}

function compare(name: string, gpu: ArrayLike<number>, cpu: ArrayLike<number>, bound: (i: number) => number, boundText: string): void {
  const i = firstMismatch(gpu, cpu, bound);
  verdict(name, i < 0, i < 0 ? `${gpu.length} elements within ${boundText}` : `element ${i}: gpu ${gpu[i]} vs cpu ${cpu[i]} (bound ${bound(i)})`);
}

// ---- correctness ----------------------------------------------------------------------------
function checkPhilox(cpu: KernelBackend, gpu: KernelBackend): void {
  for (const counter of [0n, 7n, 2n ** 33n + 1n]) {
    const n = 3_000_001;
    const a = new Float64Array(n).fill(Number.NaN);
    const b = new Float64Array(n).fill(Number.NaN);
    cpu.philoxUniform(BigInt(seed), counter, a);
    gpu.philoxUniform(BigInt(seed), counter, b);
    compare(`philoxUniform counter=${counter}`, b, a, () => 0, "0 (bit-identical)");
    cpu.philoxNormal(BigInt(seed), counter, a.fill(Number.NaN));
    gpu.philoxNormal(BigInt(seed), counter, b.fill(Number.NaN));
    // log/sincos of CUDA vs glibc differ by a few ulps: 1e-13 relative covers that.
    compare(`philoxNormal counter=${counter}`, b, a, (i) => 1e-13 * Math.max(1, Math.abs(a[i]!)), "1e-13 relative");
  }
}

function checkGemm(cpu: KernelBackend, gpu: KernelBackend): void {
  const sizes: Array<[number, number, number]> = [
    [1, 1, 1],
    [257, 129, 65],
    [1000, 999, 1001],
    [64, 3000, 7],
  ];
  for (const own of [false, true]) {
    gpu.gemmForceOwnKernel(own);
    for (const [m, n, k] of sizes) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const a = Float32Array.from({ length: m * k }, () => random() * 2 - 1);
        const b = Float32Array.from({ length: k * n }, () => random() * 2 - 1);
        const c0 = Float32Array.from({ length: m * n }, () => random() * 2 - 1);
        const beta = (m + n) % 2 === 0 ? 0.5 : 0;
        const cc = Float32Array.from(c0);
        const cg = beta === 0 ? new Float32Array(m * n).fill(Number.NaN) : Float32Array.from(c0);
        cpu.gemm(ta, tb, m, n, k, 1.25, a, b, beta, cc);
        gpu.gemm(ta, tb, m, n, k, 1.25, a, b, beta, cg);
        // Each side is within k·2^-24·Σ|a||b| of the exact value (Higham §3.5): bound the
        // difference by twice that, with Σ|a||b| from the CPU GEMM of the absolute values.
        const absC = new Float32Array(m * n);
        cpu.gemm(ta, tb, m, n, k, 1, a.map(Math.abs), b.map(Math.abs), 0, absC);
        const bound = (i: number) => 2 * k * 2 ** -24 * (1.25 * absC[i]! + 0.5 * Math.abs(c0[i]!)) + 1e-30;
        compare(`gemm ${own ? "own" : gpu.gemmUsesCublas() ? "cuBLAS" : "own(no cuBLAS)"} ${m}x${n}x${k} tA=${ta} tB=${tb}`, cg, cc, bound, "2k·2^-24·Σ|a||b|");
      }
    }
  }
  gpu.gemmForceOwnKernel(false);
}

function copulaRequest(rows: number, d: number, withMean: boolean): CopulaSampleRequest {
  const cholesky = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1) {
    let norm = 0;
    for (let j = 0; j <= i; j += 1) norm += (cholesky[i * d + j] = j === i ? 1 : random() - 0.5) ** 2;
    for (let j = 0; j <= i; j += 1) cholesky[i * d + j]! /= Math.sqrt(norm);
  }
  const columns = Array.from({ length: d }, (_, c) => {
    if (c % 3 === 2) {
      const bounds = Float64Array.from({ length: 2 + (c % 5) }, () => 4 * random() - 2).sort();
      bounds[bounds.length - 1] = Number.POSITIVE_INFINITY;
      return { kind: "categorical" as const, table: bounds, zMin: 0, zMax: 0 };
    }
    let acc = 0;
    return { kind: "numeric" as const, table: Float64Array.from({ length: 513 }, () => (acc += random())), zMin: -4, zMax: 4 };
  });
  const req: CopulaSampleRequest = { rows, cholesky, columns, seed: BigInt(seed), counterOffset: 12_345n };
  if (withMean) req.mean = Float64Array.from({ length: rows * d }, () => random() - 0.5);
  return req;
}

function checkCopula(cpu: KernelBackend, gpu: KernelBackend): void {
  for (const [rows, d, withMean] of [
    [1, 1, false],
    [100_003, 15, false],
    [20_000, 40, true],
  ] as const) {
    const req = copulaRequest(rows, d, withMean);
    const a = new Float64Array(rows * d).fill(Number.NaN);
    const b = new Float64Array(rows * d).fill(Number.NaN);
    cpu.copulaSample(req, a);
    gpu.copulaSample(req, b);
    // Numeric: normals agree to ~1e-15, the dot product and interpolation keep that relative
    // size: 1e-9·(1 + |v|). Categorical: exact unless z sits within 1e-9 of an interval bound.
    const z = new Float64Array(rows * d);
    cpu.copulaNormalScores(req, z);
    const bound = (i: number) => {
      const column = req.columns[Math.floor(i / rows)]!;
      if (column.kind === "numeric") return 1e-9 * (1 + Math.abs(a[i]!));
      const near = column.table.some((t) => Math.abs(t - z[i]!) < 1e-9);
      return near ? 1 : 0;
    };
    compare(`copulaSample ${rows}x${d}${withMean ? " +mean" : ""}`, b, a, bound, "1e-9·(1+|v|) numeric, exact categories");
    const za = new Float64Array(rows * d).fill(Number.NaN);
    const zb = new Float64Array(rows * d).fill(Number.NaN);
    cpu.copulaNormalScores(req, za);
    gpu.copulaNormalScores(req, zb);
    compare(`copulaNormalScores ${rows}x${d}`, zb, za, (i) => 1e-12 * (1 + Math.abs(za[i]!)), "1e-12·(1+|z|)");
  }
}

function mixedTable(rows: number, num: number, cat: number): MixedRows {
  return {
    rows,
    numeric: Float64Array.from({ length: rows * num }, () => {
      const u = random();
      return u < 0.05 ? Number.NaN : u < 0.1 ? 3 : 100 * random();
    }),
    categorical: Int32Array.from({ length: rows * cat }, () => Math.floor(random() * 6) - 1),
  };
}

function checkNearest(cpu: KernelBackend, gpu: KernelBackend): void {
  // One case per GPU kernel variant: D <= 16 (registers, 4 rows a thread), D <= 64, wider.
  for (const [ra, rb, num, cat] of [
    [5_003, 20_011, 10, 5],
    [2_000, 5_001, 30, 10],
    [300, 1_001, 60, 20],
    [1, 1, 1, 0],
  ] as const) {
    const a = mixedTable(ra, num, cat);
    const b = mixedTable(rb, num, cat);
    const invRange = Float64Array.from({ length: num }, (_, c) => (c === 0 ? Number.POSITIVE_INFINITY : 0.01 + random() * 0.02));
    for (const [k, exclude, other] of [
      [2, false, b],
      [1, false, b],
      [2, true, a],
    ] as const) {
      const options: NearestOptions = { numericCount: num, categoricalCount: cat, invRange, k, excludeSameIndex: exclude };
      const want = cpu.nearestNeighbors(a, other, options);
      const got = gpu.nearestNeighbors(a, other, options);
      // Both devices form the same float32 sums in the same order, then re-score the winners
      // with the same float64 code: indices and distances must be identical.
      const label = `nearestNeighbors ${ra}x${exclude ? ra : rb} D=${num + cat} k=${k}${exclude ? " self" : ""}`;
      compare(`${label} index`, got.index, want.index, () => 0, "identical");
      compare(`${label} distance`, got.distance, want.distance, () => 0, "identical");
    }
  }
  const a = mixedTable(3000, 4, 3);
  const b: MixedRows = {
    rows: 3000,
    numeric: a.numeric.map((x, i) => (i % 3 === 0 ? x * (1 + 1e-9) : x)),
    categorical: a.categorical.map((v, i) => (i % 7 === 0 ? v + 1 : v)),
  };
  const options = { numericCount: 4, categoricalCount: 3, relTolerance: 1e-6 };
  compare("matchRows 3000x3000", gpu.matchRows(a, b, options), cpu.matchRows(a, b, options), () => 0, "identical");
}

function checkAggregate(cpu: KernelBackend, gpu: KernelBackend): void {
  for (const [k, n, clip, noise, counter] of [
    [1, 1, 0, 0, 0n],
    [7, 1_000_003, 5, 0.01, 3n],
    [32, 65_536, Number.POSITIVE_INFINITY, 1, 8n],
  ] as const) {
    const updates = Float32Array.from({ length: k * n }, () => (random() - 0.5) * 0.05);
    const weights = Float32Array.from({ length: k }, () => random());
    const a = new Float32Array(n).fill(Number.NaN);
    const b = new Float32Array(n).fill(Number.NaN);
    const na = cpu.aggregateUpdates(updates, k, n, weights, clip, noise, BigInt(seed), counter, a);
    const nb = gpu.aggregateUpdates(updates, k, n, weights, clip, noise, BigInt(seed), counter, b);
    // Float64 sums rounded once to float32 on both sides: 2^-23 relative + 1e-8 absolute.
    compare(`aggregateUpdates k=${k} n=${n}`, b, a, (i) => 2 ** -23 * Math.abs(a[i]!) + 1e-8, "2^-23 relative");
    compare(`aggregateUpdates norms k=${k}`, nb, na, (i) => 2 ** -22 * na[i]!, "2^-22 relative");
  }
}

// ---- speed ------------------------------------------------------------------------------------
function measure(gpu: KernelBackend, cpu: KernelBackend): void {
  const lib = gpu.library;
  const seconds = new Float64Array(1);
  const copyBytes = 2 ** 30;
  if (lib.timeCopy(BigInt(copyBytes), 10, seconds) !== 0) throw new Error(String(lib.lastError()));
  const copyGBps = (2 * copyBytes) / seconds[0]! / 1e9;
  log(`peak  device-to-device copy 1 GiB: ${copyGBps.toFixed(0)} GB/s (read + write)`);

  const size = 8192;
  const flops = 2 * size ** 3;
  const cublas = gpu.gemmUsesCublas();
  // The card's fp32 GEMM peak is measured here, not assumed: the best cuBLAS rate over square
  // sizes from 4096 to 16384 (cuBLAS is the best-known fp32 GEMM on the card).
  let peakTflops = Number.NaN;
  if (cublas) {
    for (const n of [4096, 8192, 12288, 16384]) {
      if (lib.timeGemm(0, 0, n, n, n, 0, n >= 12288 ? 3 : 5, seconds) !== 0) throw new Error(String(lib.lastError()));
      const tflops = (2 * n ** 3) / seconds[0]! / 1e12;
      log(`peak  cuBLAS sgemm ${n}³: ${tflops.toFixed(1)} TFLOP/s`);
      peakTflops = Number.isNaN(peakTflops) ? tflops : Math.max(peakTflops, tflops);
    }
  }
  if (lib.timeGemm(0, 0, size, size, size, 0, 5, seconds) !== 0) throw new Error(String(lib.lastError()));
  const dispatchTflops = flops / seconds[0]! / 1e12;
  if (lib.timeGemm(0, 0, size, size, size, 1, 3, seconds) !== 0) throw new Error(String(lib.lastError()));
  const ownTflops = flops / seconds[0]! / 1e12;
  if (cublas) {
    log(
      `gemm  8192³ fp32 via our dispatch (cuBLAS): ${dispatchTflops.toFixed(1)} TFLOP/s = ${((100 * dispatchTflops) / peakTflops).toFixed(0)}% of the measured peak ${peakTflops.toFixed(1)}; target within 10%: ${dispatchTflops >= 0.9 * peakTflops ? "met" : "NOT met"}`,
    );
    log(
      `gemm  8192³ own kernel: ${ownTflops.toFixed(1)} TFLOP/s = ${((100 * ownTflops) / peakTflops).toFixed(0)}% of the measured peak; target > 25%: ${ownTflops > 0.25 * peakTflops ? "met" : "NOT met"}`,
    );
  } else {
    log(`gemm  8192³ own kernel (no cuBLAS here, so no measured peak to compare with): ${ownTflops.toFixed(1)} TFLOP/s`);
  }

  const a = new Float32Array(size * size).fill(0.5);
  const b = new Float32Array(size * size).fill(0.25);
  const c = new Float32Array(size * size);
  gpu.gemm(false, false, size, size, size, 1, a, b, 0, c);
  const [, endToEnd] = timed(() => gpu.gemm(false, false, size, size, size, 1, a, b, 0, c));
  log(`gemm  8192³ through the host API (incl. 768 MB of transfers): ${(flops / endToEnd / 1e12).toFixed(1)} TFLOP/s`);

  const aggK = 16;
  const aggN = 16 * 2 ** 20;
  if (lib.timeAggregate(aggK, aggN, 10, seconds) !== 0) throw new Error(String(lib.lastError()));
  const moved = ((2 * aggK + 1) * aggN * 4) / seconds[0]! / 1e9;
  const nominal = ((aggK + 1) * aggN * 4) / seconds[0]! / 1e9;
  log(
    `aggregate 16 x 16M (device-resident): ${moved.toFixed(0)} GB/s moved (norm pass + sum pass) = ${((100 * moved) / copyGBps).toFixed(0)}% of copy; nominal (one read of the updates + the output) ${nominal.toFixed(0)} GB/s = ${((100 * nominal) / copyGBps).toFixed(0)}%; target > 70%`,
  );

  const rows = 1_000_000;
  const t1 = mixedTable(rows, 10, 5);
  const t2 = mixedTable(rows, 10, 5);
  const invRange = new Float64Array(10).fill(0.01);
  const [, nnSeconds] = timed(() => gpu.nearestNeighbors(t1, t2, { numericCount: 10, categoricalCount: 5, invRange, k: 2 }));
  log(`nearest 1M x 1M x 15 (exact, top-2): ${nnSeconds.toFixed(1)} s; target < 60 s: ${nnSeconds < 60 ? "met" : "NOT met"}`);

  const req = copulaRequest(4_000_000, 15, false);
  const out = new Float64Array(4_000_000 * 15);
  gpu.copulaSample(req, out);
  const [, copulaSeconds] = timed(() => gpu.copulaSample(req, out));
  const [, copulaCpuSeconds] = timed(() => cpu.copulaSample(req, out));
  log(`copula 4M x 15 through the host API: GPU ${copulaSeconds.toFixed(3)} s, CPU library ${copulaCpuSeconds.toFixed(3)} s`);

  const u = new Float64Array(50_000_000);
  const [, rngSeconds] = timed(() => gpu.philoxNormal(1n, 0n, u));
  log(`philox normal 50M through the host API: ${((u.length * 8) / rngSeconds / 1e9).toFixed(1)} GB/s`);

  Object.assign(results, {
    copyGBps,
    gemm8192DispatchTflops: dispatchTflops,
    gemm8192OwnTflops: ownTflops,
    gemm8192EndToEndTflops: flops / endToEnd / 1e12,
    gemmUsesCublas: cublas,
    aggregateMovedGBps: moved,
    aggregateNominalGBps: nominal,
    nearest1Mx1MSeconds: nnSeconds,
    copula4Mx15Seconds: copulaSeconds,
    copula4Mx15CpuSeconds: copulaCpuSeconds,
  });
}

async function main(): Promise<number> {
  const cpu = backendFor("cpu");
  // GPU_CHECK_AGAINST=cpu: a dry run of the checks (CPU against itself) on a machine without a GPU.
  const dryRun = process.env["GPU_CHECK_AGAINST"] === "cpu";
  const gpu = dryRun ? backendFor("cpu") : backendFor("cuda");
  const devices = gpu.devices();
  log(`gpu-check seed ${seed} (replay with GPU_CHECK_SEED=${seed}); ${gpu.version()}; ${cpu.version()}`);
  if (devices.length === 0) {
    log(`no CUDA device: ${gpu.noDeviceReason()}`);
    return 2;
  }
  results["device"] = devices[0];
  log(`device: ${JSON.stringify(devices[0])}; cuBLAS: ${gpu.gemmUsesCublas() ? "loaded" : "not found (own GEMM kernel)"}`);
  for (const [name, check] of [
    ["philox", checkPhilox],
    ["gemm", checkGemm],
    ["copula", checkCopula],
    ["nearest", checkNearest],
    ["aggregate", checkAggregate],
  ] as const) {
    try {
      check(cpu, gpu);
    } catch (error) {
      verdict(name, false, `threw: ${(error as Error).message}`);
    }
  }
  try {
    checkNnOps(dryRun ? "cpu" : "cuda", random, verdict);
  } catch (error) {
    verdict("nn ops", false, `threw: ${(error as Error).message}`);
  }
  // The training step of nn/ (the only import of nn/ from kernels/: a check tool, not the library).
  try {
    const step = await import("../../nn/gpu-step-check.js");
    const parity = step.checkTrainingStepParity(dryRun ? "cpu" : "cuda");
    verdict("nn CTGAN training step parity", parity.ok, parity.detail);
    if (process.env["GPU_CHECK_SKIP_TIMING"] !== "1" && !dryRun) {
      const timing = step.timeTrainingStep("cuda");
      results["nnTrainingStep"] = timing;
      log(
        `nn    CTGAN step (batch 500, pac 10, Adult widths): eager ${(1000 * (timing["eagerStepSeconds"] ?? 0)).toFixed(2)} ms, CUDA graph ${(1000 * (timing["graphStepSeconds"] ?? 0)).toFixed(2)} ms = ${(timing["graphGflops"] ?? 0).toFixed(0)} GFLOP/s; 300 epochs × 65 steps ≈ ${(300 * 65 * (timing["graphStepSeconds"] ?? 0)).toFixed(1)} s (target ≤ 30 s incl. preprocessing)`,
      );
    }
  } catch (error) {
    verdict("nn training step", false, `threw: ${(error as Error).message}`);
  }
  const nvml = openNvml();
  const nvmlReadings: Record<string, unknown> = {};
  if (nvml.available) nvmlReadings["before"] = nvml.read();
  if (process.env["GPU_CHECK_SKIP_TIMING"] !== "1" && !dryRun) {
    try {
      measure(gpu, cpu);
    } catch (error) {
      verdict("timing", false, `threw: ${(error as Error).message}`);
    }
  }
  if (nvml.available) {
    // Right after the timed work: utilisation and power should show it (NVML samples over ~1/6 s to 1 s).
    const after = nvml.read();
    nvmlReadings["after"] = after;
    nvml.close();
    const first = after[0];
    const cudaMemory = devices[0]?.memoryBytes ?? 0;
    for (const r of after)
      log(
        `nvml gpu ${r.index} ${r.uuid} ${r.name}: utilization ${(r.utilizationRatio * 100).toFixed(0)}%, memory ${(r.memoryUsedBytes / 2 ** 30).toFixed(2)} / ${(r.memoryTotalBytes / 2 ** 30).toFixed(2)} GiB, ${r.temperatureCelsius} °C, ${r.powerWatts.toFixed(1)} W`,
      );
    // NVML counts memory the driver reserves, cudaMemGetInfo-style totals do not: within 2% of each other.
    const agree = first !== undefined && cudaMemory > 0 && Math.abs(first.memoryTotalBytes - cudaMemory) / cudaMemory < 0.02;
    if (!dryRun) verdict("nvml", agree, `NVML total ${first?.memoryTotalBytes ?? 0} B vs CUDA ${cudaMemory} B; ${after.length} GPU(s) read`);
  } else {
    nvmlReadings["unavailable"] = nvml.reason;
    log(`nvml: ${nvml.reason}`);
    if (!dryRun) verdict("nvml", false, nvml.reason);
  }
  results["nvml"] = nvmlReadings;
  results["failures"] = failures;
  const file = path.join(process.env["OUT"] ?? ".", "gpu-check.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`${failures.length === 0 ? "ALL CHECKS PASSED" : `${failures.length} CHECK(S) FAILED: ${failures.join(", ")}`}; wrote ${file}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
