import betaCdf from "@stdlib/stats-base-dists-beta-cdf";
import gammaCdf from "@stdlib/stats-base-dists-gamma-cdf";
import stdlibNormalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { describe, expect, test } from "vitest";
import { philoxUniform } from "../kernels/index.js";
import { parametricCdf } from "./marginal-families.js";
import { normalCdf, normalQuantile, normalUpperTail } from "./normal-distribution.js";
import { drawTruncatedNormal } from "./truncated-normal.js";

function uniforms(seed: bigint, n: number): Float64Array {
  const out = new Float64Array(n);
  philoxUniform(seed, 0n, out);
  return out;
}

describe("standard normal", () => {
  test("quantile matches @stdlib on fresh random p in (0.001, 0.999)", () => {
    const u = uniforms(11n, 2000);
    for (const v of u) {
      const p = 0.001 + 0.998 * v;
      // stdlib goes through erfinv(2p − 1), which is accurate to a few ulps in the centre.
      expect(Math.abs(normalQuantile(p) - stdlibNormalQuantile(p, 0, 1))).toBeLessThan(1e-12);
    }
  });

  test("quantile inverts the CDF to full relative precision down to 1e-300", () => {
    const u = uniforms(12n, 500);
    for (const v of u) {
      const p = 10 ** (-300 * v); // log-uniform over (1e-300, 1)
      const x = normalQuantile(p);
      expect(Math.abs(normalCdf(x) / p - 1)).toBeLessThan(1e-12);
      // The upper tail by symmetry.
      expect(Math.abs(normalUpperTail(-x) / p - 1)).toBeLessThan(1e-12);
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe("parametric CDFs", () => {
  test("beta and gamma CDFs match @stdlib on fresh random parameters", () => {
    const u = uniforms(13n, 600);
    for (let i = 0; i < 600; i += 3) {
      const alpha = 0.3 + 8 * u[i]!;
      const beta = 0.3 + 8 * u[i + 1]!;
      const y = u[i + 2]!;
      const cdf = parametricCdf({ family: "beta", params: { alpha, beta, low: 10, high: 30 } });
      expect(cdf(10 + 20 * y)).toBeCloseTo(betaCdf(y, alpha, beta), 12);
      const shape = 0.2 + 20 * u[i]!;
      const scale = 0.1 + 5 * u[i + 1]!;
      const x = 60 * y;
      const gamma = parametricCdf({ family: "gamma", params: { shape, scale, loc: -3 } });
      // @stdlib's gamma is parametrized by rate = 1/scale.
      expect(gamma(x - 3)).toBeCloseTo(gammaCdf(x, shape, 1 / scale), 12);
    }
  });
});

describe("truncated normal draws (inversion, no rejection)", () => {
  // One-sample KS against the exact truncated CDF; with 4000 draws the 0.1% critical value is
  // 1.95/√4000 ≈ 0.031.
  const n = 4000;
  const ksBound = 1.95 / Math.sqrt(n);

  function ksAgainst(samples: number[], cdf: (x: number) => number): number {
    const sorted = samples.slice().sort((a, b) => a - b);
    let d = 0;
    sorted.forEach((x, i) => {
      const f = cdf(x);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    });
    return d;
  }

  test.each([
    { name: "central interval", set: [[-0.5, 1.2]] as [number, number][], mean: 0.3, sd: 1.5 },
    { name: "far upper tail", set: [[8, 9]] as [number, number][], mean: 0, sd: 1 },
    { name: "far lower tail, unbounded", set: [[Number.NEGATIVE_INFINITY, -12]] as [number, number][], mean: 0, sd: 1 },
    {
      name: "union of two intervals",
      set: [
        [-3, -1],
        [0.5, 2],
      ] as [number, number][],
      mean: 0.2,
      sd: 0.8,
    },
  ])("$name", ({ set, mean, sd }) => {
    const u = uniforms(21n, n);
    const draws = Array.from(u, (v) => drawTruncatedNormal(set, mean, sd, v));
    for (const x of draws) expect(set.some(([a, b]) => x >= a && x <= b)).toBe(true);
    // Exact CDF of the truncated law, evaluated on the side of the mean where it does not cancel.
    const mass = (a: number, b: number) => {
      const za = (a - mean) / sd;
      const zb = (b - mean) / sd;
      return za >= 0 ? normalUpperTail(za) - normalUpperTail(zb) : normalCdf(zb) - normalCdf(za);
    };
    const total = set.reduce((sum, [a, b]) => sum + mass(a, b), 0);
    const cdf = (x: number) => set.reduce((sum, [a, b]) => sum + (x <= a ? 0 : mass(a, Math.min(x, b))), 0) / total;
    expect(ksAgainst(draws, cdf)).toBeLessThan(ksBound);
  });

  test("a point is returned as is", () => {
    expect(drawTruncatedNormal([[0.7, 0.7]], 0, 1, 0.3)).toBe(0.7);
  });
});
