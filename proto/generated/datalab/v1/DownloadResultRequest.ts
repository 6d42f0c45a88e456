// Original file: proto/datalab/v1/job_service.proto

import type { ResultKind as _datalab_v1_ResultKind, ResultKind__Output as _datalab_v1_ResultKind__Output } from '../../datalab/v1/ResultKind.js';

/**
 * Request of DownloadResult.
 */
export interface DownloadResultRequest {
  /**
   * Id of a SUCCEEDED job (FAILED_PRECONDITION otherwise).
   */
  'jobId'?: (string);
  /**
   * Which result to fetch (NOT_FOUND if the job has none of this kind).
   */
  'kind'?: (_datalab_v1_ResultKind);
  /**
   * For RESULT_KIND_OTHER: the file name; otherwise ignored.
   */
  'name'?: (string);
  /**
   * First chunk to send (0 = from the beginning); used to resume a broken download.
   */
  'startChunkIndex'?: (number);
}

/**
 * Request of DownloadResult.
 */
export interface DownloadResultRequest__Output {
  /**
   * Id of a SUCCEEDED job (FAILED_PRECONDITION otherwise).
   */
  'jobId': (string);
  /**
   * Which result to fetch (NOT_FOUND if the job has none of this kind).
   */
  'kind': (_datalab_v1_ResultKind__Output);
  /**
   * For RESULT_KIND_OTHER: the file name; otherwise ignored.
   */
  'name': (string);
  /**
   * First chunk to send (0 = from the beginning); used to resume a broken download.
   */
  'startChunkIndex': (number);
}
