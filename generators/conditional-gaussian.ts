/**
 * Conditional sampling of the latent Gaussian z ~ N(0, R) given box (interval-union) constraints
 * on some coordinates c — no rejection loops, so the cost does not grow as the condition gets rare:
 *
 * 1. z_c is drawn from N(0, R_cc) truncated to the constraints by a Gibbs sampler over the
 *    constrained coordinates (Geweke 1991; Robert 1995): coordinate i given the others is
 *    N(−Σ_{j≠i} P_ij z_j / P_ii, 1/P_ii) with P = R_cc⁻¹, truncated to its own set and drawn by
 *    inversion (`truncated-normal.ts`). A single free coordinate — or one among fixed points —
 *    needs one exact draw; otherwise a number of sweeps set by the coordinates' correlation
 *    (see `gibbsSweeps`), from the feasible point nearest 0.
 * 2. z_f | z_c ~ N(B z_c, R_ff − B R_cf) with B = R_fc R_cc⁻¹ (the Schur complement), which the
 *    sampling kernel draws given the per-row mean B z_c and the Cholesky factor of the covariance.
 */
import { cholesky, inverseSpd, multiply, subMatrix } from "./correlation-matrix.js";
import { GeneratorError } from "./errors.js";
import { drawTruncatedNormal, type IntervalSet, nearestPoint } from "./truncated-normal.js";

/**
 * Gibbs sweeps per row when two or more constrained coordinates can move. For a Gaussian target
 * the chain forgets its start at rate ρ² per sweep (ρ: the largest correlation or partial
 * correlation among the moving coordinates; Amit 1991), so ⌈ln(1e-3)/ln ρ²⌉ sweeps bring the
 * start's influence below 0.1% — clamped to [MIN_GIBBS_SWEEPS, MAX_GIBBS_SWEEPS]. Each sweep
 * costs one truncated draw per coordinate.
 */
export const MIN_GIBBS_SWEEPS = 4;
export const MAX_GIBBS_SWEEPS = 100;

function gibbsSweeps(correlation: Float64Array, precision: Float64Array, movable: number[], nc: number): number {
  let rho = 0;
  for (const i of movable) {
    for (const j of movable) {
      if (j <= i) continue;
      rho = Math.max(rho, Math.abs(correlation[i * nc + j]!), Math.abs(precision[i * nc + j]! / Math.sqrt(precision[i * nc + i]! * precision[j * nc + j]!)));
    }
  }
  if (rho < 1e-3) return MIN_GIBBS_SWEEPS;
  const sweeps = Math.ceil(Math.log(1e-3) / Math.log(Math.min(rho * rho, 0.9999)));
  return Math.min(MAX_GIBBS_SWEEPS, Math.max(MIN_GIBBS_SWEEPS, sweeps));
}

export interface ConditionalGaussian {
  /** Constrained dimensions (indices into the copula's dimensions), ascending. */
  conditioned: number[];
  intervals: IntervalSet[];
  /** Unconstrained dimensions, ascending. */
  free: number[];
  /** P = R_cc⁻¹, row-major nc×nc. */
  precision: Float64Array;
  /** B = R_fc R_cc⁻¹, row-major nf×nc. */
  regression: Float64Array;
  /** Cholesky factor of R_ff − B R_cf, row-major nf×nf. */
  freeCholesky: Float64Array;
  /** Sweeps per row (1 when a single coordinate can move). */
  sweeps: number;
  /** Uniforms consumed per row: sweeps × conditioned.length. */
  uniformsPerRow: number;
  /** Where every row's chain starts: the feasible point nearest 0 in each set. */
  start: Float64Array;
}

function isPoint(set: IntervalSet): boolean {
  return set.length === 1 && set[0]![0] === set[0]![1];
}

export function prepareConditionalGaussian(
  correlation: Float64Array,
  d: number,
  constraints: { dimension: number; intervals: IntervalSet }[],
): ConditionalGaussian {
  const sorted = [...constraints].sort((a, b) => a.dimension - b.dimension);
  const conditioned = sorted.map((c) => c.dimension);
  const intervals = sorted.map((c) => c.intervals);
  const free: number[] = [];
  for (let i = 0; i < d; i++) if (!conditioned.includes(i)) free.push(i);
  const nc = conditioned.length;
  const nf = free.length;
  const rcc = subMatrix(correlation, d, conditioned, conditioned);
  const precision = inverseSpd(rcc, nc);
  if (precision === null) throw new GeneratorError("the conditioned columns are perfectly correlated in the model; condition on fewer of them.");
  const rfc = subMatrix(correlation, d, free, conditioned);
  const regression = multiply(rfc, precision, nf, nc, nc);
  const rff = subMatrix(correlation, d, free, free);
  const explained = multiply(regression, subMatrix(correlation, d, conditioned, free), nf, nc, nf);
  const covariance = new Float64Array(nf * nf);
  for (let i = 0; i < nf * nf; i++) covariance[i] = rff[i]! - explained[i]!;
  // The Schur complement of a positive definite matrix is positive definite, but when the
  // conditioned columns explain a free one almost fully it is numerically tiny: add a small
  // ridge until it factors (a variance of 1e-10 is far below anything the output can show).
  let freeCholesky = cholesky(covariance, nf);
  for (let ridge = 1e-12; freeCholesky === null && ridge < 1e-2; ridge *= 10) {
    const jittered = Float64Array.from(covariance);
    for (let i = 0; i < nf; i++) jittered[i * nf + i] = jittered[i * nf + i]! + ridge;
    freeCholesky = cholesky(jittered, nf);
  }
  if (freeCholesky === null) throw new GeneratorError("could not factor the conditional covariance; condition on fewer columns.");
  const movable = intervals.flatMap((set, i) => (isPoint(set) ? [] : [i]));
  const sweeps = nc === 0 ? 0 : movable.length <= 1 ? 1 : gibbsSweeps(rcc, precision, movable, nc);
  const start = Float64Array.from(intervals.map((set) => nearestPoint(set, 0)));
  return { conditioned, intervals, free, precision, regression, freeCholesky, sweeps, uniformsPerRow: sweeps * nc, start };
}

/**
 * Draws z_c for `rows` rows (row-major rows×nc) from the uniforms (row-major rows×uniformsPerRow;
 * row r's uniforms depend only on its global index, so chunking does not change the result).
 */
export function drawConditioned(model: ConditionalGaussian, uniforms: Float64Array, rows: number): Float64Array {
  const nc = model.conditioned.length;
  const out = new Float64Array(rows * nc);
  const z = new Float64Array(nc);
  const p = model.precision;
  for (let r = 0; r < rows; r++) {
    z.set(model.start);
    let u = r * model.uniformsPerRow;
    for (let sweep = 0; sweep < model.sweeps; sweep++) {
      for (let i = 0; i < nc; i++) {
        const uniform = uniforms[u++]!;
        const set = model.intervals[i]!;
        if (isPoint(set)) continue;
        let sum = 0;
        for (let j = 0; j < nc; j++) if (j !== i) sum += p[i * nc + j]! * z[j]!;
        const pii = p[i * nc + i]!;
        z[i] = drawTruncatedNormal(set, -sum / pii, 1 / Math.sqrt(pii), uniform);
      }
    }
    out.set(z, r * nc);
  }
  return out;
}

/** Per-row means of the free coordinates, B z_c, row-major rows×nf. */
export function freeMeans(model: ConditionalGaussian, zc: Float64Array, rows: number): Float64Array {
  return multiply(zc, transpose(model.regression, model.free.length, model.conditioned.length), rows, model.conditioned.length, model.free.length);
}

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}
