// Original file: proto/datalab/v1/job.proto

/**
 * What the job computes.
 */
export const JobKind = {
  /**
   * Not set; rejected by SubmitJob.
   */
  JOB_KIND_UNSPECIFIED: 'JOB_KIND_UNSPECIFIED',
  /**
   * Fit a synthesizer on the input table, sample `rows`, score (same code as `datalab synth`).
   */
  JOB_KIND_SYNTHESIS: 'JOB_KIND_SYNTHESIS',
  /**
   * Sample `rows` from a model file given as the input (same code as `datalab sample`).
   */
  JOB_KIND_SAMPLE: 'JOB_KIND_SAMPLE',
  /**
   * Train a model on the holders of JobSpec.federated.dataset_id without moving their rows:
   * federated rounds of local training and server-side aggregation (JobSpec.federated).
   */
  JOB_KIND_FEDERATED_TRAINING: 'JOB_KIND_FEDERATED_TRAINING',
  /**
   * Fit a synthesizer on several holders' datasets with a declared shared schema: holders
   * measure (MEASURE phase) and score (SCORE phase) locally; only noisy statistics travel.
   */
  JOB_KIND_FEDERATED_SYNTHESIS: 'JOB_KIND_FEDERATED_SYNTHESIS',
} as const;

/**
 * What the job computes.
 */
export type JobKind =
  /**
   * Not set; rejected by SubmitJob.
   */
  | 'JOB_KIND_UNSPECIFIED'
  | 0
  /**
   * Fit a synthesizer on the input table, sample `rows`, score (same code as `datalab synth`).
   */
  | 'JOB_KIND_SYNTHESIS'
  | 1
  /**
   * Sample `rows` from a model file given as the input (same code as `datalab sample`).
   */
  | 'JOB_KIND_SAMPLE'
  | 2
  /**
   * Train a model on the holders of JobSpec.federated.dataset_id without moving their rows:
   * federated rounds of local training and server-side aggregation (JobSpec.federated).
   */
  | 'JOB_KIND_FEDERATED_TRAINING'
  | 3
  /**
   * Fit a synthesizer on several holders' datasets with a declared shared schema: holders
   * measure (MEASURE phase) and score (SCORE phase) locally; only noisy statistics travel.
   */
  | 'JOB_KIND_FEDERATED_SYNTHESIS'
  | 4

/**
 * What the job computes.
 */
export type JobKind__Output = typeof JobKind[keyof typeof JobKind]
