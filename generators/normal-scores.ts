/**
 * Normal scores of the copula's dimensions, and the correction that turns their covariance into
 * the correlation of the latent Gaussian.
 *
 * Every dimension is a partition of (0, 1) into cells: a numerical column has one cell per
 * distinct value (width = its relative frequency, in rank order), a categorical one cell per
 * category (null included) in the order chosen by the fit, a null indicator two cells. A row's
 * score is the conditional mean of Z ~ N(0, 1) over its cell's z interval (α, β):
 *     s = E[Z | α < Z < β] = (φ(α) − φ(β)) / (Φ(β) − Φ(α)),
 * which has mean 0 and, for a column without ties, is the usual van der Waerden-type rank score.
 *
 * Discretizing a Gaussian attenuates its correlation (a 70/30 binary split keeps only ~0.8 of
 * it), and sampling discretizes again, so plain score correlations lose strength twice. By
 * Mehler's expansion of the bivariate normal density in Hermite polynomials,
 *     Cov(s_i, s_j) = Σ_{k≥1} ρ^k a_k b_k / k!,  a_k = E[s_i(Z) He_k(Z)],
 * and a_k has a closed form per cell: ∫_α^β He_k φ = He_{k−1}(α)φ(α) − He_{k−1}(β)φ(β).
 * Solving this for ρ gives the latent (polychoric / polyserial) correlation; for two columns
 * without ties a_1 = 1, a_{k>1} = 0 and ρ is the plain normal-score correlation.
 *
 * The truncated series is only as good as its tail: by Parseval, Σ_{k≥1} a_k²/k! = E[s²], so the
 * terms beyond K = HERMITE_TERMS add at most |ρ|^(K+1)·√(tail_i·tail_j) to the covariance
 * (Cauchy–Schwarz), tail = E[s²] − Σ_{k≤K} a_k²/k!. For fine cells the tail is ~0 and the series
 * is exact; for skewed binaries it is large and converges slowly in ρ (12 terms gave 0.733 for a
 * true 0.9 with 90/10 vs 10/90 margins). When that bound could move ρ by more than SERIES_TOLERANCE, the covariance is
 * computed exactly instead: writing a score function as a sum of steps at its cell bounds z_k,
 *     s(x) = s_K + Σ_k (s_k − s_{k+1})·1[x ≤ z_k],
 *     Cov(s_i(X), s_j(Y)) = Σ_k Σ_l Δs_k Δt_l (Φ₂(z_k, w_l; ρ) − Φ(z_k)Φ(w_l)),
 * with the bivariate normal CDF Φ₂ (`bivariate-normal.ts`), increasing in ρ with derivative
 * Σ Δs_k Δt_l φ₂(z_k, w_l; ρ) (Plackett 1954), solved by safeguarded Newton. For two binaries
 * this is exactly the tetrachoric equation Φ₂(z, w; ρ) = P(both in their first cell); for more
 * cells it is the moment (score-covariance) form of the polychoric correlation, exact at the
 * population.
 */
import { bivariateNormalCdf, bivariateNormalPdf } from "./bivariate-normal.js";
import { normalCdf, normalPdf, normalQuantile } from "./normal-distribution.js";

/**
 * Terms of the Mehler series kept. The coefficients are computed normalized, c_k = a_k/√k!, from
 * the orthonormal Hermite functions He_k/√k! (recurrence h_{k+1} = (z·h_k − √k·h_{k−1})/√(k+1),
 * stable where He_k itself would overflow), so the series is Σ ρ^k c_k d_k.
 */
export const HERMITE_TERMS = 40;
/** Largest bound on the series' error in ρ that is accepted instead of the exact computation. */
export const SERIES_TOLERANCE = 1e-4;
/** Largest (boundaries of i) × (boundaries of j) for the exact form; beyond it the series is used. */
export const EXACT_BOUNDARY_PAIRS = 20_000;

export interface ScoreCells {
  /** Conditional mean of Z over each cell. */
  scores: Float64Array;
  /** a_1 … a_HERMITE_TERMS of the score function (a_1 = Var(s)). */
  hermite: Float64Array;
  /** c_k = a_k/√k!, the same coefficients normalized (what the series uses). */
  normalized: Float64Array;
  /** The finite cell bounds z_1 … z_{K−1} (ascending) and the score steps s_k − s_{k+1} across them. */
  bounds: Float64Array;
  steps: Float64Array;
  /** E[s²] − Σ_{k≤HERMITE_TERMS} c_k² ≥ 0: the variance the truncated series misses. */
  seriesTail: number;
}

/**
 * Scores and Hermite coefficients for cells given by their cumulative upper bounds in (0, 1]
 * (the last must be 1). Cells of zero width get the score of their boundary point.
 */
export function scoreCells(cumulativeUpper: ArrayLike<number>): ScoreCells {
  const m = cumulativeUpper.length;
  const scores = new Float64Array(m);
  const normalized = new Float64Array(HERMITE_TERMS);
  const low = new Float64Array(HERMITE_TERMS);
  const high = new Float64Array(HERMITE_TERMS);
  const bounds = new Float64Array(Math.max(0, m - 1));
  let meanSquare = 0;
  let lowerU = 0;
  hermitePdfTerms(Number.NEGATIVE_INFINITY, low);
  for (let c = 0; c < m; c++) {
    const upperU = c === m - 1 ? 1 : Math.min(1, cumulativeUpper[c]!);
    const beta = normalQuantile(upperU);
    hermitePdfTerms(beta, high);
    const width = upperU - lowerU;
    // low[0] − high[0] = φ(α) − φ(β).
    const score = width > 0 ? (low[0]! - high[0]!) / width : Number.isFinite(beta) ? beta : 0;
    scores[c] = score;
    meanSquare += width * score * score;
    if (c < m - 1) bounds[c] = beta;
    // ∫_α^β He_k φ = He_{k−1}(α)φ(α) − He_{k−1}(β)φ(β); divided by √k! that is (h_{k−1}φ|α − h_{k−1}φ|β)/√k.
    for (let k = 1; k <= HERMITE_TERMS; k++) normalized[k - 1] = normalized[k - 1]! + (score * (low[k - 1]! - high[k - 1]!)) / Math.sqrt(k);
    lowerU = upperU;
    low.set(high);
  }
  const steps = new Float64Array(bounds.length);
  for (let c = 0; c < bounds.length; c++) steps[c] = scores[c]! - scores[c + 1]!;
  const hermite = new Float64Array(HERMITE_TERMS);
  let explained = 0;
  let rootFactorial = 1;
  for (let k = 1; k <= HERMITE_TERMS; k++) {
    rootFactorial *= Math.sqrt(k);
    hermite[k - 1] = normalized[k - 1]! * rootFactorial;
    explained += normalized[k - 1]! ** 2;
  }
  return { scores, hermite, normalized, bounds, steps, seriesTail: Math.max(0, meanSquare - explained) };
}

/** out[k] = h_k(z)·φ(z) for k = 0 … K−1, h_k = He_k/√k! (orthonormal Hermite); 0 at ±∞. */
function hermitePdfTerms(z: number, out: Float64Array): void {
  if (!Number.isFinite(z)) {
    out.fill(0);
    return;
  }
  const pdf = normalPdf(z);
  let previous = 1;
  let current = z;
  out[0] = pdf;
  if (out.length > 1) out[1] = z * pdf;
  for (let k = 1; k + 1 < out.length; k++) {
    const next = (z * current - Math.sqrt(k) * previous) / Math.sqrt(k + 1);
    previous = current;
    current = next;
    out[k + 1] = current * pdf;
  }
}

/** Σ_k ρ^k a_k b_k / k! from the normalized coefficients (Σ ρ^k c_k d_k), and its derivative in ρ. */
export function mehlerCovariance(rho: number, a: Float64Array, b: Float64Array): { covariance: number; slope: number } {
  let covariance = 0;
  let slope = 0;
  let power = 1;
  for (let k = 1; k <= HERMITE_TERMS; k++) {
    const term = a[k - 1]! * b[k - 1]!;
    slope += k * power * term;
    power *= rho;
    covariance += power * term;
  }
  return { covariance, slope };
}

/** Largest latent correlation the fit will report; keeps the matrix away from singularity. */
export const MAX_ABS_CORRELATION = 0.999;

/**
 * The latent correlation ρ whose score covariance equals the observed one: the Mehler series
 * when its truncation cannot matter, else the exact bivariate-normal form (see the file comment).
 * An observed covariance beyond what any |ρ| ≤ MAX_ABS_CORRELATION produces is clamped.
 */
export function latentCorrelation(observedCovariance: number, a: ScoreCells, b: ScoreCells): number {
  if (!(a.hermite[0]! > 0 && b.hermite[0]! > 0) || !Number.isFinite(observedCovariance)) return 0;
  const series = seriesCorrelation(observedCovariance, a.normalized, b.normalized);
  const tails = a.seriesTail * b.seriesTail;
  if (tails === 0) return series;
  const reach = Math.min(1, Math.abs(series) + 0.05);
  const errorBound = (reach ** (HERMITE_TERMS + 1) * Math.sqrt(tails)) / (a.hermite[0]! * b.hermite[0]!);
  if (errorBound <= SERIES_TOLERANCE || a.bounds.length * b.bounds.length > EXACT_BOUNDARY_PAIRS) return series;
  return solveIncreasing((rho) => exactScoreCovariance(rho, a, b), observedCovariance, series);
}

/** Cov(s_i(X), s_j(Y)) under correlation ρ and its derivative in ρ, exactly (bivariate normal CDF). */
export function exactScoreCovariance(rho: number, a: ScoreCells, b: ScoreCells): { covariance: number; slope: number } {
  let covariance = 0;
  let slope = 0;
  for (let k = 0; k < a.bounds.length; k++) {
    const z = a.bounds[k]!;
    const cdfZ = normalCdf(z);
    let rowCovariance = 0;
    let rowSlope = 0;
    for (let l = 0; l < b.bounds.length; l++) {
      const w = b.bounds[l]!;
      const step = b.steps[l]!;
      rowCovariance += step * (bivariateNormalCdf(z, w, rho) - cdfZ * normalCdf(w));
      rowSlope += step * bivariateNormalPdf(z, w, rho);
    }
    covariance += a.steps[k]! * rowCovariance;
    slope += a.steps[k]! * rowSlope;
  }
  return { covariance, slope };
}

/**
 * The series solved for ρ: Newton from the first-order guess target/(c_1 d_1) inside a shrinking
 * bracket, as `solveIncreasing` but without a closure or an object per step — a table of 2,000
 * columns has 2 million pairs.
 */
function seriesCorrelation(target: number, a: Float64Array, b: Float64Array): number {
  let low = -MAX_ABS_CORRELATION;
  let high = MAX_ABS_CORRELATION;
  let rho = Math.min(high, Math.max(low, target / (a[0]! * b[0]!)));
  for (let iteration = 0; iteration < 100; iteration++) {
    let covariance = 0;
    let slope = 0;
    let power = 1;
    for (let k = 1; k <= HERMITE_TERMS; k++) {
      const term = a[k - 1]! * b[k - 1]!;
      slope += k * power * term;
      power *= rho;
      covariance += power * term;
    }
    const residual = covariance - target;
    if (residual === 0) return rho;
    if (residual < 0) low = rho;
    else high = rho;
    let next = rho - residual / slope;
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    if (Math.abs(next - rho) < 1e-12 || high - low < 1e-12) return next;
    rho = next;
  }
  return rho;
}

/**
 * ρ in [−MAX_ABS_CORRELATION, MAX_ABS_CORRELATION] with covariance(ρ) = target for an increasing
 * covariance: Newton from `start`, kept inside a shrinking bracket (bisection when a step leaves
 * it); a target beyond the ends gives the end.
 */
function solveIncreasing(covariance: (rho: number) => { covariance: number; slope: number }, target: number, start: number): number {
  let low = -MAX_ABS_CORRELATION;
  let high = MAX_ABS_CORRELATION;
  let rho = Math.min(high, Math.max(low, Number.isFinite(start) ? start : 0));
  for (let iteration = 0; iteration < 100; iteration++) {
    const { covariance: value, slope } = covariance(rho);
    const residual = value - target;
    if (residual === 0) return rho;
    if (residual < 0) low = rho;
    else high = rho;
    let next = rho - residual / slope;
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    if (Math.abs(next - rho) < 1e-12 || high - low < 1e-12) return next;
    rho = next;
  }
  return rho;
}

/** Index of the cell whose value is `value` in ascending distinct `values` (binary search). */
export function cellIndexOf(values: Float64Array, value: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
