/**
 * The streaming clip-and-sum (sumSquares per piece + accumulateScaled per batch) against the
 * float64 reference (aggregateReference) on fresh random inputs, and CPU-vs-CUDA where a device
 * is present. Error bound, stated and checked per element: the running sum is float32 and each
 * batch rounds it once, so after batches b = 1..B
 *   |S_f32 − S_f64| ≤ 2^-24 · Σ_b |P_b| (1 + 1e-9) + 1e-30
 * where P_b is the exact (float64) running sum after batch b; the double accumulation inside a
 * batch (k terms, relative 2^-53 each) and the norms' reassociation (n·2^-53 relative, moving
 * the clip factor by as much) are orders below and covered by the 1e-9 slack.
 */
import { describe, expect, it } from "vitest";
import { aggregateReference } from "./reference.js";
import { accumulateScaled, accumulateScaledAsync, cudaUnavailableReason, sumSquares } from "./index.js";
import { randomSource, testSeed } from "./test-support.js";

const seed = testSeed();
const random = randomSource(seed);
const cuda = cudaUnavailableReason() === undefined;

function randomUpdates(k: number, n: number, spread: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let u = 0; u < k; u++) {
    // Rows of different magnitudes, so some are clipped and some are not.
    const magnitude = spread ** (random() * 2 - 1);
    for (let j = 0; j < n; j++) out[u * n + j] = (random() - 0.5) * magnitude;
  }
  return out;
}

describe(`streaming clip-and-sum (seed ${seed}; KERNEL_TEST_SEED replays)`, () => {
  it("sumSquares: equals Σx² in float64 to 1e-15 relative, piece by piece or whole; 0 for empty; NaN/Inf show", () => {
    for (const n of [0, 1, 7, 8, 9, 1000, 262_147]) {
      const x = randomUpdates(1, n, 100);
      let exact = 0;
      for (let j = 0; j < n; j++) exact += (x[j] as number) ** 2;
      const whole = sumSquares(x);
      expect(Math.abs(whole - exact)).toBeLessThanOrEqual(1e-15 * n * exact + 1e-300);
      let pieces = 0;
      for (let start = 0; start < n; start += 4099) pieces += sumSquares(x.subarray(start, Math.min(n, start + 4099)));
      expect(Math.abs(pieces - exact)).toBeLessThanOrEqual(1e-15 * n * exact + 1e-300);
      expect(sumSquares(x)).toBe(whole);
    }
    const bad = new Float32Array([1, Number.NaN, 2]);
    expect(sumSquares(bad)).toBeNaN();
    expect(sumSquares(new Float32Array([1, Number.POSITIVE_INFINITY]))).toBe(Number.POSITIVE_INFINITY);
  });

  it("batches of clipped, weighted updates summed in place stay within the float32 bound of the float64 reference", async () => {
    for (const [m, n, k, clip] of [
      [10, 1003, 4, 1.5],
      [7, 70_001, 3, 20],
      [9, 5000, 4, 0],
    ] as const) {
      const updates = randomUpdates(m, n, 30);
      const weights = Float32Array.from({ length: m }, () => 0.2 + random() * 3);
      const reference = aggregateReference(updates, m, n, weights, clip, 0, 0n, 0n);
      const acc = new Float32Array(n);
      const partial = new Float64Array(n);
      const boundSum = new Float64Array(n);
      for (let first = 0; first < m; first += k) {
        const rows = Math.min(k, m - first);
        const coef = new Float64Array(rows);
        for (let i = 0; i < rows; i++) {
          const row = updates.subarray((first + i) * n, (first + i + 1) * n);
          let s = 0;
          for (let start = 0; start < n; start += 1000) s += sumSquares(row.subarray(start, Math.min(n, start + 1000)));
          const norm = Math.sqrt(s);
          expect(Math.abs(norm - (reference.norms[first + i] as number))).toBeLessThanOrEqual(1e-12 * norm);
          coef[i] = (weights[first + i] as number) * (clip > 0 && norm > clip ? clip / norm : 1);
          for (let j = 0; j < n; j++) partial[j] = (partial[j] as number) + (coef[i] as number) * (row[j] as number);
        }
        const batch = updates.subarray(first * n, (first + rows) * n);
        if (first % (2 * k) === 0) accumulateScaled(acc, batch, rows, coef);
        else await accumulateScaledAsync(acc, batch, rows, coef);
        for (let j = 0; j < n; j++) boundSum[j] = (boundSum[j] as number) + Math.abs(partial[j] as number);
      }
      let worst = 0;
      for (let j = 0; j < n; j++) {
        const error = Math.abs((acc[j] as number) - (reference.out[j] as number));
        const bound = 2 ** -24 * (boundSum[j] as number) * (1 + 1e-9) + 1e-30;
        worst = Math.max(worst, error / bound);
        if (!(error <= bound)) expect({ j, error, bound }).toEqual({ j, error: "within bound" });
      }
      // The bound is not vacuous: some rounding is there to see.
      expect(worst).toBeGreaterThan(0);
    }
  });

  it("refuses non-finite coefficients and short buffers with a message", () => {
    const acc = new Float32Array(4);
    expect(() => accumulateScaled(acc, new Float32Array(8), 2, new Float64Array([1, Number.NaN]))).toThrow(/coefficient 1 is NaN/);
    expect(() => accumulateScaled(acc, new Float32Array(7), 2, new Float64Array([1, 1]))).toThrow(/k×n needs 8/);
    expect(() => accumulateScaled(acc, new Float32Array(8), 2, new Float64Array([1]))).toThrow(/1 coefficients for 2/);
    accumulateScaled(acc, new Float32Array(0), 0, new Float64Array(0));
    expect([...acc]).toEqual([0, 0, 0, 0]);
  });

  it.skipIf(!cuda)("CPU and CUDA agree: sums of squares to 1e-14 relative, accumulations to one float32 rounding", () => {
    const n = 300_007;
    const updates = randomUpdates(4, n, 10);
    const x = updates.subarray(0, n);
    const a = sumSquares(x, "cpu");
    const b = sumSquares(x, "cuda");
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-14 * a);
    const coef = Float64Array.from({ length: 4 }, () => random() * 2 - 1);
    const start = randomUpdates(1, n, 1);
    const onCpu = Float32Array.from(start);
    const onCuda = Float32Array.from(start);
    accumulateScaled(onCpu, updates, 4, coef, "cpu");
    accumulateScaled(onCuda, updates, 4, coef, "cuda");
    // Same double formula in the same term order; a fused multiply-add may round differently once.
    for (let j = 0; j < n; j++)
      expect(Math.abs((onCpu[j] as number) - (onCuda[j] as number))).toBeLessThanOrEqual(2 ** -23 * Math.abs(onCpu[j] as number) + 1e-30);
  });
});
