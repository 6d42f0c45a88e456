// Original file: proto/datalab/v1/node_service.proto

import type { CompleteTaskRequest as _datalab_v1_CompleteTaskRequest, CompleteTaskRequest__Output as _datalab_v1_CompleteTaskRequest__Output } from '../../datalab/v1/CompleteTaskRequest.js';

/**
 * Request of CompleteTasks.
 */
export interface CompleteTasksRequest {
  /**
   * The registered node id; each completion's node_id must be empty or this one.
   */
  'nodeId'?: (string);
  /**
   * The completions, each as CompleteTask takes it (lease_next included: each one that asks
   * may get its own next_task). 1 to 32 of them, for distinct tasks; their inline_chunks
   * together at most 4 x max_inline_result_bytes (1 MiB by default).
   */
  'completions'?: (_datalab_v1_CompleteTaskRequest)[];
}

/**
 * Request of CompleteTasks.
 */
export interface CompleteTasksRequest__Output {
  /**
   * The registered node id; each completion's node_id must be empty or this one.
   */
  'nodeId': (string);
  /**
   * The completions, each as CompleteTask takes it (lease_next included: each one that asks
   * may get its own next_task). 1 to 32 of them, for distinct tasks; their inline_chunks
   * together at most 4 x max_inline_result_bytes (1 MiB by default).
   */
  'completions': (_datalab_v1_CompleteTaskRequest__Output)[];
}
