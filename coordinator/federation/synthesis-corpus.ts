/**
 * The corpus of a federated synthesis job, sampled by a worker node: the merged model goes into
 * an ordinary JOB_KIND_SAMPLE job (the job's rows and seed, the model file as its input upload,
 * CSV out) under the requester's name, with an idempotency key derived from the federated job's
 * id, so a restarted coordinator finds the same SAMPLE job again instead of submitting another.
 * Any `datalab node` leases it through the ordinary scheduler, leases and retries; with none
 * registered it waits in the queue, and the federated job's progress says so. Nothing here samples
 * on the coordinator.
 */
import { type MstModel, serializeModel } from "../../generators/index.js";
import { type Manifest, type SubmitJobRequestOut, toManifest } from "../../proto/index.js";
import { FailedPreconditionError } from "../errors.js";
import { isTerminal } from "../job-states.js";
import type { JobRecord } from "../job-store.js";
import type { ModelChunks } from "./model-chunks.js";
import { SYNTHESIS_ROUNDS } from "./synthesis-job.js";

/** The SAMPLE job that draws a federated synthesis job's corpus, as the runner sees it. */
export interface SampleJobView {
  jobId: string;
  state: string;
  done: boolean;
  errorMessage: string;
  /** The node of its last attempt (the one that sampled, once it succeeded). */
  nodeId: string | null;
  /** The model it samples (its input upload). */
  model: Manifest;
  /** Its TABLE result, once it succeeded. */
  table: Manifest | undefined;
}

/** What sampling the corpus needs from the coordinator. */
export interface CorpusSampleJobs {
  describe(jobId: string): { cancelled: boolean } | undefined;
  markRunning(jobId: string, phase: string, fraction: number, message: string): void;
  keepChunks(jobId: string, digests: readonly string[]): void;
  /** The job's SAMPLE job, found by its idempotency key; undefined before it was submitted. */
  sampleJobOf(jobId: string): SampleJobView | undefined;
  /** Submits (idempotently) the SAMPLE job that draws `rows` rows of `model` with `seed` on a worker node. */
  submitSample(jobId: string, model: Manifest, rows: number, seed: number): Promise<SampleJobView>;
  /** Cancels the SAMPLE job (its federated job was cancelled). */
  cancelSample(sampleJobId: string, reason: string): Promise<void>;
}

/** The corpus a worker node sampled. */
export interface SampledCorpus {
  table: Manifest;
  model: Manifest;
  nodeId: string;
  sampleJobId: string;
}

/** The idempotency key of the SAMPLE job that draws a federated synthesis job's corpus. */
export function corpusSampleKey(jobId: string): string {
  return `federated-synthesis-corpus:${jobId}`;
}

/** SubmitJob's request for that SAMPLE job (checked by the ordinary validateSubmit). */
export function corpusSampleRequest(jobId: string, model: Manifest, rows: number, seed: number): SubmitJobRequestOut {
  return {
    idempotencyKey: corpusSampleKey(jobId),
    spec: {
      kind: "JOB_KIND_SAMPLE",
      model: "mst",
      rows,
      seed,
      input: { upload: model },
      conditions: [],
      scoring: null,
      displayName: `corpus of federated synthesis job ${jobId}`,
      maxAttempts: 0,
      outputFormat: "csv",
      schemaJson: "",
      modelOptionsJson: "",
      resources: null,
      federated: null,
    },
  } as unknown as SubmitJobRequestOut;
}

export function sampleJobView(job: JobRecord): SampleJobView {
  const upload = job.spec.input?.upload;
  if (upload == null) throw new FailedPreconditionError(`job ${job.jobId} is not a SAMPLE job of an uploaded model`);
  return {
    jobId: job.jobId,
    state: job.state,
    done: isTerminal(job.state),
    errorMessage: job.errorMessage,
    nodeId: job.nodeId,
    model: toManifest(upload),
    table: job.results.find((r) => r.kind === "RESULT_KIND_TABLE")?.manifest,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The job's SAMPLE job (found again after a restart), submitted with the merged model when there
 * is none yet, then waited for. Undefined when the coordinator stops or the job is cancelled
 * meanwhile (the SAMPLE job is then cancelled too).
 */
export async function sampleCorpusOnWorker(
  access: CorpusSampleJobs,
  chunks: ModelChunks,
  job: { jobId: string; model: MstModel; rows: number; seed: number; stopped: () => boolean },
): Promise<SampledCorpus | undefined> {
  const { jobId, rows } = job;
  let sample = access.sampleJobOf(jobId);
  if (sample === undefined) {
    const model = await chunks.storeBytes(Buffer.from(serializeModel(job.model)), "model.json");
    access.keepChunks(
      jobId,
      model.chunks.map((c) => c.sha256),
    );
    sample = await access.submitSample(jobId, model, rows, job.seed);
  }
  let lastState = "";
  while (!sample.done) {
    if (job.stopped()) return undefined;
    if (access.describe(jobId)?.cancelled) {
      await access.cancelSample(sample.jobId, `its federated synthesis job ${jobId} was cancelled`);
      return undefined;
    }
    if (sample.state !== lastState) {
      lastState = sample.state;
      const where = sample.state === "JOB_STATE_QUEUED" ? "waiting for a worker node (`datalab node`) to lease it" : `on node ${sample.nodeId ?? "?"}`;
      access.markRunning(jobId, "sample", 3 / SYNTHESIS_ROUNDS, `sampling ${rows} rows: SAMPLE job ${sample.jobId}, ${where}`);
    }
    await sleep(200);
    sample = access.sampleJobOf(jobId) ?? sample;
  }
  if (sample.state !== "JOB_STATE_SUCCEEDED" || sample.table === undefined || sample.nodeId === null)
    throw new FailedPreconditionError(
      `the SAMPLE job ${sample.jobId} that draws the corpus ended ${sample.state.replace("JOB_STATE_", "").toLowerCase()}${sample.errorMessage ? `: ${sample.errorMessage}` : ""}; submit the federated job again.`,
    );
  access.keepChunks(
    jobId,
    [...sample.table.chunks, ...sample.model.chunks].map((c) => c.sha256),
  );
  return { table: sample.table, model: sample.model, nodeId: sample.nodeId, sampleJobId: sample.jobId };
}
