/**
 * `applySchema(raw, schema)`: types a raw table by a schema (inferred, or the user's own file).
 * Columns of the file that the schema does not name are inferred (with a warning); a schema
 * column the file lacks is an error (except a PII column with action "drop", which output files
 * leave out). Values that do not fit their column's type are read as
 * missing, with one warning per column that counts them and shows an example.
 */
import { parseNumberText } from "./column-shapes.js";
import { parseDatetime } from "./datetime-format.js";
import { SchemaError } from "./errors.js";
import { inferColumn } from "./infer-column.js";
import type { RawColumn, RawTable } from "./raw-table.js";
import type { BooleanColumnSchema, ColumnSchema, TableSchema } from "./schema.js";
import type { Column, Table } from "./table.js";
import { labelCounts, mapDictionary, rawTexts, type TextDictionary, textDictionary } from "./text-dictionary.js";

class BadValues {
  count = 0;
  example: string | undefined;
  /** Counts the rows of every dictionary entry whose converted value is NaN. */
  noteLabels(dictionary: TextDictionary, perLabel: Float64Array): void {
    const counts = labelCounts(dictionary);
    for (let k = 0; k < perLabel.length; k++) {
      const label = dictionary.labels[k];
      if (label === null || label === undefined || !Number.isNaN(perLabel[k]!) || counts[k] === 0) continue;
      this.count += counts[k]!;
      this.example ??= label;
    }
  }
  warning(column: string, what: string): string[] {
    if (this.count === 0) return [];
    return [
      `column "${column}": ${this.count} value(s) are not ${what} (e.g. ${JSON.stringify(this.example)}) and are read as missing; fix them or change the column's type in the schema.`,
    ];
  }
}

/** A number as written; under an explicit numerical type leading zeros (`007`) are fine too. */
function numberFromText(text: string): number {
  const value = parseNumberText(text);
  if (!Number.isNaN(value)) return value;
  const trimmed = text.trim();
  return /^[+-]?\d+(\.\d*)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function toNumbers(raw: RawColumn, bad: BadValues): Float64Array {
  if (raw.kind === "number" || raw.kind === "datetime") return Float64Array.from(raw.values);
  if (raw.kind === "boolean") return Float64Array.from(raw.values, (v) => (v === null ? Number.NaN : v ? 1 : 0));
  const dictionary = textDictionary(raw);
  const { perLabel, perRow } = mapDictionary(dictionary, numberFromText, Number.NaN);
  bad.noteLabels(dictionary, perLabel);
  return perRow;
}

function toDatetimes(raw: RawColumn, format: string, bad: BadValues): Float64Array {
  if (raw.kind === "datetime") return Float64Array.from(raw.values);
  const dictionary = textDictionary(raw);
  const { perLabel, perRow } = mapDictionary(dictionary, (label) => parseDatetime(label, format), Number.NaN);
  bad.noteLabels(dictionary, perLabel);
  return perRow;
}

function toCategories(raw: RawColumn): { codes: Int32Array; categories: string[] } {
  const dictionary = textDictionary(raw);
  const counts = labelCounts(dictionary);
  // Categories are the labels that occur (dictionary entries are distinct), sorted; the default
  // sort compares UTF-16 code units, like `<` on strings, without a JS callback.
  const categories = dictionary.labels.filter((label, k): label is string => label !== null && counts[k]! > 0).sort();
  const position = new Map(categories.map((label, i) => [label, i]));
  const remap = Int32Array.from(dictionary.labels, (label) => (label === null ? -1 : (position.get(label) ?? -1)));
  const codes = new Int32Array(dictionary.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const code = dictionary.codes[i]!;
    codes[i] = code < 0 ? -1 : remap[code]!;
  }
  return { codes, categories };
}

const TRUE_SPELLINGS = new Set(["true", "yes", "y", "t", "1"]);
const FALSE_SPELLINGS = new Set(["false", "no", "n", "f", "0"]);

function toBooleans(raw: RawColumn, schema: BooleanColumnSchema, bad: BadValues): Int32Array {
  const trueLabel = schema.trueLabel.trim().toLowerCase();
  const falseLabel = schema.falseLabel.trim().toLowerCase();
  // Codes follow table.ts: categories are [falseLabel, trueLabel].
  const codeOf = (text: string): number => {
    const lower = text.trim().toLowerCase();
    if (lower === trueLabel || (lower !== falseLabel && TRUE_SPELLINGS.has(lower))) return 1;
    if (lower === falseLabel || FALSE_SPELLINGS.has(lower)) return 0;
    return Number.NaN;
  };
  const dictionary = textDictionary(raw);
  const { perLabel, perRow } = mapDictionary(dictionary, codeOf, -1);
  bad.noteLabels(dictionary, perLabel);
  return Int32Array.from(perRow, (v) => (Number.isNaN(v) ? -1 : v));
}

/** Types one raw column by its schema; returns the column (with its effective schema) and warnings. */
export function applyColumnSchema(raw: RawColumn, schema: ColumnSchema): { column: Column; warnings: string[] } {
  const bad = new BadValues();
  switch (schema.type) {
    case "numerical": {
      const values = toNumbers(raw, bad);
      let { min, max } = schema;
      if (min === null || max === null) {
        // A schema without a range (hand-written, or from an empty column): take it from the data.
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const v of values) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (lo <= hi) [min, max] = [min ?? lo, max ?? hi];
      }
      return { column: { schema: { ...schema, min, max }, values }, warnings: bad.warning(schema.name, "numbers") };
    }
    case "datetime": {
      const values = toDatetimes(raw, schema.format, bad);
      return { column: { schema, values }, warnings: bad.warning(schema.name, `datetimes in the format "${schema.format}"`) };
    }
    case "categorical":
      return { column: { schema, ...toCategories(raw) }, warnings: [] };
    case "boolean": {
      const codes = toBooleans(raw, schema, bad);
      return {
        column: { schema, codes, categories: [schema.falseLabel, schema.trueLabel] },
        warnings: bad.warning(schema.name, `"${schema.trueLabel}" or "${schema.falseLabel}"`),
      };
    }
    case "id":
    case "pii":
      return { column: { schema, values: rawTexts(raw).slice() }, warnings: [] };
  }
}

/** Types `raw` by `schema` (see the file comment for how mismatches are handled). */
export function applySchema(raw: RawTable, schema: TableSchema): { table: Table; warnings: string[] } {
  const byName = new Map(schema.columns.map((column) => [column.name, column]));
  const fileNames = new Set(raw.columns.map((column) => column.name));
  for (const column of schema.columns) {
    // A PII column with action "drop" is absent from files we wrote: that is expected.
    if (!fileNames.has(column.name) && !(column.type === "pii" && column.action === "drop")) {
      const list = [...fileNames]
        .slice(0, 20)
        .map((n) => JSON.stringify(n))
        .join(", ");
      throw new SchemaError(`schema column "${column.name}" is not in ${raw.path} (its columns: ${list}); remove it from the schema or fix its name.`);
    }
  }
  const warnings: string[] = [];
  const columns: Column[] = [];
  for (const rawColumn of raw.columns) {
    let columnSchema = byName.get(rawColumn.name);
    if (columnSchema === undefined) {
      const inferred = inferColumn(rawColumn, raw.rowCount);
      columnSchema = inferred.schema;
      warnings.push(`column "${rawColumn.name}" is not in the schema; inferred as ${columnSchema.type}.`, ...inferred.warnings);
    }
    const applied = applyColumnSchema(rawColumn, columnSchema);
    columns.push(applied.column);
    warnings.push(...applied.warnings);
  }
  return { table: { rowCount: raw.rowCount, columns }, warnings };
}
