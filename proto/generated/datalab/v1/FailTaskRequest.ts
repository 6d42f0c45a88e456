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
  /**
   * Set when a holder refuses a federated task by its policy or budget (not an error): never
   * retried, and shown to the requester in Job.federation.refusals. The round goes on without
   * the holder.
   */
  'refusalReason'?: (string);
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
  /**
   * Set when a holder refuses a federated task by its policy or budget (not an error): never
   * retried, and shown to the requester in Job.federation.refusals. The round goes on without
   * the holder.
   */
  'refusalReason': (string);
}
