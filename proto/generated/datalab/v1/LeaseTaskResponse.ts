// Original file: proto/datalab/v1/node_service.proto

import type { Task as _datalab_v1_Task, Task__Output as _datalab_v1_Task__Output } from '../../datalab/v1/Task.js';

/**
 * Response of LeaseTask.
 */
export interface LeaseTaskResponse {
  /**
   * The leased task; unset when none arrived within wait_seconds.
   */
  'task'?: (_datalab_v1_Task | null);
}

/**
 * Response of LeaseTask.
 */
export interface LeaseTaskResponse__Output {
  /**
   * The leased task; unset when none arrived within wait_seconds.
   */
  'task': (_datalab_v1_Task__Output | null);
}
