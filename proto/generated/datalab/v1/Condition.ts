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
  /**
   * More conditions in the `datalab synth --where` language, ANDed with column_values: terms
   * `column op value` joined by commas, op one of = != > >= < <= (e.g. "Age>40,Sex=Female";
   * quote names or values holding separators: "\"hours-per-week\"<=20"). The syntax is checked
   * at SubmitJob (INVALID_ARGUMENT); a column or value the model does not know fails the job on
   * the node without retries.
   */
  'where'?: (string);
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
  /**
   * More conditions in the `datalab synth --where` language, ANDed with column_values: terms
   * `column op value` joined by commas, op one of = != > >= < <= (e.g. "Age>40,Sex=Female";
   * quote names or values holding separators: "\"hours-per-week\"<=20"). The syntax is checked
   * at SubmitJob (INVALID_ARGUMENT); a column or value the model does not know fails the job on
   * the node without retries.
   */
  'where': (string);
}
