import { describe, expect, it } from "vitest";
import { duckdbConnection } from "./duckdb-session.js";
import { readSourceColumns } from "./read-columns.js";

describe("readSourceColumns against DuckDB's own value reader", () => {
  it("gives the same numbers, texts and nulls on random data spanning many vectors", async () => {
    const connection = await duckdbConnection();
    try {
      // 60,007 rows: many 2,048-row vectors plus a partial one; nulls at random places; `u` has
      // more distinct values than the dictionary path takes, so it is read as plain strings.
      const source = `(SELECT
          CASE WHEN random() < 0.1 THEN NULL ELSE (random() - 0.5) * 1e6 END AS x,
          CASE WHEN random() < 0.2 THEN NULL ELSE 'label ' || CAST(floor(random() * 300) AS INTEGER) END AS label,
          CASE WHEN i % 97 = 0 THEN NULL ELSE CAST(i AS DOUBLE) END AS n,
          CASE WHEN i % 3 = 0 THEN 'it''s "quoted"' ELSE 'ünï' || CAST(i % 5 AS VARCHAR) END AS t,
          CASE WHEN i % 11 = 0 THEN NULL ELSE 'key-' || CAST(i AS VARCHAR) END AS u
        FROM range(60007) r(i))`;
      await connection.run(`CREATE TEMP TABLE reference_rows AS SELECT * FROM ${source}`);
      const reference = (await connection.runAndReadAll("SELECT x, label, n, t, u FROM reference_rows")).getColumns();
      const read = await readSourceColumns(connection, "reference_rows", [
        { expression: "x", kind: "double" },
        { expression: "label", kind: "text" },
        { expression: "n", kind: "double" },
        { expression: "t", kind: "text" },
        { expression: "u", kind: "text" },
      ]);
      expect(read.rowCount).toBe(60_007);
      expect(read.columns.map((c) => c.kind)).toEqual(["double", "text", "double", "text", "strings"]);
      const decoded = read.columns.map((column) => {
        if (column.kind === "double") return Array.from(column.values, (v) => (Number.isNaN(v) ? null : v));
        if (column.kind === "strings") return column.values;
        return Array.from(column.codes, (code) => (code < 0 ? null : column.dictionary[code]));
      });
      expect(decoded).toEqual(reference);
      await connection.run("DROP TABLE reference_rows");
    } finally {
      connection.closeSync();
    }
  });

  it("leaves no temp table or type behind, also when the source fails", async () => {
    const connection = await duckdbConnection();
    try {
      const before = (await connection.runAndReadAll("SELECT count(*) FROM duckdb_types() WHERE type_name LIKE 'datalab_read_%'")).getColumns()[0]![0];
      await readSourceColumns(connection, "(SELECT 'a' AS v)", [{ expression: "v", kind: "text" }]);
      await expect(readSourceColumns(connection, "(SELECT * FROM no_such_table)", [{ expression: "v", kind: "text" }])).rejects.toThrow();
      const after = (await connection.runAndReadAll("SELECT count(*) FROM duckdb_types() WHERE type_name LIKE 'datalab_read_%'")).getColumns()[0]![0];
      const tables = (await connection.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'datalab_read_%'")).getColumns()[0]![0];
      expect(after).toBe(before);
      expect(tables).toBe(0n);
    } finally {
      connection.closeSync();
    }
  });
});
