import { describe, expect, test } from "vitest";
import { alignTables } from "../aligned-table.js";
import { SeededRandom } from "../seeded-random.js";
import { categorical, datetime, numeric, table } from "../test-tables.js";
import { associationRetained, columnPairTrends } from "./column-pair-trends.js";
import { binEdges, binIndex, contingencySimilarity, cramersV, cramersVBiasCorrected, jointCounts, pearson } from "./pair-statistics.js";

/** Two-pass float64 Pearson over rows where both are present: the textbook reference. */
function referencePearson(x: number[], y: number[]): number {
  const rows = x.map((v, i) => [v, y[i]!] as const).filter(([a, b]) => !Number.isNaN(a) && !Number.isNaN(b));
  const mx = rows.reduce((s, [a]) => s + a, 0) / rows.length;
  const my = rows.reduce((s, [, b]) => s + b, 0) / rows.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [a, b] of rows) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe("binning (numpy histogram_bin_edges + digitize)", () => {
  test("10 equal-width bins; the maximum and a missing value both land in bin 11", () => {
    const values = Float64Array.of(0, 0.5, 1, 9.99, 10, Number.NaN);
    const edges = binEdges(values);
    expect(Array.from(edges)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(binIndex(values, edges))).toEqual([1, 1, 2, 10, 11, 11]);
  });
  test("a constant column is widened by ±0.5; an all-missing column bins to 11", () => {
    const edges = binEdges(Float64Array.of(3, 3));
    expect(edges[0]).toBe(2.5);
    expect(edges[10]).toBe(3.5);
    expect(Array.from(binIndex(Float64Array.of(3, 3), edges))).toEqual([6, 6]);
    expect(Array.from(binIndex(Float64Array.of(Number.NaN), binEdges(Float64Array.of(Number.NaN))))).toEqual([11]);
  });
  test("values on an edge go to the upper bin, whatever the rounding of the arithmetic guess", () => {
    const random = new SeededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const values = Float64Array.from({ length: 40 }, () => random.uniform() * 1e3 - 500);
      const edges = binEdges(values);
      const bins = binIndex(Float64Array.from(edges), edges);
      // Each edge k (k < 10) is ≥ itself and every lower edge: digitize gives k + 1; the last edge 11.
      expect(Array.from(bins)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
  });
});

describe("contingency and association", () => {
  test("contingency similarity of a hand-made pair of 2×2 tables", () => {
    // Real cells (0,0)=2, (1,1)=2 → 0.5, 0.5; synthetic (0,0)=1, (0,1)=1, (1,1)=2 → .25 .25 .5.
    const real = jointCounts(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 0, 1, 1), 2, 2);
    const synthetic = jointCounts(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 1, 1), 2, 2);
    expect(contingencySimilarity(real, synthetic)).toBeCloseTo(1 - 0.5 * (0.25 + 0.25 + 0), 15);
  });
  test("Cramér's V of a 2×2 table is |ad − bc| / √(row and column sums product)", () => {
    // a=3 b=1 c=1 d=3: φ = (9 − 1) / √(4·4·4·4) = 0.5.
    const a = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1);
    const b = Int32Array.of(0, 0, 0, 1, 0, 1, 1, 1);
    expect(cramersV(jointCounts(a, b, 2, 2), 2, 2)).toBeCloseTo(0.5, 15);
    // A single level on one side: V is undefined.
    expect(cramersV(jointCounts(a, new Int32Array(8), 2, 2), 2, 2)).toBeNaN();
  });
  test("bias-corrected V is ≈0 for independent columns where the plain V is not", () => {
    const random = new SeededRandom(5);
    const n = 400;
    const a = Int32Array.from({ length: n }, () => random.integer(20));
    const b = Int32Array.from({ length: n }, () => random.integer(20));
    const counts = jointCounts(a, b, 20, 20);
    expect(cramersV(counts, 20, 20)).toBeGreaterThan(0.15);
    expect(cramersVBiasCorrected(counts, 20, 20)).toBeLessThan(0.08);
  });
  test("Pearson from shifted sums matches the two-pass reference on large-offset data with gaps", () => {
    const random = new SeededRandom(9);
    for (let trial = 0; trial < 10; trial++) {
      const x = Array.from({ length: 500 }, () => (random.uniform() < 0.1 ? Number.NaN : 1e6 + random.normal() * 10));
      const y = x.map((v) => (random.uniform() < 0.1 ? Number.NaN : 0.3 * v + random.normal() * 5));
      expect(pearson(Float64Array.from(x), Float64Array.from(y))).toBeCloseTo(referencePearson(x, y), 9);
    }
  });
});

describe("Column Pair Trends", () => {
  test("numeric pair: CorrelationSimilarity and the |ρ_R| > 0.5 threshold", () => {
    const real = table(numeric("a", [1, 2, 3, 4]), numeric("b", [2, 4, 6, 8]));
    const synthetic = table(numeric("a", [1, 2, 3, 4]), numeric("b", [8, 6, 4, 2]));
    const [pair] = columnPairTrends(alignTables(real, synthetic).columns).pairs;
    expect(pair!.metric).toBe("CorrelationSimilarity");
    expect(pair!.realCorrelation).toBeCloseTo(1, 15);
    expect(pair!.syntheticCorrelation).toBeCloseTo(-1, 15);
    expect(pair!.score).toBeCloseTo(0, 15);
    expect(pair!.meetsThreshold).toBe(true);
  });
  test("a constant column makes the correlation score undefined (NaN), not 1", () => {
    const real = table(numeric("a", [1, 2, 3]), numeric("b", [5, 5, 5]));
    const synthetic = table(numeric("a", [1, 2, 3]), numeric("b", [5, 6, 5]));
    const result = columnPairTrends(alignTables(real, synthetic).columns);
    expect(result.pairs[0]!.score).toBeNaN();
    expect(result.score).toBeNaN();
    expect(result.pairs[0]!.meetsThreshold).toBe(false);
  });
  test("mixed pair: each table is binned on its own range, nulls are a category", () => {
    // Real x = 0,10,null (edges 0…10): bins 1, 11, 11. Synthetic x = 0,100,null (edges 0…100):
    // bins 1, 11, 11 — the same codes although the values differ (the reference's quirk).
    const real = table(numeric("x", [0, 10, null]), categorical("c", ["u", "v", null]));
    const synthetic = table(numeric("x", [0, 100, null]), categorical("c", ["u", "v", null]));
    const [pair] = columnPairTrends(alignTables(real, synthetic).columns).pairs;
    expect(pair!.metric).toBe("ContingencySimilarity");
    expect(pair!.score).toBe(1);
  });
  test("datetime × categorical pair and a category only in the synthetic table", () => {
    const real = table(datetime("d", ["2020-01-01", "2020-01-11", "2020-01-11", "2020-01-01"]), categorical("c", ["a", "b", "b", "a"]));
    const synthetic = table(datetime("d", ["2020-01-01", "2020-01-11", "2020-01-11", "2020-01-01"]), categorical("c", ["a", "z", "b", "a"]));
    const [pair] = columnPairTrends(alignTables(real, synthetic).columns).pairs;
    // Real cells (1,a)=.5 (11,b)=.5; synthetic (1,a)=.5 (11,z)=.25 (11,b)=.25 → 1 − ½(.25+.25).
    expect(pair!.score).toBeCloseTo(0.75, 15);
    expect(pair!.realAssociation).toBeCloseTo(1, 15);
    expect(pair!.meetsThreshold).toBe(true);
  });
  test("the all-pairs score averages every pair; the SDMetrics score only those meeting the threshold", () => {
    const random = new SeededRandom(1);
    const n = 300;
    const x = Array.from({ length: n }, () => random.normal());
    const strong = x.map((v) => v + 0.1 * random.normal());
    const weak = Array.from({ length: n }, () => random.normal());
    const real = table(numeric("x", x), numeric("strong", strong), numeric("weak", weak));
    const synthetic = table(numeric("x", x), numeric("strong", [...strong].reverse()), numeric("weak", weak));
    const result = columnPairTrends(alignTables(real, synthetic).columns);
    const counted = result.pairs.filter((p) => p.meetsThreshold);
    expect(counted.map((p) => `${p.column1}-${p.column2}`)).toEqual(["x-strong"]);
    expect(result.score).toBeCloseTo(counted[0]!.score, 15);
    expect(result.allPairsScore).toBeCloseTo(result.pairs.reduce((s, p) => s + p.score, 0) / 3, 15);
    // The strong real correlation is lost in the synthetic table: little association retained.
    expect(associationRetained(result.pairs)).toBeLessThan(0.2);
  });
});
