import { describe, expect, test } from "vitest";
import { exponentialMechanism, exponentialMechanismProbabilities } from "./exponential-mechanism.js";
import { chiSquareTest } from "./goodness-of-fit.js";
import { discreteGaussianNoise, discreteLaplaceNoise, gridL2Sensitivity, gridSigmaSquared, laplaceEpsilon, laplaceScaleForEpsilon } from "./noise.js";
import { createSeededSource } from "./random-source.js";
import { exactRationalOfFloat, rationalToNumber, roundUpRational, sigmaSquaredFromSigma } from "./rational.js";

describe("rational noise scales are rounded up, never down", () => {
  test("σ² from σ is ≥ σ·σ exactly and within a relative 2^-19", () => {
    for (const sigma of [0.1, 1 / 3, 1.1, 3.7, 123.456, 98765.4321]) {
      const r = sigmaSquaredFromSigma(sigma);
      const exact = exactRationalOfFloat(sigma);
      // r ≥ σ² ⇔ r.num · den² ≥ num² · r.den, in exact integers.
      expect(r.numerator * exact.denominator ** 2n >= exact.numerator ** 2n * r.denominator).toBe(true);
      expect(rationalToNumber(r) / (sigma * sigma) - 1).toBeLessThan(2 ** -19);
    }
  });

  test("exactRationalOfFloat is exact, subnormals included", () => {
    expect(exactRationalOfFloat(0.1)).toEqual({ numerator: 3602879701896397n, denominator: 36028797018963968n });
    expect(exactRationalOfFloat(5e-324)).toEqual({ numerator: 1n, denominator: 1n << 1074n });
    // 10/3 with 4 bits asked: at least 3 significant bits kept (11.1₂ = 7/2), rounded up.
    expect(roundUpRational({ numerator: 10n, denominator: 3n }, 4)).toEqual({ numerator: 7n, denominator: 2n });
  });
});

describe("vectorised noise", () => {
  test("counts get integer noise with variance σ² (σ = 5: the discrete Gaussian's variance is σ² to 1e-9)", () => {
    const n = 100_000;
    const counts = new Float64Array(n).fill(17);
    const noisy = discreteGaussianNoise(counts, 5, createSeededSource("counts"));
    let sum = 0;
    let sumSquares = 0;
    let nonInteger = 0;
    for (const v of noisy) {
      if (!Number.isInteger(v)) nonInteger++;
      sum += v - 17;
      sumSquares += (v - 17) ** 2;
    }
    expect(nonInteger).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(25 / n));
    expect(Math.abs(sumSquares / n - 25)).toBeLessThan(5 * Math.sqrt((2 * 625) / n));
  });

  test("real values go on the grid: outputs are granularity × integer and the noise has σ in query units", () => {
    const n = 50_000;
    const values = new Float64Array(n).fill(0.3337);
    const granularity = 0.01;
    const noisy = discreteGaussianNoise(values, 0.2, createSeededSource("grid"), { granularity });
    let sumSquares = 0;
    let offGrid = 0;
    for (const v of noisy) {
      const steps = v / granularity;
      if (Math.abs(steps - Math.round(steps)) > 1e-6) offGrid++;
      sumSquares += (v - 0.33) ** 2;
    }
    expect(offGrid).toBe(0);
    expect(Math.abs(sumSquares / n - 0.04)).toBeLessThan(5 * Math.sqrt((2 * 0.04 ** 2) / n));
    expect(rationalToNumber(gridSigmaSquared(0.2, granularity))).toBeCloseTo(400, 3);
    expect(gridL2Sensitivity(1, 0.01, 2)).toBeCloseTo(100 + Math.SQRT2, 12);
    expect(gridL2Sensitivity(1, 1, 2, true)).toBe(1);
  });

  test("Laplace noise has variance 2e^{-1/b}/(1−e^{-1/b})² (discrete Laplace with scale b = 3)", () => {
    const n = 100_000;
    const noisy = discreteLaplaceNoise(new Float64Array(n), 3, createSeededSource("laplace"));
    let sumSquares = 0;
    for (const v of noisy) sumSquares += v * v;
    const p = Math.exp(-1 / 3);
    const variance = (2 * p) / (1 - p) ** 2;
    expect(Math.abs(sumSquares / n / variance - 1)).toBeLessThan(0.03);
    expect(laplaceEpsilon(2, laplaceScaleForEpsilon(2, 0.7))).toBeCloseTo(0.7, 15);
  });

  test("the test-only noise-scale factor halves σ (used by the audit's planted bug)", () => {
    const n = 50_000;
    const noisy = discreteGaussianNoise(new Float64Array(n), 8, createSeededSource("half"), { testOnlyNoiseScaleFactor: 0.5 });
    let sumSquares = 0;
    for (const v of noisy) sumSquares += v * v;
    expect(Math.abs(sumSquares / n / 16 - 1)).toBeLessThan(0.05);
  });

  test("non-finite values and bad scales are refused", () => {
    const source = createSeededSource(0);
    expect(() => discreteGaussianNoise([1, Number.NaN], 1, source)).toThrow(/value 1 is NaN/);
    expect(() => discreteGaussianNoise([1], -1, source)).toThrow(/σ must be/);
    expect(() => discreteGaussianNoise([1], 1, source, { granularity: 0 })).toThrow(/granularity/);
    expect(() => discreteLaplaceNoise([1], Number.POSITIVE_INFINITY, source)).toThrow(/Laplace scale/);
  });
});

describe("exponential mechanism (exact, by rejection)", () => {
  test.each([
    [[0, 1, 2, 3], 1, 1],
    [[-5.5, 0.25, 0.25, 3.75, -100], 2, 0.5],
    [[1e6, 1e6 + 1, 1e6 - 3], 0.7, 2],
  ])("scores %j, ε = %f, Δ = %f: frequencies match exp(εq/(2Δ)) (chi-square p > 1e-4)", (scores, epsilon, sensitivity) => {
    const source = createSeededSource(`em-${scores.join(",")}`);
    const counts = new Float64Array(scores.length);
    const draws = 60_000;
    for (let i = 0; i < draws; i++) counts[exponentialMechanism(scores, epsilon, sensitivity, source)]!++;
    expect(chiSquareTest(counts, exponentialMechanismProbabilities(scores, epsilon, sensitivity)).pValue).toBeGreaterThan(1e-4);
  });

  test("refuses empty candidates, non-finite scores and bad ε", () => {
    const source = createSeededSource(0);
    expect(() => exponentialMechanism([], 1, 1, source)).toThrow(/at least one candidate/);
    expect(() => exponentialMechanism([1, Number.POSITIVE_INFINITY], 1, 1, source)).toThrow(/score 1/);
    expect(() => exponentialMechanism([1], 0, 1, source)).toThrow(/ε must be/);
  });
});

describe("planted bug through a seeded source", () => {
  test("a seeded source with testOnlyNoiseScaleFactor 0.5 halves the Gaussian σ and doubles the exponential mechanism's ε", () => {
    const source = createSeededSource("bug", { testOnlyNoiseScaleFactor: 0.5 });
    expect(source.privateRandomness).toBe(false);
    expect(source.description).toMatch(/planted bug/);
    const n = 50_000;
    let sumSquares = 0;
    for (const v of discreteGaussianNoise(new Float64Array(n), 8, source)) sumSquares += v * v;
    expect(Math.abs(sumSquares / n / 16 - 1)).toBeLessThan(0.05);
    const scores = [0, 1, 2];
    const counts = new Float64Array(3);
    for (let i = 0; i < 30_000; i++) counts[exponentialMechanism(scores, 1, 1, source)]!++;
    expect(chiSquareTest(counts, exponentialMechanismProbabilities(scores, 2, 1)).pValue).toBeGreaterThan(1e-4);
    expect(() => createSeededSource(1, { testOnlyNoiseScaleFactor: 0 })).toThrow(/must be a finite number > 0/);
  });
});
