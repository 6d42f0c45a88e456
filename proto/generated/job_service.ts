import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelJobRequest as _datalab_v1_CancelJobRequest, CancelJobRequest__Output as _datalab_v1_CancelJobRequest__Output } from './datalab/v1/CancelJobRequest.js';
import type { CancelJobResponse as _datalab_v1_CancelJobResponse, CancelJobResponse__Output as _datalab_v1_CancelJobResponse__Output } from './datalab/v1/CancelJobResponse.js';
import type { ChunkRef as _datalab_v1_ChunkRef, ChunkRef__Output as _datalab_v1_ChunkRef__Output } from './datalab/v1/ChunkRef.js';
import type { Condition as _datalab_v1_Condition, Condition__Output as _datalab_v1_Condition__Output } from './datalab/v1/Condition.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from './datalab/v1/DataChunk.js';
import type { DownloadResultRequest as _datalab_v1_DownloadResultRequest, DownloadResultRequest__Output as _datalab_v1_DownloadResultRequest__Output } from './datalab/v1/DownloadResultRequest.js';
import type { DownloadResultResponse as _datalab_v1_DownloadResultResponse, DownloadResultResponse__Output as _datalab_v1_DownloadResultResponse__Output } from './datalab/v1/DownloadResultResponse.js';
import type { FederatedSpec as _datalab_v1_FederatedSpec, FederatedSpec__Output as _datalab_v1_FederatedSpec__Output } from './datalab/v1/FederatedSpec.js';
import type { FederationStatus as _datalab_v1_FederationStatus, FederationStatus__Output as _datalab_v1_FederationStatus__Output } from './datalab/v1/FederationStatus.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from './datalab/v1/FileManifest.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from './datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from './datalab/v1/FindMissingChunksResponse.js';
import type { GetJobRequest as _datalab_v1_GetJobRequest, GetJobRequest__Output as _datalab_v1_GetJobRequest__Output } from './datalab/v1/GetJobRequest.js';
import type { GetJobResponse as _datalab_v1_GetJobResponse, GetJobResponse__Output as _datalab_v1_GetJobResponse__Output } from './datalab/v1/GetJobResponse.js';
import type { HolderRefusal as _datalab_v1_HolderRefusal, HolderRefusal__Output as _datalab_v1_HolderRefusal__Output } from './datalab/v1/HolderRefusal.js';
import type { InputRef as _datalab_v1_InputRef, InputRef__Output as _datalab_v1_InputRef__Output } from './datalab/v1/InputRef.js';
import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from './datalab/v1/Job.js';
import type { JobServiceClient as _datalab_v1_JobServiceClient, JobServiceDefinition as _datalab_v1_JobServiceDefinition } from './datalab/v1/JobService.js';
import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from './datalab/v1/JobSpec.js';
import type { ListJobsRequest as _datalab_v1_ListJobsRequest, ListJobsRequest__Output as _datalab_v1_ListJobsRequest__Output } from './datalab/v1/ListJobsRequest.js';
import type { ListJobsResponse as _datalab_v1_ListJobsResponse, ListJobsResponse__Output as _datalab_v1_ListJobsResponse__Output } from './datalab/v1/ListJobsResponse.js';
import type { Progress as _datalab_v1_Progress, Progress__Output as _datalab_v1_Progress__Output } from './datalab/v1/Progress.js';
import type { Resources as _datalab_v1_Resources, Resources__Output as _datalab_v1_Resources__Output } from './datalab/v1/Resources.js';
import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from './datalab/v1/ResultFile.js';
import type { ScoringOptions as _datalab_v1_ScoringOptions, ScoringOptions__Output as _datalab_v1_ScoringOptions__Output } from './datalab/v1/ScoringOptions.js';
import type { SubmitJobRequest as _datalab_v1_SubmitJobRequest, SubmitJobRequest__Output as _datalab_v1_SubmitJobRequest__Output } from './datalab/v1/SubmitJobRequest.js';
import type { SubmitJobResponse as _datalab_v1_SubmitJobResponse, SubmitJobResponse__Output as _datalab_v1_SubmitJobResponse__Output } from './datalab/v1/SubmitJobResponse.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from './datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from './datalab/v1/UploadChunkResponse.js';
import type { WatchJobRequest as _datalab_v1_WatchJobRequest, WatchJobRequest__Output as _datalab_v1_WatchJobRequest__Output } from './datalab/v1/WatchJobRequest.js';
import type { WatchJobResponse as _datalab_v1_WatchJobResponse, WatchJobResponse__Output as _datalab_v1_WatchJobResponse__Output } from './datalab/v1/WatchJobResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  datalab: {
    v1: {
      CancelJobRequest: MessageTypeDefinition<_datalab_v1_CancelJobRequest, _datalab_v1_CancelJobRequest__Output>
      CancelJobResponse: MessageTypeDefinition<_datalab_v1_CancelJobResponse, _datalab_v1_CancelJobResponse__Output>
      ChunkRef: MessageTypeDefinition<_datalab_v1_ChunkRef, _datalab_v1_ChunkRef__Output>
      Condition: MessageTypeDefinition<_datalab_v1_Condition, _datalab_v1_Condition__Output>
      DataChunk: MessageTypeDefinition<_datalab_v1_DataChunk, _datalab_v1_DataChunk__Output>
      DownloadResultRequest: MessageTypeDefinition<_datalab_v1_DownloadResultRequest, _datalab_v1_DownloadResultRequest__Output>
      DownloadResultResponse: MessageTypeDefinition<_datalab_v1_DownloadResultResponse, _datalab_v1_DownloadResultResponse__Output>
      FederatedSpec: MessageTypeDefinition<_datalab_v1_FederatedSpec, _datalab_v1_FederatedSpec__Output>
      FederationStatus: MessageTypeDefinition<_datalab_v1_FederationStatus, _datalab_v1_FederationStatus__Output>
      FileManifest: MessageTypeDefinition<_datalab_v1_FileManifest, _datalab_v1_FileManifest__Output>
      FindMissingChunksRequest: MessageTypeDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksRequest__Output>
      FindMissingChunksResponse: MessageTypeDefinition<_datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksResponse__Output>
      GetJobRequest: MessageTypeDefinition<_datalab_v1_GetJobRequest, _datalab_v1_GetJobRequest__Output>
      GetJobResponse: MessageTypeDefinition<_datalab_v1_GetJobResponse, _datalab_v1_GetJobResponse__Output>
      HolderRefusal: MessageTypeDefinition<_datalab_v1_HolderRefusal, _datalab_v1_HolderRefusal__Output>
      InputRef: MessageTypeDefinition<_datalab_v1_InputRef, _datalab_v1_InputRef__Output>
      Job: MessageTypeDefinition<_datalab_v1_Job, _datalab_v1_Job__Output>
      JobKind: EnumTypeDefinition
      /**
       * The client-facing job API.
       */
      JobService: SubtypeConstructor<typeof grpc.Client, _datalab_v1_JobServiceClient> & { service: _datalab_v1_JobServiceDefinition }
      JobSpec: MessageTypeDefinition<_datalab_v1_JobSpec, _datalab_v1_JobSpec__Output>
      JobState: EnumTypeDefinition
      ListJobsRequest: MessageTypeDefinition<_datalab_v1_ListJobsRequest, _datalab_v1_ListJobsRequest__Output>
      ListJobsResponse: MessageTypeDefinition<_datalab_v1_ListJobsResponse, _datalab_v1_ListJobsResponse__Output>
      Progress: MessageTypeDefinition<_datalab_v1_Progress, _datalab_v1_Progress__Output>
      Resources: MessageTypeDefinition<_datalab_v1_Resources, _datalab_v1_Resources__Output>
      ResultFile: MessageTypeDefinition<_datalab_v1_ResultFile, _datalab_v1_ResultFile__Output>
      ResultKind: EnumTypeDefinition
      ScoringOptions: MessageTypeDefinition<_datalab_v1_ScoringOptions, _datalab_v1_ScoringOptions__Output>
      SubmitJobRequest: MessageTypeDefinition<_datalab_v1_SubmitJobRequest, _datalab_v1_SubmitJobRequest__Output>
      SubmitJobResponse: MessageTypeDefinition<_datalab_v1_SubmitJobResponse, _datalab_v1_SubmitJobResponse__Output>
      UploadChunkRequest: MessageTypeDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkRequest__Output>
      UploadChunkResponse: MessageTypeDefinition<_datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkResponse__Output>
      WatchJobRequest: MessageTypeDefinition<_datalab_v1_WatchJobRequest, _datalab_v1_WatchJobRequest__Output>
      WatchJobResponse: MessageTypeDefinition<_datalab_v1_WatchJobResponse, _datalab_v1_WatchJobResponse__Output>
    }
  }
}

