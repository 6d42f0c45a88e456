// Original file: proto/datalab/v1/node_service.proto

import type { CompleteTaskResponse as _datalab_v1_CompleteTaskResponse, CompleteTaskResponse__Output as _datalab_v1_CompleteTaskResponse__Output } from '../../datalab/v1/CompleteTaskResponse.js';

/**
 * What became of one completion of a CompleteTasks call.
 */
export interface CompleteTaskOutcome {
  /**
   * The gRPC status code CompleteTask would have answered (0 = OK: recorded). ABORTED: the
   * lease expired, passed to another node or the job was cancelled: discard these results.
   */
  'code'?: (number);
  /**
   * Why, when code is not 0.
   */
  'message'?: (string);
  /**
   * What CompleteTask would have answered, when code is 0.
   */
  'response'?: (_datalab_v1_CompleteTaskResponse | null);
}

/**
 * What became of one completion of a CompleteTasks call.
 */
export interface CompleteTaskOutcome__Output {
  /**
   * The gRPC status code CompleteTask would have answered (0 = OK: recorded). ABORTED: the
   * lease expired, passed to another node or the job was cancelled: discard these results.
   */
  'code': (number);
  /**
   * Why, when code is not 0.
   */
  'message': (string);
  /**
   * What CompleteTask would have answered, when code is 0.
   */
  'response': (_datalab_v1_CompleteTaskResponse__Output | null);
}
