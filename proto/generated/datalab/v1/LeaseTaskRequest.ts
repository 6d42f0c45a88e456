// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of LeaseTask.
 */
export interface LeaseTaskRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
  /**
   * Longest time to wait for a task, in seconds (0 = return at once; at most 60). Set the
   * call deadline a few seconds longer.
   */
  'waitSeconds'?: (number);
}

/**
 * Request of LeaseTask.
 */
export interface LeaseTaskRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
  /**
   * Longest time to wait for a task, in seconds (0 = return at once; at most 60). Set the
   * call deadline a few seconds longer.
   */
  'waitSeconds': (number);
}
