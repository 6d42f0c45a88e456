// Original file: proto/datalab/v1/job_service.proto

import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from '../../datalab/v1/JobSpec.js';

/**
 * Request of SubmitJob.
 */
export interface SubmitJobRequest {
  /**
   * Client-chosen key, unique per client (1 .. 128 characters, e.g. a UUID). A retried
   * submit with the same key never creates a second job.
   */
  'idempotencyKey'?: (string);
  /**
   * What to run.
   */
  'spec'?: (_datalab_v1_JobSpec | null);
}

/**
 * Request of SubmitJob.
 */
export interface SubmitJobRequest__Output {
  /**
   * Client-chosen key, unique per client (1 .. 128 characters, e.g. a UUID). A retried
   * submit with the same key never creates a second job.
   */
  'idempotencyKey': (string);
  /**
   * What to run.
   */
  'spec': (_datalab_v1_JobSpec__Output | null);
}
