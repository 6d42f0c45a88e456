/**
 * CSV/TSV through DuckDB's reader, with the dialect decided here rather than by DuckDB's
 * sniffer (which guesses wrong on small or ragged files): the header record is parsed in JS,
 * the delimiter is the candidate that splits it most, quotes are `"` doubled (RFC 4180).
 * Every field is read as text so that inference sees the original spelling (decimals, date
 * formats, mixed values). A UTF-8 BOM and CRLF line ends are handled by DuckDB.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbConnection, sqlIdentifier, sqlString } from "./duckdb-session.js";
import { TableReadError, firstLine } from "./errors.js";
import { NULL_TOKENS, type RawTable, type RawTextColumn } from "./raw-table.js";
import { readSourceColumns, textColumn } from "./read-columns.js";

const DELIMITER_CANDIDATES = [",", "\t", ";", "|"] as const;

export interface CsvDialect {
  delimiter: string;
  header: string[];
}

/** Index of the line end that closes the first record of `text` (a newline outside quotes), or -1. */
export function firstRecordEnd(text: string): number {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if ((ch === "\n" || ch === "\r") && !inQuotes) return i;
  }
  return -1;
}

/** Parses the first record of `text` (quotes respected) and picks the delimiter. */
export function sniffCsvHeader(text: string, preferTab: boolean): CsvDialect {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const recordEnd = firstRecordEnd(body);
  const headerLine = body.slice(0, recordEnd < 0 ? body.length : recordEnd);
  let delimiter = preferTab ? "\t" : ",";
  let best = preferTab ? countOutsideQuotes(headerLine, "\t") : 0;
  if (best === 0) {
    for (const candidate of DELIMITER_CANDIDATES) {
      const count = countOutsideQuotes(headerLine, candidate);
      if (count > best) {
        best = count;
        delimiter = candidate;
      }
    }
  }
  return { delimiter, header: splitRecord(headerLine, delimiter) };
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let inQuotes = false;
  let count = 0;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === delimiter && !inQuotes) count++;
  }
  return count;
}

function splitRecord(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = "";
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** Header names made usable: trimmed, empty → `column<i>`, duplicates → `<name>_2`, `<name>_3`. */
export function cleanColumnNames(header: string[], warnings: string[]): string[] {
  const seen = new Set<string>();
  return header.map((rawName, index) => {
    let name = rawName.trim();
    if (name === "") {
      name = `column${index + 1}`;
      warnings.push(`column ${index + 1} has no name in the header; it is called "${name}".`);
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) k++;
      warnings.push(`column name "${name}" appears more than once; column ${index + 1} is called "${name}_${k}".`);
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}

interface RaggedRow {
  line: number;
  expected: number;
  found: number;
}

function parseRaggedError(message: string): RaggedRow | undefined {
  const match = /CSV Error on Line: (\d+)[\s\S]*?Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (match === null) return undefined;
  return { line: Number(match[1]), expected: Number(match[2]), found: Number(match[3]) };
}

/** DuckDB's default longest line (max_line_size); a longer row needs the limit raised. */
const DEFAULT_MAX_LINE_BYTES = 2_000_000;
/** The longest row (one record, quoted newlines included) read at all. */
const MAX_LINE_BYTES = 2 ** 30;

interface CsvReadOptions {
  nullPadding: boolean;
  encoding: string;
  /** Raise DuckDB's line limit (and its buffer, which must hold two lines) to this many bytes. */
  maxLineBytes?: number | undefined;
}

function csvSource(path: string, dialect: CsvDialect, names: string[], options: CsvReadOptions): string {
  const columns = `{${names.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(", ")}}`;
  return (
    `read_csv(${sqlString(path)}, header=true, auto_detect=false, columns=${columns}, delim=${sqlString(dialect.delimiter)}, ` +
    `quote='"', escape='"', strict_mode=true, encoding=${sqlString(options.encoding)}, ` +
    `null_padding=${options.nullPadding}${options.nullPadding ? ", parallel=false" : ""}` +
    `${options.maxLineBytes === undefined ? "" : `, max_line_size=${options.maxLineBytes}, buffer_size=${2 * options.maxLineBytes}`})`
  );
}

async function readCsvColumns(connection: DuckDBConnection, path: string, dialect: CsvDialect, names: string[], options: CsvReadOptions) {
  const source = csvSource(path, dialect, names, options);
  return readSourceColumns(
    connection,
    source,
    names.map((name) => ({ expression: sqlIdentifier(name), kind: "text" as const })),
  );
}

/**
 * Reads a delimited text file whose first record is the header. `headText` is the decoded start
 * of the file (enough to hold the header record).
 */
export async function readCsvFile(path: string, headText: string, options: { tsv: boolean; encoding: string; sizeBytes?: number }): Promise<RawTable> {
  const warnings: string[] = [];
  const dialect = sniffCsvHeader(headText, options.tsv);
  const names = cleanColumnNames(dialect.header, warnings);
  const sizeBytes = options.sizeBytes ?? 0;
  const connection = await duckdbConnection();
  try {
    let read: Awaited<ReturnType<typeof readCsvColumns>> | undefined;
    let attempt: CsvReadOptions = { nullPadding: false, encoding: options.encoding };
    while (read === undefined) {
      try {
        read = await readCsvColumns(connection, path, dialect, names, attempt);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const ragged = parseRaggedError(message);
        if (ragged !== undefined && ragged.found < ragged.expected && !attempt.nullPadding) {
          // Short rows are recoverable: the missing trailing fields are read as missing values.
          warnings.push(
            `some rows have fewer fields than the header's ${ragged.expected} (first at line ${ragged.line}); their missing fields are read as empty.`,
          );
          attempt = { ...attempt, nullPadding: true };
        } else if (attempt.maxLineBytes === undefined && sizeBytes > DEFAULT_MAX_LINE_BYTES && /Maximum line size|unterminated quote/i.test(message)) {
          // A row longer than DuckDB's 2 MB default (a long quoted text): valid CSV, read with a
          // limit that fits the whole file. A quote that is really never closed fails again.
          attempt = { ...attempt, maxLineBytes: Math.min(sizeBytes + 1, MAX_LINE_BYTES) };
        } else {
          throw csvError(path, error);
        }
      }
    }
    const columns: RawTextColumn[] = names.map((name, index) => {
      const column = read.columns[index]!;
      return textColumn(name, column, isNullText);
    });
    return { path, format: options.tsv ? "tsv" : "csv", rowCount: read.rowCount, columns, warnings };
  } finally {
    connection.closeSync();
  }
}

/** An empty field or a null token (NA, NULL, …) is a missing value. */
export function isNullText(text: string): boolean {
  return text === "" || NULL_TOKENS.has(text);
}

/**
 * The sentence of a DuckDB CSV error that says what was wrong: its message is "CSV Error on Line:
 * N", the whole original line (megabytes, for a long row), then the cause, then hints and settings.
 */
function duckdbCsvCause(message: string): string | undefined {
  const lines = message.split("\n").map((line) => line.trim());
  const cause = lines.find((line, i) => i > 0 && line !== "" && !line.startsWith("Original Line:") && !/^CSV Error on Line/.test(line));
  return cause === undefined || /^Possible (fixes|Solution)/i.test(cause) ? undefined : cause.slice(0, 200);
}

function csvError(path: string, error: unknown): TableReadError {
  const message = error instanceof Error ? error.message : String(error);
  const ragged = parseRaggedError(message);
  if (ragged !== undefined) {
    return new TableReadError(
      path,
      `${path}: line ${ragged.line} has ${ragged.found} fields but the header has ${ragged.expected}; fix that row, or quote fields that contain the delimiter.`,
      { cause: error },
    );
  }
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  if (line !== undefined && /unterminated quote/i.test(message)) {
    return new TableReadError(path, `${path}: line ${line} has a quote that is never closed; close it, or double the quotes inside quoted fields ("").`, {
      cause: error,
    });
  }
  const tooLong = /Maximum line size of (\d+) bytes exceeded/i.exec(message);
  if (line !== undefined && tooLong !== null) {
    const limit = Number(tooLong[1]).toLocaleString("en-US");
    const text = `${path}: line ${line} is longer than ${limit} bytes, the longest row datalab reads; split that field or drop it.`;
    return new TableReadError(path, text, { cause: error });
  }
  if (line !== undefined) {
    const cause = duckdbCsvCause(message) ?? firstLine(error);
    return new TableReadError(path, `${path}: cannot read line ${line} as CSV (${cause}); fix that row and retry.`, { cause: error });
  }
  return new TableReadError(path, `${path}: cannot read as a CSV table (${firstLine(error)}); check that it is a delimited text file with a header row.`, {
    cause: error,
  });
}
