/**
 * Federated training as processes: a coordinator and three `datalab trainer` sidecars over
 * mutual TLS on loopback, each holding a slice of Adult split by `relationship`
 * (service-tests/federation-cluster.ts). The final model (RESULT_KIND_MODEL, wire layout) is
 * scored on fixtures/adult/adult_test.csv with the holders' own encoding of the shared schema.
 *
 * - FedAvg within 2 points of the same MLP trained on the pooled rows, and the job's ONNX result
 *   reproducing its class probabilities in onnxruntime-node within 1e-5;
 * - DP-FedAvg (record-level: 100 shards per holder, z 5, C 1, 10 rounds) at ε ≤ 3 within 5
 *   points, reporting the accountant's ε;
 * - a sidecar killed mid-round becomes a straggler and the round completes without it;
 * - a coordinator killed mid-run resumes and ends with the same model as an uninterrupted run;
 * - two DP jobs at once against a holder whose total budget fits only one: its ledger is never
 *   overdrawn and the refusal's reason reaches the requester.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { accuracyOf, DP_SETTINGS, FEDAVG_SETTINGS, loadAdultFederation, runPooled } from "../benchmarks/perf/federated-accuracy.bench.js";
import { Device, MlpModel } from "../nn/index.js";
import { callJob, type FederatedSpec, type JobOut, type JobServiceClient } from "../proto/index.js";
import { layerWidths, subsampledGaussianEpsilon, wireToArena } from "../trainer/index.js";
import { DEFAULT_HOLDER_POLICY, type FederationCluster, startFederationCluster } from "./federation-cluster.js";
import { TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
afterEach(async () => {
  await processes.cleanup();
});

const federationPromise = loadAdultFederation();

async function submit(client: JobServiceClient, federated: FederatedSpec, extra: { epsilon?: number; seed?: number } = {}): Promise<string> {
  const { job } = await callJob(client, "SubmitJob", {
    idempotencyKey: randomUUID(),
    spec: { kind: "JOB_KIND_FEDERATED_TRAINING", federated, seed: extra.seed ?? 7, ...(extra.epsilon ? { epsilon: extra.epsilon } : {}) },
  });
  return job?.jobId as string;
}

async function waitFor(client: JobServiceClient, jobId: string, accept: (job: JobOut) => boolean, timeoutMs = 120_000): Promise<JobOut> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await callJob(client, "GetJob", { jobId });
    if (job && accept(job)) return job;
    if (job?.done) throw new Error(`job ${jobId} ended ${job.state}: ${job.errorMessage} ${JSON.stringify(job.federation)}`);
    if (Date.now() > until) throw new Error(`job ${jobId} not there in time: ${job?.state} ${JSON.stringify(job?.federation)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const succeeded = (job: JobOut) => job.done && job.state === "JOB_STATE_SUCCEEDED";

async function downloadBytes(client: JobServiceClient, jobId: string, kind: "RESULT_KIND_MODEL" | "RESULT_KIND_ONNX_MODEL"): Promise<Buffer> {
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const stream = client.downloadResult({ jobId, kind, startChunkIndex: 0 }, { deadline: Date.now() + 30_000 });
    stream.on("data", (m: { chunk?: { data: Buffer } | null }) => m.chunk && parts.push(m.chunk.data));
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  return Buffer.concat(parts);
}

async function downloadModel(client: JobServiceClient, jobId: string): Promise<Float32Array> {
  const bytes = await downloadBytes(client, jobId, "RESULT_KIND_MODEL");
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

async function finalModel(wire: Float32Array, hidden: number[]): Promise<MlpModel> {
  const width = (await federationPromise).plan.width;
  const model = new MlpModel(Device.open("cpu"), { task: "classification", inputWidth: width, hidden, classCount: 2 }, 1);
  model.setParameters(wireToArena(wire, layerWidths(width, hidden, 2)));
  return model;
}

async function testAccuracy(wire: Float32Array, hidden: number[]): Promise<number> {
  return accuracyOf(await finalModel(wire, hidden), (await federationPromise).test);
}

function spec(settings: typeof FEDAVG_SETTINGS, overrides: Partial<FederatedSpec> = {}): FederatedSpec {
  return {
    datasetId: "adult",
    targetColumn: "income",
    task: "classification",
    hiddenLayerSizes: settings.hidden,
    rounds: settings.rounds,
    localEpochs: settings.localEpochs,
    localBatchSize: settings.batchSize,
    learningRate: settings.learningRate,
    strategy: "fedavg",
    fractionFit: settings.samplingRate,
    minHolders: 2,
    roundDeadlineSeconds: 60,
    clipNorm: settings.clipNorm,
    noiseMultiplier: settings.noiseMultiplier,
    delta: settings.delta,
    shardsPerHolder: settings.shardsPerHolder,
    purpose: "credit-risk-research",
    ...overrides,
  };
}

function ledgerEpsilon(cluster: FederationCluster, holder: string): { committedAndReserved: number; entries: number } {
  const db = new Database(join(cluster.dir, `work-${holder}`, "ledger", "budget.sqlite"), { readonly: true });
  try {
    const rows = db.prepare("SELECT state, epsilon_alone FROM entries WHERE state != 'released'").all() as { state: string; epsilon_alone: number }[];
    return { committedAndReserved: rows.reduce((s, r) => s + r.epsilon_alone, 0), entries: rows.length };
  } finally {
    db.close();
  }
}

describe("federated training over three holder sidecars", () => {
  it("FedAvg is within 2 points of pooled training; DP-FedAvg at ε ≤ 3 within 5, reporting ε", async () => {
    const federation = await federationPromise;
    const pooled = runPooled(federation, { hidden: FEDAVG_SETTINGS.hidden, epochs: 20, batchSize: 64, learningRate: 0.1, seed: 7 });
    const cluster = await startFederationCluster(processes);
    const client = cluster.jobClient();
    const plain = await waitFor(client, await submit(client, spec(FEDAVG_SETTINGS)), succeeded);
    const fedavg = await testAccuracy(await downloadModel(client, plain.jobId), FEDAVG_SETTINGS.hidden);
    expect(plain.federation?.roundsCompleted).toBe(FEDAVG_SETTINGS.rounds);
    expect(plain.federation?.participantsLastRound).toBe(3);
    expect(fedavg, `FedAvg ${fedavg} vs pooled ${pooled}`).toBeGreaterThan(pooled - 0.02);
    // The job's ONNX result, run in onnxruntime-node, gives our class probabilities on the test rows.
    const test = federation.test;
    const ours = (await finalModel(await downloadModel(client, plain.jobId), FEDAVG_SETTINGS.hidden)).predict(
      Device.open("cpu").fromFloat32(test.features, test.rows, test.width),
    );
    const session = await ort.InferenceSession.create(await downloadBytes(client, plain.jobId, "RESULT_KIND_ONNX_MODEL"));
    const outputs = await session.run({ [session.inputNames[0] as string]: new ort.Tensor("float32", test.features, [test.rows, test.width]) });
    const theirs = outputs[session.outputNames[0] as string]?.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i += 1) worst = Math.max(worst, Math.abs((ours[i] as number) - (theirs[i] as number)));
    expect(theirs.length).toBe(ours.length);
    expect(worst).toBeLessThanOrEqual(1e-5);

    const epsilonBudget = 3;
    const dpJob = await waitFor(client, await submit(client, spec(DP_SETTINGS), { epsilon: epsilonBudget }), succeeded);
    const dp = await testAccuracy(await downloadModel(client, dpJob.jobId), DP_SETTINGS.hidden);
    const expectedEpsilon = subsampledGaussianEpsilon(1, DP_SETTINGS.noiseMultiplier, DP_SETTINGS.rounds, DP_SETTINGS.delta);
    expect(dpJob.federation?.epsilonSpent).toBeCloseTo(expectedEpsilon, 6);
    expect(dpJob.federation?.epsilonSpent).toBeLessThanOrEqual(epsilonBudget);
    expect(dp, `DP ${dp} at ε ${dpJob.federation?.epsilonSpent} vs pooled ${pooled}`).toBeGreaterThan(pooled - 0.05);
    // Each holder charged its ledger once for the DP job (the recomputed ε), nothing for the non-DP one.
    for (const holder of ["oem-a", "oem-b", "oem-c"]) expect(ledgerEpsilon(cluster, holder).committedAndReserved).toBeCloseTo(expectedEpsilon, 6);
    process.stdout.write(
      `federation-training: pooled ${pooled.toFixed(4)}, FedAvg ${fedavg.toFixed(4)}, DP ${dp.toFixed(4)} at ε ${expectedEpsilon.toFixed(3)}\n`,
    );
  }, 170_000);

  it("a sidecar killed mid-round is a straggler and the round completes; a coordinator killed mid-run resumes to the same model", async () => {
    const cluster = await startFederationCluster(processes);
    const client = cluster.jobClient();
    // A deadline long enough for every holder to find the restarted coordinator (reconnect backoff ≤ 15 s).
    const short = spec({ ...FEDAVG_SETTINGS, rounds: 4 }, { roundDeadlineSeconds: 60 });
    const reference = await downloadModel(client, (await waitFor(client, await submit(client, short, { seed: 11 }), succeeded)).jobId);

    // Coordinator killed after round 2 and started again on the same data: same final model.
    const resumed = await submit(client, short, { seed: 11 });
    await waitFor(client, resumed, (job) => (job.federation?.roundsCompleted ?? 0) >= 2);
    cluster.coordinator?.kill("SIGKILL");
    await cluster.coordinator?.exited;
    await cluster.startCoordinator();
    const restartedClient = cluster.jobClient();
    const after = await waitFor(restartedClient, resumed, succeeded, 150_000);
    expect(after.federation?.roundsCompleted).toBe(4);
    expect(Array.from(await downloadModel(restartedClient, resumed))).toEqual(Array.from(reference));

    // oem-c killed while a round waits for it: the round closes at its deadline with the other two.
    const straggling = await submit(restartedClient, { ...short, roundDeadlineSeconds: 4 }, { seed: 12 });
    await waitFor(restartedClient, straggling, (job) => (job.federation?.roundInProgress ?? 0) >= 2);
    cluster.holders.get("oem-c")?.kill("SIGKILL");
    const done = await waitFor(restartedClient, straggling, succeeded, 150_000);
    expect(done.federation?.roundsCompleted).toBe(4);
    expect(done.federation?.stragglersDropped).toBeGreaterThanOrEqual(1);
    expect(done.federation?.participantsLastRound).toBe(2);
  }, 170_000);

  it("two DP jobs at once against a budget that fits one: the ledger is never overdrawn and the refusal reaches the requester", async () => {
    // oem-c may spend ε 4 in total: one job (ε ≈ 2.81) fits, two compose past it.
    const policies = { "oem-c": { ...DEFAULT_HOLDER_POLICY, totalEpsilon: 4 } };
    const cluster = await startFederationCluster(processes, { policies });
    const client = cluster.jobClient();
    const dp = spec({ ...DP_SETTINGS, rounds: 10, shardsPerHolder: 1, localEpochs: 1 }, { roundDeadlineSeconds: 30 });
    const [first, second] = await Promise.all([submit(client, dp, { epsilon: 3, seed: 1 }), submit(client, dp, { epsilon: 3, seed: 2 })]);
    const jobs = await Promise.all([first, second].map((jobId) => waitFor(client, jobId, succeeded)));
    const refusals = jobs.flatMap((job) => job.federation?.refusals ?? []);
    expect(refusals.filter((r) => r.holderId === "oem-c").length).toBeGreaterThanOrEqual(1);
    expect(refusals.find((r) => r.holderId === "oem-c")?.reason).toMatch(/exceeds the remaining budget of dataset "adult"/);
    const ledger = ledgerEpsilon(cluster, "oem-c");
    expect(ledger.entries).toBe(1);
    expect(ledger.committedAndReserved).toBeLessThanOrEqual(4);
  }, 170_000);
});
