/**
 * Symmetric eigendecompositions for the correlation repair, in float64.
 *
 * `symmetricEigen`: all eigenpairs by Householder reduction to tridiagonal form followed by the
 * implicit QL iteration with Wilkinson-type shifts (Golub & Van Loan, Matrix Computations, 4th
 * ed., §8.3; Bowdler, Martin, Reinsch & Wilkinson 1968). About 9·d³ flops with the vectors —
 * d = 300 in ~0.3 s — where the cyclic Jacobi method it replaces needed ~6·d³ per sweep and 6–10
 * sweeps, and the repair calls it up to 100 times.
 *
 * `topEigenpairs`: the k largest eigenpairs by randomized subspace iteration (Halko, Martinsson &
 * Tropp 2011, Algorithms 4.4 and 5.3): O(d²·k) per pass, for the low-rank repair when the
 * copula has more dimensions than the table has rows (rank ≤ rows). Such a matrix has a clear
 * gap after its first `rows` eigenvalues, so one power pass with 10 extra columns suffices.
 */

/** Eigenvalues (any order) and eigenvectors (column k of the row-major d×d `vectors`). */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

export function symmetricEigen(a: Float64Array, d: number): SymmetricEigen {
  const { diagonal, offDiagonal, basis } = tridiagonalize(a, d);
  tridiagonalQl(diagonal, offDiagonal, basis, d);
  // basis row j is eigenvector j; the public layout has eigenvectors in columns.
  const vectors = new Float64Array(d * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) vectors[i * d + j] = basis[j * d + i]!;
  return { values: diagonal, vectors };
}

/**
 * Householder reduction A = Q·T·Qᵀ. Returns T's diagonal, its sub-diagonal (offDiagonal[i] joins i
 * and i+1; the last entry is 0) and Qᵀ (row-major), so that row j of Qᵀ is column j of Q.
 */
function tridiagonalize(input: Float64Array, d: number): { diagonal: Float64Array; offDiagonal: Float64Array; basis: Float64Array } {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] = 0.5 * (input[i * d + j]! + input[j * d + i]!);
  const basis = new Float64Array(d * d);
  for (let i = 0; i < d; i++) basis[i * d + i] = 1;
  const v = new Float64Array(d);
  const p = new Float64Array(d);
  const w = new Float64Array(d);
  for (let k = 0; k + 2 < d; k++) {
    // v reflects x = A[k+1.., k] onto −sign(x₀)·‖x‖·e₁.
    let norm = 0;
    for (let i = k + 1; i < d; i++) norm += a[i * d + k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const x0 = a[(k + 1) * d + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    v.fill(0);
    for (let i = k + 1; i < d; i++) v[i] = a[i * d + k]!;
    v[k + 1] = x0 - alpha;
    let vv = 0;
    for (let i = k + 1; i < d; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    const beta = 2 / vv;
    // A ← H·A·H on the trailing block: p = β·A·v, w = p − (β/2)(pᵀv)·v, A −= v·wᵀ + w·vᵀ.
    let pv = 0;
    for (let i = k + 1; i < d; i++) {
      let sum = 0;
      for (let j = k + 1; j < d; j++) sum += a[i * d + j]! * v[j]!;
      p[i] = beta * sum;
      pv += p[i]! * v[i]!;
    }
    for (let i = k + 1; i < d; i++) w[i] = p[i]! - 0.5 * beta * pv * v[i]!;
    for (let i = k + 1; i < d; i++) {
      const vi = v[i]!;
      const wi = w[i]!;
      for (let j = k + 1; j < d; j++) a[i * d + j] = a[i * d + j]! - vi * w[j]! - wi * v[j]!;
    }
    for (let i = k + 2; i < d; i++) {
      a[i * d + k] = 0;
      a[k * d + i] = 0;
    }
    a[(k + 1) * d + k] = alpha;
    a[k * d + k + 1] = alpha;
    // Qᵀ ← H·Qᵀ (Q = H₀H₁…, so Qᵀ = …H₁H₀): basis −= β·v·(vᵀ·basis).
    const vb = p; // reuse as scratch: vb[j] = Σ_i v_i basis[i][j]
    vb.fill(0);
    for (let i = k + 1; i < d; i++) {
      const vi = v[i]!;
      for (let j = 0; j < d; j++) vb[j] = vb[j]! + vi * basis[i * d + j]!;
    }
    for (let i = k + 1; i < d; i++) {
      const scale = beta * v[i]!;
      for (let j = 0; j < d; j++) basis[i * d + j] = basis[i * d + j]! - scale * vb[j]!;
    }
  }
  const diagonal = new Float64Array(d);
  const offDiagonal = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    diagonal[i] = a[i * d + i]!;
    if (i + 1 < d) offDiagonal[i] = a[(i + 1) * d + i]!;
  }
  return { diagonal, offDiagonal, basis };
}

/**
 * Implicit QL on the tridiagonal (diagonal, offDiagonal), in place: the diagonal ends as the
 * eigenvalues. Each plane rotation of rows i, i+1 is applied to the rows of `basis` (Qᵀ), which
 * end as the eigenvectors of the original matrix.
 */
function tridiagonalQl(diagonal: Float64Array, offDiagonal: Float64Array, basis: Float64Array, d: number): void {
  for (let l = 0; l < d; l++) {
    for (let iteration = 0; iteration < 60; iteration++) {
      // The first negligible off-diagonal at or after l splits the matrix.
      let m = l;
      while (m + 1 < d) {
        const scale = Math.abs(diagonal[m]!) + Math.abs(diagonal[m + 1]!);
        if (Math.abs(offDiagonal[m]!) <= Number.EPSILON * scale) break;
        m++;
      }
      if (m === l) break;
      // Shift from the leading 2×2 block's eigenvalue nearer to diagonal[l].
      let g = (diagonal[l + 1]! - diagonal[l]!) / (2 * offDiagonal[l]!);
      let r = Math.hypot(g, 1);
      g = diagonal[m]! - diagonal[l]! + offDiagonal[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * offDiagonal[i]!;
        const b = c * offDiagonal[i]!;
        r = Math.hypot(f, g);
        offDiagonal[i + 1] = r;
        if (r === 0) {
          diagonal[i + 1] = diagonal[i + 1]! - p;
          offDiagonal[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = diagonal[i + 1]! - p;
        r = (diagonal[i]! - g) * s + 2 * c * b;
        p = s * r;
        diagonal[i + 1] = g + p;
        g = c * r - b;
        const rowI = i * d;
        const rowNext = (i + 1) * d;
        for (let k = 0; k < d; k++) {
          const next = basis[rowNext + k]!;
          const current = basis[rowI + k]!;
          basis[rowNext + k] = s * current + c * next;
          basis[rowI + k] = c * current - s * next;
        }
      }
      if (underflow) continue;
      diagonal[l] = diagonal[l]! - p;
      offDiagonal[l] = g;
      offDiagonal[m] = 0;
    }
  }
}

/**
 * The k largest eigenpairs of a symmetric d×d matrix (positive semidefinite in the part that
 * matters): a seeded Gaussian test matrix of k + 10 columns, `powerPasses` passes of A·Q with
 * re-orthonormalization, then Rayleigh–Ritz on Qᵀ·A·Q. Vectors: row-major d×k.
 */
export function topEigenpairs(a: Float64Array, d: number, k: number, powerPasses = 1): { values: Float64Array; vectors: Float64Array } {
  const width = Math.min(d, k + 10);
  let q: Float64Array = new Float64Array(d * width);
  // A fixed xorshift stream: the repair must be deterministic for a given matrix.
  let state = 0x9e3779b9;
  for (let i = 0; i < q.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    q[i] = (state >>> 0) / 4294967296 - 0.5;
  }
  orthonormalizeColumns(q, d, width);
  for (let pass = 0; pass < powerPasses; pass++) {
    q = multiplySymmetric(a, q, d, width);
    orthonormalizeColumns(q, d, width);
  }
  const aq = multiplySymmetric(a, q, d, width);
  const small = new Float64Array(width * width);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let r = 0; r < d; r++) sum += q[r * width + i]! * aq[r * width + j]!;
      small[i * width + j] = sum;
    }
  }
  const ritz = symmetricEigen(small, width);
  const order = Array.from({ length: width }, (_, i) => i).sort((x, y) => ritz.values[y]! - ritz.values[x]!);
  const kept = Math.min(k, width);
  const values = new Float64Array(kept);
  const vectors = new Float64Array(d * kept);
  for (let c = 0; c < kept; c++) {
    const source = order[c]!;
    values[c] = ritz.values[source]!;
    for (let r = 0; r < d; r++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += q[r * width + j]! * ritz.vectors[j * width + source]!;
      vectors[r * kept + c] = sum;
    }
  }
  return { values, vectors };
}

/** A(d×d)·Q(d×w), row-major; as dot products of A's rows with Q's columns (copied contiguous once), four accumulators. */
function multiplySymmetric(a: Float64Array, q: Float64Array, d: number, w: number): Float64Array {
  const columns = new Float64Array(w * d);
  for (let r = 0; r < d; r++) for (let j = 0; j < w; j++) columns[j * d + r] = q[r * w + j]!;
  const out = new Float64Array(d * w);
  for (let i = 0; i < d; i++) {
    const row = i * d;
    for (let j = 0; j < w; j++) {
      const column = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < d; p += 4) {
        s0 += a[row + p]! * columns[column + p]!;
        s1 += a[row + p + 1]! * columns[column + p + 1]!;
        s2 += a[row + p + 2]! * columns[column + p + 2]!;
        s3 += a[row + p + 3]! * columns[column + p + 3]!;
      }
      for (; p < d; p++) s0 += a[row + p]! * columns[column + p]!;
      out[i * w + j] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}

/** Modified Gram–Schmidt, twice ("twice is enough", Giraud et al. 2005), on the columns of a row-major d×w matrix. */
function orthonormalizeColumns(q: Float64Array, d: number, w: number): void {
  for (let round = 0; round < 2; round++) {
    for (let j = 0; j < w; j++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += q[r * w + i]! * q[r * w + j]!;
        for (let r = 0; r < d; r++) q[r * w + j] = q[r * w + j]! - dot * q[r * w + i]!;
      }
      let norm = 0;
      for (let r = 0; r < d; r++) norm += q[r * w + j]! ** 2;
      norm = Math.sqrt(norm);
      for (let r = 0; r < d; r++) q[r * w + j] = norm > 1e-300 ? q[r * w + j]! / norm : 0;
    }
  }
}
