import { describe, expect, test } from "vitest";
import { alignTables } from "../aligned-table.js";
import { SeededRandom } from "../seeded-random.js";
import { categorical, datetime, numeric, table } from "../test-tables.js";
import { ksComplement, ksStatisticSorted, sortFloat64, tvComplement } from "./column-shapes.js";
import { columnShapes } from "./quality-report.js";

/** Reference KS: evaluate both ECDFs at every sample point, O(n·m), float64. */
function bruteForceKs(a: number[], b: number[]): number {
  const ecdf = (xs: number[], t: number) => xs.filter((x) => x <= t).length / xs.length;
  let d = 0;
  for (const t of [...a, ...b]) d = Math.max(d, Math.abs(ecdf(a, t) - ecdf(b, t)));
  return d;
}

describe("KSComplement", () => {
  test("hand-computed, with nulls dropped", () => {
    // Real {1,2,3,4}, synthetic {3,4,5,6} (nulls dropped): the ECDFs differ most at x=2 (0.5 vs 0)
    // and x=4 (1 vs 0.5): D = 0.5.
    expect(ksComplement(Float64Array.of(1, 2, Number.NaN, 3, 4), Float64Array.of(3, Number.NaN, 4, 5, 6))).toBeCloseTo(0.5, 15);
  });
  test("identical samples score 1, disjoint samples 0", () => {
    expect(ksComplement(Float64Array.of(1, 2, 2, 3), Float64Array.of(3, 2, 1, 2))).toBe(1);
    expect(ksComplement(Float64Array.of(1, 2), Float64Array.of(5, 6, 7))).toBe(0);
  });
  test("a constant column against itself scores 1, against another constant 0", () => {
    expect(ksComplement(Float64Array.of(7, 7, 7), Float64Array.of(7, 7))).toBe(1);
    expect(ksComplement(Float64Array.of(7, 7, 7), Float64Array.of(8, 8))).toBe(0);
  });
  test("an all-null side gives NaN (left out of the Column Shapes average)", () => {
    expect(ksComplement(Float64Array.of(1, 2), Float64Array.of(Number.NaN))).toBeNaN();
  });
  test("datetimes are compared as numbers", () => {
    const real = table(datetime("d", ["2020-01-01", "2020-01-02", "2020-01-03", null]));
    const synthetic = table(datetime("d", ["2020-01-02", "2020-01-03", "2020-01-04", "2020-01-05"]));
    // ECDFs (real {1,2,3} days, synthetic {2,3,4,5}): at 01-01 1/3 vs 0, at 01-02 2/3 vs 1/4,
    // at 01-03 1 vs 1/2 → D = 1/2.
    expect(columnShapes(alignTables(real, synthetic).columns)[0]!.score).toBeCloseTo(0.5, 15);
  });
  test("matches the brute-force ECDF reference on fresh random samples with ties", () => {
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const a = Array.from({ length: 50 + random.integer(100) }, () => random.integer(30) / 3);
      const b = Array.from({ length: 50 + random.integer(100) }, () => random.integer(40) / 3);
      const d = ksStatisticSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort());
      expect(d).toBeCloseTo(bruteForceKs(a, b), 14);
    }
  });
});

test("the radix sort orders like Float64Array.prototype.sort (negatives, ±0, infinities, ties)", () => {
  const random = new SeededRandom(17);
  const specials = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, -Number.MIN_VALUE, 1e308, -1e308];
  const values = Float64Array.from({ length: 20_000 }, (_, i) =>
    i < specials.length ? specials[i]! : random.uniform() < 0.3 ? random.integer(50) - 25 : random.normal() * 10 ** random.integer(12),
  );
  const expected = Float64Array.from(values).sort();
  const actual = sortFloat64(Float64Array.from(values));
  // Compare with Object.is so that −0 before +0 is checked too.
  expect(Array.from(actual).every((v, i) => Object.is(v, expected[i]))).toBe(true);
});

describe("TVComplement", () => {
  test("hand-computed with nulls dropped", () => {
    // Real a,a,b (null dropped) → (2/3, 1/3); synthetic a,b,b,b → (1/4, 3/4).
    // TV = ½(|1/4 − 2/3| + |3/4 − 1/3|) = 5/12.
    const real = table(categorical("c", ["a", "a", null, "b"]));
    const synthetic = table(categorical("c", ["b", "a", "b", "b"]));
    expect(columnShapes(alignTables(real, synthetic).columns)[0]!.score).toBeCloseTo(1 - 5 / 12, 15);
  });
  test("a category present only in the synthetic table counts with SDMetrics' 1e−6 regularization", () => {
    // Real a,b; synthetic a,c. Real counts {a:1, b:1, c:1e−6}, total 2+1e−6.
    const real = table(categorical("c", ["a", "b"]));
    const synthetic = table(categorical("c", ["c", "a"]));
    const total = 2 + 1e-6;
    const expected = 1 - 0.5 * (Math.abs(0.5 - 1 / total) + Math.abs(0 - 1 / total) + Math.abs(0.5 - 1e-6 / total));
    expect(columnShapes(alignTables(real, synthetic).columns)[0]!.score).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(0.5, 5);
  });
  test("labels are aligned by name, not by code", () => {
    const real = table(categorical("c", ["x", "y", "y"]));
    const synthetic = table(categorical("c", ["y", "y", "x"], { categoriesOrder: ["y", "x"] }));
    expect(columnShapes(alignTables(real, synthetic).columns)[0]!.score).toBe(1);
  });
  test("a column with no present value gives NaN", () => {
    expect(tvComplement(Int32Array.of(-1, -1), Int32Array.of(0), 1)).toBeNaN();
  });
});

describe("Column Shapes", () => {
  test("numeric and categorical columns get their metric; constant columns are fine", () => {
    const real = table(numeric("n", [1, 1, 1]), categorical("c", ["k", "k", "k"]));
    const synthetic = table(numeric("n", [1, 1, 2]), categorical("c", ["k", "k", "k"]));
    const shapes = columnShapes(alignTables(real, synthetic).columns);
    expect(shapes.map((s) => s.metric)).toEqual(["KSComplement", "TVComplement"]);
    expect(shapes[0]!.score).toBeCloseTo(2 / 3, 15);
    expect(shapes[1]!.score).toBe(1);
  });
});
