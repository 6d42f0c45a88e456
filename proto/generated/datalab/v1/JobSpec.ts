// Original file: proto/datalab/v1/job.proto

import type { JobKind as _datalab_v1_JobKind, JobKind__Output as _datalab_v1_JobKind__Output } from '../../datalab/v1/JobKind.js';
import type { InputRef as _datalab_v1_InputRef, InputRef__Output as _datalab_v1_InputRef__Output } from '../../datalab/v1/InputRef.js';
import type { Condition as _datalab_v1_Condition, Condition__Output as _datalab_v1_Condition__Output } from '../../datalab/v1/Condition.js';
import type { ScoringOptions as _datalab_v1_ScoringOptions, ScoringOptions__Output as _datalab_v1_ScoringOptions__Output } from '../../datalab/v1/ScoringOptions.js';
import type { Resources as _datalab_v1_Resources, Resources__Output as _datalab_v1_Resources__Output } from '../../datalab/v1/Resources.js';
import type { FederatedSpec as _datalab_v1_FederatedSpec, FederatedSpec__Output as _datalab_v1_FederatedSpec__Output } from '../../datalab/v1/FederatedSpec.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Everything a node needs to run the job; stored unchanged and compared for idempotency.
 */
export interface JobSpec {
  /**
   * What to compute.
   */
  'kind'?: (_datalab_v1_JobKind);
  /**
   * The input table (SYNTHESIS) or model file (SAMPLE).
   */
  'input'?: (_datalab_v1_InputRef | null);
  /**
   * Optional TableSchema as JSON (the `--schema` file format); empty = inferred on the node.
   */
  'schemaJson'?: (string);
  /**
   * Synthetic rows to generate (1 .. 100,000,000).
   */
  'rows'?: (number | string | Long);
  /**
   * Synthesizer name: "gaussian_copula" (also spelled "gaussian-copula" or "copula"); empty =
   * "gaussian_copula". SubmitJob refuses any other name (INVALID_ARGUMENT, listing the names it has).
   * Ignored by SAMPLE jobs (the model file says which generator it holds).
   */
  'model'?: (string);
  /**
   * Random seed (0 .. 2^53-1); unset = the node picks one and reports it in the report.
   */
  'seed'?: (number | string | Long);
  /**
   * Optional conditions for conditional sampling.
   */
  'conditions'?: (_datalab_v1_Condition)[];
  /**
   * Scoring options; unset = no scoring.
   */
  'scoring'?: (_datalab_v1_ScoringOptions | null);
  /**
   * Resources the job needs; the scheduler places it only where they fit.
   */
  'resources'?: (_datalab_v1_Resources | null);
  /**
   * Extra synthesizer options as a JSON object. No model takes options yet: SubmitJob refuses
   * anything but empty or {} (INVALID_ARGUMENT) rather than run without them.
   */
  'modelOptionsJson'?: (string);
  /**
   * Differential-privacy budget epsilon (positive) of a SYNTHESIS job with a differentially private
   * model; unset = not a DP job. SubmitJob refuses it (INVALID_ARGUMENT, "no differentially
   * private model is available for …") for a model that is not DP — today every model, until a DP
   * synthesizer is added to generators/model-names.ts — and for SAMPLE jobs.
   */
  'epsilon'?: (number | string);
  /**
   * Attempts before the job fails for good (1 .. 10); 0 = the coordinator's default.
   */
  'maxAttempts'?: (number);
  /**
   * Free-form name shown in listings (at most 200 characters).
   */
  'displayName'?: (string);
  /**
   * Output table format: "csv" (default) or "parquet".
   */
  'outputFormat'?: (string);
  /**
   * Settings of a FEDERATED_TRAINING or FEDERATED_SYNTHESIS job (required for those kinds,
   * refused for the others). For federated jobs `epsilon` is the total budget of the whole job,
   * accounted over all rounds with the RDP accountant of the subsampled Gaussian mechanism, and
   * `seed` fixes holder sampling, the initial model and the server's noise.
   */
  'federated'?: (_datalab_v1_FederatedSpec | null);
  '_seed'?: "seed";
  '_epsilon'?: "epsilon";
}

/**
 * Everything a node needs to run the job; stored unchanged and compared for idempotency.
 */
export interface JobSpec__Output {
  /**
   * What to compute.
   */
  'kind': (_datalab_v1_JobKind__Output);
  /**
   * The input table (SYNTHESIS) or model file (SAMPLE).
   */
  'input': (_datalab_v1_InputRef__Output | null);
  /**
   * Optional TableSchema as JSON (the `--schema` file format); empty = inferred on the node.
   */
  'schemaJson': (string);
  /**
   * Synthetic rows to generate (1 .. 100,000,000).
   */
  'rows': (number);
  /**
   * Synthesizer name: "gaussian_copula" (also spelled "gaussian-copula" or "copula"); empty =
   * "gaussian_copula". SubmitJob refuses any other name (INVALID_ARGUMENT, listing the names it has).
   * Ignored by SAMPLE jobs (the model file says which generator it holds).
   */
  'model': (string);
  /**
   * Random seed (0 .. 2^53-1); unset = the node picks one and reports it in the report.
   */
  'seed'?: (number);
  /**
   * Optional conditions for conditional sampling.
   */
  'conditions': (_datalab_v1_Condition__Output)[];
  /**
   * Scoring options; unset = no scoring.
   */
  'scoring': (_datalab_v1_ScoringOptions__Output | null);
  /**
   * Resources the job needs; the scheduler places it only where they fit.
   */
  'resources': (_datalab_v1_Resources__Output | null);
  /**
   * Extra synthesizer options as a JSON object. No model takes options yet: SubmitJob refuses
   * anything but empty or {} (INVALID_ARGUMENT) rather than run without them.
   */
  'modelOptionsJson': (string);
  /**
   * Differential-privacy budget epsilon (positive) of a SYNTHESIS job with a differentially private
   * model; unset = not a DP job. SubmitJob refuses it (INVALID_ARGUMENT, "no differentially
   * private model is available for …") for a model that is not DP — today every model, until a DP
   * synthesizer is added to generators/model-names.ts — and for SAMPLE jobs.
   */
  'epsilon'?: (number);
  /**
   * Attempts before the job fails for good (1 .. 10); 0 = the coordinator's default.
   */
  'maxAttempts': (number);
  /**
   * Free-form name shown in listings (at most 200 characters).
   */
  'displayName': (string);
  /**
   * Output table format: "csv" (default) or "parquet".
   */
  'outputFormat': (string);
  /**
   * Settings of a FEDERATED_TRAINING or FEDERATED_SYNTHESIS job (required for those kinds,
   * refused for the others). For federated jobs `epsilon` is the total budget of the whole job,
   * accounted over all rounds with the RDP accountant of the subsampled Gaussian mechanism, and
   * `seed` fixes holder sampling, the initial model and the server's noise.
   */
  'federated': (_datalab_v1_FederatedSpec__Output | null);
  '_seed'?: "seed";
  '_epsilon'?: "epsilon";
}
