/**
 * FederatedSpec with its defaults filled in, and SubmitJob's checks of it: every rule names the
 * field, its range and what to change (INVALID_ARGUMENT).
 */
import type { FederatedSpecOut, JobSpecOut } from "../../proto/index.js";
import { InvalidArgumentError } from "../errors.js";
import { updateNoiseMultiplier } from "./dp-accounting.js";

export const STRATEGIES = ["fedavg", "fedprox", "fedadam", "fedyogi", "median", "trimmed_mean"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** A federated job's settings with defaults applied. */
export interface FederatedSettings {
  readonly datasetId: string;
  readonly targetColumn: string;
  readonly task: "classification" | "regression";
  readonly hiddenLayerSizes: readonly number[];
  readonly rounds: number;
  readonly localEpochs: number;
  readonly localBatchSize: number;
  readonly learningRate: number;
  readonly strategy: StrategyName;
  readonly proximalMu: number;
  readonly serverLearningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  readonly trimFraction: number;
  readonly fractionFit: number;
  readonly minHolders: number;
  readonly roundDeadlineSeconds: number;
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
  readonly targetQuantile: number;
  readonly clipLearningRate: number;
  /** σ_b; 0 = use expected cohort / 20 when adaptive clipping runs with DP. */
  readonly clipCountNoiseMultiplier: number;
  readonly delta: number;
  readonly shardsPerHolder: number;
  readonly purpose: string;
  readonly maxRoundRetries: number;
  readonly holderIds: readonly string[];
  /** Total ε budget (JobSpec.epsilon); 0 for a non-DP job. */
  readonly epsilon: number;
  readonly seed: number;
}

const orDefault = (value: number, fallback: number): number => (value === 0 ? fallback : value);

/** The settings of a federated job spec, defaults applied (not validated: see validateFederatedSpec). */
export function federatedSettings(spec: JobSpecOut): FederatedSettings {
  const f = spec.federated as FederatedSpecOut;
  return {
    datasetId: f.datasetId,
    targetColumn: f.targetColumn,
    task: (f.task || "classification") as FederatedSettings["task"],
    hiddenLayerSizes: [...f.hiddenLayerSizes],
    rounds: orDefault(f.rounds, 10),
    localEpochs: orDefault(f.localEpochs, 1),
    localBatchSize: orDefault(f.localBatchSize, 64),
    learningRate: orDefault(f.learningRate, 0.05),
    strategy: (f.strategy || "fedavg") as StrategyName,
    proximalMu: f.proximalMu,
    serverLearningRate: orDefault(f.serverLearningRate, 0.01),
    beta1: orDefault(f.beta1, 0.9),
    beta2: orDefault(f.beta2, 0.99),
    tau: orDefault(f.tau, 1e-3),
    trimFraction: orDefault(f.trimFraction, 0.1),
    fractionFit: orDefault(f.fractionFit, 1),
    minHolders: orDefault(f.minHolders, 2),
    roundDeadlineSeconds: orDefault(f.roundDeadlineSeconds, 300),
    clipNorm: f.clipNorm,
    noiseMultiplier: f.noiseMultiplier,
    targetQuantile: f.targetQuantile,
    clipLearningRate: orDefault(f.clipLearningRate, 0.2),
    clipCountNoiseMultiplier: f.clipCountNoiseMultiplier,
    delta: orDefault(f.delta, 1e-5),
    shardsPerHolder: Math.max(1, f.shardsPerHolder),
    purpose: f.purpose,
    maxRoundRetries: f.maxRoundRetries === 0 ? 2 : f.maxRoundRetries,
    holderIds: [...f.holderIds],
    epsilon: spec.epsilon ?? 0,
    seed: spec.seed ?? 0,
  };
}

function range(ok: boolean, field: string, rule: string, value: unknown): void {
  if (!ok) throw new InvalidArgumentError(`federated.${field} ${rule}, got ${String(value)}; fix it and submit again.`);
}

const DATASET_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** SubmitJob's checks of a FEDERATED_TRAINING spec; throws InvalidArgumentError naming the rule. */
export function validateFederatedSpec(spec: JobSpecOut): FederatedSettings {
  if (!spec.federated) throw new InvalidArgumentError("a federated job needs spec.federated (FederatedSpec): dataset_id, target_column, rounds, …");
  const s = federatedSettings(spec);
  range(DATASET_ID.test(s.datasetId), "dataset_id", "must be 1..128 characters of [A-Za-z0-9._-] (the name holders registered)", JSON.stringify(s.datasetId));
  range(s.targetColumn.length > 0 && s.targetColumn.length <= 256, "target_column", "must name the column to predict", JSON.stringify(s.targetColumn));
  range(s.task === "classification" || s.task === "regression", "task", 'must be "classification" or "regression"', JSON.stringify(s.task));
  range(s.hiddenLayerSizes.length <= 8, "hidden_layer_sizes", "must list at most 8 layers", s.hiddenLayerSizes.length);
  for (const width of s.hiddenLayerSizes) range(width >= 1 && width <= 4096, "hidden_layer_sizes", "must be widths of 1 .. 4096", width);
  range(s.rounds >= 1 && s.rounds <= 10_000, "rounds", "must be 1 .. 10000", s.rounds);
  range(s.localEpochs >= 1 && s.localEpochs <= 100, "local_epochs", "must be 1 .. 100", s.localEpochs);
  range(s.localBatchSize >= 1 && s.localBatchSize <= 65_536, "local_batch_size", "must be 1 .. 65536", s.localBatchSize);
  range(s.learningRate > 0 && s.learningRate <= 10, "learning_rate", "must be > 0 and at most 10", s.learningRate);
  range((STRATEGIES as readonly string[]).includes(s.strategy), "strategy", `must be one of ${STRATEGIES.join(", ")}`, JSON.stringify(s.strategy));
  range(s.proximalMu >= 0 && s.proximalMu <= 10, "proximal_mu", "must be 0 .. 10", s.proximalMu);
  range(s.proximalMu === 0 || s.strategy === "fedprox", "proximal_mu", 'applies only with strategy "fedprox"', s.proximalMu);
  range(s.serverLearningRate > 0 && s.serverLearningRate <= 10, "server_learning_rate", "must be > 0 and at most 10", s.serverLearningRate);
  range(s.beta1 >= 0 && s.beta1 < 1, "beta1", "must be in [0, 1)", s.beta1);
  range(s.beta2 >= 0 && s.beta2 < 1, "beta2", "must be in [0, 1)", s.beta2);
  range(s.tau > 0 && s.tau <= 1, "tau", "must be in (0, 1]", s.tau);
  range(s.trimFraction > 0 && s.trimFraction < 0.5, "trim_fraction", "must be in (0, 0.5)", s.trimFraction);
  range(s.fractionFit > 0 && s.fractionFit <= 1, "fraction_fit", "must be in (0, 1]", s.fractionFit);
  range(s.minHolders >= 1 && s.minHolders <= 10_000, "min_holders", "must be 1 .. 10000", s.minHolders);
  range(s.roundDeadlineSeconds >= 1 && s.roundDeadlineSeconds <= 86_400, "round_deadline_seconds", "must be 1 .. 86400", s.roundDeadlineSeconds);
  range(s.clipNorm >= 0 && Number.isFinite(s.clipNorm), "clip_norm", "must be >= 0 (0 = no clipping in a non-DP job)", s.clipNorm);
  range(s.noiseMultiplier >= 0 && s.noiseMultiplier <= 1000, "noise_multiplier", "must be 0 .. 1000 (0 = no DP)", s.noiseMultiplier);
  range(s.targetQuantile >= 0 && s.targetQuantile < 1, "target_quantile", "must be in (0, 1), or 0 for a fixed clip_norm", s.targetQuantile);
  range(s.clipLearningRate > 0 && s.clipLearningRate <= 10, "clip_learning_rate", "must be > 0 and at most 10", s.clipLearningRate);
  range(s.clipCountNoiseMultiplier >= 0, "clip_count_noise_multiplier", "must be >= 0", s.clipCountNoiseMultiplier);
  range(s.delta > 0 && s.delta < 1e-3, "delta", "must be in (0, 0.001)", s.delta);
  range(s.shardsPerHolder <= 1000, "shards_per_holder", "must be 0 .. 1000", s.shardsPerHolder);
  range(s.purpose.length <= 200, "purpose", "must be at most 200 characters", s.purpose.length);
  range(s.maxRoundRetries <= 10, "max_round_retries", "must be 0 .. 10", s.maxRoundRetries);
  for (const id of s.holderIds) range(DATASET_ID.test(id), "holder_ids", "must be node ids of [A-Za-z0-9._-]", JSON.stringify(id));
  const dp = s.noiseMultiplier > 0;
  if (dp) {
    range(s.clipNorm > 0, "clip_norm", "must be > 0 when noise_multiplier > 0 (the noise is scaled to it)", s.clipNorm);
    if (!(s.epsilon > 0)) throw new InvalidArgumentError("a federated job with noise_multiplier > 0 needs spec.epsilon (the total budget); set it.");
    if (s.strategy === "median" || s.strategy === "trimmed_mean") {
      throw new InvalidArgumentError(
        `federated.strategy "${s.strategy}" cannot run with noise_multiplier > 0 (its sensitivity is not bounded by clip_norm); use fedavg.`,
      );
    }
    if (s.targetQuantile > 0 && s.clipCountNoiseMultiplier > 0) {
      try {
        updateNoiseMultiplier(s.noiseMultiplier, s.clipCountNoiseMultiplier);
      } catch (error) {
        throw new InvalidArgumentError(`federated.${(error as Error).message}`);
      }
    }
  } else if (s.epsilon > 0) {
    throw new InvalidArgumentError("spec.epsilon needs federated.noise_multiplier > 0 (a federated job without noise spends no budget); set both or neither.");
  }
  if (s.targetQuantile > 0) range(s.clipNorm > 0, "clip_norm", "must be > 0 with target_quantile (it is the initial bound)", s.clipNorm);
  return s;
}
