import { describe, expect, test } from "vitest";
import type { MixedRows } from "../../kernels/index.js";
import { alignTables } from "../aligned-table.js";
import { SeededRandom } from "../seeded-random.js";
import { categorical, datetime, numeric, table } from "../test-tables.js";
import {
  dcrBaselineProtection,
  dcrOverfittingProtection,
  distanceToClosestRecord,
  median,
  membershipInference,
  nearestNeighborDistanceRatio,
  rocAuc,
} from "./distance-metrics.js";
import { inverseRanges, mixedRows, rowLayout } from "./mixed-rows.js";
import { randomBaselineRows } from "./random-baseline.js";

function rowsOf(real: ReturnType<typeof table>, synthetic: ReturnType<typeof table>, holdout?: ReturnType<typeof table>) {
  const aligned = alignTables(real, synthetic, holdout);
  const layout = rowLayout(aligned.columns);
  const context = { numericCount: layout.numeric.length, categoricalCount: layout.categorical.length };
  return {
    layout,
    context,
    real: mixedRows(layout, "real", aligned.realRows),
    synthetic: mixedRows(layout, "synthetic", aligned.syntheticRows),
    holdout: holdout === undefined ? undefined : mixedRows(layout, "holdout", aligned.holdoutRows),
  };
}

/** SDMetrics' row distance written out per pair in float64: the reference for the kernel. */
function referenceDcr(a: MixedRows, b: MixedRows, p: number, q: number, invRange: Float64Array): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < b.rows; j++) {
      let sum = 0;
      for (let k = 0; k < p; k++) {
        const x = a.numeric[i * p + k]!;
        const y = b.numeric[j * p + k]!;
        if (Number.isNaN(x) && Number.isNaN(y)) continue;
        if (Number.isNaN(x) || Number.isNaN(y)) sum += 1;
        else if (x !== y) sum += Math.min(Math.abs(x - y) * invRange[k]!, 1);
      }
      for (let k = 0; k < q; k++) if (a.categorical[i * q + k] !== b.categorical[j * q + k]) sum += 1;
      best = Math.min(best, sum / (p + q));
    }
    out[i] = best;
  }
  return out;
}

describe("DCR (SDMetrics' row distance, exact)", () => {
  test("hand-computed: ranges of the reference, value vs null = 1, synthetic-only category", async () => {
    const real = table(numeric("x", [0, 10]), categorical("c", ["a", "b"]));
    const synthetic = table(numeric("x", [5, null, 10]), categorical("c", ["a", "b", "z"]));
    const r = rowsOf(real, synthetic);
    // (5,a): min(½·½ + 0, …) = 0.25; (null,b): (1 + 0)/2 = 0.5; (10,z): (0 + 1)/2 = 0.5.
    const dcr = await distanceToClosestRecord(r.synthetic, r.real, r.context);
    expect(Array.from(dcr)).toEqual([0.25, 0.5, 0.5]);
    expect(median(dcr)).toBe(0.5);
  });
  test("datetimes scale by the real date range; a constant real column counts any difference as 1", async () => {
    const real = table(datetime("d", ["2020-01-01", "2020-01-11"]), numeric("k", [3, 3]));
    const synthetic = table(datetime("d", ["2020-01-06", "2020-01-01"]), numeric("k", [3, 4]));
    const r = rowsOf(real, synthetic);
    const dcr = await distanceToClosestRecord(r.synthetic, r.real, r.context);
    expect(dcr[0]).toBeCloseTo(0.25, 15); // (½ + 0)/2
    expect(dcr[1]).toBeCloseTo(0.5, 15); // (0 + 1)/2
  });
  test("the kernel matches the per-pair float64 reference on fresh random mixed tables with nulls", async () => {
    const random = new SeededRandom(21);
    for (let trial = 0; trial < 5; trial++) {
      const make = (rows: number) => ({
        rows,
        numeric: Float64Array.from({ length: rows * 3 }, (_, i) =>
          random.uniform() < 0.1 ? Number.NaN : i % 3 === 2 ? 7 : Math.round(random.normal() * 50) / 10,
        ),
        categorical: Int32Array.from({ length: rows * 2 }, () => random.integer(4) - 1),
      });
      const a = make(150 + random.integer(100));
      const b = make(200 + random.integer(150));
      const invRange = inverseRanges(b, 3);
      const mine = await distanceToClosestRecord(a, b, { numericCount: 3, categoricalCount: 2 }, invRange);
      const reference = referenceDcr(a, b, 3, 2, invRange);
      for (let i = 0; i < a.rows; i++) expect(Math.abs(mine[i]! - reference[i]!)).toBeLessThan(1e-12);
    }
  });
});

describe("DCR protections", () => {
  test("DCROverfittingProtection with a holdout smaller than the training set (each DCR on its own ranges)", async () => {
    const training = table(numeric("x", [0, 10, 20, 30]));
    const holdout = table(numeric("x", [0, 100]));
    const synthetic = table(numeric("x", [10, 12, 90]));
    const r = rowsOf(training, synthetic, holdout);
    // To training (range 30): 0, 2/30, 1 (capped). To holdout (range 100): 0.1, 0.12, 0.1.
    // Strictly closer to training: rows 1 and 2 of 3 → p = 2/3 → score 2·(1/3).
    const result = await dcrOverfittingProtection(r.real, r.synthetic, r.holdout!, r.context);
    expect(result.closerToTraining).toBeCloseTo(2 / 3, 15);
    expect(result.score).toBeCloseTo(2 / 3, 15);
  });
  test("DCRBaselineProtection = median synthetic DCR / median random DCR, capped at 1", async () => {
    const real = table(numeric("x", [0, 10]));
    const r = rowsOf(real, table(numeric("x", [1, 2, 3])));
    const random: MixedRows = { rows: 3, numeric: Float64Array.of(5, 4, 6), categorical: new Int32Array(0) };
    const result = await dcrBaselineProtection(r.real, r.synthetic, random, r.context);
    // Synthetic 1,2,3 → 0.1,0.2,0.3 (median 0.2); random 5,4,6 → 0.5,0.4,0.4 (median 0.4).
    expect(result.medianDcrSyntheticToReal).toBeCloseTo(0.2, 15);
    expect(result.medianDcrRandomToReal).toBeCloseTo(0.4, 15);
    expect(result.score).toBeCloseTo(0.5, 15);
  });
  test("the random baseline stays within the real ranges and categories, keeps the null share, and is seeded", () => {
    const n = 2000;
    const random = new SeededRandom(4);
    const real = table(
      numeric(
        "i",
        Array.from({ length: n }, () => 5 + random.integer(5)),
        { integer: true },
      ),
      numeric(
        "f",
        Array.from({ length: n }, (_, k) => (k % 4 === 0 ? null : random.uniform())),
      ),
      categorical(
        "c",
        Array.from({ length: n }, () => (random.uniform() < 0.5 ? "p" : "q")),
      ),
    );
    const synthetic = table(numeric("i", [1], { integer: true }), numeric("f", [1]), categorical("c", ["zzz"]));
    const { layout } = rowsOf(real, synthetic);
    const rows = randomBaselineRows(layout, 5000, 99);
    let nulls = 0;
    for (let i = 0; i < rows.rows; i++) {
      const integer = rows.numeric[i * 2]!;
      expect(Number.isInteger(integer) && integer >= 5 && integer <= 9).toBe(true);
      const f = rows.numeric[i * 2 + 1]!;
      if (Number.isNaN(f)) nulls++;
      else expect(f >= 0 && f <= 1).toBe(true);
      expect([0, 1]).toContain(rows.categorical[i]);
    }
    // 25 % of the real f are missing; 5000 draws: sd ≈ 0.006, so ±0.03 is 5 sd.
    expect(Math.abs(nulls / rows.rows - 0.25)).toBeLessThan(0.03);
    expect(randomBaselineRows(layout, 50, 99)).toEqual(randomBaselineRows(layout, 50, 99));
  });
});

describe("NNDR and membership inference", () => {
  test("NNDR hand-computed", async () => {
    const r = rowsOf(table(numeric("x", [0, 1, 10])), table(numeric("x", [0.5, 9])));
    // 0.5: 0.05 / 0.05 = 1; 9: 0.1 / 0.8 = 0.125.
    const result = await nearestNeighborDistanceRatio(r.synthetic, r.real, r.context);
    expect(result.median).toBeCloseTo((1 + 0.125) / 2, 15);
    expect(result.shareBelowHalf).toBe(0.5);
  });
  test("ROC AUC matches counting all positive/negative pairs (ties ½)", () => {
    const random = new SeededRandom(8);
    const pos = Float64Array.from({ length: 60 }, () => random.integer(10));
    const neg = Float64Array.from({ length: 45 }, () => random.integer(8));
    let wins = 0;
    for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
    expect(rocAuc(pos, neg)).toBeCloseTo(wins / (pos.length * neg.length), 12);
  });
  test("a synthetic table that copies its training rows exposes them: AUC 1", async () => {
    const training = table(numeric("x", [1, 2, 3, 4]), categorical("c", ["a", "b", "a", "b"]));
    const holdout = table(numeric("x", [1.5, 3.5]), categorical("c", ["a", "b"]));
    const r = rowsOf(training, training, holdout);
    const result = await membershipInference(r.real, r.holdout!, r.synthetic, r.context);
    expect(result.auc).toBe(1);
  });
});
