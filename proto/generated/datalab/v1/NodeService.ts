// Original file: proto/datalab/v1/node_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CompleteTaskRequest as _datalab_v1_CompleteTaskRequest, CompleteTaskRequest__Output as _datalab_v1_CompleteTaskRequest__Output } from '../../datalab/v1/CompleteTaskRequest.js';
import type { CompleteTaskResponse as _datalab_v1_CompleteTaskResponse, CompleteTaskResponse__Output as _datalab_v1_CompleteTaskResponse__Output } from '../../datalab/v1/CompleteTaskResponse.js';
import type { CompleteTasksRequest as _datalab_v1_CompleteTasksRequest, CompleteTasksRequest__Output as _datalab_v1_CompleteTasksRequest__Output } from '../../datalab/v1/CompleteTasksRequest.js';
import type { CompleteTasksResponse as _datalab_v1_CompleteTasksResponse, CompleteTasksResponse__Output as _datalab_v1_CompleteTasksResponse__Output } from '../../datalab/v1/CompleteTasksResponse.js';
import type { DeregisterNodeRequest as _datalab_v1_DeregisterNodeRequest, DeregisterNodeRequest__Output as _datalab_v1_DeregisterNodeRequest__Output } from '../../datalab/v1/DeregisterNodeRequest.js';
import type { DeregisterNodeResponse as _datalab_v1_DeregisterNodeResponse, DeregisterNodeResponse__Output as _datalab_v1_DeregisterNodeResponse__Output } from '../../datalab/v1/DeregisterNodeResponse.js';
import type { DownloadInputRequest as _datalab_v1_DownloadInputRequest, DownloadInputRequest__Output as _datalab_v1_DownloadInputRequest__Output } from '../../datalab/v1/DownloadInputRequest.js';
import type { DownloadInputResponse as _datalab_v1_DownloadInputResponse, DownloadInputResponse__Output as _datalab_v1_DownloadInputResponse__Output } from '../../datalab/v1/DownloadInputResponse.js';
import type { FailTaskRequest as _datalab_v1_FailTaskRequest, FailTaskRequest__Output as _datalab_v1_FailTaskRequest__Output } from '../../datalab/v1/FailTaskRequest.js';
import type { FailTaskResponse as _datalab_v1_FailTaskResponse, FailTaskResponse__Output as _datalab_v1_FailTaskResponse__Output } from '../../datalab/v1/FailTaskResponse.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from '../../datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from '../../datalab/v1/FindMissingChunksResponse.js';
import type { HeartbeatRequest as _datalab_v1_HeartbeatRequest, HeartbeatRequest__Output as _datalab_v1_HeartbeatRequest__Output } from '../../datalab/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _datalab_v1_HeartbeatResponse, HeartbeatResponse__Output as _datalab_v1_HeartbeatResponse__Output } from '../../datalab/v1/HeartbeatResponse.js';
import type { LeaseTaskRequest as _datalab_v1_LeaseTaskRequest, LeaseTaskRequest__Output as _datalab_v1_LeaseTaskRequest__Output } from '../../datalab/v1/LeaseTaskRequest.js';
import type { LeaseTaskResponse as _datalab_v1_LeaseTaskResponse, LeaseTaskResponse__Output as _datalab_v1_LeaseTaskResponse__Output } from '../../datalab/v1/LeaseTaskResponse.js';
import type { RegisterNodeRequest as _datalab_v1_RegisterNodeRequest, RegisterNodeRequest__Output as _datalab_v1_RegisterNodeRequest__Output } from '../../datalab/v1/RegisterNodeRequest.js';
import type { RegisterNodeResponse as _datalab_v1_RegisterNodeResponse, RegisterNodeResponse__Output as _datalab_v1_RegisterNodeResponse__Output } from '../../datalab/v1/RegisterNodeResponse.js';
import type { ReleaseTaskRequest as _datalab_v1_ReleaseTaskRequest, ReleaseTaskRequest__Output as _datalab_v1_ReleaseTaskRequest__Output } from '../../datalab/v1/ReleaseTaskRequest.js';
import type { ReleaseTaskResponse as _datalab_v1_ReleaseTaskResponse, ReleaseTaskResponse__Output as _datalab_v1_ReleaseTaskResponse__Output } from '../../datalab/v1/ReleaseTaskResponse.js';
import type { ReportProgressRequest as _datalab_v1_ReportProgressRequest, ReportProgressRequest__Output as _datalab_v1_ReportProgressRequest__Output } from '../../datalab/v1/ReportProgressRequest.js';
import type { ReportProgressResponse as _datalab_v1_ReportProgressResponse, ReportProgressResponse__Output as _datalab_v1_ReportProgressResponse__Output } from '../../datalab/v1/ReportProgressResponse.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from '../../datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from '../../datalab/v1/UploadChunkResponse.js';

/**
 * The worker-node API.
 */
export interface NodeServiceClient extends grpc.Client {
  /**
   * Finishes a task with its result files (all chunks uploaded first). Exactly one
   * completion per job is accepted: a stale lease gets ABORTED. Retrying a completion that
   * was already accepted for this lease returns accepted=true again.
   */
  CompleteTask(argument: _datalab_v1_CompleteTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  CompleteTask(argument: _datalab_v1_CompleteTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  CompleteTask(argument: _datalab_v1_CompleteTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  CompleteTask(argument: _datalab_v1_CompleteTaskRequest, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Finishes a task with its result files (all chunks uploaded first). Exactly one
   * completion per job is accepted: a stale lease gets ABORTED. Retrying a completion that
   * was already accepted for this lease returns accepted=true again.
   */
  completeTask(argument: _datalab_v1_CompleteTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  completeTask(argument: _datalab_v1_CompleteTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  completeTask(argument: _datalab_v1_CompleteTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  completeTask(argument: _datalab_v1_CompleteTaskRequest, callback: grpc.requestCallback<_datalab_v1_CompleteTaskResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Finishes several tasks in one call, for a node that runs many small tasks at once: each
   * completion is checked and recorded exactly as CompleteTask would (its own outcome; one
   * that fails does not stop the others), and all are made durable together. INVALID_ARGUMENT
   * for the whole call when it breaks the batch limits below.
   */
  CompleteTasks(argument: _datalab_v1_CompleteTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  CompleteTasks(argument: _datalab_v1_CompleteTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  CompleteTasks(argument: _datalab_v1_CompleteTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  CompleteTasks(argument: _datalab_v1_CompleteTasksRequest, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Finishes several tasks in one call, for a node that runs many small tasks at once: each
   * completion is checked and recorded exactly as CompleteTask would (its own outcome; one
   * that fails does not stop the others), and all are made durable together. INVALID_ARGUMENT
   * for the whole call when it breaks the batch limits below.
   */
  completeTasks(argument: _datalab_v1_CompleteTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  completeTasks(argument: _datalab_v1_CompleteTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  completeTasks(argument: _datalab_v1_CompleteTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  completeTasks(argument: _datalab_v1_CompleteTasksRequest, callback: grpc.requestCallback<_datalab_v1_CompleteTasksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Says the node is leaving (graceful shutdown); its remaining leases are re-queued.
   */
  DeregisterNode(argument: _datalab_v1_DeregisterNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  DeregisterNode(argument: _datalab_v1_DeregisterNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  DeregisterNode(argument: _datalab_v1_DeregisterNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  DeregisterNode(argument: _datalab_v1_DeregisterNodeRequest, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Says the node is leaving (graceful shutdown); its remaining leases are re-queued.
   */
  deregisterNode(argument: _datalab_v1_DeregisterNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  deregisterNode(argument: _datalab_v1_DeregisterNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  deregisterNode(argument: _datalab_v1_DeregisterNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  deregisterNode(argument: _datalab_v1_DeregisterNodeRequest, callback: grpc.requestCallback<_datalab_v1_DeregisterNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the task's uploaded input file in chunks (bundled inputs are read locally).
   */
  DownloadInput(argument: _datalab_v1_DownloadInputRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadInputResponse__Output>;
  DownloadInput(argument: _datalab_v1_DownloadInputRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadInputResponse__Output>;
  /**
   * Streams the task's uploaded input file in chunks (bundled inputs are read locally).
   */
  downloadInput(argument: _datalab_v1_DownloadInputRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadInputResponse__Output>;
  downloadInput(argument: _datalab_v1_DownloadInputRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadInputResponse__Output>;
  
  /**
   * Reports that the attempt failed; the job is re-queued until max_attempts is used
   * (unless retryable=false).
   */
  FailTask(argument: _datalab_v1_FailTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  FailTask(argument: _datalab_v1_FailTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  FailTask(argument: _datalab_v1_FailTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  FailTask(argument: _datalab_v1_FailTaskRequest, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Reports that the attempt failed; the job is re-queued until max_attempts is used
   * (unless retryable=false).
   */
  failTask(argument: _datalab_v1_FailTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  failTask(argument: _datalab_v1_FailTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  failTask(argument: _datalab_v1_FailTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  failTask(argument: _datalab_v1_FailTaskRequest, callback: grpc.requestCallback<_datalab_v1_FailTaskResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Tells which chunks are not stored yet, so an interrupted upload sends only those.
   */
  FindMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Tells which chunks are not stored yet, so an interrupted upload sends only those.
   */
  findMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _datalab_v1_FindMissingChunksRequest, callback: grpc.requestCallback<_datalab_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Says the node is alive. A node that misses two heartbeats is offline and its leases
   * expire. NOT_FOUND when the coordinator does not know the node: register again.
   */
  Heartbeat(argument: _datalab_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _datalab_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _datalab_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _datalab_v1_HeartbeatRequest, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Says the node is alive. A node that misses two heartbeats is offline and its leases
   * expire. NOT_FOUND when the coordinator does not know the node: register again.
   */
  heartbeat(argument: _datalab_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _datalab_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _datalab_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _datalab_v1_HeartbeatRequest, callback: grpc.requestCallback<_datalab_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Long-polls for a task that fits the node's free resources; returns an empty response
   * (no task) when none arrived within wait_seconds.
   */
  LeaseTask(argument: _datalab_v1_LeaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  LeaseTask(argument: _datalab_v1_LeaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  LeaseTask(argument: _datalab_v1_LeaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  LeaseTask(argument: _datalab_v1_LeaseTaskRequest, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Long-polls for a task that fits the node's free resources; returns an empty response
   * (no task) when none arrived within wait_seconds.
   */
  leaseTask(argument: _datalab_v1_LeaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  leaseTask(argument: _datalab_v1_LeaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  leaseTask(argument: _datalab_v1_LeaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  leaseTask(argument: _datalab_v1_LeaseTaskRequest, callback: grpc.requestCallback<_datalab_v1_LeaseTaskResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Registers (or re-registers after a restart of either side) a node and its capabilities;
   * returns the negotiated heartbeat interval and lease length. ALREADY_EXISTS when another
   * agent process (instance_id) holds the node id and is still heartbeating.
   */
  RegisterNode(argument: _datalab_v1_RegisterNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  RegisterNode(argument: _datalab_v1_RegisterNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  RegisterNode(argument: _datalab_v1_RegisterNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  RegisterNode(argument: _datalab_v1_RegisterNodeRequest, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Registers (or re-registers after a restart of either side) a node and its capabilities;
   * returns the negotiated heartbeat interval and lease length. ALREADY_EXISTS when another
   * agent process (instance_id) holds the node id and is still heartbeating.
   */
  registerNode(argument: _datalab_v1_RegisterNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  registerNode(argument: _datalab_v1_RegisterNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  registerNode(argument: _datalab_v1_RegisterNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  registerNode(argument: _datalab_v1_RegisterNodeRequest, callback: grpc.requestCallback<_datalab_v1_RegisterNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Hands a task back unfinished (node shutting down): re-queued at once, not counted as a
   * failed attempt.
   */
  ReleaseTask(argument: _datalab_v1_ReleaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _datalab_v1_ReleaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _datalab_v1_ReleaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  ReleaseTask(argument: _datalab_v1_ReleaseTaskRequest, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Hands a task back unfinished (node shutting down): re-queued at once, not counted as a
   * failed attempt.
   */
  releaseTask(argument: _datalab_v1_ReleaseTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _datalab_v1_ReleaseTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _datalab_v1_ReleaseTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  releaseTask(argument: _datalab_v1_ReleaseTaskRequest, callback: grpc.requestCallback<_datalab_v1_ReleaseTaskResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Reports progress of a leased task and extends its lease; the first report moves the job
   * to RUNNING. Tells the node when the job was cancelled.
   */
  ReportProgress(argument: _datalab_v1_ReportProgressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _datalab_v1_ReportProgressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _datalab_v1_ReportProgressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _datalab_v1_ReportProgressRequest, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Reports progress of a leased task and extends its lease; the first report moves the job
   * to RUNNING. Tells the node when the job was cancelled.
   */
  reportProgress(argument: _datalab_v1_ReportProgressRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _datalab_v1_ReportProgressRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _datalab_v1_ReportProgressRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _datalab_v1_ReportProgressRequest, callback: grpc.requestCallback<_datalab_v1_ReportProgressResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Uploads one chunk of a result file (content-addressed, idempotent, resumable).
   */
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Uploads one chunk of a result file (content-addressed, idempotent, resumable).
   */
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The worker-node API.
 */
export interface NodeServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Finishes a task with its result files (all chunks uploaded first). Exactly one
   * completion per job is accepted: a stale lease gets ABORTED. Retrying a completion that
   * was already accepted for this lease returns accepted=true again.
   */
  CompleteTask: grpc.handleUnaryCall<_datalab_v1_CompleteTaskRequest__Output, _datalab_v1_CompleteTaskResponse>;
  
  /**
   * Finishes several tasks in one call, for a node that runs many small tasks at once: each
   * completion is checked and recorded exactly as CompleteTask would (its own outcome; one
   * that fails does not stop the others), and all are made durable together. INVALID_ARGUMENT
   * for the whole call when it breaks the batch limits below.
   */
  CompleteTasks: grpc.handleUnaryCall<_datalab_v1_CompleteTasksRequest__Output, _datalab_v1_CompleteTasksResponse>;
  
  /**
   * Says the node is leaving (graceful shutdown); its remaining leases are re-queued.
   */
  DeregisterNode: grpc.handleUnaryCall<_datalab_v1_DeregisterNodeRequest__Output, _datalab_v1_DeregisterNodeResponse>;
  
  /**
   * Streams the task's uploaded input file in chunks (bundled inputs are read locally).
   */
  DownloadInput: grpc.handleServerStreamingCall<_datalab_v1_DownloadInputRequest__Output, _datalab_v1_DownloadInputResponse>;
  
  /**
   * Reports that the attempt failed; the job is re-queued until max_attempts is used
   * (unless retryable=false).
   */
  FailTask: grpc.handleUnaryCall<_datalab_v1_FailTaskRequest__Output, _datalab_v1_FailTaskResponse>;
  
  /**
   * Tells which chunks are not stored yet, so an interrupted upload sends only those.
   */
  FindMissingChunks: grpc.handleUnaryCall<_datalab_v1_FindMissingChunksRequest__Output, _datalab_v1_FindMissingChunksResponse>;
  
  /**
   * Says the node is alive. A node that misses two heartbeats is offline and its leases
   * expire. NOT_FOUND when the coordinator does not know the node: register again.
   */
  Heartbeat: grpc.handleUnaryCall<_datalab_v1_HeartbeatRequest__Output, _datalab_v1_HeartbeatResponse>;
  
  /**
   * Long-polls for a task that fits the node's free resources; returns an empty response
   * (no task) when none arrived within wait_seconds.
   */
  LeaseTask: grpc.handleUnaryCall<_datalab_v1_LeaseTaskRequest__Output, _datalab_v1_LeaseTaskResponse>;
  
  /**
   * Registers (or re-registers after a restart of either side) a node and its capabilities;
   * returns the negotiated heartbeat interval and lease length. ALREADY_EXISTS when another
   * agent process (instance_id) holds the node id and is still heartbeating.
   */
  RegisterNode: grpc.handleUnaryCall<_datalab_v1_RegisterNodeRequest__Output, _datalab_v1_RegisterNodeResponse>;
  
  /**
   * Hands a task back unfinished (node shutting down): re-queued at once, not counted as a
   * failed attempt.
   */
  ReleaseTask: grpc.handleUnaryCall<_datalab_v1_ReleaseTaskRequest__Output, _datalab_v1_ReleaseTaskResponse>;
  
  /**
   * Reports progress of a leased task and extends its lease; the first report moves the job
   * to RUNNING. Tells the node when the job was cancelled.
   */
  ReportProgress: grpc.handleUnaryCall<_datalab_v1_ReportProgressRequest__Output, _datalab_v1_ReportProgressResponse>;
  
  /**
   * Uploads one chunk of a result file (content-addressed, idempotent, resumable).
   */
  UploadChunk: grpc.handleUnaryCall<_datalab_v1_UploadChunkRequest__Output, _datalab_v1_UploadChunkResponse>;
  
}

export interface NodeServiceDefinition extends grpc.ServiceDefinition {
  CompleteTask: MethodDefinition<_datalab_v1_CompleteTaskRequest, _datalab_v1_CompleteTaskResponse, _datalab_v1_CompleteTaskRequest__Output, _datalab_v1_CompleteTaskResponse__Output>
  CompleteTasks: MethodDefinition<_datalab_v1_CompleteTasksRequest, _datalab_v1_CompleteTasksResponse, _datalab_v1_CompleteTasksRequest__Output, _datalab_v1_CompleteTasksResponse__Output>
  DeregisterNode: MethodDefinition<_datalab_v1_DeregisterNodeRequest, _datalab_v1_DeregisterNodeResponse, _datalab_v1_DeregisterNodeRequest__Output, _datalab_v1_DeregisterNodeResponse__Output>
  DownloadInput: MethodDefinition<_datalab_v1_DownloadInputRequest, _datalab_v1_DownloadInputResponse, _datalab_v1_DownloadInputRequest__Output, _datalab_v1_DownloadInputResponse__Output>
  FailTask: MethodDefinition<_datalab_v1_FailTaskRequest, _datalab_v1_FailTaskResponse, _datalab_v1_FailTaskRequest__Output, _datalab_v1_FailTaskResponse__Output>
  FindMissingChunks: MethodDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksRequest__Output, _datalab_v1_FindMissingChunksResponse__Output>
  Heartbeat: MethodDefinition<_datalab_v1_HeartbeatRequest, _datalab_v1_HeartbeatResponse, _datalab_v1_HeartbeatRequest__Output, _datalab_v1_HeartbeatResponse__Output>
  LeaseTask: MethodDefinition<_datalab_v1_LeaseTaskRequest, _datalab_v1_LeaseTaskResponse, _datalab_v1_LeaseTaskRequest__Output, _datalab_v1_LeaseTaskResponse__Output>
  RegisterNode: MethodDefinition<_datalab_v1_RegisterNodeRequest, _datalab_v1_RegisterNodeResponse, _datalab_v1_RegisterNodeRequest__Output, _datalab_v1_RegisterNodeResponse__Output>
  ReleaseTask: MethodDefinition<_datalab_v1_ReleaseTaskRequest, _datalab_v1_ReleaseTaskResponse, _datalab_v1_ReleaseTaskRequest__Output, _datalab_v1_ReleaseTaskResponse__Output>
  ReportProgress: MethodDefinition<_datalab_v1_ReportProgressRequest, _datalab_v1_ReportProgressResponse, _datalab_v1_ReportProgressRequest__Output, _datalab_v1_ReportProgressResponse__Output>
  UploadChunk: MethodDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkRequest__Output, _datalab_v1_UploadChunkResponse__Output>
}
