import { describe, expect, it } from "vitest";
import { duckdbConnection } from "./duckdb-session.js";
import { readSourceColumns } from "./read-columns.js";

describe("readSourceColumns against DuckDB's own value reader", () => {
  it("gives the same numbers, texts and nulls on random data spanning many vectors", async () => {
    const connection = await duckdbConnection();
    try {
      // 10,007 rows: several 2,048-row vectors plus a partial one; nulls at random places.
      const source = `(SELECT
          CASE WHEN random() < 0.1 THEN NULL ELSE (random() - 0.5) * 1e6 END AS x,
          CASE WHEN random() < 0.2 THEN NULL ELSE 'label ' || CAST(floor(random() * 300) AS INTEGER) END AS label,
          CASE WHEN i % 97 = 0 THEN NULL ELSE CAST(i AS DOUBLE) END AS n,
          CASE WHEN i % 3 = 0 THEN 'it''s "quoted"' ELSE 'ünï' || CAST(i % 5 AS VARCHAR) END AS t
        FROM range(10007) r(i))`;
      await connection.run(`CREATE TEMP TABLE reference_rows AS SELECT * FROM ${source}`);
      const reference = (await connection.runAndReadAll("SELECT x, label, n, t FROM reference_rows")).getColumns();
      const read = await readSourceColumns(connection, "reference_rows", [
        { expression: "x", kind: "double" },
        { expression: "label", kind: "text" },
        { expression: "n", kind: "double" },
        { expression: "t", kind: "text" },
      ]);
      expect(read.rowCount).toBe(10_007);
      const decoded = read.columns.map((column) =>
        column.kind === "double"
          ? Array.from(column.values, (v) => (Number.isNaN(v) ? null : v))
          : Array.from(column.codes, (code) => (code < 0 ? null : column.dictionary[code])),
      );
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
