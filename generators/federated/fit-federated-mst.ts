/**
 * The coordinator's fit after the last round: one MST model from the holders' summed
 * measurements, with MST's estimator unchanged (fit-mst.ts, step 4) — the inverse-variance
 * combination of each attribute's 1-way sum and the row sums of its tree tables, projected onto
 * the simplex of n̂, then each tree table projected and raked to those 1-ways — only with the
 * summed noise σ² = Σ_k σ_k² of each release in place of one fit's σ². Post-processing of the sums.
 */
import type { TableSchema } from "../../tabular/index.js";
import type { DpRecord } from "../dp-record.js";
import { GeneratorError } from "../errors.js";
import { projectToSimplex, rakeToMargins } from "../mst/contingency.js";
import { estimateOneWays, IPF_ITERATIONS, noNullsBelowNoise } from "../mst/fit-mst.js";
import { type CompressedAttribute, MST_GENERATOR_NAME, type MstModel, pairKey, treeFactorisation } from "../mst/mst-model.js";
import { FEDERATED_MST_SPLIT, type FederatedAccounting } from "./federated-budget.js";
import { checkRound, compressVector, oneWayKeys, rowsFromOneWays, sharedDomain, sumRound, type TreePlan, treeKeys } from "./federated-plan.js";
import type { HolderMeasurement } from "./measurement-file.js";

/** The model's privacy record: the weakest holder's guarantee, each step at the largest holder share, σ of the sums. */
function privacyRecord(accounting: FederatedAccounting, privateRandomness: boolean): DpRecord {
  const rho = Math.max(...accounting.holders.map((h) => h.rho));
  return {
    epsilon: accounting.epsilon,
    delta: accounting.delta,
    rho,
    neighbours: accounting.neighbours,
    privateRandomness,
    domain: "shared schema file (numerical min/max, categorical categories, boolean labels)",
    budgetSplit: { ...FEDERATED_MST_SPLIT },
    mechanisms: accounting.summed.map((s, k) => ({
      release: `${s.step} (summed over ${accounting.holders.length} holders, each noised at its site)`,
      mechanism: "discrete Gaussian",
      rho: Math.max(...accounting.holders.map((h) => h.steps[k]!.rho)),
      count: s.count,
      sigma: s.sigma,
      sensitivity: s.sensitivity,
    })),
  };
}

/** Fits the model from round 1 (1-way) and round 3 (tree) measurements and the tree plan. */
export function fitFederatedMst(
  schema: TableSchema,
  oneWay: readonly HolderMeasurement[],
  tree: readonly HolderMeasurement[],
  plan: TreePlan,
  accounting: FederatedAccounting,
): MstModel {
  const domain = sharedDomain(schema);
  const d = domain.attributes.length;
  checkRound(oneWay, "one-way", plan.domain, oneWayKeys(d));
  checkRound(tree, "tree", plan.domain, treeKeys(plan.tree));
  const answered = new Set(oneWay.map((m) => m.holder));
  const missing = tree.find((m) => !answered.has(m.holder));
  // A holder in the tree round but not in the 1-way round would make the sums measure different populations.
  if (missing !== undefined || tree.length !== oneWay.length)
    throw new GeneratorError("the tree round was answered by other holders than the 1-way round; every holder must answer every round of a job.");

  checkAgainstAccounting([...oneWay, ...tree], accounting);

  const first = sumRound(oneWay);
  const noisyOneWay = first.blocks;
  const sigma1 = first.sigma;
  const second = sumRound(tree);
  const sigma2 = second.sigma;
  const rows = rowsFromOneWays(noisyOneWay);
  // noNullsBelowNoise edits group weights: work on a copy of the plan's compression.
  const compressed = plan.compression.map((c) => ({ map: Int32Array.from(c.map), attribute: structuredClone(c.attribute) as CompressedAttribute }));
  const sizes = compressed.map((c) => c.attribute.groups.length);
  const y1 = noisyOneWay.map((y, i) => compressVector(y, plan.compression[i]!));
  const y2 = new Map<string, Float64Array>();
  plan.tree.forEach(([i, j], k) => {
    y2.set(pairKey(i, j), second.blocks[k]!);
  });
  const oneWayEstimate = estimateOneWays(y1, compressed, sigma1, plan.tree, y2, sizes, sigma2, rows);
  noNullsBelowNoise(noisyOneWay, compressed, oneWayEstimate, 3 * sigma1, rows);
  const twoWay = new Map<string, Float64Array>();
  for (const [i, j] of plan.tree) {
    const estimate = projectToSimplex(y2.get(pairKey(i, j))!, rows);
    rakeToMargins(estimate, oneWayEstimate[i]!, oneWayEstimate[j]!, IPF_ITERATIONS, 1e-9 * rows);
    twoWay.set(pairKey(i, j), estimate);
  }
  const privateRandomness = [...oneWay, ...tree].every((m) => m.privateRandomness);
  const factorisation = treeFactorisation(sizes, plan.tree, oneWayEstimate, twoWay);
  return {
    format: "datalab-model",
    version: 1,
    generator: MST_GENERATOR_NAME,
    schema,
    training: { rows: Math.round(rows) },
    attributes: domain.attributes,
    compression: compressed.map((c) => c.attribute),
    ...factorisation,
    privacy: privacyRecord(accounting, privateRandomness),
    warnings: privateRandomness ? [] : ["NOT PRIVATE: at least one holder's noise came from a seeded test source"],
  };
}

/**
 * Each measurement must come from a holder in the accounting and carry the σ its budget implies:
 * the estimator weighs by σ, and the record promises each holder's ρ.
 */
function checkAgainstAccounting(measurements: readonly HolderMeasurement[], accounting: FederatedAccounting): void {
  const byHolder = new Map(accounting.holders.map((h) => [h.holder, h]));
  const stepOf = { "one-way": 0, selection: 1, tree: 2 } as const;
  for (const m of measurements) {
    const account = byHolder.get(m.holder);
    if (account === undefined) throw new GeneratorError(`holder "${m.holder}" answered but has no budget in the job's accounting; it cannot be counted.`);
    const expected = account.steps[stepOf[m.round]]!;
    if (Math.abs(m.release.sigma - expected.sigma) > 1e-9 * expected.sigma || Math.abs(m.release.rho - expected.rho) > 1e-12)
      throw new GeneratorError(
        `holder "${m.holder}" measured its ${m.round} round with σ = ${m.release.sigma} (ρ = ${m.release.rho}); its budget ρ = ${account.rho} implies σ = ${expected.sigma}. Rerun the job with the holder's budget.`,
      );
  }
  if (new Set(measurements.map((m) => m.holder)).size !== accounting.holders.length)
    throw new GeneratorError("some holders in the job's accounting sent no measurement; every holder must answer every round.");
}
