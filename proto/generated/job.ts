import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChunkRef as _datalab_v1_ChunkRef, ChunkRef__Output as _datalab_v1_ChunkRef__Output } from './datalab/v1/ChunkRef.js';
import type { Condition as _datalab_v1_Condition, Condition__Output as _datalab_v1_Condition__Output } from './datalab/v1/Condition.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from './datalab/v1/DataChunk.js';
import type { FederatedSpec as _datalab_v1_FederatedSpec, FederatedSpec__Output as _datalab_v1_FederatedSpec__Output } from './datalab/v1/FederatedSpec.js';
import type { FederationStatus as _datalab_v1_FederationStatus, FederationStatus__Output as _datalab_v1_FederationStatus__Output } from './datalab/v1/FederationStatus.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from './datalab/v1/FileManifest.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from './datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from './datalab/v1/FindMissingChunksResponse.js';
import type { HolderRefusal as _datalab_v1_HolderRefusal, HolderRefusal__Output as _datalab_v1_HolderRefusal__Output } from './datalab/v1/HolderRefusal.js';
import type { InputRef as _datalab_v1_InputRef, InputRef__Output as _datalab_v1_InputRef__Output } from './datalab/v1/InputRef.js';
import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from './datalab/v1/Job.js';
import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from './datalab/v1/JobSpec.js';
import type { Progress as _datalab_v1_Progress, Progress__Output as _datalab_v1_Progress__Output } from './datalab/v1/Progress.js';
import type { Resources as _datalab_v1_Resources, Resources__Output as _datalab_v1_Resources__Output } from './datalab/v1/Resources.js';
import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from './datalab/v1/ResultFile.js';
import type { ScoringOptions as _datalab_v1_ScoringOptions, ScoringOptions__Output as _datalab_v1_ScoringOptions__Output } from './datalab/v1/ScoringOptions.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from './datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from './datalab/v1/UploadChunkResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  datalab: {
    v1: {
      ChunkRef: MessageTypeDefinition<_datalab_v1_ChunkRef, _datalab_v1_ChunkRef__Output>
      Condition: MessageTypeDefinition<_datalab_v1_Condition, _datalab_v1_Condition__Output>
      DataChunk: MessageTypeDefinition<_datalab_v1_DataChunk, _datalab_v1_DataChunk__Output>
      FederatedSpec: MessageTypeDefinition<_datalab_v1_FederatedSpec, _datalab_v1_FederatedSpec__Output>
      FederationStatus: MessageTypeDefinition<_datalab_v1_FederationStatus, _datalab_v1_FederationStatus__Output>
      FileManifest: MessageTypeDefinition<_datalab_v1_FileManifest, _datalab_v1_FileManifest__Output>
      FindMissingChunksRequest: MessageTypeDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksRequest__Output>
      FindMissingChunksResponse: MessageTypeDefinition<_datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksResponse__Output>
      HolderRefusal: MessageTypeDefinition<_datalab_v1_HolderRefusal, _datalab_v1_HolderRefusal__Output>
      InputRef: MessageTypeDefinition<_datalab_v1_InputRef, _datalab_v1_InputRef__Output>
      Job: MessageTypeDefinition<_datalab_v1_Job, _datalab_v1_Job__Output>
      JobKind: EnumTypeDefinition
      JobSpec: MessageTypeDefinition<_datalab_v1_JobSpec, _datalab_v1_JobSpec__Output>
      JobState: EnumTypeDefinition
      Progress: MessageTypeDefinition<_datalab_v1_Progress, _datalab_v1_Progress__Output>
      Resources: MessageTypeDefinition<_datalab_v1_Resources, _datalab_v1_Resources__Output>
      ResultFile: MessageTypeDefinition<_datalab_v1_ResultFile, _datalab_v1_ResultFile__Output>
      ResultKind: EnumTypeDefinition
      ScoringOptions: MessageTypeDefinition<_datalab_v1_ScoringOptions, _datalab_v1_ScoringOptions__Output>
      UploadChunkRequest: MessageTypeDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkRequest__Output>
      UploadChunkResponse: MessageTypeDefinition<_datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkResponse__Output>
    }
  }
}

