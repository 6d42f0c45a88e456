import { describe, expect, test } from "vitest";
import type { Table, TableSchema } from "../tabular/index.js";
import { domainFromTable, encodeTable, MAX_INTEGER_CELLS, NUMERIC_BINS, numericCellOf, privateDomainFromSchema } from "./discrete-domain.js";
import { ADULT_PATH, loadDeclared } from "./dp-test-tables.js";
import { DpInputError } from "./errors.js";

const adult = await loadDeclared(ADULT_PATH);

describe("the domain of a private fit", () => {
  test("comes from the schema: integer cells for short ranges, runs with point ends for wide ones, labels as declared", () => {
    const domain = privateDomainFromSchema(adult.schema);
    const age = domain.attributes.find((a) => a.name === "age")!;
    expect(age.kind).toBe("numeric");
    // age 17…90: one cell per integer (74 ≤ MAX_INTEGER_CELLS) plus the missing cell.
    expect(age.size).toBe(90 - 17 + 1 + 1);
    const gain = domain.attributes.find((a) => a.name === "capital-gain")!;
    if (gain.kind !== "numeric") throw new Error("capital-gain should be numeric");
    expect(99999 - 0 + 1).toBeGreaterThan(MAX_INTEGER_CELLS);
    expect(gain.lower[0]).toBe(0);
    expect(gain.upper[0]).toBe(0);
    expect(gain.lower.at(-1)).toBe(99999);
    expect(gain.size).toBe(NUMERIC_BINS + 3);
    // Runs are contiguous integers covering 1 … 99998.
    for (let c = 1; c < gain.lower.length; c++) expect(gain.lower[c]).toBe(gain.upper[c - 1]! + 1);
    const sex = domain.attributes.find((a) => a.name === "sex")!;
    expect(sex.kind === "categorical" && sex.labels).toEqual(["Female", "Male"]);
  });

  test("a column without declared bounds or categories, or a datetime, is refused with how to declare it", () => {
    const noBounds: TableSchema = { version: 1, columns: [{ name: "x", type: "numerical", subtype: "float", decimals: 2, min: null, max: 3 }] };
    expect(() => privateDomainFromSchema(noBounds)).toThrow(DpInputError);
    expect(() => privateDomainFromSchema(noBounds)).toThrow(/"x" has no declared min\/max.*datalab schema <data> --categories --out s\.json/);
    const noLabels: TableSchema = { version: 1, columns: [{ name: "c", type: "categorical" }] };
    expect(() => privateDomainFromSchema(noLabels)).toThrow(/"c" has no "categories" list/);
    const date: TableSchema = { version: 1, columns: [{ name: "d", type: "datetime", format: "%Y-%m-%d" }] };
    expect(() => privateDomainFromSchema(date)).toThrow(/datetime/);
  });

  test("one row's out-of-domain value changes neither the domain nor anything but that row's cell", () => {
    const before = privateDomainFromSchema(adult.schema);
    const table: Table = { ...adult.table, columns: adult.table.columns.map((c) => ({ ...c })) };
    const ageIndex = adult.schema.columns.findIndex((c) => c.name === "age");
    const ages = Float64Array.from((adult.table.columns[ageIndex] as { values: Float64Array }).values);
    ages[0] = 1e9; // far outside the declared 17…90
    (table.columns[ageIndex] as { values: Float64Array }).values = ages;
    const countryIndex = adult.schema.columns.findIndex((c) => c.name === "native-country");
    const country = adult.table.columns[countryIndex] as { codes: Int32Array; categories: string[] };
    // The same row takes a label the schema does not list.
    (table.columns[countryIndex] as { codes: Int32Array; categories: string[] }) = {
      ...country,
      codes: Int32Array.from(country.codes, (c, r) => (r === 0 ? country.categories.length : c)),
      categories: [...country.categories, "Atlantis"],
    };
    // The domain is a function of the schema only: identical.
    expect(privateDomainFromSchema(adult.schema)).toEqual(before);
    const original = encodeTable(adult.table, before);
    const changed = encodeTable(table, before);
    const ageAttribute = before.attributes.findIndex((a) => a.name === "age");
    const countryAttribute = before.attributes.findIndex((a) => a.name === "native-country");
    // Clipped to the top cell (90) and to the missing cell; every other row and column is untouched.
    expect(changed[ageAttribute]![0]).toBe(before.attributes[ageAttribute]!.size - 2);
    expect(changed[countryAttribute]![0]).toBe(before.attributes[countryAttribute]!.size - 1);
    for (let a = 0; a < original.length; a++) expect(Array.from(changed[a]!.subarray(1))).toEqual(Array.from(original[a]!.subarray(1)));
  });

  test("numericCellOf clips, bins and sends NaN to the missing cell", () => {
    const { attributes } = domainFromTable({
      rowCount: 3,
      columns: [{ schema: { name: "v", type: "numerical", subtype: "float", decimals: 3, min: 0, max: 1 }, values: Float64Array.of(0, 0.5, 1) }],
    });
    const v = attributes[0]!;
    if (v.kind !== "numeric") throw new Error("numeric expected");
    expect(numericCellOf(v, -5)).toBe(0);
    expect(numericCellOf(v, 0)).toBe(0);
    expect(numericCellOf(v, 1)).toBe(v.size - 2);
    expect(numericCellOf(v, 7)).toBe(v.size - 2);
    expect(numericCellOf(v, Number.NaN)).toBe(v.size - 1);
    // 0.5 lies in the bin whose range holds it.
    const cell = numericCellOf(v, 0.5);
    expect(v.lower[cell]! <= 0.5 && 0.5 <= v.upper[cell]!).toBe(true);
  });
});
