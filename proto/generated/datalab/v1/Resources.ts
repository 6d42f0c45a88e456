// Original file: proto/datalab/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What a job needs on a node. The scheduler places a job only on a node whose FREE resources
 * (registered capabilities minus the resources of tasks leased to it) cover every field.
 */
export interface Resources {
  /**
   * Number of GPUs the job uses (0 = a CPU-only job, which may run on any node).
   */
  'gpuCount'?: (number);
  /**
   * GPU memory the job needs on each of its GPUs, in bytes (0 = no requirement).
   */
  'gpuMemoryBytes'?: (number | string | Long);
  /**
   * CPU cores the job uses (0 is treated as 1).
   */
  'cpuCores'?: (number);
  /**
   * Host memory the job needs, in bytes (0 = no requirement).
   */
  'memoryBytes'?: (number | string | Long);
}

/**
 * What a job needs on a node. The scheduler places a job only on a node whose FREE resources
 * (registered capabilities minus the resources of tasks leased to it) cover every field.
 */
export interface Resources__Output {
  /**
   * Number of GPUs the job uses (0 = a CPU-only job, which may run on any node).
   */
  'gpuCount': (number);
  /**
   * GPU memory the job needs on each of its GPUs, in bytes (0 = no requirement).
   */
  'gpuMemoryBytes': (number);
  /**
   * CPU cores the job uses (0 is treated as 1).
   */
  'cpuCores': (number);
  /**
   * Host memory the job needs, in bytes (0 = no requirement).
   */
  'memoryBytes': (number);
}
