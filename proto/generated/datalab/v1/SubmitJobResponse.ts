// Original file: proto/datalab/v1/job_service.proto

import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from '../../datalab/v1/Job.js';

/**
 * Response of SubmitJob.
 */
export interface SubmitJobResponse {
  /**
   * The job (new, or the existing one for this idempotency key).
   */
  'job'?: (_datalab_v1_Job | null);
  /**
   * True when this call created the job; false when an earlier submit with the key did.
   */
  'created'?: (boolean);
}

/**
 * Response of SubmitJob.
 */
export interface SubmitJobResponse__Output {
  /**
   * The job (new, or the existing one for this idempotency key).
   */
  'job': (_datalab_v1_Job__Output | null);
  /**
   * True when this call created the job; false when an earlier submit with the key did.
   */
  'created': (boolean);
}
