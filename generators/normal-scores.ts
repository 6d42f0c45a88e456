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
 */
import { normalPdf, normalQuantile } from "./normal-distribution.js";

/** Terms of the Mehler series kept. Coefficients decay like 1/√k!; 12 terms are exact to ~1e-4 for |ρ| ≤ 0.95. */
export const HERMITE_TERMS = 12;

export interface ScoreCells {
  /** Conditional mean of Z over each cell. */
  scores: Float64Array;
  /** a_1 … a_HERMITE_TERMS of the score function (a_1 = Var(s)). */
  hermite: Float64Array;
}

/**
 * Scores and Hermite coefficients for cells given by their cumulative upper bounds in (0, 1]
 * (the last must be 1). Cells of zero width get the score of their boundary point.
 */
export function scoreCells(cumulativeUpper: ArrayLike<number>): ScoreCells {
  const m = cumulativeUpper.length;
  const scores = new Float64Array(m);
  const hermite = new Float64Array(HERMITE_TERMS);
  const heLow = new Float64Array(HERMITE_TERMS);
  const heHigh = new Float64Array(HERMITE_TERMS);
  let lowerU = 0;
  let alpha = Number.NEGATIVE_INFINITY;
  hermitePdfTerms(alpha, heLow);
  for (let c = 0; c < m; c++) {
    const upperU = c === m - 1 ? 1 : Math.min(1, cumulativeUpper[c]!);
    const beta = normalQuantile(upperU);
    hermitePdfTerms(beta, heHigh);
    const width = upperU - lowerU;
    // heLow[0] − heHigh[0] = φ(α) − φ(β).
    const score = width > 0 ? (heLow[0]! - heHigh[0]!) / width : Number.isFinite(beta) ? beta : 0;
    scores[c] = score;
    for (let k = 0; k < HERMITE_TERMS; k++) hermite[k] = hermite[k]! + score * (heLow[k]! - heHigh[k]!);
    lowerU = upperU;
    alpha = beta;
    heLow.set(heHigh);
  }
  return { scores, hermite };
}

/** out[k] = He_k(z)·φ(z) for k = 0 … K−1 (probabilists' Hermite polynomials); 0 at ±∞. */
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
    const next = z * current - k * previous;
    previous = current;
    current = next;
    out[k + 1] = current * pdf;
  }
}

/** Σ_k ρ^k a_k b_k / k! */
export function mehlerCovariance(rho: number, a: Float64Array, b: Float64Array): number {
  let sum = 0;
  let power = 1;
  let factorial = 1;
  for (let k = 1; k <= HERMITE_TERMS; k++) {
    power *= rho;
    factorial *= k;
    sum += (power * a[k - 1]! * b[k - 1]!) / factorial;
  }
  return sum;
}

/** Largest latent correlation the fit will report; keeps the matrix away from singularity. */
export const MAX_ABS_CORRELATION = 0.999;

/**
 * The latent correlation ρ with Mehler covariance equal to the observed score covariance, by
 * bisection on [−0.999, 0.999] (the series is increasing in ρ when a_1 b_1 > 0, which holds since
 * a_1 = Var(s) > 0). An observed covariance beyond what any |ρ| < 1 produces is clamped.
 */
export function latentCorrelation(observedCovariance: number, a: Float64Array, b: Float64Array): number {
  if (!(a[0]! > 0 && b[0]! > 0) || !Number.isFinite(observedCovariance)) return 0;
  let low = -MAX_ABS_CORRELATION;
  let high = MAX_ABS_CORRELATION;
  if (mehlerCovariance(high, a, b) <= observedCovariance) return high;
  if (mehlerCovariance(low, a, b) >= observedCovariance) return low;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (low + high);
    if (mehlerCovariance(mid, a, b) < observedCovariance) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
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
