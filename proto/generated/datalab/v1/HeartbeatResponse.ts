// Original file: proto/datalab/v1/node_service.proto


/**
 * Response of Heartbeat.
 */
export interface HeartbeatResponse {
  /**
   * Heartbeat interval to use from now on, in seconds.
   */
  'heartbeatIntervalSeconds'?: (number);
  /**
   * Tasks of this node whose jobs were cancelled: stop them (no FailTask needed).
   */
  'cancelledTaskIds'?: (string)[];
  /**
   * Tasks of this node whose leases are no longer valid (expired, re-leased): stop them.
   */
  'lostTaskIds'?: (string)[];
}

/**
 * Response of Heartbeat.
 */
export interface HeartbeatResponse__Output {
  /**
   * Heartbeat interval to use from now on, in seconds.
   */
  'heartbeatIntervalSeconds': (number);
  /**
   * Tasks of this node whose jobs were cancelled: stop them (no FailTask needed).
   */
  'cancelledTaskIds': (string)[];
  /**
   * Tasks of this node whose leases are no longer valid (expired, re-leased): stop them.
   */
  'lostTaskIds': (string)[];
}
