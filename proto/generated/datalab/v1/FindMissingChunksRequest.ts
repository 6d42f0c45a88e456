// Original file: proto/datalab/v1/common.proto


/**
 * Asks which of these chunks the coordinator does not hold yet (resume an upload).
 */
export interface FindMissingChunksRequest {
  /**
   * Lower-case hex SHA-256 digests to check (at most 10,000 per call).
   */
  'sha256'?: (string)[];
}

/**
 * Asks which of these chunks the coordinator does not hold yet (resume an upload).
 */
export interface FindMissingChunksRequest__Output {
  /**
   * Lower-case hex SHA-256 digests to check (at most 10,000 per call).
   */
  'sha256': (string)[];
}
