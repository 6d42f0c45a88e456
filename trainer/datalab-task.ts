/**
 * The task runner real nodes use: a SYNTHESIS task runs `runSynthesisJob` (the very function
 * behind `datalab synth`: load, fit the copula, CTGAN or TVAE, sample to a file in chunks, score), a SAMPLE task
 * runs `runSampleJob` (behind `datalab sample`). Outputs land in the attempt's folder with fixed
 * names, so the coordinator's result listing looks the same for every job.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mediaTypeForName, tunables } from "../proto/index.js";
import { DpInputError, openSampler, sampleToFile, type SynthModelName } from "../generators/index.js";
import { encodeTable, writeFileAtomic } from "../tabular/index.js";
import { ModelCache } from "./model-cache.js";
import { runSynthesisJob, type SampleJobSummary, type SynthesisJobSpec } from "./synthesis-job.js";
import type { TaskRunFile, TaskRunHooks, TaskRunRequest, TaskRunResult } from "./task-runner.js";
import { TaskSpecError } from "./task-runner.js";

/** Largest summary CompleteTask accepts (proto: at most 64 KiB). */
const maxSummaryBytes = 60 * 1024;

function file(kind: TaskRunFile["kind"], path: string): TaskRunFile {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return { kind, path, name, mediaType: mediaTypeForName(name) };
}

/** A compact listing summary: the numbers, not the paths (paths are node-local). */
function summaryOf(summary: unknown, request: TaskRunRequest): string {
  const compact = JSON.stringify(summary, (key, value: unknown) => (/path$/i.test(key) || key === "outputs" ? undefined : value));
  const text = compact ?? "{}";
  if (Buffer.byteLength(text) <= maxSummaryBytes) return text;
  return JSON.stringify({ rows: request.rows, seed: request.seed, note: "summary too large for listings; see the report" });
}

/** SAMPLE tasks up to this many rows are formatted in memory (one sampling chunk; at most a few MB). */
const IN_MEMORY_MAX_ROWS = 10_000;

/** Models stay loaded between the tasks of this thread (see model-cache.ts for why). */
const models = new ModelCache();

/**
 * What `runSampleJob` (behind `datalab sample`) does, with the model from the cache instead of
 * parsed again from its file for every task: same sampler, same output, same summary.
 */
async function runCachedSampleJob(request: TaskRunRequest, tablePath: string, hooks: TaskRunHooks): Promise<{ summary: SampleJobSummary; data?: Uint8Array }> {
  const started = performance.now();
  hooks.onProgress(0, "load");
  const model = await models.load(request.inputPath);
  const seed = BigInt.asUintN(64, BigInt(request.seed));
  hooks.onProgress(0.02, "sample");
  const rows = request.rows;
  const where = request.where === undefined ? {} : { where: request.where };
  const summarize = (sampleSeconds: number): SampleJobSummary => ({
    rows,
    seed: seed.toString(),
    seconds: { sample: sampleSeconds, total: (performance.now() - started) / 1000 },
    warnings: [...model.warnings],
    outputs: { table: tablePath },
  });
  if (rows <= IN_MEMORY_MAX_ROWS && request.outputFormat === "csv") {
    // A small table is formatted in memory (the same bytes sampleToFile writes): it goes to the
    // coordinator inside CompleteTask, and the node writes it to disk only if it must keep it.
    const sampler = openSampler(model, rows, { seed, ...where });
    const data = encodeTable(tablePath, await sampler.sampleChunk(0, rows), sampler.schema);
    if (data.length <= tunables.maxInlineResultBytes) return { summary: summarize((performance.now() - started) / 1000), data };
    await writeFileAtomic(tablePath, data);
    return { summary: summarize((performance.now() - started) / 1000) };
  }
  const result = await sampleToFile(model, tablePath, rows, {
    seed,
    signal: hooks.signal,
    ...where,
    onProgress: (fraction) => hooks.onProgress(0.02 + 0.98 * fraction, "sample"),
  });
  return { summary: summarize(result.seconds) };
}

/** The job's model name as `datalab synth --model` takes it (the proto allows gaussian_copula, dp_copula spellings). */
function synthModelOf(name: string): SynthModelName {
  const normalised = name.replaceAll("_", "-");
  if (normalised === "gaussian-copula" || normalised === "copula") return "copula";
  if (normalised === "mst" || normalised === "dp-copula" || normalised === "aim" || normalised === "ctgan" || normalised === "tvae") return normalised;
  throw new TaskSpecError(`model "${name}" is not available on this node; use gaussian_copula, mst, dp_copula, aim, ctgan or tvae.`);
}

/** The DP copula's share of ρ for private bounds, model_options_json {"bounds_epsilon_share": F}; undefined = none. */
function boundsShareOf(options: Record<string, unknown>): number | undefined {
  const share = options["bounds_epsilon_share"];
  if (share === undefined) return undefined;
  if (typeof share !== "number") throw new TaskSpecError(`model option "bounds_epsilon_share" must be a number, got ${JSON.stringify(share)}.`);
  return share;
}

/** δ of a private job from model_options_json {"delta": D}; undefined = the default 1e-9. */
function deltaOf(options: Record<string, unknown>): number | undefined {
  const delta = options["delta"];
  if (delta === undefined) return undefined;
  if (typeof delta !== "number") throw new TaskSpecError(`model option "delta" must be a number, got ${JSON.stringify(delta)}.`);
  return delta;
}

export async function runDatalabTask(request: TaskRunRequest, hooks: TaskRunHooks): Promise<TaskRunResult> {
  const model = synthModelOf(request.model);
  const tablePath = join(request.outputDir, `synthetic.${request.outputFormat}`);
  const onProgress = (fraction: number, stage: string) => hooks.onProgress(fraction, stage);
  if (request.kind === "sample") {
    const { summary, data } = await runCachedSampleJob(request, tablePath, hooks);
    hooks.onProgress(1, "done");
    const table = file("table", tablePath);
    return { files: [data === undefined ? table : { ...table, data }], summaryJson: summaryOf(summary, request) };
  }
  const modelPath = join(request.outputDir, "model.json");
  const reportJsonPath = join(request.outputDir, "report.json");
  const reportHtmlPath = join(request.outputDir, "report.html");
  const spec: SynthesisJobSpec = {
    inputPath: request.inputPath,
    outputPath: tablePath,
    rows: request.rows,
    seed: BigInt(request.seed),
    modelOutPath: modelPath,
    score: request.scoring.enabled,
    model,
    epsilon: request.epsilon,
    delta: deltaOf(request.modelOptions),
    boundsEpsilonShare: boundsShareOf(request.modelOptions),
    // ScoringOptions.privacy: the privacy metrics (DCR, NewRowSynthesis, NNDR, disclosure) only when asked.
    privacy: request.scoring.privacy,
    ...neuralOptions(request.modelOptions),
  };
  if (request.where !== undefined) spec.where = request.where;
  if (request.schemaJson !== undefined) {
    // Through a file, so the schema gets the same validation (and messages) as `datalab synth --schema`.
    const schemaPath = join(request.outputDir, "schema.json");
    await writeFile(schemaPath, request.schemaJson);
    spec.schema = schemaPath;
  }
  if (request.scoring.enabled) {
    spec.reportJsonPath = reportJsonPath;
    spec.reportHtmlPath = reportHtmlPath;
    if (request.scoring.holdoutPath !== undefined) spec.holdoutPath = request.scoring.holdoutPath;
    if (request.scoring.targetColumn !== undefined) spec.targetColumn = request.scoring.targetColumn;
  }
  let summary: Awaited<ReturnType<typeof runSynthesisJob>>;
  try {
    summary = await runSynthesisJob(spec, { onProgress, signal: hooks.signal });
  } catch (error) {
    // A refused private fit (bad ε/δ, no domain in the schema) fails the same way on every node: not retryable.
    if (error instanceof DpInputError) throw new TaskSpecError(error.message, { cause: error });
    throw error;
  }
  const files = [file("table", tablePath), file("model", modelPath)];
  if (request.scoring.enabled && existsSync(reportJsonPath)) files.push(file("report", reportJsonPath));
  if (request.scoring.enabled && existsSync(reportHtmlPath)) files.push(file("report_html", reportHtmlPath));
  hooks.onProgress(1, "done");
  return { files, summaryJson: summaryOf(summary, request) };
}

/** CTGAN / TVAE settings from the job's model options: `{"epochs": N, "batch_size": B}`. */
function neuralOptions(options: Record<string, unknown>): { epochs?: number; batchSize?: number } {
  const out: { epochs?: number; batchSize?: number } = {};
  const number = (key: string): number | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      throw new TaskSpecError(`model option ${key} must be a whole number, got ${JSON.stringify(value)}.`);
    return value;
  };
  const epochs = number("epochs");
  const batchSize = number("batch_size") ?? number("batchSize");
  if (epochs !== undefined) out.epochs = epochs;
  if (batchSize !== undefined) out.batchSize = batchSize;
  return out;
}
