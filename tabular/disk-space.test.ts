import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byteSizeText, checkRoomForOutput, freeBytesFor } from "./disk-space.js";
import { TableWriteError } from "./errors.js";
import { loadTable } from "./load-table.js";
import type { TableSchema } from "./schema.js";
import type { Table } from "./table.js";
import { writeTable } from "./table-writer.js";

const SEATTLE = new URL("../benchmarks/fixtures/sdmetrics/seattle-weather/real.csv", import.meta.url).pathname;
let dir: string;
let table: Table;
let schema: TableSchema;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-disk-space-"));
  ({ table, schema } = await loadTable(SEATTLE));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("room on disk before writing", () => {
  it("accepts what fits and refuses what does not, with the figures", async () => {
    const path = join(dir, "out.csv");
    await writeTable(path, table, schema);
    const bytesPerRow = (await stat(path)).size / table.rowCount;
    // The estimate is within the 10 % margin of the real size per row.
    await checkRoomForOutput(path, schema, table, 1e6, bytesPerRow * 1e6 * 1.15);
    const error = await checkRoomForOutput(path, schema, table, 1e6, bytesPerRow * 1e6 * 0.9).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableWriteError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^1,000,000 rows would need about \\d+ MB for .*out\\.csv \\(${Math.round(bytesPerRow)} bytes a row, measured on ${table.rowCount.toLocaleString("en-US")} sampled rows\\), but only \\d+ MB is free there; sample fewer rows`,
      ),
    );
  });
  it("a trillion rows do not fit on this machine's disk", async () => {
    const free = await freeBytesFor(join(dir, "x.csv"));
    expect(free).toBeGreaterThan(0);
    await expect(checkRoomForOutput(join(dir, "x.csv"), schema, table, 1e12)).rejects.toThrow(/1,000,000,000,000 rows would need about \d+(\.\d)? (TB|PB)/);
  });
  it("Parquet is measured when its CSV bound does not fit, and leaves no probe file", async () => {
    const path = join(dir, "out.parquet");
    await writeTable(path, table, schema);
    const parquetBytes = (await stat(path)).size;
    const csvBytes = (await stat(join(dir, "out.csv"))).size;
    expect(parquetBytes).toBeLessThan(csvBytes);
    const rows = 1e6;
    const scale = rows / table.rowCount;
    // Room for twice the Parquet size (parts + merge) but not for twice the CSV: accepted after the probe.
    await checkRoomForOutput(path, schema, table, rows, 2.5 * 1.1 * parquetBytes * scale);
    await expect(checkRoomForOutput(path, schema, table, rows, 0.5 * parquetBytes * scale)).rejects.toThrow(/with room for Parquet's part files/);
    expect((await readdir(dir)).filter((name) => name.startsWith("."))).toEqual([]);
  });
  it("sizes read as df -H prints them", () => {
    expect([0, 999, 1000, 12_345_678, 3.1e13].map(byteSizeText)).toEqual(["0 bytes", "999 bytes", "1.0 kB", "12 MB", "31 TB"]);
  });
});
