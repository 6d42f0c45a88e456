// Original file: proto/datalab/v1/job_service.proto

import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from '../../datalab/v1/Job.js';

/**
 * Response of CancelJob.
 */
export interface CancelJobResponse {
  /**
   * The job, now CANCELLED.
   */
  'job'?: (_datalab_v1_Job | null);
}

/**
 * Response of CancelJob.
 */
export interface CancelJobResponse__Output {
  /**
   * The job, now CANCELLED.
   */
  'job': (_datalab_v1_Job__Output | null);
}
