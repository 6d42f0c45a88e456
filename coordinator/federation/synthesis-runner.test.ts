/**
 * SynthesisRunner without gRPC: holders lease, download and complete through the runner's own
 * calls, with the chunk store in memory. Checks what the process test cannot easily force: a
 * holder that misses the round deadline, a refusal, and holders whose schemas differ.
 */
import { describe, expect, test } from "vitest";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { createSeededSource } from "../../privacy/index.js";
import type { HeldDatasetOut, JobSpecOut, Manifest } from "../../proto/index.js";
import { schemaToJson } from "../../tabular/index.js";
import { runSynthesisMeasure } from "../../trainer/index.js";
import { modelChunks } from "./model-chunks.js";
import { SynthesisRunner } from "./synthesis-runner.js";

const adult = await adultHolders();

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

function setup(schemas: Record<string, string>, deadlineSeconds: number) {
  const { stored, chunks } = memoryChunks();
  const outcome: { failed?: string; succeeded?: string[] } = {};
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
  const runner = new SynthesisRunner({
    chunks,
    jobs: {
      describe: () => ({ owner: "alice", spec, cancelled: false }),
      markRunning: () => {},
      succeed: async (_, results) => {
        outcome.succeeded = results.map((r) => r.kind);
      },
      fail: async (_, message) => {
        outcome.failed = message;
      },
      onlineHolderDatasets: () => held,
      keepChunks: () => {},
    },
  });
  return { runner, outcome, stored, chunks };
}

async function answer(runner: SynthesisRunner, holder: string, chunks: ReturnType<typeof memoryChunks>["chunks"], stored: Map<string, Uint8Array>) {
  let leased = runner.take(holder);
  for (let i = 0; leased === undefined && i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    leased = runner.take(holder);
  }
  const f = leased!.federated;
  const plan = f.round > 1 ? Buffer.concat(runner.modelOfTask(holder, leased!.taskId, leased!.leaseId).chunks.map((c) => stored.get(c.sha256)!)) : undefined;
  const table = adult.holders.find((h) => h.holder === holder)!.table;
  const bytes = runSynthesisMeasure(
    { holder, table, schema: adult.schema, source: createSeededSource(holder) },
    { jobId: f.jobId, round: f.round, phase: "measure", datasetId: "adult", requester: "alice", purpose: "p", epsilon: f.epsilonBudget, delta: f.delta },
    plan,
  );
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
});
