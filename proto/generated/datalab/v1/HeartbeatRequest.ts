// Original file: proto/datalab/v1/node_service.proto

import type { GpuMemoryReading as _datalab_v1_GpuMemoryReading, GpuMemoryReading__Output as _datalab_v1_GpuMemoryReading__Output } from '../../datalab/v1/GpuMemoryReading.js';

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
  /**
   * Live free memory of the node's GPUs (empty when the node has no NVML). The scheduler places
   * GPU jobs only where this much memory is really free, not just unclaimed by datalab tasks.
   */
  'gpuMemory'?: (_datalab_v1_GpuMemoryReading)[];
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
  /**
   * Live free memory of the node's GPUs (empty when the node has no NVML). The scheduler places
   * GPU jobs only where this much memory is really free, not just unclaimed by datalab tasks.
   */
  'gpuMemory': (_datalab_v1_GpuMemoryReading__Output)[];
}
