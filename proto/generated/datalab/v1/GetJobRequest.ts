// Original file: proto/datalab/v1/job_service.proto


/**
 * Request of GetJob.
 */
export interface GetJobRequest {
  /**
   * Id of the job.
   */
  'jobId'?: (string);
}

/**
 * Request of GetJob.
 */
export interface GetJobRequest__Output {
  /**
   * Id of the job.
   */
  'jobId': (string);
}
