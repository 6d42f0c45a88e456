import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbConnection, sqlString } from "./duckdb-session.js";
import { TableReadError } from "./errors.js";
import { loadTable } from "./load-table.js";
import { readRawTable } from "./read-table.js";
import type { RawTextColumn } from "./raw-table.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-read-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function texts(raw: Awaited<ReturnType<typeof readRawTable>>, name: string): (string | null)[] {
  const column = raw.columns.find((c) => c.name === name);
  if (column === undefined || column.kind !== "text") throw new Error(`no text column ${name}`);
  return (column as RawTextColumn).values;
}

async function readError(path: string): Promise<TableReadError> {
  try {
    await readRawTable(path);
  } catch (error) {
    expect(error).toBeInstanceOf(TableReadError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return error as TableReadError;
  }
  throw new Error(`reading ${path} did not fail`);
}

describe("readRawTable: bad input gets one clear line", () => {
  it("missing file", async () => {
    expect((await readError(join(dir, "nope.csv"))).message).toMatch(/file not found: .*nope\.csv; check the path/);
  });
  it("a directory", async () => {
    expect((await readError(dir)).message).toMatch(/is a directory/);
  });
  it("binary file", async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expect((await readError(await file("blob.csv", bytes))).message).toMatch(/not a text table/);
  });
  it("a .parquet that is not Parquet", async () => {
    expect((await readError(await file("fake.parquet", "a,b\n1,2\n"))).message).toMatch(/not a Parquet file/);
  });
  it("empty file, blank file, header only", async () => {
    expect((await readError(await file("empty.csv", ""))).message).toMatch(/is empty \(0 bytes\)/);
    expect((await readError(await file("blank.csv", "\n\n  \n"))).message).toMatch(/no header row/);
    expect((await readError(await file("header.csv", "a,b,c\n"))).message).toMatch(/has no rows \(only a header\)/);
  });
  it("a row with more fields than the header, with its line number", async () => {
    const error = await readError(await file("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n"));
    expect(error.message).toMatch(/line 4 has 4 fields but the header has 3/);
  });
  it("an unclosed quote, with its line number", async () => {
    expect((await readError(await file("quote.csv", 'a,b\n1,2\n3,"oops\n'))).message).toMatch(/line 3 has a quote that is never closed/);
  });
  it("JSON that is not an array of objects", async () => {
    expect((await readError(await file("bad.json", '{"a": [1, 2'))).message).toMatch(
      /bad\.json ends in the middle of its JSON \(the last character is "2", not "}"\)/,
    );
  });
});

describe("readRawTable: awkward but valid input is read", () => {
  it("UTF-8 BOM and CRLF line ends", async () => {
    const raw = await readRawTable(await file("bom.csv", "\uFEFFname,count\r\nÄrger,1\r\nZoë,2\r\n"));
    expect(raw.columns.map((c) => c.name)).toEqual(["name", "count"]);
    expect(texts(raw, "name")).toEqual(["Ärger", "Zoë"]);
    expect(texts(raw, "count")).toEqual(["1", "2"]);
  });
  it("quoted delimiters, quotes inside quotes, line breaks inside quotes", async () => {
    const raw = await readRawTable(await file("quoted.csv", 'id,text\n1,"a, b"\n2,"she said ""hi"""\n3,"two\nlines"\n4,plain\n'));
    expect(texts(raw, "text")).toEqual(["a, b", 'she said "hi"', "two\nlines", "plain"]);
  });
  it("semicolon, tab and pipe delimiters are detected from the header", async () => {
    const semi = await readRawTable(await file("semi.csv", 'a;b\n"1;5";2\n'));
    expect(texts(semi, "a")).toEqual(["1;5"]);
    const tab = await readRawTable(await file("t.tsv", "a\tb\nx y\t2\n"));
    expect(tab.format).toBe("tsv");
    expect(texts(tab, "a")).toEqual(["x y"]);
    const pipe = await readRawTable(await file("p.csv", "a|b|c\n1|2|3\n"));
    expect(pipe.columns.length).toBe(3);
  });
  it("short rows are padded with missing values and a warning", async () => {
    const raw = await readRawTable(await file("short.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n"));
    expect(texts(raw, "c")).toEqual(["3", null, "8"]);
    expect(raw.warnings.join(" ")).toMatch(/fewer fields than the header's 3 \(first at line 3\)/);
  });
  it("empty, duplicate and padded header names are made usable", async () => {
    const raw = await readRawTable(await file("names.csv", "a,,a, b \n1,2,3,4\n"));
    expect(raw.columns.map((c) => c.name)).toEqual(["a", "column2", "a_2", "b"]);
    expect(raw.warnings.length).toBe(2);
  });
  it("null tokens and empty fields are missing", async () => {
    const raw = await readRawTable(await file("nulls.csv", 'a,b\nNA,1\n,2\n"",3\nnull,4\nx,5\n'));
    expect(texts(raw, "a")).toEqual([null, null, null, null, "x"]);
  });
  it("header names with quotes, delimiters and line breaks", async () => {
    const raw = await readRawTable(
      await file(
        "odd-names.csv",
        `"it's","say ""hi""","a,b","two
lines"
1,2,3,4
`,
      ),
    );
    expect(raw.columns.map((c) => c.name)).toEqual(["it's", 'say "hi"', "a,b", "two\nlines"]);
    expect(texts(raw, "a,b")).toEqual(["3"]);
    expect(texts(raw, "two\nlines")).toEqual(["4"]);
  });
  it("a file name with a quote in it", async () => {
    const raw = await readRawTable(await file("it's here.csv", "a\n1\n"));
    expect(raw.rowCount).toBe(1);
  });
  it("Latin-1 text is read with a warning", async () => {
    const raw = await readRawTable(await file("latin1.csv", Buffer.from("city,n\nM\xfcnchen,1\n", "latin1")));
    expect(texts(raw, "city")).toEqual(["München"]);
    expect(raw.warnings.join(" ")).toMatch(/not valid UTF-8; it was read as Latin-1/);
  });
  it("NDJSON and JSON keep types; JSON values of mixed types are read as text", async () => {
    const nd = await readRawTable(await file("rows.ndjson", '{"a": 1, "b": "x", "c": true}\n{"a": 2.5, "b": null, "c": false}\n'));
    expect(nd.columns.map((c) => c.kind)).toEqual(["number", "text", "boolean"]);
    const mixed = await readRawTable(await file("mixed.json", '[{"v": 1}, {"v": "two"}, {"v": null}]'));
    // A .json file holding newline-delimited objects is read too.
    expect((await readRawTable(await file("lines.json", '{"a": 1}\n{"a": 2}\n'))).rowCount).toBe(2);
    expect(texts(mixed, "v")).toEqual(["1", "two", null]);
  });
});

describe("readRawTable on real tables", () => {
  it("reads Adult (32,561 × 15) as text", async () => {
    const raw = await readRawTable("fixtures/adult/adult.csv");
    expect(raw.rowCount).toBe(32_561);
    expect(raw.columns.length).toBe(15);
    expect(raw.columns.every((c) => c.kind === "text")).toBe(true);
  });
  it("Parquet dates, timestamps and zoned timestamps are epoch ms UTC", async () => {
    const path = join(dir, "times.parquet");
    const connection = await duckdbConnection();
    await connection.run(
      `COPY (SELECT DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 13:14:15.678' AS ts, TIMESTAMPTZ '2024-02-29 13:14:15+02:00' AS tz) TO ${sqlString(path)} (FORMAT parquet)`,
    );
    connection.closeSync();
    const raw = await readRawTable(path);
    expect(raw.columns.map((c) => [c.kind, Array.from(c.values as Float64Array)])).toEqual([
      ["datetime", [Date.UTC(2024, 1, 29)]],
      ["datetime", [Date.UTC(2024, 1, 29, 13, 14, 15, 678)]],
      ["datetime", [Date.UTC(2024, 1, 29, 11, 14, 15)]],
    ]);
  });

  it("a Parquet file whose embedded datalab schema is broken is inferred, with a warning", async () => {
    const path = join(dir, "broken-schema.parquet");
    const connection = await duckdbConnection();
    await connection.run(`COPY (SELECT 1 AS a) TO ${sqlString(path)} (FORMAT parquet, KV_METADATA {'datalab.schema': '{"version": 9}'})`);
    connection.closeSync();
    const { schema, warnings } = await loadTable(path);
    expect(schema.columns).toEqual([{ name: "a", type: "numerical", subtype: "integer", decimals: 0, min: 1, max: 1 }]);
    expect(warnings.join(" ")).toMatch(/carries a datalab schema that is not valid .*"version" is 9/);
  });

  it("reads Parquet typed: a 20k-row slice of flights-3m, its date a datetime", async () => {
    // The whole file (3M rows) is read in benchmarks/perf/tabular-io.bench.ts, not in tests.
    const slice = join(dir, "flights-slice.parquet");
    const connection = await duckdbConnection();
    await connection.run(
      `COPY (SELECT * FROM read_parquet('node_modules/vega-datasets/data/flights-3m.parquet') LIMIT 20000) TO ${sqlString(slice)} (FORMAT parquet)`,
    );
    connection.closeSync();
    const { table, schema } = await loadTable(slice);
    expect(table.rowCount).toBe(20_000);
    expect(schema.columns.map((c) => c.name)).toEqual(["date", "delay", "distance", "origin", "destination"]);
    expect(schema.columns.map((c) => c.type)).toEqual(["datetime", "numerical", "numerical", "categorical", "categorical"]);
    expect(schema.columns[1]).toMatchObject({ subtype: "integer", decimals: 0 });
  });
});
