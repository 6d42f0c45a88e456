// Original file: proto/datalab/v1/node_service.proto

import type { CompleteTaskOutcome as _datalab_v1_CompleteTaskOutcome, CompleteTaskOutcome__Output as _datalab_v1_CompleteTaskOutcome__Output } from '../../datalab/v1/CompleteTaskOutcome.js';

/**
 * Response of CompleteTasks.
 */
export interface CompleteTasksResponse {
  /**
   * One per completion, in the order of the request.
   */
  'outcomes'?: (_datalab_v1_CompleteTaskOutcome)[];
}

/**
 * Response of CompleteTasks.
 */
export interface CompleteTasksResponse__Output {
  /**
   * One per completion, in the order of the request.
   */
  'outcomes': (_datalab_v1_CompleteTaskOutcome__Output)[];
}
