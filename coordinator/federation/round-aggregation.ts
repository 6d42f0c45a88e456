/**
 * Closing a round: from the running sum (or, for median / trimmed mean, the stored updates) to
 * the next global model.
 *   non-DP:  Δ = Σ n_k u_k / Σ n_k                          (FedAvg weights: example counts)
 *   DP:      Δ = (Σ clip_C(u_k) + N(0, (z_Δ C)²)) / m         (McMahan et al. 2018; m = q · N · shards)
 * then the server step (server-optimizer.ts) and, with adaptive clipping, the next C.
 * DP noise: privacy/'s exact discrete Gaussian on a grid of step g = C / (100 √n), from an
 * AES-CTR source keyed by the job's secret and the round (the same noise after a restart; not
 * derivable by the requester, who never sees the secret). On the grid the L2 sensitivity grows to
 * C/g + √n (privacy/noise.ts, gridL2Sensitivity), so σ is scaled by that factor (1 + 1/100).
 */
import { createSeededSource, discreteGaussianNoise, gridL2Sensitivity, type PrivacySource } from "../../privacy/index.js";
import type { Manifest } from "../../proto/index.js";
import { nextClipNorm, noisyUnclippedFraction } from "./adaptive-clipping.js";
import { updateNoiseMultiplier } from "./dp-accounting.js";
import type { FederatedSettings } from "./federated-spec.js";
import { parameterCount } from "./model-layout.js";
import { type ModelChunks, readModel, storeModel } from "./model-chunks.js";
import { chunkedRangeReader, coordinateRobustMean } from "./robust-aggregation.js";
import type { CollectedRound } from "./round-collector.js";
import type { FederatedJobRow } from "./round-store.js";
import { applyServerStep, type ServerStrategyName } from "./server-optimizer.js";
import type { StreamingUpdateSum } from "./streaming-sum.js";

export interface RoundResult {
  model: Manifest;
  optimizer: Manifest | undefined;
  nextClipNorm: number;
  meanLoss: number;
}

export interface CloseRoundInput {
  settings: FederatedSettings;
  row: FederatedJobRow;
  sum: StreamingUpdateSum;
  /** The global model `row.model` (n values), stepped in place into the next one. */
  global: Float32Array;
  collected: CollectedRound;
  chunks: ModelChunks;
  round: number;
  eligibleHolders: number;
  expectedCohort: number;
}

const NOISE_BLOCK = 65_536;

/** σ_b of the clipped-count query: the setting, or m / 20 (Andrew et al. 2021's suggestion). */
export function countNoiseStd(settings: FederatedSettings, expectedCohort: number): number {
  if (settings.noiseMultiplier === 0) return 0;
  return settings.clipCountNoiseMultiplier > 0 ? settings.clipCountNoiseMultiplier : expectedCohort / 20;
}

/** Adds the DP-FedAvg noise for a sum of updates clipped to C, in place, block by block. */
export function addSumNoise(sum: Float32Array, noiseMultiplier: number, clipNorm: number, source: PrivacySource): void {
  const n = sum.length;
  const granularity = clipNorm / (100 * Math.sqrt(n));
  // σ in grid steps = z · (sensitivity on the grid); back in the sum's units, times g.
  const sigma = noiseMultiplier * gridL2Sensitivity(clipNorm, granularity, n) * granularity;
  for (let start = 0; start < n; start += NOISE_BLOCK) {
    const block = sum.subarray(start, Math.min(n, start + NOISE_BLOCK));
    block.set(discreteGaussianNoise(block, sigma, source, { granularity }));
  }
}

export async function closeRound(input: CloseRoundInput): Promise<RoundResult> {
  const { settings, row, sum, collected, chunks, round } = input;
  const n = parameterCount(row.shape);
  const dp = settings.noiseMultiplier > 0;
  const adaptive = settings.targetQuantile > 0;
  const source = createSeededSource(`${row.noiseSecret}/round ${round}`);
  const sigmaB = countNoiseStd(settings, input.expectedCohort);
  // The mean is formed in place in the sum's own buffers (no new model-sized array): T for the
  // averaging strategies, P for median / trimmed mean.
  const robust = settings.strategy === "median" || settings.strategy === "trimmed_mean";
  const mean = robust ? sum.scratch : sum.sum;
  if (robust) {
    const readers = collected.summed.map((u) =>
      chunkedRangeReader(
        u.manifest.chunks.map((c) => c.sizeBytes),
        (i) => chunks.get((u.manifest.chunks[i] as { sha256: string }).sha256),
      ),
    );
    const mode = settings.strategy === "median" ? ({ kind: "median" } as const) : ({ kind: "trimmed_mean", trimFraction: settings.trimFraction } as const);
    await coordinateRobustMean(readers, n, mode, mean);
  } else if (dp) {
    const z = adaptive ? updateNoiseMultiplier(settings.noiseMultiplier, sigmaB) : settings.noiseMultiplier;
    addSumNoise(mean, z, row.progress.clipNorm, source);
    for (let i = 0; i < n; i++) mean[i] = (mean[i] as number) / input.expectedCohort;
  } else {
    const weight = sum.totalWeight;
    for (let i = 0; i < n; i++) mean[i] = (mean[i] as number) / weight;
  }
  const global = input.global;
  if (global.length !== n) throw new RangeError(`the global model holds ${global.length} values, the shape ${n}`);
  const strategy: ServerStrategyName =
    settings.strategy === "fedadam" || settings.strategy === "fedyogi" || settings.strategy === "fedprox" ? settings.strategy : "fedavg";
  let state: { m: Float32Array; v: Float32Array } | undefined;
  if (row.optimizer) {
    const both = await readModel(chunks, row.optimizer, 2 * n);
    state = { m: both.subarray(0, n), v: both.subarray(n) };
  }
  applyServerStep(strategy, global, mean, settings, state);
  let clip = row.progress.clipNorm;
  if (adaptive) {
    const unclipped = collected.summed.reduce((s, u) => s + u.unclippedCount, 0);
    const participants = collected.summed.reduce((s, u) => s + Math.max(1, u.participantCount), 0);
    const fraction = dp ? noisyUnclippedFraction(unclipped, input.expectedCohort, sigmaB, source) : unclipped / participants;
    clip = nextClipNorm(clip, fraction, { targetQuantile: settings.targetQuantile, learningRate: settings.clipLearningRate, countNoiseStd: sigmaB });
  }
  const examples = collected.summed.reduce((s, u) => s + u.exampleCount, 0);
  const meanLoss = examples > 0 ? collected.summed.reduce((s, u) => s + u.localLoss * u.exampleCount, 0) / examples : 0;
  const model = await storeModel(chunks, global, `global-model-r${round}.f32`);
  let optimizer: Manifest | undefined;
  if (state) {
    const both = new Float32Array(2 * n);
    both.set(state.m, 0);
    both.set(state.v, n);
    optimizer = await storeModel(chunks, both, `optimizer-r${round}.f32`);
  }
  return { model, optimizer, nextClipNorm: clip, meanLoss };
}
