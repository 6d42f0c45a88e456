/**
 * Reads every column of a DuckDB table source into typed arrays without one JS value per cell:
 * the source is materialised once as a temp table; numbers/datetimes/booleans come out as
 * DOUBLE vectors, text is dictionary-encoded in DuckDB (an ENUM of its distinct values) so only
 * the distinct strings and INTEGER codes cross into JS; text with very many distinct values
 * (keys, free text) is read as plain strings instead. See benchmarks/perf/tabular-io.bench.ts.
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

export type SourceValues =
  | { kind: "double"; values: Float64Array }
  | { kind: "text"; dictionary: string[]; codes: Int32Array }
  | { kind: "strings"; values: (string | null)[] };

/**
 * Above this many distinct values (estimated) a text column is read as plain strings: building
 * an ENUM of a million keys costs DuckDB ~10 s, while reading a million strings costs ~0.7 s.
 */
const DICTIONARY_MAX_DISTINCT = 50_000;

/** Reads `SELECT <expressions> FROM <source>` column-wise (see the file comment). */
export async function readSourceColumns(
  connection: DuckDBConnection,
  source: string,
  columns: readonly SourceColumn[],
): Promise<{ rowCount: number; columns: SourceValues[] }> {
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
    const textColumns = [...columns.keys()].filter((j) => columns[j]!.kind === "text");
    const distinct = new Map<number, number>();
    if (textColumns.length > 0) {
      const estimate = await connection.runAndReadAll(`SELECT ${textColumns.map((j) => `approx_count_distinct(${alias(j)})`).join(", ")} FROM ${table}`);
      const counts = estimate.getColumns();
      for (const [k, j] of textColumns.entries()) distinct.set(j, Number(counts[k]?.[0] ?? 0));
    }
    const encoded = (j: number) => columns[j]!.kind === "text" && distinct.get(j)! <= DICTIONARY_MAX_DISTINCT;
    const dictionaries = new Map<number, string[]>();
    for (const j of textColumns) {
      if (!encoded(j)) continue;
      await connection.run(`CREATE TYPE ${enumName(j)} AS ENUM (SELECT DISTINCT ${alias(j)} FROM ${table} WHERE ${alias(j)} IS NOT NULL)`);
      createdTypes.push(j);
      const labels = await connection.runAndReadAll(`SELECT unnest(enum_range(NULL::${enumName(j)}))`);
      dictionaries.set(
        j,
        (labels.getColumns()[0] ?? []).map((v) => String(v)),
      );
    }
    const numeric = [...columns.keys()].filter((j) => columns[j]!.kind === "double" || encoded(j));
    const outputs = numeric.map((j) => (encoded(j) ? `CAST(enum_code(CAST(${alias(j)} AS ${enumName(j)})) AS INTEGER)` : alias(j)));
    const kinds: VectorKind[] = numeric.map((j) => (encoded(j) ? "int32" : "double"));
    const arrays = numeric.length === 0 ? [] : await readNumericColumns(connection, `SELECT ${outputs.join(", ")} FROM ${table}`, kinds, rowCount);
    const plain = textColumns.filter((j) => !encoded(j));
    const strings = plain.length === 0 ? [] : (await connection.runAndReadAll(`SELECT ${plain.map(alias).join(", ")} FROM ${table}`)).getColumns();
    const values: SourceValues[] = columns.map((_, j) => {
      if (!encoded(j) && distinct.has(j)) {
        const column = strings[plain.indexOf(j)] ?? [];
        return { kind: "strings", values: column.map((v) => (typeof v === "string" ? v : null)) };
      }
      const array = arrays[numeric.indexOf(j)]!;
      return encoded(j) ? { kind: "text", dictionary: dictionaries.get(j)!, codes: array as Int32Array } : { kind: "double", values: array as Float64Array };
    });
    return { rowCount, columns: values };
  } finally {
    if (createdTable) await connection.run(`DROP TABLE IF EXISTS ${table}`);
    for (const j of createdTypes) await connection.run(`DROP TYPE IF EXISTS ${enumName(j)}`);
  }
}

/** A raw text column from text read either way; values that `isMissing` become null. */
export function textColumn(name: string, read: SourceValues, isMissing: (text: string) => boolean): RawTextColumn {
  if (read.kind === "double") throw new Error(`internal: column ${name} was read as numbers, not text`);
  if (read.kind === "strings") return { name, kind: "text", values: read.values.map((v) => (v === null || isMissing(v) ? null : v)) };
  return dictionaryTextColumn(name, read.dictionary, read.codes, isMissing);
}

/**
 * A raw text column from a dictionary-encoded one: dictionary entries that `isMissing` become
 * null, and the per-row values are filled in (shared strings, so this is cheap).
 */
function dictionaryTextColumn(name: string, dictionary: readonly string[], codes: Int32Array, isMissing: (text: string) => boolean): RawTextColumn {
  const labels = dictionary.map((text) => (isMissing(text) ? null : text));
  const values = new Array<string | null>(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    values[i] = code < 0 ? null : labels[code]!;
  }
  return { name, kind: "text", values, dictionary: labels, codes };
}
