import { describe, expect, test } from "vitest";
import { alignTables } from "../aligned-table.js";
import { categorical, idColumn, numeric, table } from "../test-tables.js";
import { boundaryAdherence, categoryAdherence, diagnostic, keyUniqueness, tableStructure } from "./diagnostic.js";

const nan = Number.NaN;

describe("Diagnostic", () => {
  test("BoundaryAdherence: share of synthetic values within the real [min, max]", () => {
    expect(boundaryAdherence(Float64Array.of(0, 10), Float64Array.of(-1, 0, 5, 10, 11))).toBeCloseTo(3 / 5, 15);
  });
  test("BoundaryAdherence null quirk: synthetic nulls are dropped only when the real column has nulls", () => {
    // Real without nulls: a synthetic null is out of bounds (2 of 3 inside).
    expect(boundaryAdherence(Float64Array.of(0, 10), Float64Array.of(1, 2, nan))).toBeCloseTo(2 / 3, 15);
    // Real with a null: nulls dropped on both sides (2 of 2 inside).
    expect(boundaryAdherence(Float64Array.of(0, 10, nan), Float64Array.of(1, 2, nan))).toBe(1);
  });
  test("CategoryAdherence: a synthetic-only category misses; a synthetic null adheres iff the real has nulls", () => {
    const real = table(categorical("c", ["a", "b", "b"]));
    const synthetic = table(categorical("c", ["a", "z", null, "b"]));
    const [column] = alignTables(real, synthetic).columns;
    if (column?.kind !== "discrete") throw new Error("expected a discrete column");
    expect(categoryAdherence(column.real, column.synthetic, column.realLabelCount)).toBeCloseTo(2 / 4, 15);
    const realWithNull = table(categorical("c", ["a", null, "b"]));
    const [withNull] = alignTables(realWithNull, synthetic).columns;
    if (withNull?.kind !== "discrete") throw new Error("expected a discrete column");
    expect(categoryAdherence(withNull.real, withNull.synthetic, withNull.realLabelCount)).toBeCloseTo(3 / 4, 15);
  });
  test("KeyUniqueness counts nulls and repeats of earlier keys", () => {
    expect(keyUniqueness(["1", "2", "2", null, "3", null])).toBeCloseTo(1 - 3 / 6, 15);
  });
  test("TableStructure is the Jaccard index of (name, type) pairs", () => {
    expect(
      tableStructure(
        [
          { name: "a", type: "numerical" },
          { name: "b", type: "categorical" },
        ],
        [
          { name: "a", type: "numerical" },
          { name: "b", type: "numerical" },
        ],
      ),
    ).toBeCloseTo(1 / 3, 15);
  });
  test("the report averages Data Validity over columns and with Data Structure", () => {
    const real = table(numeric("n", [0, 10]), categorical("c", ["a", "b"]), idColumn("id", ["1", "2"]));
    const synthetic = table(numeric("n", [5, 20]), categorical("c", ["a", "a"]), idColumn("id", ["9", "9"]));
    const result = diagnostic(alignTables(real, synthetic).columns);
    expect(result.columns.map((c) => c.metric)).toEqual(["BoundaryAdherence", "CategoryAdherence", "KeyUniqueness"]);
    expect(result.dataValidity).toBeCloseTo((0.5 + 1 + 0.5) / 3, 15);
    expect(result.dataStructure).toBe(1);
    expect(result.score).toBeCloseTo((result.dataValidity + 1) / 2, 15);
  });
});
