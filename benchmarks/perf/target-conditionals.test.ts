/**
 * The target-conditional comparison on Adult: zero for the real table against itself, clearly
 * positive for a copy whose income column is shuffled (the rate kept, every relation to it gone),
 * and largest on the columns that carry the most information about income.
 */
import { describe, expect, test } from "vitest";
import { loadTable, type Table } from "../../tabular/index.js";
import { targetConditionals } from "./target-conditionals.js";

const adult = (await loadTable("fixtures/adult/adult.csv")).table;

/** Adult with the income codes reversed in order (a fixed permutation: same rate, no relation). */
function shuffledIncome(table: Table): Table {
  return {
    ...table,
    columns: table.columns.map((column) => {
      if (column.schema.name !== "income") return column;
      const codes = (column as { codes: Int32Array }).codes;
      const moved = Int32Array.from(codes, (_, r) => codes[(r * 7919) % codes.length]!);
      return { ...column, codes: moved } as typeof column;
    }),
  };
}

describe("targetConditionals on Adult", () => {
  test("the real table against itself has no error and the same rate", () => {
    const same = targetConditionals(adult, adult, "income", ">50K");
    expect(same.total).toBe(0);
    expect(same.rate[0]).toBeCloseTo(0.2408, 3);
    expect(same.rate[1]).toBe(same.rate[0]);
  });

  test("income unrelated to the other columns: every relation's error shows, relationship's most", () => {
    const shuffled = targetConditionals(adult, shuffledIncome(adult), "income", ">50K");
    // 7919 is prime and does not divide 32,561, so the map is a permutation: the rate is unchanged.
    expect(shuffled.rate[1]).toBeCloseTo(shuffled.rate[0], 12);
    // Married husbands (41% of rows) are > 50K at 0.45 against 0.24 overall: relationship loses ~0.2.
    expect(shuffled.error["relationship"]!).toBeGreaterThan(0.15);
    expect(shuffled.error["relationship"]!).toBeGreaterThan(shuffled.error["fnlwgt"]!);
    expect(shuffled.error["education-num"]!).toBeGreaterThan(0.08);
    expect(Object.keys(shuffled.error)).toHaveLength(14);
  });
});
