/**
 * Adaptive clipping by private quantile estimation (Andrew, Thakkar, McMahan & Ramaswamy 2021,
 * "Differentially Private Learning with Adaptive Clipping", Alg. 1 with the geometric update):
 * each participant reports b_i = 1 when its update norm was ≤ C (not clipped); the server forms
 *   b̃ = (Σ b_i + N(0, σ_b²)) / m    (m = expected cohort size)
 *   C ← C · exp(−η_C (b̃ − γ))
 * Sign check against the paper: when more than a γ fraction fit under C (b̃ > γ) the bound is
 * too loose and C shrinks; when fewer fit, C grows — C converges to the γ-quantile of norms.
 */
import { discreteGaussianNoise, type PrivacySource } from "../../privacy/index.js";

export interface AdaptiveClipSettings {
  readonly targetQuantile: number;
  readonly learningRate: number;
  /** σ_b: noise on the count of unclipped updates (0 = no noise, non-DP runs). */
  readonly countNoiseStd: number;
}

/** The noisy fraction b̃ of participants that were not clipped. */
export function noisyUnclippedFraction(unclippedCount: number, expectedCohort: number, countNoiseStd: number, source: PrivacySource): number {
  // Counts are integers: the discrete Gaussian on the integer count is exact (granularity 1).
  const noisy = countNoiseStd > 0 ? (discreteGaussianNoise([unclippedCount], countNoiseStd, source)[0] as number) : unclippedCount;
  return noisy / expectedCohort;
}

/** The clip bound for the next round: C · exp(−η_C (b̃ − γ)). */
export function nextClipNorm(clipNorm: number, unclippedFraction: number, settings: AdaptiveClipSettings): number {
  return clipNorm * Math.exp(-settings.learningRate * (unclippedFraction - settings.targetQuantile));
}
