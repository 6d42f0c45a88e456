/**
 * Federated rounds end to end in one process: a coordinator on loopback (coordinator/testing/
 * harness.ts, mTLS) and fake holders driving NodeService — register a schema, lease, download
 * the global model, upload an update, complete. Their "training" pulls the model towards a
 * holder-specific target, so every round's model can be checked against a float64 reference.
 * (The multi-process tests with real `datalab trainer` sidecars live with trainer/holder/.)
 */
import { randomUUID } from "node:crypto";
import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { Device } from "../../nn/index.js";
import { callJob, callNode, type FederatedSpec, type FederatedTaskOut, type JobOut, type JobServiceClient } from "../../proto/index.js";
import { type Harness, startHarness } from "../testing/harness.js";
import { federatedEpsilon } from "./dp-accounting.js";
import { federatedMlp } from "./model-export.js";
import { type FakeHolder, startFakeHolder } from "./testing/fake-holder.js";

const SCHEMA = JSON.stringify({
  version: 1,
  columns: [
    { name: "x", type: "numerical", subtype: "float", decimals: 2, min: 0, max: 10 },
    { name: "c", type: "categorical", categories: ["p", "q", "r"] },
    { name: "y", type: "categorical", categories: ["no", "yes"] },
  ],
});
const HOLDERS = ["h1", "h2", "h3"];
const EXAMPLES: Record<string, number> = { h1: 100, h2: 300, h3: 600 };
const PARAMS = 4 * 3 + 3 + 3 * 2 + 2; // inputs 1 + 3 one-hot, hidden [3], 2 classes

/** Holder h's target: its own constant; its update moves halfway there. */
const targetOf = (holder: string) => HOLDERS.indexOf(holder) + 1;
const pull = (model: Float32Array, holder: string) => Float32Array.from(model, (v) => 0.5 * (targetOf(holder) - v));

let harness: Harness | undefined;
const holders: FakeHolder[] = [];

afterEach(async () => {
  for (const holder of holders.splice(0)) holder.stop();
  await harness?.close();
  harness = undefined;
});

async function submit(client: JobServiceClient, federated: FederatedSpec, extra: { epsilon?: number; seed?: number } = {}): Promise<string> {
  const { job } = await callJob(client, "SubmitJob", {
    idempotencyKey: randomUUID(),
    spec: { kind: "JOB_KIND_FEDERATED_TRAINING", federated, seed: extra.seed ?? 5, ...(extra.epsilon ? { epsilon: extra.epsilon } : {}) },
  });
  return job?.jobId as string;
}

async function waitDone(client: JobServiceClient, jobId: string, timeoutMs = 60_000): Promise<JobOut> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await callJob(client, "GetJob", { jobId });
    if (job?.done) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} not done: ${JSON.stringify(job?.federation)} ${job?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function startHolders(
  h: Harness,
  options: { models?: Map<number, Float32Array>; poison?: string; refuse?: string; stall?: string; slow?: Record<string, number> } = {},
) {
  for (const nodeId of HOLDERS) {
    holders.push(
      startFakeHolder(h.nodeClient(nodeId), {
        nodeId,
        datasetId: "toy",
        schemaJson: SCHEMA,
        refuse: (task: FederatedTaskOut) => (nodeId === options.refuse ? `purpose "${task.purpose}" is not allowed by this holder's policy` : ""),
        stall: () => nodeId === options.stall,
        update: async (model, task) => {
          if (nodeId === "h1") options.models?.set(task.round, model.slice());
          if (options.slow?.[nodeId]) await new Promise((resolve) => setTimeout(resolve, options.slow?.[nodeId]));
          const values = pull(model, nodeId);
          if (nodeId === options.poison && task.round === 1) values[3] = Number.NaN;
          return { values, examples: EXAMPLES[nodeId] as number };
        },
      }),
    );
  }
}

const baseSpec: FederatedSpec = {
  datasetId: "toy",
  targetColumn: "y",
  hiddenLayerSizes: [3],
  rounds: 3,
  minHolders: 2,
  roundDeadlineSeconds: 20,
  purpose: "research",
};

describe("federated rounds over loopback NodeService", () => {
  it("FedAvg: every round is the example-weighted mean of the holders' updates (float64 reference)", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    const models = new Map<number, Float32Array>();
    startHolders(harness, { models });
    const jobId = await submit(client, baseSpec);
    const job = await waitDone(client, jobId);
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(job.federation).toMatchObject({
      roundsCompleted: 3,
      roundsTotal: 3,
      participantsLastRound: 3,
      stragglersDropped: 0,
      updatesRejected: 0,
      epsilonSpent: 0,
    });
    const final = await downloadModel(client, jobId);
    expect(final.length).toBe(PARAMS);
    const total = HOLDERS.reduce((s, h) => s + (EXAMPLES[h] as number), 0);
    let reference = Float64Array.from(models.get(1) as Float32Array);
    for (let round = 1; round <= 3; round++) {
      if (round > 1) {
        const seen = models.get(round) as Float32Array;
        for (let i = 0; i < PARAMS; i++) expect(seen[i]).toBeCloseTo(reference[i] as number, 5);
      }
      reference = reference.map((v) => v + HOLDERS.reduce((s, h) => s + (EXAMPLES[h] as number) * 0.5 * (targetOf(h) - v), 0) / total);
    }
    for (let i = 0; i < PARAMS; i++) expect(final[i]).toBeCloseTo(reference[i] as number, 5);
    // Prometheus: rounds, participants, update bytes, last round time (no job or holder labels).
    const text = await (await fetch(`http://127.0.0.1:${harness.running.metricsPort}/metrics`)).text();
    expect(text).toMatch(/^datalab_federation_rounds_completed_total 3$/m);
    expect(text).toMatch(/^datalab_federation_round_participants_sum 9$/m);
    expect(text).toMatch(new RegExp(`^datalab_federation_update_bytes_total ${9 * PARAMS * 4}$`, "m"));
    expect(text).toMatch(/^datalab_federation_round_duration_seconds_count 3$/m);
    expect(Number(/^datalab_federation_last_successful_round_timestamp_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(text).toMatch(/^datalab_federation_epsilon_spent 0$/m);
    // The ONNX result reproduces the model's predictions in onnxruntime-node.
    const session = await ort.InferenceSession.create(await downloadBytes(client, jobId, "RESULT_KIND_ONNX_MODEL"));
    const rows = 16;
    const x = Float32Array.from({ length: rows * 4 }, (_, i) => ((i * 37) % 11) / 10);
    const ours = federatedMlp({ inputDimension: 4, hiddenLayerSizes: [3], outputDimension: 2 }, "classification", final);
    const expected = ours.predict(Device.open("cpu").fromFloat32(x, rows, 4));
    ours.dispose();
    const theirs = (await session.run({ features: new ort.Tensor("float32", x, [rows, 4]) }))["probabilities"]?.data as Float32Array;
    expect(theirs.length).toBe(rows * 2);
    for (let i = 0; i < theirs.length; i++) expect(theirs[i]).toBeCloseTo(expected[i] as number, 5);
    // The weighted target is 2.5; three halvings from the start leave 1/8 of the distance.
    expect(Math.abs((final[0] as number) - 2.5)).toBeLessThan(Math.abs((models.get(1)?.[0] as number) - 2.5) / 7);
  }, 60_000);

  it("a restarted coordinator resumes at the last committed round and ends with the same model", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    startHolders(harness);
    const spec = { ...baseSpec, rounds: 4 };
    const uninterrupted = await downloadModel(client, (await waitDone(client, await submit(client, spec, { seed: 9 }))).jobId);
    for (const holder of holders.splice(0)) holder.stop();
    // Second run: h3 is slow, so the coordinator is killed while round 2 holds h1's and h2's updates.
    startHolders(harness, { slow: { h3: 1500 } });
    const jobId = await submit(client, spec, { seed: 9 });
    for (;;) {
      const { job } = await callJob(client, "GetJob", { jobId });
      if ((job?.federation?.roundsCompleted ?? 0) >= 1 && job?.federation?.roundInProgress === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 700));
    await harness.restart();
    const job = await waitDone(harness.jobClient("alice"), jobId);
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(job.federation?.roundsCompleted).toBe(4);
    expect(job.federation?.participantsLastRound).toBe(3);
    const resumed = await downloadModel(harness.jobClient("alice"), jobId);
    expect(Array.from(resumed)).toEqual(Array.from(uninterrupted));
  }, 90_000);

  it("rejects a poisoned update, shows a refusal to the requester and drops a straggler", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    startHolders(harness, { poison: "h2" });
    const poisoned = await waitDone(client, await submit(client, { ...baseSpec, rounds: 2 }));
    expect(poisoned.state).toBe("JOB_STATE_SUCCEEDED");
    expect(poisoned.federation?.updatesRejected).toBe(1);
    for (const v of await downloadModel(client, poisoned.jobId)) expect(Number.isFinite(v)).toBe(true);
    for (const holder of holders.splice(0)) holder.stop();

    startHolders(harness, { refuse: "h1", stall: "h3" });
    const job = await waitDone(client, await submit(client, { ...baseSpec, rounds: 1, minHolders: 1, roundDeadlineSeconds: 3 }));
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(job.federation?.refusals).toEqual([{ holderId: "h1", round: 1, reason: 'purpose "research" is not allowed by this holder\'s policy' }]);
    expect(job.federation?.stragglersDropped).toBe(1);
    expect(job.federation?.participantsLastRound).toBe(1);
  }, 90_000);

  it("with shards, a holder's update is a sum of shard updates: clipped at shards × C, not C", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    const models = new Map<number, Float32Array>();
    startHolders(harness, { models });
    const job = await waitDone(client, await submit(client, { ...baseSpec, rounds: 1, clipNorm: 1, shardsPerHolder: 8 }));
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    const start = models.get(1) as Float32Array;
    const norms = HOLDERS.map((h) => Math.hypot(...pull(start, h)));
    // Each holder's update is above C = 1 but below 8 C: the server must not shrink it.
    for (const norm of norms) expect(norm).toBeGreaterThan(1);
    for (const norm of norms) expect(norm).toBeLessThan(8);
    const total = HOLDERS.reduce((s, h) => s + (EXAMPLES[h] as number), 0);
    const final = await downloadModel(client, job.jobId);
    for (let i = 0; i < PARAMS; i++) {
      const expected = (start[i] as number) + HOLDERS.reduce((s, h) => s + (EXAMPLES[h] as number) * (pull(start, h)[i] as number), 0) / total;
      expect(final[i]).toBeCloseTo(expected, 5);
    }
  }, 60_000);

  it("fails a job whose rounds stay below min_holders, with the reason", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    startHolders(harness, { refuse: "h1", stall: "h3" });
    const job = await waitDone(client, await submit(client, { ...baseSpec, rounds: 1, minHolders: 2, roundDeadlineSeconds: 1, maxRoundRetries: 1 }));
    expect(job.state).toBe("JOB_STATE_FAILED");
    expect(job.errorMessage).toMatch(/round 1 collected 1 update\(s\) after 2 attempt\(s\), below min_holders 2/);
  }, 60_000);

  it("DP-FedAvg reports the accountant's epsilon and refuses bad specs at submit", async () => {
    harness = await startHarness({ nodes: HOLDERS });
    const client = harness.jobClient("alice");
    startHolders(harness);
    const job = await waitDone(client, await submit(client, { ...baseSpec, rounds: 2, clipNorm: 1, noiseMultiplier: 1.2, delta: 1e-5 }, { epsilon: 50 }));
    expect(job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(job.federation?.epsilonSpent).toBeCloseTo(federatedEpsilon(1, 1.2, 2, 1e-5), 10);
    // A budget for two rounds of five: the job stops before the third, with the model so far.
    const budget = federatedEpsilon(1, 1.2, 2, 1e-5) * 1.0001;
    const stopped = await waitDone(
      client,
      await submit(client, { ...baseSpec, rounds: 5, clipNorm: 1, noiseMultiplier: 1.2, delta: 1e-5 }, { epsilon: budget }),
    );
    expect(stopped.state).toBe("JOB_STATE_SUCCEEDED");
    expect(stopped.federation).toMatchObject({ roundsCompleted: 2, roundsTotal: 2 });
    expect(stopped.federation?.epsilonSpent).toBeLessThanOrEqual(budget);
    const refusal = (spec: FederatedSpec, extra = {}) =>
      submit(client, spec, extra).then(
        () => "accepted",
        (e: Error) => e.message,
      );
    expect(await refusal({ ...baseSpec, strategy: "fedsgd" })).toMatch(/federated.strategy must be one of fedavg, fedprox/);
    expect(await refusal({ ...baseSpec, noiseMultiplier: 1 })).toMatch(/clip_norm must be > 0 when noise_multiplier > 0/);
    expect(await refusal({ ...baseSpec, noiseMultiplier: 1, clipNorm: 1 })).toMatch(/needs spec.epsilon/);
    expect(await refusal({ ...baseSpec, strategy: "median", noiseMultiplier: 1, clipNorm: 1 }, { epsilon: 1 })).toMatch(/cannot run with noise_multiplier/);
    expect(await refusal({ ...baseSpec, datasetId: "no such/name" })).toMatch(/dataset_id must be/);
    // Datasets are offered by holders only, schemas never rows.
    const worker = await callNode(harness.nodeClient("h1"), "RegisterNode", {
      nodeId: "h1",
      capabilities: { cpuCores: 1 },
      heldDatasets: [{ datasetId: "toy", schemaJson: SCHEMA }],
    }).then(
      () => "accepted",
      (e: Error) => e.message,
    );
    expect(worker).toMatch(/role is not NODE_ROLE_HOLDER/);
  }, 60_000);
});
