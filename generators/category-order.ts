/**
 * The order of a categorical dimension's cells. A Gaussian copula can express only monotone
 * dependence in that order, so it decides which associations survive: a column's categories are
 * ordered by their mean normal score on the dimension that explains them best (correlation ratio
 * η²); a joint dimension's cells (several columns at once) along the first principal axis of
 * their mean scores on all dimensions.
 */
/** Per-row normal scores of one dimension (NaN where the dimension's column is null) and its Hermite coefficients. */
/** A dimension's per-row normal scores (NaN where its column is null): what guides an order. */
export interface DimensionScores {
  scores: Float64Array;
}

/** Categories seen fewer times than this do not count toward guided ordering (see orderCategories). */
const MIN_GUIDED_COUNT = 5;

/**
 * Orders a column's categories by their mean score on the candidate dimension with the largest
 * correlation ratio η² = Σ_c n_c·mean_c² / Σ s²; by frequency (most frequent first) when no
 * candidate explains at least 1% of the variance. Ties keep frequency order (deterministic).
 */
export function orderCategories(codes: Int32Array, counts: Map<number, number>, categoryCount: number, candidates: DimensionScores[]): number[] {
  const byFrequency = [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q);
  if (byFrequency.length < 2 || candidates.length === 0) return byFrequency;
  // A near-unique column (most rows in categories seen fewer than MIN_GUIDED_COUNT times, e.g.
  // movie titles) ordered by a numerical guide would tie each label to its own row's values —
  // copying real rows. Such columns keep the frequency order.
  let rareRows = 0;
  for (const count of counts.values()) if (count < MIN_GUIDED_COUNT) rareRows += count;
  if (rareRows > 0.5 * codes.length) return byFrequency;
  // Choose the guide on an evenly strided subset of ≤ 8192 rows (η² to ~±0.01, plenty to rank
  // guides), then compute the category means of the chosen guide on every row.
  const stride = Math.max(1, Math.ceil(codes.length / 8192));
  let bestEta = 0.01;
  let best: DimensionScores | null = null;
  for (const dimension of candidates) {
    const eta = correlationRatio(codes, categoryCount, dimension.scores, stride).eta;
    if (eta > bestEta) {
      bestEta = eta;
      best = dimension;
    }
  }
  if (best === null) return byFrequency;
  const slotMeans = correlationRatio(codes, categoryCount, best.scores, 1).means;
  const means = new Map(byFrequency.map((code) => [code, slotMeans[code + 1]!]));
  const frequencyRank = new Map(byFrequency.map((code, rank) => [code, rank]));
  // Categories never seen with a present value on that dimension sit in the middle (mean 0).
  return byFrequency.slice().sort((p, q) => (means.get(p) ?? 0) - (means.get(q) ?? 0) || frequencyRank.get(p)! - frequencyRank.get(q)!);
}

/**
 * Orders a joint dimension's cells along the first principal axis of their mean scores on all
 * candidate dimensions (optimal scaling, as in correspondence analysis): a joint cell bundles
 * several columns (sex × relationship × marital-status), and no single guide orders it well —
 * ordered by age alone, women and men interleave and sex loses its tie to hours-per-week.
 * The axis is the leading eigenvector of C_gh = Σ_c n_c m_cg m_ch (m_cg: mean score of cell c on
 * guide g), found by power iteration from the all-ones vector (deterministic).
 */
export function orderJointCells(codes: Int32Array, counts: Map<number, number>, categoryCount: number, candidates: DimensionScores[]): number[] {
  const byFrequency = [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q);
  if (candidates.length === 0 || byFrequency.length < 2) return byFrequency;
  const k = categoryCount;
  const g = candidates.length;
  // means[guide][slot]: slot = code + 1 (codes of a joint are 0 … k − 1).
  const means = candidates.map((dimension) => correlationRatio(codes, k, dimension.scores, 1).means);
  const covariance = new Float64Array(g * g);
  for (const [code, count] of counts) {
    for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) covariance[a * g + b]! += count * means[a]![code + 1]! * means[b]![code + 1]!;
  }
  let axis = new Float64Array(g).fill(1 / Math.sqrt(g));
  for (let iteration = 0; iteration < 200; iteration++) {
    const next = new Float64Array(g);
    for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) next[a]! += covariance[a * g + b]! * axis[b]!;
    const norm = Math.hypot(...next);
    if (!(norm > 0)) return byFrequency;
    for (let a = 0; a < g; a++) next[a]! /= norm;
    const change = next.reduce((sum, v, a) => sum + Math.abs(v - axis[a]!), 0);
    axis = next;
    if (change < 1e-12) break;
  }
  const position = new Map(byFrequency.map((code) => [code, means.reduce((sum, m, a) => sum + axis[a]! * m[code + 1]!, 0)]));
  const frequencyRank = new Map(byFrequency.map((code, rank) => [code, rank]));
  return byFrequency.slice().sort((p, q) => position.get(p)! - position.get(q)! || frequencyRank.get(p)! - frequencyRank.get(q)!);
}

/** η² of the scores explained by the categories, over rows 0, stride, 2·stride, …, and the per-category means (slot code + 1). */
function correlationRatio(codes: Int32Array, categoryCount: number, scores: Float64Array, stride: number): { eta: number; means: Float64Array } {
  const sums = new Float64Array(categoryCount + 1);
  const counted = new Float64Array(categoryCount + 1);
  let total = 0;
  for (let r = 0; r < codes.length; r += stride) {
    const s = scores[r]!;
    if (Number.isNaN(s)) continue;
    total += s * s;
    const slot = codes[r]! + 1;
    sums[slot]! += s;
    counted[slot]! += 1;
  }
  let between = 0;
  const means = new Float64Array(categoryCount + 1);
  for (let c = 0; c < sums.length; c++) {
    if (counted[c]! === 0) continue;
    between += (sums[c]! * sums[c]!) / counted[c]!;
    means[c] = sums[c]! / counted[c]!;
  }
  return { eta: total > 0 ? between / total : 0, means };
}
