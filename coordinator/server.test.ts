import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chunkBuffer,
  connectJobService,
  connectNodeService,
  downloadFile,
  type JobServiceClient,
  type NodeServiceClient,
  readClientTls,
  loosenedPaths,
  readNodeTls,
  sha256Hex,
  type TaskOut,
  callJob,
  callNode,
  tunables,
  uploadFile,
} from "../proto/index.js";
import { fitGaussianCopula, serializeModel } from "../generators/index.js";
import { loadTable } from "../tabular/index.js";
import { type Harness, startHarness } from "./testing/harness.js";

const GiB = 1024 ** 3;
let h: Harness;
let alice: JobServiceClient;
let bob: JobServiceClient;
let nodeA: NodeServiceClient;

beforeAll(async () => {
  h = await startHarness();
  alice = h.jobClient("alice");
  bob = h.jobClient("bob");
  nodeA = h.nodeClient("node-a");
  await callNode(nodeA, "RegisterNode", {
    nodeId: "node-a",
    capabilities: { cpuCores: 4, memoryBytes: 8 * GiB, gpus: [{ index: 0, name: "NVIDIA H100", memoryBytes: 80 * GiB, uuid: "GPU-1" }], maxConcurrentTasks: 4 },
    hostname: "host-a",
  });
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

function submit(client: JobServiceClient, key: string, extra: Record<string, unknown> = {}) {
  return callJob(client, "SubmitJob", {
    idempotencyKey: key,
    spec: { kind: "JOB_KIND_SYNTHESIS", input: { bundledUri: "vega:penguins.json" }, rows: 100, model: "gaussian_copula", ...extra },
  });
}

async function lease(node: NodeServiceClient, nodeId: string, waitSeconds = 0): Promise<TaskOut | null> {
  return (await callNode(node, "LeaseTask", { nodeId, waitSeconds }, { deadlineSeconds: waitSeconds + 5 })).task;
}

async function uploadResult(node: NodeServiceClient, content: Buffer, name: string) {
  const { manifest, chunks } = chunkBuffer(content, { name, chunkBytes: 64 * 1024 });
  for (const chunk of chunks) await callNode(node, "UploadChunk", { sha256: chunk.sha256, data: chunk.data });
  return manifest;
}

describe("coordinator over gRPC with TLS", () => {
  it("runs submit -> lease -> progress -> complete -> download, and refuses a second completion", async () => {
    const { job, created } = await submit(alice, "flow-1");
    expect(created).toBe(true);
    expect(job!.state).toBe("JOB_STATE_QUEUED");
    const task = await lease(nodeA, "node-a", 2);
    expect(task!.jobId).toBe(job!.jobId);
    expect(task!.spec!.input!.bundledUri).toBe("vega:penguins.json");
    const progress = await callNode(nodeA, "ReportProgress", {
      nodeId: "node-a",
      taskId: task!.taskId,
      leaseId: task!.leaseId,
      progress: { fraction: 0.5, phase: "fit" },
    });
    expect(progress.cancelRequested).toBe(false);
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.state).toBe("JOB_STATE_RUNNING");

    const table = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `${i},${(i * 7) % 13}\n`).join(""));
    const manifest = await uploadResult(nodeA, table, "synthetic.csv");
    const complete = {
      nodeId: "node-a",
      taskId: task!.taskId,
      leaseId: task!.leaseId,
      results: [{ kind: "RESULT_KIND_TABLE" as const, file: manifest }],
      summaryJson: '{"fidelity":0.9}',
    };
    expect((await callNode(nodeA, "CompleteTask", complete)).accepted).toBe(true);
    // A retried completion with the same lease is accepted again (idempotent), not applied twice.
    expect((await callNode(nodeA, "CompleteTask", complete)).accepted).toBe(true);
    const done = (await callJob(alice, "GetJob", { jobId: job!.jobId })).job!;
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
    expect(done.done).toBe(true);
    expect(done.summaryJson).toBe('{"fidelity":0.9}');

    const dest = join(h.dir, "downloaded.csv");
    await downloadFile((start, deadline) => alice.downloadResult({ jobId: job!.jobId, kind: "RESULT_KIND_TABLE", startChunkIndex: start }, { deadline }), dest);
    expect(readFileSync(dest).equals(table)).toBe(true);
    // Bob cannot see Alice's job.
    expect(await codeOf(callJob(bob, "GetJob", { jobId: job!.jobId }))).toBe(grpc.status.NOT_FOUND);
    // Alice may use her job's output as the input of another job without uploading it again; Bob may not.
    const reuse = await submit(alice, "reuse-1", { input: { upload: manifest } });
    expect(reuse.created).toBe(true);
    await callJob(alice, "CancelJob", { jobId: reuse.job!.jobId });
    expect(await codeOf(submit(bob, "reuse-1", { input: { upload: manifest } }))).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("validates a SAMPLE job's uploaded model at submit: impossible contents behind a recomputed checksum are INVALID_ARGUMENT", async () => {
    const model = fitGaussianCopula((await loadTable("node_modules/vega-datasets/data/penguins.json")).table);
    const good = join(h.dir, "penguins.model.json");
    writeFileSync(good, serializeModel(model));
    const { manifest } = await uploadFile(alice, good);
    const accepted = await submit(alice, "sample-good", { kind: "JOB_KIND_SAMPLE", input: { upload: manifest } });
    expect(accepted.created).toBe(true);
    await callJob(alice, "CancelJob", { jobId: accepted.job!.jobId });

    const hostile = structuredClone(model);
    const categorical = hostile.columns.find((c) => c.kind === "categorical")!;
    if (categorical.kind === "categorical") categorical.frequencies[0] = -0.5;
    const bad = join(h.dir, "hostile.model.json");
    writeFileSync(bad, serializeModel(hostile)); // a valid checksum over impossible contents
    const upload = await uploadFile(alice, bad);
    const error = await submit(alice, "sample-bad", { kind: "JOB_KIND_SAMPLE", input: { upload: upload.manifest } }).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((error as grpc.ServiceError).details).toMatch(
      /spec\.input\.upload: a SAMPLE job needs a datalab model file: .*\$\.columns\[\d\]\.frequencies\[0\] must be a finite number ≥ 0, got -0\.5/,
    );

    // A table is not a model either (bundled inputs are tables).
    const bundled = { kind: "JOB_KIND_SAMPLE", input: { bundledUri: "vega:penguins.json" } };
    const table = await submit(alice, "sample-table", bundled).catch((e: grpc.ServiceError) => e);
    expect((table as grpc.ServiceError).details).toMatch(/spec\.input\.bundled_uri: a SAMPLE job needs a datalab model file: .*not a datalab model file/);
  });

  it("takes a small result inline in CompleteTask, checked and stored like an upload", async () => {
    const registered = await callNode(nodeA, "RegisterNode", {
      nodeId: "node-a",
      capabilities: {
        cpuCores: 4,
        memoryBytes: 8 * GiB,
        gpus: [{ index: 0, name: "NVIDIA H100", memoryBytes: 80 * GiB, uuid: "GPU-1" }],
        maxConcurrentTasks: 4,
      },
      hostname: "host-a",
    });
    expect(registered.maxInlineResultBytes).toBe(tunables.maxInlineResultBytes);
    const { job } = await submit(alice, "inline-1");
    const task = await lease(nodeA, "node-a", 2);
    expect(task!.jobId).toBe(job!.jobId);
    const ids = { nodeId: "node-a", taskId: task!.taskId, leaseId: task!.leaseId };
    const table = randomBytes(3000);
    const { manifest, chunks } = chunkBuffer(table, { name: "synthetic.csv", chunkBytes: 64 * 1024 });
    const results = [{ kind: "RESULT_KIND_TABLE" as const, file: manifest }];
    // Without the bytes (inline or uploaded) the completion is refused and the job keeps its lease.
    expect(await codeOf(callNode(nodeA, "CompleteTask", { ...ids, results }))).toBe(grpc.status.FAILED_PRECONDITION);
    // Bytes that do not match their digest, or more than the limit, are refused without storing anything.
    const forged = [{ sha256: chunks[0]!.sha256, data: randomBytes(3000) }];
    expect(await codeOf(callNode(nodeA, "CompleteTask", { ...ids, results, inlineChunks: forged }))).toBe(grpc.status.INVALID_ARGUMENT);
    const big = randomBytes(tunables.maxInlineResultBytes + 1);
    const bigChunks = chunkBuffer(big, { name: "big.csv", chunkBytes: 1024 * 1024 }).chunks.map((c) => ({ sha256: c.sha256, data: c.data }));
    expect(await codeOf(callNode(nodeA, "CompleteTask", { ...ids, results, inlineChunks: bigChunks }))).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await callJob(alice, "GetJob", { jobId: job!.jobId })).job!.state).toBe("JOB_STATE_LEASED");

    const inlineChunks = chunks.map((c) => ({ sha256: c.sha256, data: c.data }));
    expect((await callNode(nodeA, "CompleteTask", { ...ids, results, inlineChunks })).accepted).toBe(true);
    expect((await callNode(nodeA, "CompleteTask", { ...ids, results, inlineChunks })).accepted).toBe(true);
    const dest = join(h.dir, "inline.csv");
    await downloadFile((start, deadline) => alice.downloadResult({ jobId: job!.jobId, kind: "RESULT_KIND_TABLE", startChunkIndex: start }, { deadline }), dest);
    expect(readFileSync(dest).equals(table)).toBe(true);
  });

  it("returns the same job for a retried submit and rejects a different spec under the same key", async () => {
    const first = await submit(alice, "idem-1");
    const again = await submit(alice, "idem-1");
    expect(again.created).toBe(false);
    expect(again.job!.jobId).toBe(first.job!.jobId);
    expect(await codeOf(submit(alice, "idem-1", { rows: 101 }))).toBe(grpc.status.ALREADY_EXISTS);
    // The key is per client: Bob gets his own job.
    const bobs = await submit(bob, "idem-1");
    expect(bobs.created).toBe(true);
    expect(bobs.job!.jobId).not.toBe(first.job!.jobId);
    await callJob(alice, "CancelJob", { jobId: first.job!.jobId });
    await callJob(bob, "CancelJob", { jobId: bobs.job!.jobId });
  });

  it("rejects bad submits with INVALID_ARGUMENT or FAILED_PRECONDITION", async () => {
    expect(await codeOf(submit(alice, "bad-1", { rows: 0 }))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(submit(alice, "bad-2", { input: { bundledUri: "vega:nope.csv" } }))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(submit(alice, "", {}))).toBe(grpc.status.INVALID_ARGUMENT);
    // A condition's --where text is checked for syntax at submit, with the parser's message.
    const badWhere = submit(alice, "bad-where", { conditions: [{ rows: 10, where: "Species=Adelie,Island>>Biscoe" }] });
    await expect(badWhere).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/spec\.conditions\[0\]\.where is not valid/),
    });
    expect(await codeOf(submit(alice, "empty-condition", { conditions: [{ rows: 10 }] }))).toBe(grpc.status.INVALID_ARGUMENT);
    const good = await submit(alice, "good-where", { conditions: [{ rows: 10, where: '"Body Mass (g)">4500' }] });
    expect(good.job!.spec!.conditions[0]!.where).toBe('"Body Mass (g)">4500');
    await callJob(alice, "CancelJob", { jobId: good.job!.jobId }); // later tests lease the queue
    const { manifest } = chunkBuffer(randomBytes(1000), { name: "never-uploaded.csv" });
    expect(await codeOf(submit(alice, "bad-3", { input: { upload: manifest } }))).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("ends a server stream that fails before its first message with the status (not a deadline)", async () => {
    const streamCode = (stream: grpc.ClientReadableStream<unknown>) =>
      new Promise<{ code: number; details: string }>((resolve) => {
        stream.on("data", () => undefined);
        stream.on("error", (error: grpc.ServiceError) => resolve({ code: error.code, details: error.details }));
        stream.on("end", () => resolve({ code: grpc.status.OK, details: "" }));
      });
    const queued = (await submit(alice, "stream-errors")).job!;
    const deadline = () => ({ deadline: Date.now() + 5000 });
    const download = await streamCode(alice.downloadResult({ jobId: queued.jobId, kind: "RESULT_KIND_TABLE" }, deadline()));
    expect(download).toEqual({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringMatching(/is QUEUED; results can be downloaded once it has SUCCEEDED/),
    });
    const watch = await streamCode(alice.watchJob({ jobId: "job-unknown" }, deadline()));
    expect(watch.code).toBe(grpc.status.NOT_FOUND);
    await callJob(alice, "CancelJob", { jobId: queued.jobId });
  });

  it("cancels a running job and tells its node through heartbeat and progress", async () => {
    const { job } = await submit(alice, "cancel-1");
    const task = await lease(nodeA, "node-a", 2);
    expect(task!.jobId).toBe(job!.jobId);
    const cancelled = await callJob(alice, "CancelJob", { jobId: job!.jobId, reason: "changed my mind" });
    expect(cancelled.job!.state).toBe("JOB_STATE_CANCELLED");
    const beat = await callNode(nodeA, "Heartbeat", { nodeId: "node-a", runningTaskIds: [task!.taskId, "job-x/none"] });
    expect(beat.cancelledTaskIds).toEqual([task!.taskId]);
    expect(beat.lostTaskIds).toEqual(["job-x/none"]);
    const progress = await callNode(nodeA, "ReportProgress", { nodeId: "node-a", taskId: task!.taskId, leaseId: task!.leaseId, progress: { fraction: 0.1 } });
    expect(progress.cancelRequested).toBe(true);
    expect(await codeOf(callJob(alice, "CancelJob", { jobId: job!.jobId }))).toBe(grpc.status.FAILED_PRECONDITION);
    const complete = { nodeId: "node-a", taskId: task!.taskId, leaseId: task!.leaseId, results: [] };
    expect(await codeOf(callNode(nodeA, "CompleteTask", complete))).toBe(grpc.status.ABORTED);
  });

  it("pages through ListJobs with opaque, stable tokens and a filter", async () => {
    const carol = h.jobClient("bob");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await submit(carol, `page-${i}`)).job!.jobId);
    const seen: string[] = [];
    let token = "";
    do {
      const page = await callJob(carol, "ListJobs", { pageSize: 3, pageToken: token, filter: "state = QUEUED" });
      expect(page.totalSize).toBe(7);
      seen.push(...page.jobs.map((j) => j.jobId));
      token = page.nextPageToken;
    } while (token !== "");
    expect(seen).toEqual([...ids].reverse());
    const first = await callJob(carol, "ListJobs", { pageSize: 3, filter: "state = QUEUED" });
    expect(await codeOf(callJob(carol, "ListJobs", { pageSize: 3, pageToken: first.nextPageToken, filter: "state = RUNNING" }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(callJob(carol, "ListJobs", { pageSize: 3, pageToken: `${first.nextPageToken}x` }))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await codeOf(callJob(carol, "ListJobs", { filter: "owner = alice" }))).toBe(grpc.status.INVALID_ARGUMENT);
    for (const jobId of ids) await callJob(carol, "CancelJob", { jobId });
    const cancelledKinds = await callJob(carol, "ListJobs", { filter: "state = (cancelled OR failed) AND kind = SYNTHESIS", pageSize: 100 });
    expect(cancelledKinds.jobs.map((j) => j.jobId)).toEqual(expect.arrayContaining(ids));
  });

  it("resumes an interrupted input upload without storing a chunk twice", async () => {
    const path = join(h.dir, "input.csv");
    writeFileSync(path, randomBytes(5 * 1024 * 1024 + 123));
    // Interrupt: upload only the first two chunks by hand.
    const { manifest, chunks } = chunkBuffer(readFileSync(path), { name: "input.csv" });
    for (const chunk of chunks.slice(0, 2)) await callJob(alice, "UploadChunk", { sha256: chunk.sha256, data: chunk.data });
    const missing = await callJob(alice, "FindMissingChunks", { sha256: manifest.chunks.map((c) => c.sha256) });
    expect(missing.missingSha256).toEqual(manifest.chunks.slice(2).map((c) => c.sha256));
    const resumed = await uploadFile(alice, path);
    expect(resumed.sentChunks).toBe(manifest.chunks.length - 2);
    expect(resumed.manifest.sha256).toBe(manifest.sha256);
    const again = await callJob(alice, "UploadChunk", { sha256: chunks[0]!.sha256, data: chunks[0]!.data });
    expect(again.alreadyStored).toBe(true);
    const { job } = await submit(alice, "upload-1", { input: { upload: resumed.manifest } });
    expect(job!.spec!.input!.upload!.sha256).toBe(manifest.sha256);
    // The node downloads the input and gets the same bytes.
    const task = await lease(nodeA, "node-a", 2);
    const dest = join(h.dir, "node-input.csv");
    await downloadFile(
      (start, deadline) => nodeA.downloadInput({ nodeId: "node-a", taskId: task!.taskId, leaseId: task!.leaseId, startChunkIndex: start }, { deadline }),
      dest,
    );
    expect(sha256Hex(readFileSync(dest))).toBe(manifest.sha256);
    await callJob(alice, "CancelJob", { jobId: job!.jobId });
  });

  it("lets a client reference only chunks it uploaded or its own jobs produced", async () => {
    const secret = randomBytes(300_000);
    const { manifest, chunks } = chunkBuffer(secret, { name: "alice-private.csv", chunkBytes: 100_000 });
    for (const chunk of chunks) await callJob(alice, "UploadChunk", { sha256: chunk.sha256, data: chunk.data });
    const digests = manifest.chunks.map((c) => c.sha256);
    // Bob knows the digests but not the bytes: they are "missing" for him and he cannot use them.
    expect((await callJob(bob, "FindMissingChunks", { sha256: digests })).missingSha256).toEqual(digests);
    expect(await codeOf(submit(bob, "steal-1", { input: { upload: manifest } }))).toBe(grpc.status.FAILED_PRECONDITION);
    // Sending the bytes proves he has them; they are not stored twice, and "already stored" does not leak Alice's upload.
    const resent = await callJob(bob, "UploadChunk", { sha256: chunks[0]!.sha256, data: chunks[0]!.data });
    expect(resent.alreadyStored).toBe(false);
    expect((await callJob(bob, "UploadChunk", { sha256: chunks[0]!.sha256, data: chunks[0]!.data })).alreadyStored).toBe(true);
    expect((await callJob(bob, "FindMissingChunks", { sha256: digests })).missingSha256).toEqual(digests.slice(1));
  });

  it("rejects a chunk whose bytes do not match its digest, and an oversize message, without crashing", async () => {
    const data = randomBytes(100);
    expect(await codeOf(callJob(alice, "UploadChunk", { sha256: sha256Hex(randomBytes(100)), data }))).toBe(grpc.status.INVALID_ARGUMENT);
    const huge = randomBytes(3 * 1024 * 1024);
    // A raw client without our send limit, so the server's receive limit is what refuses it.
    const tls = readClientTls(h.tlsDir, "alice");
    const raw = connectJobService({ address: `127.0.0.1:${h.running.port}`, token: tls.token, caPem: tls.caPem });
    (raw as unknown as { close(): void }).close();
    const { createJobClient, bearerTokenInterceptor } = await import("../proto/index.js");
    const unlimited = createJobClient(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem), {
      "grpc.max_send_message_length": -1,
      interceptors: [bearerTokenInterceptor(tls.token)],
    } as grpc.ClientOptions);
    expect(await codeOf(callJob(unlimited, "UploadChunk", { sha256: sha256Hex(huge), data: huge }))).toBe(grpc.status.RESOURCE_EXHAUSTED);
    unlimited.close();
    // Still serving.
    expect((await callJob(alice, "ListJobs", { pageSize: 1 })).jobs.length).toBe(1);
  });
});

describe("authentication and roles", () => {
  it("answers UNAUTHENTICATED without or with an unknown token", async () => {
    const tls = readClientTls(h.tlsDir, "alice");
    const stranger = connectJobService({ address: `127.0.0.1:${h.running.port}`, token: "dlk_not-a-real-token", caPem: tls.caPem });
    expect(await codeOf(callJob(stranger, "ListJobs", {}))).toBe(grpc.status.UNAUTHENTICATED);
    stranger.close();
    const { createJobClient } = await import("../proto/index.js");
    const anonymous = createJobClient(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem));
    expect(await codeOf(callJob(anonymous, "ListJobs", {}))).toBe(grpc.status.UNAUTHENTICATED);
    anonymous.close();
  });

  it("answers PERMISSION_DENIED for the wrong role or a borrowed node id", async () => {
    // A node certificate on the client API.
    const { createJobClient, createNodeClient } = await import("../proto/index.js");
    const nodeTls = readNodeTls(h.tlsDir, "node-b");
    const nodeAsClient = createJobClient(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(nodeTls.caPem, nodeTls.keyPem, nodeTls.certPem));
    expect(await codeOf(callJob(nodeAsClient, "ListJobs", {}))).toBe(grpc.status.PERMISSION_DENIED);
    nodeAsClient.close();
    // A client token on the node API.
    const tls = readClientTls(h.tlsDir, "alice");
    const clientAsNode = createNodeClient(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem), {
      interceptors: [(await import("../proto/index.js")).bearerTokenInterceptor(tls.token)],
    } as grpc.ClientOptions);
    expect(await codeOf(callNode(clientAsNode, "LeaseTask", { nodeId: "node-a" }))).toBe(grpc.status.PERMISSION_DENIED);
    clientAsNode.close();
    // No certificate at all on the node API.
    const bare = connectNodeService({ address: `127.0.0.1:${h.running.port}` });
    expect(await codeOf(callNode(bare, "Heartbeat", { nodeId: "node-a" }))).not.toBe(grpc.status.OK);
    bare.close();
    const noCert = createNodeClient(`127.0.0.1:${h.running.port}`, grpc.credentials.createSsl(tls.caPem));
    expect(await codeOf(callNode(noCert, "Heartbeat", { nodeId: "node-a" }))).toBe(grpc.status.UNAUTHENTICATED);
    noCert.close();
    // node-b's certificate claiming to be node-a.
    const nodeB = h.nodeClient("node-b");
    expect(await codeOf(callNode(nodeB, "Heartbeat", { nodeId: "node-a" }))).toBe(grpc.status.PERMISSION_DENIED);
    // node-b has not registered yet.
    expect(await codeOf(callNode(nodeB, "Heartbeat", { nodeId: "node-b" }))).toBe(grpc.status.NOT_FOUND);
  });

  it("keeps its data folder owner-only (job database with its -wal/-shm, chunks, lock) even under a umask of 022", async () => {
    // Earlier tests stored uploads (small ones inside the database, larger ones as chunk files) and results.
    process.umask(0o022);
    await uploadFile(alice, join(h.dir, "penguins.model.json"));
    const { loosened, checked } = loosenedPaths(h.config.dataDir);
    expect(checked).toBeGreaterThan(5);
    expect(loosened).toEqual([]);
  });
});
