/** Public surface of tabular/: the table model, reading, schema inference and files. */
export type * from "./schema.js";
export { SCHEMA_FORMAT_VERSION } from "./schema.js";
export type * from "./table.js";
export { MISSING_CODE, isCategoricalColumn, isNumericColumn, isTextColumn } from "./table.js";
export type { RawBooleanColumn, RawColumn, RawDatetimeColumn, RawNumberColumn, RawTable, RawTextColumn, TableFileFormat } from "./raw-table.js";
export { NULL_TOKENS } from "./raw-table.js";
export { isDiskFull, SchemaError, TableReadError, TableWriteError } from "./errors.js";
export { formatFromPath, readRawTable } from "./read-table.js";
export { inferSchema } from "./infer-schema.js";
export { inferColumn } from "./infer-column.js";
export { applyColumnSchema, applySchema } from "./apply-schema.js";
export { loadTable } from "./load-table.js";
export { readSchemaFile, schemaToJson, validateSchema, writeSchemaFile } from "./schema-file.js";
export { type AtomicWriteOptions, syncDirectory, writeFileAtomic } from "./atomic-file.js";
export { CANDIDATE_DATETIME_FORMATS, formatDatetime, formatHasTime, parseDatetime } from "./datetime-format.js";
export { encodeTable, type TableWriter, type TableWriterOptions, openTableWriter, outputColumns, writeTable } from "./table-writer.js";
export { formatCells, formatNumber, quoteCell } from "./value-format.js";
export { idCapacityWarnings, idPatternCapacity, makeIds, parseIdPattern } from "./synthetic-ids.js";
export { fakePiiValues } from "./pii-fakes.js";
export { duckdbConnection, sqlIdentifier, sqlString } from "./duckdb-session.js";
export { checkOutputPaths, type NamedPath } from "./output-paths.js";
export { MakeDirectoryError, makeDirectory } from "./make-directory.js";
export { byteSizeText, checkRoomForOutput, freeBytesFor } from "./disk-space.js";
export {
  decodeScaledTarget,
  type EncodedFeatures,
  encodeFeatures,
  type FeatureColumnPlan,
  type FeaturePlan,
  type FeaturePlanOptions,
  planFeatures,
  type TargetPlan,
} from "./feature-encoding.js";
