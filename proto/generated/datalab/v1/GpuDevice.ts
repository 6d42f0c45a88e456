// Original file: proto/datalab/v1/node_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One GPU of a node.
 */
export interface GpuDevice {
  /**
   * Index on the node (CUDA ordinal).
   */
  'index'?: (number);
  /**
   * Device name, e.g. "NVIDIA H100 80GB HBM3".
   */
  'name'?: (string);
  /**
   * Total device memory in bytes.
   */
  'memoryBytes'?: (number | string | Long);
  /**
   * Device UUID as nvidia-smi / dcgm-exporter show it ("GPU-…"); may be empty.
   */
  'uuid'?: (string);
}

/**
 * One GPU of a node.
 */
export interface GpuDevice__Output {
  /**
   * Index on the node (CUDA ordinal).
   */
  'index': (number);
  /**
   * Device name, e.g. "NVIDIA H100 80GB HBM3".
   */
  'name': (string);
  /**
   * Total device memory in bytes.
   */
  'memoryBytes': (number);
  /**
   * Device UUID as nvidia-smi / dcgm-exporter show it ("GPU-…"); may be empty.
   */
  'uuid': (string);
}
