// Original file: proto/datalab/v1/job_service.proto


/**
 * Request of WatchJob.
 */
export interface WatchJobRequest {
  /**
   * Id of the job.
   */
  'jobId'?: (string);
}

/**
 * Request of WatchJob.
 */
export interface WatchJobRequest__Output {
  /**
   * Id of the job.
   */
  'jobId': (string);
}
