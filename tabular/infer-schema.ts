/**
 * `inferSchema(raw)`: one inferred ColumnSchema per column of the file, in file order, with the
 * warnings a user should read (PII found, mixed columns, empty columns, reader recoveries).
 */
import { inferColumn } from "./infer-column.js";
import type { RawTable } from "./raw-table.js";
import { SCHEMA_FORMAT_VERSION, type TableSchema } from "./schema.js";

export function inferSchema(raw: RawTable): { schema: TableSchema; warnings: string[] } {
  const warnings = [...raw.warnings];
  const columns = raw.columns.map((column) => {
    const inferred = inferColumn(column, raw.rowCount);
    warnings.push(...inferred.warnings);
    return inferred.schema;
  });
  return { schema: { version: SCHEMA_FORMAT_VERSION, columns }, warnings };
}
