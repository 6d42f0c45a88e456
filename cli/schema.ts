/**
 * `datalab schema <input> [--schema base.json] [--out schema.json]` — print the inferred schema of
 * a table as JSON (warnings go to stderr), or write it to a file a user can edit and pass back.
 */
import { loadTable, readSchemaFile, schemaToJson, type Table, type TableSchema, writeSchemaFile } from "../tabular/index.js";
import { parseFlags } from "./parse-flags.js";

export const usage = [
  "usage: datalab schema <input> [--out schema.json] [--schema base.json]",
  "",
  "Reads a table (.csv, .tsv, .parquet, .json, .ndjson) and prints its schema as JSON: one entry",
  "per column with its type (numerical, categorical, boolean, datetime, id, pii) and details.",
  "Edit the file and pass it back with --schema to any command to override the inference.",
  "",
  "  --out PATH      write the schema to PATH (atomically) instead of printing it",
  "  --schema PATH   start from this schema; columns it does not name are inferred",
  "  --categories    also list each categorical column's labels (its domain): differentially",
  "                  private fits (`datalab synth --epsilon`) need it. The labels are read from this",
  "                  table; review them (remove rare ones that identify someone, add missing ones).",
].join("\n");

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "schema",
    argv,
    { out: { type: "string" }, schema: { type: "string" }, categories: { type: "boolean" } },
    { min: 1, max: 1, names: "one input table" },
  );
  const input = positionals[0]!;
  const given = values.schema === undefined ? undefined : await readSchemaFile(values.schema);
  const { table, schema: inferred, warnings } = await loadTable(input, given === undefined ? {} : { schema: given });
  const schema = values.categories === true ? withCategories(inferred, table) : inferred;
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  if (values.out === undefined) process.stdout.write(schemaToJson(schema));
  else {
    await writeSchemaFile(values.out, schema);
    process.stderr.write(`wrote the schema of ${schema.columns.length} columns to ${values.out}\n`);
  }
  return 0;
}

/** The schema with each categorical column's labels (sorted, as a domain has no order) unless it already lists them. */
function withCategories(schema: TableSchema, table: Table): TableSchema {
  return {
    ...schema,
    columns: schema.columns.map((column, index) => {
      const data = table.columns[index];
      if (column.type !== "categorical" || column.categories !== undefined || data === undefined || !("categories" in data)) return column;
      return { ...column, categories: [...data.categories].sort() };
    }),
  };
}
