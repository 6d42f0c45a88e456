// Original file: proto/datalab/v1/job.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Rows to generate that satisfy fixed column values (conditional sampling).
 */
export interface Condition {
  /**
   * Column name -> value as it is written in the table (e.g. {"sex": "Female"}).
   */
  'columnValues'?: ({[key: string]: string});
  /**
   * How many rows with these values to generate (counted inside JobSpec.rows).
   */
  'rows'?: (number | string | Long);
}

/**
 * Rows to generate that satisfy fixed column values (conditional sampling).
 */
export interface Condition__Output {
  /**
   * Column name -> value as it is written in the table (e.g. {"sex": "Female"}).
   */
  'columnValues': ({[key: string]: string});
  /**
   * How many rows with these values to generate (counted inside JobSpec.rows).
   */
  'rows': (number);
}
