/**
 * The per-pair statistics behind Column Pair Trends, each one pass over the rows with typed-array
 * counts (so 1M-row tables stay fast):
 * - `binEdges`/`binIndex`: numpy's `histogram_bin_edges(values.dropna())` (10 equal-width bins
 *   from the table's own min to max; min = max widens by ±0.5; no value gives [0, 1]) followed
 *   by `np.digitize`, i.e. the number of edges ≤ x: 1…10 inside, 11 for the maximum itself, and
 *   11 for a missing value too (NaN sorts after every edge) — SDMetrics' quirks, kept on purpose.
 * - Pearson correlation of the rows where both values are present, from shifted sums.
 * - Contingency similarity 1 − ½ Σ|R_ab − S_ab| over normalized joint frequencies.
 * - Cramér's V (no continuity correction): √(χ²/n / (min(r, c) − 1)), χ² = n(Σ O²/(R_i C_j) − 1).
 */

export const BIN_COUNT = 10;
/** Levels a binned column can take: 0 (below the first edge; never for the table's own values) … 11. */
export const BIN_LEVELS = BIN_COUNT + 2;

export function binEdges(values: Float64Array): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) {
    min = 0;
    max = 1;
  } else if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  // numpy.linspace: start + k·step, the last edge set to stop exactly.
  const step = (max - min) / BIN_COUNT;
  const edges = new Float64Array(BIN_COUNT + 1);
  for (let k = 0; k < BIN_COUNT; k++) edges[k] = k * step + min;
  edges[BIN_COUNT] = max;
  return edges;
}

/** np.digitize(values, edges) for 11 ascending edges; NaN → 11. (Int32Array: every level array has one type, so the counting loop stays monomorphic.) */
export function binIndex(values: Float64Array, edges: Float64Array): Int32Array {
  const out = new Int32Array(values.length);
  const first = edges[0]!;
  const last = edges[BIN_COUNT]!;
  const step = (last - first) / BIN_COUNT;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x < last)) {
      out[i] = BIN_COUNT + 1; // x ≥ last edge, or NaN
      continue;
    }
    if (x < first) {
      out[i] = 0;
      continue;
    }
    // A guess from the arithmetic, then corrected against the stored edges (rounding at edges).
    let b = Math.floor((x - first) / step) + 1;
    if (b > BIN_COUNT) b = BIN_COUNT;
    if (b < 1) b = 1;
    while (b < BIN_COUNT + 1 && edges[b]! <= x) b++;
    while (b > 1 && edges[b - 1]! > x) b--;
    out[i] = b;
  }
  return out;
}

/** Discrete codes (−1 = missing) as levels 0…labelCount (missing is level 0: "nulls as a category"). */
export function discreteLevels(codes: Int32Array): Int32Array {
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! + 1;
  return out;
}

/** Mean of the non-missing values (0 when none): the shift that keeps the correlation sums exact enough. */
export function meanOfPresent(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** True when the column has exactly one distinct present value (pandas `nunique() == 1`). */
export function isConstantColumn(values: Float64Array): boolean {
  let first = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return false;
  }
  return !Number.isNaN(first);
}

/** Pearson's r over rows where both are present; NaN with fewer than 2 rows or a zero variance. */
export function pearson(x: Float64Array, y: Float64Array, shiftX = meanOfPresent(x), shiftY = meanOfPresent(y)): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]! - shiftX;
    const b = y[i]! - shiftY;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (n < 2) return Number.NaN;
  const cov = sxy - (sx * sy) / n;
  const varX = sxx - (sx * sx) / n;
  const varY = syy - (sy * sy) / n;
  if (!(varX > 0) || !(varY > 0)) return Number.NaN;
  const r = cov / Math.sqrt(varX * varY);
  return Math.max(-1, Math.min(1, r));
}

/** Joint counts of two level arrays (levels < levelsA, < levelsB): dense when small, sparse otherwise. */
export interface JointCounts {
  total: number;
  /** Visits every non-zero cell. */
  forEach(visit: (a: number, b: number, count: number) => void): void;
  get(a: number, b: number): number;
}

const DENSE_CELL_LIMIT = 1 << 22;

export function jointCounts(a: Int32Array, b: Int32Array, levelsA: number, levelsB: number): JointCounts {
  const n = a.length;
  if (levelsA * levelsB <= DENSE_CELL_LIMIT) {
    // Int32 counts: ~20 % faster than float64 in this loop, and exact up to 2^31 − 1 rows.
    const cells = new Int32Array(levelsA * levelsB);
    for (let i = 0; i < n; i++) cells[a[i]! * levelsB + b[i]!]!++;
    return {
      total: n,
      forEach(visit) {
        for (let k = 0; k < cells.length; k++) {
          const c = cells[k]!;
          if (c > 0) visit(Math.floor(k / levelsB), k % levelsB, c);
        }
      },
      get: (x, y) => cells[x * levelsB + y]!,
    };
  }
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = a[i]! * levelsB + b[i]!;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  return {
    total: n,
    forEach(visit) {
      for (const [key, c] of cells) visit(Math.floor(key / levelsB), key % levelsB, c);
    },
    get: (x, y) => cells.get(x * levelsB + y) ?? 0,
  };
}

/** 1 − ½ Σ |R_ab/n_R − S_ab/n_S| over the union of observed cells. */
export function contingencySimilarity(real: JointCounts, synthetic: JointCounts): number {
  let variation = 0;
  real.forEach((a, b, count) => {
    variation += Math.abs(count / real.total - synthetic.get(a, b) / synthetic.total);
  });
  synthetic.forEach((a, b, count) => {
    if (real.get(a, b) === 0) variation += count / synthetic.total;
  });
  return 1 - variation / 2;
}

/**
 * What both Cramér's V variants need from a contingency table: its total, the number of
 * non-empty levels on each side (levels with no rows are not part of the table), and
 * Σ n_ab² / (n_a· n_·b), which equals φ² + 1 (so χ² = n·(that − 1)).
 */
function contingencyShape(counts: JointCounts, levelsA: number, levelsB: number): { n: number; r: number; k: number; phi2PlusOne: number } {
  const rowSums = new Float64Array(levelsA);
  const colSums = new Float64Array(levelsB);
  counts.forEach((a, b, c) => {
    rowSums[a]! += c;
    colSums[b]! += c;
  });
  let r = 0;
  let k = 0;
  for (const s of rowSums) if (s > 0) r++;
  for (const s of colSums) if (s > 0) k++;
  let phi2PlusOne = 0;
  counts.forEach((a, b, c) => {
    phi2PlusOne += (c * c) / (rowSums[a]! * colSums[b]!);
  });
  return { n: counts.total, r, k, phi2PlusOne };
}

/** Cramér's V of a contingency table (levels with no rows are not part of the table); NaN if a side has one level. */
export function cramersV(counts: JointCounts, levelsA: number, levelsB: number): number {
  const { n, r, k, phi2PlusOne } = contingencyShape(counts, levelsA, levelsB);
  if (n === 0 || Math.min(r, k) < 2) return Number.NaN;
  const chi2 = n * (phi2PlusOne - 1);
  return Math.sqrt(Math.max(0, chi2) / n / (Math.min(r, k) - 1));
}

/**
 * Bias-corrected Cramér's V (Bergsma 2013, J. Korean Stat. Soc. 42:323): the plain V of two
 * independent columns with many levels is far from 0 on a finite sample, which would make an
 * independently shuffled table look as if it kept its associations.
 */
export function cramersVBiasCorrected(counts: JointCounts, levelsA: number, levelsB: number): number {
  const { n, r, k, phi2PlusOne } = contingencyShape(counts, levelsA, levelsB);
  if (n < 2 || Math.min(r, k) < 2) return Number.NaN;
  const phi2 = Math.max(0, phi2PlusOne - 1);
  const phi2Corrected = Math.max(0, phi2 - ((k - 1) * (r - 1)) / (n - 1));
  const kCorrected = k - ((k - 1) * (k - 1)) / (n - 1);
  const rCorrected = r - ((r - 1) * (r - 1)) / (n - 1);
  const denominator = Math.min(kCorrected - 1, rCorrected - 1);
  return denominator > 0 ? Math.sqrt(phi2Corrected / denominator) : Number.NaN;
}
