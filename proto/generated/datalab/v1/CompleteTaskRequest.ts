// Original file: proto/datalab/v1/node_service.proto

import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from '../../datalab/v1/ResultFile.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from '../../datalab/v1/UploadChunkRequest.js';
import type { FederatedResult as _datalab_v1_FederatedResult, FederatedResult__Output as _datalab_v1_FederatedResult__Output } from '../../datalab/v1/FederatedResult.js';

/**
 * Request of CompleteTask.
 */
export interface CompleteTaskRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
  /**
   * The task.
   */
  'taskId'?: (string);
  /**
   * Its lease.
   */
  'leaseId'?: (string);
  /**
   * Result files; each chunk uploaded before with UploadChunk. At least a TABLE (SYNTHESIS,
   * SAMPLE); at most one file per kind except OTHER.
   */
  'results'?: (_datalab_v1_ResultFile)[];
  /**
   * Short JSON summary of scores for listings (at most 64 KiB), e.g. {"fidelity": 0.91}.
   */
  'summaryJson'?: (string);
  /**
   * Chunks of the result files sent with this call instead of by UploadChunk, for small results
   * (together at most RegisterNodeResponse.max_inline_result_bytes): saves a round trip and a
   * call per file. Each is checked and stored exactly as UploadChunk would, before the
   * completion is recorded; the results' other chunks must have been uploaded before.
   */
  'inlineChunks'?: (_datalab_v1_UploadChunkRequest)[];
  /**
   * True when the slot this task held is free for another task: if one is queued that fits the
   * node, it is leased at once and returned in next_task (as LeaseTask with wait_seconds 0
   * would), saving a LeaseTask round trip per task when the queue is not empty.
   */
  'leaseNext'?: (boolean);
  /**
   * Set when completing a federated task: its update (or measurements / scores).
   */
  'federated'?: (_datalab_v1_FederatedResult | null);
}

/**
 * Request of CompleteTask.
 */
export interface CompleteTaskRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
  /**
   * The task.
   */
  'taskId': (string);
  /**
   * Its lease.
   */
  'leaseId': (string);
  /**
   * Result files; each chunk uploaded before with UploadChunk. At least a TABLE (SYNTHESIS,
   * SAMPLE); at most one file per kind except OTHER.
   */
  'results': (_datalab_v1_ResultFile__Output)[];
  /**
   * Short JSON summary of scores for listings (at most 64 KiB), e.g. {"fidelity": 0.91}.
   */
  'summaryJson': (string);
  /**
   * Chunks of the result files sent with this call instead of by UploadChunk, for small results
   * (together at most RegisterNodeResponse.max_inline_result_bytes): saves a round trip and a
   * call per file. Each is checked and stored exactly as UploadChunk would, before the
   * completion is recorded; the results' other chunks must have been uploaded before.
   */
  'inlineChunks': (_datalab_v1_UploadChunkRequest__Output)[];
  /**
   * True when the slot this task held is free for another task: if one is queued that fits the
   * node, it is leased at once and returned in next_task (as LeaseTask with wait_seconds 0
   * would), saving a LeaseTask round trip per task when the queue is not empty.
   */
  'leaseNext': (boolean);
  /**
   * Set when completing a federated task: its update (or measurements / scores).
   */
  'federated': (_datalab_v1_FederatedResult__Output | null);
}
