/**
 * Room on disk for an output before it is written: `--rows 1e12` would otherwise write until the
 * disk is full. The size is estimated from a few sampled rows encoded in the output's format; a
 * Parquet output needs room for its part files and the merged file at once (parquet-writer.ts).
 * The free space is the file system's `bavail × bsize` (what an unprivileged writer may use).
 */
import { rm, stat, statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { releaseTempPath, tempPathFor } from "./atomic-file.js";
import { TableWriteError } from "./errors.js";
import { formatFromPath } from "./read-table.js";
import type { TableSchema } from "./schema.js";
import type { Table } from "./table.js";
import { encodeTable, writeTable } from "./table-writer.js";

/** Head-room over the estimate: sampled rows are a sample, later rows may format a little longer. */
const ESTIMATE_MARGIN = 1.1;
/** Parquet holds its parts and the merged copy at commit: twice the file at the peak. */
const PARQUET_PEAK_FACTOR = 2;

export interface OutputSizeEstimate {
  bytes: number;
  bytesPerRow: number;
  /** Rows the estimate was measured on. */
  probeRows: number;
}

/** Size of `rows` rows as a text table (CSV for Parquet targets), from `probe` rows sampled the same way. */
function textEstimate(path: string, schema: TableSchema, probe: Table, rows: number): OutputSizeEstimate {
  const textPath = formatFromPath(path) === "parquet" ? `${path}.csv` : path;
  const empty = encodeTable(textPath, { ...probe, rowCount: 0 }, schema).length;
  const full = encodeTable(textPath, probe, schema).length;
  const bytesPerRow = probe.rowCount === 0 ? 0 : (full - empty) / probe.rowCount;
  return { bytes: empty + rows * bytesPerRow * ESTIMATE_MARGIN, bytesPerRow, probeRows: probe.rowCount };
}

/** Size of `rows` rows as Parquet, measured by writing the probe (and an empty file) next to the target. */
async function parquetEstimate(path: string, schema: TableSchema, probe: Table, rows: number): Promise<OutputSizeEstimate> {
  const sizeOf = async (table: Table) => {
    const probePath = tempPathFor(path, ".probe.parquet");
    try {
      await writeTable(probePath, table, schema);
      return (await stat(probePath)).size;
    } finally {
      await rm(probePath, { force: true });
      releaseTempPath(probePath);
    }
  };
  const empty = await sizeOf({ ...probe, rowCount: 0 });
  const full = await sizeOf(probe);
  // Few rows compress worse than many, so this per-row size is on the high side.
  const bytesPerRow = probe.rowCount === 0 ? 0 : Math.max(0, full - empty) / probe.rowCount;
  return { bytes: (empty + rows * bytesPerRow * ESTIMATE_MARGIN) * PARQUET_PEAK_FACTOR, bytesPerRow, probeRows: probe.rowCount };
}

/** Bytes an unprivileged process may still write in the folder that will hold `path`. */
export async function freeBytesFor(path: string): Promise<number> {
  const info = await statfs(dirname(resolve(path)));
  return info.bavail * info.bsize;
}

/** "31.2 TB", "812 MB": decimal units, as disk sizes are sold and `df -H` prints them. */
export function byteSizeText(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/**
 * Throws a TableWriteError with the figures when `rows` rows would not fit in the free space of
 * the target's folder. `probe`: a few rows sampled like the output's. `freeBytes` is for tests;
 * by default the file system is asked. Parquet is first bounded by its CSV size (cheap); only
 * when that does not fit is a Parquet probe written and measured.
 */
export async function checkRoomForOutput(path: string, schema: TableSchema, probe: Table, rows: number, freeBytes?: number): Promise<void> {
  let free = freeBytes;
  if (free === undefined) {
    try {
      free = await freeBytesFor(path);
    } catch {
      // No statfs for this folder (a missing folder is reported by the writer): nothing to compare.
      return;
    }
  }
  const parquet = formatFromPath(path) === "parquet";
  let estimate = textEstimate(path, schema, probe, rows);
  if (parquet) estimate = { ...estimate, bytes: estimate.bytes * PARQUET_PEAK_FACTOR };
  if (estimate.bytes <= free) return;
  if (parquet) {
    estimate = await parquetEstimate(path, schema, probe, rows);
    if (estimate.bytes <= free) return;
  }
  throw new TableWriteError(
    path,
    `${rows.toLocaleString("en-US")} rows would need about ${byteSizeText(estimate.bytes)} for ${path} ` +
      `(${Math.max(1, Math.round(estimate.bytesPerRow))} bytes a row, measured on ${estimate.probeRows.toLocaleString("en-US")} sampled rows` +
      `${parquet ? ", with room for Parquet's part files and merged copy" : ""}), but only ${byteSizeText(free)} is free there; ` +
      "sample fewer rows (--rows) or write to a disk with more room.",
  );
}
