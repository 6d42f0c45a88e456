/**
 * The schema as a JSON file users save, edit and pass back with `--schema`. Reading validates
 * every field and fails with one SchemaError line naming the column, the field and the fix.
 * Optional fields may be left out and get defaults (see tabular/README.md).
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "./atomic-file.js";
import { SchemaError } from "./errors.js";
import { DATETIME_DIRECTIVES, unknownDatetimeDirectives } from "./datetime-format.js";
import { parseIdPattern } from "./synthetic-ids.js";
import { SCHEMA_FORMAT_VERSION, type ColumnSchema, type TableSchema } from "./schema.js";

/** Key under which Parquet files written by datalab keep their schema (key-value metadata). */
export const EMBEDDED_SCHEMA_KEY = "datalab.schema";

const COLUMN_TYPES = ["numerical", "categorical", "boolean", "datetime", "id", "pii"] as const;
const ALLOWED_KEYS: Record<ColumnSchema["type"], readonly string[]> = {
  numerical: ["name", "type", "subtype", "decimals", "min", "max"],
  categorical: ["name", "type", "categories"],
  boolean: ["name", "type", "trueLabel", "falseLabel"],
  datetime: ["name", "type", "format"],
  id: ["name", "type", "pattern"],
  pii: ["name", "type", "kind", "action", "shape"],
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates a parsed schema document; `source` names it in messages (a path, or "schema"). */
export function validateSchema(document: unknown, source = "schema"): TableSchema {
  if (!isObject(document))
    throw new SchemaError(`${source}: expected a JSON object with "version" and "columns"; run \`datalab schema <table>\` to get a valid one.`);
  if (document["version"] !== SCHEMA_FORMAT_VERSION) {
    throw new SchemaError(
      `${source}: "version" is ${JSON.stringify(document["version"])} but this datalab reads version ${SCHEMA_FORMAT_VERSION}; regenerate it with \`datalab schema <table>\`.`,
    );
  }
  const columns = document["columns"];
  if (!Array.isArray(columns)) throw new SchemaError(`${source}: "columns" must be an array of column objects.`);
  for (const key of Object.keys(document)) {
    if (key !== "version" && key !== "columns")
      throw new SchemaError(`${source}: unknown field "${key}" at the top level; only "version" and "columns" are allowed.`);
  }
  const seen = new Set<string>();
  const out = columns.map((column, index) => {
    const parsed = validateColumn(column, `${source}: column ${index + 1}`);
    if (seen.has(parsed.name)) throw new SchemaError(`${source}: column "${parsed.name}" appears twice; keep one entry per column.`);
    seen.add(parsed.name);
    return parsed;
  });
  return { version: SCHEMA_FORMAT_VERSION, columns: out };
}

function validateColumn(column: unknown, where: string): ColumnSchema {
  if (!isObject(column)) throw new SchemaError(`${where}: expected an object like {"name": "age", "type": "numerical"}.`);
  const name = column["name"];
  if (typeof name !== "string" || name === "") throw new SchemaError(`${where}: "name" must be a non-empty string (the column's header in the file).`);
  const at = `${where} ("${name}")`;
  const type = column["type"];
  if (typeof type !== "string" || !(COLUMN_TYPES as readonly string[]).includes(type)) {
    throw new SchemaError(`${at}: unknown type ${JSON.stringify(type)}; use one of ${COLUMN_TYPES.join(", ")}.`);
  }
  const columnType = type as ColumnSchema["type"];
  for (const key of Object.keys(column)) {
    if (!ALLOWED_KEYS[columnType].includes(key))
      throw new SchemaError(`${at}: unknown field "${key}" for type ${type}; allowed: ${ALLOWED_KEYS[columnType].join(", ")}.`);
  }
  const str = (key: string, fallback?: string): string => {
    const value = column[key] ?? fallback;
    if (typeof value !== "string" || value === "") throw new SchemaError(`${at}: "${key}" must be a non-empty string.`);
    return value;
  };
  const oneOf = <T extends string>(key: string, options: readonly T[], fallback?: T): T => {
    const value = column[key] ?? fallback;
    if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
      throw new SchemaError(`${at}: "${key}" is ${JSON.stringify(value)}; use one of ${options.join(", ")}.`);
    }
    return value as T;
  };
  switch (columnType) {
    case "numerical": {
      const subtype = oneOf("subtype", ["integer", "float"] as const, "float");
      const decimals = column["decimals"] ?? (subtype === "integer" ? 0 : 6);
      if (typeof decimals !== "number" || !Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
        throw new SchemaError(`${at}: "decimals" must be a whole number from 0 to 20.`);
      }
      const bound = (key: "min" | "max"): number | null => {
        const value = column[key] ?? null;
        if (value !== null && (typeof value !== "number" || !Number.isFinite(value))) throw new SchemaError(`${at}: "${key}" must be a number or null.`);
        return value;
      };
      const min = bound("min");
      const max = bound("max");
      if (min !== null && max !== null && min > max) throw new SchemaError(`${at}: "min" (${min}) is greater than "max" (${max}); swap them.`);
      return { name, type: "numerical", subtype, decimals: subtype === "integer" ? 0 : decimals, min, max };
    }
    case "categorical": {
      const categories = column["categories"];
      if (categories === undefined) return { name, type: "categorical" };
      if (!Array.isArray(categories) || categories.length === 0 || categories.some((label) => typeof label !== "string")) {
        throw new SchemaError(`${at}: "categories" must be a non-empty array of strings (every label the column may take).`);
      }
      if (new Set(categories).size !== categories.length) throw new SchemaError(`${at}: "categories" lists a label twice; keep each label once.`);
      return { name, type: "categorical", categories: [...(categories as string[])] };
    }
    case "boolean": {
      const trueLabel = str("trueLabel", "true");
      const falseLabel = str("falseLabel", "false");
      if (trueLabel === falseLabel) throw new SchemaError(`${at}: "trueLabel" and "falseLabel" are both "${trueLabel}"; give two different labels.`);
      return { name, type: "boolean", trueLabel, falseLabel };
    }
    case "datetime": {
      const format = str("format");
      if (!format.includes("%"))
        throw new SchemaError(`${at}: "format" ${JSON.stringify(format)} has no strftime directive; use e.g. "%Y-%m-%d" or "%d/%m/%Y %H:%M".`);
      const unknown = unknownDatetimeDirectives(format);
      if (unknown.length > 0) {
        throw new SchemaError(`${at}: "format" ${JSON.stringify(format)} has the unknown directive ${unknown[0]}; datalab reads ${DATETIME_DIRECTIVES}.`);
      }
      return { name, type: "datetime", format };
    }
    case "id": {
      const pattern = str("pattern", "{alnum:12}");
      try {
        parseIdPattern(pattern);
      } catch (error) {
        throw new SchemaError(`${at}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      return { name, type: "id", pattern };
    }
    case "pii": {
      const kind = oneOf("kind", ["email", "phone", "name", "text"] as const);
      const action = oneOf("action", ["fake", "drop"] as const, "fake");
      const shape = column["shape"];
      if (shape !== undefined && typeof shape !== "string") throw new SchemaError(`${at}: "shape" must be a string such as "+1 ###-###-####".`);
      return shape === undefined ? { name, type: "pii", kind, action } : { name, type: "pii", kind, action, shape };
    }
  }
}

/** Reads and validates a schema file; SchemaError (one line) on a missing or bad file. */
export async function readSchemaFile(path: string): Promise<TableSchema> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "not found" : `cannot be read (${code ?? String(error)})`;
    throw new SchemaError(`schema file ${path} ${what}; check the path, or create one with \`datalab schema <table> --out ${path}\`.`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new SchemaError(`schema file ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix the syntax.`, {
      cause: error,
    });
  }
  return validateSchema(document, `schema file ${path}`);
}

/** The schema as pretty JSON text (what `datalab schema` prints and writes). */
export function schemaToJson(schema: TableSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Writes a schema file atomically (temp file + rename). */
export async function writeSchemaFile(path: string, schema: TableSchema): Promise<void> {
  await writeFileAtomic(path, schemaToJson(schema));
}
