// Original file: proto/datalab/v1/job.proto


/**
 * A holder's refusal of a federated task, as the requester sees it.
 */
export interface HolderRefusal {
  /**
   * The holder's node id.
   */
  'holderId'?: (string);
  /**
   * The round it refused.
   */
  'round'?: (number);
  /**
   * The holder's reason (FailTaskRequest.refusal_reason), e.g. "epsilon 3.2 exceeds this
   * dataset's remaining budget 1.5".
   */
  'reason'?: (string);
}

/**
 * A holder's refusal of a federated task, as the requester sees it.
 */
export interface HolderRefusal__Output {
  /**
   * The holder's node id.
   */
  'holderId': (string);
  /**
   * The round it refused.
   */
  'round': (number);
  /**
   * The holder's reason (FailTaskRequest.refusal_reason), e.g. "epsilon 3.2 exceeds this
   * dataset's remaining budget 1.5".
   */
  'reason': (string);
}
