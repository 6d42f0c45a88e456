import { describe, expect, test } from "vitest";
import { alignTables, type DiscreteColumnPair } from "../aligned-table.js";
import { scoreTables } from "../report/score-tables.js";
import { categorical, table } from "../test-tables.js";
import { rareCombinations } from "./rare-combinations.js";

/** `count` copies of each (sex, relationship, colour) triple. */
function rows(spec: Array<[number, string | null, string | null, string]>) {
  const sex: (string | null)[] = [];
  const relationship: (string | null)[] = [];
  const colour: string[] = [];
  for (const [count, s, r, c] of spec) {
    for (let i = 0; i < count; i++) {
      sex.push(s);
      relationship.push(r);
      colour.push(c);
    }
  }
  return table(categorical("sex", sex), categorical("relationship", relationship), categorical("colour", colour));
}

// 200 real rows: 100 men (60 husbands), 100 women (50 wives). Independence puts 100·60/200 = 30
// women among husbands and 25 men among wives; the table has none: both are almost-never cells
// (so are Male+blue, Husband+blue and Wife+red). "teal" appears 3 times, never with a wife:
// expected 3·50/200 < 10, so that is not a rule.
const real = rows([
  [60, "Male", "Husband", "red"],
  [37, "Male", "Other", "red"],
  [3, "Male", "Other", "teal"],
  [50, "Female", "Wife", "blue"],
  [40, "Female", "Other", "blue"],
  [10, "Female", null, "red"],
]);

describe("rareCombinations", () => {
  test("counts synthetic rows in cells the real table almost never shows, and the real share", () => {
    const synthetic = rows([
      [40, "Male", "Husband", "red"],
      [7, "Female", "Husband", "blue"],
      [3, "Male", "Wife", "red"],
      [2, "Female", "Wife", "teal"], // teal + wife: not a rule (expected < 10)
      [30, "Female", "Other", "blue"],
      [18, "Female", "Partner", "red"], // a label the real table never has: not a real cell
    ]);
    const aligned = alignTables(real, synthetic);
    const result = rareCombinations(aligned.columns as DiscreteColumnPair[], aligned.realRows, aligned.syntheticRows);
    const sexRelationship = result.combinations.filter((c) => c.columns[0] === "sex" && c.columns[1] === "relationship");
    expect(sexRelationship.map((c) => [c.values, c.realRows, c.syntheticRows])).toEqual([
      [["Female", "Husband"], 0, 7],
      [["Male", "Wife"], 0, 3],
    ]);
    expect(sexRelationship[0]!.expectedRows).toBeCloseTo(30, 12);
    // 7 + 3 rows break a rule (several at once: Female+Husband+blue also breaks Husband+blue).
    expect(result.syntheticShare).toBeCloseTo(10 / 100, 15);
    expect(result.realShare).toBe(0);
    expect(result.combinations.find((c) => c.columns[0] === "relationship" && c.values[0] === "Husband" && c.values[1] === "blue")?.syntheticRows).toBe(7);
    expect(result.combinations.some((c) => c.values.includes("teal"))).toBe(false);
  });

  test("a synthetic table with the real rows breaks exactly as often as the real one; the report carries it", async () => {
    const report = await scoreTables(real, real, { privacy: false });
    expect(report.rareCombinations.syntheticShare).toBe(report.rareCombinations.realShare);
    expect(report.rareCombinations.combinationCount).toBeGreaterThanOrEqual(2);
  });

  test("missing is a value: a pair whose missing cell is never seen with a common category is a rule", () => {
    const withNulls = rows([
      [50, "Male", null, "red"],
      [50, "Female", "Wife", "blue"],
    ]);
    const synthetic = rows([
      [4, "Female", null, "blue"],
      [6, "Male", null, "red"],
    ]);
    const aligned = alignTables(withNulls, synthetic);
    const result = rareCombinations(aligned.columns as DiscreteColumnPair[], aligned.realRows, aligned.syntheticRows);
    expect(result.combinations.find((c) => c.columns[0] === "sex" && c.columns[1] === "relationship" && c.values[0] === "Female")?.values).toEqual([
      "Female",
      null,
    ]);
    // Female + missing and blue + missing: the same 4 rows.
    expect(result.syntheticShare).toBeCloseTo(0.4, 15);
  });
});

test("a combination seen a few times is still almost never when independence predicts 100 times more", () => {
  // 1,000 men of whom 500 husbands and 1,000 women of whom k are "husbands": independence
  // expects 1,000·(500 + k)/2,000 ≈ 251 women among husbands, so k = 2 (≤ 2.51) is a rule, k = 3 is not.
  const make = (femaleHusbands: number) =>
    rows([
      [500, "Male", "Husband", "red"],
      [500, "Male", "Other", "red"],
      [femaleHusbands, "Female", "Husband", "red"],
      [1000 - femaleHusbands, "Female", "Other", "red"],
    ]);
  const flagged = (t: ReturnType<typeof make>) => {
    const aligned = alignTables(t, t);
    return rareCombinations(aligned.columns as DiscreteColumnPair[], aligned.realRows, aligned.syntheticRows).combinations.map((c) => c.values.join("+"));
  };
  expect(flagged(make(2))).toEqual(["Female+Husband"]);
  expect(flagged(make(3))).toEqual([]);
});
