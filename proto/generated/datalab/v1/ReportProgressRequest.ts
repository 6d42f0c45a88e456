// Original file: proto/datalab/v1/node_service.proto

import type { Progress as _datalab_v1_Progress, Progress__Output as _datalab_v1_Progress__Output } from '../../datalab/v1/Progress.js';

/**
 * Request of ReportProgress.
 */
export interface ReportProgressRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
  /**
   * The task.
   */
  'taskId'?: (string);
  /**
   * Its lease.
   */
  'leaseId'?: (string);
  /**
   * Progress so far.
   */
  'progress'?: (_datalab_v1_Progress | null);
}

/**
 * Request of ReportProgress.
 */
export interface ReportProgressRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
  /**
   * The task.
   */
  'taskId': (string);
  /**
   * Its lease.
   */
  'leaseId': (string);
  /**
   * Progress so far.
   */
  'progress': (_datalab_v1_Progress__Output | null);
}
