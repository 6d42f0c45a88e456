import { describe, expect, it } from "vitest";
import { chunkedRangeReader, coordinateRobustMean, trimmedCount } from "./robust-aggregation.js";

function randomUpdates(k: number, n: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  return Array.from({ length: k }, () => Float32Array.from({ length: n }, next));
}

/** The update's bytes cut into chunks of uneven sizes (not multiples of 4), as a reader. */
function readerOf(update: Float32Array, chunkBytes: number) {
  const bytes = new Uint8Array(update.buffer);
  const sizes: number[] = [];
  for (let o = 0; o < bytes.length; o += chunkBytes) sizes.push(Math.min(chunkBytes, bytes.length - o));
  let loads = 0;
  const reader = chunkedRangeReader(sizes, async (i) => {
    loads++;
    return bytes.slice(i * chunkBytes, i * chunkBytes + (sizes[i] as number));
  });
  return { reader, loads: () => loads };
}

function referenceColumn(updates: Float32Array[], j: number, mode: "median" | number): number {
  const column = updates.map((u) => u[j] as number).sort((a, b) => a - b);
  const k = column.length;
  if (mode === "median") return k % 2 ? (column[(k - 1) / 2] as number) : ((column[k / 2 - 1] as number) + (column[k / 2] as number)) / 2;
  const t = Math.floor(mode * k);
  const kept = column.slice(t, k - t);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

describe("coordinate-wise robust aggregation", () => {
  for (const k of [7, 8]) {
    it(`median of ${k} updates read in blocks matches a float64 reference`, async () => {
      const n = 10_007;
      const updates = randomUpdates(k, n, k);
      const out = new Float32Array(n);
      await coordinateRobustMean(
        updates.map((u) => readerOf(u, 4097).reader),
        n,
        { kind: "median" },
        out,
        1000,
      );
      for (let j = 0; j < n; j += 13) expect(out[j]).toBeCloseTo(referenceColumn(updates, j, "median"), 6);
    });
  }

  it("trimmed mean drops ⌊βk⌋ at each end and shrugs off outliers", async () => {
    const n = 3000;
    const updates = randomUpdates(10, n, 3);
    (updates[0] as Float32Array).fill(1e6); // an attacker
    (updates[1] as Float32Array).fill(-1e6);
    const out = new Float32Array(n);
    await coordinateRobustMean(
      updates.map((u) => readerOf(u, 1 << 12).reader),
      n,
      { kind: "trimmed_mean", trimFraction: 0.2 },
      out,
      512,
    );
    expect(trimmedCount(10, 0.2)).toBe(2);
    for (let j = 0; j < n; j += 7) {
      expect(out[j]).toBeCloseTo(referenceColumn(updates, j, 0.2), 5);
      expect(Math.abs(out[j] as number)).toBeLessThan(0.5);
    }
  });

  it("loads each chunk of an update once when blocks walk forward", async () => {
    const n = 8192;
    const update = randomUpdates(1, n, 5)[0] as Float32Array;
    const { reader, loads } = readerOf(update, 4096);
    const out = new Float32Array(n);
    await coordinateRobustMean([reader], n, { kind: "median" }, out, 1000);
    expect(loads()).toBe(8);
    expect(Array.from(out)).toEqual(Array.from(update));
  });
});
