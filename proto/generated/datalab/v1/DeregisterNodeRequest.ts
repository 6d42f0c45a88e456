// Original file: proto/datalab/v1/node_service.proto


/**
 * Request of DeregisterNode.
 */
export interface DeregisterNodeRequest {
  /**
   * The registered node id.
   */
  'nodeId'?: (string);
}

/**
 * Request of DeregisterNode.
 */
export interface DeregisterNodeRequest__Output {
  /**
   * The registered node id.
   */
  'nodeId': (string);
}
