/**
 * The holder's side of federated MST: three measurements of its own rows, each with discrete
 * Gaussian noise calibrated to its own budget (federated-budget.ts), so nothing it sends is an
 * exact statistic. The domain comes from the shared schema only; a plan from the coordinator is
 * checked before any row is read.
 *
 *  - `measureOneWays`: the d 1-way marginals over the schema's cells.
 *  - `measureSelectionScores`: for every pair (i, j), ‖M_ij^k − R_ij^k‖₁ where M^k is the holder's
 *    2-way table over the plan's compressed cells and R^k = round(n̂_k · p̂_i^k ⊗ p̂_j^k) its public
 *    reference, built from its own noisy 1-ways (plan values only; rounded to integers so the score
 *    is an integer and one row moves it by exactly ±1: sensitivity 1 per score, √P for the lot).
 *  - `measureTreeMarginals`: the tree's d − 1 2-way tables over the compressed cells.
 */
import { discreteGaussianNoise, type PrivacySource } from "../../privacy/index.js";
import type { Table, TableSchema } from "../../tabular/index.js";
import { encodeTable } from "../discrete-domain.js";
import type { DpRequest } from "../dp-request.js";
import { GeneratorError } from "../errors.js";
import { countCells, countPairs } from "../mst/contingency.js";
import { allPairs } from "../mst/tree-selection.js";
import { holderNoiseFor, type StepNoise } from "./federated-budget.js";
import { checkPlan, domainFingerprint, type PlannedCompression, SCORES_KEY, type SelectionPlan, sharedDomain, type TreePlan } from "./federated-plan.js";
import type { HolderMeasurement, MeasurementBlock, MeasurementRound } from "./measurement-file.js";

/** Who measures, with which budget and noise source. */
export interface HolderContext {
  holder: string;
  table: Table;
  /** The shared schema the job declares (the holder's table must have been read with it). */
  schema: TableSchema;
  /** The holder's budget for this job: ρ is split in thirds over the three rounds. */
  request: DpRequest;
  source: PrivacySource;
}

function checkRows(context: HolderContext): void {
  if (context.table.rowCount === 0) throw new GeneratorError(`holder "${context.holder}" has no rows to measure; leave it out of the job.`);
}

function measurement(context: HolderContext, round: MeasurementRound, domain: string, noise: StepNoise, blocks: MeasurementBlock[]): HolderMeasurement {
  return {
    round,
    holder: context.holder,
    domain,
    release: { mechanism: "discrete Gaussian", rho: noise.rho, sigma: noise.sigma, sensitivity: noise.sensitivity, count: noise.count },
    privateRandomness: context.source.privateRandomness,
    blocks,
  };
}

function remap(codes: Int32Array, compression: PlannedCompression): Int32Array {
  const out = new Int32Array(codes.length);
  for (let r = 0; r < codes.length; r++) out[r] = compression.map[codes[r]!]!;
  return out;
}

/** Round 1: noisy 1-way marginals of every attribute, over the schema's original cells. */
export function measureOneWays(context: HolderContext): HolderMeasurement {
  checkRows(context);
  const domain = sharedDomain(context.schema);
  const d = domain.attributes.length;
  const noise = holderNoiseFor(context.request.rho, d, "1-way marginals");
  const codes = encodeTable(context.table, domain);
  const blocks = codes.map((c, i) => ({
    key: `1:${i}`,
    values: discreteGaussianNoise(countCells(c, domain.attributes[i]!.size), noise.sigma, context.source),
  }));
  return measurement(context, "one-way", domainFingerprint(domain), noise, blocks);
}

/** Round 2: noisy L1 distances of every pair's 2-way table from the plan's independent reference. */
export function measureSelectionScores(context: HolderContext, plan: SelectionPlan): HolderMeasurement {
  checkRows(context);
  const domain = sharedDomain(context.schema);
  checkPlan(plan, domain, context.holder);
  const d = domain.attributes.length;
  const noise = holderNoiseFor(context.request.rho, d, "selection scores");
  const codes = encodeTable(context.table, domain).map((c, i) => remap(c, plan.compression[i]!));
  const sizes = plan.compression.map((c) => c.attribute.groups.length);
  const { rows, independent } = plan.holders[context.holder]!;
  const pairs = allPairs(d);
  const scores = new Float64Array(pairs.length);
  pairs.forEach(([i, j], k) => {
    const counts = countPairs(codes[i]!, sizes[i]!, codes[j]!, sizes[j]!);
    const p = independent[i]!;
    const q = independent[j]!;
    let distance = 0;
    for (let a = 0; a < sizes[i]!; a++) for (let b = 0; b < sizes[j]!; b++) distance += Math.abs(counts[a * sizes[j]! + b]! - Math.round(rows * p[a]! * q[b]!));
    scores[k] = distance;
  });
  const blocks = [{ key: SCORES_KEY, values: discreteGaussianNoise(scores, noise.sigma, context.source) }];
  return measurement(context, "selection", plan.domain, noise, blocks);
}

/** Round 3: noisy 2-way marginals of the plan's tree over the compressed cells. */
export function measureTreeMarginals(context: HolderContext, plan: TreePlan): HolderMeasurement {
  checkRows(context);
  const domain = sharedDomain(context.schema);
  checkPlan(plan, domain, context.holder);
  const noise = holderNoiseFor(context.request.rho, domain.attributes.length, "2-way marginals of the tree");
  const codes = encodeTable(context.table, domain).map((c, i) => remap(c, plan.compression[i]!));
  const sizes = plan.compression.map((c) => c.attribute.groups.length);
  const blocks = plan.tree.map(([i, j]) => ({
    key: `2:${i},${j}`,
    values: discreteGaussianNoise(countPairs(codes[i]!, sizes[i]!, codes[j]!, sizes[j]!), noise.sigma, context.source),
  }));
  return measurement(context, "tree", plan.domain, noise, blocks);
}
