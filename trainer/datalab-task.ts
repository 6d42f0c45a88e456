/**
 * The task runner real nodes use: a SYNTHESIS task runs `runSynthesisJob` (the very function
 * behind `datalab synth`: load, fit the copula, sample to a file in chunks, score), a SAMPLE task
 * runs `runSampleJob` (behind `datalab sample`). Outputs land in the attempt's folder with fixed
 * names, so the coordinator's result listing looks the same for every job.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mediaTypeForName } from "../proto/index.js";
import { runSampleJob, runSynthesisJob, type SynthesisJobSpec } from "./synthesis-job.js";
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

export async function runDatalabTask(request: TaskRunRequest, hooks: TaskRunHooks): Promise<TaskRunResult> {
  if (request.model !== "gaussian_copula" && request.model !== "gaussian-copula" && request.model !== "copula") {
    throw new TaskSpecError(`model "${request.model}" is not available on this node; use gaussian_copula.`);
  }
  const tablePath = join(request.outputDir, `synthetic.${request.outputFormat}`);
  const onProgress = (fraction: number, stage: string) => hooks.onProgress(fraction, stage);
  if (request.kind === "sample") {
    const summary = await runSampleJob(request.inputPath, tablePath, request.rows, BigInt(request.seed), request.where, { onProgress, signal: hooks.signal });
    hooks.onProgress(1, "done");
    return { files: [file("table", tablePath)], summaryJson: summaryOf(summary, request) };
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
  const summary = await runSynthesisJob(spec, { onProgress, signal: hooks.signal });
  const files = [file("table", tablePath), file("model", modelPath)];
  if (request.scoring.enabled && existsSync(reportJsonPath)) files.push(file("report", reportJsonPath));
  if (request.scoring.enabled && existsSync(reportHtmlPath)) files.push(file("report_html", reportHtmlPath));
  hooks.onProgress(1, "done");
  return { files, summaryJson: summaryOf(summary, request) };
}
