// Original file: proto/datalab/v1/node_service.proto

/**
 * What a registered node is.
 */
export const NodeRole = {
  /**
   * Not set: a worker (nodes from before roles).
   */
  NODE_ROLE_UNSPECIFIED: 'NODE_ROLE_UNSPECIFIED',
  /**
   * A compute node (`datalab node`): runs SYNTHESIS and SAMPLE jobs on inputs it is sent.
   */
  NODE_ROLE_WORKER: 'NODE_ROLE_WORKER',
  /**
   * A holder sidecar (`datalab trainer`): holds datasets that never leave it and runs only
   * federated tasks on them, after checking each against its own policy and budget ledger.
   */
  NODE_ROLE_HOLDER: 'NODE_ROLE_HOLDER',
} as const;

/**
 * What a registered node is.
 */
export type NodeRole =
  /**
   * Not set: a worker (nodes from before roles).
   */
  | 'NODE_ROLE_UNSPECIFIED'
  | 0
  /**
   * A compute node (`datalab node`): runs SYNTHESIS and SAMPLE jobs on inputs it is sent.
   */
  | 'NODE_ROLE_WORKER'
  | 1
  /**
   * A holder sidecar (`datalab trainer`): holds datasets that never leave it and runs only
   * federated tasks on them, after checking each against its own policy and budget ledger.
   */
  | 'NODE_ROLE_HOLDER'
  | 2

/**
 * What a registered node is.
 */
export type NodeRole__Output = typeof NodeRole[keyof typeof NodeRole]
