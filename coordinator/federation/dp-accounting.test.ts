import { describe, expect, it } from "vitest";
import { createSeededSource, dpSgdEpsilon, RdpAccountant } from "../../privacy/index.js";
import { nextClipNorm, noisyUnclippedFraction } from "./adaptive-clipping.js";
import { federatedEpsilon, roundsWithinBudget, sumNoiseStd, updateNoiseMultiplier } from "./dp-accounting.js";
import { addSumNoise } from "./round-aggregation.js";

describe("DP-FedAvg accounting", () => {
  it("charges T rounds of the subsampled Gaussian exactly as privacy/'s RDP accountant", () => {
    for (const [q, z, t] of [
      [1, 1.1, 20],
      [0.3, 0.8, 50],
      [0.05, 1.5, 200],
    ] as const) {
      const expected = new RdpAccountant().composeSubsampledGaussian(q, z, t).epsilon(1e-5).epsilon;
      expect(federatedEpsilon(q, z, t, 1e-5)).toBe(expected);
      expect(federatedEpsilon(q, z, t, 1e-5)).toBeCloseTo(dpSgdEpsilon(q, z, t, 1e-5), 10);
    }
    expect(federatedEpsilon(0.5, 1, 0, 1e-5)).toBe(0);
  });

  it("stops before the round that would exceed the budget", () => {
    const rounds = roundsWithinBudget(1, 1.1, 1e-5, 3, 1000);
    expect(federatedEpsilon(1, 1.1, rounds, 1e-5)).toBeLessThanOrEqual(3);
    expect(federatedEpsilon(1, 1.1, rounds + 1, 1e-5)).toBeGreaterThan(3);
    expect(roundsWithinBudget(1, 1.1, 1e-5, 1e-6, 10)).toBe(0);
  });

  it("splits z between the update and the clipped count as Andrew et al. 2021 Thm. 1 says", () => {
    const z = 1;
    const sigmaB = 5;
    const zDelta = updateNoiseMultiplier(z, sigmaB);
    // z_Δ⁻² + (2σ_b)⁻² = z⁻²: the pair composes to one Gaussian of multiplier z.
    expect(zDelta ** -2 + (2 * sigmaB) ** -2).toBeCloseTo(z ** -2, 12);
    expect(zDelta).toBeGreaterThan(z);
    expect(() => updateNoiseMultiplier(2, 1)).toThrow(/too small/);
    expect(sumNoiseStd(1.2, 0.5)).toBeCloseTo(0.6, 12);
  });

  it("adds noise of standard deviation ≈ 1.01 z C to the sum (discrete Gaussian on the grid)", () => {
    const n = 200_000;
    const sum = new Float32Array(n).fill(0.25);
    addSumNoise(sum, 1.5, 2, createSeededSource("noise-test"));
    let mean = 0;
    for (const v of sum) mean += v;
    mean /= n;
    let variance = 0;
    for (const v of sum) variance += (v - mean) ** 2;
    const std = Math.sqrt(variance / (n - 1));
    const expected = 1.5 * 2 * (1 + 1 / 100); // z·C·(1 + g√n/C), g = C/(100√n)
    // the sample std of 200k normals is within 4 standard errors (σ/√(2n) ≈ 0.16%) of σ
    expect(Math.abs(std / expected - 1)).toBeLessThan(0.007);
    expect(Math.abs(mean - 0.25)).toBeLessThan((4 * expected) / Math.sqrt(n));
  });
});

describe("adaptive clipping (Andrew et al. 2021)", () => {
  it("shrinks C when more than γ of updates fit under it and grows it otherwise", () => {
    const settings = { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 0 };
    expect(nextClipNorm(1, 0.9, settings)).toBeLessThan(1);
    expect(nextClipNorm(1, 0.1, settings)).toBeGreaterThan(1);
    expect(nextClipNorm(1, 0.5, settings)).toBe(1);
  });

  for (const [gamma, noisy] of [
    [0.5, false],
    [0.8, true],
  ] as const) {
    it(`converges to the ${gamma} quantile of synthetic update norms${noisy ? " with noisy counts" : ""}`, () => {
      // Norms ~ lognormal(0, 0.5): the γ-quantile is exp(0.5 Φ⁻¹(γ)).
      const quantile = gamma === 0.5 ? 1 : Math.exp(0.5 * 0.8416212335729143);
      const source = createSeededSource(`clip-${gamma}`);
      const m = 200;
      const sigmaB = noisy ? m / 20 : 0;
      let clip = 0.1;
      let s = 12345;
      const normal = () => {
        s = (s * 1664525 + 1013904223) >>> 0;
        const u1 = (s + 0.5) / 4294967296;
        s = (s * 1664525 + 1013904223) >>> 0;
        const u2 = (s + 0.5) / 4294967296;
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      };
      const trail: number[] = [];
      for (let round = 0; round < 400; round++) {
        let unclipped = 0;
        for (let i = 0; i < m; i++) if (Math.exp(0.5 * normal()) <= clip) unclipped++;
        const fraction = noisyUnclippedFraction(unclipped, m, sigmaB, source);
        clip = nextClipNorm(clip, fraction, { targetQuantile: gamma, learningRate: 0.2, countNoiseStd: sigmaB });
        if (round >= 300) trail.push(clip);
      }
      const average = trail.reduce((a, b) => a + b, 0) / trail.length;
      // Started 10× too small; within 5% of the true quantile after 300 rounds.
      expect(Math.abs(average / quantile - 1)).toBeLessThan(0.05);
    });
  }
});
