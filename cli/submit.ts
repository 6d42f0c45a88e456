/**
 * `datalab submit <input|vega:file|fixture:adult> [--rows N] …` — submits a synthesis job to a
 * coordinator. A local file is uploaded first in SHA-256-named chunks (only the chunks the
 * coordinator lacks are sent, so a re-run after an interruption resumes); bundled inputs are
 * named by URI. Every submit carries an idempotency key (random unless --idempotency-key), so a
 * retried submit never creates a second job.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { type JobOut, type JobSpec, type SubmitJobRequest, type SubmitJobResponseOut, unaryCall, uploadFile } from "../proto/index.js";
import { DEFAULT_SYNTHESIZER_MODEL, unknownModelProblem } from "../generators/index.js";
import { CliError } from "./cli-error.js";
import { connectionFlags, connectionUsage, describeJob, shortState, withConnection } from "./job-client.js";
import { parseCount, parseFlags } from "./parse-flags.js";
import { whereCondition } from "./where-flag.js";
import { followJob } from "./watch.js";

export const usage = `usage: datalab submit <input> [options]
  Submits a synthesis job. <input> is a local table (CSV, TSV, Parquet, JSON: uploaded in
  chunks), or a bundled table: vega:<file> (e.g. vega:penguins.json) or fixture:adult.
  --rows N               synthetic rows (default 1000)
  --seed S               random seed (default: derived from the job id)
  --where "c>v,…"        conditional sampling, as \`datalab synth --where\`: = != > >= < <=
  --model NAME           synthesizer (default gaussian_copula, the only one today)
  --format csv|parquet   output table format (default csv)
  --schema FILE          schema JSON (as from \`datalab schema\`) instead of inference
  --no-score             skip scoring (fidelity report)
  --privacy              also compute privacy metrics
  --holdout URI          bundled holdout table for privacy baselines (e.g. fixture:adult_test)
  --target COL           target column for ML-efficacy scores
  --gpus N               GPUs the job needs (default 0: any node)
  --gpu-memory-gib G     GPU memory per GPU the job needs
  --cpu-cores N          CPU cores the job needs (default 1)
  --max-attempts N       attempts before the job fails (default: the coordinator's)
  --name TEXT            display name
  --idempotency-key K    reuse a key to make a retried submit return the same job
  --wait                 follow the job until it ends (exit 1 unless it succeeded)
${connectionUsage}`;

export { whereCondition } from "./where-flag.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "submit",
    argv,
    {
      ...connectionFlags,
      rows: { type: "string" },
      seed: { type: "string" },
      where: { type: "string" },
      model: { type: "string" },
      format: { type: "string" },
      schema: { type: "string" },
      "no-score": { type: "boolean" },
      privacy: { type: "boolean" },
      holdout: { type: "string" },
      target: { type: "string" },
      gpus: { type: "string" },
      "gpu-memory-gib": { type: "string" },
      "cpu-cores": { type: "string" },
      "max-attempts": { type: "string" },
      name: { type: "string" },
      "idempotency-key": { type: "string" },
      wait: { type: "boolean" },
    },
    { min: 1, max: 1, names: "one input (a table file, vega:<file> or fixture:adult)" },
  );
  const input = positionals[0]!;
  const rows = parseCount("rows", values.rows, 1000, { min: 1, max: 100_000_000 });
  const gpus = parseCount("gpus", values.gpus, 0, { min: 0, max: 64 });
  const cpuCores = parseCount("cpu-cores", values["cpu-cores"], 1, { min: 1, max: 4096 });
  const maxAttempts = parseCount("max-attempts", values["max-attempts"], 0, { min: 1, max: 10 });
  let gpuMemoryBytes = 0;
  if (values["gpu-memory-gib"] !== undefined) {
    const gib = Number(values["gpu-memory-gib"]);
    if (!(gib > 0 && gib <= 4096)) throw new CliError(`--gpu-memory-gib must be a number of GiB from 0 to 4096, got "${values["gpu-memory-gib"]}".`);
    gpuMemoryBytes = Math.round(gib * 1024 ** 3);
  }
  const model = values.model ?? DEFAULT_SYNTHESIZER_MODEL;
  const unknownModel = unknownModelProblem(model);
  if (unknownModel !== null) throw new CliError(`--model ${unknownModel}.`);
  const format = values.format ?? "csv";
  if (format !== "csv" && format !== "parquet") throw new CliError(`--format must be csv or parquet, got "${format}".`);
  let schemaJson = "";
  if (values.schema !== undefined) {
    try {
      schemaJson = readFileSync(values.schema, "utf8");
      JSON.parse(schemaJson);
    } catch (error) {
      throw new CliError(
        `--schema ${values.schema} is not a readable JSON file (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); write one with \`datalab schema <input> --out schema.json\`.`,
        { cause: error },
      );
    }
  }
  const bundled = /^(vega|fixture):/.test(input);
  if (!bundled && !existsSync(input)) throw new CliError(`input "${input}" is neither a file nor a bundled table (vega:<file>, fixture:adult).`);
  const idempotencyKey = values["idempotency-key"] ?? randomUUID();
  if (idempotencyKey.length === 0 || idempotencyKey.length > 128) throw new CliError("--idempotency-key must be 1 to 128 characters.");

  return withConnection(values, async ({ client }) => {
    const spec: JobSpec = {
      kind: "JOB_KIND_SYNTHESIS",
      rows,
      model,
      schemaJson,
      outputFormat: format,
      scoring: { enabled: values["no-score"] !== true, privacy: values.privacy === true, holdoutUri: values.holdout ?? "", targetColumn: values.target ?? "" },
      resources: { gpuCount: gpus, gpuMemoryBytes, cpuCores, memoryBytes: 0 },
      maxAttempts,
      displayName: values.name ?? basename(input),
    };
    if (values.seed !== undefined) spec.seed = parseCount("seed", values.seed, 0, { min: 0, max: Number.MAX_SAFE_INTEGER });
    if (values.where !== undefined) spec.conditions = [{ columnValues: {}, where: whereCondition(values.where), rows }];
    if (bundled) {
      spec.input = { bundledUri: input };
    } else {
      const upload = await uploadFile(client, input, { name: basename(input) });
      if (!values.json)
        process.stderr.write(`uploaded ${input}: ${upload.sentChunks} of ${upload.manifest.chunks.length} chunks sent (${upload.sentBytes} bytes)\n`);
      spec.input = { upload: upload.manifest };
    }
    const response = await unaryCall<SubmitJobRequest, SubmitJobResponseOut>(client.submitJob.bind(client), { idempotencyKey, spec });
    const job = response.job as JobOut;
    if (values.json && !values.wait) {
      process.stdout.write(`${JSON.stringify({ created: response.created, job })}\n`);
    } else if (!values.json) {
      process.stdout.write(`${response.created ? "submitted" : "already submitted (same idempotency key)"} ${job.jobId} (${shortState(job.state)})\n`);
    }
    if (!values.wait) return 0;
    const final = await followJob(client, job.jobId, values.json === true);
    if (!values.json) process.stdout.write(`${describeJob(final)}\n`);
    return final.state === "JOB_STATE_SUCCEEDED" ? 0 : 1;
  });
}
