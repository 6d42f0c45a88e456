/**
 * Table I/O speed and memory on this machine, every number next to its target:
 *  - writing 1M rows × 15 columns (Adult's 6 integer + 9 categorical columns, tiled) through
 *    openTableWriter in 64k-row chunks: CSV and Parquet (target ≥ 300k rows/s each, CSV faster);
 *  - writing 10M rows × 15 columns to Parquet: peak RSS (target < 1 GiB: memory is O(chunk));
 *  - reading + inferring + typing 1M rows × 5 columns of flights-3m as CSV and as Parquet
 *    (target < 5 s each: "seconds, not minutes").
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Column, duckdbConnection, loadTable, openTableWriter, sqlString, type Table, type TableSchema } from "../../tabular/index.js";

export const name = "tabular-io";

const CHUNK_ROWS = 65_536;
const MiB = 2 ** 20;

/** Rows [start, start + count) of `table`, wrapping around, as a new chunk. */
function tiledChunk(table: Table, start: number, count: number): Table {
  const index = Int32Array.from({ length: count }, (_, i) => (start + i) % table.rowCount);
  const columns = table.columns.map((column): Column => {
    if ("codes" in column) return { ...column, codes: Int32Array.from(index, (r) => column.codes[r]!) };
    if (column.values instanceof Float64Array) {
      const values = column.values;
      return { ...column, values: Float64Array.from(index, (r) => values[r]!) } as Column;
    }
    const values = column.values as (string | null)[];
    return { ...column, values: Array.from(index, (r) => values[r] ?? null) } as Column;
  });
  return { rowCount: count, columns };
}

/** Peak RSS while `work` runs, sampled every 20 ms (DuckDB works on its own threads). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssBytes: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssBytes: peak };
  } finally {
    clearInterval(timer);
  }
}

async function writeRows(path: string, source: Table, schema: TableSchema, rows: number): Promise<{ seconds: number; commitSeconds: number; bytes: number }> {
  // Chunks are built before the clock starts: only the writer is timed.
  const chunks = [tiledChunk(source, 0, CHUNK_ROWS), tiledChunk(source, CHUNK_ROWS, CHUNK_ROWS)];
  const started = performance.now();
  const writer = await openTableWriter(path, schema);
  for (let written = 0, k = 0; written < rows; written += CHUNK_ROWS, k++) {
    const chunk = chunks[k % 2]!;
    await writer.write(rows - written >= CHUNK_ROWS ? chunk : tiledChunk(chunk, 0, rows - written));
  }
  const beforeCommit = performance.now();
  await writer.commit();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, commitSeconds: (performance.now() - beforeCommit) / 1000, bytes: (await stat(path)).size };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "datalab-bench-io-"));
  try {
    const adult = await loadTable("fixtures/adult/adult.csv");
    const results: Record<string, unknown> = {};

    const writeRowCount = 1_000_000;
    for (const format of ["csv", "parquet"] as const) {
      const written = await writeRows(join(dir, `write.${format}`), adult.table, adult.schema, writeRowCount);
      const rowsPerSecond = Math.round(writeRowCount / written.seconds);
      results[`write_${format}_1m_x15`] = {
        rows: writeRowCount,
        seconds: written.seconds,
        commitSeconds: written.commitSeconds,
        fileBytes: written.bytes,
        rowsPerSecond,
        targetRowsPerSecond: 300_000,
        pass: rowsPerSecond >= 300_000,
      };
      await rm(join(dir, `write.${format}`));
    }
    const csvRate = (results["write_csv_1m_x15"] as { rowsPerSecond: number }).rowsPerSecond;
    const parquetRate = (results["write_parquet_1m_x15"] as { rowsPerSecond: number }).rowsPerSecond;
    results["csv_faster_than_parquet"] = csvRate > parquetRate;

    const bigRows = 10_000_000;
    const big = await withPeakRss(() => writeRows(join(dir, "big.parquet"), adult.table, adult.schema, bigRows));
    results["write_parquet_10m_x15"] = {
      rows: bigRows,
      seconds: big.result.seconds,
      commitSeconds: big.result.commitSeconds,
      fileBytes: big.result.bytes,
      rowsPerSecond: Math.round(bigRows / big.result.seconds),
      peakRssMiB: Math.round(big.peakRssBytes / MiB),
      targetPeakRssMiB: 1024,
      pass: big.peakRssBytes < 1024 * MiB,
    };
    await rm(join(dir, "big.parquet"));

    // 1M rows × 5 columns from flights-3m, as the copula benchmark builds them.
    const connection = await duckdbConnection();
    const flights = "node_modules/vega-datasets/data/flights-3m.parquet";
    const csvPath = join(dir, "flights-1m.csv");
    const parquetPath = join(dir, "flights-1m.parquet");
    await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(flights)}) LIMIT 1000000) TO ${sqlString(csvPath)} (HEADER)`);
    await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(flights)}) LIMIT 1000000) TO ${sqlString(parquetPath)} (FORMAT parquet)`);
    connection.closeSync();
    for (const [format, path] of [
      ["csv", csvPath],
      ["parquet", parquetPath],
    ] as const) {
      const started = performance.now();
      const { table } = await loadTable(path);
      const seconds = (performance.now() - started) / 1000;
      results[`read_${format}_1m_x5`] = {
        rows: table.rowCount,
        seconds,
        rowsPerSecond: Math.round(table.rowCount / seconds),
        targetSeconds: 5,
        pass: seconds < 5,
      };
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
