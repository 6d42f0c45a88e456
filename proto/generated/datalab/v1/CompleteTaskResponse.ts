// Original file: proto/datalab/v1/node_service.proto

import type { Task as _datalab_v1_Task, Task__Output as _datalab_v1_Task__Output } from '../../datalab/v1/Task.js';

/**
 * Response of CompleteTask.
 */
export interface CompleteTaskResponse {
  /**
   * True when the completion is recorded (also on a retry of an accepted completion).
   */
  'accepted'?: (boolean);
  /**
   * With lease_next: the task now leased to this node, exactly as LeaseTask returns it; unset
   * when none was queued (lease with LeaseTask as usual) or the completion was a retry.
   */
  'nextTask'?: (_datalab_v1_Task | null);
}

/**
 * Response of CompleteTask.
 */
export interface CompleteTaskResponse__Output {
  /**
   * True when the completion is recorded (also on a retry of an accepted completion).
   */
  'accepted': (boolean);
  /**
   * With lease_next: the task now leased to this node, exactly as LeaseTask returns it; unset
   * when none was queued (lease with LeaseTask as usual) or the completion was a retry.
   */
  'nextTask': (_datalab_v1_Task__Output | null);
}
