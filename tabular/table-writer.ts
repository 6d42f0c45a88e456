/**
 * Streaming table writers: `openTableWriter(path, schema)` → `write(chunk)` … `commit()`.
 * Rows go to a temp file next to the target, renamed over it on commit; `abort()` (or a failed
 * commit) removes every temp file, so a target is either untouched or complete. Memory is
 * O(chunk): each chunk is formatted, written with backpressure (awaited) and dropped.
 *
 * Formats by extension: .csv, .tsv, .json (array of objects), .ndjson/.jsonl, .parquet. Parquet
 * is written by DuckDB: chunks are staged as CSV in a temp file and converted at commit with
 * `COPY … (FORMAT parquet)` using the schema's types (BIGINT/DOUBLE, DATE/TIMESTAMP, BOOLEAN,
 * VARCHAR), which DuckDB does in a streaming pass; see benchmarks/perf/tabular-io.bench.ts.
 */
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { tempPathFor } from "./atomic-file.js";
import { duckdbConnection, sqlString } from "./duckdb-session.js";
import { formatHasTime } from "./datetime-format.js";
import { TableWriteError, firstLine } from "./errors.js";
import { formatFromPath } from "./read-table.js";
import { SCHEMA_FORMAT_VERSION, type ColumnSchema, type TableSchema } from "./schema.js";
import { EMBEDDED_SCHEMA_KEY } from "./schema-file.js";
import type { Column, Table } from "./table.js";
import { type EncodeOptions, encodeDelimitedRows } from "./row-encoder.js";
import { formatCells, quoteCell } from "./value-format.js";

export interface TableWriter {
  /** Appends the rows of `chunk` (its columns are matched to the schema by name). */
  write(chunk: Table): Promise<void>;
  /** Finishes the file and moves it into place. */
  commit(): Promise<void>;
  /** Removes the partial file; the target is left as it was. Safe to call more than once. */
  abort(): Promise<void>;
  readonly rowsWritten: number;
}

/** Rows formatted per slice, to bound the size of one string. */
const SLICE_ROWS = 32_768;
const ISO_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f";
const ISO_DATE = "%Y-%m-%d";

/** Columns that appear in output files: pii columns with action "drop" are left out. */
export function outputColumns(schema: TableSchema): ColumnSchema[] {
  return schema.columns.filter((column) => !(column.type === "pii" && column.action === "drop"));
}

function matchColumns(path: string, schemaColumns: ColumnSchema[], chunk: Table): Column[] {
  return schemaColumns.map((schemaColumn) => {
    const column = chunk.columns.find((c) => c.schema.name === schemaColumn.name);
    if (column === undefined) throw new TableWriteError(path, `chunk has no column "${schemaColumn.name}" that the output schema names; sample every column of the schema.`);
    if (column.schema.type !== schemaColumn.type) {
      throw new TableWriteError(path, `chunk column "${schemaColumn.name}" is ${column.schema.type} but the output schema says ${schemaColumn.type}; use the same schema for sampling and writing.`);
    }
    return column;
  });
}

/** Text of rows [start, end); `first` is true for the first rows of the file. */
type Serialize = (columns: Column[], start: number, end: number, first: boolean) => string | Uint8Array;

/** How a format lays out the file: text before the rows, the rows, text after them. */
interface FileLayout {
  prefix: string;
  serialize: Serialize;
  suffix: string;
}

class FileTableWriter implements TableWriter {
  rowsWritten = 0;
  private readonly path: string;
  private readonly tempPath: string;
  private readonly columns: ColumnSchema[];
  private handle: FileHandle | undefined;
  private readonly layout: FileLayout;
  private readonly finish: ((tempPath: string) => Promise<string>) | undefined;
  private done = false;

  constructor(path: string, tempPath: string, handle: FileHandle, columns: ColumnSchema[], layout: FileLayout, finish?: (tempPath: string) => Promise<string>) {
    this.path = path;
    this.tempPath = tempPath;
    this.handle = handle;
    this.columns = columns;
    this.layout = layout;
    this.finish = finish;
  }

  async start(): Promise<void> {
    if (this.layout.prefix !== "") await this.handle?.write(this.layout.prefix);
  }

  async write(chunk: Table): Promise<void> {
    if (this.done || this.handle === undefined) throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    const columns = matchColumns(this.path, this.columns, chunk);
    for (let start = 0; start < chunk.rowCount; start += SLICE_ROWS) {
      const end = Math.min(chunk.rowCount, start + SLICE_ROWS);
      const data = this.layout.serialize(columns, start, end, this.rowsWritten === 0 && start === 0);
      await (typeof data === "string" ? this.handle.write(data) : this.handle.write(data));
    }
    this.rowsWritten += chunk.rowCount;
  }

  async commit(): Promise<void> {
    if (this.done || this.handle === undefined) throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    let finalTemp = this.tempPath;
    try {
      if (this.layout.suffix !== "") await this.handle.write(this.layout.suffix);
      await this.handle.close();
      this.handle = undefined;
      if (this.finish !== undefined) finalTemp = await this.finish(this.tempPath);
      await rename(finalTemp, this.path);
      this.done = true;
    } catch (error) {
      await this.abort();
      if (finalTemp !== this.tempPath) await rm(finalTemp, { force: true });
      if (error instanceof TableWriteError) throw error;
      throw new TableWriteError(this.path, `cannot write ${this.path} (${firstLine(error)}); check the directory exists and is writable.`, { cause: error });
    } finally {
      if (this.finish !== undefined) await rm(this.tempPath, { force: true });
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

function delimitedLayout(delimiter: string, columns: ColumnSchema[], options: { staging: boolean }): FileLayout {
  const header = `${columns.map((c) => quoteCell(c.name, delimiter)).join(delimiter)}\n`;
  // Parquet staging: datetimes as ISO text and booleans as true/false, which DuckDB reads typed.
  const encodeOptions: EncodeOptions = options.staging
    ? { delimiter, datetimeFormat: (format) => (formatHasTime(format) ? ISO_TIMESTAMP : ISO_DATE), booleanLabels: ["false", "true"] }
    : { delimiter };
  const serialize: Serialize = (chunkColumns, start, end) => encodeDelimitedRows(chunkColumns, start, end, encodeOptions);
  return { prefix: header, serialize, suffix: "" };
}

function jsonLayout(columns: ColumnSchema[], array: boolean): FileLayout {
  const keys = columns.map((c) => JSON.stringify(c.name));
  const serialize: Serialize = (chunkColumns, start, end, first) => {
    const cells = chunkColumns.map((column) => formatCells(column, start, end, { delimiter: "\u0000", nullCell: "\u0000null" }));
    const lines = new Array<string>(end - start);
    for (let i = 0; i < end - start; i++) {
      const fields = keys.map((key, j) => `${key}:${jsonValue(chunkColumns[j]!.schema, cells[j]![i]!)}`);
      lines[i] = `{${fields.join(",")}}`;
    }
    if (!array) return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
    return lines.length === 0 ? "" : (first ? "" : ",\n") + lines.join(",\n");
  };
  return array ? { prefix: "[\n", serialize, suffix: "\n]\n" } : { prefix: "", serialize, suffix: "" };
}

function jsonValue(schema: ColumnSchema, cell: string): string {
  if (cell === "\u0000null") return "null";
  if (schema.type === "numerical") return cell;
  // formatCells quoted cells that contain the (NUL) delimiter or quotes; undo that for JSON.
  const text = cell.startsWith('"') && cell.endsWith('"') && cell.length >= 2 ? cell.slice(1, -1).replaceAll('""', '"') : cell;
  return JSON.stringify(text);
}

function parquetType(schema: ColumnSchema): string {
  switch (schema.type) {
    case "numerical":
      return schema.subtype === "integer" ? "BIGINT" : "DOUBLE";
    case "datetime":
      return formatHasTime(schema.format) ? "TIMESTAMP" : "DATE";
    case "boolean":
      return "BOOLEAN";
    default:
      return "VARCHAR";
  }
}

async function convertCsvToParquet(path: string, stagingPath: string, columns: ColumnSchema[]): Promise<string> {
  const parquetTemp = tempPathFor(path);
  // The schema travels in the file, so formats, labels, ids and PII kinds survive a round trip.
  const embedded = JSON.stringify({ version: SCHEMA_FORMAT_VERSION, columns });
  const columnTypes = `{${columns.map((c) => `${sqlString(c.name)}: '${parquetType(c)}'`).join(", ")}}`;
  const connection = await duckdbConnection();
  try {
    await connection.run(
      `COPY (SELECT * FROM read_csv(${sqlString(stagingPath)}, header=true, auto_detect=false, columns=${columnTypes}, delim=',', quote='"', escape='"', ` +
        `timestampformat='%Y-%m-%d %H:%M:%S.%g', dateformat='%Y-%m-%d')) TO ${sqlString(parquetTemp)} ` +
        `(FORMAT parquet, COMPRESSION zstd, KV_METADATA {${sqlString(EMBEDDED_SCHEMA_KEY)}: ${sqlString(embedded)}})`,
    );
  } catch (error) {
    await rm(parquetTemp, { force: true });
    throw new TableWriteError(path, `cannot write Parquet ${path} (${firstLine(error)}); check the disk space and the schema.`, { cause: error });
  } finally {
    connection.closeSync();
  }
  return parquetTemp;
}

/** Opens a writer for `path`, its format from the extension (.csv, .tsv, .json, .ndjson, .parquet). */
export async function openTableWriter(path: string, schema: TableSchema): Promise<TableWriter> {
  const format = formatFromPath(path);
  const columns = outputColumns(schema);
  if (columns.length === 0) throw new TableWriteError(path, `nothing to write to ${path}: every column of the schema is dropped; keep at least one column.`);
  const tempPath = tempPathFor(path);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, "wx");
  } catch (error) {
    throw new TableWriteError(path, `cannot create ${path} (${firstLine(error)}); check the directory exists and is writable.`, { cause: error });
  }
  const layout =
    format === "tsv"
      ? delimitedLayout("\t", columns, { staging: false })
      : format === "json" || format === "ndjson"
        ? jsonLayout(columns, format === "json")
        : delimitedLayout(",", columns, { staging: format === "parquet" });
  const finish = format === "parquet" ? (staging: string) => convertCsvToParquet(path, staging, columns) : undefined;
  const writer = new FileTableWriter(path, tempPath, handle, columns, layout, finish);
  try {
    await writer.start();
  } catch (error) {
    await writer.abort();
    throw new TableWriteError(path, `cannot write ${path} (${firstLine(error)}); check the disk space and permissions.`, { cause: error });
  }
  return writer;
}

/** Writes a whole table (one chunk) atomically. */
export async function writeTable(path: string, table: Table, schema: TableSchema): Promise<void> {
  const writer = await openTableWriter(path, schema);
  try {
    await writer.write(table);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
