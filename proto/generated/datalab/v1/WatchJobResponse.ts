// Original file: proto/datalab/v1/job_service.proto

import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from '../../datalab/v1/Job.js';

/**
 * One update of WatchJob.
 */
export interface WatchJobResponse {
  /**
   * The job as it is now.
   */
  'job'?: (_datalab_v1_Job | null);
}

/**
 * One update of WatchJob.
 */
export interface WatchJobResponse__Output {
  /**
   * The job as it is now.
   */
  'job': (_datalab_v1_Job__Output | null);
}
