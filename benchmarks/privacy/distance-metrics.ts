/**
 * The distance-based privacy metrics, all on SDMetrics' row distance (DCR: mean over columns of
 * min(|x − y| / range, 1) for numbers and datetimes, [x ≠ y] for categories; value vs missing 1,
 * missing vs missing 0), computed exactly over all pairs by the native kernels — never a JS loop
 * over pairs.
 * - DCRBaselineProtection = min(median DCR(synthetic → real) / median DCR(random → real), 1).
 * - DCROverfittingProtection = min(2·(1 − p), 1), p = share of synthetic rows strictly closer to
 *   the training rows than to the holdout rows (each DCR scaled by its own reference's ranges,
 *   as SDMetrics does). The 2·(1 − p) form assumes that a generator which memorizes nothing is
 *   as close to either table (p = ½), which holds only when both tables have the same size: a
 *   training table twice the holdout's puts a fresh row nearer a training row about ⅔ of the time.
 *   `balancedDcrOverfitting` therefore compares against a seeded sample of the training rows of
 *   the holdout's size, and keeps the literal full-training figure (SDMetrics 0.29) beside it.
 * - NNDR: nearest / second-nearest real distance of each synthetic row (0/0 counts as 0: a
 *   synthetic row that copies a duplicated real row is as exposed as it gets).
 * - Membership inference: a record's score is minus its DCR to the synthetic table; training rows
 *   are members, holdout rows non-members; the ROC AUC says how well that separates them.
 */
import { type MixedRows, nearestNeighborsAsync } from "../../kernels/index.js";
import { SeededRandom } from "../seeded-random.js";
import { inverseRanges, sampleMixedRows } from "./mixed-rows.js";

export interface DistanceContext {
  numericCount: number;
  categoricalCount: number;
}

/** DCR of every row of `rows` to `reference`, with `reference`'s column ranges. */
export async function distanceToClosestRecord(
  rows: MixedRows,
  reference: MixedRows,
  context: DistanceContext,
  invRange = inverseRanges(reference, context.numericCount),
): Promise<Float64Array> {
  const result = await nearestNeighborsAsync(rows, reference, { ...context, invRange, k: 1 });
  return result.distance;
}

export function median(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface DcrBaselineResult {
  score: number;
  medianDcrSyntheticToReal: number;
  medianDcrRandomToReal: number;
  /** The synthetic rows' DCRs and the random rows' DCRs (for the report's histogram). */
  syntheticDcr: Float64Array;
  randomDcr: Float64Array;
}

export async function dcrBaselineProtection(real: MixedRows, synthetic: MixedRows, random: MixedRows, context: DistanceContext): Promise<DcrBaselineResult> {
  const invRange = inverseRanges(real, context.numericCount);
  const syntheticDcr = await distanceToClosestRecord(synthetic, real, context, invRange);
  const randomDcr = await distanceToClosestRecord(random, real, context, invRange);
  const medianSynthetic = median(syntheticDcr);
  const medianRandom = median(randomDcr);
  return {
    score: medianRandom === 0 ? Number.NaN : Math.min(medianSynthetic / medianRandom, 1),
    medianDcrSyntheticToReal: medianSynthetic,
    medianDcrRandomToReal: medianRandom,
    syntheticDcr,
    randomDcr,
  };
}

export interface DcrOverfittingResult {
  score: number;
  closerToTraining: number;
  closerToHoldout: number;
}

export async function dcrOverfittingProtection(
  training: MixedRows,
  synthetic: MixedRows,
  holdout: MixedRows,
  context: DistanceContext,
  syntheticToTraining?: Float64Array,
): Promise<DcrOverfittingResult> {
  const toTraining = syntheticToTraining ?? (await distanceToClosestRecord(synthetic, training, context));
  const toHoldout = await distanceToClosestRecord(synthetic, holdout, context);
  let closer = 0;
  for (let i = 0; i < toTraining.length; i++) if (toTraining[i]! < toHoldout[i]!) closer++;
  const closerToTraining = closer / toTraining.length;
  return { score: Math.min(2 * (1 - closerToTraining), 1), closerToTraining, closerToHoldout: 1 - closerToTraining };
}

export interface BalancedDcrOverfittingResult extends DcrOverfittingResult {
  /** Training rows compared (a seeded sample of the holdout's size when the training table is larger). */
  trainingRows: number;
  trainingRowsTotal: number;
  holdoutRows: number;
  trainingSubsampled: boolean;
  /** The same metric against every training row, as SDMetrics 0.29 computes it (biased low when training > holdout). */
  fullTraining: DcrOverfittingResult;
}

/**
 * DCR overfitting protection with equal-size references: the training side is a seeded uniform
 * sample of `holdout.rows` training rows when it is larger (see the file comment for why).
 * `syntheticToTraining` (DCRs to the whole training table) saves one pass for the full figure.
 */
export async function balancedDcrOverfitting(
  training: MixedRows,
  synthetic: MixedRows,
  holdout: MixedRows,
  context: DistanceContext,
  seed: number,
  syntheticToTraining?: Float64Array,
): Promise<BalancedDcrOverfittingResult> {
  const fullTraining = await dcrOverfittingProtection(training, synthetic, holdout, context, syntheticToTraining);
  const base = { trainingRowsTotal: training.rows, holdoutRows: holdout.rows, fullTraining };
  if (training.rows <= holdout.rows) return { ...fullTraining, ...base, trainingRows: training.rows, trainingSubsampled: false };
  const sampled = sampleMixedRows(training, holdout.rows, new SeededRandom(seed));
  const balanced = await dcrOverfittingProtection(sampled, synthetic, holdout, context);
  return { ...balanced, ...base, trainingRows: sampled.rows, trainingSubsampled: true };
}

export interface NndrResult {
  median: number;
  mean: number;
  /** Share of synthetic rows with NNDR < 0.5 (much closer to one real row than to any other). */
  shareBelowHalf: number;
}

export async function nearestNeighborDistanceRatio(synthetic: MixedRows, real: MixedRows, context: DistanceContext): Promise<NndrResult> {
  if (real.rows < 2) return { median: Number.NaN, mean: Number.NaN, shareBelowHalf: Number.NaN };
  const invRange = inverseRanges(real, context.numericCount);
  const { distance } = await nearestNeighborsAsync(synthetic, real, { ...context, invRange, k: 2 });
  const ratios = new Float64Array(synthetic.rows);
  let sum = 0;
  let below = 0;
  for (let i = 0; i < synthetic.rows; i++) {
    const d1 = distance[2 * i]!;
    const d2 = distance[2 * i + 1]!;
    const ratio = d2 === 0 ? 0 : d1 / d2;
    ratios[i] = ratio;
    sum += ratio;
    if (ratio < 0.5) below++;
  }
  return { median: median(ratios), mean: sum / synthetic.rows, shareBelowHalf: below / synthetic.rows };
}

/** ROC AUC of `scores` (higher = more likely positive), ties counted half (Mann–Whitney U). */
export function rocAuc(positives: Float64Array, negatives: Float64Array): number {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) return Number.NaN;
  const all = new Float64Array(n1 + n0);
  all.set(positives);
  all.set(negatives, n1);
  const order = Array.from({ length: all.length }, (_, i) => i).sort((a, b) => all[a]! - all[b]!);
  // Average ranks over ties, then U = Σ ranks(positives) − n1(n1+1)/2.
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && all[order[j + 1]!] === all[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (order[k]! < n1) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

export interface MembershipInferenceResult {
  /** ROC AUC of "closer to a synthetic row ⇒ member"; 0.5 = no leak, 1 = every member exposed. */
  auc: number;
  members: number;
  nonMembers: number;
}

export async function membershipInference(
  training: MixedRows,
  holdout: MixedRows,
  synthetic: MixedRows,
  context: DistanceContext,
): Promise<MembershipInferenceResult> {
  // Distances scaled by the training table's ranges for both groups, so the attacker uses one ruler.
  const invRange = inverseRanges(training, context.numericCount);
  const memberDcr = await distanceToClosestRecord(training, synthetic, context, invRange);
  const nonMemberDcr = await distanceToClosestRecord(holdout, synthetic, context, invRange);
  const negate = (values: Float64Array) => values.map((v) => -v);
  return { auc: rocAuc(negate(memberDcr), negate(nonMemberDcr)), members: training.rows, nonMembers: holdout.rows };
}
