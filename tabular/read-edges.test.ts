/** Input edges: very long headers and fields are valid CSV and are read; broken JSON is refused. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableReadError } from "./errors.js";
import { readRawTable } from "./read-table.js";
import type { RawTextColumn } from "./raw-table.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-read-edges-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const textOf = (raw: Awaited<ReturnType<typeof readRawTable>>, index: number) => (raw.columns[index] as RawTextColumn).values;

async function readError(path: string): Promise<string> {
  const error = await readRawTable(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TableReadError);
  expect((error as Error).message).not.toContain("\n");
  return (error as Error).message;
}

describe("long CSV headers and fields", () => {
  it("a header longer than 64 KiB is read whole (it was cut, and rows had 'more fields than the header')", async () => {
    const columns = 200;
    const header = Array.from({ length: columns }, (_, i) => `column_${String(i).padStart(3, "0")}_${"long_name_".repeat(40)}`);
    const rows = Array.from({ length: 12 }, (_, r) => Array.from({ length: columns }, (_, c) => (r * c) % 7).join(","));
    const path = await file("wide.csv", `${header.join(",")}\n${rows.join("\n")}\n`);
    expect(header.join(",").length).toBeGreaterThan(64 * 1024);
    const raw = await readRawTable(path);
    expect(raw.columns).toHaveLength(columns);
    expect(raw.columns[columns - 1]!.name).toBe(header[columns - 1]);
    expect(raw.rowCount).toBe(12);
  });
  it("a 34 MB quoted field (with a newline) is read, not called a quote that is never closed", async () => {
    // Past DuckDB's 32 MB read buffer: the case that was reported as an unterminated quote.
    const half = "y".repeat(17 * 2 ** 20);
    const big = `${half}, and\n${half}`;
    const path = await file("long-quoted.csv", `id,text\n1,"${big}"\n2,short\n`);
    const raw = await readRawTable(path);
    expect(raw.rowCount).toBe(2);
    expect(textOf(raw, 1)[0]).toBe(big);
    expect(textOf(raw, 1)[1]).toBe("short");
  }, 300_000);
  it("a 3 MB unquoted field is read (DuckDB's raw 'CSV Error on Line' came through)", async () => {
    const long = "y".repeat(3 * 2 ** 20);
    const raw = await readRawTable(await file("long-field.csv", `a,b\n1,${long}\n2,z\n`));
    expect(raw.rowCount).toBe(2);
    expect(textOf(raw, 1)[0]!.length).toBe(long.length);
  });
  it("a quote that is really never closed is still reported as such, in a small and in a large file", async () => {
    expect(await readError(await file("open-quote.csv", 'a,b\n1,"never closed\n2,x\n'))).toMatch(/line 2 has a quote that is never closed/);
    const large = await file("open-quote-large.csv", `a,b\n${"1,x\n".repeat(2 ** 20)}2,"never closed ${"z".repeat(100)}\n3,y\n`);
    expect(await readError(large)).toMatch(/has a quote that is never closed/);
  }, 120_000);
});

describe("JSON tables that are not tables", () => {
  it("a cut-off array is refused (it was read as the rows before the cut)", async () => {
    expect(await readError(await file("cut.json", '[{"a":1},{"a":2},'))).toMatch(
      /cut\.json ends in the middle of its JSON \(the last character is ",", not "\]"\): the file looks cut off/,
    );
    expect(await readError(await file("cut.ndjson", '{"a":1}\n{"a":2}\n{"a":'))).toMatch(/ends in the middle of its JSON/);
  });
  it("a bare value is refused (42 became a one-column table)", async () => {
    expect(await readError(await file("bare.json", "42"))).toMatch(/bare\.json is not a JSON table: it starts with "4" but a table is an array of objects/);
    expect(await readError(await file("bare.ndjson", "42\n43\n"))).toMatch(/is not a JSON table: it starts with "4" but a table is one object per line/);
    expect(await readError(await file("string.json", '"text"'))).toMatch(/not a JSON table/);
  });
  it("well-formed JSON and NDJSON still read, with blank space around", async () => {
    expect((await readRawTable(await file("ok.json", ' [{"a":1},{"a":2}]\n\n'))).rowCount).toBe(2);
    expect((await readRawTable(await file("ok.ndjson", '{"a":1}\n{"a":2}\n'))).rowCount).toBe(2);
    expect((await readRawTable(await file("one.json", '{"a":1,"b":"x"}'))).rowCount).toBe(1);
  });
});
