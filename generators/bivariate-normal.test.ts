import { describe, expect, test } from "vitest";
import { philoxUniform } from "../kernels/index.js";
import { bivariateNormalCdf } from "./bivariate-normal.js";
import { normalCdf, normalPdf, normalQuantile } from "./normal-distribution.js";
import { latentCorrelation, scoreCells } from "./normal-scores.js";

/**
 * Reference Φ₂ in float64 from the 1-D representation Φ₂(h, k; ρ) = ∫_{−∞}^{h} φ(x) Φ((k − ρx)/√(1−ρ²)) dx,
 * composite Simpson with 40,000 panels on [−12, h] (the integrand is smooth; the error is far below 1e-11
 * except when √(1−ρ²) is tiny, where the inner Φ is a near-step — such ρ use 400,000 panels).
 */
function referenceCdf(h: number, k: number, rho: number): number {
  const low = -12;
  const high = Math.min(h, 12);
  if (high <= low) return 0;
  const panels = Math.abs(rho) > 0.99 ? 400_000 : 40_000;
  const width = (high - low) / panels;
  const scale = Math.sqrt(1 - rho * rho);
  let sum = 0;
  for (let i = 0; i <= panels; i++) {
    const x = low + i * width;
    const f = normalPdf(x) * normalCdf((k - rho * x) / scale);
    sum += (i === 0 || i === panels ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * width) / 3;
}

/** ρ with reference P(X ≤ h, Y ≤ k) = p11, by bisection in float64 (the tetrachoric equation). */
function referenceTetrachoric(h: number, k: number, p11: number): number {
  let low = -0.9999;
  let high = 0.9999;
  for (let i = 0; i < 45; i++) {
    const mid = 0.5 * (low + high);
    if (referenceCdf(h, k, mid) < p11) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
}

describe("bivariate normal CDF (Drezner–Wesolowsky / Genz)", () => {
  test("Sheppard's quadrant probability Φ₂(0, 0; ρ) = 1/4 + asin(ρ)/(2π), and the independent case", () => {
    for (const rho of [-0.999, -0.95, -0.6, -0.1, 0, 0.3, 0.7, 0.924, 0.926, 0.99, 0.99999]) {
      expect(Math.abs(bivariateNormalCdf(0, 0, rho) - (0.25 + Math.asin(rho) / (2 * Math.PI)))).toBeLessThan(1e-14);
    }
    expect(bivariateNormalCdf(1.3, -0.4, 0)).toBeCloseTo(normalCdf(1.3) * normalCdf(-0.4), 15);
    expect(bivariateNormalCdf(0.7, 0.2, 1)).toBeCloseTo(normalCdf(0.2), 15);
    expect(bivariateNormalCdf(0.7, 0.2, -1)).toBeCloseTo(normalCdf(0.7) - normalCdf(-0.2), 15);
    expect(bivariateNormalCdf(Number.POSITIVE_INFINITY, 0.3, 0.5)).toBe(normalCdf(0.3));
    expect(bivariateNormalCdf(Number.NEGATIVE_INFINITY, 0.3, 0.5)).toBe(0);
  });

  test("matches the float64 1-D integral on fresh random (h, k, ρ), both sides of the 0.925 switch", () => {
    const u = new Float64Array(3 * 60);
    philoxUniform(2026n, 0n, u);
    let worst = 0;
    for (let i = 0; i < 60; i++) {
      const h = -4 + 8 * u[3 * i]!;
      const k = -4 + 8 * u[3 * i + 1]!;
      // Half of the draws have |ρ| in [0.9, 0.9999] where the high-correlation branch works.
      const r = u[3 * i + 2]!;
      const rho = i % 2 === 0 ? 2 * r - 1 : (r < 0.5 ? -1 : 1) * (0.9 + 0.0999 * (2 * (r % 0.5)));
      worst = Math.max(worst, Math.abs(bivariateNormalCdf(h, k, rho) - referenceCdf(h, k, rho)));
    }
    expect(worst).toBeLessThan(1e-11);
  });
});

describe("latent correlation of skewed discretised dimensions from exact population inputs", () => {
  /** Two binaries with P(first cell) = p and q whose latent correlation is rho: the population score covariance. */
  function binaryPair(p: number, q: number, rho: number): { covariance: number; p11: number } {
    const h = normalQuantile(p);
    const k = normalQuantile(q);
    const p11 = referenceCdf(h, k, rho);
    const a = scoreCells([p, 1]).scores;
    const b = scoreCells([q, 1]).scores;
    const cells = [p11, p - p11, q - p11, 1 - p - q + p11];
    const covariance = cells[0]! * a[0]! * b[0]! + cells[1]! * a[0]! * b[1]! + cells[2]! * a[1]! * b[0]! + cells[3]! * a[1]! * b[1]!;
    return { covariance, p11 };
  }

  // The cases of issue 10 (the 12-term Mehler series gave 0.733, 0.937 and 0.967 for such inputs). ρ must be
  // identifiable: with 10/90 against 90/10 margins and ρ ≥ 0.93 the cell probabilities no longer change with ρ.
  test.each([
    { p: 0.9, q: 0.1, rho: -0.9 },
    { p: 0.9, q: 0.9, rho: 0.9 },
    { p: 0.02, q: 0.5, rho: 0.8 },
    { p: 0.1, q: 0.05, rho: 0.95 },
    { p: 0.97, q: 0.6, rho: 0.3 },
  ])("binaries P = $p / $q with ρ = $rho: the tetrachoric equation is solved exactly", ({ p, q, rho }) => {
    const { covariance, p11 } = binaryPair(p, q, rho);
    const estimate = latentCorrelation(covariance, scoreCells([p, 1]), scoreCells([q, 1]));
    expect(Math.abs(estimate - rho)).toBeLessThan(1e-6);
    // Agrees with a 1-D root find of Φ₂(h, k; ρ) = p11 in float64.
    expect(Math.abs(estimate - referenceTetrachoric(normalQuantile(p), normalQuantile(q), p11))).toBeLessThan(1e-6);
  });

  test("polychoric: three skewed categories against a binary, from population cell probabilities", () => {
    const rho = 0.85;
    const xCumulative = [0.05, 0.15, 1];
    const yCumulative = [0.92, 1];
    const x = scoreCells(xCumulative);
    const y = scoreCells(yCumulative);
    const xBounds = [Number.NEGATIVE_INFINITY, normalQuantile(0.05), normalQuantile(0.15), Number.POSITIVE_INFINITY];
    const yBounds = [Number.NEGATIVE_INFINITY, normalQuantile(0.92), Number.POSITIVE_INFINITY];
    const cdf = (h: number, k: number) => (h === Number.NEGATIVE_INFINITY || k === Number.NEGATIVE_INFINITY ? 0 : referenceCdf(h, k, rho));
    let covariance = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        const mass =
          cdf(xBounds[i + 1]!, yBounds[j + 1]!) - cdf(xBounds[i]!, yBounds[j + 1]!) - cdf(xBounds[i + 1]!, yBounds[j]!) + cdf(xBounds[i]!, yBounds[j]!);
        covariance += mass * x.scores[i]! * y.scores[j]!;
      }
    }
    expect(Math.abs(latentCorrelation(covariance, x, y) - rho)).toBeLessThan(1e-6);
  });
});
