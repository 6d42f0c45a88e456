import { describe, expect, test } from "vitest";
import { philoxNormal } from "../kernels/index.js";
import { eigs, matrix } from "mathjs";
import { cholesky, inverseSpd, multiply, nearestCorrelation, symmetricEigen } from "./correlation-matrix.js";
import { latentCorrelation, scoreCells } from "./normal-scores.js";

/** n pairs from a bivariate normal with correlation rho. */
function bivariate(seed: bigint, n: number, rho: number): { x: Float64Array; y: Float64Array } {
  const e = new Float64Array(2 * n);
  philoxNormal(seed, 0n, e);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = e[2 * i]!;
    y[i] = rho * e[2 * i]! + Math.sqrt(1 - rho * rho) * e[2 * i + 1]!;
  }
  return { x, y };
}

/** Discretizes by thresholds, returns the cell index per row and the cell frequencies. */
function discretize(values: Float64Array, thresholds: number[]): { cells: Int32Array; cumulative: number[] } {
  const cells = Int32Array.from(values, (v) => thresholds.filter((t) => v >= t).length);
  const counts = new Array(thresholds.length + 1).fill(0);
  for (const c of cells) counts[c]++;
  let running = 0;
  const cumulative = counts.map((c) => (running += c) / values.length);
  return { cells, cumulative };
}

describe("latent correlation from discretized normal scores (Mehler series)", () => {
  // n = 20000 pairs: the sampling sd of a correlation estimate is about (1 − ρ²)/√n ≈ 0.005;
  // the polychoric-type estimate is less efficient, so allow 0.03 (≈ 4 sd of a binary-binary case).
  const n = 20_000;

  test.each([
    { rho: 0.6, xCuts: [0.5], yCuts: [-0.3] },
    { rho: -0.45, xCuts: [-1, 0, 1.2], yCuts: [0.8] },
    { rho: 0.8, xCuts: [-0.7, 0.1, 0.4, 1.5], yCuts: [-1.2, -0.2, 0.9] },
  ])("ρ = $rho recovered from categories cut at $xCuts / $yCuts", ({ rho, xCuts, yCuts }) => {
    const { x, y } = bivariate(BigInt(Math.round(rho * 100) + 1000), n, rho);
    const dx = discretize(x, xCuts);
    const dy = discretize(y, yCuts);
    const sx = scoreCells(dx.cumulative);
    const sy = scoreCells(dy.cumulative);
    let covariance = 0;
    for (let i = 0; i < n; i++) covariance += sx.scores[dx.cells[i]!]! * sy.scores[dy.cells[i]!]!;
    covariance /= n;
    const naive = covariance / Math.sqrt(sx.hermite[0]! * sy.hermite[0]!);
    const corrected = latentCorrelation(covariance, sx, sy);
    expect(Math.abs(corrected - rho)).toBeLessThan(0.03);
    // The plain score correlation is attenuated, which is what the correction is for.
    expect(Math.abs(naive)).toBeLessThan(Math.abs(rho) - 0.03);
  });

  test("continuous columns: scores are ≈ standard normal and ρ is the score correlation", () => {
    const cumulative = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1000);
    const cells = scoreCells(cumulative);
    const { scores, hermite } = cells;
    expect(hermite[0]!).toBeGreaterThan(0.99); // Var(s) → 1 as cells shrink
    // Higher terms enter the covariance as a_k²/k! (Σ over k of these is Var(s) ≤ 1): negligible.
    let factorial = 1;
    for (let k = 1; k < hermite.length; k++) {
      factorial *= k + 1;
      expect(hermite[k]! ** 2 / factorial).toBeLessThan(1e-4);
    }
    expect(Math.abs(scores.reduce((a, b) => a + b, 0) / 1000)).toBeLessThan(1e-12); // mean 0
    expect(latentCorrelation(0.5 * hermite[0]!, cells, cells)).toBeCloseTo(0.5, 2);
  });
});

describe("correlation matrix algebra", () => {
  test("Cholesky reproduces the matrix; the inverse is an inverse", () => {
    const a = Float64Array.from([1, 0.5, 0.2, 0.5, 1, -0.3, 0.2, -0.3, 1]);
    const l = cholesky(a, 3)!;
    const lt = Float64Array.from({ length: 9 }, (_, i) => l[(i % 3) * 3 + Math.floor(i / 3)]!);
    const back = multiply(l, lt, 3, 3, 3);
    for (let i = 0; i < 9; i++) expect(back[i]!).toBeCloseTo(a[i]!, 12);
    const identity = multiply(a, inverseSpd(a, 3)!, 3, 3, 3);
    for (let i = 0; i < 9; i++) expect(identity[i]!).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12);
  });

  test("Jacobi eigendecomposition matches mathjs eigs on fresh random symmetric matrices", () => {
    for (const d of [2, 5, 17]) {
      const e = new Float64Array(d * d);
      philoxNormal(BigInt(d), 0n, e);
      const a = Float64Array.from({ length: d * d }, (_, i) => e[i]! + e[(i % d) * d + Math.floor(i / d)]!);
      const { values, vectors } = symmetricEigen(a, d);
      const reference = (
        eigs(matrix(Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, i * d + d))))).values as unknown as { toArray(): number[] }
      ).toArray();
      expect(
        Array.from(values)
          .sort((x, y) => x - y)
          .map((v) => v.toFixed(9)),
      ).toEqual(
        reference
          .slice()
          .sort((x, y) => x - y)
          .map((v) => v.toFixed(9)),
      );
      // A·v = λ·v for every pair, to 1e-10 relative to the matrix scale.
      for (let k = 0; k < d; k++) {
        for (let i = 0; i < d; i++) {
          let av = 0;
          for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors[j * d + k]!;
          expect(Math.abs(av - values[k]! * vectors[i * d + k]!)).toBeLessThan(1e-10 * d);
        }
      }
    }
  });

  test("an indefinite 'correlation' is repaired to a nearby valid one", () => {
    // Pairwise-estimated correlations can be jointly impossible: 0.9, 0.9, −0.9.
    const a = Float64Array.from([1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1]);
    expect(cholesky(a, 3)).toBeNull();
    const { matrix, repaired } = nearestCorrelation(a, 3);
    expect(repaired).toBe(true);
    expect(cholesky(matrix, 3)).not.toBeNull();
    for (let i = 0; i < 3; i++) expect(matrix[i * 3 + i]).toBe(1);
    for (let i = 0; i < 9; i++) expect(matrix[i]).toBeCloseTo(matrix[(i % 3) * 3 + Math.floor(i / 3)]!, 12);
    // Higham's nearest correlation matrix of this example has off-diagonals of magnitude ≈ 0.33–0.6;
    // the sign pattern must survive.
    expect(matrix[1]!).toBeGreaterThan(0);
    expect(matrix[5]!).toBeLessThan(0);
    // A valid matrix passes through unchanged.
    const valid = Float64Array.from([1, 0.3, 0.3, 1]);
    expect(nearestCorrelation(valid, 2)).toEqual({ matrix: valid, repaired: false });
  });
});
