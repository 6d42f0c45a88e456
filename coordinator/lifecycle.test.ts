import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { callJob, callNode, chunkBuffer, type JobServiceClient, type NodeServiceClient, readClientTls } from "../proto/index.js";
import { type Harness, startHarness } from "./testing/harness.js";

const GiB = 1024 ** 3;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return grpc.status.OK;
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}

async function register(node: NodeServiceClient, nodeId: string, gpus = 0, heartbeatSeconds = 1) {
  return callNode(node, "RegisterNode", {
    nodeId,
    capabilities: {
      cpuCores: 2,
      memoryBytes: 8 * GiB,
      gpus: Array.from({ length: gpus }, (_, index) => ({ index, name: "NVIDIA A100", memoryBytes: 40 * GiB })),
    },
    requestedHeartbeatIntervalSeconds: heartbeatSeconds,
  });
}

function submit(client: JobServiceClient, key: string, gpuCount = 0) {
  return callJob(client, "SubmitJob", {
    idempotencyKey: key,
    spec: { kind: "JOB_KIND_SYNTHESIS", input: { bundledUri: "fixture:adult" }, rows: 50, model: "gaussian_copula", resources: { gpuCount } },
  });
}

async function completeWithTable(node: NodeServiceClient, nodeId: string, task: { taskId: string; leaseId: string }) {
  const { manifest, chunks } = chunkBuffer(randomBytes(2048), { name: "synthetic.csv" });
  for (const chunk of chunks) await callNode(node, "UploadChunk", { sha256: chunk.sha256, data: chunk.data });
  return callNode(node, "CompleteTask", { nodeId, taskId: task.taskId, leaseId: task.leaseId, results: [{ kind: "RESULT_KIND_TABLE", file: manifest }] });
}

describe("leases, nodes and restarts", () => {
  it("re-leases the task of a node that stops heartbeating to another node; the dead node cannot complete it", async () => {
    h = await startHarness();
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    const nodeB = h.nodeClient("node-b");
    expect((await register(nodeA, "node-a")).heartbeatIntervalSeconds).toBe(1);
    const { job } = await submit(alice, "dead-node");
    const task = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 2 }, { deadlineSeconds: 5 })).task!;
    expect(task.jobId).toBe(job!.jobId);
    await register(nodeB, "node-b");
    // node-b keeps heartbeating, node-a goes silent: after two missed intervals it is offline.
    const deadline = Date.now() + 8000;
    let relet: Awaited<ReturnType<typeof callNode<"LeaseTask">>>["task"] = null;
    while (Date.now() < deadline && relet === null) {
      await callNode(nodeB, "Heartbeat", { nodeId: "node-b" });
      relet = (await callNode(nodeB, "LeaseTask", { nodeId: "node-b", waitSeconds: 1 }, { deadlineSeconds: 4 })).task;
    }
    expect(relet?.jobId).toBe(job!.jobId);
    expect(relet!.attempt).toBe(2);
    // node-a comes back: it must register again, and its old lease is gone.
    expect(await codeOf(callNode(nodeA, "Heartbeat", { nodeId: "node-a", runningTaskIds: [task.taskId] }))).toBe(grpc.status.NOT_FOUND);
    await register(nodeA, "node-a");
    expect((await callNode(nodeA, "Heartbeat", { nodeId: "node-a", runningTaskIds: [task.taskId] })).lostTaskIds).toEqual([task.taskId]);
    expect(await codeOf(completeWithTable(nodeA, "node-a", task))).toBe(grpc.status.ABORTED);
    expect((await completeWithTable(nodeB, "node-b", relet!)).accepted).toBe(true);
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.state).toBe("JOB_STATE_SUCCEEDED");
    expect(h.running.coordinator.store.succeededAttempts(job!.jobId)).toBe(1);
  });

  it("expires a lease without progress, re-queues it, and fails the job after max_attempts", async () => {
    h = await startHarness({ config: { leaseSeconds: 1, maxAttempts: 2 } });
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    await register(nodeA, "node-a", 0, 5);
    const { job } = await submit(alice, "expire");
    for (const attempt of [1, 2]) {
      const task = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 5 }, { deadlineSeconds: 8 })).task!;
      expect(task.attempt).toBe(attempt);
      await sleep(1700);
      expect(
        await codeOf(callNode(nodeA, "ReportProgress", { nodeId: "node-a", taskId: task.taskId, leaseId: task.leaseId, progress: { fraction: 0.2 } })),
      ).toBe(grpc.status.ABORTED);
    }
    const failed = (await callJob(alice, "GetJob", { jobId: job!.jobId })).job!;
    expect(failed.state).toBe("JOB_STATE_FAILED");
    expect(failed.errorMessage).toMatch(/lease .* expired/);
  });

  it("explains why a job waits, and places it once a fitting node registers", async () => {
    h = await startHarness();
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    const { job } = await submit(alice, "gpu-wait", 1);
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.waitingReason).toMatch(/no node is connected/);
    await register(nodeA, "node-a", 0, 5);
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.waitingReason).toMatch(
      /no connected node can ever run it: it needs 1 core\(s\), 1 whole GPU/,
    );
    expect((await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 0 })).task).toBeNull();
    const nodeB = h.nodeClient("node-b");
    await register(nodeB, "node-b", 2, 5);
    expect((await callNode(nodeB, "LeaseTask", { nodeId: "node-b", waitSeconds: 1 }, { deadlineSeconds: 4 })).task?.jobId).toBe(job!.jobId);
    const metrics = await (await fetch(`http://127.0.0.1:${h.running.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^datalab_gpus_registered 2$/m);
    expect(metrics).toMatch(/^datalab_gpus_in_use 1$/m);
    expect(metrics).toMatch(/^datalab_nodes_connected 2$/m);
  });

  it("places GPU jobs by the live free memory nodes report in heartbeats, tells the task its GPUs, and says why it waits", async () => {
    h = await startHarness();
    const alice = h.jobClient("alice");
    const node = h.nodeClient("node-a");
    await register(node, "node-a", 2, 5);
    // Other processes hold almost all of both GPUs: the copula's estimate (768 MiB) fits on neither.
    const crowded = [
      { index: 0, freeBytes: 0.25 * GiB, totalBytes: 40 * GiB },
      { index: 1, freeBytes: 0.5 * GiB, totalBytes: 40 * GiB },
    ];
    await callNode(node, "Heartbeat", { nodeId: "node-a", runningTaskIds: [], gpuMemory: crowded });
    const { job } = await submit(alice, "gpu-live", 1);
    expect((await callNode(node, "LeaseTask", { nodeId: "node-a", waitSeconds: 0 })).task).toBeNull();
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.waitingReason).toMatch(
      /node-a has 0 idle GPU\(s\) \(GPU 0 has 256 MiB free now, GPU 1 has 512 MiB free now, other processes hold the rest; the job is estimated to need 768 MiB\)/,
    );
    await callNode(node, "Heartbeat", {
      nodeId: "node-a",
      runningTaskIds: [],
      gpuMemory: [crowded[0]!, { index: 1, freeBytes: 30 * GiB, totalBytes: 40 * GiB }],
    });
    const task = (await callNode(node, "LeaseTask", { nodeId: "node-a", waitSeconds: 0 })).task;
    expect(task?.jobId).toBe(job!.jobId);
    expect(task?.gpuIndexes).toEqual([1]);
  });

  it("keeps jobs, leases and results across a restart; finished work is not redone", async () => {
    h = await startHarness();
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    await register(nodeA, "node-a", 0, 5);
    const done = (await submit(alice, "r-done")).job!;
    const running = (await submit(alice, "r-running")).job!;
    const queued = (await submit(alice, "r-queued")).job!;
    const t1 = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 1 }, { deadlineSeconds: 4 })).task!;
    await completeWithTable(nodeA, "node-a", t1);
    const t2 = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 1 }, { deadlineSeconds: 4 })).task!;
    expect([t1.jobId, t2.jobId]).toEqual([done.jobId, running.jobId]);
    await h.restart();
    // The node keeps its lease across the restart and finishes the task.
    const progress = await callNode(
      nodeA,
      "ReportProgress",
      { nodeId: "node-a", taskId: t2.taskId, leaseId: t2.leaseId, progress: { fraction: 0.9 } },
      { deadlineSeconds: 10 },
    );
    expect(progress.cancelRequested).toBe(false);
    expect((await completeWithTable(nodeA, "node-a", t2)).accepted).toBe(true);
    const list = await callJob(alice, "ListJobs", { pageSize: 10 });
    const states = new Map(list.jobs.map((j) => [j.jobId, j.state]));
    expect(states.get(done.jobId)).toBe("JOB_STATE_SUCCEEDED");
    expect(states.get(running.jobId)).toBe("JOB_STATE_SUCCEEDED");
    expect(states.get(queued.jobId)).toBe("JOB_STATE_QUEUED");
    const first = (await callJob(alice, "GetJob", { jobId: done.jobId })).job!;
    expect(first.results[0]!.file!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Completing the first task again after the restart is an accepted retry, not a second run.
    expect((await completeWithTable(nodeA, "node-a", t1)).accepted).toBe(true);
    expect(h.running.coordinator.store.succeededAttempts(done.jobId)).toBe(1);
  });

  it("refuses a second agent under the id of a node that is online (ALREADY_EXISTS, naming the id and when it was last seen)", async () => {
    h = await startHarness();
    const nodeA = h.nodeClient("node-a");
    const registration = (instanceId: string) =>
      callNode(nodeA, "RegisterNode", {
        nodeId: "node-a",
        capabilities: { cpuCores: 2, memoryBytes: 8 * GiB },
        requestedHeartbeatIntervalSeconds: 1,
        hostname: "host-1",
        instanceId,
      });
    await registration("agent-1");
    const refused = await registration("agent-2").catch((error: grpc.ServiceError) => error);
    expect((refused as grpc.ServiceError).code).toBe(grpc.status.ALREADY_EXISTS);
    expect((refused as grpc.ServiceError).details).toMatch(
      /node id "node-a" is online: another agent on host host-1 registered it and was last seen [\d.]+ s ago \(\d{4}-\d\d-\d\dT/,
    );
    // The same agent re-registering (after a dropped connection) is fine, and so is an older agent without an instance id.
    await registration("agent-1");
    await registration("");
    // Once the first agent has missed its heartbeats (2 × 1 s), another may take the id.
    await registration("agent-1");
    await sleep(2600);
    expect((await registration("agent-2")).heartbeatIntervalSeconds).toBe(1);
  });

  it("accepts a result, after a restart, from a node that came back after its lease was re-queued but not yet re-leased", async () => {
    // Leases of 2 s: the node stays away (reconnect backoff) longer than its lease while the
    // coordinator restarts, so the job is re-queued before the node reports (the offline grace,
    // 17 s here, re-queues the same way; restart-grace.test.ts checks its length).
    h = await startHarness({ config: { leaseSeconds: 2 } });
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    await register(nodeA, "node-a", 0, 1);
    const { job } = await submit(alice, "late-result");
    const task = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 1 }, { deadlineSeconds: 4 })).task!;
    // The coordinator restarts; the node is away, its lease runs out and the job is re-queued. No other node leases it.
    await h.restart();
    const requeued = Date.now() + 15_000;
    while ((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.state !== "JOB_STATE_QUEUED") {
      if (Date.now() > requeued) throw new Error("the lease of the silent node was never re-queued");
      await sleep(100);
    }
    // The node reconnects with the finished result of its old lease: accepted, the job does not run again.
    await register(nodeA, "node-a", 0, 1);
    expect((await completeWithTable(nodeA, "node-a", task)).accepted).toBe(true);
    const done = (await callJob(alice, "GetJob", { jobId: job!.jobId })).job!;
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
    expect(h.running.coordinator.store.succeededAttempts(job!.jobId)).toBe(1);
    // Nothing is left to lease: the job is not run a second time.
    expect((await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 0 }, { deadlineSeconds: 4 })).task).toBeNull();
    // A retried completion for the same lease is still an accepted retry.
    expect((await completeWithTable(nodeA, "node-a", task)).accepted).toBe(true);
  });

  it("serves health, reflection and the documented metrics", async () => {
    h = await startHarness();
    const alice = h.jobClient("alice");
    const nodeA = h.nodeClient("node-a");
    await register(nodeA, "node-a", 1, 5);
    const { job } = await submit(alice, "metrics");
    const task = (await callNode(nodeA, "LeaseTask", { nodeId: "node-a", waitSeconds: 1 }, { deadlineSeconds: 4 })).task!;
    await completeWithTable(nodeA, "node-a", task);
    const text = await (await fetch(`http://127.0.0.1:${h.running.metricsPort}/metrics`)).text();
    for (const name of [
      "datalab_jobs",
      "datalab_job_queue_wait_seconds",
      "datalab_job_duration_seconds",
      "datalab_jobs_submitted_total",
      "datalab_job_attempts_total",
      "datalab_job_attempt_failures_total",
      "datalab_nodes_connected",
      "datalab_gpus_registered",
      "datalab_gpus_in_use",
      "datalab_transfer_bytes_total",
      "datalab_last_successful_job_timestamp_seconds",
      "datalab_build_info",
      "datalab_grpc_server_handled_total",
      "datalab_grpc_server_handling_seconds",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    }
    expect(text).toMatch(/^datalab_jobs\{state="succeeded"\} 1$/m);
    expect(text).toMatch(/^datalab_job_duration_seconds_count\{kind="synthesis",outcome="succeeded"\} 1$/m);
    expect(text).toMatch(/^datalab_grpc_server_handling_seconds_count\{service="JobService",method="SubmitJob"\} [1-9]/m);
    expect(text).not.toMatch(new RegExp(job!.jobId));
    expect(text).not.toMatch(/node-a/);
    // Only counters end in _total.
    for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      if (match[1]!.startsWith("datalab_") && match[1]!.endsWith("_total")) expect(match[2], match[1]).toBe("counter");
    }

    const tls = readClientTls(h.tlsDir, "alice");
    const protoLoader = await import("@grpc/proto-loader");
    const { protoPath } = await import("grpc-health-check");
    const healthDef = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true, enums: String })) as unknown as {
      grpc: {
        health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client & { check: grpc.requestCallback<unknown> } } };
      };
    };
    const health = new healthDef.grpc.health.v1.Health(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem));
    const status = await new Promise<{ status: string }>((resolve, reject) =>
      (health as unknown as { check(r: object, cb: (e: Error | null, r: { status: string }) => void): void }).check(
        { service: "datalab.v1.JobService" },
        (e, r) => (e ? reject(e) : resolve(r)),
      ),
    );
    expect(status.status).toBe("SERVING");
    health.close();

    // Server reflection (v1) lists both services.
    const reflectionProto = join(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "../proto/grpc/reflection/v1/reflection.proto");
    const reflectionDef = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } } };
    };
    const reflection = new reflectionDef.grpc.reflection.v1.ServerReflection(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem));
    const names = await new Promise<string[]>((resolve, reject) => {
      const stream = (
        reflection as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }> }
      ).ServerReflectionInfo();
      stream.on("data", (response) => {
        resolve((response.list_services_response?.service ?? []).map((s: { name: string }) => s.name));
        stream.end();
      });
      stream.on("error", reject);
      stream.write({ list_services: "*" });
    });
    expect(names).toEqual(expect.arrayContaining(["datalab.v1.JobService", "datalab.v1.NodeService"]));
    reflection.close();
  });
});
