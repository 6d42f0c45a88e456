/**
 * Streaming table writers: `openTableWriter(path, schema)` → `write(chunk)` … `commit()`.
 * Rows go to a temp file next to the target, renamed over it on commit; `abort()` (or a failed
 * commit) removes every temp file, so a target is either untouched or complete. Memory is
 * O(chunk): each chunk is formatted, written with backpressure (awaited) and dropped.
 *
 * Formats by extension: .csv, .tsv, .json (array of objects), .ndjson/.jsonl, .parquet (written
 * by DuckDB from column vectors, see parquet-writer.ts). Speeds: benchmarks/perf/tabular-io.bench.ts.
 */
import { type FileHandle, open, rename, rm, writeFile } from "node:fs/promises";
import { releaseTempPath, tempPathFor } from "./atomic-file.js";
import { TableWriteError, firstLine, isDiskFull } from "./errors.js";
import { formatFromPath } from "./read-table.js";
import { ParquetTableWriter } from "./parquet-writer.js";
import type { ColumnSchema, TableSchema } from "./schema.js";
import type { Column, Table } from "./table.js";
import { encodeDelimitedRows } from "./row-encoder.js";
import { formatCells, quoteCell } from "./value-format.js";

export interface TableWriter {
  /**
   * Appends the rows of `chunk` (its columns are matched to the schema by name). On failure the
   * writer aborts itself (the temp file is removed) and rethrows a TableWriteError.
   */
  write(chunk: Table): Promise<void>;
  /** Finishes the file and moves it into place. */
  commit(): Promise<void>;
  /** Removes the partial file; the target is left as it was. Safe to call more than once. */
  abort(): Promise<void>;
  readonly rowsWritten: number;
}

/** Rows formatted per slice, to bound the size of one string. */
const SLICE_ROWS = 32_768;

/** Columns that appear in output files: pii columns with action "drop" are left out. */
export function outputColumns(schema: TableSchema): ColumnSchema[] {
  return schema.columns.filter((column) => !(column.type === "pii" && column.action === "drop"));
}

function matchColumns(path: string, schemaColumns: ColumnSchema[], chunk: Table): Column[] {
  return schemaColumns.map((schemaColumn) => {
    const column = chunk.columns.find((c) => c.schema.name === schemaColumn.name);
    if (column === undefined)
      throw new TableWriteError(path, `chunk has no column "${schemaColumn.name}" that the output schema names; sample every column of the schema.`);
    if (column.schema.type !== schemaColumn.type) {
      throw new TableWriteError(
        path,
        `chunk column "${schemaColumn.name}" is ${column.schema.type} but the output schema says ${schemaColumn.type}; use the same schema for sampling and writing.`,
      );
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
  private done = false;

  constructor(path: string, tempPath: string, handle: FileHandle, columns: ColumnSchema[], layout: FileLayout) {
    this.path = path;
    this.tempPath = tempPath;
    this.handle = handle;
    this.columns = columns;
    this.layout = layout;
  }

  async start(): Promise<void> {
    if (this.layout.prefix !== "") await this.handle?.write(this.layout.prefix);
  }

  async write(chunk: Table): Promise<void> {
    if (this.done || this.handle === undefined)
      throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    const handle = this.handle;
    try {
      const columns = matchColumns(this.path, this.columns, chunk);
      for (let start = 0; start < chunk.rowCount; start += SLICE_ROWS) {
        const end = Math.min(chunk.rowCount, start + SLICE_ROWS);
        const data = this.layout.serialize(columns, start, end, this.rowsWritten === 0 && start === 0);
        await (typeof data === "string" ? handle.write(data) : handle.write(data));
      }
    } catch (error) {
      // A failed write leaves no partial file behind, even if the caller forgets abort().
      await this.abort();
      if (error instanceof TableWriteError) throw error;
      throw writeFailure(this.path, error, this.rowsWritten, "check the disk space and permissions.");
    }
    this.rowsWritten += chunk.rowCount;
  }

  async commit(): Promise<void> {
    if (this.done || this.handle === undefined)
      throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    try {
      if (this.layout.suffix !== "") await this.handle.write(this.layout.suffix);
      await this.handle.close();
      this.handle = undefined;
      await rename(this.tempPath, this.path);
      releaseTempPath(this.tempPath);
      this.done = true;
    } catch (error) {
      await this.abort();
      throw writeFailure(this.path, error, this.rowsWritten, "check the directory exists and is writable.");
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
    releaseTempPath(this.tempPath);
  }
}

/**
 * The error for a failed write, after the partial file was removed. A full disk gets its own
 * message: how far the write got, that nothing is left behind, and what to do.
 */
export function writeFailure(path: string, error: unknown, rowsWritten: number, advice: string): TableWriteError {
  if (isDiskFull(error)) {
    return new TableWriteError(
      path,
      `the disk is full (ENOSPC) after ${rowsWritten.toLocaleString("en-US")} rows of ${path}; the partial file was removed. ` +
        "Free some space, sample fewer rows, or write to another disk.",
      { cause: error },
    );
  }
  return new TableWriteError(path, `cannot write ${path} (${firstLine(error)}); ${advice}`, { cause: error });
}

function delimitedLayout(delimiter: string, columns: ColumnSchema[]): FileLayout {
  const header = `${columns.map((c) => quoteCell(c.name, delimiter)).join(delimiter)}\n`;
  const serialize: Serialize = (chunkColumns, start, end) => encodeDelimitedRows(chunkColumns, start, end, { delimiter });
  return { prefix: header, serialize, suffix: "" };
}

/** Parquet through DuckDB (parquet-writer.ts), behind the same interface and error handling. */
class ParquetWriterFacade implements TableWriter {
  private readonly path: string;
  private readonly columns: ColumnSchema[];
  private readonly parquet: ParquetTableWriter;
  constructor(path: string, columns: ColumnSchema[], parquet: ParquetTableWriter) {
    this.path = path;
    this.columns = columns;
    this.parquet = parquet;
  }
  get rowsWritten(): number {
    return this.parquet.rowsWritten;
  }
  async write(chunk: Table): Promise<void> {
    try {
      await this.parquet.write(matchColumns(this.path, this.columns, chunk), chunk.rowCount);
    } catch (error) {
      await this.parquet.abort();
      if (error instanceof TableWriteError) throw error;
      throw writeFailure(this.path, error, this.parquet.rowsWritten, "check the disk space and the schema.");
    }
  }
  commit(): Promise<void> {
    return this.parquet.commit();
  }
  abort(): Promise<void> {
    return this.parquet.abort();
  }
}

/** Fails early, with the same message as the text writers, when the target's directory is unusable. */
async function checkDirectoryWritable(path: string): Promise<void> {
  const probe = tempPathFor(path);
  try {
    await writeFile(probe, "", { flag: "wx" });
  } catch (error) {
    throw new TableWriteError(path, `cannot create ${path} (${firstLine(error)}); check the directory exists and is writable.`, { cause: error });
  } finally {
    await rm(probe, { force: true });
    releaseTempPath(probe);
  }
}

function jsonLayout(columns: ColumnSchema[], array: boolean): FileLayout {
  const keys = columns.map((c) => JSON.stringify(c.name));
  const serialize: Serialize = (chunkColumns, start, end, first) => {
    const cells = chunkColumns.map((column) => formatCells(column, start, end, { delimiter: null, nullCell: JSON_NULL }));
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

/** Marks a missing cell; starts with a NUL character, which no real value holds. */
const JSON_NULL = "\u0000null";

function jsonValue(schema: ColumnSchema, cell: string): string {
  if (cell === JSON_NULL) return "null";
  // Numbers are written as JSON numbers with the column's decimals; everything else as strings.
  return schema.type === "numerical" ? cell : JSON.stringify(cell);
}

export interface TableWriterOptions {
  /** Parquet: rows staged in DuckDB before a part file is written (default: ~128 MiB worth). */
  parquetPartRows?: number;
}

/** Opens a writer for `path`, its format from the extension (.csv, .tsv, .json, .ndjson, .parquet). */
export async function openTableWriter(path: string, schema: TableSchema, options: TableWriterOptions = {}): Promise<TableWriter> {
  const format = formatFromPath(path);
  const columns = outputColumns(schema);
  if (columns.length === 0) throw new TableWriteError(path, `nothing to write to ${path}: every column of the schema is dropped; keep at least one column.`);
  if (format === "parquet") {
    await checkDirectoryWritable(path);
    return new ParquetWriterFacade(path, columns, await ParquetTableWriter.open(path, columns, options.parquetPartRows));
  }
  const tempPath = tempPathFor(path);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, "wx");
  } catch (error) {
    throw new TableWriteError(path, `cannot create ${path} (${firstLine(error)}); check the directory exists and is writable.`, { cause: error });
  }
  const layout =
    format === "tsv"
      ? delimitedLayout("\t", columns)
      : format === "json" || format === "ndjson"
        ? jsonLayout(columns, format === "json")
        : delimitedLayout(",", columns);
  const writer = new FileTableWriter(path, tempPath, handle, columns, layout);
  try {
    await writer.start();
  } catch (error) {
    await writer.abort();
    throw new TableWriteError(path, `cannot write ${path} (${firstLine(error)}); check the disk space and permissions.`, { cause: error });
  }
  return writer;
}

/**
 * The bytes `writeTable` would write for `table` in a text format (.csv, .tsv, .json, .ndjson,
 * from `path`'s extension), built in memory: for small results that are sent on rather than
 * kept (a node's 100-row task). Parquet has no in-memory form here: write it to a file.
 */
export function encodeTable(path: string, table: Table, schema: TableSchema): Buffer {
  const format = formatFromPath(path);
  if (format === "parquet") throw new TableWriteError(path, `${path}: Parquet is written to files only; use writeTable or openTableWriter.`);
  const columns = outputColumns(schema);
  if (columns.length === 0) throw new TableWriteError(path, `nothing to write to ${path}: every column of the schema is dropped; keep at least one column.`);
  const layout =
    format === "tsv"
      ? delimitedLayout("\t", columns)
      : format === "json" || format === "ndjson"
        ? jsonLayout(columns, format === "json")
        : delimitedLayout(",", columns);
  const matched = matchColumns(path, columns, table);
  const parts: Buffer[] = [Buffer.from(layout.prefix)];
  for (let start = 0; start < table.rowCount; start += SLICE_ROWS) {
    const data = layout.serialize(matched, start, Math.min(table.rowCount, start + SLICE_ROWS), start === 0);
    parts.push(typeof data === "string" ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  parts.push(Buffer.from(layout.suffix));
  return Buffer.concat(parts);
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
