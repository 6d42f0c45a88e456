import { describe, expect, test } from "vitest";
import { philoxNormal, philoxUniform } from "../kernels/index.js";
import { momentsOf } from "./marginal-families.js";
import { empiricalCdf, empiricalQuantile, fitNumericMarginal, KS_CRITICAL_95, splitForTesting, Z_GRID_KNOTS, zGridKnot } from "./marginal-fit.js";
import { normalCdf, normalQuantile } from "./normal-distribution.js";

function sortedSample(make: (i: number) => number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => make(i)).sort();
}

function draws(seed: bigint, n: number, kind: "normal" | "uniform"): Float64Array {
  const out = new Float64Array(n);
  if (kind === "normal") philoxNormal(seed, 0n, out);
  else philoxUniform(seed, 0n, out);
  return out;
}

describe("marginal selection by KS", () => {
  test("normal data: a normal-shaped family wins and its table is the normal quantile", () => {
    const z = draws(1n, 5000, "normal");
    const sorted = sortedSample((i) => 50 + 10 * z[i]!, 5000);
    const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: true });
    expect(["normal", "truncnorm"]).toContain(fit.family);
    // With out-of-range allowed, value(z) of the normal fit is mean + sd·z to grid precision
    // (the CDF is tabulated on 4097 points over ±8.3 sd: spacing 0.004 sd).
    const mid = (Z_GRID_KNOTS - 1) / 2;
    for (const k of [mid - 800, mid, mid + 1000]) {
      const expected = (fit.params["mean"] ?? Number.NaN) + (fit.params["std"] ?? Number.NaN) * zGridKnot(k);
      if (fit.family === "normal") expect(Math.abs(fit.table[k]! - expected)).toBeLessThan(0.01);
    }
    expect(fit.ks).toBeLessThan(1.358 / Math.sqrt(5000));
  });

  test("uniform data: uniform or beta (a ≈ b ≈ 1) wins", () => {
    const u = draws(2n, 4000, "uniform");
    const sorted = sortedSample((i) => -2 + 4 * u[i]!, 4000);
    const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: false });
    expect(["uniform", "beta"]).toContain(fit.family);
  });

  test("skewed data: gamma beats the normal by KS", () => {
    // Sum of 3 squared normals: chi-square with 3 degrees of freedom = gamma(1.5, scale 2).
    const z = draws(3n, 9000, "normal");
    const sorted = sortedSample((i) => z[3 * (i % 3000)]! ** 2 + z[3 * (i % 3000) + 1]! ** 2 + z[3 * (i % 3000) + 2]! ** 2, 3000);
    const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: false });
    const ks = Object.fromEntries(fit.candidates.map((c) => [c.family, c.ks]));
    expect(ks["gamma"]).toBeLessThan(ks["normal"]!);
    expect(fit.family).not.toBe("normal");
  });

  test("data with ties and a large atom: the empirical wins and keeps the atom's mass", () => {
    // 90% zeros, the rest spread — like Adult's capital-gain.
    const u = draws(4n, 3000, "uniform");
    const sorted = sortedSample((i) => (u[i]! < 0.9 ? 0 : Math.round(1000 + 9000 * u[(i * 7) % 3000]!)), 3000);
    const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: false });
    expect(fit.family).toBe("empirical");
    const zerosShare = sorted.filter((x) => x === 0).length / sorted.length;
    // value(z) = 0 exactly for z up to Φ⁻¹(share − ½/n), within one grid cell (Δz = 17/8192).
    const zAtom = normalQuantile(zerosShare - 0.5 / sorted.length);
    for (let k = 0; k < Z_GRID_KNOTS; k++) {
      const z = zGridKnot(k);
      if (z < zAtom - 0.003) expect(fit.table[k]).toBe(0);
      if (z > zAtom + 0.003) expect(fit.table[k]).toBeGreaterThan(0);
    }
  });

  test("the table is nondecreasing and inside the observed range unless allowed otherwise", () => {
    const z = draws(5n, 2000, "normal");
    const sorted = sortedSample((i) => Math.exp(z[i]!), 2000);
    for (const family of ["normal", "truncnorm", "beta", "gamma", "uniform", "empirical"] as const) {
      const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: false, family });
      for (let k = 1; k < Z_GRID_KNOTS; k++) expect(fit.table[k]!).toBeGreaterThanOrEqual(fit.table[k - 1]!);
      expect(fit.table[0]!).toBeGreaterThanOrEqual(sorted[0]!);
      expect(fit.table[Z_GRID_KNOTS - 1]!).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
    }
    const open = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: true, family: "normal" });
    expect(open.table[0]!).toBeLessThan(sorted[0]!);
  });

  test("empirical quantile at the Hazen positions returns the order statistics", () => {
    const sorted = Float64Array.from([1, 2, 2, 5, 9]);
    for (let i = 0; i < 5; i++) expect(empiricalQuantile(sorted, (i + 0.5) / 5)).toBe(sorted[i]);
    expect(empiricalQuantile(sorted, 0)).toBe(1);
    expect(empiricalQuantile(sorted, 1)).toBe(9);
    expect(normalCdf(0)).toBe(0.5);
  });
});

describe("marginal selection with estimated parameters (held-out split)", () => {
  const n = 20_000;
  const u = draws(11n, 6 * n, "uniform");
  const z = draws(12n, 2 * n, "normal");
  /** Gamma(shape k, scale 1) for integer k: a sum of k exponentials. */
  const gammaInteger = (k: number, i: number) => {
    let sum = 0;
    for (let j = 0; j < k; j++) sum -= Math.log(u[(i * 6 + j) % u.length]!);
    return sum;
  };
  const samples: Record<string, () => Float64Array> = {
    normal: () => sortedSample((i) => 3 + 2 * z[i]!, n),
    // Standard normal truncated to [−0.5, 1.5] by rejection (about 62% of draws are kept).
    truncnorm: () => Float64Array.from(z.filter((v) => v >= -0.5 && v <= 1.5).subarray(0, n)).sort(),
    // Beta(2, 4) as G₂/(G₂ + G₄) with independent integer-shape gammas.
    beta: () =>
      sortedSample((i) => {
        const g2 = gammaInteger(2, i);
        let g4 = 0;
        for (let j = 2; j < 6; j++) g4 -= Math.log(u[(i * 6 + j) % u.length]!);
        return g2 / (g2 + g4);
      }, n),
    gamma: () => sortedSample((i) => 10 + 4 * gammaInteger(3, i), n),
    uniform: () => sortedSample((i) => 5 + 7 * u[i]!, n),
  };

  test.each(Object.keys(samples))("a large sample drawn from %s: that family passes the held-out test", (family) => {
    const sorted = samples[family]!();
    const fit = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange: false });
    expect(fit.holdoutCount).toBeGreaterThan(0.45 * sorted.length);
    const critical = KS_CRITICAL_95 / Math.sqrt(fit.holdoutCount);
    const own = fit.candidates.find((c) => c.family === family);
    expect(own?.ks, `${family}: ${JSON.stringify(fit.candidates)}`).toBeLessThanOrEqual(critical);
    // The winner is a parametric family that also passes (a nested family, e.g. beta(1, 1) for uniform, may win).
    expect(fit.family).not.toBe("empirical");
    expect(fit.ks).toBeLessThanOrEqual(critical);
  });

  test("clearly wrong families are rejected: normal for gamma(3) data, every family for a bimodal mixture", () => {
    const gamma = samples["gamma"]!();
    const fit = fitNumericMarginal(gamma, momentsOf(gamma), { allowOutOfRange: false });
    const critical = KS_CRITICAL_95 / Math.sqrt(fit.holdoutCount);
    expect(fit.candidates.find((c) => c.family === "normal")!.ks).toBeGreaterThan(critical);
    expect(fit.candidates.find((c) => c.family === "uniform")!.ks).toBeGreaterThan(critical);
    const bimodal = sortedSample((i) => (u[i]! < 0.5 ? -3 : 3) + z[i]!, n);
    const mixed = fitNumericMarginal(bimodal, momentsOf(bimodal), { allowOutOfRange: false });
    expect(mixed.family).toBe("empirical");
    for (const c of mixed.candidates) if (c.family !== "empirical") expect(c.ks).toBeGreaterThan(KS_CRITICAL_95 / Math.sqrt(mixed.holdoutCount));
  });

  test("the empirical candidate reports its measured held-out KS, not a constant", () => {
    const bimodal = sortedSample((i) => (u[i]! < 0.5 ? -3 : 3) + z[i]!, n);
    const fit = fitNumericMarginal(bimodal, momentsOf(bimodal), { allowOutOfRange: false });
    // Recompute: the fitting half's smoothed empirical CDF against the test half's step CDF.
    const { fitting, testing } = splitForTesting(bimodal);
    let expected = 0;
    for (let i = 0; i < testing.length; i++) {
      const f = empiricalCdf(fitting, testing[i]!);
      expected = Math.max(expected, Math.abs(f - i / testing.length), Math.abs(f - (i + 1) / testing.length));
    }
    expect(fit.ks).toBeCloseTo(expected, 12);
    // Two halves of one sample differ by about 0.87·√(2/m) (Kolmogorov's median): far above 0.5/n.
    expect(fit.ks).toBeGreaterThan(10 / n);
    expect(fit.ks).toBeLessThan(KS_CRITICAL_95 * Math.sqrt(2 / testing.length));
  });
});
