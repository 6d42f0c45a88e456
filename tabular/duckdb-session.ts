/**
 * One in-memory DuckDB instance per process, created on first use, shared by the readers and
 * writers. Each operation takes its own connection so that concurrent reads do not interleave.
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

let instance: Promise<DuckDBInstance> | undefined;

export async function duckdbConnection(): Promise<DuckDBConnection> {
  instance ??= DuckDBInstance.create(":memory:");
  return (await instance).connect();
}

/** A SQL string literal (single quotes doubled), for places where a bound parameter is not allowed. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier (double quotes doubled). */
export function sqlIdentifier(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
