/**
 * Fits a numerical column's marginal: every candidate family is scored by its Kolmogorov–Smirnov
 * statistic against the data and the best is kept, then tabulated as value(z) = F⁻¹(Φ(z)) on the
 * copula's z grid, which is what the sampling kernel interpolates.
 *
 * Selection rule. The smoothed empirical distribution fits its own sample almost perfectly
 * (KS = 0.5/n), so comparing raw in-sample KS would always pick it. It is charged the 5%
 * critical value of the one-sample KS test, 1.358/√n (Massey 1951): a parametric family that
 * the KS test cannot reject is preferred (smoother, and it does not memorize quantiles); when
 * every family is rejected — the usual case for real columns with ties, skew or several modes —
 * the empirical distribution wins.
 *
 * The smoothed empirical is the quantile function through the order statistics at the Hazen
 * plotting positions (x₍ᵢ₎ at p = (i − ½)/n), linear in between. Ties give flat stretches, so a
 * value that holds 90% of a column (capital-gain = 0) keeps its 90% exactly instead of being
 * smeared over its neighbours.
 */
import {
  type ColumnMoments,
  fitParametricCandidates,
  type MarginalFamily,
  type ParametricFit,
  parametricCdf,
  unboundedSupport,
} from "./marginal-families.js";
import { normalCdf } from "./normal-distribution.js";

/** The z grid on which every numerical column is tabulated (shared with the model file). */
export const Z_GRID_MIN = -8.5;
export const Z_GRID_MAX = 8.5;
export const Z_GRID_KNOTS = 8193;
/**
 * Points at which a parametric CDF is evaluated and then interpolated: 1025 to score a candidate
 * by KS (interpolation error ≤ h²/8·max|f′|, far below any KS difference that matters), 4097 to
 * tabulate the chosen one. The special functions cost ~1 µs a call, so this keeps the fit fast.
 */
const KS_GRID_POINTS = 1025;
const TABLE_GRID_POINTS = 4097;
/** Kolmogorov's 5% critical value coefficient: D_crit ≈ 1.358/√n. */
const KS_CRITICAL_95 = 1.358;

export function zGridKnot(k: number): number {
  return Z_GRID_MIN + ((Z_GRID_MAX - Z_GRID_MIN) * k) / (Z_GRID_KNOTS - 1);
}

let knotProbabilities: Float64Array | null = null;

/** Φ(z_k) for every knot, computed once per process (every column shares the grid). */
function knotProbability(): Float64Array {
  if (knotProbabilities === null) knotProbabilities = Float64Array.from({ length: Z_GRID_KNOTS }, (_, k) => normalCdf(zGridKnot(k)));
  return knotProbabilities;
}

/** Distinct sorted values and, for each, how many values are ≤ it. */
export interface DistinctValues {
  values: Float64Array;
  cumulativeCounts: Float64Array;
  total: number;
}

export function distinctValues(sorted: Float64Array): DistinctValues {
  const n = sorted.length;
  const values = new Float64Array(n);
  const counts = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (i > 0 && v === sorted[i - 1]) counts[m - 1] = i + 1;
    else {
      values[m] = v;
      counts[m] = i + 1;
      m++;
    }
  }
  return { values: values.slice(0, m), cumulativeCounts: counts.slice(0, m), total: n };
}

export interface CandidateScore {
  family: MarginalFamily;
  ks: number;
}

export interface NumericMarginal {
  family: MarginalFamily;
  /** Fitted parameters (empty for the empirical distribution). */
  params: Record<string, number>;
  /** KS statistic of the chosen distribution against the data. */
  ks: number;
  candidates: CandidateScore[];
  /** value(z) at the Z_GRID_KNOTS knots of the z grid. */
  table: Float64Array;
  /** The data's distinct values and cumulative counts (reused for the normal scores). */
  distinct: DistinctValues;
}

export interface MarginalFitOptions {
  /** Let sampled values leave [min, max] (normal and gamma tails are then not truncated). */
  allowOutOfRange: boolean;
  /** Force a family instead of choosing by KS; unusable families fall back to the KS choice. */
  family?: MarginalFamily | "auto";
}

/** A CDF tabulated on an even x grid, nondecreasing, F(low) = 0 and F(high) = 1. */
interface CdfGrid {
  x: Float64Array;
  f: Float64Array;
}

function cdfGrid(fit: ParametricFit, m: ColumnMoments, allowOutOfRange: boolean, points: number): CdfGrid {
  const cdf = parametricCdf(fit);
  const { low, high } = allowOutOfRange ? unboundedSupport(fit, m.min, m.max) : { low: m.min, high: m.max };
  const x = new Float64Array(points);
  const f = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    x[i] = low + ((high - low) * i) / (points - 1);
    f[i] = cdf(x[i]!);
  }
  // Truncation to [low, high] (a no-op for the families that already live there) and a running
  // maximum, so that rounding in the special functions cannot make the table decrease.
  const f0 = f[0]!;
  const mass = f[points - 1]! - f0;
  let running = 0;
  for (let i = 0; i < points; i++) {
    running = Math.max(running, Math.min(1, (f[i]! - f0) / mass));
    f[i] = running;
  }
  f[points - 1] = 1;
  return { x, f };
}

function interpolateCdf(grid: CdfGrid, value: number): number {
  const { x, f } = grid;
  const last = x.length - 1;
  if (value <= x[0]!) return 0;
  if (value >= x[last]!) return 1;
  const position = ((value - x[0]!) / (x[last]! - x[0]!)) * last;
  const i = Math.min(last - 1, Math.floor(position));
  const t = position - i;
  return f[i]! + t * (f[i + 1]! - f[i]!);
}

/** KS distance between a continuous CDF and the data's step CDF: checked on both sides of every jump. */
function ksAgainstData(grid: CdfGrid, distinct: DistinctValues): number {
  let d = 0;
  let before = 0;
  const n = distinct.total;
  for (let i = 0; i < distinct.values.length; i++) {
    const f = interpolateCdf(grid, distinct.values[i]!);
    const after = distinct.cumulativeCounts[i]! / n;
    d = Math.max(d, Math.abs(f - before / n), Math.abs(f - after));
    before = distinct.cumulativeCounts[i]!;
  }
  return d;
}

/** F⁻¹(Φ(z_k)) for every knot, by inverting the tabulated CDF (knots are increasing, so one sweep). */
function tabulateParametric(grid: CdfGrid): Float64Array {
  const table = new Float64Array(Z_GRID_KNOTS);
  const { x, f } = grid;
  const probabilities = knotProbability();
  let i = 1;
  for (let k = 0; k < Z_GRID_KNOTS; k++) {
    const p = probabilities[k]!;
    while (i < f.length - 1 && f[i]! < p) i++;
    const f0 = f[i - 1]!;
    const f1 = f[i]!;
    const t = f1 > f0 ? Math.min(1, Math.max(0, (p - f0) / (f1 - f0))) : 1;
    table[k] = x[i - 1]! + t * (x[i]! - x[i - 1]!);
  }
  return table;
}

/** The Hazen-position quantile function of the sorted sample (see the file comment). */
export function empiricalQuantile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = p * n - 0.5;
  if (h <= 0) return sorted[0]!;
  if (h >= n - 1) return sorted[n - 1]!;
  const i = Math.floor(h);
  const t = h - i;
  return sorted[i]! + t * (sorted[i + 1]! - sorted[i]!);
}

function tabulateEmpirical(sorted: Float64Array): Float64Array {
  const table = new Float64Array(Z_GRID_KNOTS);
  const probabilities = knotProbability();
  for (let k = 0; k < Z_GRID_KNOTS; k++) table[k] = empiricalQuantile(sorted, probabilities[k]!);
  return table;
}

/**
 * Fits the marginal of one numerical column from its non-null values sorted ascending (at least
 * two distinct values; constant columns are not modelled by a distribution).
 */
export function fitNumericMarginal(sorted: Float64Array, moments: ColumnMoments, options: MarginalFitOptions): NumericMarginal {
  const distinct = distinctValues(sorted);
  const n = sorted.length;
  const scored: { fit: ParametricFit; grid: CdfGrid; ks: number }[] = [];
  for (const fit of fitParametricCandidates(moments)) {
    const grid = cdfGrid(fit, moments, options.allowOutOfRange, KS_GRID_POINTS);
    const ks = ksAgainstData(grid, distinct);
    if (Number.isFinite(ks)) scored.push({ fit, grid, ks });
  }
  const empiricalKs = 0.5 / n;
  const candidates: CandidateScore[] = [...scored.map((s) => ({ family: s.fit.family, ks: s.ks })), { family: "empirical", ks: empiricalKs }];

  const forced = options.family === undefined || options.family === "auto" ? undefined : options.family;
  let best: (typeof scored)[number] | undefined;
  if (forced !== undefined && forced !== "empirical") best = scored.find((s) => s.fit.family === forced);
  if (best === undefined && forced !== "empirical") {
    for (const s of scored) if (best === undefined || s.ks < best.ks) best = s;
    if (best !== undefined && forced === undefined && best.ks > empiricalKs + KS_CRITICAL_95 / Math.sqrt(n)) best = undefined;
  }
  if (best === undefined) return { family: "empirical", params: {}, ks: empiricalKs, candidates, table: tabulateEmpirical(sorted), distinct };
  const fine = cdfGrid(best.fit, moments, options.allowOutOfRange, TABLE_GRID_POINTS);
  return { family: best.fit.family, params: { ...best.fit.params }, ks: best.ks, candidates, table: tabulateParametric(fine), distinct };
}
