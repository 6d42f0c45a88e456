/**
 * The exponential mechanism (McSherry & Talwar 2007), sampled exactly: it returns candidate i with
 * probability ∝ exp(ε·q_i / (2Δ)) for scores q_i with sensitivity Δ.
 *
 * Sampling: draw i uniformly, accept with probability exp(−ε(q_max − q_i)/(2Δ)) by the exact
 * Bernoulli(exp(−γ)) of Canonne, Kamath & Steinke 2020 (Algorithm 1), else repeat. Every float
 * input (ε, q_i, Δ) is converted to its exact binary rational first, so γ is exact and the output
 * follows the stated distribution exactly; the expected number of rounds is n / Σ exp(−γ_i) ≤ n.
 *
 * Cost: ε-DP and, being ε-bounded-range, ε²/8-zCDP (Cesar & Rogers 2021) — `exponentialMechanismRho`.
 * (Report-noisy-max with Gumbel noise is the same distribution; permute-and-flip is not, and has
 * no ε²/8 bound, so it is not used here.)
 */
import { bernoulliExpNegBig } from "./discrete-samplers.js";
import { PrivacyParameterError } from "./errors.js";
import type { PrivacySource } from "./random-source.js";
import { exactRationalOfFloat, type Rational } from "./rational.js";

/** The exact value of a finite float, signed: sign · numerator / denominator. */
function signedRational(x: number): { negative: boolean; value: Rational } {
  return { negative: x < 0, value: exactRationalOfFloat(Math.abs(x)) };
}

/** (a − b) exactly for floats a ≥ b, as a rational. */
function exactDifference(a: number, b: number): Rational {
  const ra = signedRational(a);
  const rb = signedRational(b);
  const na = (ra.negative ? -1n : 1n) * ra.value.numerator * rb.value.denominator;
  const nb = (rb.negative ? -1n : 1n) * rb.value.numerator * ra.value.denominator;
  return { numerator: na - nb, denominator: ra.value.denominator * rb.value.denominator };
}

/**
 * Index chosen by the exponential mechanism with parameter ε over `scores` (higher is better),
 * whose sensitivity is Δ. ε-DP, ε²/8-zCDP.
 */
export function exponentialMechanism(scores: ArrayLike<number>, epsilon: number, sensitivity: number, source: PrivacySource): number {
  const n = scores.length;
  if (n === 0) throw new PrivacyParameterError("the exponential mechanism needs at least one candidate");
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new PrivacyParameterError(`ε must be a finite number > 0, got ${epsilon}`);
  if (!(sensitivity > 0) || !Number.isFinite(sensitivity))
    throw new PrivacyParameterError(`the score sensitivity must be a finite number > 0, got ${sensitivity}`);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    if (!Number.isFinite(score)) throw new PrivacyParameterError(`score ${i} is ${score}; scores must be finite`);
    if (score > best) best = score;
  }
  // A planted test-only bug scales the noise; for this mechanism the noise scale is 2Δ/ε.
  const e = exactRationalOfFloat(epsilon / (source.testOnlyNoiseScaleFactor ?? 1));
  const d = exactRationalOfFloat(sensitivity);
  // γ_i = ε (q_max − q_i) / (2Δ) = (e.num · gap.num · d.den) / (e.den · gap.den · 2 · d.num),
  // computed when candidate i is first drawn (most draws hit a few candidates).
  const numerators: Array<bigint | undefined> = new Array(n);
  const denominators: bigint[] = new Array(n);
  for (;;) {
    const i = source.uniformBelow(n);
    let numerator = numerators[i];
    if (numerator === undefined) {
      const gap = exactDifference(best, scores[i]!);
      numerator = e.numerator * gap.numerator * d.denominator;
      numerators[i] = numerator;
      denominators[i] = e.denominator * gap.denominator * 2n * d.numerator;
    }
    if (numerator === 0n || bernoulliExpNegBig(numerator, denominators[i]!, source)) return i;
  }
}

/** The probabilities the exponential mechanism assigns (float64, for tests and reports). */
export function exponentialMechanismProbabilities(scores: ArrayLike<number>, epsilon: number, sensitivity: number): Float64Array {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) best = Math.max(best, scores[i]!);
  const out = new Float64Array(scores.length);
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp((epsilon * (scores[i]! - best)) / (2 * sensitivity));
    total += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}
