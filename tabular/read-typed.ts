/**
 * Parquet and JSON/NDJSON through DuckDB. These formats carry types, so numbers stay numbers,
 * booleans booleans, and DATE/TIMESTAMP columns become datetimes (epoch ms UTC) with an ISO
 * format kept for output. Anything else (strings, decimals read as text, nested values) is read
 * as text and left to inference.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbConnection, sqlIdentifier, sqlString } from "./duckdb-session.js";
import { SchemaError, TableReadError, firstLine } from "./errors.js";
import type { RawColumn, RawTable } from "./raw-table.js";
import { readSourceColumns, type SourceColumn, type SourceValues, textColumn } from "./read-columns.js";
import { isNullText } from "./read-csv.js";
import type { TableSchema } from "./schema.js";
import { EMBEDDED_SCHEMA_KEY, validateSchema } from "./schema-file.js";

const INTEGER_TYPES = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"]);
const FLOAT_TYPES = new Set(["FLOAT", "DOUBLE", "REAL"]);

type ColumnPlan =
  | { kind: "number"; integer: boolean }
  | { kind: "boolean" }
  | { kind: "datetime"; format: string; zoned: boolean }
  | { kind: "text" }
  | { kind: "json" };

function planFor(typeName: string): ColumnPlan {
  const upper = typeName.toUpperCase();
  if (INTEGER_TYPES.has(upper)) return { kind: "number", integer: true };
  if (FLOAT_TYPES.has(upper)) return { kind: "number", integer: false };
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal !== null) return { kind: "number", integer: decimal[2] === "0" };
  if (upper === "BOOLEAN") return { kind: "boolean" };
  if (upper === "DATE") return { kind: "datetime", format: "%Y-%m-%d", zoned: false };
  if (upper.startsWith("TIMESTAMP")) return { kind: "datetime", format: "%Y-%m-%dT%H:%M:%S", zoned: upper.includes("TIME ZONE") || upper === "TIMESTAMPTZ" };
  // A JSON field with values of several types: read each as its text (a string without quotes).
  if (upper === "JSON") return { kind: "json" };
  return { kind: "text" };
}

function sourceColumn(name: string, plan: ColumnPlan): SourceColumn {
  const column = sqlIdentifier(name);
  switch (plan.kind) {
    case "number":
      return { expression: `CAST(${column} AS DOUBLE)`, kind: "double" };
    case "boolean":
      return { expression: `CAST(CAST(${column} AS BOOLEAN) AS DOUBLE)`, kind: "double" };
    case "datetime":
      // epoch_ms is whole milliseconds since 1970-01-01 UTC. A zoned timestamp is taken as it is
      // (casting it to TIMESTAMP would shift it by the machine's time zone).
      return { expression: `CAST(epoch_ms(${plan.zoned ? column : `CAST(${column} AS TIMESTAMP)`}) AS DOUBLE)`, kind: "double" };
    case "text":
      return { expression: `CAST(${column} AS VARCHAR)`, kind: "text" };
    case "json":
      return { expression: `(${column} ->> '$')`, kind: "text" };
  }
}

/** Reads a Parquet, JSON (array of objects) or NDJSON file with its types. */
export async function readTypedFile(path: string, format: "parquet" | "json" | "ndjson"): Promise<RawTable> {
  const quoted = sqlString(path);
  const source =
    format === "parquet"
      ? `read_parquet(${quoted})`
      : format === "json"
        ? `read_json(${quoted}, format='auto')`
        : `read_json(${quoted}, format='newline_delimited')`;
  const connection = await duckdbConnection();
  try {
    let probe: Awaited<ReturnType<typeof connection.runAndReadAll>>;
    try {
      probe = await connection.runAndReadAll(`SELECT * FROM ${source} LIMIT 0`);
    } catch (error) {
      throw new TableReadError(path, typedReadMessage(path, format, error), { cause: error });
    }
    const names = probe.columnNames();
    const plans = probe.columnTypes().map((type) => planFor(type.alias ?? type.toString()));
    if (names.length === 0) throw new TableReadError(path, `${path}: has no columns; give a table with at least one column.`);
    const read = await readSourceColumns(
      connection,
      source,
      names.map((name, i) => sourceColumn(name, plans[i]!)),
    );
    const columns: RawColumn[] = names.map((name, i) => toRawColumn(name, plans[i]!, read.columns[i]!));
    const table: RawTable = { path, format, rowCount: read.rowCount, columns, warnings: [] };
    if (format === "parquet") {
      const embedded = await readEmbeddedSchema(connection, quoted, path);
      if (embedded instanceof SchemaError)
        table.warnings.push(`${path} carries a datalab schema that is not valid (${embedded.message}); its columns are inferred instead.`);
      else if (embedded !== undefined) table.embeddedSchema = embedded;
    }
    return table;
  } catch (error) {
    if (error instanceof TableReadError) throw error;
    throw new TableReadError(path, typedReadMessage(path, format, error), { cause: error });
  } finally {
    connection.closeSync();
  }
}

function toRawColumn(name: string, plan: ColumnPlan, read: SourceValues): RawColumn {
  if (read.kind !== "double") return textColumn(name, read, isNullText);
  switch (plan.kind) {
    case "number":
      return { name, kind: "number", values: read.values, integer: plan.integer };
    case "datetime":
      return { name, kind: "datetime", values: read.values, format: plan.format };
    default:
      return { name, kind: "boolean", values: Array.from(read.values, (v) => (Number.isNaN(v) ? null : v === 1)) };
  }
}

/** The `datalab.schema` key-value metadata of a Parquet file, validated; undefined when absent. */
async function readEmbeddedSchema(connection: DuckDBConnection, quotedPath: string, path: string): Promise<TableSchema | SchemaError | undefined> {
  const rows = await connection.runAndReadAll(
    `SELECT decode(value) FROM parquet_kv_metadata(${quotedPath}) WHERE decode(key) = ${sqlString(EMBEDDED_SCHEMA_KEY)}`,
  );
  const text = rows.getColumns()[0]?.[0];
  if (typeof text !== "string") return undefined;
  try {
    return validateSchema(JSON.parse(text), `${path} (embedded schema)`);
  } catch (error) {
    return error instanceof SchemaError ? error : new SchemaError(firstLine(error), { cause: error });
  }
}

function typedReadMessage(path: string, format: string, error: unknown): string {
  const what =
    format === "parquet" ? "a Parquet file" : format === "json" ? "JSON objects (an array of them, or one per line)" : "newline-delimited JSON objects";
  return `${path}: cannot read as ${what} (${firstLine(error)}); check the file and its extension.`;
}
