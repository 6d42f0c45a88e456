/**
 * The typed, columnar table that every part computes on. A `Table` is produced from a file by
 * `readTable` + `applySchema` (tabular/), sampled by a generator, and scored by benchmarks/.
 *
 * Representation (chosen so that native kernels can take the arrays as they are):
 * - numerical and datetime columns: `Float64Array`, `NaN` is a missing value; datetimes are
 *   milliseconds since the Unix epoch, UTC.
 * - categorical and boolean columns: `Int32Array` codes into `categories`, `-1` is missing.
 *   For booleans `categories` is `[falseLabel, trueLabel]`.
 * - id and pii columns: the raw strings, `null` is missing.
 */
import type { BooleanColumnSchema, CategoricalColumnSchema, DatetimeColumnSchema, IdColumnSchema, NumericalColumnSchema, PiiColumnSchema } from "./schema.js";

/** Code of a missing value in a categorical or boolean column. */
export const MISSING_CODE = -1;

export interface NumericalColumn {
  schema: NumericalColumnSchema;
  values: Float64Array;
}

export interface DatetimeColumn {
  schema: DatetimeColumnSchema;
  values: Float64Array;
}

export interface CategoricalColumn {
  schema: CategoricalColumnSchema | BooleanColumnSchema;
  codes: Int32Array;
  categories: string[];
}

export interface TextColumn {
  schema: IdColumnSchema | PiiColumnSchema;
  values: (string | null)[];
}

export type Column = NumericalColumn | DatetimeColumn | CategoricalColumn | TextColumn;

export interface Table {
  rowCount: number;
  columns: Column[];
}

export function isNumericColumn(column: Column): column is NumericalColumn | DatetimeColumn {
  return column.schema.type === "numerical" || column.schema.type === "datetime";
}

export function isCategoricalColumn(column: Column): column is CategoricalColumn {
  return column.schema.type === "categorical" || column.schema.type === "boolean";
}

export function isTextColumn(column: Column): column is TextColumn {
  return column.schema.type === "id" || column.schema.type === "pii";
}
