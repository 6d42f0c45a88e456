/** Small typed wrappers over JobService calls for the integration tests and the load benchmark. */
import { randomUUID } from "node:crypto";
import {
  type CancelJobRequest,
  type CancelJobResponseOut,
  type GetJobRequest,
  type GetJobResponseOut,
  type JobOut,
  type JobServiceClient,
  type JobSpec,
  type ListJobsRequest,
  type ListJobsResponseOut,
  type SubmitJobRequest,
  type SubmitJobResponseOut,
  unaryCall,
} from "../proto/index.js";
import { eventually } from "./process-harness.js";

/** A synthesis job on a bundled table, scoring off unless asked: the tests' small job. */
export function synthesisSpec(options: { input?: string; rows?: number; seed?: number; gpus?: number; score?: boolean; maxAttempts?: number } = {}): JobSpec {
  const spec: JobSpec = {
    kind: "JOB_KIND_SYNTHESIS",
    input: { bundledUri: options.input ?? "vega:penguins.json" },
    rows: options.rows ?? 200,
    model: "gaussian_copula",
    scoring: { enabled: options.score ?? false, privacy: false, holdoutUri: "", targetColumn: "" },
    resources: { gpuCount: options.gpus ?? 0, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 },
    outputFormat: "csv",
    maxAttempts: options.maxAttempts ?? 0,
  };
  if (options.seed !== undefined) spec.seed = options.seed;
  return spec;
}

export async function submitJob(client: JobServiceClient, spec: JobSpec, idempotencyKey: string = randomUUID()): Promise<{ job: JobOut; created: boolean }> {
  const response = await unaryCall<SubmitJobRequest, SubmitJobResponseOut>(client.submitJob.bind(client), { idempotencyKey, spec });
  return { job: response.job!, created: response.created };
}

export async function getJob(client: JobServiceClient, jobId: string): Promise<JobOut> {
  const response = await unaryCall<GetJobRequest, GetJobResponseOut>(client.getJob.bind(client), { jobId });
  return response.job!;
}

export async function cancelJob(client: JobServiceClient, jobId: string, reason = "test"): Promise<JobOut> {
  const response = await unaryCall<CancelJobRequest, CancelJobResponseOut>(client.cancelJob.bind(client), { jobId, reason });
  return response.job!;
}

export async function listJobs(client: JobServiceClient, request: ListJobsRequest): Promise<ListJobsResponseOut> {
  return unaryCall<ListJobsRequest, ListJobsResponseOut>(client.listJobs.bind(client), request);
}

/** Every job matching `filter`, following page tokens. */
export async function listAllJobs(client: JobServiceClient, filter = "", pageSize = 100): Promise<JobOut[]> {
  const jobs: JobOut[] = [];
  let pageToken = "";
  do {
    const page = await listJobs(client, { filter, pageSize, pageToken });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return jobs;
}

/** Polls GetJob until `accept` holds (tolerates a coordinator that is restarting). */
export async function waitForJob(client: JobServiceClient, jobId: string, accept: (job: JobOut) => boolean, timeoutMs = 60_000): Promise<JobOut> {
  return eventually(
    `job ${jobId} to reach the expected state`,
    async () => {
      const job = await getJob(client, jobId);
      return accept(job) ? job : undefined;
    },
    timeoutMs,
    100,
  );
}

export const isDone = (job: JobOut) => job.done;
