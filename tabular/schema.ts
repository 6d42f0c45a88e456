/**
 * The table schema: one entry per column, saved as JSON that a user can read, edit and pass
 * back with `--schema` to override any inference. This file is the contract between
 * `tabular/` (which infers and applies it), `generators/` (which learns each column by its
 * type) and `benchmarks/` (which scores each column by its type).
 */

/** Version of the schema file format. Bump on any incompatible change. */
export const SCHEMA_FORMAT_VERSION = 1;

/** A number column. Missing values are allowed in every column type. */
export interface NumericalColumnSchema {
  name: string;
  type: "numerical";
  /** `integer` columns are rounded on output; `float` keep `decimals` digits. */
  subtype: "integer" | "float";
  /** Digits after the decimal point seen in the input (0 for integers), used when writing. */
  decimals: number;
  /** Observed range of the non-null values (null when the column is entirely null). */
  min: number | null;
  max: number | null;
}

/** A column of labels; null is modelled as its own category. */
export interface CategoricalColumnSchema {
  name: string;
  type: "categorical";
  /**
   * Optional: the column's domain, every label it may take. Differentially private fits need it
   * (a domain read from the data would leak it); `datalab schema --categories` writes it.
   */
  categories?: string[];
}

/** A two-valued column; `trueLabel`/`falseLabel` keep the input's own spelling ("True", "yes", "1"). */
export interface BooleanColumnSchema {
  name: string;
  type: "boolean";
  trueLabel: string;
  falseLabel: string;
}

/**
 * A date or timestamp, modelled as milliseconds since the Unix epoch (UTC) and written back in
 * `format`, a strftime pattern (`%Y-%m-%d`, `%d/%m/%Y %H:%M:%S`, …).
 */
export interface DatetimeColumnSchema {
  name: string;
  type: "datetime";
  format: string;
}

/**
 * A unique key. Never learned: synthetic rows get new unique ids of the same shape
 * (`pattern`: a regex-like description such as `PREFIX-{digits:6}`, or `integer`).
 */
export interface IdColumnSchema {
  name: string;
  type: "id";
  pattern: string;
}

/**
 * Text that looks like personal data. Never learned as categories: replaced by format-preserving
 * fakes (`action: "fake"`) or left out of the output (`action: "drop"`).
 */
export interface PiiColumnSchema {
  name: string;
  type: "pii";
  kind: "email" | "phone" | "name" | "text";
  action: "fake" | "drop";
  /**
   * Optional: the shape of the input's values that fakes copy, `#` for a digit (`+1 ###-###-####`).
   * Written by inference for phone numbers; absent means a default shape.
   */
  shape?: string;
}

export type ColumnSchema = NumericalColumnSchema | CategoricalColumnSchema | BooleanColumnSchema | DatetimeColumnSchema | IdColumnSchema | PiiColumnSchema;

export type ColumnType = ColumnSchema["type"];

export interface TableSchema {
  /** Always SCHEMA_FORMAT_VERSION when written by this version. */
  version: number;
  columns: ColumnSchema[];
}
