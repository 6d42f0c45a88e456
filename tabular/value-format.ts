/**
 * A column's values as the text cells of an output file: numbers with the column's decimals
 * (integers without ".0"), datetimes in the column's format, categories by label, missing as
 * `nullCell`. Text that holds the delimiter, a quote or a line break is quoted, quotes doubled.
 * (CSV/TSV rows are encoded straight to bytes by row-encoder.ts with the same rules; this
 * string form serves JSON output and callers that want one cell at a time.)
 */
import { formatDatetime } from "./datetime-format.js";
import type { Column } from "./table.js";

export interface CellOptions {
  /** The file's delimiter, for quoting; null writes text as it is (JSON quotes it itself). */
  delimiter: string | null;
  /** Written for a missing value (empty for CSV). */
  nullCell: string;
}

/** Quotes `text` for a delimited file when it needs it (RFC 4180). */
export function quoteCell(text: string, delimiter: string): string {
  if (text.includes(delimiter) || text.includes('"') || text.includes("\n") || text.includes("\r") || text === "") {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

function quote(text: string, delimiter: string | null): string {
  return delimiter === null ? text : quoteCell(text, delimiter);
}

/**
 * Plain digits of a whole double, however large: `String(1e30)` and `toFixed` switch to exponent
 * notation ("1e+30") from 1e21 on, which no reader takes for an integer. BigInt prints the
 * double's exact value instead.
 */
function wholeDigits(rounded: number): string {
  return Math.abs(rounded) >= 1e21 ? BigInt(rounded).toString() : String(rounded);
}

/** A number written with `decimals` digits after the point; integers as plain integers, never in exponent notation. */
export function formatNumber(value: number, subtype: "integer" | "float", decimals: number): string {
  if (subtype === "integer" || decimals === 0) {
    const rounded = Math.round(value);
    return rounded === 0 ? "0" : wholeDigits(rounded);
  }
  // A double of 1e21 or more has no fraction digits to show.
  if (Math.abs(value) >= 1e21) return `${wholeDigits(Math.round(value))}.${"0".repeat(decimals)}`;
  const text = value.toFixed(decimals);
  // "-0.00" reads as a negative zero: write it as zero.
  return text.startsWith("-") && Number(text) === 0 ? text.slice(1) : text;
}

/** The cells of rows [start, end) of `column`, ready to join with the delimiter. */
export function formatCells(column: Column, start: number, end: number, options: CellOptions): string[] {
  const cells = new Array<string>(end - start);
  const { schema } = column;
  switch (schema.type) {
    case "numerical": {
      const values = (column as { values: Float64Array }).values;
      for (let i = start; i < end; i++) {
        const v = values[i]!;
        cells[i - start] = Number.isFinite(v) ? formatNumber(v, schema.subtype, schema.decimals) : options.nullCell;
      }
      return cells;
    }
    case "datetime": {
      const values = (column as { values: Float64Array }).values;
      for (let i = start; i < end; i++) {
        const v = values[i]!;
        cells[i - start] = Number.isFinite(v) ? quote(formatDatetime(v, schema.format), options.delimiter) : options.nullCell;
      }
      return cells;
    }
    case "categorical":
    case "boolean": {
      const { codes, categories } = column as { codes: Int32Array; categories: string[] };
      const labels = categories.map((label) => quote(label, options.delimiter));
      for (let i = start; i < end; i++) {
        const code = codes[i]!;
        cells[i - start] = code >= 0 && code < labels.length ? labels[code]! : options.nullCell;
      }
      return cells;
    }
    case "id":
    case "pii": {
      const values = (column as { values: (string | null)[] }).values;
      for (let i = start; i < end; i++) {
        const v = values[i];
        cells[i - start] = v === null || v === undefined ? options.nullCell : quote(v, options.delimiter);
      }
      return cells;
    }
  }
}
