/**
 * Fits a numerical column's marginal: every candidate family is scored by a Kolmogorov–Smirnov
 * statistic and the best acceptable one is kept, then tabulated as value(z) = F⁻¹(Φ(z)) on the
 * copula's z grid, which is what the sampling kernel interpolates.
 *
 * Selection rule (held-out split). The KS test's critical value 1.358/√m (5%, Massey 1951) holds
 * only for a fully specified distribution; with parameters estimated from the same data the
 * statistic is smaller and the test is lenient (Lilliefors 1967). So the non-null values are
 * split at random (seeded by the column size, so fits are reproducible) into a fitting half A
 * and a test half B of m values; every family is fitted on A and its KS distance to B compared
 * with 1.358/√m, which is then a valid 5% test. Among the families the test does not reject, the
 * smallest held-out KS wins (smoother than the empirical, and it does not memorize quantiles) and
 * is refitted on all values; when every family is rejected — the usual case for real columns
 * with ties, skew or several modes — the empirical distribution wins. Every candidate, the
 * empirical included, reports its held-out KS (the empirical's: the smoothed empirical of A
 * against B), a measured number rather than a convention.
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
  momentsOf,
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
/**
 * A column of n values cannot tell its CDF apart to better than ~1/√n, so small columns are
 * tabulated on 16·n points (at least 513): wide tables of few rows (2,000 columns × 50 rows) pay
 * for 800 beta-function calls per column instead of 4,097.
 */
function tableGridPoints(n: number): number {
  return Math.max(513, Math.min(TABLE_GRID_POINTS, 16 * n + 1));
}
/** Kolmogorov's 5% critical value coefficient: D_crit ≈ 1.358/√m for a fully specified distribution. */
export const KS_CRITICAL_95 = 1.358;
/** Below this many values no split is made: too few to test, the empirical distribution is kept. */
const MIN_SPLIT_VALUES = 8;

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
  /** KS distance of the candidate fitted on the fitting half to the held-out half. */
  ks: number;
}

export interface NumericMarginal {
  family: MarginalFamily;
  /** Fitted parameters (empty for the empirical distribution). */
  params: Record<string, number>;
  /** Held-out KS statistic of the chosen distribution (see the file comment). */
  ks: number;
  candidates: CandidateScore[];
  /** Size m of the held-out half (0 when the column was too small to split); the 5% bound is 1.358/√m. */
  holdoutCount: number;
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

/** KS distance between a CDF and the data's step CDF: checked on both sides of every jump. */
function ksOfCdf(cdf: (x: number) => number, distinct: DistinctValues): number {
  let d = 0;
  let before = 0;
  const n = distinct.total;
  for (let i = 0; i < distinct.values.length; i++) {
    const f = cdf(distinct.values[i]!);
    d = Math.max(d, Math.abs(f - before / n), Math.abs(f - distinct.cumulativeCounts[i]! / n));
    before = distinct.cumulativeCounts[i]!;
  }
  return d;
}

/** The CDF of the Hazen-position empirical quantile (the inverse of `empiricalQuantile`), right-continuous. */
export function empiricalCdf(sorted: Float64Array, x: number): number {
  const n = sorted.length;
  if (x < sorted[0]!) return 0;
  if (x >= sorted[n - 1]!) return 1;
  // Last i with sorted[i] ≤ x: ties make the quantile flat, so the CDF jumps past them.
  let low = 0;
  let high = n - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (sorted[mid]! <= x) low = mid;
    else high = mid - 1;
  }
  const next = sorted[low + 1]!;
  const t = next > sorted[low]! ? (x - sorted[low]!) / (next - sorted[low]!) : 0;
  return Math.min(1, (low + 0.5 + t) / n);
}

/** A seeded random split of the sorted values into a fitting half and a test half (both sorted). */
export function splitForTesting(sorted: Float64Array): { fitting: Float64Array; testing: Float64Array } {
  const fitting: number[] = [];
  const testing: number[] = [];
  // xorshift32 seeded by the size: reproducible fits, no dependence on row order.
  let state = (sorted.length * 2654435761) >>> 0 || 1;
  for (let i = 0; i < sorted.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    ((state >>> 0) & 1 ? fitting : testing).push(sorted[i]!);
  }
  return { fitting: Float64Array.from(fitting), testing: Float64Array.from(testing) };
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

/** Held-out KS of a parametric fit: the CDF evaluated at the test values directly, or through a grid when they are many. */
function heldOutKs(fit: ParametricFit, fittingMoments: ColumnMoments, testing: DistinctValues, allowOutOfRange: boolean): number {
  if (testing.values.length > KS_GRID_POINTS) return ksAgainstData(cdfGrid(fit, fittingMoments, allowOutOfRange, KS_GRID_POINTS), testing);
  const cdf = parametricCdf(fit);
  if (allowOutOfRange) return ksOfCdf(cdf, testing);
  // Truncated to the fitting half's range, as the tabulated marginal would be.
  const low = cdf(fittingMoments.min);
  const mass = cdf(fittingMoments.max) - low;
  return ksOfCdf((x) => (x <= fittingMoments.min ? 0 : x >= fittingMoments.max ? 1 : Math.min(1, Math.max(0, (cdf(x) - low) / mass))), testing);
}

/**
 * Fits the marginal of one numerical column from its non-null values sorted ascending (at least
 * two distinct values; constant columns are not modelled by a distribution).
 */
export function fitNumericMarginal(sorted: Float64Array, moments: ColumnMoments, options: MarginalFitOptions): NumericMarginal {
  const distinct = distinctValues(sorted);
  const { fitting, testing } = splitForTesting(sorted);
  const splittable = sorted.length >= MIN_SPLIT_VALUES && fitting.length >= 2 && testing.length >= 2 && fitting[0]! < fitting[fitting.length - 1]!;
  const scored: { family: ParametricFit["family"]; ks: number }[] = [];
  let empiricalKs = Number.NaN;
  if (splittable) {
    const testingDistinct = distinctValues(testing);
    const fittingMoments = momentsOf(fitting);
    for (const fit of fitParametricCandidates(fittingMoments)) {
      const ks = heldOutKs(fit, fittingMoments, testingDistinct, options.allowOutOfRange);
      if (Number.isFinite(ks)) scored.push({ family: fit.family, ks });
    }
    empiricalKs = ksOfCdf((x) => empiricalCdf(fitting, x), testingDistinct);
  } else {
    // Too few values to split: the in-sample distance, the only measurement there is.
    empiricalKs = ksOfCdf((x) => empiricalCdf(sorted, x), distinct);
  }
  const candidates: CandidateScore[] = [...scored, { family: "empirical", ks: empiricalKs }];
  const critical = splittable ? KS_CRITICAL_95 / Math.sqrt(testing.length) : Number.NEGATIVE_INFINITY;

  const fullFits = fitParametricCandidates(moments);
  const forced = options.family === undefined || options.family === "auto" ? undefined : options.family;
  let chosen: MarginalFamily = "empirical";
  if (forced !== undefined && forced !== "empirical" && fullFits.some((f) => f.family === forced)) chosen = forced;
  else if (forced === undefined || forced !== "empirical") {
    let best = Number.POSITIVE_INFINITY;
    for (const s of scored) {
      if (s.ks <= critical && s.ks < best && fullFits.some((f) => f.family === s.family)) {
        best = s.ks;
        chosen = s.family;
      }
    }
  }
  const holdoutCount = splittable ? testing.length : 0;
  const fit = fullFits.find((f) => f.family === chosen);
  if (fit === undefined) return { family: "empirical", params: {}, ks: empiricalKs, candidates, holdoutCount, table: tabulateEmpirical(sorted), distinct };
  const fine = cdfGrid(fit, moments, options.allowOutOfRange, tableGridPoints(sorted.length));
  // A forced family may have no held-out score (unsplittable column): its in-sample distance then.
  const ks = scored.find((c) => c.family === fit.family)?.ks ?? ksAgainstData(fine, distinct);
  return { family: fit.family, params: { ...fit.params }, ks, candidates, holdoutCount, table: tabulateParametric(fine), distinct };
}
