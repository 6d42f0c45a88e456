import { describe, expect, test } from "vitest";
import { scoreTables } from "../../benchmarks/index.js";
import { createSeededSource, epsilonFromRho } from "../../privacy/index.js";
import { checkDpRequest } from "../dp-request.js";
import { serializeModel } from "../model-file.js";
import { fitMst } from "../mst/fit-mst.js";
import { sampleMstTable } from "../mst/mst-sampler.js";
import { federatedAccounting, pairCount } from "./federated-budget.js";
import { planSelection, planTree, sharedDomain, type TreePlan } from "./federated-plan.js";
import { fitFederatedMst } from "./fit-federated-mst.js";
import { measureOneWays, measureSelectionScores, measureTreeMarginals } from "./holder-measurements.js";
import { runFederatedMst } from "./run-federated-mst.js";
import { adultHolders, rowsWhere } from "./testing/adult-slices.js";

const adult = await adultHolders();
const request = checkDpRequest("mst", 1, undefined, undefined)!;
const d = sharedDomain(adult.schema).attributes.length;
const holdersAt = (seed: number | string, requests = [request, request, request]) =>
  adult.holders.map((h, k) => ({ ...h, request: requests[k]!, source: createSeededSource(`${seed}-${h.holder}`) }));
const quality = async (model: Parameters<typeof sampleMstTable>[0], seed: number) =>
  (await scoreTables(adult.pooled, await sampleMstTable(model, adult.pooled.rowCount, { seed }), { privacy: false })).quality.score;

describe("federated MST over 3 holders of Adult split by marital status", () => {
  test("the slices differ and cover Adult", () => {
    expect(adult.holders.map((h) => h.table.rowCount)).toEqual([14_999, 10_683, 6_879]);
    expect(adult.holders.reduce((s, h) => s + h.table.rowCount, 0)).toBe(adult.pooled.rowCount);
  });

  test("quality at ε = 1 per holder is within 0.03 of MST on the pooled rows at ε = 1 (mean of 3 seeds)", async () => {
    const federated: number[] = [];
    const pooled: number[] = [];
    for (const seed of [1, 2, 3]) {
      federated.push(await quality(runFederatedMst(adult.schema, holdersAt(seed)).model, seed));
      pooled.push(await quality(fitMst(adult.pooled, adult.schema, request, createSeededSource(seed)), seed));
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    // Measured: federated 0.9366 / 0.9701 / 0.9352, pooled 0.9697 / 0.9712 / 0.9722 (gap of the means 0.024).
    expect(mean(pooled) - mean(federated)).toBeLessThan(0.03);
    // Per seed the gap is bimodal: ~0 when education-num's smallest cell (value 1, 51 rows) survives its noise,
    // ~0.035 when it does not (the synthetic minimum becomes 2 and SDMetrics bins each table's own range,
    // which halves two pair scores). The federated sum has √3 times the noise, so it loses the cell more often.
    // 0.045 admits that, while a broken protocol (e.g. a star tree around the split column: 0.92) fails.
    for (let k = 0; k < 3; k++) expect(pooled[k]! - federated[k]!).toBeLessThan(0.045);
    expect(Math.min(...federated)).toBeGreaterThan(0.93);
  });

  test("the accounting: each holder spends exactly its own ρ, the sums carry Σσ² and the model records the weakest guarantee", () => {
    const requests = [checkDpRequest("mst", 0.5, undefined, undefined)!, request, checkDpRequest("mst", 2, 1e-8, undefined)!];
    const run = runFederatedMst(adult.schema, holdersAt(9, requests));
    const { accounting } = run;
    accounting.holders.forEach((holder, k) => {
      expect(holder.rho).toBe(requests[k]!.rho);
      expect(holder.steps.reduce((s, step) => s + step.rho, 0)).toBeCloseTo(requests[k]!.rho, 15);
      expect(holder.steps.map((s) => s.count)).toEqual([d, pairCount(d), d - 1]);
      // σ = Δ/√(2ρ_step): the Gaussian mechanism's ρ is exactly the step's share.
      for (const step of holder.steps) expect((step.sensitivity * step.sensitivity) / (2 * step.sigma * step.sigma)).toBeCloseTo(step.rho, 15);
    });
    accounting.summed.forEach((sum, s) => {
      const variance = accounting.holders.reduce((v, h) => v + h.steps[s]!.sigma ** 2, 0);
      expect(sum.sigma ** 2).toBeCloseTo(variance, 6);
      expect(sum.rhoOfSum).toBeCloseTo(sum.sensitivity ** 2 / (2 * variance), 15);
      // Against the sums, a row is better protected than by its own holder's noise alone.
      expect(sum.rhoOfSum).toBeLessThan(Math.min(...accounting.holders.map((h) => h.steps[s]!.rho)));
    });
    expect(accounting.epsilon).toBe(2);
    expect(accounting.delta).toBe(1e-8);
    expect(accounting.epsilonOfSums).toBeCloseTo(epsilonFromRho(accounting.rhoOfSums, 1e-8), 12);
    const privacy = run.model.privacy!;
    expect(privacy).toMatchObject({
      epsilon: 2,
      delta: 1e-8,
      rho: requests[2]!.rho,
      neighbours: "add or remove one row of one holder",
      privateRandomness: false,
    });
    expect(privacy.mechanisms.reduce((s, m) => s + m.rho, 0)).toBeCloseTo(requests[2]!.rho, 15);
    expect(privacy.mechanisms.map((m) => m.sigma)).toEqual(accounting.summed.map((s) => s.sigma));
    expect(run.model.warnings.join(" ")).toMatch(/NOT PRIVATE/);
  });

  test("the noise a holder adds has the variance its budget promises", () => {
    const [holder] = holdersAt("noise");
    const quiet = { ...holder!, schema: adult.schema, source: createSeededSource("quiet", { testOnlyNoiseScaleFactor: 1e-9 }) };
    const exact = measureOneWays(quiet);
    const noisy = measureOneWays({ ...holder!, schema: adult.schema });
    let sum = 0;
    let count = 0;
    noisy.blocks.forEach((b, k) => {
      b.values.forEach((v, c) => {
        sum += (v - exact.blocks[k]!.values[c]!) ** 2;
        count++;
      });
    });
    // Σ z²/σ² over `count` independent cells is χ²(count); count ≈ 400, so ±5 standard deviations is ±0.35 relative.
    const ratio = sum / count / noisy.release.sigma ** 2;
    expect(Math.abs(ratio - 1)).toBeLessThan(5 * Math.sqrt(2 / count));
    expect(noisy.release.sigma).toBeCloseTo(Math.sqrt(d) / Math.sqrt((2 * request.rho) / 3), 9);
  });

  test("one added row moves every selection score by exactly 1 (the sensitivity the noise is calibrated to)", () => {
    const contexts = holdersAt(5).map((h) => ({ ...h, schema: adult.schema }));
    const plan = planSelection(
      adult.schema,
      contexts.map((c) => measureOneWays(c)),
    );
    const quiet = (table: typeof adult.pooled) => ({ ...contexts[2]!, table, source: createSeededSource("quiet", { testOnlyNoiseScaleFactor: 1e-9 }) });
    const base = measureSelectionScores(quiet(contexts[2]!.table), plan).blocks[0]!.values;
    const slice = contexts[2]!.table;
    const withRow = rowsWhere({ ...slice, rowCount: slice.rowCount + 1 }, () => true);
    // The extra row repeats row 17 of the slice.
    withRow.columns.forEach((column, i) => {
      const source = slice.columns[i]!;
      if ("codes" in column && "codes" in source) column.codes[slice.rowCount] = source.codes[17]!;
      else if ("values" in column && "values" in source && column.values instanceof Float64Array && source.values instanceof Float64Array)
        column.values[slice.rowCount] = source.values[17]!;
    });
    const moved = measureSelectionScores(quiet(withRow), plan).blocks[0]!.values;
    expect(base.length).toBe(pairCount(d));
    for (let k = 0; k < base.length; k++) expect(Math.abs(moved[k]! - base[k]!)).toBe(1);
  });

  test("the same holders' seeds give the same model; other seeds another", () => {
    const a = runFederatedMst(adult.schema, holdersAt(42));
    const b = runFederatedMst(adult.schema, holdersAt(42));
    expect(serializeModel(a.model)).toBe(serializeModel(b.model));
    expect(a.treePlan).toEqual(b.treePlan);
    expect(serializeModel(runFederatedMst(adult.schema, holdersAt(43)).model)).not.toBe(serializeModel(a.model));
  });

  test("the holder refuses a plan it did not agree to; the coordinator refuses mismatched measurements", () => {
    const contexts = holdersAt(6).map((h) => ({ ...h, schema: adult.schema }));
    const oneWay = contexts.map((c) => measureOneWays(c));
    const selectionPlan = planSelection(adult.schema, oneWay);
    const treePlan = planTree(
      adult.schema,
      contexts.map((c) => measureSelectionScores(c, selectionPlan)),
      selectionPlan,
    );
    const repeated: TreePlan = { ...treePlan, tree: [...treePlan.tree.slice(0, -1), treePlan.tree[0]!] };
    expect(() => measureTreeMarginals(contexts[0]!, repeated)).toThrow(/tree plan has an invalid edge .*; the holder refuses it/);
    expect(() => measureTreeMarginals(contexts[0]!, { ...treePlan, domain: "0".repeat(64) })).toThrow("is over another schema than the holder's");
    expect(() => measureSelectionScores({ ...contexts[0]!, holder: "stranger" }, selectionPlan)).toThrow('has no reference for holder "stranger"');
    const tree = contexts.map((c) => measureTreeMarginals(c, treePlan));
    const accounting = federatedAccounting(contexts, d);
    expect(() => fitFederatedMst(adult.schema, oneWay, tree.slice(0, 2), treePlan, accounting)).toThrow(/every holder must answer every round/);
    expect(() => fitFederatedMst(adult.schema, oneWay, [...tree.slice(0, 2), tree[1]!], treePlan, accounting)).toThrow(
      'holder "never-married" answered the tree round twice',
    );
    const cheap = federatedAccounting(
      contexts.map((c) => ({ ...c, request: checkDpRequest("mst", 3, undefined, undefined)! })),
      d,
    );
    expect(() => fitFederatedMst(adult.schema, oneWay, tree, treePlan, cheap)).toThrow(
      /measured its one-way round with σ = .*; its budget ρ = .* implies σ = /,
    );
    expect(() => planSelection(adult.schema, [oneWay[0]!, tree[1]!])).toThrow('holder "never-married" sent a tree measurement to the one-way round');
  });
});
