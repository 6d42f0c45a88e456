// Original file: proto/datalab/v1/common.proto


/**
 * Result of FindMissingChunks.
 */
export interface FindMissingChunksResponse {
  /**
   * The subset of the requested digests that are not stored, in request order.
   */
  'missingSha256'?: (string)[];
}

/**
 * Result of FindMissingChunks.
 */
export interface FindMissingChunksResponse__Output {
  /**
   * The subset of the requested digests that are not stored, in request order.
   */
  'missingSha256': (string)[];
}
