/**
 * Privacy accounting of DP-FedAvg (McMahan et al. 2018, "Learning Differentially Private
 * Recurrent Language Models"): each round is one Poisson-subsampled Gaussian mechanism with
 * sampling rate q and noise multiplier z on the sum of updates clipped to C, so T rounds cost the
 * RDP of T compositions (Mironov, Talwar & Zhang 2019), converted to (ε, δ) by privacy/'s
 * RdpAccountant. With adaptive clipping the clipped-count query is a second Gaussian of noise
 * σ_b on a sensitivity-1 count; Andrew et al. 2021 (Thm. 1) raise the update noise to
 * z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) so the pair composes to exactly the RDP of one Gaussian with
 * multiplier z — the accountant then charges z, as for fixed clipping.
 */
import { RdpAccountant } from "../../privacy/index.js";

/** ε after `rounds` rounds of the subsampled Gaussian at (q, z), at δ. */
export function federatedEpsilon(samplingRate: number, noiseMultiplier: number, rounds: number, delta: number): number {
  if (rounds === 0) return 0;
  return new RdpAccountant().composeSubsampledGaussian(samplingRate, noiseMultiplier, rounds).epsilon(delta).epsilon;
}

/**
 * Rounds that fit in the budget: the largest r ≤ maxRounds with ε(r) ≤ budget (binary search;
 * ε grows with r). A job stops before the round that would exceed its ε.
 */
export function roundsWithinBudget(samplingRate: number, noiseMultiplier: number, delta: number, epsilonBudget: number, maxRounds: number): number {
  let low = 0;
  let high = maxRounds;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (federatedEpsilon(samplingRate, noiseMultiplier, mid, delta) <= epsilonBudget) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The noise multiplier left for the update sum when adaptive clipping also spends on the count
 * (Andrew et al. 2021, Thm. 1): z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2). Throws when σ_b is too small to
 * leave anything (2σ_b ≤ z).
 */
export function updateNoiseMultiplier(noiseMultiplier: number, countNoiseMultiplier: number): number {
  if (countNoiseMultiplier <= 0) return noiseMultiplier;
  const rest = noiseMultiplier ** -2 - (2 * countNoiseMultiplier) ** -2;
  if (!(rest > 0)) {
    throw new RangeError(
      `clip_count_noise_multiplier ${countNoiseMultiplier} is too small for noise_multiplier ${noiseMultiplier}: it must exceed z/2 = ${noiseMultiplier / 2}`,
    );
  }
  return rest ** -0.5;
}

/** Standard deviation of the Gaussian noise on the SUM of clipped updates: z_Δ · C. */
export function sumNoiseStd(noiseMultiplier: number, clipNorm: number): number {
  return noiseMultiplier * clipNorm;
}
