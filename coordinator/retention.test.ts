import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callJob, callNode, chunkBuffer, type JobServiceClient, type NodeServiceClient, uploadFile } from "../proto/index.js";
import { ResultRetention } from "./retention.js";
import { type Harness, startHarness } from "./testing/harness.js";

const DAY_MS = 86_400_000;
const GiB = 1024 ** 3;
let h: Harness;
let alice: JobServiceClient;
let bob: JobServiceClient;
let node: NodeServiceClient;

beforeAll(async () => {
  h = await startHarness({ nodes: ["node-a"] });
  alice = h.jobClient("alice");
  bob = h.jobClient("bob");
  node = h.nodeClient("node-a");
  await callNode(node, "RegisterNode", { nodeId: "node-a", capabilities: { cpuCores: 4, memoryBytes: 8 * GiB }, requestedHeartbeatIntervalSeconds: 5 });
});
afterAll(async () => h?.close());

/** An uploaded CSV of about 2 x `bytes` bytes in 512 KiB chunks (chunks over 256 KiB are files, smaller ones database rows). */
async function upload(client: JobServiceClient, name: string, bytes: number) {
  const path = join(h.dir, name);
  writeFileSync(path, `a,b\n${randomBytes(bytes).toString("hex")}\n`);
  return (await uploadFile(client, path, { chunkBytes: 512 * 1024 })).manifest;
}

describe("result retention", () => {
  it("drops results past the period and removes exactly the chunks nothing references any more", async () => {
    const { store, chunks } = h.running.coordinator;
    // Job 1: alice's upload as input, finished now with a result sent inline.
    const input = await upload(alice, "input.csv", 400_000);
    const spec = { kind: "JOB_KIND_SYNTHESIS" as const, input: { upload: input }, rows: 10, model: "gaussian_copula" };
    const first = (await callJob(alice, "SubmitJob", { idempotencyKey: "r-1", spec })).job!;
    const task = (await callNode(node, "LeaseTask", { nodeId: "node-a", waitSeconds: 2 }, { deadlineSeconds: 5 })).task!;
    expect(task.jobId).toBe(first.jobId);
    const table = chunkBuffer(Buffer.from("a,b\n1,2\n"), { name: "synthetic.csv" });
    await callNode(node, "CompleteTask", {
      nodeId: "node-a",
      taskId: task.taskId,
      leaseId: task.leaseId,
      results: [{ kind: "RESULT_KIND_TABLE", file: table.manifest }],
      inlineChunks: table.chunks.map((c) => ({ sha256: c.sha256, data: c.data })),
    });
    // Job 2: the same input, still queued (an active job keeps its input).
    const second = (await callJob(alice, "SubmitJob", { idempotencyKey: "r-2", spec: { ...spec, rows: 20 } })).job!;
    // Bob uploads two files and never uses them: a small one (a row) and a large one (files).
    const unused = { chunks: [...(await upload(bob, "unused-small.csv", 50_000)).chunks, ...(await upload(bob, "unused-large.csv", 400_000)).chunks] };
    const resultSha = table.chunks[0]!.sha256;
    const inputShas = input.chunks.map((c) => c.sha256);
    const unusedShas = unused.chunks.map((c) => c.sha256);
    expect([resultSha, ...inputShas, ...unusedShas].every((sha) => chunks.has(sha))).toBe(true);
    expect([inputShas.length, unusedShas.length]).toEqual([2, 3]);

    // Within the grace period nothing goes, whatever the age of the jobs.
    const patient = new ResultRetention({ store, chunks, retentionDays: 1, graceMs: 3 * DAY_MS, now: () => Date.now() + 2 * DAY_MS });
    const early = await patient.sweep();
    expect(early.removedChunks).toBe(0);
    expect(early.expiredJobs).toBe(1); // job 1's results are past the period already

    // Two days on, past the grace period: job 1's result and bob's upload go; job 2's input stays.
    const retention = new ResultRetention({ store, chunks, retentionDays: 1, now: () => Date.now() + 2 * DAY_MS });
    const swept = await retention.sweep();
    expect(swept.expiredJobs).toBe(0); // dropped by the first pass
    expect(swept.removedChunks).toBe(1 + unusedShas.length);
    expect(chunks.has(resultSha)).toBe(false);
    expect(unusedShas.some((sha) => chunks.has(sha))).toBe(false);
    expect(inputShas.every((sha) => chunks.has(sha))).toBe(true);
    const expired = (await callJob(alice, "GetJob", { jobId: first.jobId })).job!;
    expect(expired.state).toBe("JOB_STATE_SUCCEEDED");
    expect(expired.results).toEqual([]);
    expect(expired.resultsExpiredUnixMs).toBeGreaterThan(0);
    const download = new Promise((resolve, reject) => {
      const stream = alice.downloadResult({ jobId: first.jobId, kind: "RESULT_KIND_TABLE" }, { deadline: Date.now() + 5000 });
      stream.on("data", () => undefined);
      stream.on("error", reject);
      stream.on("end", resolve);
    });
    await expect(download).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringMatching(/removed on .*retention period/) });
    expect((await callJob(alice, "GetJob", { jobId: second.jobId })).job!.resultsExpiredUnixMs).toBe(0);
    // Alice's ownership of her upload expired too: to submit it again she uploads it again
    // (the chunks are still stored for job 2, so that costs no write).
    await expect(callJob(alice, "SubmitJob", { idempotencyKey: "r-3", spec })).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    // A second pass finds nothing more; a removed chunk sent again is stored anew.
    expect(await retention.sweep()).toEqual({ expiredJobs: 0, removedChunks: 0, removedBytes: 0 });
    const again = await chunks.put(resultSha, table.chunks[0]!.data);
    expect(again.alreadyStored).toBe(false);
    expect(chunks.has(resultSha)).toBe(true);
    await callJob(alice, "CancelJob", { jobId: second.jobId });
  });
});
