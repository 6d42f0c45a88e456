/**
 * The holder's policy file, its recomputation of a job's ε, the admission decision and the
 * per-job ledger charge (once per job, restart-safe, never overdrawn by concurrent jobs).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { dpSgdEpsilon } from "../../privacy/index.js";
import { HolderLedger } from "./holder-ledger.js";
import { HolderPolicyError, loadHolderPolicy, parseHolderPolicy } from "./holder-policy.js";
import { admitTask, type FederatedTaskView } from "./task-admission.js";
import { recomputeJobSpend } from "./task-spend.js";

const basePolicy = {
  version: 1,
  allowedJobKinds: ["federated_training"],
  allowedPurposes: ["credit-risk-research"],
  allowedRequesters: ["alice"],
  maxEpsilonPerJob: 3,
  maxDeltaPerJob: 1e-5,
  totalEpsilon: 5,
  totalDelta: 1e-5,
  minCohortRows: 50,
  requireDp: true,
  localNoise: { required: false, noiseMultiplier: 0 },
};

function task(overrides: Partial<FederatedTaskView> = {}, privacy: Partial<FederatedTaskView["privacy"]> = {}): FederatedTaskView {
  return {
    jobId: "job-1",
    round: 1,
    kind: "federated_training",
    datasetId: "adult",
    requester: "alice",
    purpose: "credit-risk-research",
    clipNorm: 1,
    shardsPerHolder: 1,
    ...overrides,
    privacy: { noiseMultiplier: 5, samplingRate: 1, roundsTotal: 10, delta: 1e-5, epsilonBudget: 0, ...privacy },
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "holder-policy-"));
}

describe("holder policy file", () => {
  test("a complete policy parses; ['*'] means any", () => {
    const policy = parseHolderPolicy({ ...basePolicy, allowedRequesters: ["*"] });
    expect(policy.anyRequester).toBe(true);
    expect(policy.anyPurpose).toBe(false);
    expect(policy.maxEpsilonPerJob).toBe(3);
  });

  test("bad policies are refused naming the key and the fix", async () => {
    expect(() => parseHolderPolicy({ ...basePolicy, maxEpsilonPerjob: 3 })).toThrow(/unknown key "maxEpsilonPerjob"/);
    const { totalEpsilon: _, ...missing } = basePolicy;
    expect(() => parseHolderPolicy(missing)).toThrow(/"totalEpsilon" is missing/);
    expect(() => parseHolderPolicy({ ...basePolicy, maxEpsilonPerJob: 9 })).toThrow(/"maxEpsilonPerJob" 9 exceeds "totalEpsilon" 5/);
    expect(() => parseHolderPolicy({ ...basePolicy, allowedJobKinds: ["training"] })).toThrow(/job kind "training" is not one of/);
    expect(() => parseHolderPolicy({ ...basePolicy, localNoise: { required: true } })).toThrow(/"noiseMultiplier" is 0; give the multiplier/);
    expect(() => parseHolderPolicy({ ...basePolicy, allowedPurposes: ["*", "x"] })).toThrow(/mixes "\*" with names/);
    expect(() => parseHolderPolicy({ ...basePolicy, totalDelta: 1 })).toThrow(/"totalDelta" must be a number > 0 and < 1/);
    const dir = tempDir();
    writeFileSync(join(dir, "p.json"), "{ not json");
    await expect(loadHolderPolicy(join(dir, "p.json"))).rejects.toThrow(HolderPolicyError);
    await expect(loadHolderPolicy(join(dir, "missing.json"))).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });

  test("the example policy in deploy/ is valid", async () => {
    const policy = await loadHolderPolicy("deploy/holder-policy.example.json");
    expect(policy.allowedJobKinds).toContain("federated_training");
  });
});

describe("job spend recomputed by the holder", () => {
  test("central DP-FedAvg: the RDP accountant's ε of rounds subsampled Gaussian steps", () => {
    const spend = recomputeJobSpend({ noiseMultiplier: 1.1, samplingRate: 0.3, roundsTotal: 40, delta: 1e-5, epsilonBudget: 0 });
    expect(spend.mechanism).toBe("central");
    expect(spend.epsilon).toBeCloseTo(dpSgdEpsilon(0.3, 1.1, 40, 1e-5), 10);
    // More rounds or less noise spend more.
    expect(recomputeJobSpend({ noiseMultiplier: 1.1, samplingRate: 0.3, roundsTotal: 80, delta: 1e-5, epsilonBudget: 0 }).epsilon).toBeGreaterThan(
      spend.epsilon,
    );
    expect(recomputeJobSpend({ noiseMultiplier: 0.9, samplingRate: 0.3, roundsTotal: 40, delta: 1e-5, epsilonBudget: 0 }).epsilon).toBeGreaterThan(
      spend.epsilon,
    );
  });

  test("no central noise: local noise at q = 1 is the only guarantee; neither is unbounded", () => {
    const local = recomputeJobSpend({ noiseMultiplier: 0, samplingRate: 0.5, roundsTotal: 5, delta: 1e-5, epsilonBudget: 0 }, 2);
    expect(local.mechanism).toBe("local");
    expect(local.epsilon).toBeCloseTo(dpSgdEpsilon(1, 2, 5, 1e-5), 10);
    expect(recomputeJobSpend({ noiseMultiplier: 0, samplingRate: 1, roundsTotal: 5, delta: 0, epsilonBudget: 0 }).epsilon).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("admission: policy then ledger, before any row is read", () => {
  const policy = parseHolderPolicy(basePolicy);

  test("refusals name the rule", () => {
    const ledger = new HolderLedger(join(tempDir(), "ledger", "budget.sqlite"), "oem-a", "adult", policy);
    const refuse = (view: FederatedTaskView, rows = 1000) => {
      const admission = admitTask(policy, ledger, "adult", rows, view);
      return admission.admitted ? "admitted" : admission.reason;
    };
    expect(refuse(task({ requester: "mallory" }))).toMatch(/requester "mallory" is not allowed/);
    expect(refuse(task({ purpose: "marketing" }))).toMatch(/purpose "marketing" is not allowed/);
    expect(refuse(task({ kind: "federated_synthesis" }))).toMatch(/does not allow federated_synthesis jobs/);
    expect(refuse(task({ datasetId: "other" }))).toMatch(/does not hold dataset "other"/);
    expect(refuse(task({}, { noiseMultiplier: 0 }))).toMatch(/requires differential privacy/);
    expect(refuse(task({}, { noiseMultiplier: 0.3 }))).toMatch(/exceeds this holder's limit of ε 3 per job/);
    expect(refuse(task({}, { delta: 1e-4 }))).toMatch(/δ 0.0001 of this job exceeds/);
    expect(refuse(task({}, { epsilonBudget: 0.5 }))).toMatch(/more than the job's declared budget ε 0.5/);
    expect(refuse(task({ shardsPerHolder: 100 }), 1000)).toMatch(/each update would rest on 10 rows .* fewer than this holder's minimum of 50/);
    expect(refuse(task({}, { samplingRate: 0 }))).toMatch(/malformed task: the task's sampling rate/);
    // Nothing was charged by refused tasks.
    expect(ledger.ledger.entries("oem-a", "adult")).toHaveLength(0);
    expect(refuse(task())).toBe("admitted");
  });

  test("a job is charged once however many rounds; the budget refuses the job that would pass it", () => {
    const ledger = new HolderLedger(join(tempDir(), "ledger", "budget.sqlite"), "oem-a", "adult", policy);
    const first = task({ jobId: "job-a" });
    const spend = recomputeJobSpend(first.privacy);
    // Holder-level DP (q = 1), z = 5, 10 rounds: ε ≈ 2.81 at δ 1e-5.
    expect(spend.epsilon).toBeGreaterThan(2.5);
    expect(spend.epsilon).toBeLessThan(3);
    for (let round = 1; round <= 5; round += 1) expect(admitTask(policy, ledger, "adult", 1000, { ...first, round }).admitted).toBe(true);
    expect(ledger.ledger.entries("oem-a", "adult")).toHaveLength(1);
    ledger.commitJob("adult", "job-a");
    // Two such jobs compose (RDP curves added) to under ε 5, a third would pass it.
    const second = admitTask(policy, ledger, "adult", 1000, task({ jobId: "job-b" }));
    const third = admitTask(policy, ledger, "adult", 1000, task({ jobId: "job-c" }));
    expect(second.admitted).toBe(true);
    expect(third.admitted).toBe(false);
    if (!third.admitted) expect(third.reason).toMatch(/exceeds the remaining budget of dataset "adult" \(ε [0-9.]+ of 5 left/);
    // Released (nothing left the holder): the budget comes back and job-c fits.
    ledger.releaseJob("adult", "job-b");
    expect(admitTask(policy, ledger, "adult", 1000, task({ jobId: "job-c" })).admitted).toBe(true);
  });

  test("restart-safe and never overdrawn by concurrent jobs across ledger handles", () => {
    const path = join(tempDir(), "ledger", "budget.sqlite");
    const a = new HolderLedger(path, "oem-a", "adult", policy);
    expect(admitTask(policy, a, "adult", 1000, task({ jobId: "job-1" })).admitted).toBe(true);
    a.close();
    // A restarted sidecar finds job-1's reservation: its later tasks pay nothing more.
    const handles = [new HolderLedger(path, "oem-a", "adult", policy), new HolderLedger(path, "oem-a", "adult", policy)];
    expect(admitTask(policy, handles[0]!, "adult", 1000, task({ jobId: "job-1", round: 2 })).admitted).toBe(true);
    expect(handles[0]!.ledger.entries("oem-a", "adult")).toHaveLength(1);
    // Twenty jobs interleaved over two handles on one file: what was granted composes within the budget.
    let granted = 0;
    for (let j = 0; j < 20; j += 1)
      if (admitTask(policy, handles[j % 2]!, "adult", 1000, task({ jobId: `job-x${j}` }, { noiseMultiplier: 8 })).admitted) granted += 1;
    const status = handles[1]!.ledger.status("oem-a", "adult");
    expect(granted).toBeGreaterThan(0);
    expect(granted).toBeLessThan(20);
    expect(status.epsilonCommittedAndReserved).toBeLessThanOrEqual(5 * (1 + 1e-12));
    expect(handles[0]!.remainingEpsilon("adult")).toBeGreaterThanOrEqual(0);
  });
});
