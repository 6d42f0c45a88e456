/**
 * The boundary between the node agent (leases, progress, uploads) and the job code: a task runner
 * is ONE function, `(request, hooks) => result files`. The agent never knows how a synthesis is
 * computed; the runner never knows about gRPC. `taskRunRequestOf` turns a leased Task's JobSpec
 * into the runner's request, rejecting what this node cannot run with a non-retryable error.
 */
import { createHash } from "node:crypto";
import type { JobSpecOut } from "../proto/index.js";
import type { SpoolFileKind } from "./result-spool.js";

export type TaskKind = "synthesis" | "sample";

export interface TaskRunRequest {
  jobId: string;
  taskId: string;
  kind: TaskKind;
  /** Local path of the input table (synthesis) or model file (sample). */
  inputPath: string;
  /** Empty folder for this attempt's outputs. */
  outputDir: string;
  rows: number;
  seed: number;
  /** Conditions in `datalab synth --where` syntax (column_values and the condition's where text), or undefined. */
  where: string | undefined;
  /** TableSchema JSON from the job, or undefined to infer on the node. */
  schemaJson: string | undefined;
  outputFormat: "csv" | "parquet";
  model: string;
  modelOptions: Record<string, unknown>;
  /** Differential-privacy ε of the job (JobSpec.epsilon); undefined = not a DP job. */
  epsilon?: number | undefined;
  scoring: { enabled: boolean; privacy: boolean; holdoutPath: string | undefined; targetColumn: string | undefined };
}

export interface TaskRunFile {
  kind: SpoolFileKind;
  /** Where the file is, or (with `data`) where it goes if it has to be kept on disk. */
  path: string;
  name: string;
  mediaType: string;
  /** The file's bytes, when the runner kept a small output in memory instead of writing `path`. */
  data?: Uint8Array;
}

export interface TaskRunResult {
  files: TaskRunFile[];
  /** Short JSON for listings (scores, rows, seconds). */
  summaryJson: string;
}

export interface TaskRunHooks {
  /** fraction in [0, 1]; phase e.g. "load", "fit", "sample", "score". */
  onProgress(fraction: number, phase: string, message?: string): void;
  /** Aborted when the job is cancelled, the lease is lost, or the node hands the task back. */
  signal: AbortSignal;
}

export type TaskRunner = (request: TaskRunRequest, hooks: TaskRunHooks) => Promise<TaskRunResult>;

/** A task this node cannot run as specified: retrying elsewhere will not help. */
export class TaskSpecError extends Error {
  override readonly name = "TaskSpecError";
}

/**
 * Error classes that mean "the job's input or settings are wrong": FailTask with retryable=false
 * so the job fails at once with the message, instead of burning its attempts.
 */
const inputErrorNames = new Set([
  "TaskSpecError",
  "TableReadError",
  "SchemaError",
  "ConditionError",
  "ModelFileError",
  "TrainingInputError",
  "BundledInputError",
  "ChunkIntegrityError",
  "ScoringInputError",
]);

export function isRetryableTaskError(error: unknown): boolean {
  return !(error instanceof Error && inputErrorNames.has(error.name));
}

/** A seed for jobs that did not give one: derived from the job id, so every attempt samples the same rows. */
export function seedForJob(jobId: string): number {
  const digest = createHash("sha256").update(jobId).digest();
  // 48 bits: well inside 2^53, as the spec's seed range requires.
  return digest.readUIntBE(0, 6);
}

/** Quotes a --where value when it holds a separator or quote. */
function whereValue(value: string): string {
  return /[,"=<>!\s]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function taskRunRequestOf(
  ids: { jobId: string; taskId: string },
  spec: JobSpecOut,
  paths: { inputPath: string; outputDir: string; holdoutPath: string | undefined },
): TaskRunRequest {
  const kind: TaskKind | undefined = spec.kind === "JOB_KIND_SYNTHESIS" ? "synthesis" : spec.kind === "JOB_KIND_SAMPLE" ? "sample" : undefined;
  if (kind === undefined) throw new TaskSpecError(`job kind ${spec.kind} is not one this node runs (SYNTHESIS, SAMPLE); upgrade the node.`);
  if (spec.conditions.length > 1) {
    throw new TaskSpecError(`the job has ${spec.conditions.length} condition groups; this node runs one group per job: submit one job per group.`);
  }
  const condition = spec.conditions[0];
  // The equality terms of column_values and the condition's own --where text, ANDed.
  const terms =
    condition === undefined
      ? []
      : [
          ...Object.entries(condition.columnValues).map(([column, value]) => `${column}=${whereValue(value)}`),
          ...(condition.where.trim() === "" ? [] : [condition.where]),
        ];
  const where = terms.length === 0 ? undefined : terms.join(",");
  const format = spec.outputFormat === "" ? "csv" : spec.outputFormat;
  if (format !== "csv" && format !== "parquet") throw new TaskSpecError(`output format "${spec.outputFormat}" is not supported: use csv or parquet.`);
  let modelOptions: Record<string, unknown> = {};
  if (spec.modelOptionsJson !== "") {
    try {
      const parsed: unknown = JSON.parse(spec.modelOptionsJson);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      modelOptions = parsed as Record<string, unknown>;
    } catch (error) {
      throw new TaskSpecError(`model options must be a JSON object, got ${JSON.stringify(spec.modelOptionsJson.slice(0, 80))}.`, { cause: error });
    }
  }
  return {
    jobId: ids.jobId,
    taskId: ids.taskId,
    kind,
    inputPath: paths.inputPath,
    outputDir: paths.outputDir,
    rows: spec.rows,
    seed: spec.seed ?? seedForJob(ids.jobId),
    where,
    schemaJson: spec.schemaJson === "" ? undefined : spec.schemaJson,
    outputFormat: format,
    model: spec.model === "" ? "gaussian_copula" : spec.model,
    modelOptions,
    epsilon: spec.epsilon,
    scoring: {
      enabled: spec.scoring?.enabled ?? false,
      privacy: spec.scoring?.privacy ?? false,
      holdoutPath: paths.holdoutPath,
      targetColumn: spec.scoring?.targetColumn === "" || spec.scoring === null ? undefined : spec.scoring.targetColumn,
    },
  };
}
