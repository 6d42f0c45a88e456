import { describe, expect, test } from "vitest";
import { concordanceFromTable, concordanceSensitivity } from "../dp-copula/kendall-tau.js";
import { countPairs, mutualInformation, projectToSimplex, rakeToMargins } from "./contingency.js";

/** A small seeded generator for fresh random inputs (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference projection: bisection on the threshold τ of x = max(0, y − τ) until Σx = total (float64). */
function projectByBisection(y: Float64Array, total: number): Float64Array {
  let lo = Math.min(...y) - total;
  let hi = Math.max(...y);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    let s = 0;
    for (const v of y) s += Math.max(0, v - mid);
    if (s > total) lo = mid;
    else hi = mid;
  }
  return Float64Array.from(y, (v) => Math.max(0, v - (lo + hi) / 2));
}

describe("MST's estimator pieces against float64 references", () => {
  test("projectToSimplex is the Euclidean projection (matches bisection on the threshold) on fresh noisy counts", () => {
    const next = random(11);
    for (let trial = 0; trial < 50; trial++) {
      const k = 1 + Math.floor(next() * 200);
      const y = Float64Array.from({ length: k }, () => (next() < 0.5 ? 0 : next() * 500) + (next() - 0.5) * 80);
      const total = 100 + next() * 5000;
      const ours = projectToSimplex(y, total);
      const reference = projectByBisection(y, total);
      let sum = 0;
      for (let i = 0; i < k; i++) {
        expect(ours[i]).toBeGreaterThanOrEqual(0);
        // Bisection to 2^-200 of the range: agreement to 1e-6 absolute on counts up to ~5000.
        expect(Math.abs(ours[i]! - reference[i]!)).toBeLessThan(1e-6 * Math.max(1, total));
        sum += ours[i]!;
      }
      expect(sum).toBeCloseTo(total, 6);
    }
  });

  test("rakeToMargins reaches both margins", () => {
    const next = random(5);
    const rows = Float64Array.of(10, 30, 60);
    const columns = Float64Array.of(50, 25, 25);
    const table = Float64Array.from({ length: 9 }, () => next() * 10);
    rakeToMargins(table, rows, columns, 200, 0);
    for (let a = 0; a < 3; a++) expect(table[a * 3]! + table[a * 3 + 1]! + table[a * 3 + 2]!).toBeCloseTo(rows[a]!, 8);
    for (let b = 0; b < 3; b++) expect(table[b]! + table[3 + b]! + table[6 + b]!).toBeCloseTo(columns[b]!, 8);
  });

  test("mutual information is 0 for a product table and log k for a diagonal one", () => {
    expect(mutualInformation(Float64Array.of(2, 4, 6, 12), 2, 2)).toBeCloseTo(0, 12);
    expect(mutualInformation(Float64Array.of(5, 0, 0, 0, 5, 0, 0, 0, 5), 3, 3)).toBeCloseTo(Math.log(3), 12);
  });
});

describe("Kendall concordance from a contingency table", () => {
  const naive = (x: Int32Array, y: Int32Array) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) s += Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
    return s;
  };

  test("equals the O(n²) pair count on fresh random codes with ties", () => {
    const next = random(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(next() * 300);
      const kx = 1 + Math.floor(next() * 8);
      const ky = 1 + Math.floor(next() * 8);
      const x = Int32Array.from({ length: n }, () => Math.floor(next() * kx));
      const y = Int32Array.from({ length: n }, (_, i) => (next() < 0.6 ? Math.min(ky - 1, Math.floor((x[i]! / kx) * ky)) : Math.floor(next() * ky)));
      expect(concordanceFromTable(countPairs(x, kx, y, ky), kx, ky)).toBe(naive(x, y));
    }
  });

  test("replacing one row moves C − D by at most 2(n − 1), the sensitivity the DP copula is calibrated to", () => {
    const next = random(9);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + Math.floor(next() * 60);
      const x = Int32Array.from({ length: n }, () => Math.floor(next() * 5));
      const y = Int32Array.from({ length: n }, () => Math.floor(next() * 5));
      const before = naive(x, y);
      const r = Math.floor(next() * n);
      x[r] = Math.floor(next() * 5);
      y[r] = Math.floor(next() * 5);
      expect(Math.abs(naive(x, y) - before)).toBeLessThanOrEqual(concordanceSensitivity(n, 1));
    }
    // The bound is tight: a row moving from below every other row to above every other row.
    const n = 10;
    const x = Int32Array.from({ length: n }, (_, i) => i + 1);
    const y = Int32Array.from({ length: n }, (_, i) => i + 1);
    x[0] = 0;
    y[0] = 0;
    const before = naive(x, y);
    y[0] = 100;
    expect(Math.abs(naive(x, y) - before)).toBe(concordanceSensitivity(n, 1));
  });
});
