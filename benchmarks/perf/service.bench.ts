/**
 * Load test of the service, loopback only and bounded: 1,000 small jobs submitted by 20
 * concurrent clients (each its own gRPC channel) to a real coordinator (mutual TLS, SQLite with
 * its default synchronous=FULL) and run by 4 real node agents, all child processes on this
 * machine. The small job is the SAMPLE kind: 100 rows from a Gaussian-copula model of penguins
 * (the model is fitted once by a SYNTHESIS job through the service, downloaded, and uploaded as
 * the input of every SAMPLE job — content-addressed, so stored and fetched once per node).
 *
 * Measured: submit throughput and latency (p50/p99) while the nodes work, end-to-end
 * throughput (first submit → last job done), the coordinator's peak RSS, and the bookkeeping:
 * every job exactly once in ListJobs, every one SUCCEEDED, exactly one accepted completion each.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { downloadFile, type JobOut, type JobServiceClient, type JobSpec, uploadFile } from "../../proto/index.js";
import { startCluster } from "../../service-tests/cluster.js";
import { listAllJobs, submitJob, synthesisSpec, waitForJob } from "../../service-tests/job-calls.js";
import { TestProcesses } from "../../service-tests/process-harness.js";

export const name = "service";

const totalJobs = 1000;
const clients = 20;
const nodes = 4;
const rowsPerJob = 100;
const targets = { submitJobsPerSecond: 200, submitP99Ms: 50 };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Peak and current resident memory of a process, from /proc (Linux). */
function memoryOf(pid: number): { peakRssBytes: number; rssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { peakRssBytes: kib("VmHWM"), rssBytes: kib("VmRSS") };
}

export async function run(): Promise<Record<string, unknown>> {
  const processes = new TestProcesses();
  try {
    const nodeIds = Array.from({ length: nodes }, (_, i) => `bench-node-${i + 1}`);
    const cluster = await startCluster(processes, { nodes: nodeIds, clients: Array.from({ length: clients }, (_, i) => `client-${i + 1}`), leaseSeconds: 30, heartbeatIntervalSeconds: 5 });
    const coordinatorPid = cluster.coordinator!.child.pid!;

    // The model every SAMPLE job draws from: one synthesis job through the service.
    const setup = cluster.jobClient("client-1");
    const { job: fitJob } = await submitJob(setup, synthesisSpec({ rows: 100, seed: 1 }));
    const fitted = await waitForJob(setup, fitJob.jobId, (job) => job.done, 120_000);
    if (fitted.state !== "JOB_STATE_SUCCEEDED") throw new Error(`the setup synthesis job ended ${fitted.state}: ${fitted.errorMessage}`);
    const workDir = await processes.tempDir("bench");
    const modelPath = join(workDir, "model.json");
    await downloadFile((startChunkIndex, deadline) => setup.downloadResult({ jobId: fitJob.jobId, kind: "RESULT_KIND_MODEL", startChunkIndex }, { deadline }), modelPath);
    const modelUpload = await uploadFile(setup, modelPath);
    const spec = (seed: number): JobSpec => ({
      kind: "JOB_KIND_SAMPLE",
      input: { upload: modelUpload.manifest },
      rows: rowsPerJob,
      seed,
      model: "gaussian_copula",
      outputFormat: "csv",
      resources: { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 },
    });

    // 20 clients, 50 jobs each, each its own channel (TLS handshake done before the clock starts).
    const channels: JobServiceClient[] = Array.from({ length: clients }, (_, i) => cluster.jobClient(`client-${i + 1}`));
    await Promise.all(channels.map((client) => listAllJobs(client, "", 1)));
    const latenciesMs: number[] = [];
    const submitted: Array<{ client: number; jobId: string; key: string }> = [];
    const started = performance.now();
    const startedUnixMs = Date.now();
    await Promise.all(
      channels.map(async (client, c) => {
        for (let i = 0; i < totalJobs / clients; i++) {
          const key = randomUUID();
          const t = performance.now();
          const { job } = await submitJob(client, spec(c * 1000 + i), key);
          latenciesMs.push(performance.now() - t);
          submitted.push({ client: c, jobId: job.jobId, key });
        }
      }),
    );
    const submitSeconds = (performance.now() - started) / 1000;
    const afterSubmit = memoryOf(coordinatorPid);

    // Wait for the last job, then check the books.
    const finalJobs: JobOut[] = [];
    const deadline = Date.now() + 600_000;
    for (const client of channels) {
      for (;;) {
        const mine = await listAllJobs(client, "", 1000);
        const pending = mine.filter((job) => !job.done);
        if (pending.length === 0 || Date.now() > deadline) {
          finalJobs.push(...mine.filter((job) => job.spec?.kind === "JOB_KIND_SAMPLE"));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const allDoneUnixMs = Math.max(...finalJobs.map((job) => job.endTimeUnixMs));
    const endToEndSeconds = (allDoneUnixMs - startedUnixMs) / 1000;
    const memory = memoryOf(coordinatorPid);

    const byId = new Map(finalJobs.map((job) => [job.jobId, job]));
    const succeeded = finalJobs.filter((job) => job.state === "JOB_STATE_SUCCEEDED").length;
    const nodeLines = [...cluster.nodes.values()].flatMap((node) => node.lines);
    const completions = new Map<string, number>();
    for (const line of nodeLines) {
      const match = /reported (job-[^/\s]+)\/\d+: succeeded/.exec(line);
      if (match) completions.set(match[1]!, (completions.get(match[1]!) ?? 0) + 1);
    }
    const duplicatedCompletions = [...completions.values()].filter((count) => count > 1).length;
    const lost = submitted.filter((s) => !byId.has(s.jobId)).length;
    const perNode = Object.fromEntries(
      [...cluster.nodes.entries()].map(([id, node]) => [id, node.lines.filter((line) => /reported job-\S+: succeeded/.test(line)).length]),
    );
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    const submitJobsPerSecond = totalJobs / submitSeconds;
    const p99 = percentile(sorted, 99);
    cluster.close();
    return {
      workload: `${totalJobs} SAMPLE jobs (${rowsPerJob} rows each from a Gaussian-copula model of vega penguins, CSV output, scoring off), ${clients} concurrent clients (one TLS channel each), ${nodes} node agents, coordinator with SQLite synchronous=FULL, all on 127.0.0.1`,
      jobs: totalJobs,
      clients,
      nodes,
      submitSeconds,
      submitJobsPerSecond,
      submitLatencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99, max: sorted.at(-1) },
      endToEndSeconds,
      endToEndJobsPerSecond: totalJobs / endToEndSeconds,
      completedPerNode: perNode,
      coordinatorMemory: { afterSubmit, afterAllDone: memory },
      bookkeeping: {
        listed: finalJobs.length,
        distinctJobIds: byId.size,
        succeeded,
        lost,
        duplicatedCompletions,
        retriedJobs: finalJobs.filter((job) => job.attempt > 1).length,
      },
      targets,
      pass: {
        submitJobsPerSecond: submitJobsPerSecond >= targets.submitJobsPerSecond,
        submitP99Ms: p99 < targets.submitP99Ms,
        noJobLost: lost === 0 && finalJobs.length === totalJobs,
        noJobDuplicated: byId.size === totalJobs && duplicatedCompletions === 0,
        allSucceeded: succeeded === totalJobs,
      },
    };
  } finally {
    await processes.cleanup();
  }
}
