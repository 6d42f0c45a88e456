/**
 * kernels/ — datalab's native compute layer. Typed functions over typed arrays; each runs on
 * the selected device (CUDA when present, else CPU; DATALAB_DEVICE=cpu|cuda|auto) through the
 * C ABI of kernels/include/datalab_kernels.h. Heavy functions have `…Async` twins that run on a
 * worker thread, so a server's event loop stays free. Numerics and error bounds: README.md.
 */
import { deviceSelection } from "./device.js";
import type { CopulaNormalScoresRequest, CopulaSampleRequest, MatchOptions, MixedRows, NearestOptions, NearestResult } from "./types.js";

export type { KernelBackend } from "./backend.js";
export {
  activeDevice,
  backendFor,
  cudaUnavailableReason,
  type DevicePreference,
  type DeviceSelection,
  deviceSelection,
  kernelsVersion,
  listDevices,
  useDevice,
} from "./device.js";
export { KernelError } from "./errors.js";
export { type GpuReading, type NvmlStatus, nvmlLibraryCandidates, openNvml } from "./nvml.js";
export type { BackendKind } from "./native-library.js";
export type {
  CopulaColumnTable,
  CopulaNormalScoresRequest,
  CopulaSampleRequest,
  DeviceInfo,
  MatchOptions,
  MixedRows,
  NearestOptions,
  NearestResult,
} from "./types.js";

const active = () => deviceSelection().backend;

/** 1. Philox 4x32-10: U(0,1) draws counter … counter + out.length − 1 (never 0 or 1). */
export function philoxUniform(seed: bigint, counter: bigint, out: Float64Array): void {
  active().philoxUniform(seed, counter, out);
}

/** 1. Philox 4x32-10: N(0,1) draws (Box–Muller on each block's pair of uniforms). */
export function philoxNormal(seed: bigint, counter: bigint, out: Float64Array): void {
  active().philoxNormal(seed, counter, out);
}

/** 2. C = alpha·op(A)·op(B) + beta·C, float32, row-major (op = transpose when the flag is set). */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): void {
  active().gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
}

export function gemmAsync(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): Promise<void> {
  return active().gemmAsync(transA, transB, m, n, k, alpha, a, b, beta, c);
}

/** 3. One chunk of the Gaussian-copula sampling pass; out is column-major rows×d. */
export function copulaSample(req: CopulaSampleRequest, out: Float64Array): void {
  active().copulaSample(req, out);
}

export function copulaSampleAsync(req: CopulaSampleRequest, out: Float64Array): Promise<void> {
  return active().copulaSampleAsync(req, out);
}

/** 3b. Only the correlated normals z = mean + L·ε of the same stream (column-major rows×d). */
export function copulaNormalScores(req: CopulaNormalScoresRequest, out: Float64Array): void {
  active().copulaNormalScores(req, out);
}

/** 4. Exact k (1|2) nearest rows of B for each row of A under the DCR distance. */
export function nearestNeighbors(a: MixedRows, b: MixedRows, options: NearestOptions): NearestResult {
  return active().nearestNeighbors(a, b, options);
}

export function nearestNeighborsAsync(a: MixedRows, b: MixedRows, options: NearestOptions): Promise<NearestResult> {
  return active().nearestNeighborsAsync(a, b, options);
}

/** 4b. matched[i] = 1 when some row of B equals row i of A (NewRowSynthesis). */
export function matchRows(a: MixedRows, b: MixedRows, options: MatchOptions): Uint8Array {
  return active().matchRows(a, b, options);
}

export function matchRowsAsync(a: MixedRows, b: MixedRows, options: MatchOptions): Promise<Uint8Array> {
  return active().matchRowsAsync(a, b, options);
}

/** 5. Clipped, weighted sum of k updates of length n plus Gaussian noise; returns pre-clip norms. */
export function aggregateUpdates(
  updates: Float32Array,
  k: number,
  n: number,
  weights: Float32Array,
  clip: number,
  noiseStd: number,
  seed: bigint,
  counter: bigint,
  out: Float32Array,
): Float32Array {
  return active().aggregateUpdates(updates, k, n, weights, clip, noiseStd, seed, counter, out);
}

export function aggregateUpdatesAsync(
  updates: Float32Array,
  k: number,
  n: number,
  weights: Float32Array,
  clip: number,
  noiseStd: number,
  seed: bigint,
  counter: bigint,
  out: Float32Array,
): Promise<Float32Array> {
  return active().aggregateUpdatesAsync(updates, k, n, weights, clip, noiseStd, seed, counter, out);
}

/** 5b. Streaming clip-and-sum: Σx² of an update piece by piece, then one in-place weighted accumulation. */
export { accumulateScaled, accumulateScaledAsync, sumSquares } from "./update-accumulate.js";

/** 6. nn ops on device-resident buffers (the engine of nn/): see kernels/nn-ops.ts. */
export {
  Activation,
  type ActivationCode,
  type DevicePointer,
  NnOps,
  nnOpProfile,
  nnOpsFor,
  type OpProfileEntry,
  SpanKind,
  type SpanKindCode,
} from "./nn-ops.js";
