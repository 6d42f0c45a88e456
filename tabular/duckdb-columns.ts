/**
 * Reading query results column-wise straight out of DuckDB's vectors: each result chunk's
 * DOUBLE or INTEGER vector is copied into one Float64Array/Int32Array (missing → NaN / -1),
 * so no JS value is created per cell. `@duckdb/node-api`'s value readers cost about 1 µs a cell
 * (8 s for 1M × 5); this costs a memcpy. Text is never read this way: tables dictionary-encode
 * their text columns first (read-columns.ts), and only the distinct strings cross over.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";

export type VectorKind = "double" | "int32";

export type ColumnArray = Float64Array | Int32Array;

/**
 * Runs `sql` (every selected column DOUBLE or INTEGER, as `kinds` says) and returns its columns.
 * `rowCount` must be the number of rows the query returns (count it first: it is cheap).
 */
export async function readNumericColumns(
  connection: DuckDBConnection,
  sql: string,
  kinds: readonly VectorKind[],
  rowCount: number,
  params?: DuckDBValue[],
): Promise<ColumnArray[]> {
  const arrays: ColumnArray[] = kinds.map((kind) => (kind === "double" ? new Float64Array(rowCount) : new Int32Array(rowCount)));
  const result = await connection.stream(sql, params);
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null) break;
    const size = chunk.rowCount;
    if (size === 0) break;
    if (offset + size > rowCount) throw new Error(`query returned more than the ${rowCount} rows counted`);
    for (let column = 0; column < kinds.length; column++) {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
      const target = arrays[column]!;
      const bytes = duckdb.vector_get_data(vector, size * 8 * (kinds[column] === "double" ? 1 : 0.5));
      const source = kinds[column] === "double" ? new Float64Array(bytes.buffer, bytes.byteOffset, size) : new Int32Array(bytes.buffer, bytes.byteOffset, size);
      target.set(source, offset);
      const validity = duckdb.vector_get_validity(vector, Math.ceil(size / 64) * 8);
      if (validity !== null && validity !== undefined && validity.length > 0) {
        const missing = kinds[column] === "double" ? Number.NaN : -1;
        // Validity is a bit mask, bit i of the little-endian uint64 words (byte i>>3, bit i&7).
        for (let byte = 0; byte < Math.ceil(size / 8); byte++) {
          const bits = validity[byte]!;
          if (bits === 0xff) continue;
          for (let bit = 0; bit < 8; bit++) {
            const row = byte * 8 + bit;
            if (row < size && (bits & (1 << bit)) === 0) target[offset + row] = missing;
          }
        }
      }
    }
    offset += size;
  }
  if (offset !== rowCount) throw new Error(`query returned ${offset} rows, ${rowCount} were counted`);
  return arrays;
}
