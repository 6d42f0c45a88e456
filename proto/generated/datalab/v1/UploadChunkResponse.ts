// Original file: proto/datalab/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Result of UploadChunk.
 */
export interface UploadChunkResponse {
  /**
   * True when the caller had already uploaded this chunk (nothing was written).
   */
  'alreadyStored'?: (boolean);
  /**
   * Length of the stored chunk in bytes.
   */
  'sizeBytes'?: (number | string | Long);
}

/**
 * Result of UploadChunk.
 */
export interface UploadChunkResponse__Output {
  /**
   * True when the caller had already uploaded this chunk (nothing was written).
   */
  'alreadyStored': (boolean);
  /**
   * Length of the stored chunk in bytes.
   */
  'sizeBytes': (number);
}
