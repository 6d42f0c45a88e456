// Original file: proto/datalab/v1/job_service.proto


/**
 * Request of CancelJob.
 */
export interface CancelJobRequest {
  /**
   * Id of the job.
   */
  'jobId'?: (string);
  /**
   * Optional reason, stored on the job (at most 500 characters).
   */
  'reason'?: (string);
}

/**
 * Request of CancelJob.
 */
export interface CancelJobRequest__Output {
  /**
   * Id of the job.
   */
  'jobId': (string);
  /**
   * Optional reason, stored on the job (at most 500 characters).
   */
  'reason': (string);
}
