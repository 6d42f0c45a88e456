// Original file: proto/datalab/v1/node_service.proto


/**
 * Response of ReleaseTask.
 */
export interface ReleaseTaskResponse {
  /**
   * True when the job went back to QUEUED (false if it had been cancelled meanwhile).
   */
  'requeued'?: (boolean);
}

/**
 * Response of ReleaseTask.
 */
export interface ReleaseTaskResponse__Output {
  /**
   * True when the job went back to QUEUED (false if it had been cancelled meanwhile).
   */
  'requeued': (boolean);
}
