import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callJob,
  callNode,
  chunkBuffer,
  connectJobService,
  connectNodeService,
  createNodeClient,
  type JobOut,
  type JobServiceClient,
  type NodeServiceClient,
  readClientTls,
} from "../proto/index.js";
import { startCoordinator } from "./server.js";
import { type Harness, startHarness } from "./testing/harness.js";

const GiB = 1024 ** 3;
let h: Harness;
let alice: JobServiceClient;
let node: NodeServiceClient;

beforeAll(async () => {
  h = await startHarness();
  alice = h.jobClient("alice");
  node = h.nodeClient("node-a");
  await callNode(node, "RegisterNode", { nodeId: "node-a", capabilities: { cpuCores: 4, memoryBytes: 8 * GiB }, requestedHeartbeatIntervalSeconds: 5 });
});
afterAll(async () => h?.close());

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return grpc.status.OK;
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}

const spec = { kind: "JOB_KIND_SYNTHESIS" as const, input: { bundledUri: "vega:seattle-weather.csv" }, rows: 20, model: "gaussian_copula" };

async function leaseOne() {
  const task = (await callNode(node, "LeaseTask", { nodeId: "node-a", waitSeconds: 2 }, { deadlineSeconds: 5 })).task;
  if (!task) throw new Error("no task leased");
  return task;
}

describe("node task calls", () => {
  it("streams a job's changes to WatchJob until it is done", async () => {
    const { job } = await callJob(alice, "SubmitJob", { idempotencyKey: "watch-1", spec });
    const seen: JobOut[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      const stream = alice.watchJob({ jobId: job!.jobId }, { deadline: Date.now() + 20_000 });
      stream.on("data", (message: { job: JobOut }) => seen.push(message.job));
      stream.on("end", () => resolve());
      stream.on("error", reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const task = await leaseOne();
    for (const fraction of [0.25, 0.75])
      await callNode(node, "ReportProgress", { nodeId: "node-a", taskId: task.taskId, leaseId: task.leaseId, progress: { fraction, phase: "fit" } });
    const { manifest, chunks } = chunkBuffer(Buffer.from("a,b\n1,2\n"), { name: "synthetic.csv" });
    await callNode(node, "UploadChunk", { sha256: chunks[0]!.sha256, data: chunks[0]!.data });
    await callNode(node, "CompleteTask", {
      nodeId: "node-a",
      taskId: task.taskId,
      leaseId: task.leaseId,
      results: [{ kind: "RESULT_KIND_TABLE", file: manifest }],
    });
    await ended;
    expect(seen.map((j) => j.state)).toEqual(["JOB_STATE_QUEUED", "JOB_STATE_LEASED", "JOB_STATE_RUNNING", "JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"]);
    expect(seen.map((j) => j.progress!.fraction)).toEqual([0, 0, 0.25, 0.75, 1]);
    expect(seen.at(-1)!.done).toBe(true);
  });

  it("re-queues a failed attempt while attempts are left, and fails at once when not retryable", async () => {
    const { job } = await callJob(alice, "SubmitJob", { idempotencyKey: "fail-1", spec: { ...spec, maxAttempts: 2 } });
    const first = await leaseOne();
    const retry = await callNode(node, "FailTask", {
      nodeId: "node-a",
      taskId: first.taskId,
      leaseId: first.leaseId,
      errorMessage: "CUDA out of memory",
      retryable: true,
    });
    expect(retry).toEqual({ willRetry: true, attemptsLeft: 1 });
    const second = await leaseOne();
    expect(second.jobId).toBe(job!.jobId);
    const final = await callNode(node, "FailTask", {
      nodeId: "node-a",
      taskId: second.taskId,
      leaseId: second.leaseId,
      errorMessage: "column 'age' is empty",
      retryable: false,
    });
    expect(final.willRetry).toBe(false);
    const failed = (await callJob(alice, "GetJob", { jobId: job!.jobId })).job!;
    expect(failed.state).toBe("JOB_STATE_FAILED");
    expect(failed.errorMessage).toBe("column 'age' is empty");
    // The same lease cannot fail twice.
    expect(await codeOf(callNode(node, "FailTask", { nodeId: "node-a", taskId: second.taskId, leaseId: second.leaseId, errorMessage: "again" }))).toBe(
      grpc.status.ABORTED,
    );
  });

  it("CompleteTask with lease_next leases the node's next queued task in the same call", async () => {
    const first = (await callJob(alice, "SubmitJob", { idempotencyKey: "next-1", spec })).job!;
    const second = (await callJob(alice, "SubmitJob", { idempotencyKey: "next-2", spec })).job!;
    const task = await leaseOne();
    expect(task.jobId).toBe(first.jobId);
    const complete = (t: { taskId: string; leaseId: string }, body: string) => {
      const { manifest, chunks } = chunkBuffer(Buffer.from(body), { name: "synthetic.csv" });
      const inlineChunks = chunks.map((c) => ({ sha256: c.sha256, data: c.data }));
      return callNode(node, "CompleteTask", {
        nodeId: "node-a",
        taskId: t.taskId,
        leaseId: t.leaseId,
        results: [{ kind: "RESULT_KIND_TABLE", file: manifest }],
        inlineChunks,
        leaseNext: true,
      });
    };
    const answer = await complete(task, "a,b\n1,2\n");
    expect(answer.accepted).toBe(true);
    expect(answer.nextTask?.jobId).toBe(second.jobId);
    expect((await callJob(alice, "GetJob", { jobId: first.jobId })).job!.state).toBe("JOB_STATE_SUCCEEDED");
    const leased = (await callJob(alice, "GetJob", { jobId: second.jobId })).job!;
    expect(leased.state).toBe("JOB_STATE_LEASED");
    expect(leased.attempt).toBe(1);
    // Queue empty: accepted, no next task. A retried completion leases nothing either.
    const last = await complete(answer.nextTask!, "a,b\n3,4\n");
    expect(last).toEqual({ accepted: true, nextTask: null });
    const third = (await callJob(alice, "SubmitJob", { idempotencyKey: "next-3", spec })).job!;
    expect(await complete(answer.nextTask!, "a,b\n3,4\n")).toEqual({ accepted: true, nextTask: null });
    expect((await callJob(alice, "GetJob", { jobId: third.jobId })).job!.state).toBe("JOB_STATE_QUEUED");
    await callJob(alice, "CancelJob", { jobId: third.jobId });
  });

  it("CompleteTasks records each completion as CompleteTask would, with its own outcome and next task", async () => {
    // Three tasks at once: the node offers three slots.
    await callNode(node, "RegisterNode", {
      nodeId: "node-a",
      capabilities: { cpuCores: 4, memoryBytes: 8 * GiB, maxConcurrentTasks: 3 },
      requestedHeartbeatIntervalSeconds: 5,
    });
    const jobs: JobOut[] = [];
    for (let i = 0; i < 5; i++) jobs.push((await callJob(alice, "SubmitJob", { idempotencyKey: `batch-${i}`, spec })).job!);
    const [a, b, c] = [await leaseOne(), await leaseOne(), await leaseOne()];
    expect([a.jobId, b.jobId, c.jobId]).toEqual(jobs.slice(0, 3).map((j) => j.jobId));
    const completion = (t: { taskId: string; leaseId: string }, body: string, leaseNext: boolean) => {
      const { manifest, chunks } = chunkBuffer(Buffer.from(body), { name: "synthetic.csv" });
      return {
        taskId: t.taskId,
        leaseId: t.leaseId,
        results: [{ kind: "RESULT_KIND_TABLE" as const, file: manifest }],
        inlineChunks: chunks.map((k) => ({ sha256: k.sha256, data: k.data })),
        leaseNext,
      };
    };
    // b's lease is gone (handed back and leased again): its item is ABORTED, a and c go through.
    await callNode(node, "ReleaseTask", { nodeId: "node-a", taskId: b.taskId, leaseId: b.leaseId, reason: "test" });
    const bAgain = await leaseOne();
    expect(bAgain.jobId).toBe(b.jobId);
    const answer = await callNode(node, "CompleteTasks", {
      nodeId: "node-a",
      completions: [completion(a, "x\n1\n", true), completion(b, "x\n2\n", true), completion(c, "x\n3\n", false)],
    });
    expect(answer.outcomes.map((o) => o.code)).toEqual([grpc.status.OK, grpc.status.ABORTED, grpc.status.OK]);
    expect(answer.outcomes[1]!.message).toMatch(/no longer valid/);
    expect(answer.outcomes[1]!.response).toBeNull();
    // Only a asked for a next task (c did not, b failed): the oldest queued job.
    expect(answer.outcomes[0]!.response).toMatchObject({ accepted: true, nextTask: { jobId: jobs[3]!.jobId } });
    expect(answer.outcomes[2]!.response).toEqual({ accepted: true, nextTask: null });
    const states = async () => Promise.all(jobs.map(async (j) => (await callJob(alice, "GetJob", { jobId: j.jobId })).job!.state));
    expect(await states()).toEqual(["JOB_STATE_SUCCEEDED", "JOB_STATE_LEASED", "JOB_STATE_SUCCEEDED", "JOB_STATE_LEASED", "JOB_STATE_QUEUED"]);
    // The downloaded table is the inline one.
    const third = (await callJob(alice, "GetJob", { jobId: jobs[2]!.jobId })).job!;
    expect(third.results[0]!.file!.sizeBytes).toBe(4);
    // A retried batch answers accepted again and leases nothing more.
    const retried = await callNode(node, "CompleteTasks", { nodeId: "node-a", completions: [completion(a, "x\n1\n", true)] });
    expect(retried.outcomes).toEqual([{ code: grpc.status.OK, message: "", response: { accepted: true, nextTask: null } }]);
    expect(await states()).toEqual(["JOB_STATE_SUCCEEDED", "JOB_STATE_LEASED", "JOB_STATE_SUCCEEDED", "JOB_STATE_LEASED", "JOB_STATE_QUEUED"]);
    const next = answer.outcomes[0]!.response!.nextTask!;
    await callNode(node, "CompleteTasks", { nodeId: "node-a", completions: [completion(bAgain, "x\n2\n", false), completion(next, "x\n4\n", false)] });
    await callJob(alice, "CancelJob", { jobId: jobs[4]!.jobId });
  });

  it("refuses a CompleteTasks call that breaks the batch limits, whole", async () => {
    const one = { taskId: "job-x/aaa", leaseId: "aaa" };
    expect(await codeOf(callNode(node, "CompleteTasks", { nodeId: "node-a", completions: [] }))).toBe(grpc.status.INVALID_ARGUMENT);
    const tooMany = Array.from({ length: 33 }, (_, i) => ({ taskId: `job-x/a${i}`, leaseId: `a${i}` }));
    expect(await codeOf(callNode(node, "CompleteTasks", { nodeId: "node-a", completions: tooMany }))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(callNode(node, "CompleteTasks", { nodeId: "node-a", completions: [one, one] }))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(callNode(node, "CompleteTasks", { nodeId: "node-a", completions: [{ ...one, nodeId: "node-b" }] }))).toBe(grpc.status.INVALID_ARGUMENT);
    // Inline chunks of 5 x 250 KiB: each within its own limit, together above the call's 1 MiB.
    const big = Array.from({ length: 5 }, (_, i) => {
      const data = Buffer.alloc(250 * 1024, i);
      return { taskId: `job-x/b${i}`, leaseId: `b${i}`, inlineChunks: [{ sha256: chunkBuffer(data, { name: "t.csv" }).chunks[0]!.sha256, data }] };
    });
    expect(await codeOf(callNode(node, "CompleteTasks", { nodeId: "node-a", completions: big }))).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it("hands back tasks on release and deregistration without using an attempt", async () => {
    const { job } = await callJob(alice, "SubmitJob", { idempotencyKey: "release-1", spec });
    const task = await leaseOne();
    expect((await callNode(node, "ReleaseTask", { nodeId: "node-a", taskId: task.taskId, leaseId: task.leaseId, reason: "SIGTERM" })).requeued).toBe(true);
    const again = await leaseOne();
    expect(again.attempt).toBe(1);
    expect((await callNode(node, "DeregisterNode", { nodeId: "node-a" })).requeuedTasks).toBe(1);
    const queued = (await callJob(alice, "GetJob", { jobId: job!.jobId })).job!;
    expect(queued.state).toBe("JOB_STATE_QUEUED");
    expect(queued.attempt).toBe(0);
    expect(await codeOf(callNode(node, "LeaseTask", { nodeId: "node-a" }))).toBe(grpc.status.NOT_FOUND);
    // Registering again reports no active tasks (they were handed back).
    const registered = await callNode(node, "RegisterNode", { nodeId: "node-a", capabilities: { cpuCores: 4, memoryBytes: 8 * GiB } });
    expect(registered.activeTasks).toEqual([]);
    expect(registered.leaseSeconds).toBe(30);
    expect(registered.maxChunkBytes).toBe(2 * 1024 * 1024);
    await callJob(alice, "CancelJob", { jobId: job!.jobId });
  });

  it("refuses a client certificate on NodeService and mismatched task/lease ids", async () => {
    const { readFileSync } = await import("node:fs");
    const { tlsLayout } = await import("../proto/index.js");
    const files = tlsLayout(h.tlsDir).client("alice");
    const tls = readClientTls(h.tlsDir, "alice");
    const clientCert = createNodeClient(
      `127.0.0.1:${h.running.port}`,
      grpc.credentials.createSsl(tls.caPem, readFileSync(files.key), readFileSync(files.cert)),
    );
    expect(await codeOf(callNode(clientCert, "Heartbeat", { nodeId: "alice" }))).toBe(grpc.status.PERMISSION_DENIED);
    clientCert.close();
    expect(await codeOf(callNode(node, "ReportProgress", { nodeId: "node-a", taskId: "job-x/aaa", leaseId: "bbb" }))).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe("insecure loopback mode", () => {
  it("takes the bearer token as the client name and the request's node id", async () => {
    const running = await startCoordinator(
      { ...h.config, insecure: true, tlsDir: undefined, listenPort: 0, metricsPort: undefined, dataDir: `${h.dir}/insecure-data` },
      () => {},
    );
    const address = `127.0.0.1:${running.port}`;
    const dev = connectJobService({ address, token: "dev-user" });
    const other = connectJobService({ address, token: "someone-else" });
    const plainNode = connectNodeService({ address });
    try {
      const { job } = await callJob(dev, "SubmitJob", { idempotencyKey: "i-1", spec });
      expect(job!.owner).toBe("dev-user");
      expect(await codeOf(callJob(other, "GetJob", { jobId: job!.jobId }))).toBe(grpc.status.NOT_FOUND);
      await callNode(plainNode, "RegisterNode", { nodeId: "laptop", capabilities: { cpuCores: 1 } });
      expect((await callNode(plainNode, "LeaseTask", { nodeId: "laptop", waitSeconds: 1 }, { deadlineSeconds: 4 })).task?.jobId).toBe(job!.jobId);
      // Even here, a client token cannot call the node API.
      const tokenNode = createNodeClient(address, grpc.credentials.createInsecure(), {
        interceptors: [(await import("../proto/index.js")).bearerTokenInterceptor("dev-user")],
      } as grpc.ClientOptions);
      expect(await codeOf(callNode(tokenNode, "Heartbeat", { nodeId: "laptop" }))).toBe(grpc.status.PERMISSION_DENIED);
      tokenNode.close();
    } finally {
      dev.close();
      other.close();
      plainNode.close();
      await running.shutdown(1);
    }
  });
});
