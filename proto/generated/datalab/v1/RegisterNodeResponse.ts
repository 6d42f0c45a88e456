// Original file: proto/datalab/v1/node_service.proto

import type { Task as _datalab_v1_Task, Task__Output as _datalab_v1_Task__Output } from '../../datalab/v1/Task.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Response of RegisterNode.
 */
export interface RegisterNodeResponse {
  /**
   * Heartbeat interval to use, in seconds.
   */
  'heartbeatIntervalSeconds'?: (number);
  /**
   * Length of a lease in seconds; ReportProgress before it ends to keep the task.
   */
  'leaseSeconds'?: (number);
  /**
   * Largest chunk UploadChunk accepts, in bytes.
   */
  'maxChunkBytes'?: (number | string | Long);
  /**
   * Tasks this node still holds valid leases for (after a coordinator restart or a node
   * reconnect): keep reporting them, or ReleaseTask those the node no longer runs.
   */
  'activeTasks'?: (_datalab_v1_Task)[];
  /**
   * Most bytes of result chunks CompleteTask accepts inline (CompleteTaskRequest.inline_chunks),
   * all files together. 0 (a coordinator that predates inline results): upload every chunk.
   */
  'maxInlineResultBytes'?: (number | string | Long);
}

/**
 * Response of RegisterNode.
 */
export interface RegisterNodeResponse__Output {
  /**
   * Heartbeat interval to use, in seconds.
   */
  'heartbeatIntervalSeconds': (number);
  /**
   * Length of a lease in seconds; ReportProgress before it ends to keep the task.
   */
  'leaseSeconds': (number);
  /**
   * Largest chunk UploadChunk accepts, in bytes.
   */
  'maxChunkBytes': (number);
  /**
   * Tasks this node still holds valid leases for (after a coordinator restart or a node
   * reconnect): keep reporting them, or ReleaseTask those the node no longer runs.
   */
  'activeTasks': (_datalab_v1_Task__Output)[];
  /**
   * Most bytes of result chunks CompleteTask accepts inline (CompleteTaskRequest.inline_chunks),
   * all files together. 0 (a coordinator that predates inline results): upload every chunk.
   */
  'maxInlineResultBytes': (number);
}
