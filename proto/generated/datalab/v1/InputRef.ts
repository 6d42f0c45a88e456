// Original file: proto/datalab/v1/job.proto

import type { FileManifest as _datalab_v1_FileManifest, FileManifest__Output as _datalab_v1_FileManifest__Output } from '../../datalab/v1/FileManifest.js';

/**
 * Where the job's input table (or model file, for SAMPLE jobs) comes from.
 */
export interface InputRef {
  /**
   * A file the client uploaded with JobService.UploadChunk (content-addressed; deduplicated).
   */
  'upload'?: (_datalab_v1_FileManifest | null);
  /**
   * Bundled data every node has: "vega:<file>" names a vega-datasets file
   * (e.g. "vega:penguins.json", "vega:seattle-weather.csv"); "fixture:adult" and
   * "fixture:adult_test" name the Adult census tables shipped in fixtures/adult/.
   */
  'bundledUri'?: (string);
  /**
   * Exactly one source.
   */
  'source'?: "upload"|"bundledUri";
}

/**
 * Where the job's input table (or model file, for SAMPLE jobs) comes from.
 */
export interface InputRef__Output {
  /**
   * A file the client uploaded with JobService.UploadChunk (content-addressed; deduplicated).
   */
  'upload'?: (_datalab_v1_FileManifest__Output | null);
  /**
   * Bundled data every node has: "vega:<file>" names a vega-datasets file
   * (e.g. "vega:penguins.json", "vega:seattle-weather.csv"); "fixture:adult" and
   * "fixture:adult_test" name the Adult census tables shipped in fixtures/adult/.
   */
  'bundledUri'?: (string);
  /**
   * Exactly one source.
   */
  'source'?: "upload"|"bundledUri";
}
