import { describe, expect, it } from "vitest";
import { inMemoryUpdate, StreamingUpdateSum } from "./streaming-sum.js";

function gaussianVector(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()) * scale;
  return out;
}

/** Float64 reference: Σ w_k min(1, C/‖u_k‖) u_k. */
function reference(updates: Float32Array[], weights: number[], clip: number): Float64Array {
  const out = new Float64Array((updates[0] as Float32Array).length);
  updates.forEach((u, k) => {
    let sq = 0;
    for (const v of u) sq += v * v;
    const norm = Math.sqrt(sq);
    const scale = clip > 0 && norm > clip ? clip / norm : 1;
    for (let i = 0; i < u.length; i++) out[i] = (out[i] as number) + (weights[k] as number) * scale * (u[i] as number);
  });
  return out;
}

function maxRelError(actual: Float32Array, expected: Float64Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return worst / scale;
}

describe("StreamingUpdateSum", () => {
  for (const clip of [0, 3]) {
    it(`weighted sum of 23 updates in batches of 4 matches float64 (clip ${clip || "off"})`, async () => {
      const n = 50_001;
      const updates = Array.from({ length: 23 }, (_, k) => gaussianVector(n, k + 1, 0.01 * (1 + (k % 5))));
      const weights = updates.map((_, k) => 10 + 37 * k);
      // Windows of 4099 values (the last one short): the update is never read whole.
      const sum = new StreamingUpdateSum(n, { clipNorm: clip, poisonNormLimit: Infinity, batchSize: 4, windowValues: 4099 });
      for (let k = 0; k < updates.length; k += 4) {
        const outcomes = await sum.addBatch(updates.slice(k, k + 4).map((u, i) => inMemoryUpdate(u, weights[k + i] as number)));
        expect(outcomes.every((o) => o.accepted)).toBe(true);
      }
      expect(sum.count).toBe(23);
      expect(sum.totalWeight).toBe(weights.reduce((a, b) => a + b, 0));
      // float32 running sum between batches: relative error ~ batches × 2^-24.
      expect(maxRelError(sum.sum, reference(updates, weights, clip))).toBeLessThan(1e-5);
    });
  }

  it("gives the same bits whatever the window size (the kernel is per coordinate)", async () => {
    const n = 30_011;
    const updates = Array.from({ length: 7 }, (_, k) => gaussianVector(n, 40 + k, 0.3));
    const run = async (windowValues: number) => {
      const sum = new StreamingUpdateSum(n, { clipNorm: 1, poisonNormLimit: Infinity, batchSize: 3, windowValues });
      for (let k = 0; k < updates.length; k += 3) await sum.addBatch(updates.slice(k, k + 3).map((u) => inMemoryUpdate(u, 1 + k)));
      return Array.from(sum.sum);
    };
    const whole = await run(n);
    expect(await run(1000)).toEqual(whole);
    expect(await run(7)).toEqual(whole);
  });

  it("rejects NaN, Inf and huge updates and leaves the sum as if they never came", async () => {
    const n = 10_000;
    const good = [1, 2, 3].map((s) => gaussianVector(n, s, 0.01));
    const nan = gaussianVector(n, 9, 0.01);
    nan[17] = Number.NaN;
    const inf = gaussianVector(n, 10, 0.01);
    inf[5] = Number.POSITIVE_INFINITY;
    const huge = gaussianVector(n, 11, 0.01 * 1e6);
    const sum = new StreamingUpdateSum(n, { clipNorm: 1, poisonNormLimit: 10, batchSize: 3, windowValues: 1024 });
    let reads = 0;
    const counted = (u: Float32Array) => {
      const update = inMemoryUpdate(u, 1);
      const read = (start: number, out: Float32Array) => {
        reads += 1;
        return update.read(start, out);
      };
      return { ...update, read };
    };
    const first = await sum.addBatch([nan, good[0] as Float32Array, inf].map(counted));
    expect(first.map((o) => o.accepted)).toEqual([false, true, false]);
    expect(first[0]?.reason).toMatch(/NaN or infinite/);
    // A rejected update is never read for the sum: only the accepted one's 10 windows were.
    expect(reads).toBe(10);
    const second = await sum.addBatch([good[1] as Float32Array, huge, good[2] as Float32Array].map(counted));
    expect(second.map((o) => o.accepted)).toEqual([true, false, true]);
    expect(second[1]?.reason).toMatch(/exceeds the poison limit/);
    expect(sum.count).toBe(3);
    expect(maxRelError(sum.sum, reference(good, [1, 1, 1], 1))).toBeLessThan(1e-6);
    for (const v of sum.sum) expect(Number.isFinite(v)).toBe(true);
  });

  it("holds S and one window per batched update (P once asked for): memory does not grow with the updates", async () => {
    const n = 1 << 20;
    const sum = new StreamingUpdateSum(n, { clipNorm: 0, poisonNormLimit: Infinity, batchSize: 2, windowValues: 1 << 16 });
    expect(sum.heldBytes).toBe(4 * n + 2 * 4 * (1 << 16));
    const u = gaussianVector(n, 5, 0.1);
    const before = process.memoryUsage().arrayBuffers;
    for (let k = 0; k < 40; k++) await sum.addBatch([inMemoryUpdate(u, 1), inMemoryUpdate(u, 1)]);
    // 80 updates of 4 MiB went through; external buffers grew by far less than one of them.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * 1024 * 1024);
    await expect(sum.addBatch([1, 2, 3].map(() => inMemoryUpdate(u, 1)))).rejects.toThrow(/at most 2/);
    // The scratch row P exists once a robust strategy asks for it, and is kept.
    const scratch = sum.scratch;
    expect(sum.heldBytes).toBe(2 * 4 * n + 2 * 4 * (1 << 16));
    expect(sum.scratch).toBe(scratch);
  });
});
