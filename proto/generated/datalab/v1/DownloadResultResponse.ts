// Original file: proto/datalab/v1/job_service.proto

import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from '../../datalab/v1/FileManifest.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from '../../datalab/v1/DataChunk.js';

/**
 * One message of DownloadResult: the manifest first, then chunks.
 */
export interface DownloadResultResponse {
  /**
   * Sent once, first: the file's name, size, SHA-256 and chunk list.
   */
  'manifest'?: (_datalab_v1_FileManifest | null);
  /**
   * A chunk of the file, in order.
   */
  'chunk'?: (_datalab_v1_DataChunk | null);
  /**
   * Exactly one of the two.
   */
  'payload'?: "manifest"|"chunk";
}

/**
 * One message of DownloadResult: the manifest first, then chunks.
 */
export interface DownloadResultResponse__Output {
  /**
   * Sent once, first: the file's name, size, SHA-256 and chunk list.
   */
  'manifest'?: (_datalab_v1_FileManifest__Output | null);
  /**
   * A chunk of the file, in order.
   */
  'chunk'?: (_datalab_v1_DataChunk__Output | null);
  /**
   * Exactly one of the two.
   */
  'payload'?: "manifest"|"chunk";
}
