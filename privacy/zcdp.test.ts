import erfc from "@stdlib/math-base-special-erfc";
import { describe, expect, test } from "vitest";
import {
  deltaFromRho,
  epsilonFromRho,
  epsilonFromRhoSimple,
  exponentialMechanismRho,
  gaussianRho,
  gaussianSigmaForRho,
  rhoFromEpsilonDelta,
  ZcdpAccountant,
} from "./zcdp.js";

/** Standard normal CDF. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * The exact privacy profile of the Gaussian mechanism with sensitivity 1 and noise σ (Balle & Wang
 * 2018, "Improving the Gaussian mechanism", Thm 8): δ(ε) = Φ(1/(2σ) − εσ) − e^ε Φ(−1/(2σ) − εσ).
 */
function exactGaussianDelta(sigma: number, epsilon: number): number {
  return normalCdf(1 / (2 * sigma) - epsilon * sigma) - Math.exp(epsilon) * normalCdf(-1 / (2 * sigma) - epsilon * sigma);
}

describe("zCDP → (ε, δ) (Canonne, Kamath & Steinke 2020, Cor. 13)", () => {
  test("never below the exact Gaussian profile (it is a valid bound) and within a factor 1.3 of its ε", () => {
    for (const sigma of [0.5, 1, 2, 5, 20]) {
      const rho = gaussianRho(1, sigma);
      for (const delta of [1e-3, 1e-6, 1e-9]) {
        const epsilon = epsilonFromRho(rho, delta);
        // The exact δ at our ε must not exceed the δ we claim.
        expect(exactGaussianDelta(sigma, epsilon)).toBeLessThanOrEqual(delta * (1 + 1e-9));
        // And our ε is not wastefully large: the exact profile at ε/1.3 already exceeds δ.
        expect(exactGaussianDelta(sigma, epsilon / 1.3)).toBeGreaterThan(delta);
      }
    }
  });

  test("tighter than the simple bound ρ + 2√(ρ log 1/δ) (Bun & Steinke 2016 Prop. 1.3)", () => {
    for (const rho of [0.001, 0.05, 0.5, 3]) {
      for (const delta of [1e-5, 1e-9]) expect(epsilonFromRho(rho, delta)).toBeLessThan(epsilonFromRhoSimple(rho, delta));
    }
  });

  test("ε(δ) and δ(ε) are inverse to each other, and rhoFromEpsilonDelta inverts ε(ρ)", () => {
    for (const rho of [0.01, 0.2, 2]) {
      const epsilon = epsilonFromRho(rho, 1e-7);
      expect(Math.abs(deltaFromRho(rho, epsilon) / 1e-7 - 1)).toBeLessThan(1e-4);
    }
    for (const [epsilon, delta] of [
      [0.1, 1e-9],
      [1, 1e-9],
      [3, 1e-6],
      [10, 1e-5],
    ] as const) {
      const rho = rhoFromEpsilonDelta(epsilon, delta);
      expect(epsilonFromRho(rho, delta)).toBeLessThanOrEqual(epsilon);
      expect(epsilonFromRho(rho * 1.0001, delta)).toBeGreaterThan(epsilon);
    }
  });

  test("bad ε, δ and ρ are refused with the rule that broke", () => {
    expect(() => epsilonFromRho(-1, 1e-6)).toThrow(/ρ must be/);
    expect(() => epsilonFromRho(1, 0)).toThrow(/δ must be in \(0, 1\)/);
    expect(() => rhoFromEpsilonDelta(Number.NaN, 1e-6)).toThrow(/ε must be/);
    expect(() => gaussianSigmaForRho(1, 0)).toThrow(/ρ > 0/);
  });
});

describe("ZcdpAccountant", () => {
  test("adds ρ across mechanisms and converts the total once", () => {
    const accountant = new ZcdpAccountant();
    accountant.chargeGaussian("1-way marginals", 1, gaussianSigmaForRho(1, 0.01));
    accountant.chargeExponential("tree edge selection", 0.2);
    accountant.charge("custom", 0.005);
    expect(accountant.rho).toBeCloseTo(0.01 + exponentialMechanismRho(0.2) + 0.005, 12);
    expect(exponentialMechanismRho(0.2)).toBeCloseTo(0.2 ** 2 / 8, 15);
    expect(accountant.charges.map((c) => c.mechanism)).toEqual(["1-way marginals", "tree edge selection", "custom"]);
    expect(accountant.epsilon(1e-9)).toBe(epsilonFromRho(accountant.rho, 1e-9));
  });
});
