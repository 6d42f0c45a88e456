/**
 * Counting and the two projections MST's estimator needs.
 *
 * - `countCells` / `countPairs`: exact 1-way and 2-way contingency tables of cell codes.
 * - `projectToSimplex`: the Euclidean projection of a noisy count vector onto
 *   { x ≥ 0, Σx = total } (Held, Wolfe & Crowder 1974; the sort-and-threshold form of Duchi et
 *   al. 2008, Fig. 1). It is the least-squares estimate of one marginal under the Gaussian
 *   measurement model — what Private-PGM's estimator reaches for a single clique — and, unlike
 *   clipping negatives to zero, it does not add mass to the many empty cells of a sparse table.
 * - `rakeToMargins`: iterative proportional fitting (Deming & Stephan 1940) of a 2-way table to
 *   given row and column sums, which makes the estimated tree marginals agree on every shared
 *   attribute.
 */

export function countCells(codes: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let r = 0; r < codes.length; r++) counts[codes[r]!]!++;
  return counts;
}

/** Row-major table t[a · sizeB + b] of the pairs (codesA[r], codesB[r]). */
export function countPairs(codesA: Int32Array, sizeA: number, codesB: Int32Array, sizeB: number): Float64Array {
  const counts = new Float64Array(sizeA * sizeB);
  for (let r = 0; r < codesA.length; r++) counts[codesA[r]! * sizeB + codesB[r]!]!++;
  return counts;
}

/** Maps each code through `map` (original cell → compressed cell). */
export function remapCodes(codes: Int32Array, map: Int32Array): Int32Array {
  const out = new Int32Array(codes.length);
  for (let r = 0; r < codes.length; r++) out[r] = map[codes[r]!]!;
  return out;
}

/** argmin ‖x − y‖² over x ≥ 0, Σx = total (total > 0). */
export function projectToSimplex(y: Float64Array, total: number): Float64Array {
  const sorted = Float64Array.from(y).sort().reverse();
  let cumulative = 0;
  let threshold = 0;
  for (let k = 0; k < sorted.length; k++) {
    cumulative += sorted[k]!;
    const candidate = (cumulative - total) / (k + 1);
    // The largest k with sorted[k] > (Σ_{j≤k} sorted[j] − total)/(k+1) fixes the threshold.
    if (sorted[k]! - candidate > 0) threshold = candidate;
  }
  const x = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) x[i] = Math.max(0, y[i]! - threshold);
  return x;
}

/**
 * Scales `table` (sizeA × sizeB, nonnegative) in place until its row sums are `rows` and its column
 * sums `columns` (both with the same total). A floor of `floor` per cell first keeps every cell
 * reachable, so a row the noisy table left empty can still receive the mass its margin asks for.
 */
export function rakeToMargins(table: Float64Array, rows: Float64Array, columns: Float64Array, iterations: number, floor: number): void {
  const sizeA = rows.length;
  const sizeB = columns.length;
  for (let i = 0; i < table.length; i++) table[i] = table[i]! + floor;
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let a = 0; a < sizeA; a++) {
      let sum = 0;
      for (let b = 0; b < sizeB; b++) sum += table[a * sizeB + b]!;
      const scale = sum > 0 ? rows[a]! / sum : 0;
      for (let b = 0; b < sizeB; b++) table[a * sizeB + b] = table[a * sizeB + b]! * scale;
    }
    const sums = new Float64Array(sizeB);
    for (let a = 0; a < sizeA; a++) for (let b = 0; b < sizeB; b++) sums[b] = sums[b]! + table[a * sizeB + b]!;
    for (let b = 0; b < sizeB; b++) {
      const scale = sums[b]! > 0 ? columns[b]! / sums[b]! : 0;
      for (let a = 0; a < sizeA; a++) table[a * sizeB + b] = table[a * sizeB + b]! * scale;
    }
  }
}

/** Mutual information (nats) of a 2-way count table; the Chow–Liu edge weight. */
export function mutualInformation(table: Float64Array, sizeA: number, sizeB: number): number {
  const rowSums = new Float64Array(sizeA);
  const columnSums = new Float64Array(sizeB);
  let total = 0;
  for (let a = 0; a < sizeA; a++) {
    for (let b = 0; b < sizeB; b++) {
      const c = table[a * sizeB + b]!;
      rowSums[a] = rowSums[a]! + c;
      columnSums[b] = columnSums[b]! + c;
      total += c;
    }
  }
  if (total === 0) return 0;
  let information = 0;
  for (let a = 0; a < sizeA; a++) {
    for (let b = 0; b < sizeB; b++) {
      const c = table[a * sizeB + b]!;
      if (c > 0) information += (c / total) * Math.log((c * total) / (rowSums[a]! * columnSums[b]!));
    }
  }
  return information;
}

/** ‖table − outer(p, q)·total/ (Σp·Σq/total)‖₁: MST's edge score against the independence model of the noisy 1-ways. */
export function l1FromIndependence(table: Float64Array, p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (const v of p) sp += v;
  for (const v of q) sq += v;
  const scale = sp > 0 && sq > 0 ? 1 / sq : 0;
  let distance = 0;
  for (let a = 0; a < p.length; a++) for (let b = 0; b < q.length; b++) distance += Math.abs(table[a * q.length + b]! - p[a]! * q[b]! * scale);
  return distance;
}
