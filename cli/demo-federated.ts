/**
 * `datalab demo --federated` — federated training on one machine: a coordinator and three holder
 * sidecars (`datalab trainer`) on loopback with mutual TLS, each holding a slice of the Adult
 * census split by `relationship` (husbands ≈45 % >50K, own children ≈1 %: the slices differ),
 * all declaring one shared schema. It runs FedAvg, then DP-FedAvg (record-level: 100 shards per
 * holder, ε ≤ 3), scores each final model on fixtures/adult/adult_test.csv next to the same
 * MLP trained on the pooled rows, and prints accuracy, ε and round times.
 */
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Device, MlpModel } from "../nn/index.js";
import { callJob, connectJobService, type FederatedSpec, type JobOut, type JobServiceClient, readClientTls } from "../proto/index.js";
import { encodeFeatures, loadTable, planFeatures, type TableSchema, writeSchemaFile } from "../tabular/index.js";
import { installationRoot, layerWidths, wireToArena } from "../trainer/index.js";
import { CliError } from "./cli-error.js";
import type { Children } from "./demo.js";

const HOLDERS: Record<string, string[]> = {
  "oem-a": ["Husband"],
  "oem-b": ["Not-in-family", "Wife"],
  "oem-c": ["Own-child", "Unmarried", "Other-relative"],
};

const POLICY = {
  version: 1,
  description: "datalab demo --federated: any purpose and requester, ε ≤ 3 per job, 10 in total",
  allowedJobKinds: ["federated_training"],
  allowedPurposes: ["*"],
  allowedRequesters: ["*"],
  maxEpsilonPerJob: 3,
  maxDeltaPerJob: 1e-5,
  totalEpsilon: 10,
  totalDelta: 1e-5,
  minCohortRows: 20,
  requireDp: false,
};

const HIDDEN = [16];
const BASE: FederatedSpec = {
  datasetId: "adult",
  targetColumn: "income",
  task: "classification",
  hiddenLayerSizes: HIDDEN,
  strategy: "fedavg",
  minHolders: 2,
  roundDeadlineSeconds: 60,
  purpose: "demo",
  delta: 1e-5,
};
const RUNS: { label: string; federated: FederatedSpec; epsilon?: number }[] = [
  { label: "FedAvg", federated: { ...BASE, rounds: 40, localEpochs: 1, localBatchSize: 64, learningRate: 0.1 } },
  {
    label: "DP-FedAvg",
    federated: { ...BASE, rounds: 10, localEpochs: 5, localBatchSize: 32, learningRate: 0.1, clipNorm: 1, noiseMultiplier: 5, shardsPerHolder: 100 },
    epsilon: 3,
  },
];

async function sharedSchema(adultPath: string): Promise<TableSchema> {
  const { table, schema } = await loadTable(adultPath);
  const columns = schema.columns.map((column, i) => {
    const data = table.columns[i];
    return column.type === "categorical" && data && "categories" in data ? { ...column, categories: [...data.categories].sort() } : column;
  });
  return { ...schema, columns };
}

async function writeSlices(adultPath: string, outDir: string): Promise<Map<string, string>> {
  const [header, ...rows] = (await readFile(adultPath, "utf8")).split("\n").filter((line) => line.trim() !== "");
  const column = (header as string).split(",").indexOf("relationship");
  const paths = new Map<string, string>();
  for (const [holder, labels] of Object.entries(HOLDERS)) {
    const kept = rows.filter((row) => labels.includes(row.split(",")[column]?.trim() ?? ""));
    const path = join(outDir, `${holder}.csv`);
    await writeFile(path, `${header}\n${kept.join("\n")}\n`);
    paths.set(holder, path);
  }
  return paths;
}

async function downloadModel(client: JobServiceClient, jobId: string): Promise<Float32Array> {
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const stream = client.downloadResult({ jobId, kind: "RESULT_KIND_MODEL", startChunkIndex: 0 }, { deadline: Date.now() + 60_000 });
    stream.on("data", (m: { chunk?: { data: Buffer } | null }) => m.chunk && parts.push(m.chunk.data));
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const bytes = Buffer.concat(parts);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

export async function runFederatedDemo(outDir: string, json: boolean, children: Children): Promise<number> {
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const root = installationRoot();
  const adultPath = join(root, "fixtures", "adult", "adult.csv");
  const tlsDir = join(outDir, "tls");
  say(`datalab demo --federated: working in ${outDir}`);
  const certs = children.start("certs", ["certs", "--out", tlsDir, "--nodes", Object.keys(HOLDERS).join(","), "--clients", "demo"], false);
  if ((await new Promise<number | null>((resolveExit) => certs.child.once("exit", resolveExit))) !== 0)
    throw new CliError(`datalab certs failed: ${certs.lines.at(-1) ?? "no output"}`, { exitCode: 1 });
  const schema = await sharedSchema(adultPath);
  const schemaPath = join(outDir, "adult-shared-schema.json");
  await writeSchemaFile(schemaPath, schema);
  const slices = await writeSlices(adultPath, outDir);
  say(`1. certificates for 3 holders; Adult split by relationship: ${[...slices.keys()].map((h) => `${h} (${HOLDERS[h]?.join(", ")})`).join("; ")}`);

  const coordinator = children.start(
    "coordinator",
    ["coordinator", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data-dir", join(outDir, "coordinator"), "--tls-dir", tlsDir],
    false,
  );
  const address = (await coordinator.waitFor(/^listening (\S+:\d+) metrics (\S+)/, 60_000))[1] as string;
  say(`2. coordinator on ${address} (mutual TLS)`);
  await Promise.all(
    Object.keys(HOLDERS).map(async (holder) => {
      const policyPath = join(outDir, `policy-${holder}.json`);
      await writeFile(policyPath, JSON.stringify(POLICY, null, 2));
      const sidecar = children.start(
        holder,
        [
          "trainer",
          ...["--coordinator", address, "--tls-dir", tlsDir, "--node-id", holder, "--data", slices.get(holder) as string, "--dataset-id", "adult"],
          ...["--schema", schemaPath, "--policy", policyPath, "--work-dir", join(outDir, `work-${holder}`)],
        ],
        false,
      );
      await sidecar.waitFor(/registered as holder/, 120_000);
    }),
  );
  say("3. three holder sidecars registered (schema and a coarse row count only; their rows stay in their files)");

  const plan = planFeatures(schema, { target: "income" });
  const encodedTest = encodeFeatures((await loadTable(join(root, "fixtures", "adult", "adult_test.csv"), { schema })).table, plan);
  const device = Device.open();
  const testFeatures = device.fromFloat32(encodedTest.features, encodedTest.rows, encodedTest.width);
  const accuracyOf = (model: MlpModel) => {
    const predicted = model.predictClasses(testFeatures);
    let correct = 0;
    for (let r = 0; r < encodedTest.rows; r += 1) if (predicted[r] === encodedTest.targets[r]) correct += 1;
    return correct / encodedTest.rows;
  };
  const pooledData = encodeFeatures((await loadTable(adultPath, { schema })).table, plan);
  const pooledModel = new MlpModel(device, { task: "classification", inputWidth: plan.width, hidden: HIDDEN, classCount: 2 }, 7);
  pooledModel.fit(
    { features: device.fromFloat32(pooledData.features, pooledData.rows, pooledData.width), targets: pooledData.targets },
    { epochs: 20, batchSize: 64, learningRate: 0.1, seed: 7 },
  );
  const pooled = accuracyOf(pooledModel);

  const tls = readClientTls(tlsDir, "demo");
  const client = connectJobService({ address, token: tls.token, caPem: tls.caPem, serverNameOverride: "localhost" });
  const results: { label: string; state: string; accuracy: number; epsilon: number; rounds: number; seconds: number; lastRoundSeconds: number }[] = [];
  try {
    for (const run of RUNS) {
      const started = Date.now();
      const submitted = await callJob(client, "SubmitJob", {
        idempotencyKey: randomUUID(),
        spec: { kind: "JOB_KIND_FEDERATED_TRAINING", federated: run.federated, seed: 7, ...(run.epsilon ? { epsilon: run.epsilon } : {}) },
      });
      const jobId = submitted.job?.jobId as string;
      say(`4. ${run.label}: job ${jobId} submitted`);
      let job: JobOut | null | undefined;
      let shownRound = 0;
      for (;;) {
        job = (await callJob(client, "GetJob", { jobId })).job;
        const done = job?.federation?.roundsCompleted ?? 0;
        if (done > shownRound && (done % 10 === 0 || done === job?.federation?.roundsTotal)) {
          say(
            `   round ${done}/${job?.federation?.roundsTotal}: ${job?.federation?.participantsLastRound} participant update(s), ${job?.federation?.lastRoundDurationSeconds.toFixed(2)} s`,
          );
          shownRound = done;
        }
        if (job?.done) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const state = (job?.state ?? "").replace("JOB_STATE_", "");
      let accuracy = Number.NaN;
      if (job?.state === "JOB_STATE_SUCCEEDED") {
        const model = new MlpModel(device, { task: "classification", inputWidth: plan.width, hidden: HIDDEN, classCount: 2 }, 1);
        model.setParameters(wireToArena(await downloadModel(client, jobId), layerWidths(plan.width, HIDDEN, 2)));
        accuracy = accuracyOf(model);
      } else say(`   ${run.label} ended ${state}: ${job?.errorMessage ?? ""}`);
      results.push({
        label: run.label,
        state,
        accuracy,
        epsilon: job?.federation?.epsilonSpent ?? 0,
        rounds: job?.federation?.roundsCompleted ?? 0,
        seconds: (Date.now() - started) / 1000,
        lastRoundSeconds: job?.federation?.lastRoundDurationSeconds ?? 0,
      });
    }
  } finally {
    client.close();
  }
  if (json) process.stdout.write(`${JSON.stringify({ pooledAccuracy: pooled, runs: results }, null, 2)}\n`);
  else {
    say("");
    say(`  run        state      test accuracy  vs pooled (${pooled.toFixed(4)})  ε          rounds  job s  last round s`);
    for (const r of results)
      say(
        `  ${r.label.padEnd(10)} ${r.state.padEnd(10)} ${r.accuracy.toFixed(4).padEnd(14)} ${((r.accuracy - pooled) * 100).toFixed(2).padStart(6)} points${" ".repeat(13)} ${(r.epsilon > 0 ? r.epsilon.toFixed(3) : "∞ (no DP)").padEnd(10)} ${String(r.rounds).padEnd(7)} ${r.seconds.toFixed(1).padEnd(6)} ${r.lastRoundSeconds.toFixed(2)}`,
      );
    say("");
    say("5. shutting down: holders first, then the coordinator");
  }
  await children.stop(Object.keys(HOLDERS));
  await children.stop(["coordinator"]);
  return results.every((r) => r.state === "SUCCEEDED") ? 0 : 1;
}
