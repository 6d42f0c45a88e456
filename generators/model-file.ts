/**
 * The model file: the fitted copula as one JSON object,
 *     { "format": "datalab-model", "version": 2, "generator": "gaussian-copula", …, "checksum": "sha256:…" }
 * where the checksum is the SHA-256 of the compact JSON of every other field, in order. Loading
 * checks, in this order: the file can be read, it is JSON, it is a datalab model, its version is
 * one this code reads, the checksum matches, and the content is structurally sound — each
 * failure a ModelFileError that says what to do. Files are written atomically (temp + rename).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../tabular/index.js";
import { type CopulaModel, GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, READABLE_MODEL_VERSIONS } from "./copula-model.js";
import { ModelFileError } from "./errors.js";

function checksumOf(body: string): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** The file's text: compact JSON (the tables are long; indentation would triple the size). */
export function serializeModel(model: CopulaModel): string {
  const { checksum: _ignored, ...content } = model as CopulaModel & { checksum?: string };
  const body = JSON.stringify(content);
  return `${JSON.stringify({ ...content, checksum: checksumOf(body) })}\n`;
}

export async function saveModel(path: string, model: CopulaModel): Promise<void> {
  await writeFileAtomic(path, serializeModel(model));
}

const REFIT = "fit a new one with `datalab synth <data> --model-out <file>`";

/** Parses and validates a model file's text; `path` only names the file in messages. */
export function parseModel(text: string, path: string): CopulaModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(path, `${path} is not a datalab model file (not valid JSON: it may be truncated or corrupted); ${REFIT}.`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || (parsed as { format?: unknown }).format !== MODEL_FORMAT) {
    throw new ModelFileError(path, `${path} is not a datalab model file (no "format": "${MODEL_FORMAT}"); pass a file written by --model-out.`);
  }
  const record = parsed as Record<string, unknown>;
  if (!READABLE_MODEL_VERSIONS.includes(record["version"] as number)) {
    throw new ModelFileError(
      path,
      `${path} is a version ${JSON.stringify(record["version"])} model file; this datalab reads versions ${READABLE_MODEL_VERSIONS.join(" and ")} (writes ${MODEL_VERSION}). Refit with this datalab (\`datalab synth <data> --model-out <file>\`) or use the datalab that wrote it.`,
    );
  }
  if (record["generator"] !== GENERATOR_NAME) {
    throw new ModelFileError(path, `${path} holds a "${String(record["generator"])}" model; \`datalab sample\` reads ${GENERATOR_NAME} models. Use the command of that generator.`);
  }
  const { checksum, ...content } = record;
  if (typeof checksum !== "string" || checksum !== checksumOf(JSON.stringify(content))) {
    throw new ModelFileError(path, `${path} is corrupted (its checksum does not match its content); restore the original file or ${REFIT}.`);
  }
  const problem = structuralProblem(content as unknown as CopulaModel);
  if (problem !== null) throw new ModelFileError(path, `${path} is inconsistent (${problem}); ${REFIT}.`);
  return content as unknown as CopulaModel;
}

export async function loadModel(path: string): Promise<CopulaModel> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? "unreadable");
    throw new ModelFileError(path, `cannot read model file ${path} (${reason}); check the path or ${REFIT}.`, { cause: error });
  }
  return parseModel(text, path);
}

/** A description of the first structural defect, or null. The checksum already guards against
 * accidental damage; this guards against hand-edited files with a recomputed checksum. */
function structuralProblem(model: CopulaModel): string | null {
  if (!Array.isArray(model.columns) || !Array.isArray(model.dimensions) || !Array.isArray(model.correlation)) return "columns, dimensions or correlation missing";
  if (model.schema?.columns?.length !== model.columns.length) return "schema and column models differ in length";
  const d = model.dimensions.length;
  if (model.correlation.length !== d * d) return `correlation has ${model.correlation.length} entries for ${d} dimensions`;
  for (const [i, dimension] of model.dimensions.entries()) {
    if (dimension.role === "value" && (!Array.isArray(dimension.table) || dimension.table.length !== model.zGrid?.knots)) return `dimension ${i} has a table of the wrong length`;
    if (dimension.role !== "value" && (!Array.isArray(dimension.cumulative) || dimension.cumulative.length < 2)) return `dimension ${i} has no category bounds`;
    if (!(dimension.column >= 0 && dimension.column < model.columns.length)) return `dimension ${i} points at no column`;
  }
  for (const column of model.columns) {
    if (column.kind === "categorical" && column.dimension !== null) {
      const dimension = model.dimensions[column.dimension];
      if (dimension?.role === "joint") {
        const member = dimension.members?.indexOf(model.columns.indexOf(column)) ?? -1;
        const cells = dimension.cells ?? [];
        if (member < 0 || cells.length !== dimension.cumulative?.length || cells.some((cell) => !(cell[member]! >= -1 && cell[member]! < column.categories.length))) {
          return `column "${column.name}" and its joint dimension disagree`;
        }
      } else if (dimension?.cumulative?.length !== column.order.length) return `column "${column.name}" and its dimension disagree`;
      if (column.order.some((code) => code < -1 || code >= column.categories.length)) return `column "${column.name}" has an unknown category code`;
    }
  }
  for (const column of model.columns) {
    const rule = column.kind === "text" ? undefined : column.derived;
    if (rule === undefined) continue;
    const source = model.columns[rule.source];
    if (source === undefined || source.kind === "text" || source.derived !== undefined) return `column "${column.name}" is derived from no modelled column`;
    if (rule.kind === "map" && (source.kind !== "categorical" || rule.map.length !== source.categories.length + 1)) return `column "${column.name}" has a bad map`;
  }
  return null;
}
