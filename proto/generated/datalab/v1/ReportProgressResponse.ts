// Original file: proto/datalab/v1/node_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Response of ReportProgress.
 */
export interface ReportProgressResponse {
  /**
   * The new lease deadline, Unix epoch ms.
   */
  'leaseDeadlineUnixMs'?: (number | string | Long);
  /**
   * True when the job was cancelled: stop the task (no FailTask needed).
   */
  'cancelRequested'?: (boolean);
}

/**
 * Response of ReportProgress.
 */
export interface ReportProgressResponse__Output {
  /**
   * The new lease deadline, Unix epoch ms.
   */
  'leaseDeadlineUnixMs': (number);
  /**
   * True when the job was cancelled: stop the task (no FailTask needed).
   */
  'cancelRequested': (boolean);
}
