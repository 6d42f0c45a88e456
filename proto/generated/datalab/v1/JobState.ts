// Original file: proto/datalab/v1/job.proto

/**
 * Life cycle of a job: QUEUED -> LEASED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.
 * A failed attempt or an expired lease returns the job to QUEUED until max_attempts is used.
 */
export const JobState = {
  /**
   * Not set; in a ListJobs filter it matches nothing.
   */
  JOB_STATE_UNSPECIFIED: 'JOB_STATE_UNSPECIFIED',
  /**
   * Waiting for a node whose free resources fit (see Job.waiting_reason).
   */
  JOB_STATE_QUEUED: 'JOB_STATE_QUEUED',
  /**
   * Handed to a node, which has not reported progress yet.
   */
  JOB_STATE_LEASED: 'JOB_STATE_LEASED',
  /**
   * A node reported progress; it holds a lease extended by each report.
   */
  JOB_STATE_RUNNING: 'JOB_STATE_RUNNING',
  /**
   * Finished; results can be downloaded. Terminal.
   */
  JOB_STATE_SUCCEEDED: 'JOB_STATE_SUCCEEDED',
  /**
   * Every attempt failed (or the input was unusable). Terminal.
   */
  JOB_STATE_FAILED: 'JOB_STATE_FAILED',
  /**
   * Cancelled by its owner. Terminal.
   */
  JOB_STATE_CANCELLED: 'JOB_STATE_CANCELLED',
} as const;

/**
 * Life cycle of a job: QUEUED -> LEASED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.
 * A failed attempt or an expired lease returns the job to QUEUED until max_attempts is used.
 */
export type JobState =
  /**
   * Not set; in a ListJobs filter it matches nothing.
   */
  | 'JOB_STATE_UNSPECIFIED'
  | 0
  /**
   * Waiting for a node whose free resources fit (see Job.waiting_reason).
   */
  | 'JOB_STATE_QUEUED'
  | 1
  /**
   * Handed to a node, which has not reported progress yet.
   */
  | 'JOB_STATE_LEASED'
  | 2
  /**
   * A node reported progress; it holds a lease extended by each report.
   */
  | 'JOB_STATE_RUNNING'
  | 3
  /**
   * Finished; results can be downloaded. Terminal.
   */
  | 'JOB_STATE_SUCCEEDED'
  | 4
  /**
   * Every attempt failed (or the input was unusable). Terminal.
   */
  | 'JOB_STATE_FAILED'
  | 5
  /**
   * Cancelled by its owner. Terminal.
   */
  | 'JOB_STATE_CANCELLED'
  | 6

/**
 * Life cycle of a job: QUEUED -> LEASED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.
 * A failed attempt or an expired lease returns the job to QUEUED until max_attempts is used.
 */
export type JobState__Output = typeof JobState[keyof typeof JobState]
