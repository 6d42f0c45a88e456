/**
 * A federated synthesis job through the Coordinator (no gRPC) across a restart: SubmitJob checks
 * its spec; holders answer rounds 1–2 and one holder round 3; the coordinator stops and a new one
 * opens the same SQLite file and chunk folder. The job resumes at round 3 (the answered holder is
 * not asked again), then its corpus is sampled by a worker node that leases the SAMPLE job like
 * any other task, and the holders score it. The holders run the sidecar's task code with seeded
 * noise; the worker runs what `datalab node` runs for a SAMPLE task.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { parseSynthModel, sampleSynthTable } from "../../generators/index.js";
import { createSeededSource } from "../../privacy/index.js";
import type { Manifest, RegisterNodeRequestOut, SubmitJobRequestOut } from "../../proto/index.js";
import { encodeTable, loadTable, schemaToJson } from "../../tabular/index.js";
import { runSynthesisMeasure, runSynthesisScore } from "../../trainer/index.js";
import { ChunkStore } from "../chunk-store.js";
import { Coordinator } from "../coordinator.js";
import { SqliteJobStore } from "../sqlite-job-store.js";
import { modelChunks } from "./model-chunks.js";

const adult = await adultHolders();
const dir = mkdtempSync(join(tmpdir(), "datalab-synthesis-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (federated: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({
    idempotencyKey: `k-${Math.random()}`,
    spec: {
      kind: "JOB_KIND_FEDERATED_SYNTHESIS",
      model: "mst",
      rows: 2000,
      epsilon: 1,
      seed: 7,
      input: null,
      conditions: [],
      scoring: null,
      displayName: "",
      maxAttempts: 0,
      outputFormat: "",
      federated,
      ...extra,
    },
  }) as unknown as SubmitJobRequestOut;

const federated = {
  datasetId: "adult",
  targetColumn: "",
  task: "",
  hiddenLayerSizes: [],
  rounds: 0,
  strategy: "",
  noiseMultiplier: 0,
  clipNorm: 0,
  shardsPerHolder: 0,
  minHolders: 3,
  roundDeadlineSeconds: 600,
  purpose: "p",
  holderIds: [],
  delta: 0,
};

const registration = (holder: boolean) =>
  ({
    capabilities: { cpuCores: 1, memoryBytes: 1e9, gpus: [], kinds: [], maxConcurrentTasks: 1, versions: {} },
    role: holder ? "NODE_ROLE_HOLDER" : "NODE_ROLE_UNSPECIFIED",
    heldDatasets: holder ? [{ datasetId: "adult", schemaJson: schemaToJson(adult.schema), rowCountBucket: 1000, policy: null }] : [],
    instanceId: "",
    hostname: "",
    hpcJob: "",
    requestedHeartbeatIntervalSeconds: 60,
  }) as unknown as RegisterNodeRequestOut;

async function bytesOf(coordinator: Coordinator, manifest: Manifest): Promise<Buffer> {
  return Buffer.concat(await Promise.all(manifest.chunks.map((c) => coordinator.chunks.get(c.sha256))));
}

/** (holder, round) pairs the holders computed an answer for. */
const computed: string[] = [];

/** One holder leases its task (waiting for it), computes its answer with the sidecar's code and completes it. */
async function answer(coordinator: Coordinator, holder: string): Promise<number> {
  const runner = coordinator.synthesis!;
  let leased = runner.take(holder);
  for (let i = 0; leased === undefined && i < 500; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    leased = runner.take(holder);
  }
  if (leased === undefined) throw new Error(`no task for ${holder}`);
  const f = leased.federated;
  computed.push(`${f.jobId} ${holder} r${f.round}`);
  const input = f.round > 1 ? await bytesOf(coordinator, runner.modelOfTask(holder, leased.taskId, leased.leaseId)) : undefined;
  const data = {
    holder,
    table: adult.holders.find((h) => h.holder === holder)!.table,
    schema: adult.schema,
    source: createSeededSource(`${holder}-${f.round}`),
  };
  let bytes: Uint8Array;
  if (f.phase === "FEDERATED_PHASE_SCORE") {
    const path = join(dir, `corpus-${holder}.csv`);
    writeFileSync(path, input!);
    bytes = await runSynthesisScore(data, (await loadTable(path, { schema: adult.schema })).table);
  } else {
    const task = {
      jobId: f.jobId,
      round: f.round,
      phase: "measure" as const,
      datasetId: "adult",
      requester: "alice",
      purpose: "p",
      epsilon: f.epsilonBudget,
      delta: f.delta,
    };
    bytes = runSynthesisMeasure(data, task, input);
  }
  const manifest = await modelChunks(coordinator.chunks).storeBytes(bytes, "answer");
  await runner.completeTask(holder, leased.taskId, leased.leaseId, { manifest });
  return f.round;
}

const holders = adult.holders.map((h) => h.holder);

describe("federated synthesis on the coordinator", () => {
  test("SubmitJob refuses a broken spec; a job in round 3 at a restart resumes from its stored answers and a worker node samples the corpus", async () => {
    const path = join(dir, "jobs.sqlite");
    const chunks = join(dir, "chunks");
    const store = new SqliteJobStore(path);
    const first = new Coordinator({ store, chunks: new ChunkStore(chunks, 1 << 21) });
    first.start();
    await expect(first.submitJob("alice", request({ ...federated, rounds: 3 }))).rejects.toThrow("federated.rounds applies to FEDERATED_TRAINING jobs only");
    await expect(first.submitJob("alice", request(federated, { input: { bundledUri: "adult" } }))).rejects.toThrow(/input must be unset for a federated job/);
    const { job } = await first.submitJob("alice", request(federated));
    const jobId = job.jobId as string;
    // No holder is online: the job waits (QUEUED) for min_holders.
    expect(first.getJob("alice", jobId).state).toBe("JOB_STATE_QUEUED");
    for (const holder of holders) await first.registerNode(holder, registration(true));
    for (let round = 1; round <= 2; round++) expect(await Promise.all(holders.map((h) => answer(first, h)))).toEqual([round, round, round]);
    expect(await answer(first, holders[0]!)).toBe(3);
    first.stop();
    store.close();

    const reopened = new SqliteJobStore(path);
    const second = new Coordinator({ store: reopened, chunks: new ChunkStore(chunks, 1 << 21) });
    second.start();
    try {
      // WatchJob's federation block: round 3 resumed with the stored answer of the first holder.
      let resumed = second.getJob("alice", jobId);
      for (let i = 0; i < 500 && resumed.federation?.roundInProgress !== 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        resumed = second.getJob("alice", jobId);
      }
      expect(resumed.federation).toMatchObject({ roundsCompleted: 2, roundsTotal: 4, roundInProgress: 3, phase: "measure", epsilonSpent: 1 });
      expect(resumed.federation?.holdersAnswered).toEqual([holders[0]]);
      expect(resumed.federation?.holdersWaiting).toEqual(holders.slice(1));
      // The holders are restored online (restart grace); the one that answered round 3 has nothing to do.
      expect(await Promise.all(holders.slice(1).map((h) => answer(second, h)))).toEqual([3, 3]);
      expect(second.synthesis!.take(holders[0]!)).toBeUndefined();
      // No worker node yet: the SAMPLE job waits in the queue and the federated job says so.
      let sampleWait = second.getJob("alice", jobId);
      for (let i = 0; i < 200 && sampleWait.progress?.phase !== "sample"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sampleWait = second.getJob("alice", jobId);
      }
      expect(sampleWait.errorMessage).toBe("");
      expect(sampleWait.progress?.message).toMatch(/^sampling 2000 rows: SAMPLE job job-\S+, waiting for a worker node/);
      expect(sampleWait.federation?.roundsCompleted).toBe(3);

      // A worker node leases the SAMPLE job like any other task and runs what `datalab node` runs.
      await second.registerNode("worker-1", registration(false));
      const sampleJob = await second.leaseTask("worker-1", 5, () => false);
      expect(sampleJob?.kind).toBe("JOB_KIND_SAMPLE");
      expect(sampleJob?.owner).toBe("alice");
      expect(sampleJob?.spec.seed).toBe(7);
      const modelText = (await bytesOf(second, sampleJob!.spec.input!.upload as unknown as Manifest)).toString("utf8");
      const table = await sampleSynthTable(parseSynthModel(modelText, "model.json"), sampleJob!.spec.rows, { seed: BigInt(sampleJob!.spec.seed!) });
      const csv = encodeTable("synthetic.csv", table, adult.schema);
      const tableManifest = await modelChunks(second.chunks).storeBytes(csv, "synthetic.csv");
      await second.completeTask("worker-1", sampleJob!.jobId, sampleJob!.leaseId!, [{ kind: "RESULT_KIND_TABLE", manifest: tableManifest }], "{}");

      expect(await Promise.all(holders.map((h) => answer(second, h)))).toEqual([4, 4, 4]);
      let after = second.getJob("alice", jobId);
      for (let i = 0; i < 500 && !after.done; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = second.getJob("alice", jobId);
      }
      expect(after.state, after.errorMessage).toBe("JOB_STATE_SUCCEEDED");
      // Every holder computed each round once: 3 measurements and 1 score, none again after the restart.
      expect(computed.filter((c) => c.startsWith(`${jobId} `)).toSorted()).toEqual(
        holders.flatMap((h) => [1, 2, 3, 4].map((r) => `${jobId} ${h} r${r}`)).toSorted(),
      );
      const results = new Map(reopened.getJob(jobId)!.results.map((r) => [r.kind, r.manifest]));
      expect(results.get("RESULT_KIND_TABLE")!.sha256).toBe(tableManifest.sha256);
      const report = JSON.parse((await bytesOf(second, results.get("RESULT_KIND_REPORT")!)).toString("utf8")) as {
        sampledOn: string;
        sampleJobId: string;
        mergedQuality: { holders: { holder: string }[] };
      };
      expect(report.sampledOn).toBe("node worker-1");
      expect(report.sampleJobId).toBe(sampleJob!.jobId);
      expect(report.mergedQuality.holders.map((h) => h.holder)).toEqual(holders);
    } finally {
      second.stop();
      reopened.close();
    }
  }, 120_000);

  test("a job cancelled while its corpus waits for a worker cancels its SAMPLE job too", async () => {
    const store = new SqliteJobStore(join(dir, "cancel.sqlite"));
    const coordinator = new Coordinator({ store, chunks: new ChunkStore(join(dir, "cancel-chunks"), 1 << 21) });
    coordinator.start();
    try {
      for (const holder of holders) await coordinator.registerNode(holder, registration(true));
      const { job } = await coordinator.submitJob("alice", request(federated));
      const jobId = job.jobId as string;
      for (let round = 1; round <= 3; round++) await Promise.all(holders.map((h) => answer(coordinator, h)));
      let waiting = coordinator.getJob("alice", jobId);
      for (let i = 0; i < 500 && waiting.progress?.phase !== "sample"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        waiting = coordinator.getJob("alice", jobId);
      }
      const sampleJobId = /SAMPLE job (\S+),/.exec(waiting.progress?.message ?? "")?.[1];
      expect(coordinator.getJob("alice", sampleJobId!).state).toBe("JOB_STATE_QUEUED");
      await coordinator.cancelJob("alice", jobId, "changed my mind");
      let sample = coordinator.getJob("alice", sampleJobId!);
      for (let i = 0; i < 100 && sample.state !== "JOB_STATE_CANCELLED"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sample = coordinator.getJob("alice", sampleJobId!);
      }
      expect(sample.state).toBe("JOB_STATE_CANCELLED");
      expect(sample.cancelReason ?? sample.errorMessage).toMatch(new RegExp(`federated synthesis job ${jobId} was cancelled`));
    } finally {
      coordinator.stop();
      store.close();
    }
  }, 120_000);
});
