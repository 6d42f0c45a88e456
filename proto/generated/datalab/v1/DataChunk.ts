// Original file: proto/datalab/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A piece of a file streamed by DownloadResult / DownloadInput.
 */
export interface DataChunk {
  /**
   * Position of this chunk in the file's manifest (0-based).
   */
  'index'?: (number);
  /**
   * Byte offset of the chunk's first byte in the file.
   */
  'offsetBytes'?: (number | string | Long);
  /**
   * Lower-case hex SHA-256 of `data`; receivers verify it.
   */
  'sha256'?: (string);
  /**
   * The bytes (at most max_chunk_bytes).
   */
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * A piece of a file streamed by DownloadResult / DownloadInput.
 */
export interface DataChunk__Output {
  /**
   * Position of this chunk in the file's manifest (0-based).
   */
  'index': (number);
  /**
   * Byte offset of the chunk's first byte in the file.
   */
  'offsetBytes': (number);
  /**
   * Lower-case hex SHA-256 of `data`; receivers verify it.
   */
  'sha256': (string);
  /**
   * The bytes (at most max_chunk_bytes).
   */
  'data': (Buffer);
}
