import { describe, expect, test } from "vitest";
import { alignTables } from "../aligned-table.js";
import { categorical, numeric, table } from "../test-tables.js";
import { categoricalCap, disclosureProtection, newRowSynthesis } from "./attribute-disclosure.js";
import { mixedRows, rowLayout } from "./mixed-rows.js";

describe("NewRowSynthesis", () => {
  test("numbers match within 1% of the synthetic value; null matches null only", () => {
    const real = table(numeric("x", [100, null]), categorical("c", ["a", "a"]));
    const synthetic = table(numeric("x", [100.9, 102, 100, null, null]), categorical("c", ["a", "a", "b", "a", "b"]));
    const aligned = alignTables(real, synthetic);
    const layout = rowLayout(aligned.columns);
    const context = { numericCount: 1, categoricalCount: 1 };
    // 100.9 (|Δ| 0.9 ≤ 1.009) matches; 102 (2 > 1.02) no; (100, b) no; (null, a) matches; (null, b) no.
    const result = newRowSynthesis(mixedRows(layout, "synthetic", 5), mixedRows(layout, "real", 2), context);
    expect(result.matchedRows).toBe(2);
    expect(result.score).toBeCloseTo(3 / 5, 15);
  });
});

describe("CategoricalCAP and DisclosureProtection", () => {
  const real = table(categorical("k", ["1", "2", "3"]), categorical("s", ["x", "x", "y"]));
  const synthetic = table(categorical("k", ["1", "1", "1", "2"]), categorical("s", ["x", "x", "y", "y"]));
  test("hand-computed CAP", () => {
    const [k, s] = alignTables(real, synthetic).columns;
    // Real (1,x): synthetic key 1 → x,x,y → 2/3. Real (2,x): key 2 → y → 0. Real key 3: unmatched.
    // CAP = 1 − (2/3 + 0)/2 = 2/3.
    expect(categoricalCap([k!], [s!], 3, 4)).toBeCloseTo(2 / 3, 15);
  });
  test("DisclosureProtection = min(CAP / (1 − 1/distinct sensitive values), 1)", () => {
    const [k, s] = alignTables(real, synthetic).columns;
    const result = disclosureProtection([k!], [s!], 3, 4);
    expect(result.baselineProtection).toBeCloseTo(0.5, 15);
    expect(result.score).toBe(1);
  });
  test("an integer key is matched by value", () => {
    const realInts = table(numeric("k", [1, 2], { integer: true }), categorical("s", ["x", "y"]));
    const syntheticInts = table(numeric("k", [1, 1, 3], { integer: true }), categorical("s", ["x", "y", "y"]));
    const [k, s] = alignTables(realInts, syntheticInts).columns;
    // Real (1,x): key 1 → x,y → ½; real key 2 unmatched. CAP = 1 − ½.
    expect(categoricalCap([k!], [s!], 2, 3)).toBeCloseTo(0.5, 15);
  });
  test("missing values are a category of their own, and a float key is cut into 10 bins", () => {
    const realWithNull = table(numeric("k", [0, 10, 10]), categorical("s", ["x", null, null]));
    const syntheticWithNull = table(numeric("k", [0.5, 9.5]), categorical("s", ["x", null]));
    const [k, s] = alignTables(realWithNull, syntheticWithNull).columns;
    // Bins of [0, 10]: 0 and 0.5 → bin 0; 9.5 and 10 → bin 9. Every real row is predicted right.
    const result = disclosureProtection([k!], [s!], 3, 2);
    expect(result.capProtection).toBe(0);
    expect(result.baselineProtection).toBeCloseTo(0.5, 15);
  });
});
