// Original file: proto/datalab/v1/job.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Progress of the current attempt, as the node last reported it (operations-style).
 */
export interface Progress {
  /**
   * Fraction done, 0 .. 1.
   */
  'fraction'?: (number | string);
  /**
   * Phase name, e.g. "load", "fit", "sample", "score", "upload".
   */
  'phase'?: (string);
  /**
   * Human-readable detail, e.g. "epoch 12/300".
   */
  'message'?: (string);
  /**
   * When the node reported it, Unix epoch milliseconds.
   */
  'updateTimeUnixMs'?: (number | string | Long);
}

/**
 * Progress of the current attempt, as the node last reported it (operations-style).
 */
export interface Progress__Output {
  /**
   * Fraction done, 0 .. 1.
   */
  'fraction': (number);
  /**
   * Phase name, e.g. "load", "fit", "sample", "score", "upload".
   */
  'phase': (string);
  /**
   * Human-readable detail, e.g. "epoch 12/300".
   */
  'message': (string);
  /**
   * When the node reported it, Unix epoch milliseconds.
   */
  'updateTimeUnixMs': (number);
}
