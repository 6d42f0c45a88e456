/**
 * Zero-concentrated DP (Bun & Steinke 2016): composition by adding ρ, and the conversions to and
 * from (ε, δ)-DP.
 *
 * - Gaussian mechanism with L2 sensitivity Δ and noise σ: ρ = Δ²/(2σ²) (Bun & Steinke 2016, Prop. 1.6).
 *   The discrete Gaussian on an integer-valued query has the same ρ: Canonne, Kamath & Steinke 2020,
 *   Prop. 5 bounds the Rényi divergence of N_Z(0,σ²) from N_Z(μ,σ²), μ ∈ Z, by αμ²/(2σ²), and Rényi
 *   divergences of independent coordinates add, so a vector of counts with ‖Δ‖₂ ≤ Δ costs Δ²/(2σ²).
 * - ε-DP (Laplace) implies ε²/2-zCDP (Bun & Steinke 2016, Prop. 1.4); the exponential mechanism with
 *   parameter ε is ε-bounded-range and so ε²/8-zCDP (Cesar & Rogers 2021, Lemma 3.2 / Thm 3).
 * - ρ-zCDP ⇒ (ε, δ)-DP with the tightest published conversion, Canonne, Kamath & Steinke 2020,
 *   Corollary 13: δ = inf_{α>1} exp((α−1)(αρ−ε))/(α−1) · (1−1/α)^α, equivalently
 *   ε(δ) = inf_{α>1} αρ + log(1−1/α) − (log δ + log α)/(α−1), minimised numerically over α.
 *   The simple bound ε = ρ + 2√(ρ log(1/δ)) (Bun & Steinke 2016, Prop. 1.3) is kept for reference.
 */
import { PrivacyParameterError } from "./errors.js";

function checkRho(rho: number): void {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new PrivacyParameterError(`ρ must be a finite number ≥ 0, got ${rho}`);
}

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new PrivacyParameterError(`δ must be in (0, 1), got ${delta}; use e.g. 1e-9 or 1/n² for n rows`);
}

function checkEpsilon(epsilon: number): void {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new PrivacyParameterError(`ε must be a finite number > 0, got ${epsilon}`);
}

/** ρ of the (discrete or continuous) Gaussian mechanism: Δ²/(2σ²). */
export function gaussianRho(l2Sensitivity: number, sigma: number): number {
  if (!(l2Sensitivity > 0) || !(sigma > 0)) throw new PrivacyParameterError(`Gaussian ρ needs Δ > 0 and σ > 0, got Δ = ${l2Sensitivity}, σ = ${sigma}`);
  return (l2Sensitivity * l2Sensitivity) / (2 * sigma * sigma);
}

/** σ that gives exactly ρ for L2 sensitivity Δ: Δ/√(2ρ). */
export function gaussianSigmaForRho(l2Sensitivity: number, rho: number): number {
  checkRho(rho);
  if (rho === 0 || !(l2Sensitivity > 0)) throw new PrivacyParameterError(`σ for ρ needs ρ > 0 and Δ > 0, got ρ = ${rho}, Δ = ${l2Sensitivity}`);
  return l2Sensitivity / Math.sqrt(2 * rho);
}

/** ρ of an ε-DP mechanism (Laplace): ε²/2. */
export function pureDpRho(epsilon: number): number {
  checkEpsilon(epsilon);
  return (epsilon * epsilon) / 2;
}

/** ρ of the exponential mechanism with parameter ε (Cesar & Rogers 2021): ε²/8. */
export function exponentialMechanismRho(epsilon: number): number {
  checkEpsilon(epsilon);
  return (epsilon * epsilon) / 8;
}

/** The exponential mechanism's ε for a zCDP share ρ: √(8ρ). */
export function exponentialMechanismEpsilonForRho(rho: number): number {
  checkRho(rho);
  return Math.sqrt(8 * rho);
}

/** ε(α) of the CKS 2020 conversion at one order α > 1 for an RDP value τ = D_α. */
export function epsilonAtOrder(order: number, rdp: number, delta: number): number {
  return rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1);
}

/**
 * Minimises a unimodal function of log(α − 1) by golden-section search over α ∈ (1 + 1e-9, 1e7].
 * For zCDP the objective αρ + log(1−1/α) − (log δ + log α)/(α−1) is smooth and unimodal in α.
 */
function minimiseOverOrder(objective: (order: number) => number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(1e-9);
  let high = Math.log(1e7);
  const at = (x: number): number => objective(1 + Math.exp(x));
  let x1 = high - phi * (high - low);
  let x2 = low + phi * (high - low);
  let f1 = at(x1);
  let f2 = at(x2);
  for (let i = 0; i < 200 && high - low > 1e-12; i++) {
    if (f1 <= f2) {
      high = x2;
      x2 = x1;
      f2 = f1;
      x1 = high - phi * (high - low);
      f1 = at(x1);
    } else {
      low = x1;
      x1 = x2;
      f1 = f2;
      x2 = low + phi * (high - low);
      f2 = at(x2);
    }
  }
  return Math.min(f1, f2);
}

/** ε of ρ-zCDP at δ by CKS 2020 Corollary 13 (the tightest published conversion), never negative. */
export function epsilonFromRho(rho: number, delta: number): number {
  checkRho(rho);
  checkDelta(delta);
  if (rho === 0) return 0;
  return Math.max(
    0,
    minimiseOverOrder((order) => epsilonAtOrder(order, order * rho, delta)),
  );
}

/** δ of ρ-zCDP at ε by CKS 2020 Corollary 13, in [0, 1]. */
export function deltaFromRho(rho: number, epsilon: number): number {
  checkRho(rho);
  if (!(epsilon >= 0)) throw new PrivacyParameterError(`ε must be ≥ 0, got ${epsilon}`);
  if (rho === 0) return 0;
  const logDelta = minimiseOverOrder((order) => (order - 1) * (order * rho - epsilon) - Math.log(order - 1) + order * Math.log1p(-1 / order));
  return Math.min(1, Math.exp(logDelta));
}

/** The simple conversion ε = ρ + 2√(ρ log(1/δ)) (Bun & Steinke 2016, Prop. 1.3), looser than `epsilonFromRho`. */
export function epsilonFromRhoSimple(rho: number, delta: number): number {
  checkRho(rho);
  checkDelta(delta);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** The largest ρ whose (ε, δ) by `epsilonFromRho` stays ≤ ε: the zCDP budget for a target (ε, δ). */
export function rhoFromEpsilonDelta(epsilon: number, delta: number): number {
  checkEpsilon(epsilon);
  checkDelta(delta);
  // ε(ρ) is increasing; bracket with the simple bound's inverse (ρ ≤ ε²/(4 log(1/δ)) · O(1)) then bisect.
  let low = 0;
  let high = Math.max(epsilon, 1);
  while (epsilonFromRho(high, delta) < epsilon) high *= 2;
  for (let i = 0; i < 100; i++) {
    const middle = (low + high) / 2;
    if (epsilonFromRho(middle, delta) <= epsilon) low = middle;
    else high = middle;
  }
  return low;
}

/** One composed measurement, kept for the model file and the report. */
export interface ZcdpCharge {
  readonly mechanism: string;
  readonly rho: number;
}

/** Adds the ρ of each measurement (zCDP composes additively, Bun & Steinke 2016 Lemma 1.7). */
export class ZcdpAccountant {
  private readonly entries: ZcdpCharge[] = [];
  private total = 0;

  /** Charges one measurement; returns the running total ρ. */
  charge(mechanism: string, rho: number): number {
    checkRho(rho);
    this.entries.push({ mechanism, rho });
    this.total += rho;
    return this.total;
  }

  /** Charges a Gaussian measurement with L2 sensitivity Δ and noise σ. */
  chargeGaussian(mechanism: string, l2Sensitivity: number, sigma: number): number {
    return this.charge(mechanism, gaussianRho(l2Sensitivity, sigma));
  }

  /** Charges an exponential-mechanism selection with parameter ε (ε²/8). */
  chargeExponential(mechanism: string, epsilon: number): number {
    return this.charge(mechanism, exponentialMechanismRho(epsilon));
  }

  get rho(): number {
    return this.total;
  }

  get charges(): readonly ZcdpCharge[] {
    return this.entries;
  }

  /** ε at δ of everything charged so far (CKS 2020 Cor. 13). */
  epsilon(delta: number): number {
    return epsilonFromRho(this.total, delta);
  }
}
