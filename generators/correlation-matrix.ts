/**
 * Dense d×d algebra for the copula's correlation matrix (row-major Float64Array): Cholesky
 * factorization, repair to a valid correlation matrix, and the Gaussian conditioning formulas.
 * The eigendecompositions live in `symmetric-eigen.ts` (our own; mathjs' `eigs` is the test
 * reference but costs ~300 ms of one-time setup and is far slower for large d).
 *
 * The repair depends on the size (issue 10 item 12: 300 columns × 50 rows took 56 s in 100
 * Higham iterations of a Jacobi eigensolver):
 *  - d ≤ HIGHAM_MAX_DIMENSIONS: Higham's nearest correlation matrix (alternating projections);
 *  - larger d with more rows than dimensions: one spectral projection (eigenvalues clipped, then
 *    rescaled to unit diagonal; Rebonato & Jäckel 1999) — one eigendecomposition instead of 100;
 *  - at least as many dimensions as rows: the estimate has rank ≤ rows, so it is replaced by its
 *    top-`rows` eigenpairs plus a diagonal (a factor model, R = F·Fᵀ + Ψ): O(d²·rows) work.
 */
import { type SymmetricEigen, symmetricEigen, topEigenpairs } from "./symmetric-eigen.js";

export { symmetricEigen };

/** Lower-triangular L with L·Lᵀ = A, or null when A is not (numerically) positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(sum > 1e-12)) return null;
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
      }
    }
  }
  return l;
}

/** Smallest eigenvalue kept by the repair: keeps the Cholesky factor well conditioned. */
const MIN_EIGENVALUE = 1e-6;

/** Largest d repaired by Higham's iteration (each iteration is one O(d³) eigendecomposition). */
export const HIGHAM_MAX_DIMENSIONS = 100;
/** Smallest specific variance 1 − ‖F_i‖² of the low-rank repair: keeps the sampler's Cholesky stable. */
const MIN_SPECIFIC_VARIANCE = 1e-4;

export type RepairMethod = "none" | "higham" | "spectral" | "low-rank";

export interface RepairOptions {
  /** Rows the matrix was estimated from; with rows ≤ d the low-rank repair is used. */
  rows?: number;
  maxIterations?: number;
}

/**
 * A valid (positive definite, unit diagonal) correlation matrix near `a`, by the method the size
 * calls for (see the file comment). A positive definite input from more rows than dimensions is
 * returned unchanged.
 */
export function repairCorrelation(a: Float64Array, d: number, options: RepairOptions = {}): { matrix: Float64Array; repaired: boolean; method: RepairMethod } {
  const rows = options.rows ?? Number.POSITIVE_INFINITY;
  if (d > 1 && rows <= d) return { matrix: lowRankCorrelation(a, d, Math.max(1, Math.floor(rows))), repaired: true, method: "low-rank" };
  if (d <= HIGHAM_MAX_DIMENSIONS) {
    const higham = nearestCorrelation(a, d, options.maxIterations);
    return { ...higham, method: higham.repaired ? "higham" : "none" };
  }
  if (cholesky(a, d) !== null) return { matrix: Float64Array.from(a), repaired: false, method: "none" };
  return { matrix: unitDiagonal(projectPsd(a, d), d), repaired: true, method: "spectral" };
}

/**
 * The nearest valid correlation matrix in the sense of Higham (2002): alternating projections
 * (with Dykstra's correction) between the positive semidefinite cone — eigenvalues clipped to
 * MIN_EIGENVALUE — and the unit-diagonal matrices, followed by a final rescale to unit diagonal.
 * A matrix that is already positive definite is returned unchanged.
 */
export function nearestCorrelation(a: Float64Array, d: number, maxIterations = 100): { matrix: Float64Array; repaired: boolean } {
  if (d === 0 || cholesky(a, d) !== null) return { matrix: Float64Array.from(a), repaired: false };
  let y: Float64Array = Float64Array.from(a);
  const correction = new Float64Array(d * d);
  let x: Float64Array = y;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const r = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) r[i] = y[i]! - correction[i]!;
    x = projectPsd(r, d);
    for (let i = 0; i < d * d; i++) correction[i] = x[i]! - r[i]!;
    const next = Float64Array.from(x);
    for (let i = 0; i < d; i++) next[i * d + i] = 1;
    let change = 0;
    for (let i = 0; i < d * d; i++) change = Math.max(change, Math.abs(next[i]! - y[i]!));
    y = next;
    if (change < 1e-9 && cholesky(y, d) !== null) break;
  }
  return { matrix: unitDiagonal(projectPsd(y, d), d), repaired: true };
}

/** Unit diagonal by congruence D^-1/2·X·D^-1/2, which keeps positive definiteness. */
function unitDiagonal(out: Float64Array, d: number): Float64Array {
  const scale = new Float64Array(d);
  for (let i = 0; i < d; i++) scale[i] = 1 / Math.sqrt(out[i * d + i]!);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! * scale[i]! * scale[j]!;
  for (let i = 0; i < d; i++) out[i * d + i] = 1;
  return out;
}

/**
 * R ≈ F·Fᵀ + Ψ with F = V_k·Λ_k^½ from the k largest eigenpairs (negative ones dropped) and Ψ
 * the diagonal that restores unit variances; rows of F with ‖F_i‖² > 1 − MIN_SPECIFIC_VARIANCE
 * are shrunk, so every eigenvalue is ≥ MIN_SPECIFIC_VARIANCE.
 */
export function lowRankCorrelation(a: Float64Array, d: number, k: number): Float64Array {
  const symmetric = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) symmetric[i * d + j] = 0.5 * (a[i * d + j]! + a[j * d + i]!);
  const top = topEigenpairs(symmetric, d, Math.min(k, d));
  const kept = top.values.length;
  const loadings = new Float64Array(d * kept);
  for (let c = 0; c < kept; c++) {
    const root = Math.sqrt(Math.max(0, top.values[c]!));
    for (let r = 0; r < d; r++) loadings[r * kept + c] = top.vectors[r * kept + c]! * root;
  }
  for (let r = 0; r < d; r++) {
    let norm = 0;
    for (let c = 0; c < kept; c++) norm += loadings[r * kept + c]! ** 2;
    if (norm > 1 - MIN_SPECIFIC_VARIANCE) {
      const shrink = Math.sqrt((1 - MIN_SPECIFIC_VARIANCE) / norm);
      for (let c = 0; c < kept; c++) loadings[r * kept + c] = loadings[r * kept + c]! * shrink;
    }
  }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    out[i * d + i] = 1;
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let c = 0; c < kept; c++) sum += loadings[i * kept + c]! * loadings[j * kept + c]!;
      out[i * d + j] = sum;
      out[j * d + i] = sum;
    }
  }
  return out;
}

function projectPsd(a: Float64Array, d: number): Float64Array {
  const symmetric = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) symmetric[i * d + j] = 0.5 * (a[i * d + j]! + a[j * d + i]!);
  const { values, vectors }: SymmetricEigen = symmetricEigen(symmetric, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const lambda = Math.max(values[k]!, MIN_EIGENVALUE);
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k]! * lambda;
      for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! + vik * vectors[j * d + k]!;
    }
  }
  return out;
}

/** The sub-matrix of a (row-major d×d) at the given rows and columns. */
export function subMatrix(a: Float64Array, d: number, rows: readonly number[], columns: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * columns.length);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < columns.length; j++) out[i * columns.length + j] = a[rows[i]! * d + columns[j]!]!;
  return out;
}

/** Inverse of a symmetric positive definite matrix through its Cholesky factor. */
export function inverseSpd(a: Float64Array, d: number): Float64Array | null {
  const l = cholesky(a, d);
  if (l === null) return null;
  // Solve L·Lᵀ·X = I column by column.
  const inverse = new Float64Array(d * d);
  const y = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < d; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= l[i * d + k]! * y[k]!;
      y[i] = sum / l[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let sum = y[i]!;
      for (let k = i + 1; k < d; k++) sum -= l[k * d + i]! * inverse[k * d + c]!;
      inverse[i * d + c] = sum / l[i * d + i]!;
    }
  }
  return inverse;
}

/** C = A(m×k)·B(k×n), row-major. */
export function multiply(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aip * b[p * n + j]!;
    }
  }
  return c;
}
