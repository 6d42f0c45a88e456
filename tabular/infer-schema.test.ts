import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferColumn } from "./infer-column.js";
import { loadTable } from "./load-table.js";
import type { RawTextColumn } from "./raw-table.js";
import type { ColumnSchema } from "./schema.js";
import type { CategoricalColumn, NumericalColumn, TextColumn } from "./table.js";

const VEGA = "node_modules/vega-datasets/data";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-infer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function typesOf(columns: ColumnSchema[]): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c.name, c.type === "numerical" ? `${c.type}:${c.subtype}` : c.type]));
}

function infer(name: string, values: (string | null)[]) {
  const raw: RawTextColumn = { name, kind: "text", values };
  return inferColumn(raw, values.length);
}

describe("inference on real tables", () => {
  it("Adult: 6 integer numericals and 9 categoricals, ranges from the data", async () => {
    const { schema, table, warnings } = await loadTable("fixtures/adult/adult.csv");
    expect(typesOf(schema.columns)).toEqual({
      age: "numerical:integer",
      workclass: "categorical",
      fnlwgt: "numerical:integer",
      education: "categorical",
      "education-num": "numerical:integer",
      "marital-status": "categorical",
      occupation: "categorical",
      relationship: "categorical",
      race: "categorical",
      sex: "categorical",
      "capital-gain": "numerical:integer",
      "capital-loss": "numerical:integer",
      "hours-per-week": "numerical:integer",
      "native-country": "categorical",
      income: "categorical",
    });
    expect(schema.columns[0]).toMatchObject({ min: 17, max: 90, decimals: 0 });
    expect(warnings).toEqual([]);
    const sex = table.columns[9] as CategoricalColumn;
    expect(sex.categories).toEqual(["Female", "Male"]);
    // Adult has 21,790 men (counted with `cut -d, -f10 adult.csv | sort | uniq -c`).
    expect(sex.codes.filter((c) => c === 1).length).toBe(21_790);
  });

  it("penguins.json: typed numbers with their nulls and decimals", async () => {
    const { schema, table } = await loadTable(`${VEGA}/penguins.json`);
    expect(typesOf(schema.columns)).toEqual({
      Species: "categorical",
      Island: "categorical",
      "Beak Length (mm)": "numerical:float",
      "Beak Depth (mm)": "numerical:float",
      "Flipper Length (mm)": "numerical:integer",
      "Body Mass (g)": "numerical:integer",
      Sex: "categorical",
    });
    expect(schema.columns[2]).toMatchObject({ decimals: 1, min: 32.1, max: 59.6 });
    const beak = table.columns[2] as NumericalColumn;
    expect(beak.values.filter(Number.isNaN).length).toBe(2);
    const sex = table.columns[6] as CategoricalColumn;
    expect(sex.codes.filter((c) => c === -1).length).toBeGreaterThan(0);
  });

  it("seattle-weather.csv: date is a %Y-%m-%d datetime, weather categorical", async () => {
    const { schema, table } = await loadTable(`${VEGA}/seattle-weather.csv`);
    expect(schema.columns[0]).toEqual({ name: "date", type: "datetime", format: "%Y-%m-%d" });
    expect(typesOf(schema.columns)).toMatchObject({ precipitation: "numerical:float", weather: "categorical" });
    expect((table.columns[0] as NumericalColumn).values[0]).toBe(Date.UTC(2012, 0, 1));
  });

  it("cars.json: Year is a datetime; the lower-case car Name is not a person's name", async () => {
    const { schema } = await loadTable(`${VEGA}/cars.json`);
    expect(schema.columns.find((c) => c.name === "Year")).toMatchObject({ type: "datetime" });
    expect(schema.columns.find((c) => c.name === "Name")?.type).toBe("categorical");
  });

  it("movies.json: nulls, a mixed Title (warned), a month-name release date", async () => {
    const { schema, warnings, table } = await loadTable(`${VEGA}/movies.json`);
    expect(schema.columns.find((c) => c.name === "Title")?.type).toBe("categorical");
    expect(warnings.join("\n")).toMatch(/column "Title" mixes numbers \(e\.g\. "\d+"\) and text/);
    expect(schema.columns.find((c) => c.name === "Release Date")).toMatchObject({ type: "datetime", format: "%b %d %Y" });
    const dvd = table.columns.find((c) => c.schema.name === "US DVD Sales") as NumericalColumn;
    expect(dvd.values.filter(Number.isNaN).length).toBeGreaterThan(2000);
  });

  it("birdstrikes.csv: a datetime, costs as integers, and 'None' kept as a category", async () => {
    const { schema, table } = await loadTable(`${VEGA}/birdstrikes.csv`);
    expect(typesOf(schema.columns)).toMatchObject({ "Flight Date": "datetime", "Cost Total $": "numerical:integer", "Effect Amount of damage": "categorical" });
    const damage = table.columns.find((c) => c.schema.name === "Effect Amount of damage") as CategoricalColumn;
    expect(damage.categories).toContain("None");
  });
});

describe("inference rules", () => {
  it("numbers: integer vs float, decimals as written, leading zeros are codes", () => {
    expect(infer("n", ["1", "-2", "30"]).schema).toEqual({ name: "n", type: "numerical", subtype: "integer", decimals: 0, min: -2, max: 30 });
    expect(infer("x", ["1.50", "2", "1e3"]).schema).toMatchObject({ subtype: "float", decimals: 2, min: 1.5, max: 1000 });
    expect(infer("zip", ["02134", "10001", "94105"]).schema.type).toBe("categorical");
  });
  it("booleans keep their spelling; 0/1 stays numerical", () => {
    expect(infer("b", ["Yes", "No", "Yes", null]).schema).toEqual({ name: "b", type: "boolean", trueLabel: "Yes", falseLabel: "No" });
    expect(infer("b", ["TRUE", "TRUE"]).schema).toEqual({ name: "b", type: "boolean", trueLabel: "TRUE", falseLabel: "FALSE" });
    expect(infer("b", ["0", "1", "1"]).schema).toMatchObject({ type: "numerical", subtype: "integer" });
  });
  it("datetimes: the first format that parses every value", () => {
    expect(infer("d", ["2024-01-31 10:00:00", "2024-02-01 11:30:15"]).schema).toMatchObject({ format: "%Y-%m-%d %H:%M:%S" });
    expect(infer("d", ["01/02/2024", "12/31/2024"]).schema).toMatchObject({ format: "%m/%d/%Y" });
    expect(infer("d", ["31/01/2024", "01/02/2024"]).schema).toMatchObject({ format: "%d/%m/%Y" });
    expect(infer("d", ["2024-01-31T10:00", "2024-02-30T10:00"]).schema.type).toBe("categorical");
  });
  it("ids: unique and named like a key, or UUIDs; a unique float is not an id", () => {
    expect(infer("customer_id", ["C0001", "C0002", "C0103"]).schema).toEqual({ name: "customer_id", type: "id", pattern: "C{digits:4}" });
    expect(infer("userId", ["17", "4", "99"]).schema).toEqual({ name: "userId", type: "id", pattern: "integer" });
    expect(infer("ref", ["6f1c2b1e-9a43-4c55-8d2e-0b7c8d9e0f11", "0e4f8a2b-1c3d-4e5f-9a6b-7c8d9e0f1a2b"]).schema).toMatchObject({
      type: "id",
      pattern: "uuid",
    });
    expect(infer("score_id", ["1.5", "2.25", "3.125"]).schema.type).toBe("numerical");
    expect(infer("customer_id", ["C1", "C1", "C2"]).schema.type).toBe("categorical");
    expect(infer("paid", ["1", "2", "3"]).schema.type).toBe("numerical");
  });
  it("PII: emails, phones (with their shape), person names; warned, never categorical", () => {
    const email = infer("contact", ["ann@mail.org", "bo@corp.example.com", "cy@x.io"]);
    expect(email.schema).toEqual({ name: "contact", type: "pii", kind: "email", action: "fake" });
    expect(email.warnings[0]).toMatch(/looks like email addresses/);
    expect(infer("tel", ["+1 555-010-1234", "+1 555-010-9876", "+1 555-010-0000"]).schema).toEqual({
      name: "tel",
      type: "pii",
      kind: "phone",
      action: "fake",
      shape: "+# ###-###-####",
    });
    expect(infer("full_name", ["Ann Lee", "Bo O'Neil", "Carla Anne-Marie Diaz"]).schema).toMatchObject({ type: "pii", kind: "name" });
    expect(infer("name", ["chevrolet chevelle", "ford torino"]).schema.type).toBe("categorical");
  });
  it("a mostly-unique categorical is warned about (its values could leak)", () => {
    const tickets = Array.from({ length: 40 }, (_, i) => `A/${i}`);
    const { schema, warnings } = infer("ticket", tickets);
    expect(schema.type).toBe("categorical");
    expect(warnings[0]).toMatch(/column "ticket" has 40 distinct values in 40 rows; .*"type": "id"/);
  });
  it("free text is dropped with a warning", () => {
    const notes = Array.from({ length: 50 }, (_, i) => `Patient ${i} reported mild symptoms after the second visit on day ${i}.`);
    const { schema, warnings } = infer("notes", notes);
    expect(schema).toEqual({ name: "notes", type: "pii", kind: "text", action: "drop" });
    expect(warnings[0]).toMatch(/looks like free text/);
  });
  it("entirely null, constant, mixed and single-row columns", () => {
    const empty = infer("e", [null, null]);
    expect(empty.schema).toEqual({ name: "e", type: "numerical", subtype: "float", decimals: 0, min: null, max: null });
    expect(empty.warnings[0]).toMatch(/entirely empty/);
    expect(infer("c", ["7", "7", "7"]).schema).toMatchObject({ type: "numerical", min: 7, max: 7 });
    expect(infer("c", ["x", "x"]).schema.type).toBe("categorical");
    const mixed = infer("m", ["1", "2", "three"]);
    expect(mixed.schema.type).toBe("categorical");
    expect(mixed.warnings[0]).toMatch(/column "m" mixes numbers \(e\.g\. "1"\) and text \(e\.g\. "three"\)/);
    expect(infer("id", ["5"]).schema.type).toBe("numerical");
  });
});

describe("loadTable on awkward files", () => {
  it("keeps null, constant, mixed columns and a single row", async () => {
    const path = join(dir, "awkward.csv");
    await writeFile(path, "empty,const,mixed,email\n,5,1,a@b.org\n");
    const { schema, table, warnings } = await loadTable(path);
    expect(typesOf(schema.columns)).toEqual({ empty: "numerical:float", const: "numerical:integer", mixed: "numerical:integer", email: "pii" });
    expect(table.rowCount).toBe(1);
    expect((table.columns[0] as NumericalColumn).values[0]).toBeNaN();
    expect((table.columns[3] as TextColumn).values).toEqual(["a@b.org"]);
    expect(warnings.length).toBe(2);
  });
});
