import { describe, expect, test } from "vitest";
import { scoreTables } from "../../benchmarks/index.js";
import { createSeededSource } from "../../privacy/index.js";
import type { NumericalColumnSchema, TableSchema } from "../../tabular/index.js";
import { sampleTable } from "../copula-sampler.js";
import { checkDpRequest } from "../dp-request.js";
import { ADULT_PATH, loadDeclared } from "../dp-test-tables.js";
import { fitSynthModel } from "../fit-synth-model.js";
import { modelOptionsProblem } from "../model-names.js";
import { BUDGET_SPLIT, fitDpCopula } from "./fit-dp-copula.js";
import { boundsGrid, openNumericColumns } from "./private-bounds.js";

const adult = await loadDeclared(ADULT_PATH);
/** Adult's schema with every numerical column's min/max removed: what a user who declares no bounds gives. */
const open: TableSchema = {
  ...adult.schema,
  columns: adult.schema.columns.map((c) => (c.type === "numerical" ? { ...c, min: null, max: null } : c)),
};
const numericNames = openNumericColumns(open);

describe("DP copula bounds from a stated share of the budget", () => {
  test("without declared bounds and without the option: one line naming the column and both fixes", () => {
    const request = checkDpRequest("dp-copula", 1, undefined, adult.table.rowCount)!;
    expect(() => fitDpCopula(adult.table, open, request, createSeededSource(1))).toThrow(
      /column "age" has no declared min\/max; .*set "min" and "max".* or spend a share of the budget on private bounds with --bounds-epsilon-share F/,
    );
    expect(() => fitDpCopula(adult.table, open, request, createSeededSource(1), { boundsEpsilonShare: 1 })).toThrow(/must be a number in \(0, 1\), got 1/);
    // Other models take every bound from the schema.
    expect(() =>
      fitSynthModel(adult.table, open, { model: "mst", epsilon: 1, userSchema: open, boundsEpsilonShare: 0.1, privacySource: createSeededSource(1) }),
    ).toThrow(/--bounds-epsilon-share applies to --model dp-copula/);
  });

  test("ε = 1 with share 0.2: bounds cover most of Adult, the split adds up to ρ, quality stays near the declared-bounds fit", async () => {
    expect(numericNames).toEqual(["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]);
    const request = checkDpRequest("dp-copula", 1, undefined, adult.table.rowCount)!;
    const model = fitDpCopula(adult.table, open, request, createSeededSource("bounds-1"), { boundsEpsilonShare: 0.2 });
    for (const name of numericNames) {
      const declared = model.schema.columns.find((c) => c.name === name) as NumericalColumnSchema;
      expect(declared.min).not.toBeNull();
      expect(declared.max).not.toBeNull();
      const values = (adult.table.columns.find((c) => c.schema.name === name) as { values: Float64Array }).values;
      const inside = values.filter((v) => v >= declared.min! && v <= declared.max!).length / values.length;
      // The 2% / 98% quantiles cover 96% of a continuous column (more with point masses at 0);
      // the selection's rank error at this budget is a few hundred rows: 0.9 leaves room for it.
      expect(inside, name).toBeGreaterThan(0.9);
      // And the bounds are near the data, not the grid's ±10^9 ends: within one decade of the real range.
      let max = 0;
      for (const v of values) max = Math.max(max, Math.abs(v));
      expect(Math.max(Math.abs(declared.min!), Math.abs(declared.max!)), name).toBeLessThanOrEqual(10 * max);
    }
    const privacy = model.privacy!;
    expect(privacy.rho).toBeCloseTo(request.rho, 15);
    expect(privacy.mechanisms.reduce((s, m) => s + m.rho, 0)).toBeCloseTo(request.rho, 12);
    expect(Object.values(privacy.budgetSplit).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(privacy.budgetSplit["numeric bounds"]).toBe(0.2);
    expect(privacy.budgetSplit["1-way histograms"]).toBeCloseTo(0.8 * BUDGET_SPLIT.histograms, 12);
    expect(privacy.mechanisms[0]).toMatchObject({ mechanism: "exponential mechanism", count: 12, sensitivity: 1 });
    expect(privacy.domain).toMatch(/bounds of age, fnlwgt, .* bought with 0.2 of ρ/);
    const report = await scoreTables(adult.table, await sampleTable(model, adult.table.rowCount, { seed: 1 }), { privacy: false });
    // Declared bounds give 0.927–0.931 (dp-synth bench); 0.8 of the budget and slightly narrower ranges cost a little.
    expect(report.quality.score).toBeGreaterThan(0.88);
  }, 60_000);

  test("the grid is fixed (data-independent), sorted, and spans ±10^9 with 0", () => {
    const grid = boundsGrid();
    expect(grid.every((g, i) => i === 0 || g > grid[i - 1]!)).toBe(true);
    expect(grid).toContain(0);
    expect(grid[0]).toBeCloseTo(-1e9, 0);
    expect(grid[grid.length - 1]).toBeCloseTo(1e9, 0);
  });

  test("model_options_json takes bounds_epsilon_share for dp_copula with epsilon only", () => {
    expect(modelOptionsProblem("dp_copula", 1, { bounds_epsilon_share: 0.1 })).toBeNull();
    expect(modelOptionsProblem("dp_copula", 1, { bounds_epsilon_share: 0 })).toMatch(/must be a number in \(0, 1\), got 0/);
    expect(modelOptionsProblem("mst", 1, { bounds_epsilon_share: 0.1 })).toMatch(/only a DP copula fit/);
    expect(modelOptionsProblem("dp_copula", undefined, { bounds_epsilon_share: 0.1 })).toMatch(/only a DP copula fit/);
  });
});
