/**
 * A federated synthesis job end to end in one process: the coordinator's state machine
 * (synthesis-job.ts) against three holders running the sidecar's task code
 * (trainer/holder/synthesis-tasks.ts) with their own policy and budget ledger, every answer
 * crossing as the bytes a holder would upload. Transport (gRPC leases) and the worker node that
 * samples the corpus are not part of this test: it samples from `job.model` itself, as the node would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { scoreTables } from "../../benchmarks/index.js";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { sampleSynthTable } from "../../generators/index.js";
import type { Table } from "../../tabular/index.js";
import { createSeededSource } from "../../privacy/index.js";
import { admitSynthesisTask, HolderLedger, parseHolderPolicy, runSynthesisMeasure, runSynthesisScore, type SynthesisTaskView } from "../../trainer/index.js";
import { FederatedSynthesisJob } from "./synthesis-job.js";

const adult = await adultHolders();
const work = mkdtempSync(join(tmpdir(), "fed-synth-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const policyOf = (totalEpsilon: number) =>
  parseHolderPolicy({
    version: 1,
    allowedJobKinds: ["federated_synthesis"],
    allowedPurposes: ["*"],
    allowedRequesters: ["*"],
    maxEpsilonPerJob: 1,
    maxDeltaPerJob: 1e-6,
    totalEpsilon,
    totalDelta: 1e-6,
    minCohortRows: 100,
    requireDp: true,
  });

function holdersWithLedgers(name: string, totalEpsilon = 1.5) {
  return adult.holders.map((h) => {
    const policy = policyOf(totalEpsilon);
    return { ...h, policy, ledger: new HolderLedger(join(work, `${name}-${h.holder}.sqlite`), h.holder, "adult", policy) };
  });
}

const view = (jobId: string, round: number, epsilon = 1): SynthesisTaskView => ({
  jobId,
  round,
  phase: round === 4 ? "score" : "measure",
  datasetId: "adult",
  requester: "alice",
  purpose: "test",
  epsilon,
  delta: 1e-9,
});

/** Runs the four rounds; returns the job (finished) or the first refusal. */
async function runJob(jobId: string, holders: ReturnType<typeof holdersWithLedgers>, epsilon = 1) {
  const job = new FederatedSynthesisJob({
    jobId,
    schema: adult.schema,
    holders: holders.map((h) => ({ holderId: h.holder, epsilon, delta: 1e-9 })),
    rows: adult.pooled.rowCount,
  });
  let corpus: Table | undefined;
  while (!job.done) {
    // Between rounds 3 and 4 the corpus is sampled from the merged model (a worker node's SAMPLE job in the service).
    if (job.round === 4) corpus ??= await sampleSynthTable(job.model!, adult.pooled.rowCount, { seed: 1 });
    for (const h of holders) {
      const input = job.taskFor(h.holder);
      const task = view(jobId, input.round, epsilon);
      const admission = admitSynthesisTask(h.policy, h.ledger, "adult", h.table.rowCount, task);
      if (!admission.admitted) return { job, corpus, refusal: `${h.holder}: ${admission.reason}` };
      const data = { holder: h.holder, table: h.table, schema: adult.schema, source: createSeededSource(`${jobId}-${h.holder}-${input.round}`) };
      const bytes = input.phase === "FEDERATED_PHASE_SCORE" ? await runSynthesisScore(data, corpus!) : runSynthesisMeasure(data, task, input.plan);
      h.ledger.commitJob("adult", jobId);
      job.accept(h.holder, input.round, bytes);
    }
    await job.advance();
  }
  return { job, corpus, refusal: undefined };
}

describe("federated synthesis job: coordinator rounds against holder sidecar code", () => {
  test("four rounds give the corpus, the model, the accounting and the merged report; each ledger is charged once", async () => {
    const holders = holdersWithLedgers("a");
    const { job, corpus, refusal } = await runJob("job-1", holders);
    expect(refusal).toBeUndefined();
    expect(job.model).toBeDefined();
    const { model, accounting, report } = job.result();
    expect(corpus!.rowCount).toBe(adult.pooled.rowCount);
    // Same protocol as generators/federated with these holders' noise: Adult quality at ε = 1 is ≥ 0.93 on every seed measured.
    const quality = (await scoreTables(adult.pooled, corpus!, { privacy: false })).quality.score;
    expect(quality).toBeGreaterThan(0.93);
    expect(model.privacy?.neighbours).toBe("add or remove one row of one holder");
    expect(accounting.holders.map((h) => h.holder)).toEqual(["married", "never-married", "other"]);
    expect(report.holders.map((h) => h.holder)).toEqual(["married", "never-married", "other"]);
    // Weights are the holders' noisy row estimates (σ of a total ≈ 39·√cells), never the exact counts.
    report.holders.forEach((h, k) => {
      expect(Math.abs(h.rows - adult.holders[k]!.table.rowCount)).toBeLessThan(200);
    });
    expect(report.score).toBeLessThan(quality); // the slices differ (merge-quality.ts)
    for (const h of holders) {
      const entries = h.ledger.ledger.entries(h.holder, "adult");
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ jobId: "job-1", state: "committed" });
    }
  });

  test("a second job over the same holders is refused by their budget before any row is read", async () => {
    // zCDP composes: one job (ρ 0.0150) is ε 0.77 at the ledger's δ 1e-6, two are ε 1.12 > 1.
    const holders = holdersWithLedgers("b", 1);
    expect((await runJob("job-1", holders)).refusal).toBeUndefined();
    const second = await runJob("job-2", holders);
    expect(second.refusal).toMatch(/^married: ε 1\.000 of this job exceeds the remaining budget of dataset "adult"/);
    expect(second.job.round).toBe(1);
    const over = await runJob("job-3", holdersWithLedgers("c"), 2);
    expect(over.refusal).toBe("married: ε 2 of this synthesis job exceeds this holder's limit of ε 1 per job");
  });

  test("the coordinator refuses a corrupted answer, an answer for another round or from a stranger", async () => {
    const holders = holdersWithLedgers("d");
    const job = new FederatedSynthesisJob({
      jobId: "job-4",
      schema: adult.schema,
      holders: holders.map((h) => ({ holderId: h.holder, epsilon: 1, delta: 1e-9 })),
      rows: 100,
    });
    const h = holders[0]!;
    const bytes = runSynthesisMeasure({ holder: h.holder, table: h.table, schema: adult.schema, source: createSeededSource(1) }, view("job-4", 1), undefined);
    const corrupt = Uint8Array.from(bytes);
    corrupt[100] = corrupt[100]! ^ 4;
    expect(() => job.accept(h.holder, 1, corrupt)).toThrow(/fails its SHA-256 checksum/);
    expect(() => job.accept(h.holder, 2, bytes)).toThrow('holder "married" answered round 2; the job is in round 1.');
    expect(() => job.accept("mallory", 1, bytes)).toThrow('"mallory" is not a holder of job job-4.');
    expect(() => job.accept(holders[1]!.holder, 1, bytes)).toThrow('holder "never-married" sent a measurement signed as "married"');
    job.accept(h.holder, 1, bytes);
    await expect(job.advance()).rejects.toThrow("round 1 still waits for never-married, other.");
    expect(() =>
      runSynthesisMeasure({ holder: h.holder, table: h.table, schema: adult.schema, source: createSeededSource(1) }, view("job-4", 2), undefined),
    ).toThrow("MEASURE round 2 needs the coordinator's selection plan and none came with the task");
    expect(() =>
      runSynthesisMeasure(
        { holder: h.holder, table: h.table, schema: adult.schema, source: createSeededSource(1) },
        view("job-4", 3),
        Buffer.from('{"round":"selection"}'),
      ),
    ).toThrow("the plan of round 3 is not a tree plan");
  });
});
