/**
 * The discrete domain that MST and the DP copula measure marginals over: every modelled column
 * becomes an attribute with a fixed, finite list of cells, and the table becomes one cell code
 * per row and attribute.
 *
 * For a differentially private fit the domain must not be read from the data (the set of labels
 * or the largest value of a column is itself a statistic of the people in it), so
 * `privateDomainFromSchema` builds it from the user's schema file only: numerical columns from
 * their declared `min`/`max`, categorical ones from their `categories` list, booleans from their
 * two labels. A column without them is refused with a message that says how to declare them
 * (`datalab schema data.csv --categories --out s.json`). Out-of-domain values are clipped: a
 * number to [min, max], an unknown label to the missing cell — so one row's value can never
 * change the domain, only which cell that row counts in.
 *
 * Cells of a numerical column (the same rule for every column, so it depends only on the bounds):
 * - integers spanning at most MAX_INTEGER_CELLS values: one cell per integer;
 * - otherwise a point cell at `min`, NUMERIC_BINS equal-width bins strictly between, and a point
 *   cell at `max` (bounds are often where mass piles up: zero capital gain, a capped value).
 * Every attribute ends with one "missing" cell (null / NaN), so nulls are modelled like values.
 */
import type { ColumnSchema, NumericalColumnSchema, Table, TableSchema } from "../tabular/index.js";
import { DpInputError } from "./errors.js";

export const MAX_INTEGER_CELLS = 128;
export const NUMERIC_BINS = 32;

/** A numerical cell is the value range [lower, upper] (equal for a point cell). */
export interface NumericAttribute {
  kind: "numeric";
  column: number;
  name: string;
  integer: boolean;
  decimals: number;
  lower: number[];
  upper: number[];
  /** Number of cells, including the final missing cell. */
  size: number;
}

export interface CategoricalAttribute {
  kind: "categorical";
  column: number;
  name: string;
  /** The domain's labels; cell i is labels[i], the last cell (labels.length) is missing. */
  labels: string[];
  size: number;
}

export type DiscreteAttribute = NumericAttribute | CategoricalAttribute;

/** Attributes of the modelled columns, in schema order (id and pii columns are not modelled). */
export interface DiscreteDomain {
  attributes: DiscreteAttribute[];
}

function numericCells(column: number, schema: { name: string; integer: boolean; decimals: number }, min: number, max: number): NumericAttribute {
  const lower: number[] = [];
  const upper: number[] = [];
  if (schema.integer && max - min + 1 <= MAX_INTEGER_CELLS) {
    for (let v = min; v <= max; v++) {
      lower.push(v);
      upper.push(v);
    }
  } else {
    lower.push(min);
    upper.push(min);
    if (max > min) {
      if (schema.integer) {
        // Integers min+1 … max−1 in NUMERIC_BINS runs of consecutive values.
        const first = min + 1;
        const count = max - min - 1;
        for (let b = 0; b < NUMERIC_BINS; b++) {
          const lo = first + Math.floor((b * count) / NUMERIC_BINS);
          const hi = first + Math.floor(((b + 1) * count) / NUMERIC_BINS) - 1;
          if (hi >= lo) {
            lower.push(lo);
            upper.push(hi);
          }
        }
      } else {
        const width = (max - min) / NUMERIC_BINS;
        for (let b = 0; b < NUMERIC_BINS; b++) {
          lower.push(min + b * width);
          upper.push(b === NUMERIC_BINS - 1 ? max : min + (b + 1) * width);
        }
      }
      lower.push(max);
      upper.push(max);
    }
  }
  return { kind: "numeric", column, name: schema.name, integer: schema.integer, decimals: schema.decimals, lower, upper, size: lower.length + 1 };
}

const HOW_TO_DECLARE = "write a schema with `datalab schema <data> --categories --out s.json`, review it, and pass --schema s.json";

/** The domain of a DP fit, from the user's schema only (see the file comment). Throws DpInputError naming the column. */
export function privateDomainFromSchema(schema: TableSchema): DiscreteDomain {
  const attributes: DiscreteAttribute[] = [];
  schema.columns.forEach((column: ColumnSchema, index) => {
    switch (column.type) {
      case "numerical":
        if (column.min === null || column.max === null) {
          throw new DpInputError(
            `column "${column.name}" has no declared min/max; a private fit cannot read bounds from the data — ${HOW_TO_DECLARE} (set "min" and "max").`,
          );
        }
        attributes.push(numericAttribute(index, column, column.min, column.max));
        break;
      case "categorical":
        if (column.categories === undefined) {
          throw new DpInputError(`column "${column.name}" has no "categories" list; a private fit cannot read the labels from the data — ${HOW_TO_DECLARE}.`);
        }
        attributes.push({ kind: "categorical", column: index, name: column.name, labels: [...column.categories], size: column.categories.length + 1 });
        break;
      case "boolean":
        attributes.push({ kind: "categorical", column: index, name: column.name, labels: [column.falseLabel, column.trueLabel], size: 3 });
        break;
      case "datetime":
        throw new DpInputError(
          `column "${column.name}" is a datetime, which private fits do not model yet; set its "type" to "id" (regenerated, not learned) or drop the column.`,
        );
      case "id":
      case "pii":
        break;
    }
  });
  return { attributes };
}

function numericAttribute(index: number, column: NumericalColumnSchema, min: number, max: number): NumericAttribute {
  const integer = column.subtype === "integer";
  return numericCells(index, { name: column.name, integer, decimals: column.decimals }, integer ? Math.ceil(min) : min, integer ? Math.floor(max) : max);
}

/**
 * The domain of a non-private fit (Chow–Liu): the same cells, with bounds and labels read from
 * the loaded table (that is what a non-private model may do). Datetimes are numbers (epoch ms).
 */
export function domainFromTable(table: Table): DiscreteDomain {
  const attributes: DiscreteAttribute[] = [];
  table.columns.forEach((column, index) => {
    const schema = column.schema;
    if (schema.type === "id" || schema.type === "pii") return;
    if ("codes" in column) {
      attributes.push({ kind: "categorical", column: index, name: schema.name, labels: [...column.categories], size: column.categories.length + 1 });
      return;
    }
    if (!("values" in column) || !(column.values instanceof Float64Array)) return;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of column.values) {
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min > max) [min, max] = [0, 0];
    const integer = schema.type === "datetime" || (schema.type === "numerical" && schema.subtype === "integer");
    const decimals = schema.type === "numerical" ? schema.decimals : 0;
    attributes.push(numericCells(index, { name: schema.name, integer, decimals }, min, max));
  });
  return { attributes };
}

/** The cell of a number: clipped into [min, max]; NaN → the missing cell. */
export function numericCellOf(attribute: NumericAttribute, value: number): number {
  const cells = attribute.size - 1;
  if (Number.isNaN(value)) return cells;
  const { lower, upper } = attribute;
  if (value <= upper[0]!) return 0;
  if (value >= lower[cells - 1]!) return cells - 1;
  // Binary search for the last cell whose lower bound is ≤ value (cells are sorted and contiguous).
  let lo = 0;
  let hi = cells - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lower[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  // Integers between two runs (e.g. 4.5 in an integer column) go to the nearer run.
  if (value > upper[lo]! && lo + 1 < cells && value - upper[lo]! > lower[lo + 1]! - value) return lo + 1;
  return lo;
}

/** One Int32Array of cell codes per attribute. Unknown labels count in the missing cell. */
export function encodeTable(table: Table, domain: DiscreteDomain): Int32Array[] {
  return domain.attributes.map((attribute) => {
    const column = table.columns[attribute.column];
    if (column === undefined)
      throw new DpInputError(
        `the table has no column ${attribute.column + 1} ("${attribute.name}") that the domain names; use the schema the table was read with.`,
      );
    const codes = new Int32Array(table.rowCount);
    if (attribute.kind === "categorical") {
      if (!("codes" in column)) throw new DpInputError(`column "${attribute.name}" is not categorical in the table; use the schema the table was read with.`);
      const position = new Map(attribute.labels.map((label, i) => [label, i]));
      const remap = column.categories.map((label) => position.get(label) ?? attribute.labels.length);
      const missing = attribute.labels.length;
      for (let r = 0; r < codes.length; r++) {
        const code = column.codes[r]!;
        codes[r] = code < 0 ? missing : remap[code]!;
      }
    } else {
      if (!("values" in column) || !(column.values instanceof Float64Array))
        throw new DpInputError(`column "${attribute.name}" is not numerical in the table; use the schema the table was read with.`);
      for (let r = 0; r < codes.length; r++) codes[r] = numericCellOf(attribute, column.values[r]!);
    }
    return codes;
  });
}
