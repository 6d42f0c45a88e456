import { describe, expect, it } from "vitest";
import { backendFor, type MixedRows, type NearestOptions } from "./index.js";
import { matchRowsReference, mixedDistanceReference, nearestNeighborsReference } from "./reference.js";
import { randomSource, testSeed } from "./test-support.js";

const cpu = backendFor("cpu");

/** Random mixed table: ~10% nulls, a few repeated values, codes 0..cardinality-1 (−1 = null). */
function randomTable(rows: number, num: number, cat: number, random: () => number, constantColumn = -1): MixedRows {
  const numeric = new Float64Array(rows * num);
  const categorical = new Int32Array(rows * cat);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < num; c += 1) {
      const u = random();
      numeric[r * num + c] = c === constantColumn ? (u < 0.1 ? Number.NaN : 5) : u < 0.1 ? Number.NaN : u < 0.2 ? 1 : 10 * random() - 3;
    }
    for (let c = 0; c < cat; c += 1) categorical[r * cat + c] = Math.floor(random() * 5) - 1;
  }
  return { rows, numeric, categorical };
}

/**
 * Checks native against the float64 brute force. The float32 scan only proposes candidates; the
 * winners are chosen in float64 (near-ties re-scored, rows with many near-ties rescanned), so the
 * indices must be the reference's exactly and the distances equal to 1e-12.
 */
function expectSameNeighbours(a: MixedRows, b: MixedRows, options: NearestOptions, seed: number): void {
  const got = cpu.nearestNeighbors(a, b, options);
  const ref = nearestNeighborsReference(a, b, options);
  for (let i = 0; i < a.rows * options.k; i += 1) {
    const where = `seed ${seed}, row ${Math.floor(i / options.k)}, rank ${i % options.k}`;
    if (ref.index[i] === -1) {
      expect(got.index[i], where).toBe(-1);
      expect(got.distance[i], where).toBe(Number.POSITIVE_INFINITY);
      continue;
    }
    const j = got.index[i]!;
    expect(j, where).toBeGreaterThanOrEqual(0);
    const own = mixedDistanceReference(a, Math.floor(i / options.k), b, j, options);
    expect(Math.abs(got.distance[i]! - own), where).toBeLessThan(1e-12);
    expect(j, where).toBe(ref.index[i]);
  }
}

describe("nearestNeighbors (CPU)", () => {
  it("agrees with the float64 brute force on mixed tables with nulls, sizes off the tile grid", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    for (const [ra, rb, num, cat] of [
      [37, 201, 3, 2],
      [5, 1000, 1, 0],
      [130, 77, 0, 3],
      [9, 4163, 6, 9],
    ] as const) {
      const a = randomTable(ra, num, cat, random);
      const b = randomTable(rb, num, cat, random);
      const invRange = Float64Array.from({ length: num }, () => 0.05 + random());
      for (const k of [1, 2] as const) expectSameNeighbours(a, b, { numericCount: num, categoricalCount: cat, invRange, k }, seed);
    }
  });

  it("excludes the same index within one table, breaks ties to the lower index", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const t = randomTable(300, 2, 2, random);
    expectSameNeighbours(t, t, { numericCount: 2, categoricalCount: 2, invRange: Float64Array.of(0.3, 0.7), k: 2, excludeSameIndex: true }, seed);
    // Four identical rows: each row's neighbours are the other copies, lowest indices first.
    const same: MixedRows = { rows: 4, numeric: new Float64Array(4).fill(1), categorical: new Int32Array(4).fill(2) };
    const got = cpu.nearestNeighbors(same, same, { numericCount: 1, categoricalCount: 1, invRange: Float64Array.of(1), k: 2, excludeSameIndex: true });
    expect(Array.from(got.index)).toEqual([1, 2, 0, 2, 0, 1, 0, 1]);
    expect(Array.from(got.distance)).toEqual(new Array(8).fill(0));
  });

  it("breaks float32 near-ties in float64: constructed ties below float32 resolution pick the true nearest", () => {
    // B values 0.7 + (m − j)·1e-9 all round to one float32 (spacing 6e-8 at 0.7): the float32 sums
    // tie and would keep the lowest index; the true nearest is the last row. With 5 rows the tie fits
    // the kept candidates; with 12 it overflows them and the row is rescanned in float64.
    for (const m of [5, 12]) {
      const a: MixedRows = { rows: 2, numeric: Float64Array.of(0, 0.9), categorical: new Int32Array(0) };
      const b: MixedRows = { rows: m, numeric: Float64Array.from({ length: m }, (_, j) => 0.7 + (m - j) * 1e-9), categorical: new Int32Array(0) };
      for (const k of [1, 2] as const) {
        const options: NearestOptions = { numericCount: 1, categoricalCount: 0, invRange: Float64Array.of(1), k };
        const got = cpu.nearestNeighbors(a, b, options);
        // Row 0 (value 0): nearest is the smallest value, the last row; row 1 (0.9): the largest, row 0.
        expect(Array.from(got.index), `m ${m}, k ${k}`).toEqual(k === 1 ? [m - 1, 0] : [m - 1, m - 2, 0, 1]);
        expect(got).toEqual(nearestNeighborsReference(a, b, options));
      }
    }
  });

  it("matches the float64 reference exactly on fresh near-duplicate rows over many columns", () => {
    // Each B row is an A row plus perturbations of 1e-9..1e-7 per column, so sums of 40 terms differ
    // by about the float32 accumulation error and the float32 order is often wrong.
    const seed = testSeed();
    const random = randomSource(seed);
    const num = 40;
    const a = randomTable(20, num, 0, random);
    const rowsB = 400;
    const numeric = new Float64Array(rowsB * num);
    for (let r = 0; r < rowsB; r += 1) {
      const source = r % a.rows;
      for (let c = 0; c < num; c += 1) numeric[r * num + c] = a.numeric[source * num + c]! + (random() - 0.5) * 10 ** (-9 + 2 * random());
    }
    const b: MixedRows = { rows: rowsB, numeric, categorical: new Int32Array(0) };
    const invRange = new Float64Array(num).fill(0.1);
    for (const k of [1, 2] as const) expectSameNeighbours(a, b, { numericCount: num, categoricalCount: 0, invRange, k }, seed);
  });

  it("applies the null rules and the constant-column rule (invRange = Infinity)", () => {
    const a: MixedRows = { rows: 1, numeric: Float64Array.of(Number.NaN, 5, 2), categorical: Int32Array.of(-1) };
    const b: MixedRows = { rows: 3, numeric: Float64Array.of(Number.NaN, 5, 2, 1, 5, 2, Number.NaN, 6, 2.5), categorical: Int32Array.of(-1, -1, 3) };
    const options: NearestOptions = { numericCount: 3, categoricalCount: 1, invRange: Float64Array.of(1, Number.POSITIVE_INFINITY, 1), k: 2 };
    const got = cpu.nearestNeighbors(a, b, options);
    // row 0: all equal → 0; row 1: null vs 1 → 1 → 1/4; row 2: null-null 0, 5≠6 → 1, 0.5, cat → 1 → 2.5/4.
    expect(Array.from(got.index)).toEqual([0, 1]);
    expect(Array.from(got.distance)).toEqual([0, 0.25]);
    const seed = testSeed();
    const random = randomSource(seed);
    const ta = randomTable(50, 3, 1, random, 1);
    const tb = randomTable(70, 3, 1, random, 1);
    expectSameNeighbours(ta, tb, options, seed);
  });

  it("handles empty tables and B smaller than k", () => {
    const options: NearestOptions = { numericCount: 1, categoricalCount: 0, invRange: Float64Array.of(1), k: 2 };
    const empty: MixedRows = { rows: 0, numeric: new Float64Array(0), categorical: new Int32Array(0) };
    const one: MixedRows = { rows: 1, numeric: Float64Array.of(0.5), categorical: new Int32Array(0) };
    expect(cpu.nearestNeighbors(empty, one, options).distance.length).toBe(0);
    const none = cpu.nearestNeighbors(one, empty, options);
    expect(Array.from(none.index)).toEqual([-1, -1]);
    const single = cpu.nearestNeighbors(one, one, options);
    expect(Array.from(single.index)).toEqual([0, -1]);
    expect(Array.from(single.distance)).toEqual([0, Number.POSITIVE_INFINITY]);
  });

  it("rejects bad arguments with a KernelError that names them", () => {
    const one: MixedRows = { rows: 2, numeric: Float64Array.of(0.5), categorical: new Int32Array(0) };
    expect(() => cpu.nearestNeighbors(one, one, { numericCount: 1, categoricalCount: 0, invRange: Float64Array.of(1), k: 1 })).toThrow(/numeric values of A/);
    const ok: MixedRows = { rows: 1, numeric: Float64Array.of(0.5), categorical: new Int32Array(0) };
    expect(() => cpu.nearestNeighbors(ok, ok, { numericCount: 1, categoricalCount: 0, invRange: Float64Array.of(-1), k: 1 })).toThrow(
      /inv_range\[0\] must be >= 0/,
    );
    expect(() => cpu.nearestNeighbors(ok, ok, { numericCount: 0, categoricalCount: 0, invRange: new Float64Array(0), k: 1 })).toThrow(/at least one/);
  });

  it("runs off the event loop with the async variant and gives the same result", async () => {
    const random = randomSource(testSeed());
    const a = randomTable(2000, 4, 2, random);
    const b = randomTable(40_000, 4, 2, random);
    const options: NearestOptions = { numericCount: 4, categoricalCount: 2, invRange: Float64Array.of(1, 2, 0.5, 0.1), k: 2 };
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const started = performance.now();
    const got = await cpu.nearestNeighborsAsync(a, b, options);
    const elapsedMs = performance.now() - started;
    clearInterval(timer);
    // The timer keeps firing while the native call runs on a worker thread; a synchronous call
    // blocks it for the whole elapsed time and leaves 0 ticks. On a loaded 2-core machine the
    // main thread is scheduled irregularly, so ask for a few ticks, not a rate.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(3, Math.floor(elapsedMs / 20)));
    expect(got).toEqual(cpu.nearestNeighbors(a, b, options));
  });
});

describe("matchRows (CPU)", () => {
  it("agrees with brute force, with nulls and a relative tolerance", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    for (const [num, cat] of [
      [3, 2],
      [0, 2],
      [2, 0],
    ] as const) {
      const b = randomTable(400, num, cat, random);
      const a = randomTable(300, num, cat, random);
      // Copy half of A from B, perturbed by up to 1e-7 relative, so matches exist.
      for (let r = 0; r < 150; r += 1) {
        const src = Math.floor(random() * b.rows);
        for (let c = 0; c < num; c += 1) a.numeric[r * num + c] = b.numeric[src * num + c]! * (1 + (random() - 0.5) * 2e-7);
        for (let c = 0; c < cat; c += 1) a.categorical[r * cat + c] = b.categorical[src * cat + c]!;
      }
      for (const tol of [0, 1e-7, 1e-3]) {
        const got = cpu.matchRows(a, b, { numericCount: num, categoricalCount: cat, relTolerance: tol });
        expect(Array.from(got), `seed ${seed}, tol ${tol}`).toEqual(Array.from(matchRowsReference(a, b, num, cat, tol)));
      }
    }
  });
});
