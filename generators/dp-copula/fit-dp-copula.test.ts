import { describe, expect, test } from "vitest";
import { scoreTables } from "../../benchmarks/index.js";
import { createSeededSource } from "../../privacy/index.js";
import { sampleTable } from "../copula-sampler.js";
import { checkDpRequest } from "../dp-request.js";
import { ADULT_PATH, loadDeclared, SEATTLE_PATH, seattleDateAsId } from "../dp-test-tables.js";
import { serializeModel } from "../model-file.js";
import { BUDGET_SPLIT, fitDpCopula } from "./fit-dp-copula.js";

const adult = await loadDeclared(ADULT_PATH);

describe("DP copula on Adult", () => {
  test("ε = 1: SDMetrics quality above the 0.92 target's noise band, budget fully accounted", async () => {
    const request = checkDpRequest("dp-copula", 1, undefined, adult.table.rowCount)!;
    const model = fitDpCopula(adult.table, adult.schema, request, createSeededSource("copula-1"));
    const synthetic = await sampleTable(model, adult.table.rowCount, { seed: 1 });
    const report = await scoreTables(adult.table, synthetic, { privacy: false });
    // Bench (benchmarks/results/dp-synth-2026-12-02.json): 0.9269–0.9306 over 3 seeds; 0.915 allows one unlucky seed, frequency-ordered
    // categories (no private order) measured 0.912, so a broken order step fails here.
    expect(report.quality.score).toBeGreaterThan(0.915);
    const privacy = model.privacy!;
    expect(privacy.neighbours).toBe("replace one row (n public)");
    expect(privacy.mechanisms.reduce((s, m) => s + m.rho, 0)).toBeCloseTo(request.rho, 12);
    expect(privacy.budgetSplit).toEqual({
      "1-way histograms": BUDGET_SPLIT.histograms,
      "category order": BUDGET_SPLIT.categoryOrder,
      "Kendall's tau": BUDGET_SPLIT.kendallTau,
    });
    // Same seed, same model bytes; another seed, other noise.
    expect(serializeModel(fitDpCopula(adult.table, adult.schema, request, createSeededSource("copula-1")))).toBe(serializeModel(model));
    expect(serializeModel(fitDpCopula(adult.table, adult.schema, request, createSeededSource("copula-2")))).not.toBe(serializeModel(model));
  });

  test("quality rises with ε (bench: 0.841 at ε = 0.1, 0.934 at ε = 10)", async () => {
    const score = async (epsilon: number) => {
      const model = fitDpCopula(adult.table, adult.schema, checkDpRequest("dp-copula", epsilon, undefined, undefined)!, createSeededSource(3));
      return (await scoreTables(adult.table, await sampleTable(model, adult.table.rowCount, { seed: 3 }), { privacy: false })).quality.score;
    };
    expect(await score(10)).toBeGreaterThan((await score(0.1)) + 0.04);
  });
});

describe("DP copula on seattle-weather", () => {
  test("keeps temperatures correlated and inside the declared bounds", async () => {
    const seattle = await loadDeclared(SEATTLE_PATH, seattleDateAsId);
    const model = fitDpCopula(seattle.table, seattle.schema, checkDpRequest("dp-copula", 3, undefined, seattle.table.rowCount)!, createSeededSource(5));
    const synthetic = await sampleTable(model, 1461, { seed: 5 });
    const column = (name: string) => (synthetic.columns[seattle.schema.columns.findIndex((c) => c.name === name)] as { values: Float64Array }).values;
    const hi = column("temp_max");
    const lo = column("temp_min");
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    const mh = mean(hi);
    const ml = mean(lo);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < hi.length; i++) {
      sxy += (hi[i]! - mh) * (lo[i]! - ml);
      sxx += (hi[i]! - mh) ** 2;
      syy += (lo[i]! - ml) ** 2;
    }
    // Real Pearson r(temp_max, temp_min) = 0.875; τ noise at ε = 3, n = 1461 is σ_τ ≈ 0.03, so r > 0.75 is a safe bound.
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.75);
    const declared = seattle.schema.columns.find((c) => c.name === "temp_max")! as { min: number; max: number };
    for (const v of hi) expect(v >= declared.min && v <= declared.max).toBe(true);
  });
});
