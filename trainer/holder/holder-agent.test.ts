/**
 * The holder agent over real gRPC against a small in-memory NodeService: it registers as a
 * HOLDER with the schema, a bucketed row count and its policy summary; trains a leased round and
 * uploads the clipped update as chunks (FederatedResult); refuses a task over its budget with
 * refusal_reason before downloading anything; and charges its ledger once per job. A federated
 * synthesis MEASURE round leased twice (a coordinator that restarted before it stored the answer)
 * is answered with the same measurement both times, never a second draw of noise; once its SCORE
 * round came, the released files are gone and a MEASURE round of that job is refused.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, test } from "vitest";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { Device, MlpModel } from "../../nn/index.js";
import { chunkBuffer, createNodeClient, type FileChunk, nodeServiceDefinition } from "../../proto/index.js";
import { HolderAgent, rowCountBucket } from "./holder-agent.js";
import { HolderLedger } from "./holder-ledger.js";
import { parseHolderPolicy } from "./holder-policy.js";
import { arenaToWire, float32Bytes, float32FromBytes, layerWidths } from "./parameter-layout.js";
import { RoundRunner } from "./round-runner.js";
import { encodeTable } from "../../tabular/index.js";

const policy = parseHolderPolicy({
  version: 1,
  allowedJobKinds: ["federated_training"],
  allowedPurposes: ["*"],
  allowedRequesters: ["*"],
  maxEpsilonPerJob: 3,
  maxDeltaPerJob: 1e-5,
  totalEpsilon: 4,
  totalDelta: 1e-5,
  minCohortRows: 10,
  requireDp: true,
});

interface FakeCoordinator {
  address: string;
  registrations: Record<string, unknown>[];
  completions: Record<string, unknown>[];
  failures: Record<string, unknown>[];
  downloads: string[];
  chunks: Map<string, Uint8Array>;
  queue: Record<string, unknown>[];
  server: grpc.Server;
}

async function startFake(globalModel: Uint8Array): Promise<FakeCoordinator> {
  const server = new grpc.Server();
  const fake: Omit<FakeCoordinator, "address"> = { registrations: [], completions: [], failures: [], downloads: [], chunks: new Map(), queue: [], server };
  const { manifest, chunks } = chunkBuffer(globalModel, { name: "global.f32", chunkBytes: 1000 });
  const ok =
    <T>(value: T) =>
    (_call: unknown, callback: grpc.sendUnaryData<T>) =>
      callback(null, value);
  server.addService(nodeServiceDefinition(), {
    registerNode: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      fake.registrations.push(call.request);
      callback(null, { heartbeatIntervalSeconds: 1, leaseSeconds: 30, maxChunkBytes: 4 << 20, activeTasks: [], maxInlineResultBytes: 0 });
    },
    heartbeat: ok({ heartbeatIntervalSeconds: 1, cancelledTaskIds: [], lostTaskIds: [] }),
    leaseTask: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      const task = fake.queue.shift();
      setTimeout(() => callback(null, { task: task ?? null }), task ? 0 : 100);
    },
    reportProgress: ok({ leaseDeadlineUnixMs: 0, cancelRequested: false }),
    downloadInput: (call: grpc.ServerWritableStream<{ taskId: string }, unknown>) => {
      fake.downloads.push(call.request.taskId);
      call.write({ manifest });
      for (const chunk of chunks as FileChunk[]) call.write({ chunk: { index: chunk.index, offsetBytes: chunk.offsetBytes, data: chunk.data } });
      call.end();
    },
    findMissingChunks: (call: grpc.ServerUnaryCall<{ sha256: string[] }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { missingSha256: call.request.sha256.filter((s) => !fake.chunks.has(s)) }),
    uploadChunk: (call: grpc.ServerUnaryCall<{ sha256: string; data: Uint8Array }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      fake.chunks.set(call.request.sha256, call.request.data);
      callback(null, {});
    },
    completeTask: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      fake.completions.push(call.request);
      callback(null, { accepted: true, nextTask: null });
    },
    failTask: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      fake.failures.push(call.request);
      callback(null, {});
    },
    deregisterNode: ok({}),
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { ...fake, address: `127.0.0.1:${port}` };
}

function federatedTask(id: string, jobId: string, noiseMultiplier: number, parameterCount: number) {
  return {
    taskId: id,
    leaseId: `lease-${id}`,
    jobId,
    attempt: 1,
    spec: { kind: "JOB_KIND_FEDERATED_TRAINING" },
    federated: {
      jobId,
      round: 1,
      phase: "FEDERATED_PHASE_TRAIN",
      datasetId: "blobs",
      model: { task: "classification", targetColumn: "label", hiddenLayerSizes: [4], inputDimension: 3, outputDimension: 2, parameterCount },
      localEpochs: 1,
      localBatchSize: 16,
      learningRate: 0.1,
      clipNorm: 0.5,
      noiseMultiplier,
      samplingRate: 1,
      roundsTotal: 10,
      delta: 1e-5,
      shardsPerHolder: 1,
      requester: "alice",
      purpose: "test",
      seed: 5,
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting for the agent");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("HolderAgent", () => {
  test("registers as a holder, trains a round and uploads the clipped update; refuses over budget before downloading", async () => {
    const device = Device.open("cpu");
    const widths = layerWidths(3, [4], 2);
    const global = arenaToWire(new MlpModel(device, { task: "classification", inputWidth: 3, hidden: [4], classCount: 2 }, 1).getParameters(), widths);
    const fake = await startFake(float32Bytes(global));
    cleanups.push(() => fake.server.forceShutdown());
    const rows = 120;
    const features = Float32Array.from({ length: rows * 3 }, (_, i) => ((i * 7919) % 13) / 13 - 0.5 + (Math.floor(i / 3) % 2 ? 0.5 : -0.5));
    const targets = Int32Array.from({ length: rows }, (_, r) => r % 2);
    const runner = new RoundRunner({ features, targets, rows, width: 3 }, { inline: true });
    cleanups.push(() => runner.close());
    const workDir = mkdtempSync(join(tmpdir(), "holder-agent-"));
    const ledger = new HolderLedger(join(workDir, "ledger", "budget.sqlite"), "oem-a", "blobs", policy);
    cleanups.push(() => ledger.close());
    const client = createNodeClient(fake.address, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const trainedTargets: string[] = [];
    const agent = new HolderAgent({
      client,
      nodeId: "oem-a",
      workDir,
      dataset: { datasetId: "blobs", schemaJson: '{"version":1,"columns":[]}', rows },
      policy,
      ledger,
      train: (target, settings) => {
        trainedTargets.push(target);
        return runner.train(settings);
      },
      log: () => undefined,
      leaseWaitSeconds: 1,
    });
    // z = 5, q = 1, 10 rounds: ε ≈ 2.81 fits per job; two such jobs compose past the total of 4.
    fake.queue.push(federatedTask("job-a/r1/oem-a", "job-a", 5, global.length));
    fake.queue.push({
      ...federatedTask("job-a/r2/oem-a", "job-a", 5, global.length),
      federated: { ...federatedTask("", "job-a", 5, global.length).federated, round: 2 },
    });
    fake.queue.push(federatedTask("job-b/r1/oem-a", "job-b", 5, global.length));
    const running = agent.run();
    await until(() => fake.completions.length === 2 && fake.failures.length === 1);
    agent.requestShutdown();
    expect(await running).toBe(0);

    const registration = fake.registrations[0] as {
      role: string;
      heldDatasets: { datasetId: string; rowCountBucket: number; policy: { maxEpsilonPerJob: number; requireDp: boolean } }[];
    };
    expect(registration.role).toBe("NODE_ROLE_HOLDER");
    expect(registration.heldDatasets[0]?.datasetId).toBe("blobs");
    expect(Number(registration.heldDatasets[0]?.rowCountBucket)).toBe(100);
    expect(registration.heldDatasets[0]?.policy.requireDp).toBe(true);

    const completion = fake.completions[0] as {
      federated: { update: { kind: string; file: { chunks: { sha256: string }[] } }; exampleCount: number; participantCount: number };
    };
    expect(completion.federated.update.kind).toBe("RESULT_KIND_MODEL_UPDATE");
    expect(Number(completion.federated.exampleCount)).toBe(rows);
    expect(completion.federated.participantCount).toBe(1);
    const bytes = Buffer.concat(completion.federated.update.file.chunks.map((c) => Buffer.from(fake.chunks.get(c.sha256) as Uint8Array)));
    const update = float32FromBytes(new Uint8Array(bytes));
    expect(update.length).toBe(global.length);
    let norm = 0;
    for (const v of update) norm += v * v;
    expect(Math.sqrt(norm)).toBeLessThanOrEqual(0.5 * (1 + 1e-6));
    expect(Math.sqrt(norm)).toBeGreaterThan(0);
    expect(trainedTargets).toEqual(["label", "label"]);

    const failure = fake.failures[0] as { taskId: string; refusalReason: string; retryable: boolean };
    expect(failure.taskId).toBe("job-b/r1/oem-a");
    expect(failure.retryable).toBe(false);
    expect(failure.refusalReason).toMatch(/exceeds the remaining budget of dataset "blobs"/);
    // The refused task never downloaded the model; job-a was charged once and committed.
    expect(fake.downloads).toEqual(["job-a/r1/oem-a", "job-a/r2/oem-a"]);
    const entries = ledger.ledger.entries("oem-a", "blobs");
    expect(entries.map((e) => [e.jobId, e.state])).toEqual([["job-a", "committed"]]);
  });

  test("row counts are registered as coarse buckets", () => {
    expect([1, 7, 19, 20, 49, 50, 99, 100, 32561].map(rowCountBucket)).toEqual([1, 5, 10, 20, 20, 50, 50, 100, 20000]);
  });

  test("a synthesis MEASURE round leased again is answered with the measurement already released, byte for byte", async () => {
    const adult = await adultHolders();
    const holder = adult.holders[0]!;
    const synthesisPolicy = parseHolderPolicy({
      version: 1,
      allowedJobKinds: ["federated_synthesis"],
      allowedPurposes: ["*"],
      allowedRequesters: ["*"],
      maxEpsilonPerJob: 1,
      maxDeltaPerJob: 1e-6,
      totalEpsilon: 4,
      totalDelta: 1e-6,
      minCohortRows: 10,
      requireDp: true,
    });
    // The SCORE round's corpus: the holder's own rows, as the coordinator would send a CSV.
    const corpus = encodeTable("synthetic.csv", holder.table, adult.schema);
    const fake = await startFake(new Uint8Array(corpus));
    cleanups.push(() => fake.server.forceShutdown());
    const workDir = mkdtempSync(join(tmpdir(), "holder-agent-synthesis-"));
    const ledger = new HolderLedger(join(workDir, "ledger", "budget.sqlite"), "oem-a", "adult", synthesisPolicy);
    cleanups.push(() => ledger.close());
    const client = createNodeClient(fake.address, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const lines: string[] = [];
    const agent = new HolderAgent({
      client,
      nodeId: "oem-a",
      workDir,
      dataset: { datasetId: "adult", schemaJson: "{}", rows: holder.table.rowCount },
      policy: synthesisPolicy,
      ledger,
      synthesisData: { table: holder.table, schema: adult.schema },
      train: () => {
        throw new Error("no training here");
      },
      log: (line) => lines.push(line),
      leaseWaitSeconds: 1,
    });
    const measure = (leaseId: string, phase = "FEDERATED_PHASE_MEASURE", round = 1) => ({
      taskId: `job-s/r${round}/oem-a`,
      leaseId,
      jobId: "job-s",
      attempt: 1,
      spec: { kind: "JOB_KIND_FEDERATED_SYNTHESIS" },
      federated: {
        jobId: "job-s",
        round,
        phase,
        datasetId: "adult",
        epsilonBudget: 1,
        delta: 1e-9,
        requester: "alice",
        purpose: "test",
        synthesizer: "mst",
      },
    });
    fake.queue.push(measure("lease-1"), measure("lease-2"));
    const running = agent.run();
    await until(() => fake.completions.length === 2);
    const releasedDir = join(workDir, "released-measurements");
    expect(readdirSync(releasedDir)).toEqual(["job-s.r1.dlfm"]);
    // The SCORE round: the released files give way to a tombstone, and a MEASURE round asked after it is refused.
    fake.queue.push(measure("lease-3", "FEDERATED_PHASE_SCORE", 4), measure("lease-4"));
    await until(() => fake.completions.length === 3 && fake.failures.length === 1);
    agent.requestShutdown();
    expect(await running).toBe(0);
    const files = fake.completions.map((c) => (c as { federated: { update: { kind: string; file: { sha256: string } } } }).federated.update);
    expect(files.map((f) => f.kind)).toEqual(["RESULT_KIND_MEASUREMENTS", "RESULT_KIND_MEASUREMENTS", "RESULT_KIND_SCORES"]);
    expect(files[1]!.file.sha256).toBe(files[0]!.file.sha256);
    expect(lines.filter((line) => line.includes("round 1 asked again; resending the measurement already released"))).toHaveLength(1);
    expect(readdirSync(releasedDir)).toEqual(["job-s.closed"]);
    const refusal = fake.failures[0] as { taskId: string; refusalReason: string; retryable: boolean };
    expect(refusal.taskId).toBe("job-s/r1/oem-a");
    expect(refusal.retryable).toBe(false);
    expect(refusal.refusalReason).toMatch(/job-s already passed its measurement rounds on this holder/);
    expect(ledger.ledger.entries("oem-a", "adult").map((e) => [e.jobId, e.state])).toEqual([["job-s", "committed"]]);
  });
});
