/**
 * `datalab schema <input> [--schema base.json] [--out schema.json]` — print the inferred schema of
 * a table as JSON (warnings go to stderr), or write it to a file a user can edit and pass back.
 */
import { loadTable, readSchemaFile, schemaToJson, writeSchemaFile } from "../tabular/index.js";
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
].join("\n");

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("schema", argv, { out: { type: "string" }, schema: { type: "string" } }, { min: 1, max: 1, names: "one input table" });
  const input = positionals[0]!;
  const given = values.schema === undefined ? undefined : await readSchemaFile(values.schema);
  const { schema, warnings } = await loadTable(input, given === undefined ? {} : { schema: given });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  if (values.out === undefined) process.stdout.write(schemaToJson(schema));
  else {
    await writeSchemaFile(values.out, schema);
    process.stderr.write(`wrote the schema of ${schema.columns.length} columns to ${values.out}\n`);
  }
  return 0;
}
