// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of ReleaseTask.
 */
export interface ReleaseTaskRequest {
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
   * Why, e.g. "node shutting down".
   */
  'reason'?: (string);
}

/**
 * Request of ReleaseTask.
 */
export interface ReleaseTaskRequest__Output {
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
   * Why, e.g. "node shutting down".
   */
  'reason': (string);
}
