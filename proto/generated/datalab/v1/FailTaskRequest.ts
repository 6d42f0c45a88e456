// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of FailTask.
 */
export interface FailTaskRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
  /**
   * The task.
   */
  'taskId'?: (string);
  /**
   * Its lease.
   */
  'leaseId'?: (string);
  /**
   * What went wrong, one line (at most 2,000 characters), shown to the job's owner.
   */
  'errorMessage'?: (string);
  /**
   * False when retrying cannot help (bad input, bad schema): the job fails at once.
   */
  'retryable'?: (boolean);
}

/**
 * Request of FailTask.
 */
export interface FailTaskRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
  /**
   * The task.
   */
  'taskId': (string);
  /**
   * Its lease.
   */
  'leaseId': (string);
  /**
   * What went wrong, one line (at most 2,000 characters), shown to the job's owner.
   */
  'errorMessage': (string);
  /**
   * False when retrying cannot help (bad input, bad schema): the job fails at once.
   */
  'retryable': (boolean);
}
