// Original file: proto/datalab/v1/node_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Live memory of one of the node's GPUs, read from NVML at heartbeat time.
 */
export interface GpuMemoryReading {
  /**
   * The GPU's index as registered (GpuDevice.index).
   */
  'index'?: (number);
  /**
   * Device memory free now, in bytes, whatever process holds the rest.
   */
  'freeBytes'?: (number | string | Long);
  /**
   * Device memory in total, in bytes.
   */
  'totalBytes'?: (number | string | Long);
}

/**
 * Live memory of one of the node's GPUs, read from NVML at heartbeat time.
 */
export interface GpuMemoryReading__Output {
  /**
   * The GPU's index as registered (GpuDevice.index).
   */
  'index': (number);
  /**
   * Device memory free now, in bytes, whatever process holds the rest.
   */
  'freeBytes': (number);
  /**
   * Device memory in total, in bytes.
   */
  'totalBytes': (number);
}
