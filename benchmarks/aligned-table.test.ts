import { describe, expect, test } from "vitest";
import { alignTables } from "./aligned-table.js";
import { ScoreInputError } from "./errors.js";
import { categorical, numeric, table } from "./test-tables.js";

describe("alignTables", () => {
  const real = table(numeric("x", [1, 2]), categorical("c", ["a", "b"]));
  test("mismatched columns: a one-line error naming the missing and extra columns", () => {
    const other = table(numeric("x", [1]), categorical("d", ["a"]));
    expect(() => alignTables(real, other)).toThrow(ScoreInputError);
    expect(() => alignTables(real, other)).toThrow(/missing "c"; not in the real table: "d"/);
  });
  test("a column typed differently in the two tables", () => {
    const other = table(numeric("x", [1]), numeric("c", [1]));
    expect(() => alignTables(real, other)).toThrow(/"c" is categorical in the real table but numerical in the synthetic table/);
  });
  test("empty tables are refused", () => {
    expect(() => alignTables(real, table(numeric("x", []), categorical("c", [])))).toThrow(/synthetic table is empty/);
    expect(() => alignTables(table(numeric("x", []), categorical("c", [])), real)).toThrow(/real table is empty/);
  });
  test("a holdout with other columns is refused", () => {
    expect(() => alignTables(real, real, table(numeric("x", [1])))).toThrow(/holdout table's columns do not match/);
  });
  test("categories are re-coded by label; real labels first, synthetic-only labels after", () => {
    const synthetic = table(numeric("x", [1, 2, 3]), categorical("c", ["z", "b", null], { categoriesOrder: ["b", "z", "unused"] }));
    const [, column] = alignTables(real, synthetic).columns;
    if (column?.kind !== "discrete") throw new Error("expected a discrete column");
    expect(column.labels).toEqual(["a", "b", "z", "unused"]);
    expect(column.realLabelCount).toBe(2);
    expect(Array.from(column.synthetic)).toEqual([2, 1, -1]);
  });
});
