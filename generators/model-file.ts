/**
 * The model file: the fitted copula as one JSON object,
 *     { "format": "datalab-model", "version": 2, "generator": "gaussian-copula", …, "checksum": "sha256:…" }
 * where the checksum is the SHA-256 of the compact JSON of every other field, in order. Loading
 * checks, in this order: the file can be read, it is JSON, it is a datalab model, its version is
 * one this code reads, the checksum matches, and the content is structurally sound
 * (model-structure.ts: every field's type and range, named by its JSON path) — each
 * failure a ModelFileError that says what to do. Files are written atomically (temp + rename).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../tabular/index.js";
import { type CopulaModel, GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, READABLE_MODEL_VERSIONS } from "./copula-model.js";
import { ModelFileError } from "./errors.js";
import { MST_GENERATOR_NAME, type MstModel } from "./mst/mst-model.js";
import { AIM_GENERATOR_NAME, type AimModel, aimModelProblem } from "./aim/aim-model.js";
import { NEURAL_GENERATORS, type NeuralModel, parseNeuralModel, serializeNeuralModel } from "./ctgan/neural-model.js";

/** Any model `datalab synth --model-out` writes: a (DP) Gaussian copula, a tree model (MST / Chow–Liu), an AIM junction tree or a neural one (CTGAN / TVAE). */
export type SynthModel = CopulaModel | MstModel | AimModel | NeuralModel;

export function isNeuralModel(model: SynthModel): model is NeuralModel {
  return (NEURAL_GENERATORS as readonly string[]).includes(model.generator);
}
import { modelStructureProblem } from "./model-structure.js";

function checksumOf(body: string): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** The file's text: compact JSON (the tables are long; indentation would triple the size). */
export function serializeModel(model: SynthModel): string {
  const { checksum: _ignored, ...content } = model as SynthModel & { checksum?: string };
  const body = JSON.stringify(content);
  return `${JSON.stringify({ ...content, checksum: checksumOf(body) })}\n`;
}

export async function saveModel(path: string, model: SynthModel): Promise<void> {
  await writeFileAtomic(path, isNeuralModel(model) ? serializeNeuralModel(model) : serializeModel(model));
}

const REFIT = "fit a new one with `datalab synth <data> --model-out <file>`";

/** Parses and validates a Gaussian copula model file's text; `path` only names the file in messages. */
export function parseModel(text: string, path: string): CopulaModel {
  const model = parseSynthModel(text, path);
  if (model.generator !== GENERATOR_NAME) {
    throw new ModelFileError(path, `${path} holds a "${model.generator}" model; this command reads ${GENERATOR_NAME} models. Use \`datalab sample\` for it.`);
  }
  return model;
}

/** Parses and validates any model file's text (copula or tree model). */
export function parseSynthModel(text: string, path: string): SynthModel {
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
  // CTGAN / TVAE files carry their own version, checksum and weights (ctgan/neural-model.ts).
  if ((NEURAL_GENERATORS as readonly unknown[]).includes(record["generator"])) return parseNeuralModel(record, path);
  if (!READABLE_MODEL_VERSIONS.includes(record["version"] as number)) {
    throw new ModelFileError(
      path,
      `${path} is a version ${JSON.stringify(record["version"])} model file; this datalab reads versions ${READABLE_MODEL_VERSIONS.join(" and ")} (writes ${MODEL_VERSION}). Refit with this datalab (\`datalab synth <data> --model-out <file>\`) or use the datalab that wrote it.`,
    );
  }
  if (record["generator"] !== GENERATOR_NAME && record["generator"] !== MST_GENERATOR_NAME && record["generator"] !== AIM_GENERATOR_NAME) {
    throw new ModelFileError(
      path,
      `${path} holds a "${String(record["generator"])}" model; \`datalab sample\` reads ${[GENERATOR_NAME, MST_GENERATOR_NAME, AIM_GENERATOR_NAME, ...NEURAL_GENERATORS].join(", ")} models. Use the command of that generator.`,
    );
  }
  const { checksum, ...content } = record;
  if (typeof checksum !== "string" || checksum !== checksumOf(JSON.stringify(content))) {
    throw new ModelFileError(path, `${path} is corrupted (its checksum does not match its content); restore the original file or ${REFIT}.`);
  }
  // The checksum guards against accidental damage; this against hand-edited files with a recomputed checksum.
  const problem =
    record["generator"] === MST_GENERATOR_NAME
      ? treeProblem(content as unknown as MstModel)
      : record["generator"] === AIM_GENERATOR_NAME
        ? aimModelProblem(content as unknown as AimModel)
        : (modelStructureProblem(content)?.toString() ?? null);
  if (problem !== null) throw new ModelFileError(path, `${path} is inconsistent (${problem}); ${REFIT}.`);
  return content as unknown as SynthModel;
}

export async function loadModel(path: string): Promise<CopulaModel> {
  return parseModel(await readModelText(path), path);
}

/** Loads any model file (copula or tree model). */
export async function loadSynthModel(path: string): Promise<SynthModel> {
  return parseSynthModel(await readModelText(path), path);
}

/** The first structural defect of a tree model, or null. */
function treeProblem(model: MstModel): string | null {
  const d = model.attributes?.length;
  if (
    !Array.isArray(model.attributes) ||
    !Array.isArray(model.compression) ||
    !Array.isArray(model.order) ||
    !Array.isArray(model.parent) ||
    !Array.isArray(model.probabilities)
  ) {
    return "attributes, compression, order, parent or probabilities missing";
  }
  if (model.compression.length !== d || model.parent.length !== d || model.probabilities.length !== d || model.order.length !== d)
    return "the tree's arrays differ in length";
  for (let i = 0; i < d; i++) {
    const size = model.compression[i]!.groups.length;
    const parent = model.parent[i]!;
    const parentSize = parent < 0 ? 1 : model.compression[parent]?.groups.length;
    if (parentSize === undefined || model.probabilities[i]!.length !== size * parentSize) return `attribute ${i} has a probability table of the wrong size`;
    if (model.compression[i]!.groups.some((group) => group.some((cell) => !(cell >= 0 && cell < model.attributes[i]!.size))))
      return `attribute ${i} has an unknown cell`;
  }
  return null;
}

async function readModelText(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? "unreadable");
    throw new ModelFileError(path, `cannot read model file ${path} (${reason}); check the path or ${REFIT}.`, { cause: error });
  }
  return text;
}
