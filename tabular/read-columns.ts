/**
 * Reads every column of a DuckDB table source into typed arrays without one JS value per cell:
 * the source is materialised once as a temp table; numbers/datetimes/booleans come out as
 * DOUBLE vectors, text is dictionary-encoded in DuckDB (an ENUM of its distinct values) so only
 * the distinct strings and INTEGER codes cross into JS. 1M rows × 5 columns of CSV read in
 * about a second this way (benchmarks/perf/tabular-io.bench.ts).
 */
import { randomBytes } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { readNumericColumns, type VectorKind } from "./duckdb-columns.js";
import { sqlIdentifier } from "./duckdb-session.js";
import type { RawTextColumn } from "./raw-table.js";

export interface SourceColumn {
  /** SQL over the source producing DOUBLE (kind "double") or VARCHAR (kind "text"). */
  expression: string;
  kind: "double" | "text";
}

export type SourceValues = { kind: "double"; values: Float64Array } | { kind: "text"; dictionary: string[]; codes: Int32Array };

/** Reads `SELECT <expressions> FROM <source>` column-wise (see the file comment). */
export async function readSourceColumns(connection: DuckDBConnection, source: string, columns: readonly SourceColumn[]): Promise<{ rowCount: number; columns: SourceValues[] }> {
  const tag = `datalab_read_${randomBytes(6).toString("hex")}`;
  const table = sqlIdentifier(tag);
  const alias = (j: number) => sqlIdentifier(`c${j}`);
  const enumName = (j: number) => sqlIdentifier(`${tag}_e${j}`);
  const createdTypes: number[] = [];
  let createdTable = false;
  try {
    const select = columns.map((column, j) => `${column.expression} AS ${alias(j)}`).join(", ");
    await connection.run(`CREATE TEMP TABLE ${table} AS SELECT ${select} FROM ${source}`);
    createdTable = true;
    const counted = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
    const rowCount = Number(counted.getColumns()[0]?.[0] ?? 0);
    const dictionaries = new Map<number, string[]>();
    for (const [j, column] of columns.entries()) {
      if (column.kind !== "text") continue;
      await connection.run(`CREATE TYPE ${enumName(j)} AS ENUM (SELECT DISTINCT ${alias(j)} FROM ${table} WHERE ${alias(j)} IS NOT NULL)`);
      createdTypes.push(j);
      const labels = await connection.runAndReadAll(`SELECT unnest(enum_range(NULL::${enumName(j)}))`);
      dictionaries.set(j, (labels.getColumns()[0] ?? []).map((v) => String(v)));
    }
    const outputs = columns.map((column, j) => (column.kind === "text" ? `CAST(enum_code(CAST(${alias(j)} AS ${enumName(j)})) AS INTEGER)` : alias(j)));
    const kinds: VectorKind[] = columns.map((column) => (column.kind === "text" ? "int32" : "double"));
    const arrays = columns.length === 0 ? [] : await readNumericColumns(connection, `SELECT ${outputs.join(", ")} FROM ${table}`, kinds, rowCount);
    const values: SourceValues[] = columns.map((column, j) =>
      column.kind === "text" ? { kind: "text", dictionary: dictionaries.get(j)!, codes: arrays[j] as Int32Array } : { kind: "double", values: arrays[j] as Float64Array },
    );
    return { rowCount, columns: values };
  } finally {
    if (createdTable) await connection.run(`DROP TABLE IF EXISTS ${table}`);
    for (const j of createdTypes) await connection.run(`DROP TYPE IF EXISTS ${enumName(j)}`);
  }
}

/**
 * A raw text column from a dictionary-encoded one: dictionary entries that `isMissing` become
 * null, and the per-row values are filled in (shared strings, so this is cheap).
 */
export function textColumn(name: string, dictionary: readonly string[], codes: Int32Array, isMissing: (text: string) => boolean): RawTextColumn {
  const labels = dictionary.map((text) => (isMissing(text) ? null : text));
  const values = new Array<string | null>(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    values[i] = code < 0 ? null : labels[code]!;
  }
  return { name, kind: "text", values, dictionary: labels, codes };
}
