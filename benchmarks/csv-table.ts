/**
 * A small CSV → `Table` reader with pandas' `read_csv` defaults (an empty field is missing; every
 * other text is a value, so "?" stays a category; pandas' NA strings such as "NA" are missing), used to score the SDMetrics reference cases
 * exactly as SDMetrics read them. Datetimes are parsed with their strftime format as UTC.
 * Production reading goes through `tabular/`; this reader exists so that the agreement with the
 * reference does not depend on another part's inference rules.
 */
import type { ColumnSchema, TableSchema } from "../tabular/index.js";
import type { Column, Table } from "../tabular/index.js";
import { parseDatetime } from "../tabular/index.js";
import { ScoreInputError } from "./errors.js";

/** RFC 4180 fields, quotes and doubled quotes; `\r\n` or `\n` line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** pandas `read_csv`'s default missing-value strings (besides the empty field). */
export const PANDAS_NA_VALUES: ReadonlySet<string> = new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null",
]);

const isMissing = (field: string) => PANDAS_NA_VALUES.has(field);

function buildColumn(schema: ColumnSchema, fields: string[]): Column {
  switch (schema.type) {
    case "numerical": {
      const values = new Float64Array(fields.length);
      let integer = true;
      fields.forEach((f, i) => {
        values[i] = isMissing(f) ? Number.NaN : Number(f);
        if (isMissing(f) || !/^-?\d+$/.test(f.trim())) integer = false;
      });
      return { schema: { ...schema, subtype: integer ? "integer" : "float" }, values };
    }
    case "datetime": {
      return { schema, values: Float64Array.from(fields, (f) => (isMissing(f) ? Number.NaN : parseDatetime(f, schema.format))) };
    }
    case "categorical":
    case "boolean": {
      const categories: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(fields, (f) => {
        if (isMissing(f)) return -1;
        let code = index.get(f);
        if (code === undefined) {
          code = categories.length;
          categories.push(f);
          index.set(f, code);
        }
        return code;
      });
      return { schema, codes, categories };
    }
    default:
      return { schema, values: fields.map((f) => (isMissing(f) ? null : f)) };
  }
}

/** A table from CSV text typed by `schema` (columns matched by header name). */
export function tableFromCsv(text: string, schema: TableSchema): Table {
  const rows = parseCsv(text);
  const header = rows[0];
  if (header === undefined) throw new ScoreInputError("the CSV text is empty: give a file with a header row.");
  const body = rows.slice(1).filter((r) => !(r.length === 1 && r[0] === ""));
  const columns = schema.columns.map((columnSchema) => {
    const at = header.indexOf(columnSchema.name);
    if (at < 0) throw new ScoreInputError(`the CSV has no column "${columnSchema.name}": check the header.`);
    return buildColumn(
      columnSchema,
      body.map((r) => r[at] ?? ""),
    );
  });
  return { rowCount: body.length, columns };
}

/** The header row of CSV text. */
export function csvHeader(text: string): string[] {
  const end = text.search(/\r?\n/);
  return parseCsv(end < 0 ? text : text.slice(0, end))[0] ?? [];
}
