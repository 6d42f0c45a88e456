/**
 * Small dense d×d algebra for the copula's correlation matrix (row-major Float64Array):
 * Cholesky factorization, repair to a valid correlation matrix, and the Gaussian conditioning
 * formulas. d is the number of copula dimensions (tens), so plain loops suffice; O(rows) work
 * never happens here. The symmetric eigendecomposition is our own cyclic Jacobi (Golub & Van
 * Loan §8.5): for d ≤ 100 it takes well under a millisecond, where mathjs' `eigs` (the test
 * reference) costs ~300 ms of one-time setup on first use — a large share of a 0.5 s fit budget.
 */

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
  // Unit diagonal by congruence D^-1/2 X D^-1/2 keeps positive definiteness.
  const out = projectPsd(y, d);
  const scale = new Float64Array(d);
  for (let i = 0; i < d; i++) scale[i] = 1 / Math.sqrt(out[i * d + i]!);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! * scale[i]! * scale[j]!;
  for (let i = 0; i < d; i++) out[i * d + i] = 1;
  return { matrix: out, repaired: true };
}

function projectPsd(a: Float64Array, d: number): Float64Array {
  const symmetric = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) symmetric[i * d + j] = 0.5 * (a[i * d + j]! + a[j * d + i]!);
  const { values, vectors } = symmetricEigen(symmetric, d);
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

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major d×d) of a symmetric matrix by
 * cyclic Jacobi rotations, until the off-diagonal mass is below 1e-22 of the total.
 */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let total = 0;
  for (let i = 0; i < d * d; i++) total += m[i]! * m[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q]! * m[p * d + q]!;
    if (off <= 1e-22 * total) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation angle that zeroes m[p][q] (the stable formula of Rutishauser).
        const theta = (m[q * d + q]! - m[p * d + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p]!;
          const mkq = m[k * d + q]!;
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k]!;
          const mqk = m[q * d + k]!;
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = m[i * d + i]!;
  return { values, vectors: v };
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
