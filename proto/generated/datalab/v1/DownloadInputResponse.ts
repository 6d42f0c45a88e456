// Original file: proto/datalab/v1/node_service.proto

import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from '../../datalab/v1/FileManifest.js';
import type { DataChunk as _datalab_v1_DataChunk, DataChunk__Output as _datalab_v1_DataChunk__Output } from '../../datalab/v1/DataChunk.js';

/**
 * One message of DownloadInput: the manifest first, then chunks.
 */
export interface DownloadInputResponse {
  /**
   * Sent once, first.
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
 * One message of DownloadInput: the manifest first, then chunks.
 */
export interface DownloadInputResponse__Output {
  /**
   * Sent once, first.
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
