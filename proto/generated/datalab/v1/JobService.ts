// Original file: proto/datalab/v1/job_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _datalab_v1_CancelJobRequest, CancelJobRequest__Output as _datalab_v1_CancelJobRequest__Output } from '../../datalab/v1/CancelJobRequest.js';
import type { CancelJobResponse as _datalab_v1_CancelJobResponse, CancelJobResponse__Output as _datalab_v1_CancelJobResponse__Output } from '../../datalab/v1/CancelJobResponse.js';
import type { DownloadResultRequest as _datalab_v1_DownloadResultRequest, DownloadResultRequest__Output as _datalab_v1_DownloadResultRequest__Output } from '../../datalab/v1/DownloadResultRequest.js';
import type { DownloadResultResponse as _datalab_v1_DownloadResultResponse, DownloadResultResponse__Output as _datalab_v1_DownloadResultResponse__Output } from '../../datalab/v1/DownloadResultResponse.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from '../../datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from '../../datalab/v1/FindMissingChunksResponse.js';
import type { GetJobRequest as _datalab_v1_GetJobRequest, GetJobRequest__Output as _datalab_v1_GetJobRequest__Output } from '../../datalab/v1/GetJobRequest.js';
import type { GetJobResponse as _datalab_v1_GetJobResponse, GetJobResponse__Output as _datalab_v1_GetJobResponse__Output } from '../../datalab/v1/GetJobResponse.js';
import type { ListJobsRequest as _datalab_v1_ListJobsRequest, ListJobsRequest__Output as _datalab_v1_ListJobsRequest__Output } from '../../datalab/v1/ListJobsRequest.js';
import type { ListJobsResponse as _datalab_v1_ListJobsResponse, ListJobsResponse__Output as _datalab_v1_ListJobsResponse__Output } from '../../datalab/v1/ListJobsResponse.js';
import type { SubmitJobRequest as _datalab_v1_SubmitJobRequest, SubmitJobRequest__Output as _datalab_v1_SubmitJobRequest__Output } from '../../datalab/v1/SubmitJobRequest.js';
import type { SubmitJobResponse as _datalab_v1_SubmitJobResponse, SubmitJobResponse__Output as _datalab_v1_SubmitJobResponse__Output } from '../../datalab/v1/SubmitJobResponse.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from '../../datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from '../../datalab/v1/UploadChunkResponse.js';
import type { WatchJobRequest as _datalab_v1_WatchJobRequest, WatchJobRequest__Output as _datalab_v1_WatchJobRequest__Output } from '../../datalab/v1/WatchJobRequest.js';
import type { WatchJobResponse as _datalab_v1_WatchJobResponse, WatchJobResponse__Output as _datalab_v1_WatchJobResponse__Output } from '../../datalab/v1/WatchJobResponse.js';

/**
 * The client-facing job API.
 */
export interface JobServiceClient extends grpc.Client {
  /**
   * Cancels a job that is not terminal; a running node learns it on its next heartbeat or
   * progress report. Cancelling a terminal job fails with FAILED_PRECONDITION.
   */
  CancelJob(argument: _datalab_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _datalab_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _datalab_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _datalab_v1_CancelJobRequest, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Cancels a job that is not terminal; a running node learns it on its next heartbeat or
   * progress report. Cancelling a terminal job fails with FAILED_PRECONDITION.
   */
  cancelJob(argument: _datalab_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _datalab_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _datalab_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _datalab_v1_CancelJobRequest, callback: grpc.requestCallback<_datalab_v1_CancelJobResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams one result file of a SUCCEEDED job: first a message with the manifest, then the
   * chunks in order from start_chunk_index (resume by passing the next index you need).
   */
  DownloadResult(argument: _datalab_v1_DownloadResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadResultResponse__Output>;
  DownloadResult(argument: _datalab_v1_DownloadResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadResultResponse__Output>;
  /**
   * Streams one result file of a SUCCEEDED job: first a message with the manifest, then the
   * chunks in order from start_chunk_index (resume by passing the next index you need).
   */
  downloadResult(argument: _datalab_v1_DownloadResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadResultResponse__Output>;
  downloadResult(argument: _datalab_v1_DownloadResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_DownloadResultResponse__Output>;
  
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
   * Returns one of the caller's jobs (NOT_FOUND if it does not exist or is not theirs).
   */
  GetJob(argument: _datalab_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _datalab_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _datalab_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _datalab_v1_GetJobRequest, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Returns one of the caller's jobs (NOT_FOUND if it does not exist or is not theirs).
   */
  getJob(argument: _datalab_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  getJob(argument: _datalab_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  getJob(argument: _datalab_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  getJob(argument: _datalab_v1_GetJobRequest, callback: grpc.requestCallback<_datalab_v1_GetJobResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists the caller's jobs, newest first, with AIP-158 pagination and a filter.
   */
  ListJobs(argument: _datalab_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _datalab_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _datalab_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _datalab_v1_ListJobsRequest, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists the caller's jobs, newest first, with AIP-158 pagination and a filter.
   */
  listJobs(argument: _datalab_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _datalab_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _datalab_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _datalab_v1_ListJobsRequest, callback: grpc.requestCallback<_datalab_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Submits a job. Retrying with the same idempotency_key returns the same job (created=false);
   * the same key with a different spec fails with ALREADY_EXISTS. An uploaded input with chunks
   * the caller has not uploaded fails with FAILED_PRECONDITION naming the first.
   */
  SubmitJob(argument: _datalab_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _datalab_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _datalab_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _datalab_v1_SubmitJobRequest, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Submits a job. Retrying with the same idempotency_key returns the same job (created=false);
   * the same key with a different spec fails with ALREADY_EXISTS. An uploaded input with chunks
   * the caller has not uploaded fails with FAILED_PRECONDITION naming the first.
   */
  submitJob(argument: _datalab_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _datalab_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _datalab_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _datalab_v1_SubmitJobRequest, callback: grpc.requestCallback<_datalab_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Uploads one chunk of an input file (content-addressed, idempotent, resumable).
   */
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  UploadChunk(argument: _datalab_v1_UploadChunkRequest, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Uploads one chunk of an input file (content-addressed, idempotent, resumable).
   */
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  uploadChunk(argument: _datalab_v1_UploadChunkRequest, callback: grpc.requestCallback<_datalab_v1_UploadChunkResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the job now and after every change (state, progress); ends after a terminal state.
   */
  WatchJob(argument: _datalab_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_WatchJobResponse__Output>;
  WatchJob(argument: _datalab_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_WatchJobResponse__Output>;
  /**
   * Streams the job now and after every change (state, progress); ends after a terminal state.
   */
  watchJob(argument: _datalab_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_WatchJobResponse__Output>;
  watchJob(argument: _datalab_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_datalab_v1_WatchJobResponse__Output>;
  
}

/**
 * The client-facing job API.
 */
export interface JobServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Cancels a job that is not terminal; a running node learns it on its next heartbeat or
   * progress report. Cancelling a terminal job fails with FAILED_PRECONDITION.
   */
  CancelJob: grpc.handleUnaryCall<_datalab_v1_CancelJobRequest__Output, _datalab_v1_CancelJobResponse>;
  
  /**
   * Streams one result file of a SUCCEEDED job: first a message with the manifest, then the
   * chunks in order from start_chunk_index (resume by passing the next index you need).
   */
  DownloadResult: grpc.handleServerStreamingCall<_datalab_v1_DownloadResultRequest__Output, _datalab_v1_DownloadResultResponse>;
  
  /**
   * Tells which chunks are not stored yet, so an interrupted upload sends only those.
   */
  FindMissingChunks: grpc.handleUnaryCall<_datalab_v1_FindMissingChunksRequest__Output, _datalab_v1_FindMissingChunksResponse>;
  
  /**
   * Returns one of the caller's jobs (NOT_FOUND if it does not exist or is not theirs).
   */
  GetJob: grpc.handleUnaryCall<_datalab_v1_GetJobRequest__Output, _datalab_v1_GetJobResponse>;
  
  /**
   * Lists the caller's jobs, newest first, with AIP-158 pagination and a filter.
   */
  ListJobs: grpc.handleUnaryCall<_datalab_v1_ListJobsRequest__Output, _datalab_v1_ListJobsResponse>;
  
  /**
   * Submits a job. Retrying with the same idempotency_key returns the same job (created=false);
   * the same key with a different spec fails with ALREADY_EXISTS. An uploaded input with chunks
   * the caller has not uploaded fails with FAILED_PRECONDITION naming the first.
   */
  SubmitJob: grpc.handleUnaryCall<_datalab_v1_SubmitJobRequest__Output, _datalab_v1_SubmitJobResponse>;
  
  /**
   * Uploads one chunk of an input file (content-addressed, idempotent, resumable).
   */
  UploadChunk: grpc.handleUnaryCall<_datalab_v1_UploadChunkRequest__Output, _datalab_v1_UploadChunkResponse>;
  
  /**
   * Streams the job now and after every change (state, progress); ends after a terminal state.
   */
  WatchJob: grpc.handleServerStreamingCall<_datalab_v1_WatchJobRequest__Output, _datalab_v1_WatchJobResponse>;
  
}

export interface JobServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_datalab_v1_CancelJobRequest, _datalab_v1_CancelJobResponse, _datalab_v1_CancelJobRequest__Output, _datalab_v1_CancelJobResponse__Output>
  DownloadResult: MethodDefinition<_datalab_v1_DownloadResultRequest, _datalab_v1_DownloadResultResponse, _datalab_v1_DownloadResultRequest__Output, _datalab_v1_DownloadResultResponse__Output>
  FindMissingChunks: MethodDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksRequest__Output, _datalab_v1_FindMissingChunksResponse__Output>
  GetJob: MethodDefinition<_datalab_v1_GetJobRequest, _datalab_v1_GetJobResponse, _datalab_v1_GetJobRequest__Output, _datalab_v1_GetJobResponse__Output>
  ListJobs: MethodDefinition<_datalab_v1_ListJobsRequest, _datalab_v1_ListJobsResponse, _datalab_v1_ListJobsRequest__Output, _datalab_v1_ListJobsResponse__Output>
  SubmitJob: MethodDefinition<_datalab_v1_SubmitJobRequest, _datalab_v1_SubmitJobResponse, _datalab_v1_SubmitJobRequest__Output, _datalab_v1_SubmitJobResponse__Output>
  UploadChunk: MethodDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkRequest__Output, _datalab_v1_UploadChunkResponse__Output>
  WatchJob: MethodDefinition<_datalab_v1_WatchJobRequest, _datalab_v1_WatchJobResponse, _datalab_v1_WatchJobRequest__Output, _datalab_v1_WatchJobResponse__Output>
}
