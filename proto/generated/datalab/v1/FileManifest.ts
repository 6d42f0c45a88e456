// Original file: proto/datalab/v1/common.proto

import type { ChunkRef as _datalab_v1_ChunkRef, ChunkRef__Output as _datalab_v1_ChunkRef__Output } from '../../datalab/v1/ChunkRef.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A file made of chunks, in order. The coordinator checks every chunk exists and that the
 * concatenation hashes to `sha256` before it accepts the file.
 */
export interface FileManifest {
  /**
   * File name without directories, e.g. "adult.csv", "synthetic.csv", "model.json".
   */
  'name'?: (string);
  /**
   * Media type, e.g. "text/csv", "application/vnd.apache.parquet", "application/json", "text/html".
   */
  'mediaType'?: (string);
  /**
   * Total length of the file in bytes (sum of chunk sizes).
   */
  'sizeBytes'?: (number | string | Long);
  /**
   * Lower-case hex SHA-256 of the whole file.
   */
  'sha256'?: (string);
  /**
   * The file's chunks in order; each uploaded before with UploadChunk.
   */
  'chunks'?: (_datalab_v1_ChunkRef)[];
}

/**
 * A file made of chunks, in order. The coordinator checks every chunk exists and that the
 * concatenation hashes to `sha256` before it accepts the file.
 */
export interface FileManifest__Output {
  /**
   * File name without directories, e.g. "adult.csv", "synthetic.csv", "model.json".
   */
  'name': (string);
  /**
   * Media type, e.g. "text/csv", "application/vnd.apache.parquet", "application/json", "text/html".
   */
  'mediaType': (string);
  /**
   * Total length of the file in bytes (sum of chunk sizes).
   */
  'sizeBytes': (number);
  /**
   * Lower-case hex SHA-256 of the whole file.
   */
  'sha256': (string);
  /**
   * The file's chunks in order; each uploaded before with UploadChunk.
   */
  'chunks': (_datalab_v1_ChunkRef__Output)[];
}
