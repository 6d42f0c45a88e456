/**
 * The variational mixture recovers the modes of data drawn from a known mixture, and the digamma
 * function matches published values.
 */
import { describe, expect, test } from "vitest";
import { philoxNormal, philoxUniform } from "../../kernels/index.js";
import { loadTable } from "../../tabular/index.js";
import { normalCdf } from "../normal-distribution.js";
import { digamma, fitVariationalMixture, mergeOverlappingComponents, pruneMixture } from "./variational-mixture.js";

/** n draws from Σ w_k N(μ_k, σ_k²), seeded. */
function drawMixture(n: number, components: [number, number, number][], seed: bigint): Float64Array {
  const z = new Float64Array(n);
  const u = new Float64Array(n);
  philoxNormal(seed, 0n, z);
  philoxUniform(seed + 1n, 0n, u);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    let cumulative = components[0]![0];
    while (u[i]! > cumulative && c < components.length - 1) cumulative += components[++c]![0];
    x[i] = components[c]![1] + components[c]![2] * z[i]!;
  }
  return x;
}

describe("digamma", () => {
  test("matches ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) (Abramowitz & Stegun 6.3)", () => {
    const gamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-gamma, 12);
    expect(digamma(0.5)).toBeCloseTo(-gamma - 2 * Math.LN2, 12);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 12);
    // ψ(x) = −1/x − γ + (π²/6)x + O(x²) near 0.
    expect(digamma(1e-3)).toBeCloseTo(-1000 - gamma + (Math.PI ** 2 / 6) * 1e-3, 5);
  });
});

describe("fitVariationalMixture", () => {
  test("recovers three well-separated modes: weights, means and scales", () => {
    const truth: [number, number, number][] = [
      [0.5, -5, 1],
      [0.3, 3, 0.5],
      [0.2, 10, 2],
    ];
    const x = drawMixture(6000, truth, 11n);
    const fitted = pruneMixture(fitVariationalMixture(x));
    expect(fitted.weights.length).toBeLessThanOrEqual(10);
    // Each true mode: the kept components whose mean lies within 2σ of it carry its weight, and their
    // moment-matched mean and scale are the mode's (one mode may be covered by several overlapping components).
    for (const [weight, mean, std] of truth) {
      const near = fitted.means.map((_, k) => k).filter((k) => Math.abs(fitted.means[k]! - mean) < 2 * std);
      const share = near.reduce((s, k) => s + fitted.weights[k]!, 0);
      // The sampling error of a share with n = 6000 is ≤ 0.0065; 0.02 is three of those.
      expect(Math.abs(share - weight)).toBeLessThan(0.02);
      const m = near.reduce((s, k) => s + fitted.weights[k]! * fitted.means[k]!, 0) / share;
      const second = near.reduce((s, k) => s + fitted.weights[k]! * (fitted.stds[k]! ** 2 + fitted.means[k]! ** 2), 0) / share;
      // Standard error of a mean of ≥ 1200 draws is ≤ σ/35; of a scale, ≤ 2%.
      expect(Math.abs(m - mean)).toBeLessThan(0.1 * std);
      expect(Math.sqrt(second - m * m) / std).toBeGreaterThan(0.92);
      expect(Math.sqrt(second - m * m) / std).toBeLessThan(1.08);
    }
  });

  test("a single Gaussian: the mixture's CDF is the Gaussian's (KS distance < 0.02)", () => {
    const x = drawMixture(3000, [[1, 50, 4]], 5n);
    const fitted = pruneMixture(fitVariationalMixture(x));
    let ks = 0;
    for (let t = 30; t <= 70; t += 0.25) {
      const mixtureCdf = fitted.weights.reduce((s, w, k) => s + w * normalCdf((t - fitted.means[k]!) / fitted.stds[k]!), 0);
      ks = Math.max(ks, Math.abs(mixtureCdf - normalCdf((t - 50) / 4)));
    }
    // The KS distance of an empirical CDF of 3000 draws to its law is < 0.025 with probability 0.95.
    expect(ks).toBeLessThan(0.02);
  });

  test("is deterministic and survives a constant column", () => {
    const x = drawMixture(
      1000,
      [
        [0.6, 0, 1],
        [0.4, 6, 1],
      ],
      3n,
    );
    expect(fitVariationalMixture(x)).toEqual(fitVariationalMixture(x));
    const constant = pruneMixture(fitVariationalMixture(new Float64Array(100).fill(7)));
    expect(constant.means[0]).toBeCloseTo(7, 9);
    expect(Number.isFinite(constant.stds[0]!)).toBe(true);
  });
});

describe("mergeOverlappingComponents", () => {
  /** Weight, mean and variance of a whole mixture. */
  const moments = (m: { weights: number[]; means: number[]; stds: number[] }) => {
    const mean = m.weights.reduce((s, w, k) => s + w * m.means[k]!, 0);
    const second = m.weights.reduce((s, w, k) => s + w * (m.stds[k]! ** 2 + m.means[k]! ** 2), 0);
    return { weight: m.weights.reduce((s, w) => s + w, 0), mean, variance: second - mean * mean };
  };

  test("one broad Gaussian split among overlapping components becomes one component with its moments", () => {
    const x = drawMixture(3000, [[1, 50, 4]], 5n);
    const fitted = pruneMixture(fitVariationalMixture(x));
    // The unconverged fit covers the one mode with several components (what made the encoding noisy).
    expect(fitted.weights.length).toBeGreaterThan(1);
    const merged = mergeOverlappingComponents(fitted);
    expect(merged.weights.length).toBe(1);
    // Moment matching keeps the mixture's weight, mean and variance (up to rounding).
    const before = moments(fitted);
    const after = moments(merged);
    expect(after.weight).toBeCloseTo(before.weight, 12);
    expect(after.mean).toBeCloseTo(before.mean, 9);
    expect(after.variance / before.variance).toBeCloseTo(1, 9);
    expect(merged.means[0]!).toBeGreaterThan(49.5);
    expect(merged.means[0]!).toBeLessThan(50.5);
  });

  test("keeps well-separated modes apart, sorted by mean, each recovered", () => {
    const truth: [number, number, number][] = [
      [0.5, -5, 1],
      [0.3, 3, 0.5],
      [0.2, 10, 2],
    ];
    const merged = mergeOverlappingComponents(pruneMixture(fitVariationalMixture(drawMixture(6000, truth, 11n))));
    expect(merged.weights.length).toBe(3);
    truth.forEach(([weight, mean, std], k) => {
      // Same sampling bounds as the recovery test above.
      expect(Math.abs(merged.weights[k]! - weight)).toBeLessThan(0.02);
      expect(Math.abs(merged.means[k]! - mean)).toBeLessThan(0.1 * std);
      expect(merged.stds[k]! / std).toBeGreaterThan(0.92);
      expect(merged.stds[k]! / std).toBeLessThan(1.08);
    });
  });

  test("on the penguins' and seattle-weather's numerical columns no two kept components overlap", async () => {
    for (const name of ["penguins", "seattle-weather"]) {
      const real = (await loadTable(`benchmarks/fixtures/sdmetrics/${name}/real.csv`)).table;
      for (const column of real.columns) {
        if (column.schema.type !== "numerical" && column.schema.type !== "datetime") continue;
        const values = Float64Array.from((column as { values: Float64Array }).values.filter((v) => !Number.isNaN(v))).sort();
        const fitted = pruneMixture(fitVariationalMixture(values));
        const merged = mergeOverlappingComponents(fitted);
        expect(merged.weights.length).toBeLessThanOrEqual(fitted.weights.length);
        for (let i = 0; i < merged.means.length; i++)
          for (let j = i + 1; j < merged.means.length; j++)
            expect(Math.abs(merged.means[i]! - merged.means[j]!)).toBeGreaterThanOrEqual(2 * Math.min(merged.stds[i]!, merged.stds[j]!));
        expect(moments(merged).mean).toBeCloseTo(moments(fitted).mean, 6);
      }
    }
  });
});
