import { describe, expect, test } from "vitest";
import { parseCsv, tableFromCsv } from "./csv-table.js";
import { SdvMetadataError } from "./errors.js";
import { schemaFromSdvMetadata } from "./sdv-metadata.js";

describe("schemaFromSdvMetadata", () => {
  const metadata = {
    tables: {
      t: {
        primary_key: "key",
        columns: {
          key: { sdtype: "id" },
          other_id: { sdtype: "id" },
          n: { sdtype: "numerical", computer_representation: "Int64" },
          f: { sdtype: "numerical" },
          c: { sdtype: "categorical" },
          b: { sdtype: "boolean" },
          d: { sdtype: "datetime", datetime_format: "%d/%m/%Y" },
          e: { sdtype: "email" },
        },
      },
    },
  };
  const order = ["key", "other_id", "n", "f", "c", "b", "d", "e"];
  test("maps every sdtype, in the table's column order", () => {
    const schema = schemaFromSdvMetadata(metadata, order);
    expect(schema.columns.map((c) => c.type)).toEqual(["id", "pii", "numerical", "numerical", "categorical", "boolean", "datetime", "pii"]);
    expect(schema.columns[2]).toMatchObject({ subtype: "integer" });
    expect(schema.columns[6]).toMatchObject({ format: "%d/%m/%Y" });
    expect(schema.columns[7]).toMatchObject({ kind: "email" });
  });
  test("columns missing on either side are named in the error", () => {
    expect(() => schemaFromSdvMetadata(metadata, [...order, "extra"])).toThrow(/"extra" of the table are not in the SDV metadata/);
    expect(() => schemaFromSdvMetadata(metadata, order.slice(1))).toThrow(/lists column\(s\) "key" that the table does not have/);
    expect(() => schemaFromSdvMetadata({ tables: { a: { columns: {} }, b: { columns: {} } } }, [])).toThrow(SdvMetadataError);
  });
});

describe("CSV reading as pandas does", () => {
  test("quotes, pandas NA strings and '?' as a category", () => {
    expect(parseCsv('a,b\n"x, ""y""",2\r\n')).toEqual([
      ["a", "b"],
      ['x, "y"', "2"],
    ]);
    const schema = schemaFromSdvMetadata(
      { columns: { n: { sdtype: "numerical" }, c: { sdtype: "categorical" }, d: { sdtype: "datetime", datetime_format: "%Y-%m-%d" } } },
      ["n", "c", "d"],
    );
    const table = tableFromCsv("n,c,d\n1,?,2020-01-02\nNA,,\n3,NULL,2020-01-03\n", schema);
    expect(table.rowCount).toBe(3);
    const [n, c, d] = table.columns;
    expect(Array.from((n as { values: Float64Array }).values)).toEqual([1, Number.NaN, 3]);
    expect((c as { categories: string[]; codes: Int32Array }).categories).toEqual(["?"]);
    expect(Array.from((c as { codes: Int32Array }).codes)).toEqual([0, -1, -1]);
    expect((d as { values: Float64Array }).values[1]).toBeNaN();
    expect((d as { values: Float64Array }).values[0]).toBe(Date.UTC(2020, 0, 2));
  });
});
