import { describe, expect, it } from "vitest";
import { type SlotNorm, StreamingUpdateSum } from "./streaming-sum.js";

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

const fillFrom = (u: Float32Array) => async (slot: Uint8Array) => {
  slot.set(new Uint8Array(u.buffer, u.byteOffset, u.byteLength));
};

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
      const sum = new StreamingUpdateSum(n, { clipNorm: clip, poisonNormLimit: Infinity, slots: 4 });
      for (let k = 0; k < updates.length; k += 4) {
        const batch = updates.slice(k, k + 4).map((u, i) => ({ weight: weights[k + i] as number, fill: fillFrom(u) }));
        const outcomes = await sum.addBatch(batch);
        expect(outcomes.every((o) => o.accepted)).toBe(true);
      }
      expect(sum.count).toBe(23);
      expect(sum.totalWeight).toBe(weights.reduce((a, b) => a + b, 0));
      // float32 running sum between batches: relative error ~ batches × 2^-24.
      expect(maxRelError(sum.sum, reference(updates, weights, clip))).toBeLessThan(1e-5);
    });
  }

  it("rejects NaN, Inf and huge updates and leaves the sum as if they never came", async () => {
    const n = 10_000;
    const good = [1, 2, 3].map((s) => gaussianVector(n, s, 0.01));
    const nan = gaussianVector(n, 9, 0.01);
    nan[17] = Number.NaN;
    const inf = gaussianVector(n, 10, 0.01);
    inf[5] = Number.POSITIVE_INFINITY;
    const huge = gaussianVector(n, 11, 0.01 * 1e6);
    const sum = new StreamingUpdateSum(n, { clipNorm: 1, poisonNormLimit: 10, slots: 3 });
    const first = await sum.addBatch([nan, good[0] as Float32Array, inf].map((u) => ({ weight: 1, fill: fillFrom(u) })));
    expect(first.map((o) => o.accepted)).toEqual([false, true, false]);
    expect(first[0]?.reason).toMatch(/NaN or infinite/);
    const second = await sum.addBatch([good[1] as Float32Array, huge, good[2] as Float32Array].map((u) => ({ weight: 1, fill: fillFrom(u) })));
    expect(second.map((o) => o.accepted)).toEqual([true, false, true]);
    expect(second[1]?.reason).toMatch(/exceeds the poison limit/);
    expect(sum.count).toBe(3);
    expect(maxRelError(sum.sum, reference(good, [1, 1, 1], 1))).toBeLessThan(1e-6);
    for (const v of sum.sum) expect(Number.isFinite(v)).toBe(true);
  });

  it("takes the norm piece by piece as a filler reports progress, pieces cut anywhere (odd byte counts too)", async () => {
    const n = 30_011;
    const u = gaussianVector(n, 21, 0.05);
    let exact = 0;
    for (const v of u) exact += v * v;
    const bytes = new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
    const reported: number[] = [];
    const inPieces = async (slot: Uint8Array, norm: SlotNorm) => {
      // Cut at 4099, 50,001 and 90,003 bytes: floats straddle the cuts.
      for (const [start, end] of [
        [0, 4099],
        [4099, 50_001],
        [50_001, 90_003],
        [90_003, bytes.length],
      ] as const) {
        slot.set(bytes.subarray(start, end), start);
        norm.advance(end);
        reported.push(end);
      }
    };
    const sum = new StreamingUpdateSum(n, { clipNorm: 1, poisonNormLimit: Infinity, slots: 2 });
    const [pieces] = await sum.addBatch([{ weight: 2, fill: inPieces }]);
    const [whole] = await sum.addBatch([{ weight: 2, fill: fillFrom(u) }]);
    expect(reported).toHaveLength(4);
    expect(Math.abs((pieces?.norm as number) - Math.sqrt(exact))).toBeLessThanOrEqual(1e-12 * Math.sqrt(exact));
    expect(Math.abs((whole?.norm as number) - Math.sqrt(exact))).toBeLessThanOrEqual(1e-12 * Math.sqrt(exact));
    // Both clipped to 1 and weighted by 2: S = 4 u / ‖u‖.
    expect(maxRelError(sum.sum, reference([u, u], [2, 2], 1))).toBeLessThan(1e-6);
  });

  it("holds S and its slots only (P once asked for): memory does not grow with the number of updates", async () => {
    const n = 1 << 18;
    const sum = new StreamingUpdateSum(n, { clipNorm: 0, poisonNormLimit: Infinity, slots: 2 });
    expect(sum.heldBytes).toBe((1 + 2) * 4 * n);
    const before = process.memoryUsage().arrayBuffers;
    const u = gaussianVector(n, 5, 0.1);
    for (let k = 0; k < 40; k++) await sum.addBatch([{ weight: 1, fill: fillFrom(u) }]);
    // 40 updates of 1 MiB went through; external buffers grew by far less than 40 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    await expect(sum.addBatch([1, 2, 3].map(() => ({ weight: 1, fill: fillFrom(u) })))).rejects.toThrow(/at most 2/);
    // The scratch row P exists once a robust strategy asks for it, and is kept.
    const scratch = sum.scratch;
    expect(sum.heldBytes).toBe((2 + 2) * 4 * n);
    expect(sum.scratch).toBe(scratch);
  });
});
