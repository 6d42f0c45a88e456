// Original file: proto/datalab/v1/node_service.proto


/**
 * Response of FailTask.
 */
export interface FailTaskResponse {
  /**
   * True when the job went back to QUEUED for another attempt.
   */
  'willRetry'?: (boolean);
  /**
   * Attempts left after this one.
   */
  'attemptsLeft'?: (number);
}

/**
 * Response of FailTask.
 */
export interface FailTaskResponse__Output {
  /**
   * True when the job went back to QUEUED for another attempt.
   */
  'willRetry': (boolean);
  /**
   * Attempts left after this one.
   */
  'attemptsLeft': (number);
}
