// Original file: proto/datalab/v1/node_service.proto

import type { GpuDevice as _datalab_v1_GpuDevice, GpuDevice__Output as _datalab_v1_GpuDevice__Output } from '../../datalab/v1/GpuDevice.js';
import type { JobKind as _datalab_v1_JobKind, JobKind__Output as _datalab_v1_JobKind__Output } from '../../datalab/v1/JobKind.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What a node offers.
 */
export interface NodeCapabilities {
  /**
   * The node's GPUs (empty for a CPU-only node).
   */
  'gpus'?: (_datalab_v1_GpuDevice)[];
  /**
   * CPU cores the node lets jobs use.
   */
  'cpuCores'?: (number);
  /**
   * Host memory the node lets jobs use, in bytes.
   */
  'memoryBytes'?: (number | string | Long);
  /**
   * Software versions, e.g. {"datalab": "0.1.0", "node": "v20.20.2", "cuda": "13.0"}.
   */
  'versions'?: ({[key: string]: string});
  /**
   * Job kinds the node can run; empty = all kinds.
   */
  'kinds'?: (_datalab_v1_JobKind)[];
  /**
   * Most tasks the node runs at once (0 = 1).
   */
  'maxConcurrentTasks'?: (number);
}

/**
 * What a node offers.
 */
export interface NodeCapabilities__Output {
  /**
   * The node's GPUs (empty for a CPU-only node).
   */
  'gpus': (_datalab_v1_GpuDevice__Output)[];
  /**
   * CPU cores the node lets jobs use.
   */
  'cpuCores': (number);
  /**
   * Host memory the node lets jobs use, in bytes.
   */
  'memoryBytes': (number);
  /**
   * Software versions, e.g. {"datalab": "0.1.0", "node": "v20.20.2", "cuda": "13.0"}.
   */
  'versions': ({[key: string]: string});
  /**
   * Job kinds the node can run; empty = all kinds.
   */
  'kinds': (_datalab_v1_JobKind__Output)[];
  /**
   * Most tasks the node runs at once (0 = 1).
   */
  'maxConcurrentTasks': (number);
}
