/**
 * The Parquet writer: chunks go into a DuckDB table through its appender as whole column
 * vectors (numbers and category codes are memcpy'd; no text per number), and DuckDB encodes
 * Parquet with `COPY … (FORMAT parquet)`. To keep memory O(part), every `partRows` rows the table
 * is written out as a part file and emptied; at commit a single part is renamed into place and
 * several are merged by one streaming `COPY` over `read_parquet([parts])`, which keeps row order.
 * Columns are typed: BIGINT/DOUBLE (rounded to the column's decimals), DATE/TIMESTAMP, BOOLEAN,
 * VARCHAR (categories by label). The schema travels in the file's key-value metadata.
 */
import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import { DOUBLE, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, INTEGER, VARCHAR } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import { releaseTempPath, tempPathFor } from "./atomic-file.js";
import { formatHasTime } from "./datetime-format.js";
import { duckdbWriterConnection, sqlIdentifier, sqlString } from "./duckdb-session.js";
import { TableWriteError, firstLine, isDiskFull } from "./errors.js";
import { type ColumnSchema, SCHEMA_FORMAT_VERSION } from "./schema.js";
import { EMBEDDED_SCHEMA_KEY } from "./schema-file.js";
import type { Column } from "./table.js";

/** Memory the staging table may hold before it is written out as a part. */
const PART_BYTES = 128 * 2 ** 20;
const VECTOR_ROWS = 2048;

type Storage = "double" | "int32" | "text";

function storageOf(schema: ColumnSchema): Storage {
  switch (schema.type) {
    case "numerical":
    case "datetime":
      return "double";
    case "categorical":
    case "boolean":
      return "int32";
    default:
      return "text";
  }
}

const DUCKDB_TYPES: Record<Storage, DuckDBType> = { double: DOUBLE, int32: INTEGER, text: VARCHAR };

/** Global label codes of one categorical column, across all chunks. */
class LabelDictionary {
  readonly codes = new Map<string, number>();
  pending: string[] = [];
  /** Chunk code → global code for a chunk's categories, adding new labels. */
  remap(categories: readonly string[]): Int32Array {
    return Int32Array.from(categories, (label) => {
      let code = this.codes.get(label);
      if (code === undefined) {
        code = this.codes.size;
        this.codes.set(label, code);
        this.pending.push(label);
      }
      return code;
    });
  }
}

/** DuckDB's validity words (uint64, little-endian) with every row valid. */
function allValid(count: number): Uint8Array {
  return new Uint8Array(Math.ceil(count / 64) * 8).fill(0xff);
}

function clearBit(mask: Uint8Array, row: number): void {
  mask[row >> 3]! &= ~(1 << (row & 7));
}

export class ParquetTableWriter {
  rowsWritten = 0;
  private readonly path: string;
  private readonly columns: ColumnSchema[];
  private readonly connection: DuckDBConnection;
  private readonly table: string;
  private readonly storage: Storage[];
  private readonly dictionaries: (LabelDictionary | undefined)[];
  private readonly partRows: number;
  private appender: Awaited<ReturnType<DuckDBConnection["createAppender"]>> | undefined;
  private rowsInPart = 0;
  private readonly parts: string[] = [];
  private done = false;

  private constructor(path: string, columns: ColumnSchema[], connection: DuckDBConnection, table: string, partRows: number | undefined) {
    this.path = path;
    this.columns = columns;
    this.connection = connection;
    this.table = table;
    this.storage = columns.map(storageOf);
    this.dictionaries = columns.map((c) => (c.type === "categorical" ? new LabelDictionary() : undefined));
    const rowBytes = this.storage.reduce((sum, s) => sum + (s === "double" ? 8 : s === "int32" ? 4 : 48), 16);
    this.partRows = partRows ?? Math.max(16 * VECTOR_ROWS, Math.floor(PART_BYTES / rowBytes));
  }

  /** `partRows`: rows staged before a part is written (default: what fits in PART_BYTES). */
  static async open(path: string, columns: ColumnSchema[], partRows?: number): Promise<ParquetTableWriter> {
    const connection = await duckdbWriterConnection();
    const table = `datalab_write_${randomBytes(6).toString("hex")}`;
    const writer = new ParquetTableWriter(path, columns, connection, table, partRows);
    try {
      await writer.createStagingTable();
    } catch (error) {
      await writer.abort();
      throw new TableWriteError(path, `cannot stage Parquet rows for ${path} (${firstLine(error)}); check the schema.`, { cause: error });
    }
    return writer;
  }

  private async createStagingTable(): Promise<void> {
    const definitions = this.storage.map((s, j) => `c${j} ${s === "double" ? "DOUBLE" : s === "int32" ? "INTEGER" : "VARCHAR"}`);
    await this.connection.run(`CREATE OR REPLACE TABLE ${sqlIdentifier(this.table)} (${definitions.join(", ")})`);
    for (const [j, dictionary] of this.dictionaries.entries()) {
      if (dictionary !== undefined)
        await this.connection.run(`CREATE TABLE IF NOT EXISTS ${sqlIdentifier(`${this.table}_d${j}`)} (code INTEGER, label VARCHAR)`);
    }
    this.appender = await this.connection.createAppender(this.table);
  }

  /** Appends rows [0, chunk.rowCount) of the matched columns, vector by vector. */
  async write(columns: Column[], rowCount: number): Promise<void> {
    if (this.done || this.appender === undefined)
      throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    const remaps = columns.map((column, j) =>
      this.dictionaries[j] !== undefined && "categories" in column ? this.dictionaries[j]!.remap(column.categories) : undefined,
    );
    const types = this.storage.map((s) => DUCKDB_TYPES[s]);
    for (let start = 0; start < rowCount; start += VECTOR_ROWS) {
      const count = Math.min(VECTOR_ROWS, rowCount - start);
      const chunk = DuckDBDataChunk.create(types, count);
      for (let j = 0; j < columns.length; j++) this.fillVector(duckdb.data_chunk_get_vector(chunk.chunk, j), columns[j]!, remaps[j], start, count);
      // flushPart() below replaces the appender, so look it up for every vector.
      this.appender!.appendDataChunk(chunk);
      this.rowsInPart += count;
      this.rowsWritten += count;
      if (this.rowsInPart >= this.partRows) await this.flushPart(true);
    }
  }

  /** Copies rows [start, start + count) of `column` into `vector`; missing rows become NULL. */
  private fillVector(
    vector: ReturnType<typeof duckdb.data_chunk_get_vector>,
    column: Column,
    remap: Int32Array | undefined,
    start: number,
    count: number,
  ): void {
    // Plain loops, no callbacks: this runs for every cell of the output.
    let mask: Uint8Array | undefined;
    if ("codes" in column) {
      const codes = column.codes.subarray(start, start + count);
      const out = remap === undefined ? codes : new Int32Array(count);
      for (let row = 0; row < count; row++) {
        const code = codes[row]!;
        if (code < 0) clearBit((mask ??= allValid(count)), row);
        else if (remap !== undefined) out[row] = remap[code]!;
      }
      duckdb.copy_data_to_vector(vector, 0, out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
    } else if (column.values instanceof Float64Array) {
      const values = column.values.subarray(start, start + count);
      for (let row = 0; row < count; row++) {
        const v = values[row]!;
        if (!Number.isFinite(v)) clearBit((mask ??= allValid(count)), row);
      }
      duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
    } else {
      const values = column.values;
      for (let row = 0; row < count; row++) {
        const text = values[start + row];
        if (text === null || text === undefined) clearBit((mask ??= allValid(count)), row);
        else duckdb.vector_assign_string_element(vector, row, text);
      }
    }
    if (mask !== undefined) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, mask.byteOffset, mask.byteLength);
    }
  }

  /** SQL that turns staged column j into its Parquet column. */
  private outputExpression(j: number): string {
    const schema = this.columns[j]!;
    const column = `c${j}`;
    switch (schema.type) {
      case "numerical":
        return schema.subtype === "integer" ? `CAST(round(${column}) AS BIGINT)` : `round(${column}, ${schema.decimals})`;
      case "datetime":
        return formatHasTime(schema.format) ? `epoch_ms(CAST(${column} AS BIGINT))` : `CAST(epoch_ms(CAST(${column} AS BIGINT)) AS DATE)`;
      case "categorical":
        // Labels by code: one list per column, looked up per row.
        return `list_extract((SELECT list(label ORDER BY code) FROM ${sqlIdentifier(`${this.table}_d${j}`)}), ${column} + 1)`;
      case "boolean":
        return `(${column} = 1)`;
      default:
        return column;
    }
  }

  private metadataClause(): string {
    const embedded = JSON.stringify({ version: SCHEMA_FORMAT_VERSION, columns: this.columns });
    return `KV_METADATA {${sqlString(EMBEDDED_SCHEMA_KEY)}: ${sqlString(embedded)}}`;
  }

  /** Writes the staged rows as one part file; `reopen` starts a new, empty staging table. */
  private async flushPart(reopen: boolean): Promise<void> {
    this.appender?.flushSync();
    this.appender?.closeSync();
    this.appender = undefined;
    for (const [j, dictionary] of this.dictionaries.entries()) {
      if (dictionary === undefined || dictionary.pending.length === 0) continue;
      const labels = await this.connection.createAppender(`${this.table}_d${j}`);
      const first = dictionary.codes.size - dictionary.pending.length;
      dictionary.pending.forEach((label, k) => {
        labels.appendInteger(first + k);
        labels.appendVarchar(label);
        labels.endRow();
      });
      labels.flushSync();
      labels.closeSync();
      dictionary.pending = [];
    }
    const part = tempPathFor(this.path);
    this.parts.push(part);
    const select = this.columns.map((c, j) => `${this.outputExpression(j)} AS ${sqlIdentifier(c.name)}`).join(", ");
    await this.connection.run(
      `COPY (SELECT ${select} FROM ${sqlIdentifier(this.table)}) TO ${sqlString(part)} (FORMAT parquet, COMPRESSION zstd, ${this.metadataClause()})`,
    );
    this.rowsInPart = 0;
    if (reopen) await this.createStagingTable();
  }

  async commit(): Promise<void> {
    if (this.done || this.appender === undefined)
      throw new TableWriteError(this.path, `writer for ${this.path} is already committed or aborted; open a new one.`);
    try {
      if (this.rowsInPart > 0 || this.parts.length === 0) await this.flushPart(false);
      if (this.parts.length === 1) await rename(this.parts[0]!, this.path);
      else {
        const merged = tempPathFor(this.path);
        this.parts.push(merged);
        const list = `[${this.parts.slice(0, -1).map(sqlString).join(", ")}]`;
        await this.connection.run(
          `COPY (SELECT * FROM read_parquet(${list})) TO ${sqlString(merged)} (FORMAT parquet, COMPRESSION zstd, ${this.metadataClause()})`,
        );
        await rename(merged, this.path);
      }
    } catch (error) {
      await this.abort();
      if (isDiskFull(error)) {
        throw new TableWriteError(
          this.path,
          `the disk is full (ENOSPC) while finishing ${this.path} (${this.rowsWritten.toLocaleString("en-US")} rows); the partial files were removed. ` +
            "Free some space (Parquet needs room for its parts and the merged file at once), sample fewer rows, or write to another disk.",
          { cause: error },
        );
      }
      throw new TableWriteError(this.path, `cannot write Parquet ${this.path} (${firstLine(error)}); check the directory, the disk space and the schema.`, {
        cause: error,
      });
    }
    await this.cleanUp();
  }

  async abort(): Promise<void> {
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      this.appender?.closeSync();
    } catch {
      // An appender that failed mid-chunk may refuse to close; the table is dropped anyway.
    }
    this.appender = undefined;
    for (const part of this.parts) {
      await rm(part, { force: true });
      releaseTempPath(part);
    }
    await this.connection.run(`DROP TABLE IF EXISTS ${sqlIdentifier(this.table)}`).catch(() => undefined);
    for (const [j, dictionary] of this.dictionaries.entries()) {
      if (dictionary !== undefined) await this.connection.run(`DROP TABLE IF EXISTS ${sqlIdentifier(`${this.table}_d${j}`)}`).catch(() => undefined);
    }
    this.connection.closeSync();
  }
}
