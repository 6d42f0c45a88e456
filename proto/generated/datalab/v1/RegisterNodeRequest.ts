// Original file: proto/datalab/v1/node_service.proto

import type { NodeCapabilities as _datalab_v1_NodeCapabilities, NodeCapabilities__Output as _datalab_v1_NodeCapabilities__Output } from '../../datalab/v1/NodeCapabilities.js';
import type { NodeRole as _datalab_v1_NodeRole, NodeRole__Output as _datalab_v1_NodeRole__Output } from '../../datalab/v1/NodeRole.js';
import type { HeldDataset as _datalab_v1_HeldDataset, HeldDataset__Output as _datalab_v1_HeldDataset__Output } from '../../datalab/v1/HeldDataset.js';

/**
 * Request of RegisterNode.
 */
export interface RegisterNodeRequest {
  /**
   * Stable node name (1 .. 128 characters of [A-Za-z0-9._-]); with mTLS it must equal the
   * certificate's CN/DNS SAN.
   */
  'nodeId'?: (string);
  /**
   * What the node offers.
   */
  'capabilities'?: (_datalab_v1_NodeCapabilities | null);
  /**
   * Heartbeat interval the node would like, in seconds (0 = the coordinator's default). The
   * coordinator clamps it to its own bounds and returns the value to use.
   */
  'requestedHeartbeatIntervalSeconds'?: (number);
  /**
   * Host name of the machine, used to join with dcgm-exporter's `Hostname` label.
   */
  'hostname'?: (string);
  /**
   * Batch-system job id (Slurm SLURM_JOB_ID), joinable with dcgm-exporter's `hpc_job`.
   */
  'hpcJob'?: (string);
  /**
   * Random id of this agent's work folder (kept in the folder, which one process at a time may
   * use): the same across the agent's re-registrations and restarts on that folder. A registration
   * under a node_id that is online with another instance_id, and has not missed its heartbeats, is
   * refused with ALREADY_EXISTS (the message names the id and when it was last seen): two agents
   * with one id would take each other's tasks. Empty (an older agent) is accepted as before.
   */
  'instanceId'?: (string);
  /**
   * Worker or holder; unset = worker. A holder is only sent federated tasks.
   */
  'role'?: (_datalab_v1_NodeRole);
  /**
   * Datasets a holder offers (schemas only; at most 64). Re-registering replaces the list.
   */
  'heldDatasets'?: (_datalab_v1_HeldDataset)[];
}

/**
 * Request of RegisterNode.
 */
export interface RegisterNodeRequest__Output {
  /**
   * Stable node name (1 .. 128 characters of [A-Za-z0-9._-]); with mTLS it must equal the
   * certificate's CN/DNS SAN.
   */
  'nodeId': (string);
  /**
   * What the node offers.
   */
  'capabilities': (_datalab_v1_NodeCapabilities__Output | null);
  /**
   * Heartbeat interval the node would like, in seconds (0 = the coordinator's default). The
   * coordinator clamps it to its own bounds and returns the value to use.
   */
  'requestedHeartbeatIntervalSeconds': (number);
  /**
   * Host name of the machine, used to join with dcgm-exporter's `Hostname` label.
   */
  'hostname': (string);
  /**
   * Batch-system job id (Slurm SLURM_JOB_ID), joinable with dcgm-exporter's `hpc_job`.
   */
  'hpcJob': (string);
  /**
   * Random id of this agent's work folder (kept in the folder, which one process at a time may
   * use): the same across the agent's re-registrations and restarts on that folder. A registration
   * under a node_id that is online with another instance_id, and has not missed its heartbeats, is
   * refused with ALREADY_EXISTS (the message names the id and when it was last seen): two agents
   * with one id would take each other's tasks. Empty (an older agent) is accepted as before.
   */
  'instanceId': (string);
  /**
   * Worker or holder; unset = worker. A holder is only sent federated tasks.
   */
  'role': (_datalab_v1_NodeRole__Output);
  /**
   * Datasets a holder offers (schemas only; at most 64). Re-registering replaces the list.
   */
  'heldDatasets': (_datalab_v1_HeldDataset__Output)[];
}
