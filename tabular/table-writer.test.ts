import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableWriteError } from "./errors.js";
import { loadTable } from "./load-table.js";
import { encodeDelimitedRows } from "./row-encoder.js";
import type { TableSchema } from "./schema.js";
import type { CategoricalColumn, Column, DatetimeColumn, NumericalColumn, Table, TextColumn } from "./table.js";
import { encodeTable, openTableWriter, writeTable } from "./table-writer.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-write-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const schema: TableSchema = {
  version: 1,
  columns: [
    { name: "count", type: "numerical", subtype: "integer", decimals: 0, min: -5, max: 1e9 },
    { name: "price, €", type: "numerical", subtype: "float", decimals: 2, min: -1, max: 1e6 },
    { name: "seen at", type: "datetime", format: "%Y-%m-%d %H:%M:%S.%f" },
    { name: "day", type: "datetime", format: "%d/%m/%Y" },
    { name: "label", type: "categorical" },
    { name: "member", type: "boolean", trueLabel: "yes", falseLabel: "no" },
    { name: "key", type: "id", pattern: "K{digits:5}" },
    { name: "email", type: "pii", kind: "email", action: "fake" },
    { name: "notes", type: "pii", kind: "text", action: "drop" },
  ],
};
const LABELS = ["plain", "with, comma", 'with "quotes"', "two\nlines", "Zoë ünïcödé", " padded "];

/** A random table over the schema above, with missing values in every column. */
function randomTable(rowCount: number, offset = 0): Table {
  const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)]!;
  const missing = () => Math.random() < 0.1;
  const numbers = (make: () => number) => Float64Array.from({ length: rowCount }, () => (missing() ? Number.NaN : make()));
  const [c0, c1, c2, c3, c4, c5, c6, c7, c8] = schema.columns as [never, never, never, never, never, never, never, never, never];
  const columns: Column[] = [
    { schema: c0, values: numbers(() => Math.round((Math.random() - 0.01) * 1e9)) },
    { schema: c1, values: numbers(() => Math.round((Math.random() * 2e6 - 1e6) * 100) / 100) },
    { schema: c2, values: numbers(() => Math.floor(Date.UTC(1950, 0, 1) + Math.random() * 3e12)) },
    { schema: c3, values: numbers(() => Date.UTC(1990 + Math.floor(Math.random() * 40), Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 28))) },
    { schema: c4, codes: Int32Array.from({ length: rowCount }, () => (missing() ? -1 : Math.floor(Math.random() * LABELS.length))), categories: LABELS },
    { schema: c5, codes: Int32Array.from({ length: rowCount }, () => (missing() ? -1 : Math.floor(Math.random() * 2))), categories: ["no", "yes"] },
    { schema: c6, values: Array.from({ length: rowCount }, (_, i) => `K${String(offset + i).padStart(5, "0")}`) },
    { schema: c7, values: Array.from({ length: rowCount }, () => (missing() ? null : pick(["a@example.com", "b.c@example.org"]))) },
    { schema: c8, values: Array.from({ length: rowCount }, () => "secret text") },
  ];
  return { rowCount, columns };
}

/** The values of a column as plain JS (labels for categories), for comparing tables. */
function plain(column: Column): unknown[] {
  if ("codes" in column) return Array.from(column.codes, (code) => (code < 0 ? null : column.categories[code]));
  return Array.from(column.values as ArrayLike<unknown>, (v) => (typeof v === "number" && Number.isNaN(v) ? null : v));
}

function expectSameValues(actual: Table, expected: Table, names: string[]): void {
  expect(actual.rowCount).toBe(expected.rowCount);
  for (const name of names) {
    const a = actual.columns.find((c) => c.schema.name === name);
    const e = expected.columns.find((c) => c.schema.name === name);
    expect(a, name).toBeDefined();
    expect(plain(a!), name).toEqual(plain(e!));
  }
}

const KEPT = ["count", "price, €", "seen at", "day", "label", "member", "key", "email"];

describe("round trips: write, read back with the schema, identical values", () => {
  for (const extension of ["csv", "tsv", "parquet", "json", "ndjson"]) {
    it(`.${extension}, in three chunks`, async () => {
      const path = join(dir, `round.${extension}`);
      const chunks = [randomTable(700, 0), randomTable(1, 700), randomTable(1300, 701)];
      const writer = await openTableWriter(path, schema);
      for (const chunk of chunks) await writer.write(chunk);
      expect(writer.rowsWritten).toBe(2001);
      await writer.commit();
      const { table, warnings } = await loadTable(path, { schema });
      expect(warnings.filter((w) => !w.includes("notes"))).toEqual([]);
      // The dropped PII column is not in the file.
      expect(table.columns.map((c) => c.schema.name)).toEqual(KEPT);
      const all = randomTable(0);
      for (const [k, column] of all.columns.entries()) {
        const parts = chunks.map((chunk) => plain(chunk.columns[k]!));
        (column as { merged?: unknown[] }).merged = parts.flat();
      }
      for (const name of KEPT) {
        const k = schema.columns.findIndex((c) => c.name === name);
        const back = table.columns.find((c) => c.schema.name === name)!;
        expect(plain(back), name).toEqual((all.columns[k] as { merged?: unknown[] }).merged);
      }
    });
  }

  it("Parquet in several parts (merged at commit) keeps row order and labels first seen late", async () => {
    const path = join(dir, "parts.parquet");
    const first = randomTable(3000);
    // Only two labels in the first part; the rest appear in later parts.
    (first.columns[4] as CategoricalColumn).codes.forEach((code, i, codes) => {
      codes[i] = code < 0 ? -1 : code % 2;
    });
    const chunks = [first, randomTable(2048, 3000), randomTable(5, 5048), randomTable(4100, 5053)];
    const writer = await openTableWriter(path, schema, { parquetPartRows: 2048 });
    for (const chunk of chunks) await writer.write(chunk);
    await writer.commit();
    const back = await loadTable(path);
    expect(back.table.rowCount).toBe(9153);
    for (const name of KEPT) {
      const k = schema.columns.findIndex((c) => c.name === name);
      const expected = chunks.flatMap((chunk) => plain(chunk.columns[k]!));
      expect(plain(back.table.columns.find((c) => c.schema.name === name)!), name).toEqual(expected);
    }
    expect((await readdir(dir)).filter((f) => f.startsWith(".parts.parquet"))).toEqual([]);
  });

  it("Parquet carries its schema: read back without one, labels, formats, ids and PII kinds survive", async () => {
    const path = join(dir, "embedded.parquet");
    const table = randomTable(500);
    await writeTable(path, table, schema);
    const back = await loadTable(path);
    expect(back.warnings).toEqual([]);
    expect(back.schema.columns).toEqual(schema.columns.filter((c) => c.name !== "notes"));
    for (const name of KEPT) {
      const k = schema.columns.findIndex((c) => c.name === name);
      expect(plain(back.table.columns.find((c) => c.schema.name === name)!), name).toEqual(plain(table.columns[k]!));
    }
  });

  it("Adult written as CSV and Parquet reads back identical", async () => {
    const adult = await loadTable("fixtures/adult/adult.csv");
    for (const extension of ["csv", "parquet"]) {
      const path = join(dir, `adult.${extension}`);
      await writeTable(path, adult.table, adult.schema);
      const back = await loadTable(path, { schema: adult.schema });
      expectSameValues(
        back.table,
        adult.table,
        adult.schema.columns.map((c) => c.name),
      );
    }
  });

  it("writes values in the column's format: decimals, datetimes, labels, empty for missing", async () => {
    const path = join(dir, "format.csv");
    const table: Table = {
      rowCount: 3,
      columns: [
        { schema: schema.columns[0]!, values: Float64Array.of(3, -0.4, Number.NaN) } as NumericalColumn,
        { schema: schema.columns[1]!, values: Float64Array.of(1, -0.004, 2.345678) } as NumericalColumn,
        { schema: schema.columns[3]!, values: Float64Array.of(Date.UTC(2024, 0, 5), Number.NaN, Date.UTC(1999, 11, 31)) } as DatetimeColumn,
        { schema: schema.columns[5]!, codes: Int32Array.of(1, 0, -1), categories: ["no", "yes"] } as CategoricalColumn,
        { schema: schema.columns[6]!, values: ["K1", null, "K3"] } as TextColumn,
      ],
    };
    const subset: TableSchema = { version: 1, columns: table.columns.map((c) => c.schema) };
    await writeTable(path, table, subset);
    expect(await readFile(path, "utf8")).toBe('count,"price, €",day,member,key\n3,1.00,05/01/2024,yes,K1\n0,0.00,,no,\n,2.35,31/12/1999,,K3\n');
  });
});

describe("number encoding against toFixed on random inputs", () => {
  it("writes the correctly rounded decimal (ties may differ by one unit, never more)", () => {
    const count = 20_000;
    for (const decimals of [0, 1, 2, 3, 6, 10]) {
      const values = Float64Array.from({ length: count }, () => (Math.random() - 0.5) * 10 ** (Math.random() * 12));
      const column: NumericalColumn = {
        schema: { name: "x", type: "numerical", subtype: decimals === 0 ? "integer" : "float", decimals, min: null, max: null },
        values,
      };
      const lines = encodeDelimitedRows([column], 0, count, { delimiter: "," }).toString("utf8").split("\n");
      let differing = 0;
      for (let i = 0; i < count; i++) {
        const reference = decimals === 0 ? String(Math.round(values[i]!)).replace(/^-0$/, "0") : values[i]!.toFixed(decimals).replace(/^-(0\.0*)$/, "$1");
        if (lines[i] === reference) continue;
        differing++;
        // Only halfway cases may round the other way: one unit in the last place (plus the
        // float error of parsing both strings back, a few ulps of the value).
        const tolerance = 10 ** -decimals * 1.000001 + 8 * Number.EPSILON * Math.abs(values[i]!);
        expect(Math.abs(Number(lines[i]) - Number(reference)), `${values[i]} → ${lines[i]} vs ${reference}`).toBeLessThanOrEqual(tolerance);
      }
      expect(differing / count).toBeLessThan(0.001);
    }
  });
});

describe("atomic writes: no partial file, ever", () => {
  it("abort() removes the temp file and leaves the target untouched", async () => {
    const sub = await mkdtemp(join(dir, "abort-"));
    const target = join(sub, "out.csv");
    await writeFile(target, "old content\n");
    const writer = await openTableWriter(target, schema);
    await writer.write(randomTable(100));
    await writer.abort();
    await writer.abort();
    expect(await readdir(sub)).toEqual(["out.csv"]);
    expect(await readFile(target, "utf8")).toBe("old content\n");
    await expect(writer.write(randomTable(1))).rejects.toThrow(/already committed or aborted/);
  });

  it("a chunk that does not fit the schema fails writeTable and leaves nothing", async () => {
    const sub = await mkdtemp(join(dir, "bad-"));
    const bad = randomTable(10);
    bad.columns.splice(4, 1);
    for (const extension of ["csv", "parquet"]) {
      await expect(writeTable(join(sub, `out.${extension}`), bad, schema)).rejects.toThrow(TableWriteError);
    }
    await expect(writeTable(join(sub, "out.csv"), bad, schema)).rejects.toThrow(/chunk has no column "label"/);
    // A streaming writer cleans up after a bad chunk by itself, without abort().
    const writer = await openTableWriter(join(sub, "stream.csv"), schema);
    await writer.write(randomTable(10));
    await expect(writer.write(bad)).rejects.toThrow(/chunk has no column "label"/);
    await expect(writer.commit()).rejects.toThrow(/already committed or aborted/);
    expect(await readdir(sub)).toEqual([]);
  });

  it("a target in a missing directory fails with a one-line error", async () => {
    await expect(openTableWriter(join(dir, "no", "such", "dir.csv"), schema)).rejects.toThrow(/cannot create .*check the directory exists/);
  });

  it("a schema that drops every column is refused", async () => {
    const onlyDropped: TableSchema = { version: 1, columns: [schema.columns[8]!] };
    await expect(openTableWriter(join(dir, "x.csv"), onlyDropped)).rejects.toThrow(/every column of the schema is dropped/);
  });
});

describe("encodeTable", () => {
  it("gives the bytes writeTable writes, for every text format, and refuses Parquet", async () => {
    // More rows than one formatting slice (32,768), so the slices' joins are checked too.
    const table = randomTable(40_000);
    for (const extension of ["csv", "tsv", "json", "ndjson"]) {
      const path = join(dir, `encoded.${extension}`);
      await writeTable(path, table, schema);
      expect(encodeTable(path, table, schema).equals(await readFile(path)), extension).toBe(true);
    }
    expect(() => encodeTable(join(dir, "x.parquet"), table, schema)).toThrow(TableWriteError);
  });
});
