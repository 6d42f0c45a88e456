// Original file: proto/datalab/v1/node_service.proto

import type { FederatedPhase as _datalab_v1_FederatedPhase, FederatedPhase__Output as _datalab_v1_FederatedPhase__Output } from '../../datalab/v1/FederatedPhase.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from '../../datalab/v1/FileManifest.js';
import type { FederatedModelSpec as _datalab_v1_FederatedModelSpec, FederatedModelSpec__Output as _datalab_v1_FederatedModelSpec__Output } from '../../datalab/v1/FederatedModelSpec.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What a holder computes for one round of a federated job.
 */
export interface FederatedTask {
  /**
   * The federated job.
   */
  'jobId'?: (string);
  /**
   * Round number, 1-based.
   */
  'round'?: (number);
  /**
   * What to compute.
   */
  'phase'?: (_datalab_v1_FederatedPhase);
  /**
   * The dataset to use (HeldDataset.dataset_id).
   */
  'datasetId'?: (string);
  /**
   * The current global model (TRAIN): float32 parameters in FederatedModelSpec's layout,
   * content-addressed chunks fetched with DownloadInput (same task_id and lease_id). For SCORE,
   * the synthetic table; for MEASURE, unset.
   */
  'globalModel'?: (_datalab_v1_FileManifest | null);
  /**
   * The model's architecture and parameter layout (TRAIN).
   */
  'model'?: (_datalab_v1_FederatedModelSpec | null);
  /**
   * Local passes over the rows this round.
   */
  'localEpochs'?: (number);
  /**
   * Local mini-batch size.
   */
  'localBatchSize'?: (number);
  /**
   * Local SGD learning rate.
   */
  'learningRate'?: (number | string);
  /**
   * FedProx proximal weight mu (0 = plain local SGD).
   */
  'proximalMu'?: (number | string);
  /**
   * L2 bound to clip each participant's update to (0 = no clipping).
   */
  'clipNorm'?: (number | string);
  /**
   * Central noise multiplier z of the job (0 = non-DP). With the sampling rate and rounds
   * the holder recomputes the job's total epsilon itself before spending any budget.
   */
  'noiseMultiplier'?: (number | string);
  /**
   * Poisson sampling rate q of participants per round.
   */
  'samplingRate'?: (number | string);
  /**
   * Rounds the job runs in total (for the holder's own epsilon computation).
   */
  'roundsTotal'?: (number);
  /**
   * The job's delta.
   */
  'delta'?: (number | string);
  /**
   * The job's total epsilon budget as the requester declared it (0 = non-DP).
   */
  'epsilonBudget'?: (number | string);
  /**
   * Shards the holder splits its rows into (1 = the holder is one participant). With more, each
   * shard is included independently with probability sampling_rate, clipped on its own, and the
   * holder returns the sum of the included shards' clipped updates.
   */
  'shardsPerHolder'?: (number);
  /**
   * Who asked (the job owner's name), checked against the holder's allowed requesters.
   */
  'requester'?: (string);
  /**
   * The job's declared purpose.
   */
  'purpose'?: (string);
  /**
   * Seed for this holder's local randomness this round (batch order, shard assignment).
   */
  'seed'?: (number | string | Long);
  /**
   * Whether adaptive clipping runs (then report unclipped_count in the completion).
   */
  'adaptiveClipping'?: (boolean);
  /**
   * Synthesizer name (FEDERATED_SYNTHESIS).
   */
  'synthesizer'?: (string);
}

/**
 * What a holder computes for one round of a federated job.
 */
export interface FederatedTask__Output {
  /**
   * The federated job.
   */
  'jobId': (string);
  /**
   * Round number, 1-based.
   */
  'round': (number);
  /**
   * What to compute.
   */
  'phase': (_datalab_v1_FederatedPhase__Output);
  /**
   * The dataset to use (HeldDataset.dataset_id).
   */
  'datasetId': (string);
  /**
   * The current global model (TRAIN): float32 parameters in FederatedModelSpec's layout,
   * content-addressed chunks fetched with DownloadInput (same task_id and lease_id). For SCORE,
   * the synthetic table; for MEASURE, unset.
   */
  'globalModel': (_datalab_v1_FileManifest__Output | null);
  /**
   * The model's architecture and parameter layout (TRAIN).
   */
  'model': (_datalab_v1_FederatedModelSpec__Output | null);
  /**
   * Local passes over the rows this round.
   */
  'localEpochs': (number);
  /**
   * Local mini-batch size.
   */
  'localBatchSize': (number);
  /**
   * Local SGD learning rate.
   */
  'learningRate': (number);
  /**
   * FedProx proximal weight mu (0 = plain local SGD).
   */
  'proximalMu': (number);
  /**
   * L2 bound to clip each participant's update to (0 = no clipping).
   */
  'clipNorm': (number);
  /**
   * Central noise multiplier z of the job (0 = non-DP). With the sampling rate and rounds
   * the holder recomputes the job's total epsilon itself before spending any budget.
   */
  'noiseMultiplier': (number);
  /**
   * Poisson sampling rate q of participants per round.
   */
  'samplingRate': (number);
  /**
   * Rounds the job runs in total (for the holder's own epsilon computation).
   */
  'roundsTotal': (number);
  /**
   * The job's delta.
   */
  'delta': (number);
  /**
   * The job's total epsilon budget as the requester declared it (0 = non-DP).
   */
  'epsilonBudget': (number);
  /**
   * Shards the holder splits its rows into (1 = the holder is one participant). With more, each
   * shard is included independently with probability sampling_rate, clipped on its own, and the
   * holder returns the sum of the included shards' clipped updates.
   */
  'shardsPerHolder': (number);
  /**
   * Who asked (the job owner's name), checked against the holder's allowed requesters.
   */
  'requester': (string);
  /**
   * The job's declared purpose.
   */
  'purpose': (string);
  /**
   * Seed for this holder's local randomness this round (batch order, shard assignment).
   */
  'seed': (number);
  /**
   * Whether adaptive clipping runs (then report unclipped_count in the completion).
   */
  'adaptiveClipping': (boolean);
  /**
   * Synthesizer name (FEDERATED_SYNTHESIS).
   */
  'synthesizer': (string);
}
