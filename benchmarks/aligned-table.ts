/**
 * Puts a real and a synthetic table (and optionally a holdout) side by side, column by column,
 * after checking that they describe the same columns. Categorical codes are re-coded into one
 * label space per column, because each table carries its own `categories` list: labels that
 * occur in the real table come first (so "present in real" is `code < realLabelCount`), labels
 * seen only in the synthetic or holdout table follow. Missing stays −1.
 */
import type { ColumnType } from "../tabular/index.js";
import type { Column, Table } from "../tabular/index.js";
import { ScoreInputError } from "./errors.js";

export interface ContinuousColumnPair {
  kind: "continuous";
  name: string;
  type: "numerical" | "datetime";
  /** Integer subtype (drives the uniform-integer draws of the DCR baseline, as SDMetrics does for int columns). */
  integer: boolean;
  real: Float64Array;
  synthetic: Float64Array;
  holdout?: Float64Array;
}

export interface DiscreteColumnPair {
  kind: "discrete";
  name: string;
  type: "categorical" | "boolean";
  /** Shared label space; `real`/`synthetic`/`holdout` hold codes into it (−1 = missing). */
  labels: string[];
  /** Labels `[0, realLabelCount)` occur at least once in the real table. */
  realLabelCount: number;
  real: Int32Array;
  synthetic: Int32Array;
  holdout?: Int32Array;
}

export interface TextColumnPair {
  kind: "text";
  name: string;
  type: "id" | "pii";
  real: (string | null)[];
  synthetic: (string | null)[];
}

export type ColumnPair = ContinuousColumnPair | DiscreteColumnPair | TextColumnPair;

export interface AlignedTables {
  columns: ColumnPair[];
  realRows: number;
  syntheticRows: number;
  holdoutRows: number;
}

function describeColumns(table: Table): string {
  return table.columns.map((c) => c.schema.name).join(", ");
}

function checkShape(table: Table, role: string): void {
  if (!Number.isInteger(table.rowCount) || table.rowCount <= 0) {
    throw new ScoreInputError(`the ${role} table is empty (0 rows): give a table with at least one row.`);
  }
  for (const column of table.columns) {
    const length = "codes" in column ? column.codes.length : column.values.length;
    if (length !== table.rowCount) {
      throw new ScoreInputError(
        `column "${column.schema.name}" of the ${role} table has ${length} values but the table has ${table.rowCount} rows: rebuild the table from its file.`,
      );
    }
  }
  const seen = new Set<string>();
  for (const column of table.columns) {
    if (seen.has(column.schema.name)) {
      throw new ScoreInputError(`the ${role} table has two columns named "${column.schema.name}": rename one of them.`);
    }
    seen.add(column.schema.name);
  }
}

/** Throws unless `other` has exactly the columns of `real`, with the same types. */
function checkSameColumns(real: Table, other: Table, role: string): Map<string, Column> {
  const byName = new Map(other.columns.map((c) => [c.schema.name, c] as const));
  const missing = real.columns.filter((c) => !byName.has(c.schema.name)).map((c) => c.schema.name);
  const realNames = new Set(real.columns.map((c) => c.schema.name));
  const extra = other.columns.filter((c) => !realNames.has(c.schema.name)).map((c) => c.schema.name);
  if (missing.length > 0 || extra.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.map((n) => `"${n}"`).join(", ")}`);
    if (extra.length > 0) parts.push(`not in the real table: ${extra.map((n) => `"${n}"`).join(", ")}`);
    throw new ScoreInputError(
      `the ${role} table's columns do not match the real table's (${parts.join("; ")}); real columns are: ${describeColumns(real)}. Give both tables the same columns (same schema).`,
    );
  }
  for (const column of real.columns) {
    const twin = byName.get(column.schema.name)!;
    if (twin.schema.type !== column.schema.type) {
      throw new ScoreInputError(
        `column "${column.schema.name}" is ${column.schema.type} in the real table but ${twin.schema.type} in the ${role} table: load both tables with the same schema (--schema).`,
      );
    }
  }
  return byName;
}

/** Codes of `column` mapped into `labelIndex` (adding unseen labels at the end of `labels`). */
function recode(column: Column, labels: string[], labelIndex: Map<string, number>): Int32Array {
  if (!("codes" in column)) throw new ScoreInputError(`column "${column.schema.name}" is not categorical.`);
  const map = new Int32Array(column.categories.length);
  column.categories.forEach((label, code) => {
    let shared = labelIndex.get(label);
    if (shared === undefined) {
      shared = labels.length;
      labels.push(label);
      labelIndex.set(label, shared);
    }
    map[code] = shared;
  });
  const out = new Int32Array(column.codes.length);
  for (let i = 0; i < out.length; i++) {
    const code = column.codes[i]!;
    if (code < 0) out[i] = -1;
    else if (code >= map.length) {
      throw new ScoreInputError(`column "${column.schema.name}" has code ${code} but only ${map.length} categories: rebuild the table from its file.`);
    } else out[i] = map[code]!;
  }
  return out;
}

function alignDiscrete(name: string, type: "categorical" | "boolean", real: Column, synthetic: Column, holdout: Column | undefined): DiscreteColumnPair {
  if (!("codes" in real)) throw new ScoreInputError(`column "${name}" is not categorical.`);
  // Labels that actually occur in the real table first, in the real table's order.
  const counts = new Int32Array(real.categories.length);
  for (const code of real.codes) if (code >= 0 && code < counts.length) counts[code]! += 1;
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  real.categories.forEach((label, code) => {
    if (counts[code]! > 0 && !labelIndex.has(label)) {
      labelIndex.set(label, labels.length);
      labels.push(label);
    }
  });
  const realLabelCount = labels.length;
  const pair: DiscreteColumnPair = {
    kind: "discrete",
    name,
    type,
    labels,
    realLabelCount,
    real: recode(real, labels, labelIndex),
    synthetic: recode(synthetic, labels, labelIndex),
  };
  if (holdout !== undefined) pair.holdout = recode(holdout, labels, labelIndex);
  return pair;
}

function isContinuousType(type: ColumnType): type is "numerical" | "datetime" {
  return type === "numerical" || type === "datetime";
}

/** Checks the tables (one-line `ScoreInputError`s) and lines their columns up in the real table's order. */
export function alignTables(real: Table, synthetic: Table, holdout?: Table): AlignedTables {
  checkShape(real, "real");
  checkShape(synthetic, "synthetic");
  if (real.columns.length === 0) throw new ScoreInputError("the real table has no columns: give a table with at least one column.");
  const syntheticByName = checkSameColumns(real, synthetic, "synthetic");
  let holdoutByName: Map<string, Column> | undefined;
  if (holdout !== undefined) {
    checkShape(holdout, "holdout");
    holdoutByName = checkSameColumns(real, holdout, "holdout");
  }
  const columns: ColumnPair[] = real.columns.map((column): ColumnPair => {
    const name = column.schema.name;
    const twin = syntheticByName.get(name)!;
    const held = holdoutByName?.get(name);
    const type = column.schema.type;
    if (isContinuousType(type)) {
      if (!("values" in column) || !(column.values instanceof Float64Array) || !("values" in twin) || !(twin.values instanceof Float64Array)) {
        throw new ScoreInputError(`column "${name}" is ${type} but does not hold numbers: rebuild the table from its file.`);
      }
      const pair: ContinuousColumnPair = {
        kind: "continuous",
        name,
        type,
        integer: column.schema.type === "numerical" && column.schema.subtype === "integer",
        real: column.values,
        synthetic: twin.values,
      };
      if (held !== undefined && "values" in held && held.values instanceof Float64Array) pair.holdout = held.values;
      return pair;
    }
    if (type === "categorical" || type === "boolean") return alignDiscrete(name, type, column, twin, held);
    return {
      kind: "text",
      name,
      type,
      real: "values" in column ? (column.values as (string | null)[]) : [],
      synthetic: "values" in twin ? (twin.values as (string | null)[]) : [],
    };
  });
  return { columns, realRows: real.rowCount, syntheticRows: synthetic.rowCount, holdoutRows: holdout?.rowCount ?? 0 };
}
