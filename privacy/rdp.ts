/**
 * Rényi DP (Mironov 2017) for the Poisson-subsampled Gaussian mechanism, the accountant behind
 * DP-SGD and federated rounds.
 *
 * One step samples each record with probability q and adds N(0, σ²) to a sum of L2 sensitivity 1.
 * Its RDP at order α is log(A_α)/(α−1) (Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy
 * of the Sampled Gaussian Mechanism"):
 * - integer α (Sec. 3.2): A_α = Σ_{k=0}^{α} C(α,k) (1−q)^{α−k} q^k exp((k²−k)/(2σ²));
 * - fractional α (Sec. 3.3): A_α = A₁ + A₂ with z₀ = σ² log(1/q − 1) + 1/2 and the convergent series
 *   A₁ = Σ_{i≥0} C(α,i) (1−q)^{α−i} q^i exp((i²−i)/(2σ²)) · ½ erfc((i − z₀)/(√2 σ)),
 *   A₂ = Σ_{i≥0} C(α,i) (1−q)^{i} q^{α−i} exp(((α−i)²−(α−i))/(2σ²)) · ½ erfc((z₀ − (α−i))/(√2 σ)),
 *   with the generalised binomial C(α,i) (its sign alternates once i > α), summed with its sign
 *   until the terms fall below e^−30. (dp-accounting ≥ 0.4 sums |C(α,i)| instead, a looser upper
 *   bound: 3% higher at α = 1.5, q = 0.01, σ = 2.5; ours matches quadrature of the defining integral.)
 * Composition adds the curves order by order. RDP → (ε, δ) uses Balle et al. 2020 ("Hypothesis
 * testing interpretations and Rényi DP", Thm 21), the bound of Opacus' get_privacy_spent and
 * dp-accounting: ε = min_α τ_α + log((α−1)/α) − (log δ + log α)/(α−1).
 */
import erfc from "@stdlib/math-base-special-erfc";
import { PrivacyParameterError } from "./errors.js";
import { epsilonAtOrder } from "./zcdp.js";

/** The orders of Opacus and TF-Privacy: 1.1, 1.2, …, 10.9, then 12, 13, …, 63. */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
]);

/** log(erfc(x)), accurate where erfc underflows (asymptotic series for x > 25). */
function logErfc(x: number): number {
  if (x < 25) return Math.log(erfc(x));
  const inverseSquare = 1 / (x * x);
  return -x * x - Math.log(x) - 0.5 * Math.log(Math.PI) + Math.log1p(-0.5 * inverseSquare + 0.75 * inverseSquare * inverseSquare);
}

/** log(Σ sign_i · exp(log_i)) for a positive total. */
function logSignedSum(signs: number[], logs: number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logs) if (value > max) max = value;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < logs.length; i++) sum += signs[i]! * Math.exp(logs[i]! - max);
  return max + Math.log(sum);
}

function logAInteger(q: number, sigma: number, order: number): number {
  const signs: number[] = [];
  const logs: number[] = [];
  let logBinomial = 0;
  for (let k = 0; k <= order; k++) {
    if (k > 0) logBinomial += Math.log(order - k + 1) - Math.log(k);
    signs.push(1);
    logs.push(logBinomial + (order - k) * Math.log1p(-q) + k * Math.log(q) + (k * k - k) / (2 * sigma * sigma));
  }
  return logSignedSum(signs, logs);
}

function logAFractional(q: number, sigma: number, order: number): number {
  const signs: number[] = [];
  const logs: number[] = [];
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const scale = Math.SQRT2 * sigma;
  let logBinomial = 0;
  let sign = 1;
  let lastS0 = Number.NEGATIVE_INFINITY;
  let lastS1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const factor = (order - i + 1) / i;
      if (factor < 0) sign = -sign;
      logBinomial += Math.log(Math.abs(factor));
    }
    const j = order - i;
    const s0 = logBinomial + i * Math.log(q) + j * Math.log1p(-q) + (i * i - i) / (2 * sigma * sigma) + Math.log(0.5) + logErfc((i - z0) / scale);
    const s1 = logBinomial + j * Math.log(q) + i * Math.log1p(-q) + (j * j - j) / (2 * sigma * sigma) + Math.log(0.5) + logErfc((z0 - j) / scale);
    signs.push(sign, sign);
    logs.push(s0, s1);
    // A_α ≥ 1 (a Rényi divergence is ≥ 0), so terms below e^−30 that keep falling no longer matter.
    if (i > order && s0 < lastS0 && s1 < lastS1 && Math.max(s0, s1) < -30) break;
    lastS0 = s0;
    lastS1 = s1;
    if (i > 100_000) throw new PrivacyParameterError(`the RDP series at order ${order} did not converge (q = ${q}, σ = ${sigma})`);
  }
  return logSignedSum(signs, logs);
}

/** RDP of one step of the Poisson-subsampled Gaussian (sampling rate q, noise multiplier σ) at one order α > 1. */
export function subsampledGaussianRdp(q: number, sigma: number, order: number): number {
  if (!(q >= 0 && q <= 1)) throw new PrivacyParameterError(`the sampling rate q must be in [0, 1], got ${q}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new PrivacyParameterError(`the noise multiplier σ must be ≥ 0, got ${sigma}`);
  if (!(order > 1) || !Number.isFinite(order)) throw new PrivacyParameterError(`RDP orders must be finite and > 1, got ${order}`);
  if (q === 0) return 0;
  if (sigma === 0) return Number.POSITIVE_INFINITY;
  if (q === 1) return order / (2 * sigma * sigma);
  const logA = Number.isInteger(order) ? logAInteger(q, sigma, order) : logAFractional(q, sigma, order);
  return logA / (order - 1);
}

/** The smallest ε over the orders (Balle et al. 2020 Thm 21) and the order that gives it. */
export function epsilonFromRdp(orders: readonly number[], rdp: ArrayLike<number>, delta: number): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new PrivacyParameterError(`δ must be in (0, 1), got ${delta}`);
  let best = Number.POSITIVE_INFINITY;
  let bestOrder = Number.NaN;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    const tau = rdp[i]!;
    if (!(tau >= 0)) continue;
    const epsilon = epsilonAtOrder(order, tau, delta);
    if (epsilon < best) {
      best = epsilon;
      bestOrder = order;
    }
  }
  return { epsilon: Math.max(0, best), order: bestOrder };
}

/** The smallest δ over the orders for a target ε (the same bound solved for δ). */
export function deltaFromRdp(orders: readonly number[], rdp: ArrayLike<number>, epsilon: number): number {
  let best = 1;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    const tau = rdp[i]!;
    const logDelta = (order - 1) * (tau - epsilon) + (order - 1) * Math.log1p(-1 / order) - Math.log(order);
    best = Math.min(best, Math.exp(logDelta));
  }
  return best;
}

/** An RDP curve at fixed orders; composing adds curves. */
export class RdpAccountant {
  readonly orders: readonly number[];
  private readonly curve: Float64Array;

  constructor(orders: readonly number[] = DEFAULT_RDP_ORDERS) {
    for (const order of orders) {
      if (!(order > 1) || !Number.isFinite(order)) throw new PrivacyParameterError(`RDP orders must be finite and > 1, got ${order}`);
    }
    this.orders = [...orders];
    this.curve = new Float64Array(orders.length);
  }

  /** `steps` steps of DP-SGD / federated rounds: Poisson rate q, noise multiplier σ. */
  composeSubsampledGaussian(q: number, sigma: number, steps = 1): this {
    if (!Number.isInteger(steps) || steps < 0) throw new PrivacyParameterError(`steps must be an integer ≥ 0, got ${steps}`);
    for (let i = 0; i < this.orders.length; i++) this.curve[i]! += steps * subsampledGaussianRdp(q, sigma, this.orders[i]!);
    return this;
  }

  /** A ρ-zCDP measurement: RDP αρ at every order (Bun & Steinke 2016, Def. 1.1). */
  composeZcdp(rho: number): this {
    if (!(rho >= 0)) throw new PrivacyParameterError(`ρ must be ≥ 0, got ${rho}`);
    for (let i = 0; i < this.orders.length; i++) this.curve[i]! += this.orders[i]! * rho;
    return this;
  }

  /** A curve computed elsewhere, at the same orders. */
  composeCurve(rdp: ArrayLike<number>): this {
    if (rdp.length !== this.orders.length)
      throw new PrivacyParameterError(`an RDP curve needs ${this.orders.length} values (one per order), got ${rdp.length}`);
    for (let i = 0; i < this.orders.length; i++) this.curve[i]! += rdp[i]!;
    return this;
  }

  get rdp(): Float64Array {
    return Float64Array.from(this.curve);
  }

  epsilon(delta: number): { epsilon: number; order: number } {
    return epsilonFromRdp(this.orders, this.curve, delta);
  }

  delta(epsilon: number): number {
    return deltaFromRdp(this.orders, this.curve, epsilon);
  }
}

/** ε of `steps` Poisson-subsampled Gaussian steps at δ over the default orders. */
export function dpSgdEpsilon(q: number, sigma: number, steps: number, delta: number, orders: readonly number[] = DEFAULT_RDP_ORDERS): number {
  return new RdpAccountant(orders).composeSubsampledGaussian(q, sigma, steps).epsilon(delta).epsilon;
}

/** The smallest noise multiplier (within a relative 1e-6) whose DP-SGD ε at δ is ≤ the target. */
export function dpSgdNoiseMultiplier(targetEpsilon: number, delta: number, q: number, steps: number, orders: readonly number[] = DEFAULT_RDP_ORDERS): number {
  if (!(targetEpsilon > 0)) throw new PrivacyParameterError(`the target ε must be > 0, got ${targetEpsilon}`);
  let low = 0;
  let high = 1;
  while (dpSgdEpsilon(q, high, steps, delta, orders) > targetEpsilon) {
    low = high;
    high *= 2;
    if (high > 1e6) throw new PrivacyParameterError(`no noise multiplier ≤ 1e6 reaches ε = ${targetEpsilon} at δ = ${delta}`);
  }
  while (high - low > 1e-6 * high) {
    const middle = (low + high) / 2;
    if (dpSgdEpsilon(q, middle, steps, delta, orders) > targetEpsilon) low = middle;
    else high = middle;
  }
  return high;
}
