// Original file: proto/datalab/v1/common.proto


/**
 * Asks which of these chunks the caller still has to upload (resume an upload). For a client,
 * chunks that only others uploaded count as missing.
 */
export interface FindMissingChunksRequest {
  /**
   * Lower-case hex SHA-256 digests to check (at most 10,000 per call).
   */
  'sha256'?: (string)[];
}

/**
 * Asks which of these chunks the caller still has to upload (resume an upload). For a client,
 * chunks that only others uploaded count as missing.
 */
export interface FindMissingChunksRequest__Output {
  /**
   * Lower-case hex SHA-256 digests to check (at most 10,000 per call).
   */
  'sha256': (string)[];
}
