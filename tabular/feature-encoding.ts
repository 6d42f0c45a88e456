/**
 * Encodes a table's columns as model inputs from the SHARED SCHEMA ONLY, so that every holder of
 * a federation encodes its rows identically and the encoding reveals nothing about any holder's
 * rows (no local means, no local category lists):
 *
 * - numerical: scaled to [−1, 1] by the schema's declared `min`/`max` (the centre maps to 0,
 *   values outside the declared range are clamped); with `logColumns`, log1p is applied first
 *   (for non-negative, heavy-tailed columns such as capital gains). A missing value encodes as
 *   0, the centre of the range.
 * - categorical: one-hot over the schema's `categories` list (required: a list read from one
 *   holder's rows would differ between holders and leak). A missing value or a label not in the
 *   list encodes as all zeros and is counted in `unknownLabels`.
 * - boolean: one column, 1 for the true label, 0 for false, 0.5 when missing.
 * - id, pii and datetime columns are not model inputs (datetime has no declared range in the
 *   schema) and are skipped.
 *
 * The target: a categorical or boolean column gives class codes in the schema's order (a row
 * whose target is missing or not in the list is dropped and counted); a numerical column gives
 * a regression target scaled like a numerical input.
 */
import { SchemaError } from "./errors.js";
import type { ColumnSchema, TableSchema } from "./schema.js";
import { type Column, isCategoricalColumn, isNumericColumn, type Table } from "./table.js";

export type FeatureColumnPlan =
  | { name: string; kind: "scaled"; low: number; high: number; log: boolean; offset: number }
  | { name: string; kind: "oneHot"; categories: string[]; offset: number }
  | { name: string; kind: "boolean"; trueLabel: string; offset: number };

export type TargetPlan = { name: string; kind: "classes"; classes: string[] } | { name: string; kind: "scaled"; low: number; high: number; log: boolean };

/** The encoding of a table for a model, a pure function of the shared schema and the options. */
export interface FeaturePlan {
  inputs: FeatureColumnPlan[];
  width: number;
  target: TargetPlan;
}

export interface FeaturePlanOptions {
  target: string;
  /** Columns left out of the inputs (besides the target and id/pii/datetime columns). */
  exclude?: string[];
  /** Numerical columns scaled after log1p (their declared min must be ≥ 0). */
  logColumns?: string[];
}

export interface EncodedFeatures {
  /** rows×width, row-major. */
  features: Float32Array;
  /** Class codes (classes) or scaled values (regression), one per kept row. */
  targets: Int32Array | Float32Array;
  rows: number;
  width: number;
  /** Rows dropped because their target was missing or not in the schema's list. */
  droppedRows: number;
  /** Input cells whose label was missing or not in the schema's category list. */
  unknownLabels: number;
}

function numericRange(column: ColumnSchema & { type: "numerical" }, log: boolean): { low: number; high: number } {
  if (column.min === null || column.max === null || !Number.isFinite(column.min) || !Number.isFinite(column.max))
    throw new SchemaError(`column "${column.name}" has no declared min/max in the shared schema; declare its range (min, max) so every holder scales it alike`);
  if (log && column.min < 0)
    throw new SchemaError(`column "${column.name}" is in logColumns but its declared min is ${column.min} < 0; log1p needs values ≥ 0`);
  const low = log ? Math.log1p(column.min) : column.min;
  const high = log ? Math.log1p(column.max) : column.max;
  return { low, high };
}

/** The plan for `schema` (throws SchemaError naming the column and the fix). */
export function planFeatures(schema: TableSchema, options: FeaturePlanOptions): FeaturePlan {
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const exclude = new Set(options.exclude ?? []);
  const logColumns = new Set(options.logColumns ?? []);
  for (const name of [...exclude, ...logColumns, options.target])
    if (!byName.has(name)) throw new SchemaError(`column "${name}" is not in the shared schema (columns: ${[...byName.keys()].join(", ")})`);
  for (const name of logColumns) {
    const type = (byName.get(name) as ColumnSchema).type;
    if (type !== "numerical") throw new SchemaError(`column "${name}" is in logColumns but is ${type}, not numerical`);
  }
  const targetColumn = byName.get(options.target) as ColumnSchema;
  let target: TargetPlan;
  if (targetColumn.type === "categorical") {
    if (!targetColumn.categories || targetColumn.categories.length < 2)
      throw new SchemaError(
        `target "${targetColumn.name}" needs its categories (at least 2) in the shared schema; write them with datalab schema --categories`,
      );
    target = { name: targetColumn.name, kind: "classes", classes: [...targetColumn.categories] };
  } else if (targetColumn.type === "boolean") {
    target = { name: targetColumn.name, kind: "classes", classes: [targetColumn.falseLabel, targetColumn.trueLabel] };
  } else if (targetColumn.type === "numerical") {
    const log = logColumns.has(targetColumn.name);
    target = { name: targetColumn.name, kind: "scaled", ...numericRange(targetColumn, log), log };
  } else {
    throw new SchemaError(`target "${targetColumn.name}" is a ${targetColumn.type} column; a model target must be categorical, boolean or numerical`);
  }
  const inputs: FeatureColumnPlan[] = [];
  let offset = 0;
  for (const column of schema.columns) {
    if (column.name === options.target || exclude.has(column.name)) continue;
    if (column.type === "numerical") {
      const log = logColumns.has(column.name);
      inputs.push({ name: column.name, kind: "scaled", ...numericRange(column, log), log, offset });
      offset += 1;
    } else if (column.type === "categorical") {
      if (!column.categories || column.categories.length === 0)
        throw new SchemaError(
          `column "${column.name}" has no categories in the shared schema; write them with datalab schema --categories, or exclude the column`,
        );
      inputs.push({ name: column.name, kind: "oneHot", categories: [...column.categories], offset });
      offset += column.categories.length;
    } else if (column.type === "boolean") {
      inputs.push({ name: column.name, kind: "boolean", trueLabel: column.trueLabel, offset });
      offset += 1;
    }
  }
  if (offset === 0) throw new SchemaError("no input columns are left to encode; exclude fewer columns");
  return { inputs, width: offset, target };
}

function scale(value: number, low: number, high: number, log: boolean): number {
  if (Number.isNaN(value)) return 0;
  const v = log ? Math.log1p(Math.max(value, 0)) : value;
  if (high === low) return 0;
  const scaled = (2 * (v - low)) / (high - low) - 1;
  return Math.min(1, Math.max(-1, scaled));
}

/** The value → code map of a table column in the plan's label order (−1: not in the list). */
function codeMap(column: Column & { codes: Int32Array; categories: string[] }, labels: readonly string[]): Int32Array {
  const position = new Map(labels.map((label, i) => [label, i]));
  return Int32Array.from(column.categories, (label) => position.get(label) ?? -1);
}

function findColumn(table: Table, name: string): Column {
  const column = table.columns.find((c) => c.schema.name === name);
  if (!column) throw new SchemaError(`the table has no column "${name}" that the shared schema declares; load the file with the shared schema`);
  return column;
}

/** Encodes `table` (loaded with the shared schema) by `plan`. */
export function encodeFeatures(table: Table, plan: FeaturePlan): EncodedFeatures {
  const targetColumn = findColumn(table, plan.target.name);
  const keep: number[] = [];
  let targets: Int32Array | Float32Array;
  if (plan.target.kind === "classes") {
    if (!isCategoricalColumn(targetColumn)) throw new SchemaError(`target "${plan.target.name}" is not categorical in the table`);
    const map = codeMap(targetColumn, plan.target.classes);
    const codes: number[] = [];
    for (let r = 0; r < table.rowCount; r += 1) {
      const code = targetColumn.codes[r] as number;
      const mapped = code < 0 ? -1 : (map[code] as number);
      if (mapped >= 0) {
        keep.push(r);
        codes.push(mapped);
      }
    }
    targets = Int32Array.from(codes);
  } else {
    if (!isNumericColumn(targetColumn)) throw new SchemaError(`target "${plan.target.name}" is not numerical in the table`);
    const values: number[] = [];
    for (let r = 0; r < table.rowCount; r += 1) {
      const value = targetColumn.values[r] as number;
      if (!Number.isNaN(value)) {
        keep.push(r);
        values.push(scale(value, plan.target.low, plan.target.high, plan.target.log));
      }
    }
    targets = Float32Array.from(values);
  }
  const rows = keep.length;
  const features = new Float32Array(rows * plan.width);
  let unknownLabels = 0;
  for (const input of plan.inputs) {
    const column = findColumn(table, input.name);
    if (input.kind === "scaled") {
      if (!isNumericColumn(column)) throw new SchemaError(`column "${input.name}" is not numerical in the table`);
      keep.forEach((r, i) => {
        features[i * plan.width + input.offset] = scale(column.values[r] as number, input.low, input.high, input.log);
      });
    } else {
      if (!isCategoricalColumn(column)) throw new SchemaError(`column "${input.name}" is not categorical in the table`);
      const labels = input.kind === "oneHot" ? input.categories : [input.trueLabel];
      const map = codeMap(column, labels);
      keep.forEach((r, i) => {
        const code = column.codes[r] as number;
        const mapped = code < 0 ? -1 : (map[code] as number);
        if (input.kind === "boolean") features[i * plan.width + input.offset] = code < 0 ? 0.5 : mapped === 0 ? 1 : 0;
        else if (mapped >= 0) features[i * plan.width + input.offset + mapped] = 1;
        else unknownLabels += 1;
      });
    }
  }
  return { features, targets, rows, width: plan.width, droppedRows: table.rowCount - rows, unknownLabels };
}

/** Maps an encoded regression prediction back to the target's units. */
export function decodeScaledTarget(plan: FeaturePlan, value: number): number {
  if (plan.target.kind !== "scaled") throw new SchemaError("decodeScaledTarget needs a numerical target");
  const { low, high, log } = plan.target;
  const v = low + ((value + 1) * (high - low)) / 2;
  return log ? Math.expm1(v) : v;
}
