/**
 * A disk that fills while rows are written: `open` is wrapped so that writes to temp files fail
 * with ENOSPC after a byte budget (an injected fault: deterministic, no tmpfs or root needed).
 * The writer must remove its partial file and say that the disk is full.
 */
import type { FileHandle } from "node:fs/promises";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const budget = vi.hoisted(() => ({ bytes: Number.POSITIVE_INFINITY }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs/promises")>();
  const open = async (...args: Parameters<typeof original.open>): Promise<FileHandle> => {
    const handle = await original.open(...args);
    if (!String(args[0]).endsWith(".tmp")) return handle;
    const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    (handle as unknown as { write: unknown }).write = async (data: string | Uint8Array, ...rest: unknown[]) => {
      const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
      if (size > budget.bytes) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });
      budget.bytes -= size;
      return write(data, ...rest);
    };
    return handle;
  };
  return { ...original, open, default: { ...original, open } };
});

const { loadTable } = await import("./load-table.js");
const { openTableWriter } = await import("./table-writer.js");

const SEATTLE = new URL("../benchmarks/fixtures/sdmetrics/seattle-weather/real.csv", import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-disk-full-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a disk that fills during the write", () => {
  it.each(["out.csv", "out.ndjson", "out.json"])("%s: ENOSPC named, rows written so far given, no partial file left", async (name) => {
    const { table, schema } = await loadTable(SEATTLE);
    budget.bytes = Number.POSITIVE_INFINITY;
    const writer = await openTableWriter(join(dir, name), schema);
    await writer.write(table);
    budget.bytes = 100; // the next chunk does not fit
    const error = await writer.write(table).catch((e: unknown) => e);
    expect((error as Error).name).toBe("TableWriteError");
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the disk is full \\(ENOSPC\\) after ${table.rowCount.toLocaleString("en-US")} rows of .*${name.replace(".", "\\.")}; the partial file was removed\\. Free some space`,
      ),
    );
    expect(await readdir(dir)).toEqual([]);
    budget.bytes = Number.POSITIVE_INFINITY;
  });
});
