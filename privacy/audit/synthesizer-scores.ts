/**
 * Attack scores on fitted synthesizer models: how much probability the model gives the canary's
 * value. A white-box attack on the released model file — stronger than attacking sampled rows,
 * since the rows are a function of the model.
 */
import type { AimModel, CopulaModel, MstModel } from "../../generators/index.js";
import { CANARY_LABEL } from "./canary-tables.js";

/** P(column = canary value) under an MST model: the tree's marginal of the compressed group × the within-group weight. */
export function mstCanaryProbability(model: MstModel, column: string): number {
  const target = model.attributes.findIndex((a) => a.name === column);
  if (target < 0) throw new Error(`the MST model has no attribute "${column}"`);
  const sizes = model.compression.map((c) => c.groups.length);
  // Marginals in sampling order: the root's table, then Σ_parent P(parent) P(child | parent).
  const marginals: Float64Array[] = new Array(sizes.length);
  for (const a of model.order) {
    const table = model.probabilities[a]!;
    const parent = model.parent[a]!;
    if (parent < 0) {
      marginals[a] = Float64Array.from(table);
      continue;
    }
    const out = new Float64Array(sizes[a]!);
    const parentMarginal = marginals[parent]!;
    for (let p = 0; p < sizes[parent]!; p++) {
      for (let c = 0; c < sizes[a]!; c++) out[c]! += parentMarginal[p]! * table[p * sizes[a]! + c]!;
    }
    marginals[a] = out;
  }
  const attribute = model.attributes[target]!;
  if (attribute.kind !== "categorical") throw new Error(`attribute "${column}" is not categorical`);
  const cell = attribute.labels.indexOf(CANARY_LABEL);
  const compression = model.compression[target]!;
  for (let g = 0; g < compression.groups.length; g++) {
    const position = compression.groups[g]!.indexOf(cell);
    if (position >= 0) return marginals[target]![g]! * compression.groupWeights[g]![position]!;
  }
  throw new Error(`the canary cell of "${column}" is in no group`);
}

/** The canary value's frequency in a (DP) copula model's categorical column. */
export function copulaCanaryFrequency(model: CopulaModel, column: string): number {
  const model_ = model.columns.find((c) => c.name === column);
  if (model_ === undefined || model_.kind !== "categorical") throw new Error(`the copula model has no categorical column "${column}"`);
  const code = model_.categories.indexOf(CANARY_LABEL);
  const k = model_.order.indexOf(code);
  return k < 0 ? 0 : model_.frequencies[k]!;
}

/** P(column = canary value) under an AIM model: a clique's marginal of the compressed group × the within-group weight. */
export function aimCanaryProbability(model: AimModel, column: string): number {
  const target = model.attributes.findIndex((a) => a.name === column);
  if (target < 0) throw new Error(`the AIM model has no attribute "${column}"`);
  const attribute = model.attributes[target]!;
  if (attribute.kind !== "categorical") throw new Error(`attribute "${column}" is not categorical`);
  const sizes = model.compression.map((c) => c.groups.length);
  const home = model.cliques.findIndex((c) => c.includes(target));
  const clique = model.cliques[home]!;
  // Stride of the target attribute in the clique's row-major table (last attribute fastest).
  let stride = 1;
  for (let k = clique.length - 1; clique[k] !== target; k--) stride *= sizes[clique[k]!]!;
  const marginal = new Float64Array(sizes[target]!);
  model.potentials[home]!.forEach((p, x) => {
    marginal[Math.floor(x / stride) % sizes[target]!]! += p;
  });
  const cell = attribute.labels.indexOf(CANARY_LABEL);
  const compression = model.compression[target]!;
  for (let g = 0; g < compression.groups.length; g++) {
    const position = compression.groups[g]!.indexOf(cell);
    if (position >= 0) return marginal[g]! * compression.groupWeights[g]![position]!;
  }
  throw new Error(`the canary cell of "${column}" is in no group`);
}
