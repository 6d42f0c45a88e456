// Original file: proto/datalab/v1/common.proto

import type { ResultKind as _datalab_v1_ResultKind, ResultKind__Output as _datalab_v1_ResultKind__Output } from '../../datalab/v1/ResultKind.js';
import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from '../../datalab/v1/FileManifest.js';

/**
 * One output of a finished job.
 */
export interface ResultFile {
  /**
   * What the file is.
   */
  'kind'?: (_datalab_v1_ResultKind);
  /**
   * The file's name, size, digest and chunks.
   */
  'file'?: (_datalab_v1_FileManifest | null);
}

/**
 * One output of a finished job.
 */
export interface ResultFile__Output {
  /**
   * What the file is.
   */
  'kind': (_datalab_v1_ResultKind__Output);
  /**
   * The file's name, size, digest and chunks.
   */
  'file': (_datalab_v1_FileManifest__Output | null);
}
