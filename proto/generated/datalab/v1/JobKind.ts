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
 * What the job computes.
 */
export type JobKind__Output = typeof JobKind[keyof typeof JobKind]
