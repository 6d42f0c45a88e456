/** Whole numbers past 2^53: never merged by rounding without a word, never written as "1e+30". */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTable } from "./load-table.js";
import type { TableSchema } from "./schema.js";
import type { Table, TextColumn } from "./table.js";
import { encodeTable } from "./table-writer.js";
import { formatNumber } from "./value-format.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-big-int-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bigValues = Array.from({ length: 60 }, (_, i) => (10n ** 30n + BigInt(i)).toString());

describe("integers beyond 2^53", () => {
  it("are written as plain digits, never in exponent notation", () => {
    expect(formatNumber(1e30, "integer", 0)).toBe(BigInt(1e30).toString());
    expect(formatNumber(-2.5e21, "integer", 0)).toBe("-2500000000000000000000");
    expect(formatNumber(1e22, "float", 2)).toBe("10000000000000000000000.00");
    expect(formatNumber(123.456, "float", 2)).toBe("123.46");
    const schema: TableSchema = { version: 1, columns: [{ name: "n", type: "numerical", subtype: "integer", decimals: 0, min: 0, max: 1e30 }] };
    const table: Table = { rowCount: 3, columns: [{ schema: schema.columns[0]!, values: Float64Array.of(1e30, 2 ** 53 + 2, -1e25) }] } as Table;
    for (const path of ["x.csv", "x.json", "x.ndjson"]) {
      const text = encodeTable(path, table, schema).toString();
      expect(text, path).not.toMatch(/e\+/);
      expect(text, path).toContain("1000000000000000019884624838656");
    }
  });
  it("sixty distinct 10^30 + i values stay sixty distinct exact ids (they collapsed to one 1e+30)", async () => {
    const path = join(dir, "accounts.csv");
    await writeFile(path, `account,amount\n${bigValues.map((v, i) => `${v},${i % 7}`).join("\n")}\n`);
    const { table, schema } = await loadTable(path);
    expect(schema.columns[0]).toEqual({ name: "account", type: "id", pattern: "{digits:31}" });
    const values = (table.columns[0] as TextColumn).values;
    expect(values).toEqual(bigValues);
  });
  it("repeated ones are kept as exact text labels, with a warning saying why", async () => {
    const path = join(dir, "repeated.csv");
    await writeFile(path, `code,x\n${bigValues.map((_, i) => `${bigValues[i % 5]},${i}`).join("\n")}\n`);
    const { table, schema, warnings } = await loadTable(path);
    expect(schema.columns[0]).toEqual({ name: "code", type: "categorical" });
    expect(warnings.join("\n")).toMatch(
      /column "code" holds whole numbers beyond 2\^53 \(e\.g\. 10{29}\d\) that no double holds exactly; it is kept as text labels/,
    );
    const column = table.columns[0] as unknown as { categories: string[] };
    expect(new Set(column.categories)).toEqual(new Set(bigValues.slice(0, 5)));
  });
  it("typed input (JSON) that was already rounded says so", async () => {
    const path = join(dir, "typed.ndjson");
    await writeFile(
      path,
      `${bigValues
        .slice(0, 5)
        .map((v, i) => `{"n": ${v}, "k": ${i % 2}}`)
        .join("\n")}\n`,
    );
    const { warnings } = await loadTable(path);
    expect(warnings.join("\n")).toMatch(/column "n" has whole numbers beyond 2\^53 .* were rounded to the nearest double when read; store them as strings/);
  });
});
