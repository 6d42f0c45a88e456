/**
 * What a reader gives before any typing decision: each column either as the text of the file
 * (CSV/TSV, and any column of a typed file that has no better JS form) or as the typed values a
 * typed format (Parquet, JSON) carries. Inference and `applySchema` turn it into a `Table`.
 */

import type { TableSchema } from "./schema.js";

export type TableFileFormat = "csv" | "tsv" | "parquet" | "json" | "ndjson";

/** Text as read; `null` is a missing value (an empty field, or a null token such as `NA`). */
export interface RawTextColumn {
  name: string;
  kind: "text";
  values: (string | null)[];
  /**
   * Optional dictionary encoding of `values` (readers fill it: DuckDB hands text over this way):
   * `values[i] === dictionary[codes[i]]`, code -1 for null. Lets inference and typing work once
   * per distinct value instead of once per row.
   */
  dictionary?: (string | null)[];
  codes?: Int32Array;
}

/** Numbers from a typed source; NaN is missing. `integer` when the source type is integral. */
export interface RawNumberColumn {
  name: string;
  kind: "number";
  values: Float64Array;
  integer: boolean;
}

/** Booleans from a typed source; null is missing. */
export interface RawBooleanColumn {
  name: string;
  kind: "boolean";
  values: (boolean | null)[];
}

/** Dates/timestamps from a typed source, in epoch ms UTC (NaN missing), with an ISO format for output. */
export interface RawDatetimeColumn {
  name: string;
  kind: "datetime";
  values: Float64Array;
  format: string;
}

export type RawColumn = RawTextColumn | RawNumberColumn | RawBooleanColumn | RawDatetimeColumn;

export interface RawTable {
  /** The file it came from (for messages). */
  path: string;
  format: TableFileFormat;
  rowCount: number;
  columns: RawColumn[];
  /** Things the reader recovered from (padded short rows, renamed duplicate headers, …). */
  warnings: string[];
  /**
   * The schema a file was written with, when it carries one (Parquet files written by
   * openTableWriter keep it in their key-value metadata as `datalab.schema`). `loadTable` uses it
   * instead of inference, so formats, labels, ids and PII kinds survive a round trip.
   */
  embeddedSchema?: TableSchema;
}

/**
 * Field values that mean "missing" in text files, besides the empty field. Compared exactly
 * (case-sensitive), as pandas does by default for the common spellings.
 */
export const NULL_TOKENS: ReadonlySet<string> = new Set(["NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "-NaN", "<NA>"]);
