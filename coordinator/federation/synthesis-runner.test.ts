/**
 * SynthesisRunner without gRPC: holders lease, download and complete through the runner's own
 * calls, with the chunk store in memory and the job state in an in-memory SQLite. Checks what
 * the process test cannot easily force: a holder that misses the round deadline, a refusal,
 * holders whose schemas differ, and a runner stopped mid-round (a coordinator restart) that a new
 * runner resumes from the stored answers without asking a holder twice. The worker node's SAMPLE
 * job is simulated by sampling the submitted model here, as `datalab node` does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, test } from "vitest";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { parseSynthModel, sampleSynthTable } from "../../generators/index.js";
import { createSeededSource } from "../../privacy/index.js";
import type { HeldDatasetOut, JobSpecOut, Manifest } from "../../proto/index.js";
import { encodeTable, loadTable, schemaToJson } from "../../tabular/index.js";
import { runSynthesisMeasure, runSynthesisScore } from "../../trainer/index.js";
import { applyMigrations } from "../migrations.js";
import { modelChunks } from "./model-chunks.js";
import type { SampleJobView } from "./synthesis-corpus.js";
import { SynthesisRunner } from "./synthesis-runner.js";
import { SynthesisStore } from "./synthesis-store.js";

const adult = await adultHolders();
const work = mkdtempSync(join(tmpdir(), "synthesis-runner-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function memoryChunks() {
  const stored = new Map<string, Uint8Array>();
  return {
    stored,
    chunks: modelChunks({
      put: async (sha, data) => stored.set(sha, Uint8Array.from(data)),
      get: async (sha) => stored.get(sha)!,
      has: (sha) => stored.has(sha),
      remove: async (sha) => {
        stored.delete(sha);
      },
      verifyManifest: async () => {},
    }),
  };
}

type Chunks = ReturnType<typeof memoryChunks>;

function memoryStore(): SynthesisStore {
  const db = new Database(":memory:");
  applyMigrations(db);
  // The jobs table stays empty here: the runner's rows reference job ids the coordinator would hold.
  db.pragma("foreign_keys = OFF");
  return new SynthesisStore(db);
}

const bytesOf = (stored: Map<string, Uint8Array>, manifest: Manifest) => Buffer.concat(manifest.chunks.map((c) => stored.get(c.sha256)!));

function setup(
  schemas: Record<string, string>,
  deadlineSeconds: number,
  shared: { store: SynthesisStore; memory: Chunks } = { store: memoryStore(), memory: memoryChunks() },
  /** The SAMPLE job ends FAILED with this message (every attempt of it failed on the nodes). */
  sampleFails?: string,
) {
  const { stored, chunks } = shared.memory;
  const outcome: { failed?: string; succeeded?: { kind: string; manifest: Manifest }[]; summary?: string; samples: number; cancelledSamples: string[] } = {
    samples: 0,
    cancelledSamples: [],
  };
  const spec = {
    kind: "JOB_KIND_FEDERATED_SYNTHESIS",
    rows: 500,
    epsilon: 1,
    seed: 1,
    federated: { datasetId: "adult", minHolders: 2, roundDeadlineSeconds: deadlineSeconds, purpose: "p", holderIds: [], delta: 0 },
  } as unknown as JobSpecOut;
  const held = new Map(
    Object.entries(schemas).map(([id, schemaJson]) => [id, [{ datasetId: "adult", schemaJson, rowCountBucket: 1000 } as unknown as HeldDatasetOut]]),
  );
  const samples = new Map<string, SampleJobView>();
  const runner = new SynthesisRunner({
    chunks,
    store: shared.store,
    jobs: {
      describe: () => ({ owner: "alice", spec, cancelled: false }),
      markRunning: () => {},
      succeed: async (_, results, summary) => {
        outcome.succeeded = results;
        outcome.summary = summary;
      },
      fail: async (_, message) => {
        outcome.failed = message;
      },
      onlineHolderDatasets: () => held,
      keepChunks: () => {},
      sampleJobOf: (jobId) => samples.get(jobId),
      // What a worker node's SAMPLE task does (trainer/datalab-task.ts): the model file, rows and seed in, a CSV out.
      submitSample: async (jobId, model, rows, seed) => {
        outcome.samples++;
        if (sampleFails !== undefined) {
          const failed = {
            jobId: `sample-of-${jobId}`,
            state: "JOB_STATE_FAILED",
            done: true,
            errorMessage: sampleFails,
            nodeId: "worker-x",
            model,
            table: undefined,
          };
          samples.set(jobId, failed);
          return failed;
        }
        const parsed = parseSynthModel(bytesOf(stored, model).toString("utf8"), "model.json");
        const table = await sampleSynthTable(parsed, rows, { seed: BigInt(seed) });
        const csv = encodeTable("synthetic.csv", table, adult.schema);
        const view = {
          jobId: `sample-of-${jobId}`,
          state: "JOB_STATE_SUCCEEDED",
          done: true,
          errorMessage: "",
          nodeId: "worker-x",
          model,
          table: await chunks.storeBytes(csv, "synthetic.csv"),
        };
        samples.set(jobId, view);
        return view;
      },
      cancelSample: async (sampleJobId) => {
        outcome.cancelledSamples.push(sampleJobId);
      },
      durable: async () => {},
    },
  });
  return { runner, outcome, stored, chunks, samples };
}

/** Every (holder, round) a holder computed an answer for, in order. */
const computed: string[] = [];

async function answer(runner: SynthesisRunner, holder: string, chunks: Chunks["chunks"], stored: Map<string, Uint8Array>) {
  let leased = runner.take(holder);
  for (let i = 0; leased === undefined && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    leased = runner.take(holder);
  }
  const f = leased!.federated;
  computed.push(`${f.jobId} ${holder} r${f.round}`);
  const input = f.round > 1 ? bytesOf(stored, runner.modelOfTask(holder, leased!.taskId, leased!.leaseId)) : undefined;
  const table = adult.holders.find((h) => h.holder === holder)!.table;
  const data = { holder, table, schema: adult.schema, source: createSeededSource(`${holder}-${f.round}`) };
  let bytes: Uint8Array;
  if (f.phase === "FEDERATED_PHASE_SCORE") {
    const path = join(work, `${f.jobId}-${holder}-corpus.csv`);
    writeFileSync(path, input!);
    bytes = await runSynthesisScore(data, (await loadTable(path, { schema: adult.schema })).table);
  } else {
    bytes = runSynthesisMeasure(
      data,
      { jobId: f.jobId, round: f.round, phase: "measure", datasetId: "adult", requester: "alice", purpose: "p", epsilon: f.epsilonBudget, delta: f.delta },
      input,
    );
  }
  const manifest: Manifest = await chunks.storeBytes(bytes, "m.dlfm");
  await runner.completeTask(holder, leased!.taskId, leased!.leaseId, { manifest });
  return leased!;
}

describe("SynthesisRunner", () => {
  test("a holder that misses the round deadline fails the job with its name; nothing is sampled", async () => {
    const schema = schemaToJson(adult.schema);
    const { runner, outcome, stored, chunks } = setup({ married: schema, other: schema }, 1);
    const done = runner.run("job-a");
    const leased = await answer(runner, "married", chunks, stored);
    expect(leased.federated.phase).toBe("FEDERATED_PHASE_MEASURE");
    expect(leased.federated.delta).toBe(1e-9);
    expect(leased.federated.epsilonBudget).toBe(1);
    await done;
    expect(outcome.failed).toBe("round 1: holder(s) other did not answer within 1 s; every holder must answer every round.");
    expect(outcome.succeeded).toBeUndefined();
  });

  test("a refusal fails the job with the holder's reason; differing schemas are refused before any task", async () => {
    const schema = schemaToJson(adult.schema);
    const first = setup({ married: schema, other: schema }, 30);
    const done = first.runner.run("job-b");
    let leased = first.runner.take("other");
    while (leased === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      leased = first.runner.take("other");
    }
    expect(first.runner.isTaskLive("other", leased.taskId)).toBe(true);
    first.runner.failTask("other", leased.taskId, leased.leaseId, "", "ε 1 exceeds the remaining budget");
    await done;
    expect(first.outcome.failed).toBe('holder "other" refused round 1: ε 1 exceeds the remaining budget');

    const other = JSON.parse(schema) as { columns: { name: string }[] };
    other.columns[0]!.name = "years";
    const second = setup({ married: schema, other: JSON.stringify(other) }, 30);
    await second.runner.run("job-c");
    expect(second.outcome.failed).toMatch(/^holders of "adult" declare different schemas/);
  });

  test("a holder that asks again while leased (its answer was lost when it was marked offline) gets the task under a new lease; the old lease is refused", async () => {
    const schema = schemaToJson(adult.schema);
    const { runner } = setup({ married: schema, other: schema }, 30);
    const done = runner.run("job-d");
    let first = runner.take("other");
    while (first === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      first = runner.take("other");
    }
    const again = runner.take("other")!;
    expect(again.taskId).toBe(first.taskId);
    expect(again.leaseId).not.toBe(first.leaseId);
    expect(runner.isTaskLive("other", again.taskId)).toBe(true);
    expect(() => runner.failTask("other", first.taskId, first.leaseId, "late", "")).toThrow(/another lease/);
    runner.failTask("other", again.taskId, again.leaseId, "", "stop");
    await done;
  });

  test("the corpus comes from the worker's SAMPLE job; a runner stopped in round 3 is resumed from the stored answers, no holder asked twice, same result", async () => {
    const schema = schemaToJson(adult.schema);
    const holders = ["married", "other"];
    const runAll = async (runner: SynthesisRunner, chunks: Chunks["chunks"], stored: Map<string, Uint8Array>, rounds: number) => {
      for (let round = 0; round < rounds; round++) await Promise.all(holders.map((h) => answer(runner, h, chunks, stored)));
    };
    // Uninterrupted: four rounds, one SAMPLE job.
    const reference = setup({ married: schema, other: schema }, 60);
    const referenceDone = reference.runner.run("job-ref");
    await runAll(reference.runner, reference.chunks, reference.stored, 4);
    await referenceDone;
    expect(reference.outcome.failed).toBeUndefined();
    expect(reference.outcome.samples).toBe(1);
    const referenceResults = new Map(reference.outcome.succeeded!.map((r) => [r.kind, r.manifest]));
    const refReport = JSON.parse(bytesOf(reference.stored, referenceResults.get("RESULT_KIND_REPORT")!).toString("utf8")) as {
      sampledOn: string;
      sampleJobId: string;
    };
    expect(refReport.sampledOn).toBe("node worker-x");
    expect(refReport.sampleJobId).toBe("sample-of-job-ref");
    // The table and model are the SAMPLE job's own files, not copies made on the coordinator.
    expect(referenceResults.get("RESULT_KIND_TABLE")).toEqual(reference.samples.get("job-ref")!.table);
    expect(referenceResults.get("RESULT_KIND_MODEL")).toEqual(reference.samples.get("job-ref")!.model);

    // Interrupted: rounds 1 and 2, then only "married" answers round 3 before the runner stops.
    const shared = { store: memoryStore(), memory: memoryChunks() };
    const first = setup({ married: schema, other: schema }, 60, shared);
    const firstDone = first.runner.run("job-r");
    await runAll(first.runner, first.chunks, first.stored, 2);
    expect((await answer(first.runner, "married", first.chunks, first.stored)).federated.round).toBe(3);
    first.runner.stop();
    await firstDone;
    expect(first.outcome).toEqual({ samples: 0, cancelledSamples: [] });
    expect(shared.store.answers("job-r").map((a) => `${a.round} ${a.holderId}`)).toEqual(["1 married", "1 other", "2 married", "2 other", "3 married"]);

    // A new runner over the same store (a restarted coordinator): married's round-3 answer is replayed, not asked for.
    const second = setup({ married: schema, other: schema }, 60, shared);
    const secondDone = second.runner.run("job-r");
    expect((await answer(second.runner, "other", second.chunks, second.stored)).federated.round).toBe(3);
    expect(second.runner.take("married")).toBeUndefined();
    await runAll(second.runner, second.chunks, second.stored, 1);
    await secondDone;
    expect(second.outcome.failed).toBeUndefined();
    const asked = computed.filter((c) => c.startsWith("job-r "));
    expect(asked).toHaveLength(8);
    expect(new Set(asked).size).toBe(8);
    // Same answers (seeded holder noise), same merged model and corpus as the uninterrupted run.
    const results = new Map(second.outcome.succeeded!.map((r) => [r.kind, r.manifest]));
    expect(results.get("RESULT_KIND_MODEL")!.sha256).toBe(referenceResults.get("RESULT_KIND_MODEL")!.sha256);
    expect(results.get("RESULT_KIND_TABLE")!.sha256).toBe(referenceResults.get("RESULT_KIND_TABLE")!.sha256);
    // A finished job leaves nothing in the store.
    expect(shared.store.answers("job-r")).toEqual([]);
    expect(shared.store.getJob("job-r")).toBeUndefined();
  }, 120_000);

  test("a SAMPLE job that fails on the nodes fails the federated job with its reason; no SCORE round", async () => {
    const schema = schemaToJson(adult.schema);
    const { runner, outcome, stored, chunks } = setup({ married: schema, other: schema }, 60, undefined, "out of disk on every node");
    const done = runner.run("job-f");
    for (let round = 0; round < 3; round++) await Promise.all(["married", "other"].map((h) => answer(runner, h, chunks, stored)));
    await done;
    expect(outcome.samples).toBe(1);
    expect(outcome.failed).toBe(
      "the SAMPLE job sample-of-job-f that draws the corpus ended failed: out of disk on every node; submit the federated job again.",
    );
    expect(computed.filter((c) => c.startsWith("job-f ") && c.endsWith("r4"))).toEqual([]);
  }, 120_000);
});
