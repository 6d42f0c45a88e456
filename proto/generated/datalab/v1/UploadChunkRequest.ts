// Original file: proto/datalab/v1/common.proto


/**
 * Stores one chunk, addressed by its SHA-256. Idempotent: a chunk already stored is not
 * written again, so an interrupted upload resumes by re-sending (or skipping) chunks. Bytes are
 * stored once for everyone, but a client may reference only chunks it uploaded itself (or that
 * its own jobs produced): knowing a digest grants nothing.
 */
export interface UploadChunkRequest {
  /**
   * Lower-case hex SHA-256 of `data`; a mismatch is rejected with INVALID_ARGUMENT.
   */
  'sha256'?: (string);
  /**
   * The chunk's bytes: 1 .. max_chunk_bytes (see RegisterNodeResponse / tunables; 1 MiB default).
   */
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * Stores one chunk, addressed by its SHA-256. Idempotent: a chunk already stored is not
 * written again, so an interrupted upload resumes by re-sending (or skipping) chunks. Bytes are
 * stored once for everyone, but a client may reference only chunks it uploaded itself (or that
 * its own jobs produced): knowing a digest grants nothing.
 */
export interface UploadChunkRequest__Output {
  /**
   * Lower-case hex SHA-256 of `data`; a mismatch is rejected with INVALID_ARGUMENT.
   */
  'sha256': (string);
  /**
   * The chunk's bytes: 1 .. max_chunk_bytes (see RegisterNodeResponse / tunables; 1 MiB default).
   */
  'data': (Buffer);
}
