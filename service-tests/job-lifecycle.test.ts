/**
 * The happy paths through real processes: `datalab certs`, a coordinator and two node agents
 * on 127.0.0.1 with mutual TLS; jobs submitted by the CLI and by a gRPC client; results
 * downloaded and checked; idempotent resubmits; cancel; pagination; an input upload that is
 * interrupted and resumed; /metrics of the coordinator and a node.
 * One cluster serves the whole file (started in beforeAll, every process killed in afterAll):
 * none of these tests kills a process.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FindMissingChunksRequest,
  type FindMissingChunksResponseOut,
  readFileChunks,
  type UploadChunkRequest,
  type UploadChunkResponseOut,
  unaryCall,
  uploadFile,
} from "../proto/index.js";
import { type Cluster, startCluster } from "./cluster.js";
import { cancelJob, getJob, isDone, listAllJobs, listJobs, submitJob, synthesisSpec, waitForJob } from "./job-calls.js";
import { repoRoot, TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(processes, { nodes: ["node-a", "node-b"], clients: ["alice", "bob", "carol", "dave"] });
}, 90_000);

afterAll(async () => {
  cluster?.close();
  await processes.cleanup();
});

/** Runs a `datalab …` client command to its end; resolves with exit code and output. */
async function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = processes.start(`datalab ${args[0]}`, args);
  const { code } = await child.exited;
  return { code, stdout: child.lines.join("\n") };
}

describe("a job through the service", () => {
  it("submit (CLI) → lease → complete → download: the table is the rows asked for, verified by SHA-256", async () => {
    const submitted = await cli(["submit", "vega:penguins.json", "--rows", "300", "--seed", "7", "--no-score", "--json", ...cluster.clientArgs()]);
    expect(submitted.code).toBe(0);
    const jobId = (JSON.parse(submitted.stdout.split("\n").find((line) => line.startsWith("{"))!) as { job: { jobId: string } }).job.jobId;
    const watched = await cli(["watch", jobId, ...cluster.clientArgs()]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/SUCCEEDED/);

    const outDir = await processes.tempDir("download");
    const downloaded = await cli(["download", jobId, "--out", outDir, "--json", ...cluster.clientArgs()]);
    expect(downloaded.code).toBe(0);
    const files = (
      JSON.parse(downloaded.stdout.split("\n").find((line) => line.startsWith("{"))!) as { files: Array<{ kind: string; path: string; sha256: string }> }
    ).files;
    const table = files.find((f) => f.kind === "table")!;
    const model = files.find((f) => f.kind === "model")!;
    expect(table.path).toBe(join(outDir, "synthetic.csv"));
    const csv = await readFile(table.path);
    expect(createHash("sha256").update(csv).digest("hex")).toBe(table.sha256);
    const lines = csv.toString("utf8").trimEnd().split("\n");
    expect(lines.length).toBe(301); // header + the 300 rows asked for
    const header = lines[0]!.split(",");
    const penguins = JSON.parse(await readFile(join(repoRoot, "node_modules/vega-datasets/data/penguins.json"), "utf8")) as Array<Record<string, unknown>>;
    expect(header.sort()).toEqual(Object.keys(penguins[0]!).sort());
    expect(JSON.parse(await readFile(model.path, "utf8")).format).toBe("datalab-model");

    const job = await getJob(cluster.jobClient(), jobId);
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(job.attempt).toBe(1);
    const shown = await cli(["get", jobId, ...cluster.clientArgs()]);
    expect(shown.stdout).toMatch(new RegExp(`${jobId}\\s+SUCCEEDED`));
  });

  it("submit (CLI) --where with a range: every row satisfies it; a column the model lacks fails the job without retries", async () => {
    const where = '"Body Mass (g)">4500,Sex=FEMALE';
    const submitted = await cli([
      "submit",
      "vega:penguins.json",
      "--rows",
      "200",
      "--seed",
      "3",
      "--no-score",
      "--where",
      where,
      "--wait",
      ...cluster.clientArgs("dave"),
    ]);
    expect(submitted.code, submitted.stdout).toBe(0);
    const jobId = /submitted (job-\S+)/.exec(submitted.stdout)![1]!;
    const outDir = await processes.tempDir("where");
    expect((await cli(["download", jobId, "--out", outDir, ...cluster.clientArgs("dave")])).code).toBe(0);
    const [header, ...rows] = (await readFile(join(outDir, "synthetic.csv"), "utf8")).trimEnd().split("\n");
    const columns = header!.split(",");
    const mass = columns.indexOf("Body Mass (g)");
    const sex = columns.indexOf("Sex");
    expect(rows).toHaveLength(200);
    for (const row of rows) {
      const cells = row.split(",");
      expect(Number(cells[mass])).toBeGreaterThan(4500);
      expect(cells[sex]).toBe("FEMALE");
    }
    // Syntax is checked before anything is sent; a column the model lacks fails on the node, once.
    const badSyntax = await cli(["submit", "vega:penguins.json", "--where", "Sex==", ...cluster.clientArgs("dave")]);
    expect(badSyntax.code).not.toBe(0);
    expect(badSyntax.stdout).toMatch(/--where:/);
    const { job } = await submitJob(cluster.jobClient("dave"), {
      ...synthesisSpec({ rows: 50 }),
      conditions: [{ columnValues: {}, rows: 50, where: "Wingspan>3" }],
    });
    const failed = await waitForJob(cluster.jobClient("dave"), job.jobId, isDone, 60_000);
    expect(failed.state).toBe("JOB_STATE_FAILED");
    expect(failed.attempt).toBe(1);
    expect(failed.errorMessage).toMatch(/ConditionError.*Wingspan/);
  });

  it("submit (CLI) of a local file uploads it in chunks, waits for the job, and `datalab jobs` lists it", async () => {
    const input = join(repoRoot, "fixtures/adult/adult_test.csv");
    const submitted = await cli(["submit", input, "--rows", "80", "--seed", "11", "--no-score", "--wait", ...cluster.clientArgs("bob")]);
    expect(submitted.code, submitted.stdout).toBe(0);
    expect(submitted.stdout).toMatch(/uploaded .*adult_test\.csv: 2 of 2 chunks sent/);
    const jobId = /submitted (job-\S+)/.exec(submitted.stdout)?.[1];
    expect(submitted.stdout).toMatch(new RegExp(`${jobId}\\s+SUCCEEDED`));
    const listed = await cli(["jobs", "--state", "succeeded", "--json", ...cluster.clientArgs("bob")]);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout.split("\n").find((line) => line.startsWith("{"))!) as { jobs: Array<{ jobId: string }> };
    expect(page.jobs.map((job) => job.jobId)).toContain(jobId);
    const table = await cli(["jobs", ...cluster.clientArgs("bob")]);
    expect(table.stdout).toMatch(new RegExp(`${jobId}\\s+SUCCEEDED\\s+synthesis\\s+adult_test\\.csv\\s+80`));
  });

  it("a retried submit with the same idempotency key returns the same job; a different spec under that key is refused", async () => {
    const client = cluster.jobClient();
    const first = await submitJob(client, synthesisSpec({ rows: 50, seed: 1 }), "retry-key-1");
    const second = await submitJob(client, synthesisSpec({ rows: 50, seed: 1 }), "retry-key-1");
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.job.jobId).toBe(first.job.jobId);
    await expect(submitJob(client, synthesisSpec({ rows: 51, seed: 1 }), "retry-key-1")).rejects.toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    // Keys are per client: bob's job under the same key is his own.
    const bobs = await submitJob(cluster.jobClient("bob"), synthesisSpec({ rows: 50, seed: 1 }), "retry-key-1");
    expect(bobs.created).toBe(true);
    expect(bobs.job.jobId).not.toBe(first.job.jobId);
    const done = await waitForJob(client, first.job.jobId, isDone);
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
    expect((await listAllJobs(client)).filter((job) => job.idempotencyKey === "retry-key-1")).toHaveLength(1);
  });

  it("a job that fits no node waits with a reason, and cancel ends it (once)", async () => {
    const client = cluster.jobClient();
    const { job } = await submitJob(client, synthesisSpec({ gpus: 2 }));
    const waiting = await waitForJob(client, job.jobId, (j) => j.waitingReason !== "");
    expect(waiting.state).toBe("JOB_STATE_QUEUED");
    expect(waiting.waitingReason).toMatch(/GPU/i);
    const cancelled = await cancelJob(client, job.jobId, "no GPU here");
    expect(cancelled.state).toBe("JOB_STATE_CANCELLED");
    expect(cancelled.cancelReason).toBe("no GPU here");
    await expect(cancelJob(client, job.jobId)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    const again = await cli(["cancel", job.jobId, ...cluster.clientArgs()]);
    expect(again.code).toBe(2);
  });

  it("cancelling a running job stops it on its node, and no result is accepted", async () => {
    const client = cluster.jobClient();
    // Long enough (tens of seconds) that the cancel always lands while it runs: 2M rows took
    // under 3 s on a quiet host, finishing before the node heard of the cancel.
    const { job } = await submitJob(client, synthesisSpec({ rows: 20_000_000, seed: 4 }));
    const running = await waitForJob(client, job.jobId, (j) => j.state === "JOB_STATE_RUNNING", 60_000);
    const node = cluster.nodes.get(running.nodeId)!;
    const cancelled = await cancelJob(client, job.jobId, "changed my mind");
    expect(cancelled.state).toBe("JOB_STATE_CANCELLED");
    await node.waitForLine(new RegExp(`stopped ${job.jobId}/\\S+: job cancelled`), 30_000);
    const after = await getJob(client, job.jobId);
    expect(after.state).toBe("JOB_STATE_CANCELLED");
    expect(after.results).toEqual([]);
    expect(node.lines.some((line) => line.includes(`reported ${job.jobId}/`))).toBe(false);
  }, 90_000);

  it("lists jobs in pages (AIP-158): every job once, stable tokens, filters, tampered tokens refused", async () => {
    const client = cluster.jobClient("carol");
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await submitJob(client, synthesisSpec({ gpus: 8 }))).job.jobId);
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await listJobs(client, { pageSize: 3, pageToken: token, filter: "state = QUEUED" });
      expect(page.totalSize).toBe(7);
      expect(page.jobs.length).toBeLessThanOrEqual(3);
      seen.push(...page.jobs.map((j) => j.jobId));
      token = page.nextPageToken;
      pages += 1;
    } while (token !== "");
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(ids);
    // Newest first.
    const created = await Promise.all(seen.map(async (id) => (await getJob(client, id)).createTimeUnixMs));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const firstPage = await listJobs(client, { pageSize: 3, filter: "state = QUEUED" });
    const tampered = `${firstPage.nextPageToken.slice(0, -2)}xx`;
    await expect(listJobs(client, { pageSize: 3, pageToken: tampered, filter: "state = QUEUED" })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    await expect(listJobs(client, { pageSize: 3, pageToken: firstPage.nextPageToken, filter: "state = RUNNING" })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    expect((await listJobs(client, { filter: "state = SUCCEEDED" })).jobs).toHaveLength(0);
    for (const id of ids) await cancelJob(client, id);
  }, 60_000);

  it("an input upload interrupted after two chunks resumes with only the missing ones, and the node gets the verified file", async () => {
    const client = cluster.jobClient();
    const adult = join(repoRoot, "fixtures/adult/adult.csv");
    const chunks = [];
    for await (const chunk of readFileChunks(adult)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    // The "interrupted" upload: the first two chunks arrive, then the client goes away.
    for (const chunk of chunks.slice(0, 2)) {
      await unaryCall<UploadChunkRequest, UploadChunkResponseOut>(client.uploadChunk.bind(client), { sha256: chunk.sha256, data: chunk.data });
    }
    const missing = await unaryCall<FindMissingChunksRequest, FindMissingChunksResponseOut>(client.findMissingChunks.bind(client), {
      sha256: chunks.map((c) => c.sha256),
    });
    expect(missing.missingSha256).toEqual(chunks.slice(2).map((c) => c.sha256));
    const resumed = await uploadFile(client, adult);
    expect(resumed.sentChunks).toBe(chunks.length - 2);
    // A re-sent chunk is not stored twice.
    const resent = await unaryCall<UploadChunkRequest, UploadChunkResponseOut>(client.uploadChunk.bind(client), {
      sha256: chunks[0]!.sha256,
      data: chunks[0]!.data,
    });
    expect(resent.alreadyStored).toBe(true);
    expect((await uploadFile(client, adult)).sentChunks).toBe(0);

    const spec = synthesisSpec({ rows: 100, seed: 3 });
    spec.input = { upload: resumed.manifest };
    const { job } = await submitJob(client, spec);
    const done = await waitForJob(client, job.jobId, isDone, 90_000);
    expect(done.errorMessage).toBe("");
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
  }, 120_000);

  it("exposes Prometheus metrics on the coordinator and on each node", async () => {
    const coordinator = await (await fetch(cluster.metricsUrl)).text();
    for (const name of [
      "datalab_jobs{",
      "datalab_job_queue_wait_seconds_bucket",
      "datalab_job_duration_seconds_bucket",
      "datalab_job_attempts_total",
      "datalab_nodes_connected",
      "datalab_gpus_registered",
      "datalab_gpus_in_use",
      "datalab_transfer_bytes_total",
      "datalab_last_successful_job_timestamp_seconds",
      "datalab_build_info",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(coordinator, name).toContain(name);
    }
    expect(coordinator).toMatch(/datalab_nodes_connected \d/);
    // Prometheus naming: no per-job or per-node label values.
    expect(coordinator).not.toMatch(/job-[0-9a-z]{20,}/);
    expect(coordinator).not.toMatch(/node="node-a"/);
    const node = await (await fetch(await cluster.nodeMetricsUrl("node-a"))).text();
    for (const name of [
      "datalab_node_task_duration_seconds",
      "datalab_node_tasks_running",
      "datalab_node_gpu_info",
      "datalab_node_coordinator_connected",
      "process_cpu_seconds_total",
    ]) {
      expect(node, name).toContain(name);
    }
    expect(node).toMatch(/datalab_node_coordinator_connected(\{[^}]*\})? 1/);
  });
});
