/**
 * SDV's `metadata.json` (single-table, or a multi-table file holding one table; METADATA_SPEC V1)
 * → a datalab `TableSchema`, so tables described for SDV/SDMetrics can be scored here with the
 * same column types. sdtypes: numerical, categorical, boolean, datetime (its `datetime_format`),
 * id (and the primary key), and the PII sdtypes (email, phone_number, name, …, text).
 */
import { type ColumnSchema, SCHEMA_FORMAT_VERSION, type TableSchema } from "../tabular/index.js";
import { SdvMetadataError } from "./errors.js";

type SdvColumn = { sdtype?: unknown; datetime_format?: unknown; computer_representation?: unknown; regex_format?: unknown };

function tableColumns(metadata: unknown): { columns: Record<string, SdvColumn>; keys: Set<string> } {
  if (typeof metadata !== "object" || metadata === null) {
    throw new SdvMetadataError("SDV metadata must be a JSON object with `columns` (or `tables.<name>.columns`): check the metadata file.");
  }
  let table = metadata as Record<string, unknown>;
  if (typeof table["tables"] === "object" && table["tables"] !== null) {
    const tables = Object.values(table["tables"] as Record<string, unknown>);
    if (tables.length !== 1) {
      throw new SdvMetadataError(`SDV metadata describes ${tables.length} tables; datalab scores one table at a time: keep only the table you score.`);
    }
    table = tables[0] as Record<string, unknown>;
  }
  const columns = table["columns"];
  if (typeof columns !== "object" || columns === null) {
    throw new SdvMetadataError("SDV metadata has no `columns` object: check the metadata file.");
  }
  const keys = new Set<string>();
  if (typeof table["primary_key"] === "string") keys.add(table["primary_key"]);
  if (Array.isArray(table["alternate_keys"])) for (const key of table["alternate_keys"]) if (typeof key === "string") keys.add(key);
  return { columns: columns as Record<string, SdvColumn>, keys };
}

const PII_KINDS: Record<string, "email" | "phone" | "name" | "text"> = {
  email: "email",
  phone_number: "phone",
  name: "name",
  first_name: "name",
  last_name: "name",
  text: "text",
};

function columnSchema(name: string, column: SdvColumn, isKey: boolean): ColumnSchema {
  const sdtype = column.sdtype;
  if (isKey) return { name, type: "id", pattern: typeof column.regex_format === "string" ? column.regex_format : "integer" };
  // An id column that is neither the primary nor an alternate key is not checked for uniqueness
  // by SDMetrics (and never scored otherwise): text that takes no part in any metric.
  if (sdtype === "id") return { name, type: "pii", kind: "text", action: "drop" };
  switch (sdtype) {
    case "numerical": {
      const representation = typeof column.computer_representation === "string" ? column.computer_representation : "Float";
      const integer = /^U?Int/i.test(representation);
      return { name, type: "numerical", subtype: integer ? "integer" : "float", decimals: integer ? 0 : 6, min: null, max: null };
    }
    case "categorical":
      return { name, type: "categorical" };
    case "boolean":
      return { name, type: "boolean", trueLabel: "True", falseLabel: "False" };
    case "datetime":
      return { name, type: "datetime", format: typeof column.datetime_format === "string" ? column.datetime_format : "%Y-%m-%d %H:%M:%S" };
    default:
      if (typeof sdtype !== "string") {
        throw new SdvMetadataError(`column "${name}" has no sdtype in the SDV metadata: add "sdtype" to it.`);
      }
      return { name, type: "pii", kind: PII_KINDS[sdtype] ?? "text", action: "fake" };
  }
}

/** The schema of a table whose header is `columnOrder`, typed by the SDV metadata. */
export function schemaFromSdvMetadata(metadata: unknown, columnOrder: string[]): TableSchema {
  const { columns, keys } = tableColumns(metadata);
  const missing = columnOrder.filter((name) => !(name in columns));
  if (missing.length > 0) {
    throw new SdvMetadataError(`column(s) ${missing.map((n) => `"${n}"`).join(", ")} of the table are not in the SDV metadata: add them to its "columns".`);
  }
  const present = new Set(columnOrder);
  const extra = Object.keys(columns).filter((name) => !present.has(name));
  if (extra.length > 0) {
    throw new SdvMetadataError(
      `the SDV metadata lists column(s) ${extra.map((n) => `"${n}"`).join(", ")} that the table does not have: remove them or use the matching table.`,
    );
  }
  return {
    version: SCHEMA_FORMAT_VERSION,
    columns: columnOrder.map((name) => columnSchema(name, columns[name]!, keys.has(name))),
  };
}
