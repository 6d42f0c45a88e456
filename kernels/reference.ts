/**
 * Plain float64 TypeScript versions of every kernel, written from the definitions in
 * datalab_kernels.h and nothing else: the trusted side of the kernel tests (and of the GPU
 * check's CPU-vs-CUDA comparisons where a third opinion helps). Slow on purpose: no tiling, no
 * float32, no threads.
 */
import type { CopulaSampleRequest, MixedRows, NearestOptions, NearestResult } from "./types.js";

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** hi and lo 32 bits of a 32×32-bit product, exactly (BigInt). */
function mulHiLo(a: number, b: number): [number, number] {
  const p = BigInt(a >>> 0) * BigInt(b >>> 0);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

/** Philox 4x32-10 of counter words c and key k (Salmon et al., SC'11). */
export function philox4x32Reference(c: readonly number[], k: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = c.map((x) => x >>> 0) as [number, number, number, number];
  let [k0, k1] = k.map((x) => x >>> 0) as [number, number];
  for (let round = 0; round < 10; round += 1) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulHiLo(M0, c0);
    const [hi1, lo1] = mulHiLo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

function block(seed: bigint, b: bigint): [number, number, number, number] {
  return philox4x32Reference(
    [Number(b & 0xffffffffn), Number((b >> 32n) & 0xffffffffn), 0, 0],
    [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)],
  );
}

/** ((w >> 11) + 0.5) / 2^53 of the 64-bit word hi:lo. */
function uniformFromWords(lo: number, hi: number): number {
  // (hi·2^32 + lo) >> 11 = hi·2^21 + floor(lo / 2^11), exact below 2^53.
  return (hi * 2 ** 21 + Math.floor(lo / 2048) + 0.5) / 2 ** 53;
}

export function philoxUniformReference(seed: bigint, counter: bigint, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const p = counter + BigInt(i);
    const x = block(seed, p >> 1n);
    out[i] = (p & 1n) === 0n ? uniformFromWords(x[0], x[1]) : uniformFromWords(x[2], x[3]);
  }
  return out;
}

export function philoxNormalReference(seed: bigint, counter: bigint, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const p = counter + BigInt(i);
    const x = block(seed, p >> 1n);
    const u0 = uniformFromWords(x[0], x[1]);
    const u1 = uniformFromWords(x[2], x[3]);
    const r = Math.sqrt(-2 * Math.log(u0));
    out[i] = (p & 1n) === 0n ? r * Math.cos(2 * Math.PI * u1) : r * Math.sin(2 * Math.PI * u1);
  }
  return out;
}

/** C = alpha op(A) op(B) + beta C in float64 (beta = 0 ignores C). */
export function gemmReference(
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
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i += 1) {
    for (let j = 0; j < n; j += 1) {
      let s = 0;
      for (let p = 0; p < k; p += 1) {
        const x = transA ? a[p * m + i]! : a[i * k + p]!;
        const y = transB ? b[j * k + p]! : b[p * n + j]!;
        s += x * y;
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * n + j]!);
    }
  }
  return out;
}

/** The copula pass in float64 with the reference Philox stream (column-major output). */
export function copulaSampleReference(req: CopulaSampleRequest, withColumns = true): Float64Array {
  const d = req.columns.length;
  const out = new Float64Array(req.rows * d);
  for (let r = 0; r < req.rows; r += 1) {
    const eps = philoxNormalReference(req.seed, (req.counterOffset + BigInt(r)) * BigInt(d), d);
    for (let i = 0; i < d; i += 1) {
      let z = req.mean ? req.mean[r * d + i]! : 0;
      for (let j = 0; j <= i; j += 1) z += req.cholesky[i * d + j]! * eps[j]!;
      const column = req.columns[i]!;
      let value = z;
      if (withColumns && column.kind === "numeric") {
        const t = column.table;
        const K = t.length;
        const pos = K === 1 ? 0 : ((z - column.zMin) / (column.zMax - column.zMin)) * (K - 1);
        if (K === 1 || pos <= 0) value = t[0]!;
        else if (pos >= K - 1) value = t[K - 1]!;
        else {
          const lo = Math.floor(pos);
          value = t[lo]! + (pos - lo) * (t[lo + 1]! - t[lo]!);
        }
      } else if (withColumns) {
        const t = column.table;
        let j = 0;
        while (j < t.length - 1 && !(z < t[j]!)) j += 1;
        value = j;
      }
      out[i * req.rows + r] = value;
    }
  }
  return out;
}

/** The DCR distance of two rows in float64. */
export function mixedDistanceReference(a: MixedRows, i: number, b: MixedRows, j: number, options: NearestOptions): number {
  const { numericCount: num, categoricalCount: cat, invRange } = options;
  let sum = 0;
  for (let c = 0; c < num; c += 1) {
    const x = a.numeric[i * num + c]!;
    const y = b.numeric[j * num + c]!;
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn && yn) continue;
    if (xn || yn) sum += 1;
    else if (x !== y) sum += Math.min(Math.abs(x - y) * invRange[c]!, 1);
  }
  for (let c = 0; c < cat; c += 1) if (a.categorical[i * cat + c] !== b.categorical[j * cat + c]) sum += 1;
  return sum / (num + cat);
}

/** Brute-force k nearest (ascending distance, ties to the lower index). */
export function nearestNeighborsReference(a: MixedRows, b: MixedRows, options: NearestOptions): NearestResult {
  const k = options.k;
  const distance = new Float64Array(a.rows * k).fill(Number.POSITIVE_INFINITY);
  const index = new Int32Array(a.rows * k).fill(-1);
  for (let i = 0; i < a.rows; i += 1) {
    for (let j = 0; j < b.rows; j += 1) {
      if (options.excludeSameIndex && i === j) continue;
      const d = mixedDistanceReference(a, i, b, j, options);
      for (let s = 0; s < k; s += 1) {
        if (d < distance[i * k + s]!) {
          for (let t = k - 1; t > s; t -= 1) {
            distance[i * k + t] = distance[i * k + t - 1]!;
            index[i * k + t] = index[i * k + t - 1]!;
          }
          distance[i * k + s] = d;
          index[i * k + s] = j;
          break;
        }
      }
    }
  }
  return { distance, index };
}

/** Row matching by brute force. */
export function matchRowsReference(a: MixedRows, b: MixedRows, num: number, cat: number, relTolerance: number): Uint8Array {
  const matched = new Uint8Array(a.rows);
  const numericEqual = (x: number, y: number) =>
    Number.isNaN(x) || Number.isNaN(y) ? Number.isNaN(x) && Number.isNaN(y) : x === y || Math.abs(x - y) <= relTolerance * Math.abs(x);
  for (let i = 0; i < a.rows; i += 1) {
    for (let j = 0; j < b.rows && matched[i] === 0; j += 1) {
      let same = true;
      for (let c = 0; c < cat && same; c += 1) same = a.categorical[i * cat + c] === b.categorical[j * cat + c];
      for (let c = 0; c < num && same; c += 1) same = numericEqual(a.numeric[i * num + c]!, b.numeric[j * num + c]!);
      if (same) matched[i] = 1;
    }
  }
  return matched;
}

/** Aggregation in float64: returns { out, norms }. */
export function aggregateReference(
  updates: Float32Array,
  k: number,
  n: number,
  weights: Float32Array,
  clip: number,
  noiseStd: number,
  seed: bigint,
  counter: bigint,
): { out: Float64Array; norms: Float64Array } {
  const norms = new Float64Array(k);
  const out = new Float64Array(n);
  for (let u = 0; u < k; u += 1) {
    let s = 0;
    for (let j = 0; j < n; j += 1) s += updates[u * n + j]! ** 2;
    norms[u] = Math.sqrt(s);
    const scale = clip > 0 && Number.isFinite(clip) && norms[u]! > clip ? clip / norms[u]! : 1;
    for (let j = 0; j < n; j += 1) out[j]! += weights[u]! * scale * updates[u * n + j]!;
  }
  if (noiseStd > 0) {
    const z = philoxNormalReference(seed, counter, n);
    for (let j = 0; j < n; j += 1) out[j]! += noiseStd * z[j]!;
  }
  return { out, norms };
}
