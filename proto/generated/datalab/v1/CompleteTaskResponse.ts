// Original file: proto/datalab/v1/node_service.proto


/**
 * Response of CompleteTask.
 */
export interface CompleteTaskResponse {
  /**
   * True when the completion is recorded (also on a retry of an accepted completion).
   */
  'accepted'?: (boolean);
}

/**
 * Response of CompleteTask.
 */
export interface CompleteTaskResponse__Output {
  /**
   * True when the completion is recorded (also on a retry of an accepted completion).
   */
  'accepted': (boolean);
}
