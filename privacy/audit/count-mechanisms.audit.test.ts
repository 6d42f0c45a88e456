/**
 * Audit of the count mechanisms: the query "how many rows have the canary's rare value" is run on
 * a table without the canary (count c) and with it (c + 1), many times each; the attack says
 * "canary in" when the noisy count is ≥ a threshold. The audit's lower bound must stay below the
 * claimed ε; with the noise scale halved by the test-only factor (a planted bug), it must rise
 * above it. Each bound holds with confidence 99% (α = 0.01): a correct mechanism passes its audit
 * with probability ≥ 99% for any seed; the seeds are fixed, so the outcome is repeatable.
 */
import { describe, expect, test } from "vitest";
import { DiscreteGaussianSampler, DiscreteLaplaceSampler } from "../discrete-samplers.js";
import { createSeededSource, type PrivacySource } from "../random-source.js";
import { gridLaplaceScale, gridSigmaSquared } from "../noise.js";
import { exactRationalOfFloat } from "../rational.js";
import { gaussianSigmaForRho, rhoFromEpsilonDelta } from "../zcdp.js";
import { auditThresholdAttack } from "./epsilon-lower-bound.js";

const TRUE_COUNT = 412;
const AUDIT_ALPHA = 0.01;

function runCounts(trials: number, draw: () => number, count: number): Float64Array {
  const out = new Float64Array(trials);
  for (let i = 0; i < trials; i++) out[i] = count + draw();
  return out;
}

function laplaceAudit(epsilon: number, factor: number, source: PrivacySource, trials: number) {
  // ε-DP discrete Laplace for sensitivity 1: scale 1/ε; the factor shrinks it (bug when < 1).
  const sampler = new DiscreteLaplaceSampler(gridLaplaceScale(1 / epsilon, 1, factor === 1 ? undefined : exactRationalOfFloat(factor)));
  const without = runCounts(trials, () => sampler.sample(source), TRUE_COUNT);
  const withCanary = runCounts(trials, () => sampler.sample(source), TRUE_COUNT + 1);
  return auditThresholdAttack(without, withCanary, 0, AUDIT_ALPHA);
}

function gaussianAudit(epsilon: number, delta: number, factor: number, source: PrivacySource, trials: number) {
  // (ε, δ) through zCDP: ρ = rhoFromEpsilonDelta(ε, δ), σ = Δ/√(2ρ) with Δ = 1.
  const sigma = gaussianSigmaForRho(1, rhoFromEpsilonDelta(epsilon, delta));
  const sampler = new DiscreteGaussianSampler(gridSigmaSquared(sigma, 1, factor === 1 ? undefined : exactRationalOfFloat(factor)));
  const without = runCounts(trials, () => sampler.sample(source), TRUE_COUNT);
  const withCanary = runCounts(trials, () => sampler.sample(source), TRUE_COUNT + 1);
  return auditThresholdAttack(without, withCanary, delta, AUDIT_ALPHA);
}

describe("audit: discrete Laplace count (pure ε)", () => {
  test("claimed ε = 1: the lower bound stays below 1 and the attack is strong enough to come close", () => {
    const result = laplaceAudit(1, 1, createSeededSource("audit-laplace"), 100_000);
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(1);
    // The Laplace mechanism is tight for this attack (likelihood ratio e^ε at every threshold ≥ 1).
    expect(result.epsilonLowerBound).toBeGreaterThan(0.7);
  });

  test("planted bug (scale halved): the audit proves ε > 1", () => {
    const result = laplaceAudit(1, 0.5, createSeededSource("audit-laplace-bug"), 100_000);
    expect(result.epsilonLowerBound).toBeGreaterThan(1);
  });
});

describe("audit: discrete Gaussian count ((ε, δ) through zCDP)", () => {
  test("claimed (ε = 1, δ = 1e-5): the lower bound stays below 1", () => {
    const result = gaussianAudit(1, 1e-5, 1, createSeededSource("audit-gauss"), 300_000);
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(1);
    expect(result.epsilonLowerBound).toBeGreaterThan(0.3);
  });

  test("planted bug (σ halved): the audit proves ε > 1", () => {
    const result = gaussianAudit(1, 1e-5, 0.5, createSeededSource("audit-gauss-bug"), 300_000);
    expect(result.epsilonLowerBound).toBeGreaterThan(1);
  });
});
