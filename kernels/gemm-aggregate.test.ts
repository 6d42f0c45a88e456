import { describe, expect, it } from "vitest";
import { backendFor } from "./index.js";
import { aggregateReference, gemmReference } from "./reference.js";
import { describeMismatch, firstMismatch, randomSource, testSeed } from "./test-support.js";

const cpu = backendFor("cpu");

describe("gemm (CPU)", () => {
  it("agrees with float64 for every transpose, alpha/beta, and sizes off the 6×16 / 96×256 blocking", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    for (const [m, n, k] of [
      [1, 1, 1],
      [7, 17, 3],
      [97, 33, 257],
      [13, 130, 600],
      [50, 70, 700], // critic-like: one row task, several k blocks with a ragged tail
      [301, 45, 513], // row blocks of 48..192 rows with ragged ends, B slivers padded
      [7, 9, 1100], // A·Bᵀ with few rows: dot products over two k blocks, ragged in every dimension
      [0, 5, 5],
      [5, 5, 0],
    ] as const) {
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const a = Float32Array.from({ length: m * k }, () => random() * 2 - 1);
        const b = Float32Array.from({ length: k * n }, () => random() * 2 - 1);
        const c = Float32Array.from({ length: m * n }, () => random() * 2 - 1);
        const alpha = 1.5;
        const beta = k % 2 === 0 ? 0 : -0.5;
        const ref = gemmReference(transA, transB, m, n, k, alpha, a, b, beta, c);
        if (beta === 0) c.fill(Number.NaN); // beta = 0 must ignore C, NaN included
        cpu.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
        // float32 accumulation of k products of magnitude <= 1: error <= k·2^-24·Σ|ab| (Higham
        // 3.5); with |a|,|b| <= 1 a bound of 2·k·6e-8·|alpha|·k + 1e-6 covers it with margin.
        const bound = 2 * k * 6e-8 * alpha * k + 1e-6;
        const i = firstMismatch(c, ref, () => bound);
        expect(describeMismatch(seed, i, c, ref), `${m}×${n}×${k} tA=${transA} tB=${transB}`).toBe("ok");
      }
    }
  });

  it("async variant gives the same result; bad sizes are rejected", async () => {
    const random = randomSource(testSeed());
    const a = Float32Array.from({ length: 64 * 80 }, () => random());
    const b = Float32Array.from({ length: 80 * 48 }, () => random());
    const c1 = new Float32Array(64 * 48);
    const c2 = new Float32Array(64 * 48);
    cpu.gemm(false, false, 64, 48, 80, 1, a, b, 0, c1);
    await cpu.gemmAsync(false, false, 64, 48, 80, 1, a, b, 0, c2);
    expect(c2).toEqual(c1);
    expect(() => cpu.gemm(false, false, 65, 48, 80, 1, a, b, 0, c1)).toThrow(/gemm matrix A has 5120 elements, needs at least 5200/);
  });
});

describe("aggregateUpdates (CPU)", () => {
  it("clips, weights, sums and adds Philox noise like the float64 reference", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    for (const [k, n, clip, noise] of [
      [1, 1, 0, 0],
      [5, 10_001, 3, 0.1],
      [3, 4097, Number.POSITIVE_INFINITY, 0],
      [8, 100, 0.5, 2],
    ] as const) {
      const updates = Float32Array.from({ length: k * n }, () => (random() - 0.5) * 0.2);
      const weights = Float32Array.from({ length: k }, () => random());
      const out = new Float32Array(n).fill(Number.NaN);
      const norms = cpu.aggregateUpdates(updates, k, n, weights, clip, noise, 99n, 1234n, out);
      const ref = aggregateReference(updates, k, n, weights, clip, noise, 99n, 1234n);
      // Float64 accumulation, one float32 rounding of the result: 2^-24 relative + 1e-7 absolute.
      expect(
        describeMismatch(
          seed,
          firstMismatch(out, ref.out, (i) => 1e-7 * Math.abs(ref.out[i]!) + 1e-7),
          out,
          ref.out,
        ),
      ).toBe("ok");
      expect(
        describeMismatch(
          seed,
          firstMismatch(norms, ref.norms, (i) => 1e-7 * ref.norms[i]!),
          norms,
          ref.norms,
        ),
      ).toBe("ok");
    }
  });

  it("handles k = 0 and n = 0, validates, and has an async twin", async () => {
    const out = Float32Array.of(Number.NaN, Number.NaN);
    expect(cpu.aggregateUpdates(new Float32Array(0), 0, 2, new Float32Array(0), 1, 0, 1n, 0n, out).length).toBe(0);
    expect(Array.from(out)).toEqual([0, 0]);
    expect(cpu.aggregateUpdates(new Float32Array(0), 3, 0, new Float32Array(3), 1, 0, 1n, 0n, new Float32Array(0)).length).toBe(3);
    expect(() => cpu.aggregateUpdates(new Float32Array(4), 2, 2, new Float32Array(2), 1, -1, 1n, 0n, new Float32Array(2))).toThrow(/noiseStd/);
    const updates = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i));
    const a = new Float32Array(1000);
    const b = new Float32Array(1000);
    const na = cpu.aggregateUpdates(updates, 3, 1000, Float32Array.of(1, 2, 3), 4, 0.5, 5n, 6n, a);
    const nb = await cpu.aggregateUpdatesAsync(updates, 3, 1000, Float32Array.of(1, 2, 3), 4, 0.5, 5n, 6n, b);
    expect(b).toEqual(a);
    expect(nb).toEqual(na);
  });
});

describe("thread count (dl_set_threads)", () => {
  it("applies process-wide (async calls too) and does not change GEMM or copula results", async () => {
    const random = randomSource(testSeed());
    const a = Float32Array.from({ length: 300 * 700 }, () => random());
    const b = Float32Array.from({ length: 700 * 500 }, () => random());
    const one = new Float32Array(300 * 500);
    const all = new Float32Array(300 * 500);
    try {
      expect(cpu.setThreads(1)).toBe(1);
      await cpu.gemmAsync(false, false, 300, 500, 700, 1, a, b, 0, one);
    } finally {
      expect(cpu.setThreads(0)).toBeGreaterThanOrEqual(1);
    }
    cpu.gemm(false, false, 300, 500, 700, 1, a, b, 0, all);
    // Each C block is computed by one task whatever the team size: bit-identical.
    expect(all).toEqual(one);
  });
});
