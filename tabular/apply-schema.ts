/**
 * `applySchema(raw, schema)`: types a raw table by a schema (inferred, or the user's own file).
 * Columns of the file that the schema does not name are inferred (with a warning); a schema
 * column the file lacks is an error (except a PII column with action "drop", which output files
 * leave out). Values that do not fit their column's type are read as
 * missing, with one warning per column that counts them and shows an example.
 */
import { parseNumberText } from "./column-shapes.js";
import { formatDatetime, parseDatetime } from "./datetime-format.js";
import { SchemaError } from "./errors.js";
import { inferColumn } from "./infer-column.js";
import type { RawColumn, RawTable } from "./raw-table.js";
import type { BooleanColumnSchema, ColumnSchema, TableSchema } from "./schema.js";
import type { Column, Table } from "./table.js";

/** The text form of each raw value (null when missing), for typing it under a schema. */
function rawTexts(raw: RawColumn): (string | null)[] {
  switch (raw.kind) {
    case "text":
      return raw.values;
    case "boolean":
      return raw.values.map((v) => (v === null ? null : String(v)));
    case "number":
      return Array.from(raw.values, (v) => (Number.isNaN(v) ? null : String(v)));
    case "datetime":
      return Array.from(raw.values, (v) => (Number.isNaN(v) ? null : formatDatetime(v, raw.format)));
  }
}

class BadValues {
  count = 0;
  example: string | undefined;
  note(text: string): void {
    this.count++;
    this.example ??= text;
  }
  warning(column: string, what: string): string[] {
    if (this.count === 0) return [];
    return [`column "${column}": ${this.count} value(s) are not ${what} (e.g. ${JSON.stringify(this.example)}) and are read as missing; fix them or change the column's type in the schema.`];
  }
}

function toNumbers(raw: RawColumn, bad: BadValues): Float64Array {
  if (raw.kind === "number" || raw.kind === "datetime") return Float64Array.from(raw.values);
  if (raw.kind === "boolean") return Float64Array.from(raw.values, (v) => (v === null ? Number.NaN : v ? 1 : 0));
  const out = new Float64Array(raw.values.length);
  for (let i = 0; i < out.length; i++) {
    const text = raw.values[i];
    if (text === null || text === undefined) {
      out[i] = Number.NaN;
      continue;
    }
    // Under an explicit numerical type, leading zeros (`007`) are fine: the user said "number".
    let value = parseNumberText(text);
    if (Number.isNaN(value) && /^[+-]?\d+(\.\d*)?$/.test(text.trim())) value = Number(text.trim());
    if (Number.isNaN(value)) bad.note(text);
    out[i] = value;
  }
  return out;
}

function toDatetimes(raw: RawColumn, format: string, bad: BadValues): Float64Array {
  if (raw.kind === "datetime") return Float64Array.from(raw.values);
  const texts = rawTexts(raw);
  const out = new Float64Array(texts.length);
  const parsed = new Map<string, number>();
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text === null || text === undefined) {
      out[i] = Number.NaN;
      continue;
    }
    let value = parsed.get(text);
    if (value === undefined) {
      value = parseDatetime(text, format);
      parsed.set(text, value);
    }
    if (Number.isNaN(value)) bad.note(text);
    out[i] = value;
  }
  return out;
}

function toCategories(texts: (string | null)[]): { codes: Int32Array; categories: string[] } {
  const labels = [...new Set(texts.filter((t): t is string => t !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(labels.map((label, i) => [label, i]));
  const codes = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    codes[i] = text === null || text === undefined ? -1 : index.get(text)!;
  }
  return { codes, categories: labels };
}

const TRUE_SPELLINGS = new Set(["true", "yes", "y", "t", "1"]);
const FALSE_SPELLINGS = new Set(["false", "no", "n", "f", "0"]);

function toBooleans(raw: RawColumn, schema: BooleanColumnSchema, bad: BadValues): Int32Array {
  const codes = new Int32Array(raw.values.length);
  const trueLabel = schema.trueLabel.trim().toLowerCase();
  const falseLabel = schema.falseLabel.trim().toLowerCase();
  const texts = rawTexts(raw);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text === null || text === undefined) {
      codes[i] = -1;
      continue;
    }
    const lower = text.trim().toLowerCase();
    // Codes follow table.ts: categories are [falseLabel, trueLabel].
    if (lower === trueLabel || (lower !== falseLabel && TRUE_SPELLINGS.has(lower))) codes[i] = 1;
    else if (lower === falseLabel || FALSE_SPELLINGS.has(lower)) codes[i] = 0;
    else {
      codes[i] = -1;
      bad.note(text);
    }
  }
  return codes;
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
      return { column: { schema, ...toCategories(rawTexts(raw)) }, warnings: [] };
    case "boolean": {
      const codes = toBooleans(raw, schema, bad);
      return { column: { schema, codes, categories: [schema.falseLabel, schema.trueLabel] }, warnings: bad.warning(schema.name, `"${schema.trueLabel}" or "${schema.falseLabel}"`) };
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
      const list = [...fileNames].slice(0, 20).map((n) => JSON.stringify(n)).join(", ");
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
