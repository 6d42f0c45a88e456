// Original file: proto/datalab/v1/node_service.proto


/**
 * Response of DeregisterNode.
 */
export interface DeregisterNodeResponse {
  /**
   * Tasks that were still leased to the node and went back to QUEUED.
   */
  'requeuedTasks'?: (number);
}

/**
 * Response of DeregisterNode.
 */
export interface DeregisterNodeResponse__Output {
  /**
   * Tasks that were still leased to the node and went back to QUEUED.
   */
  'requeuedTasks': (number);
}
