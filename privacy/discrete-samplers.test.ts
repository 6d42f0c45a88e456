import { describe, expect, test } from "vitest";
import { bernoulliExpNeg, bernoulliExpNegBig, DiscreteGaussianSampler, DiscreteLaplaceSampler } from "./discrete-samplers.js";
import { binomialZScore, chiSquareTest } from "./goodness-of-fit.js";
import { createCryptoSource, createSeededSource } from "./random-source.js";
import type { Rational } from "./rational.js";

// Significance: each test rejects a correct sampler with probability ≤ 1e-4 (chi-square p-value
// threshold) or ≈ 1e-6 (|z| ≤ 4.9 for binomial counts), so the file is stable across seeds.
const P_VALUE_FLOOR = 1e-4;
const Z_LIMIT = 4.9;

function rational(numerator: bigint, denominator: bigint): Rational {
  return { numerator, denominator };
}

/** Exact pmf of N_Z(0, σ²) on [-m, m] (mass outside is below 1e-30 for m = 12σ + 12). */
function discreteGaussianPmf(sigmaSquared: number, m: number): Float64Array {
  const pmf = new Float64Array(2 * m + 1);
  let total = 0;
  for (let x = -m; x <= m; x++) {
    pmf[x + m] = Math.exp((-x * x) / (2 * sigmaSquared));
    total += pmf[x + m]!;
  }
  for (let i = 0; i < pmf.length; i++) pmf[i]! /= total;
  return pmf;
}

function histogram(samples: Int32Array, m: number): Float64Array {
  const counts = new Float64Array(2 * m + 1);
  for (const x of samples) {
    if (Math.abs(x) > m) throw new Error(`sample ${x} outside ±${m}`);
    counts[x + m]!++;
  }
  return counts;
}

describe("Bernoulli(exp(-γ)) (CKS 2020 Algorithm 1)", () => {
  test.each([
    [0, 1],
    [1, 3],
    [1, 1],
    [7, 5],
    [3, 1],
    [25, 7],
  ])("γ = %i/%i: frequency matches exp(-γ) (binomial test, |z| ≤ 4.9)", (num, den) => {
    const source = createSeededSource(`bern-${num}-${den}`);
    const trials = 200_000;
    let successes = 0;
    for (let i = 0; i < trials; i++) if (bernoulliExpNeg(num, den, source)) successes++;
    const p = Math.exp(-num / den);
    if (num === 0) expect(successes).toBe(trials);
    else expect(binomialZScore(successes, trials, p)).toBeLessThan(Z_LIMIT);
  });

  test("BigInt path with numbers beyond 2^53 gives the same probability", () => {
    const source = createSeededSource("bern-big");
    // γ = (2^70 + 2^69) / 2^70 = 1.5, written with 71-bit integers.
    const den = 1n << 70n;
    const num = den + (den >> 1n);
    const trials = 100_000;
    let successes = 0;
    for (let i = 0; i < trials; i++) if (bernoulliExpNegBig(num, den, source)) successes++;
    expect(binomialZScore(successes, trials, Math.exp(-1.5))).toBeLessThan(Z_LIMIT);
  });

  test("rejects a negative γ", () => {
    expect(() => bernoulliExpNegBig(-1n, 2n, createSeededSource(0))).toThrow(/γ = num\/den ≥ 0/);
  });
});

describe("discrete Gaussian (CKS 2020 Algorithm 3) against its exact pmf", () => {
  const cases: Array<[string, Rational, number]> = [
    ["σ² = 1/4", rational(1n, 4n), 200_000],
    ["σ² = 1", rational(1n, 1n), 200_000],
    ["σ² = 9/4 (σ = 1.5)", rational(9n, 4n), 200_000],
    ["σ² = 13.69 (σ = 3.7, rational 1369/100)", rational(1369n, 100n), 200_000],
    ["σ² = 400", rational(400n, 1n), 200_000],
  ];
  test.each(cases)("%s: chi-square over the support, mean, variance and the 3σ tail", (_label, sigmaSquared, n) => {
    const sampler = new DiscreteGaussianSampler(sigmaSquared);
    const source = createSeededSource(`dg-${sigmaSquared.numerator}/${sigmaSquared.denominator}`);
    const s2 = Number(sigmaSquared.numerator) / Number(sigmaSquared.denominator);
    const sigma = Math.sqrt(s2);
    const m = Math.ceil(12 * sigma) + 12;
    const samples = new Int32Array(n);
    for (let i = 0; i < n; i++) samples[i] = sampler.sample(source);
    const pmf = discreteGaussianPmf(s2, m);
    const counts = histogram(samples, m);
    expect(chiSquareTest(counts, pmf).pValue).toBeGreaterThan(P_VALUE_FLOOR);

    let exactVariance = 0;
    let exactFourth = 0;
    let tailProbability = 0;
    for (let x = -m; x <= m; x++) {
      exactVariance += x * x * pmf[x + m]!;
      exactFourth += x ** 4 * pmf[x + m]!;
      if (Math.abs(x) >= 3 * sigma) tailProbability += pmf[x + m]!;
    }
    let sum = 0;
    let sumSquares = 0;
    let tail = 0;
    for (const x of samples) {
      sum += x;
      sumSquares += x * x;
      if (Math.abs(x) >= 3 * sigma) tail++;
    }
    // Mean 0 and variance within 5 standard errors (SE of the mean √(Var/n), of x² √((E x⁴ − Var²)/n)).
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(exactVariance / n));
    expect(Math.abs(sumSquares / n - exactVariance)).toBeLessThan(5 * Math.sqrt((exactFourth - exactVariance ** 2) / n));
    if (tailProbability * n > 20) expect(binomialZScore(tail, n, tailProbability)).toBeLessThan(Z_LIMIT);
  });

  test("large σ (BigInt acceptance test): σ² = 9·10^8, mean and variance", () => {
    const sampler = new DiscreteGaussianSampler(rational(900_000_000n, 1n));
    const source = createSeededSource("dg-big");
    const n = 20_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = sampler.sample(source);
      sum += x;
      sumSquares += x * x;
    }
    const variance = 9e8;
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(variance / n));
    // Var(x²) = 2σ⁴ for a Gaussian; the discrete one at this σ is indistinguishable.
    expect(Math.abs(sumSquares / n - variance)).toBeLessThan(5 * Math.sqrt((2 * variance * variance) / n));
  });

  test("rejects σ² ≤ 0", () => {
    expect(() => new DiscreteGaussianSampler(rational(0n, 1n))).toThrow(/positive rational/);
  });
});

describe("discrete Laplace (CKS 2020 Algorithm 2) against its exact pmf", () => {
  test.each([
    [1n, 1n],
    [5n, 2n],
    [1n, 3n],
    [40n, 1n],
  ])("scale %i/%i: chi-square over the support", (t, s) => {
    const sampler = new DiscreteLaplaceSampler(rational(t, s));
    const source = createSeededSource(`dl-${t}/${s}`);
    const scale = Number(t) / Number(s);
    const m = Math.ceil(40 * scale) + 10;
    const n = 200_000;
    const samples = new Int32Array(n);
    for (let i = 0; i < n; i++) samples[i] = sampler.sample(source);
    const pmf = new Float64Array(2 * m + 1);
    let total = 0;
    for (let x = -m; x <= m; x++) total += pmf[x + m] = Math.exp(-Math.abs(x) / scale);
    for (let i = 0; i < pmf.length; i++) pmf[i]! /= total;
    expect(chiSquareTest(histogram(samples, m), pmf).pValue).toBeGreaterThan(P_VALUE_FLOOR);
  });
});

describe("random sources", () => {
  test("seeded sources repeat and are marked not private; the crypto source is private", () => {
    const a = createSeededSource(42);
    const b = createSeededSource(42);
    const c = createSeededSource(43);
    const wordsA = Array.from({ length: 20_000 }, () => a.nextUint32());
    const wordsB = Array.from({ length: 20_000 }, () => b.nextUint32());
    expect(wordsA).toEqual(wordsB);
    expect(c.nextUint32()).not.toBe(wordsA[0]);
    expect(a.privateRandomness).toBe(false);
    expect(a.description).toMatch(/NOT private/);
    expect(createCryptoSource().privateRandomness).toBe(true);
  });

  test.each([7, 1000, 2 ** 32, 2 ** 40 + 3])("uniformBelow(%i) is uniform (chi-square over 10 classes of equal mass)", (n) => {
    const source = createSeededSource(`uniform-${n}`);
    // n values folded into 10 classes by floor(10·v/n): class sizes differ by ≤ 1 value, so use exact masses.
    const counts = new Float64Array(10);
    const masses = new Float64Array(10);
    for (let k = 0; k < 10; k++) masses[k] = (Math.ceil(((k + 1) * n) / 10) - Math.ceil((k * n) / 10)) / n;
    const draws = 100_000;
    let outOfRange = 0;
    for (let i = 0; i < draws; i++) {
      const v = source.uniformBelow(n);
      if (v >= n || v < 0 || !Number.isInteger(v)) outOfRange++;
      counts[Math.floor((10 * v) / n)]!++;
    }
    expect(outOfRange).toBe(0);
    expect(chiSquareTest(counts, masses).pValue).toBeGreaterThan(P_VALUE_FLOOR);
  });

  test("uniformBelowBig covers [0, n) for n > 2^53", () => {
    const source = createSeededSource("big");
    const n = (1n << 80n) + 12345n;
    let belowHalf = 0;
    let outOfRange = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = source.uniformBelowBig(n);
      if (v >= n || v < 0n) outOfRange++;
      if (v < n / 2n) belowHalf++;
    }
    expect(outOfRange).toBe(0);
    expect(binomialZScore(belowHalf, 20_000, 0.5)).toBeLessThan(Z_LIMIT);
  });
});
