/**
 * Validation of a SubmitJob request at the boundary: every field checked with a message that
 * names it and the rule, defaults filled in, and a canonical digest of the spec so a retried
 * submit can be told apart from a different one under the same idempotency key.
 */
import { createHash } from "node:crypto";
import { type JobKindName, type JobSpecOut, type Manifest, manifestProblem, type SubmitJobRequestOut, toManifest, tunables } from "../proto/index.js";
import { ConditionError, DEFAULT_SYNTHESIZER_MODEL, epsilonProblem, modelOptionsProblem, parseWhere, unknownModelProblem } from "../generators/index.js";
import { resolveBundledInput } from "./bundled-inputs.js";
import { InvalidArgumentError } from "./errors.js";
import { validateFederatedSpec } from "./federation/federated-spec.js";
import { validateFederatedSynthesisSpec } from "./federation/synthesis-spec.js";
import type { ResourceDemand } from "./scheduler.js";

const KINDS: readonly JobKindName[] = ["JOB_KIND_SYNTHESIS", "JOB_KIND_SAMPLE"];
const MAX_ROWS = 100_000_000;
const MAX_SAFE_SEED = Number.MAX_SAFE_INTEGER;

export interface ValidatedSubmit {
  idempotencyKey: string;
  spec: JobSpecOut;
  specSha256: string;
  kind: JobKindName;
  demand: ResourceDemand;
  maxAttempts: number;
  /** The uploaded input's manifest (its chunks must exist), if the input is an upload. */
  upload: Manifest | undefined;
}

/** JSON with object keys sorted at every level, so equal specs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function bad(field: string, rule: string): InvalidArgumentError {
  return new InvalidArgumentError(`spec.${field} ${rule}`);
}

function parseJsonObject(field: string, text: string): void {
  if (text === "") return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      `spec.${field} is not valid JSON (${error instanceof Error ? error.message : String(error)}); send a JSON object or leave it empty.`,
      { cause: error },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad(field, "must be a JSON object or empty.");
}

/**
 * Options no model reads would be silently ignored, so they are refused; the one option is δ of a
 * differentially private fit. (An empty object is the same as none.)
 */
function refuseUnreadOptions(text: string, model: string, epsilon: number | undefined): void {
  if (text === "") return;
  const problem = modelOptionsProblem(model === "" ? DEFAULT_SYNTHESIZER_MODEL : model, epsilon, JSON.parse(text) as Record<string, unknown>);
  if (problem !== null) throw bad("model_options_json", `${problem}.`);
}

export function validateSubmit(request: SubmitJobRequestOut, defaultMaxAttempts: number): ValidatedSubmit {
  const key = request.idempotencyKey;
  if (key.length === 0 || key.length > tunables.maxIdempotencyKeyLength || [...key].some((c) => c.charCodeAt(0) < 32)) {
    throw new InvalidArgumentError(
      `idempotency_key must be 1..${tunables.maxIdempotencyKeyLength} printable characters (e.g. a UUID), got ${key.length} characters.`,
    );
  }
  const spec = request.spec;
  if (spec === null) throw new InvalidArgumentError("spec is missing; say what to run (kind, input, rows, model).");
  if (spec.kind === "JOB_KIND_FEDERATED_TRAINING") return validateFederatedSubmit(key, spec);
  if (spec.kind === "JOB_KIND_FEDERATED_SYNTHESIS") return validateFederatedSynthesisSubmit(key, spec);
  if (spec.federated != null) throw bad("federated", "applies to FEDERATED_TRAINING jobs only; leave it unset.");
  if (!KINDS.includes(spec.kind)) throw bad("kind", `must be one of ${KINDS.join(", ")}, got ${spec.kind}.`);
  if (!Number.isInteger(spec.rows) || spec.rows < 1 || spec.rows > MAX_ROWS)
    throw bad("rows", `must be a whole number from 1 to ${MAX_ROWS}, got ${spec.rows}.`);
  if (spec.kind === "JOB_KIND_SYNTHESIS") {
    const unknown = unknownModelProblem(spec.model);
    if (unknown !== null) throw bad("model", `${unknown}.`);
  }
  if (spec.seed !== undefined && (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > MAX_SAFE_SEED))
    throw bad("seed", `must be a whole number from 0 to ${MAX_SAFE_SEED}.`);
  if (spec.epsilon !== undefined && !(Number.isFinite(spec.epsilon) && spec.epsilon > 0))
    throw bad("epsilon", `must be a positive finite number, got ${spec.epsilon}.`);
  if (spec.epsilon !== undefined && spec.kind !== "JOB_KIND_SYNTHESIS") {
    throw bad("epsilon", "applies to SYNTHESIS jobs only (sampling a saved model spends no privacy budget); leave it unset.");
  }
  // The one rule for epsilon (generators/model-names.ts): only a DP model may be asked for a budget.
  const epsilonRefusal = epsilonProblem(spec.model, spec.epsilon);
  if (epsilonRefusal !== null) throw new InvalidArgumentError(`spec.epsilon: ${epsilonRefusal}.`);
  if (spec.maxAttempts > tunables.maxMaxAttempts)
    throw bad("max_attempts", `must be 0 (default ${defaultMaxAttempts}) to ${tunables.maxMaxAttempts}, got ${spec.maxAttempts}.`);
  if (spec.displayName.length > 200) throw bad("display_name", "must be at most 200 characters.");
  if (!["", "csv", "parquet"].includes(spec.outputFormat)) throw bad("output_format", `must be "csv", "parquet" or empty, got "${spec.outputFormat}".`);
  parseJsonObject("schema_json", spec.schemaJson);
  parseJsonObject("model_options_json", spec.modelOptionsJson);
  refuseUnreadOptions(spec.modelOptionsJson, spec.model, spec.epsilon);
  let conditionRows = 0;
  for (const [i, condition] of spec.conditions.entries()) {
    if (Object.keys(condition.columnValues).length === 0 && condition.where.trim() === "")
      throw bad(`conditions[${i}]`, "must name at least one column in column_values or where.");
    if (condition.where !== "") {
      try {
        parseWhere(condition.where);
      } catch (error) {
        if (error instanceof ConditionError) throw bad(`conditions[${i}].where`, `is not valid: ${error.message}`);
        throw error;
      }
    }
    if (!Number.isInteger(condition.rows) || condition.rows < 1) throw bad(`conditions[${i}].rows`, "must be a whole number of at least 1.");
    conditionRows += condition.rows;
  }
  if (conditionRows > spec.rows) throw bad("conditions", `ask for ${conditionRows} rows in total, more than spec.rows (${spec.rows}).`);
  if (spec.scoring?.holdoutUri) {
    const holdout = resolveBundledInput(spec.scoring.holdoutUri);
    if ("problem" in holdout) throw bad("scoring.holdout_uri", `is not usable: ${holdout.problem}.`);
  }

  let upload: Manifest | undefined;
  const input = spec.input;
  if (input === null || (input.upload == null && !input.bundledUri)) {
    throw bad("input", "is missing; upload the table with UploadChunk and pass its manifest, or name bundled data like vega:penguins.json.");
  }
  if (input.upload) {
    upload = toManifest(input.upload);
    const problem = manifestProblem(upload);
    if (problem !== undefined) throw bad("input.upload", `is not a valid manifest: ${problem}.`);
    if (upload.sizeBytes === 0) throw bad("input.upload", "is an empty file; upload the table's bytes.");
  } else {
    const resolved = resolveBundledInput(input.bundledUri ?? "");
    if ("problem" in resolved) throw bad("input.bundled_uri", `is not usable: ${resolved.problem}.`);
  }

  const r = spec.resources;
  const demand: ResourceDemand = {
    gpuCount: r?.gpuCount ?? 0,
    gpuMemoryBytes: r?.gpuMemoryBytes ?? 0,
    cpuCores: r?.cpuCores ?? 0,
    memoryBytes: r?.memoryBytes ?? 0,
  };
  if (demand.gpuCount > 64) throw bad("resources.gpu_count", `must be at most 64, got ${demand.gpuCount}.`);
  if (demand.gpuCount === 0 && demand.gpuMemoryBytes > 0)
    throw bad("resources.gpu_memory_bytes", "is set but gpu_count is 0; ask for at least one GPU or clear the memory.");
  const maxAttempts = spec.maxAttempts === 0 ? defaultMaxAttempts : spec.maxAttempts;
  const specSha256 = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  return { idempotencyKey: key, spec, specSha256, kind: spec.kind, demand, maxAttempts, upload };
}

/**
 * A FEDERATED_TRAINING job reads no input and samples no rows: the holders hold the data. Its
 * settings are spec.federated (federation/federated-spec.ts), its budget spec.epsilon.
 */
function validateFederatedSubmit(key: string, spec: JobSpecOut): ValidatedSubmit {
  if (spec.input !== null && (spec.input.upload != null || spec.input.bundledUri)) {
    throw bad("input", "must be unset for a federated job (the holders keep the data); name the dataset in federated.dataset_id.");
  }
  if (spec.seed !== undefined && (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > MAX_SAFE_SEED))
    throw bad("seed", `must be a whole number from 0 to ${MAX_SAFE_SEED}.`);
  if (spec.epsilon !== undefined && !(Number.isFinite(spec.epsilon) && spec.epsilon > 0))
    throw bad("epsilon", `must be a positive finite number, got ${spec.epsilon}.`);
  if (spec.displayName.length > 200) throw bad("display_name", "must be at most 200 characters.");
  if (spec.conditions.length > 0 || spec.scoring?.enabled) throw bad("conditions", "and scoring do not apply to a federated training job; leave them unset.");
  validateFederatedSpec(spec);
  const specSha256 = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  const demand: ResourceDemand = { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 0, memoryBytes: 0 };
  return { idempotencyKey: key, spec, specSha256, kind: spec.kind, demand, maxAttempts: 1, upload: undefined };
}

/**
 * A FEDERATED_SYNTHESIS job reads no input: the holders measure their rows (federation/
 * synthesis-spec.ts). spec.epsilon is each holder's budget, spec.rows the corpus size.
 */
function validateFederatedSynthesisSubmit(key: string, spec: JobSpecOut): ValidatedSubmit {
  if (spec.input !== null && (spec.input.upload != null || spec.input.bundledUri)) {
    throw bad("input", "must be unset for a federated job (the holders keep the data); name the dataset in federated.dataset_id.");
  }
  if (!Number.isInteger(spec.rows) || spec.rows < 1 || spec.rows > MAX_ROWS)
    throw bad("rows", `must be a whole number from 1 to ${MAX_ROWS}, got ${spec.rows}.`);
  if (spec.seed !== undefined && (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > MAX_SAFE_SEED))
    throw bad("seed", `must be a whole number from 0 to ${MAX_SAFE_SEED}.`);
  if (spec.displayName.length > 200) throw bad("display_name", "must be at most 200 characters.");
  if (spec.conditions.length > 0 || spec.scoring?.enabled)
    throw bad("conditions", "and scoring do not apply to a federated synthesis job (the holders score the corpus); leave them unset.");
  validateFederatedSynthesisSpec(spec);
  const specSha256 = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  const demand: ResourceDemand = { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 0, memoryBytes: 0 };
  return { idempotencyKey: key, spec, specSha256, kind: spec.kind, demand, maxAttempts: 1, upload: undefined };
}
