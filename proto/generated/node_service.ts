import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChunkRef as _datalab_v1_ChunkRef, ChunkRef__Output as _datalab_v1_ChunkRef__Output } from './datalab/v1/ChunkRef.js';
import type { CompleteTaskOutcome as _datalab_v1_CompleteTaskOutcome, CompleteTaskOutcome__Output as _datalab_v1_CompleteTaskOutcome__Output } from './datalab/v1/CompleteTaskOutcome.js';
import type { CompleteTaskRequest as _datalab_v1_CompleteTaskRequest, CompleteTaskRequest__Output as _datalab_v1_CompleteTaskRequest__Output } from './datalab/v1/CompleteTaskRequest.js';
import type { CompleteTaskResponse as _datalab_v1_CompleteTaskResponse, CompleteTaskResponse__Output as _datalab_v1_CompleteTaskResponse__Output } from './datalab/v1/CompleteTaskResponse.js';
import type { CompleteTasksRequest as _datalab_v1_CompleteTasksRequest, CompleteTasksRequest__Output as _datalab_v1_CompleteTasksRequest__Output } from './datalab/v1/CompleteTasksRequest.js';
import type { CompleteTasksResponse as _datalab_v1_CompleteTasksResponse, CompleteTasksResponse__Output as _datalab_v1_CompleteTasksResponse__Output } from './datalab/v1/CompleteTasksResponse.js';
import type { Condition as _datalab_v1_Condition, Condition__Output as _datalab_v1_Condition__Output } from './datalab/v1/Condition.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from './datalab/v1/DataChunk.js';
import type { DeregisterNodeRequest as _datalab_v1_DeregisterNodeRequest, DeregisterNodeRequest__Output as _datalab_v1_DeregisterNodeRequest__Output } from './datalab/v1/DeregisterNodeRequest.js';
import type { DeregisterNodeResponse as _datalab_v1_DeregisterNodeResponse, DeregisterNodeResponse__Output as _datalab_v1_DeregisterNodeResponse__Output } from './datalab/v1/DeregisterNodeResponse.js';
import type { DownloadInputRequest as _datalab_v1_DownloadInputRequest, DownloadInputRequest__Output as _datalab_v1_DownloadInputRequest__Output } from './datalab/v1/DownloadInputRequest.js';
import type { DownloadInputResponse as _datalab_v1_DownloadInputResponse, DownloadInputResponse__Output as _datalab_v1_DownloadInputResponse__Output } from './datalab/v1/DownloadInputResponse.js';
import type { FailTaskRequest as _datalab_v1_FailTaskRequest, FailTaskRequest__Output as _datalab_v1_FailTaskRequest__Output } from './datalab/v1/FailTaskRequest.js';
import type { FailTaskResponse as _datalab_v1_FailTaskResponse, FailTaskResponse__Output as _datalab_v1_FailTaskResponse__Output } from './datalab/v1/FailTaskResponse.js';
import type { FederatedModelSpec as _datalab_v1_FederatedModelSpec, FederatedModelSpec__Output as _datalab_v1_FederatedModelSpec__Output } from './datalab/v1/FederatedModelSpec.js';
import type { FederatedResult as _datalab_v1_FederatedResult, FederatedResult__Output as _datalab_v1_FederatedResult__Output } from './datalab/v1/FederatedResult.js';
import type { FederatedSpec as _datalab_v1_FederatedSpec, FederatedSpec__Output as _datalab_v1_FederatedSpec__Output } from './datalab/v1/FederatedSpec.js';
import type { FederatedTask as _datalab_v1_FederatedTask, FederatedTask__Output as _datalab_v1_FederatedTask__Output } from './datalab/v1/FederatedTask.js';
import type { FederationStatus as _datalab_v1_FederationStatus, FederationStatus__Output as _datalab_v1_FederationStatus__Output } from './datalab/v1/FederationStatus.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from './datalab/v1/FileManifest.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from './datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from './datalab/v1/FindMissingChunksResponse.js';
import type { GpuDevice as _datalab_v1_GpuDevice, GpuDevice__Output as _datalab_v1_GpuDevice__Output } from './datalab/v1/GpuDevice.js';
import type { GpuMemoryReading as _datalab_v1_GpuMemoryReading, GpuMemoryReading__Output as _datalab_v1_GpuMemoryReading__Output } from './datalab/v1/GpuMemoryReading.js';
import type { HeartbeatRequest as _datalab_v1_HeartbeatRequest, HeartbeatRequest__Output as _datalab_v1_HeartbeatRequest__Output } from './datalab/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _datalab_v1_HeartbeatResponse, HeartbeatResponse__Output as _datalab_v1_HeartbeatResponse__Output } from './datalab/v1/HeartbeatResponse.js';
import type { HeldDataset as _datalab_v1_HeldDataset, HeldDataset__Output as _datalab_v1_HeldDataset__Output } from './datalab/v1/HeldDataset.js';
import type { HolderPolicySummary as _datalab_v1_HolderPolicySummary, HolderPolicySummary__Output as _datalab_v1_HolderPolicySummary__Output } from './datalab/v1/HolderPolicySummary.js';
import type { HolderRefusal as _datalab_v1_HolderRefusal, HolderRefusal__Output as _datalab_v1_HolderRefusal__Output } from './datalab/v1/HolderRefusal.js';
import type { InputRef as _datalab_v1_InputRef, InputRef__Output as _datalab_v1_InputRef__Output } from './datalab/v1/InputRef.js';
import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from './datalab/v1/Job.js';
import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from './datalab/v1/JobSpec.js';
import type { LeaseTaskRequest as _datalab_v1_LeaseTaskRequest, LeaseTaskRequest__Output as _datalab_v1_LeaseTaskRequest__Output } from './datalab/v1/LeaseTaskRequest.js';
import type { LeaseTaskResponse as _datalab_v1_LeaseTaskResponse, LeaseTaskResponse__Output as _datalab_v1_LeaseTaskResponse__Output } from './datalab/v1/LeaseTaskResponse.js';
import type { NodeCapabilities as _datalab_v1_NodeCapabilities, NodeCapabilities__Output as _datalab_v1_NodeCapabilities__Output } from './datalab/v1/NodeCapabilities.js';
import type { NodeServiceClient as _datalab_v1_NodeServiceClient, NodeServiceDefinition as _datalab_v1_NodeServiceDefinition } from './datalab/v1/NodeService.js';
import type { Progress as _datalab_v1_Progress, Progress__Output as _datalab_v1_Progress__Output } from './datalab/v1/Progress.js';
import type { RegisterNodeRequest as _datalab_v1_RegisterNodeRequest, RegisterNodeRequest__Output as _datalab_v1_RegisterNodeRequest__Output } from './datalab/v1/RegisterNodeRequest.js';
import type { RegisterNodeResponse as _datalab_v1_RegisterNodeResponse, RegisterNodeResponse__Output as _datalab_v1_RegisterNodeResponse__Output } from './datalab/v1/RegisterNodeResponse.js';
import type { ReleaseTaskRequest as _datalab_v1_ReleaseTaskRequest, ReleaseTaskRequest__Output as _datalab_v1_ReleaseTaskRequest__Output } from './datalab/v1/ReleaseTaskRequest.js';
import type { ReleaseTaskResponse as _datalab_v1_ReleaseTaskResponse, ReleaseTaskResponse__Output as _datalab_v1_ReleaseTaskResponse__Output } from './datalab/v1/ReleaseTaskResponse.js';
import type { ReportProgressRequest as _datalab_v1_ReportProgressRequest, ReportProgressRequest__Output as _datalab_v1_ReportProgressRequest__Output } from './datalab/v1/ReportProgressRequest.js';
import type { ReportProgressResponse as _datalab_v1_ReportProgressResponse, ReportProgressResponse__Output as _datalab_v1_ReportProgressResponse__Output } from './datalab/v1/ReportProgressResponse.js';
import type { Resources as _datalab_v1_Resources, Resources__Output as _datalab_v1_Resources__Output } from './datalab/v1/Resources.js';
import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from './datalab/v1/ResultFile.js';
import type { ScoringOptions as _datalab_v1_ScoringOptions, ScoringOptions__Output as _datalab_v1_ScoringOptions__Output } from './datalab/v1/ScoringOptions.js';
import type { Task as _datalab_v1_Task, Task__Output as _datalab_v1_Task__Output } from './datalab/v1/Task.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from './datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from './datalab/v1/UploadChunkResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  datalab: {
    v1: {
      ChunkRef: MessageTypeDefinition<_datalab_v1_ChunkRef, _datalab_v1_ChunkRef__Output>
      CompleteTaskOutcome: MessageTypeDefinition<_datalab_v1_CompleteTaskOutcome, _datalab_v1_CompleteTaskOutcome__Output>
      CompleteTaskRequest: MessageTypeDefinition<_datalab_v1_CompleteTaskRequest, _datalab_v1_CompleteTaskRequest__Output>
      CompleteTaskResponse: MessageTypeDefinition<_datalab_v1_CompleteTaskResponse, _datalab_v1_CompleteTaskResponse__Output>
      CompleteTasksRequest: MessageTypeDefinition<_datalab_v1_CompleteTasksRequest, _datalab_v1_CompleteTasksRequest__Output>
      CompleteTasksResponse: MessageTypeDefinition<_datalab_v1_CompleteTasksResponse, _datalab_v1_CompleteTasksResponse__Output>
      Condition: MessageTypeDefinition<_datalab_v1_Condition, _datalab_v1_Condition__Output>
      DataChunk: MessageTypeDefinition<_datalab_v1_DataChunk, _datalab_v1_DataChunk__Output>
      DeregisterNodeRequest: MessageTypeDefinition<_datalab_v1_DeregisterNodeRequest, _datalab_v1_DeregisterNodeRequest__Output>
      DeregisterNodeResponse: MessageTypeDefinition<_datalab_v1_DeregisterNodeResponse, _datalab_v1_DeregisterNodeResponse__Output>
      DownloadInputRequest: MessageTypeDefinition<_datalab_v1_DownloadInputRequest, _datalab_v1_DownloadInputRequest__Output>
      DownloadInputResponse: MessageTypeDefinition<_datalab_v1_DownloadInputResponse, _datalab_v1_DownloadInputResponse__Output>
      FailTaskRequest: MessageTypeDefinition<_datalab_v1_FailTaskRequest, _datalab_v1_FailTaskRequest__Output>
      FailTaskResponse: MessageTypeDefinition<_datalab_v1_FailTaskResponse, _datalab_v1_FailTaskResponse__Output>
      FederatedModelSpec: MessageTypeDefinition<_datalab_v1_FederatedModelSpec, _datalab_v1_FederatedModelSpec__Output>
      FederatedPhase: EnumTypeDefinition
      FederatedResult: MessageTypeDefinition<_datalab_v1_FederatedResult, _datalab_v1_FederatedResult__Output>
      FederatedSpec: MessageTypeDefinition<_datalab_v1_FederatedSpec, _datalab_v1_FederatedSpec__Output>
      FederatedTask: MessageTypeDefinition<_datalab_v1_FederatedTask, _datalab_v1_FederatedTask__Output>
      FederationStatus: MessageTypeDefinition<_datalab_v1_FederationStatus, _datalab_v1_FederationStatus__Output>
      FileManifest: MessageTypeDefinition<_datalab_v1_FileManifest, _datalab_v1_FileManifest__Output>
      FindMissingChunksRequest: MessageTypeDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksRequest__Output>
      FindMissingChunksResponse: MessageTypeDefinition<_datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksResponse__Output>
      GpuDevice: MessageTypeDefinition<_datalab_v1_GpuDevice, _datalab_v1_GpuDevice__Output>
      GpuMemoryReading: MessageTypeDefinition<_datalab_v1_GpuMemoryReading, _datalab_v1_GpuMemoryReading__Output>
      HeartbeatRequest: MessageTypeDefinition<_datalab_v1_HeartbeatRequest, _datalab_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_datalab_v1_HeartbeatResponse, _datalab_v1_HeartbeatResponse__Output>
      HeldDataset: MessageTypeDefinition<_datalab_v1_HeldDataset, _datalab_v1_HeldDataset__Output>
      HolderPolicySummary: MessageTypeDefinition<_datalab_v1_HolderPolicySummary, _datalab_v1_HolderPolicySummary__Output>
      HolderRefusal: MessageTypeDefinition<_datalab_v1_HolderRefusal, _datalab_v1_HolderRefusal__Output>
      InputRef: MessageTypeDefinition<_datalab_v1_InputRef, _datalab_v1_InputRef__Output>
      Job: MessageTypeDefinition<_datalab_v1_Job, _datalab_v1_Job__Output>
      JobKind: EnumTypeDefinition
      JobSpec: MessageTypeDefinition<_datalab_v1_JobSpec, _datalab_v1_JobSpec__Output>
      JobState: EnumTypeDefinition
      LeaseTaskRequest: MessageTypeDefinition<_datalab_v1_LeaseTaskRequest, _datalab_v1_LeaseTaskRequest__Output>
      LeaseTaskResponse: MessageTypeDefinition<_datalab_v1_LeaseTaskResponse, _datalab_v1_LeaseTaskResponse__Output>
      NodeCapabilities: MessageTypeDefinition<_datalab_v1_NodeCapabilities, _datalab_v1_NodeCapabilities__Output>
      NodeRole: EnumTypeDefinition
      /**
       * The worker-node API.
       */
      NodeService: SubtypeConstructor<typeof grpc.Client, _datalab_v1_NodeServiceClient> & { service: _datalab_v1_NodeServiceDefinition }
      Progress: MessageTypeDefinition<_datalab_v1_Progress, _datalab_v1_Progress__Output>
      RegisterNodeRequest: MessageTypeDefinition<_datalab_v1_RegisterNodeRequest, _datalab_v1_RegisterNodeRequest__Output>
      RegisterNodeResponse: MessageTypeDefinition<_datalab_v1_RegisterNodeResponse, _datalab_v1_RegisterNodeResponse__Output>
      ReleaseTaskRequest: MessageTypeDefinition<_datalab_v1_ReleaseTaskRequest, _datalab_v1_ReleaseTaskRequest__Output>
      ReleaseTaskResponse: MessageTypeDefinition<_datalab_v1_ReleaseTaskResponse, _datalab_v1_ReleaseTaskResponse__Output>
      ReportProgressRequest: MessageTypeDefinition<_datalab_v1_ReportProgressRequest, _datalab_v1_ReportProgressRequest__Output>
      ReportProgressResponse: MessageTypeDefinition<_datalab_v1_ReportProgressResponse, _datalab_v1_ReportProgressResponse__Output>
      Resources: MessageTypeDefinition<_datalab_v1_Resources, _datalab_v1_Resources__Output>
      ResultFile: MessageTypeDefinition<_datalab_v1_ResultFile, _datalab_v1_ResultFile__Output>
      ResultKind: EnumTypeDefinition
      ScoringOptions: MessageTypeDefinition<_datalab_v1_ScoringOptions, _datalab_v1_ScoringOptions__Output>
      Task: MessageTypeDefinition<_datalab_v1_Task, _datalab_v1_Task__Output>
      UploadChunkRequest: MessageTypeDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkRequest__Output>
      UploadChunkResponse: MessageTypeDefinition<_datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkResponse__Output>
    }
  }
}

