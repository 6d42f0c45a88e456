// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of Heartbeat.
 */
export interface HeartbeatRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
  /**
   * Task ids the node is running now (the coordinator uses them to spot lost tasks).
   */
  'runningTaskIds'?: (string)[];
}

/**
 * Request of Heartbeat.
 */
export interface HeartbeatRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
  /**
   * Task ids the node is running now (the coordinator uses them to spot lost tasks).
   */
  'runningTaskIds': (string)[];
}
