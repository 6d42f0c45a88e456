/**
 * `loadTable(path, { schema })`: read a file and type it, by the given schema or by inference.
 * The returned schema is the effective one (given columns, plus inferred ones for columns the
 * given schema did not name, with numeric ranges filled in from the data).
 */
import { applySchema } from "./apply-schema.js";
import { inferSchema } from "./infer-schema.js";
import { readRawTable } from "./read-table.js";
import { SCHEMA_FORMAT_VERSION, type TableSchema } from "./schema.js";
import type { Table } from "./table.js";

export async function loadTable(path: string, options: { schema?: TableSchema } = {}): Promise<{ table: Table; schema: TableSchema; warnings: string[] }> {
  const raw = await readRawTable(path);
  // A schema given by the caller wins; else the one the file carries; else inference.
  let schema = options.schema ?? raw.embeddedSchema;
  const warnings = [...raw.warnings];
  if (schema === undefined) {
    const inferred = inferSchema(raw);
    schema = inferred.schema;
    warnings.splice(0, warnings.length, ...inferred.warnings);
  }
  const applied = applySchema(raw, schema);
  warnings.push(...applied.warnings);
  return { table: applied.table, schema: { version: SCHEMA_FORMAT_VERSION, columns: applied.table.columns.map((c) => c.schema) }, warnings };
}
