import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChunkRef as _datalab_v1_ChunkRef, ChunkRef__Output as _datalab_v1_ChunkRef__Output } from './datalab/v1/ChunkRef.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from './datalab/v1/DataChunk.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from './datalab/v1/FileManifest.js';
import type { FindMissingChunksRequest as _datalab_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _datalab_v1_FindMissingChunksRequest__Output } from './datalab/v1/FindMissingChunksRequest.js';
import type { FindMissingChunksResponse as _datalab_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _datalab_v1_FindMissingChunksResponse__Output } from './datalab/v1/FindMissingChunksResponse.js';
import type { Resources as _datalab_v1_Resources, Resources__Output as _datalab_v1_Resources__Output } from './datalab/v1/Resources.js';
import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from './datalab/v1/ResultFile.js';
import type { UploadChunkRequest as _datalab_v1_UploadChunkRequest, UploadChunkRequest__Output as _datalab_v1_UploadChunkRequest__Output } from './datalab/v1/UploadChunkRequest.js';
import type { UploadChunkResponse as _datalab_v1_UploadChunkResponse, UploadChunkResponse__Output as _datalab_v1_UploadChunkResponse__Output } from './datalab/v1/UploadChunkResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  datalab: {
    v1: {
      ChunkRef: MessageTypeDefinition<_datalab_v1_ChunkRef, _datalab_v1_ChunkRef__Output>
      DataChunk: MessageTypeDefinition<_datalab_v1_DataChunk, _datalab_v1_DataChunk__Output>
      FileManifest: MessageTypeDefinition<_datalab_v1_FileManifest, _datalab_v1_FileManifest__Output>
      FindMissingChunksRequest: MessageTypeDefinition<_datalab_v1_FindMissingChunksRequest, _datalab_v1_FindMissingChunksRequest__Output>
      FindMissingChunksResponse: MessageTypeDefinition<_datalab_v1_FindMissingChunksResponse, _datalab_v1_FindMissingChunksResponse__Output>
      Resources: MessageTypeDefinition<_datalab_v1_Resources, _datalab_v1_Resources__Output>
      ResultFile: MessageTypeDefinition<_datalab_v1_ResultFile, _datalab_v1_ResultFile__Output>
      ResultKind: EnumTypeDefinition
      UploadChunkRequest: MessageTypeDefinition<_datalab_v1_UploadChunkRequest, _datalab_v1_UploadChunkRequest__Output>
      UploadChunkResponse: MessageTypeDefinition<_datalab_v1_UploadChunkResponse, _datalab_v1_UploadChunkResponse__Output>
    }
  }
}

