import { describe, expect, test } from "vitest";
import { scoreTables } from "../../benchmarks/index.js";
import { createSeededSource } from "../../privacy/index.js";
import { loadTable } from "../../tabular/index.js";
import { checkDpRequest } from "../dp-request.js";
import { ADULT_PATH, loadDeclared, SEATTLE_PATH, seattleDateAsId } from "../dp-test-tables.js";
import { parseSynthModel, serializeModel } from "../model-file.js";
import { fitChowLiu, fitMst } from "./fit-mst.js";
import { MstSampler, sampleMstTable } from "./mst-sampler.js";

const adult = await loadDeclared(ADULT_PATH);
const quality = async (model: Parameters<typeof sampleMstTable>[0], seed: number) =>
  (await scoreTables(adult.table, await sampleMstTable(model, adult.table.rowCount, { seed }), { privacy: false })).quality;

describe("MST on Adult (32,561 rows × 15)", () => {
  test("ε = 1 keeps SDMetrics quality near the private ceiling and records its budget", async () => {
    const request = checkDpRequest("mst", 1, undefined, adult.table.rowCount)!;
    const model = fitMst(adult.table, adult.schema, request, createSeededSource("mst-adult-1"));
    // Bench (benchmarks/results/dp-synth-2026-12-02.json): mean 0.9710 over 3 seeds, lowest 0.9697.
    // 0.96 leaves room for noise on one seed; a broken estimator or sampler lands far below (independent columns score ~0.88).
    expect((await quality(model, 1)).score).toBeGreaterThan(0.96);
    // Adult has no nulls; noise-level missing cells (below 3σ₁) must not turn into null rows.
    const synthetic = await sampleMstTable(model, adult.table.rowCount, { seed: 1 });
    for (const column of synthetic.columns) {
      if ("codes" in column) expect(column.codes.some((code) => code < 0)).toBe(false);
      else if (column.values instanceof Float64Array) expect(column.values.some(Number.isNaN)).toBe(false);
    }
    expect(model.privacy).toMatchObject({ epsilon: 1, delta: 1e-9, neighbours: "add or remove one row", privateRandomness: false });
    const spent = model.privacy!.mechanisms.reduce((sum, m) => sum + m.rho, 0);
    // The three steps spend exactly the budget (the paper's thirds).
    expect(spent).toBeCloseTo(request.rho, 12);
    expect(model.privacy!.mechanisms.map((m) => m.mechanism)).toEqual(["discrete Gaussian", "exponential mechanism", "discrete Gaussian"]);
    expect(model.warnings.join(" ")).toMatch(/NOT PRIVATE/);
    // A tree: d − 1 parents, one root.
    expect(model.parent.filter((p) => p < 0)).toHaveLength(1);
  });

  test("quality rises with ε (bench: 0.919 at ε = 0.1, 0.978 at ε = 10, seeds within ±0.01)", async () => {
    const low = fitMst(adult.table, adult.schema, checkDpRequest("mst", 0.1, undefined, undefined)!, createSeededSource(1));
    const high = fitMst(adult.table, adult.schema, checkDpRequest("mst", 10, undefined, undefined)!, createSeededSource(1));
    expect((await quality(high, 2)).score).toBeGreaterThan((await quality(low, 2)).score + 0.04);
  });

  test("the seeded source makes fits and samples reproducible; rows do not depend on the chunking", async () => {
    const request = checkDpRequest("mst", 1, undefined, undefined)!;
    const a = fitMst(adult.table, adult.schema, request, createSeededSource(42));
    const b = fitMst(adult.table, adult.schema, request, createSeededSource(42));
    expect(serializeModel(a)).toBe(serializeModel(b));
    const c = fitMst(adult.table, adult.schema, request, createSeededSource(43));
    expect(serializeModel(c)).not.toBe(serializeModel(a));
    // Model file round trip.
    expect(parseSynthModel(serializeModel(a), "m.json")).toEqual(JSON.parse(JSON.stringify(a)));
    const rows = 70_000; // more than one 65,536-row block
    const whole = await new MstSampler(a, { seed: 5, totalRows: rows }).sampleChunk(0, rows);
    const sampler = new MstSampler(a, { seed: 5, totalRows: rows });
    const first = await sampler.sampleChunk(0, 1000);
    const middle = await sampler.sampleChunk(65_000, 2000);
    for (let column = 0; column < whole.columns.length; column++) {
      const all = whole.columns[column]! as { values?: Float64Array; codes?: Int32Array };
      const part = (first.columns[column]! as { values?: Float64Array; codes?: Int32Array }).values ?? (first.columns[column]! as { codes: Int32Array }).codes;
      const mid = (middle.columns[column]! as { values?: Float64Array; codes?: Int32Array }).values ?? (middle.columns[column]! as { codes: Int32Array }).codes;
      const full = all.values ?? all.codes!;
      expect(Array.from(part)).toEqual(Array.from(full.subarray(0, 1000)));
      expect(Array.from(mid)).toEqual(Array.from(full.subarray(65_000, 67_000)));
    }
  });
});

describe("tree models on seattle-weather (1,461 rows)", () => {
  test("MST at ε = 3 and Chow–Liu both keep the weather's shapes; values stay in the declared domain", async () => {
    const seattle = await loadDeclared(SEATTLE_PATH, seattleDateAsId);
    const request = checkDpRequest("mst", 3, undefined, seattle.table.rowCount)!;
    const model = fitMst(seattle.table, seattle.schema, request, createSeededSource(7));
    const synthetic = await sampleMstTable(model, 1461, { seed: 3 });
    const report = await scoreTables(seattle.table, synthetic, { privacy: false });
    // 1,461 rows is small for ε = 3: measured shapes 0.971, quality 0.922 (seed 7); 0.9 / 0.85 leave room for other seeds.
    expect(report.quality.columnShapes).toBeGreaterThan(0.9);
    expect(report.quality.score).toBeGreaterThan(0.85);
    const tempIndex = seattle.schema.columns.findIndex((c) => c.name === "temp_max");
    const declared = seattle.schema.columns[tempIndex]! as { min: number; max: number };
    for (const v of (synthetic.columns[tempIndex] as { values: Float64Array }).values) expect(v >= declared.min && v <= declared.max).toBe(true);

    const inferred = await loadTable(SEATTLE_PATH);
    const chowLiu = fitChowLiu(inferred.table, inferred.schema);
    expect(chowLiu.privacy).toBeNull();
    const exact = await scoreTables(inferred.table, await sampleMstTable(chowLiu, 1461, { seed: 3 }), { privacy: false });
    // The non-private tree reproduces its tree marginals up to rounding: measured quality 0.970, shapes 0.980.
    expect(exact.quality.score).toBeGreaterThan(0.95);
  });
});
