// Original file: proto/datalab/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A reference to one stored chunk: bytes named by their SHA-256.
 */
export interface ChunkRef {
  /**
   * Lower-case hex SHA-256 of the chunk's bytes (64 characters).
   */
  'sha256'?: (string);
  /**
   * Length of the chunk in bytes (1 .. max_chunk_bytes).
   */
  'sizeBytes'?: (number | string | Long);
}

/**
 * A reference to one stored chunk: bytes named by their SHA-256.
 */
export interface ChunkRef__Output {
  /**
   * Lower-case hex SHA-256 of the chunk's bytes (64 characters).
   */
  'sha256': (string);
  /**
   * Length of the chunk in bytes (1 .. max_chunk_bytes).
   */
  'sizeBytes': (number);
}
