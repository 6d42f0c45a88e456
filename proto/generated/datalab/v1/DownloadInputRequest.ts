// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of DownloadInput.
 */
export interface DownloadInputRequest {
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
   * First chunk to send (resume).
   */
  'startChunkIndex'?: (number);
}

/**
 * Request of DownloadInput.
 */
export interface DownloadInputRequest__Output {
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
   * First chunk to send (resume).
   */
  'startChunkIndex': (number);
}
