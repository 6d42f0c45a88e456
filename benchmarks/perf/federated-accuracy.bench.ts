/**
 * Federated accuracy on Adult: three holders on slices of fixtures/adult/adult.csv split by the
 * `relationship` column (so their label rates differ: husbands ≈45 % >50K, own children ≈1 %),
 * trained with the holders' own round code (trainer/holder RoundTrainer: local SGD, per-update
 * clipping, Poisson-sampled shards) and a DP-FedAvg server step written here from McMahan et al.
 * 2018 (sum of clipped updates + N(0, (zC)²), divided by the expected cohort q·n). Compared on
 * fixtures/adult/adult_test.csv with the same MLP trained on the pooled rows.
 *
 * This measures the learning, not the service: the process test
 * (service-tests/federation-training.test.ts) runs the same settings through a coordinator and
 * three `datalab trainer` processes.
 */
import { loadavg } from "node:os";
import { Device, MlpModel } from "../../nn/index.js";
import { encodeFeatures, type FeaturePlan, loadTable, planFeatures, type Table, type TableSchema } from "../../tabular/index.js";
import { arenaToWire, layerWidths, type LocalData, RoundTrainer, subsampledGaussianEpsilon, wireToArena } from "../../trainer/index.js";

export const name = "federated-accuracy";

/** Holder slices of Adult by relationship. */
export const HOLDER_GROUPS: readonly (readonly string[])[] = [["Husband"], ["Not-in-family", "Wife"], ["Own-child", "Unmarried", "Other-relative"]];

export interface AdultFederation {
  schema: TableSchema;
  plan: FeaturePlan;
  holders: LocalData[];
  pooled: LocalData;
  test: LocalData;
}

function rowsOf(table: Table, keep: (row: number) => boolean): Table {
  const rows: number[] = [];
  for (let r = 0; r < table.rowCount; r += 1) if (keep(r)) rows.push(r);
  return {
    rowCount: rows.length,
    columns: table.columns.map((column) => {
      if ("codes" in column) return { ...column, codes: Int32Array.from(rows, (r) => column.codes[r] as number) };
      if (column.values instanceof Float64Array) {
        const values = column.values;
        return { ...column, values: Float64Array.from(rows, (r) => values[r] as number) };
      }
      const values = column.values;
      return { ...column, values: rows.map((r) => values[r] ?? null) };
    }),
  } as Table;
}

function localData(table: Table, plan: FeaturePlan): LocalData {
  const encoded = encodeFeatures(table, plan);
  return { features: encoded.features, targets: encoded.targets, rows: encoded.rows, width: encoded.width };
}

/** Adult with its shared schema (categories declared from the training file), split into holders. */
export async function loadAdultFederation(): Promise<AdultFederation> {
  const loaded = await loadTable("fixtures/adult/adult.csv");
  const columns = loaded.schema.columns.map((column, i) => {
    const data = loaded.table.columns[i];
    return column.type === "categorical" && data && "categories" in data ? { ...column, categories: [...data.categories].sort() } : column;
  });
  const schema: TableSchema = { ...loaded.schema, columns };
  const plan = planFeatures(schema, { target: "income" });
  const relationship = loaded.table.columns.find((c) => c.schema.name === "relationship");
  if (!relationship || !("codes" in relationship)) throw new Error("adult.csv has no categorical relationship column");
  const holders = HOLDER_GROUPS.map((labels) => {
    const codes = new Set(labels.map((label) => relationship.categories.indexOf(label)));
    return localData(
      rowsOf(loaded.table, (r) => codes.has(relationship.codes[r] as number)),
      plan,
    );
  });
  const { table: testTable } = await loadTable("fixtures/adult/adult_test.csv", { schema });
  return { schema, plan, holders, pooled: localData(loaded.table, plan), test: localData(testTable, plan) };
}

export interface FederatedRunSettings {
  hidden: number[];
  rounds: number;
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  clipNorm: number;
  noiseMultiplier: number;
  samplingRate: number;
  shardsPerHolder: number;
  delta: number;
  seed: number;
}

export function accuracyOf(model: MlpModel, data: LocalData): number {
  const predicted = model.predictClasses(model.device.fromFloat32(data.features, data.rows, data.width));
  let correct = 0;
  for (let r = 0; r < data.rows; r += 1) if (predicted[r] === data.targets[r]) correct += 1;
  return correct / data.rows;
}

/** Mulberry32 for the server's noise (a benchmark, not a release: the service uses its own generator). */
function gaussianSource(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** FedAvg (z = 0: weighted by examples) or DP-FedAvg (z > 0: noised sum over the expected cohort). */
export function runFederated(federation: AdultFederation, settings: FederatedRunSettings): { accuracy: number; epsilon: number; roundSeconds: number[] } {
  const device = Device.open();
  const width = federation.plan.width;
  const widths = layerWidths(width, settings.hidden, 2);
  const model = new MlpModel(device, { task: "classification", inputWidth: width, hidden: settings.hidden, classCount: 2 }, settings.seed);
  let global = arenaToWire(model.getParameters(), widths);
  const trainers = federation.holders.map((data) => new RoundTrainer(data, device));
  const noise = gaussianSource(settings.seed ^ 0x5eed);
  const roundSeconds: number[] = [];
  const expectedCohort = settings.samplingRate * settings.shardsPerHolder * trainers.length;
  for (let round = 1; round <= settings.rounds; round += 1) {
    const started = performance.now();
    const updates = trainers.map((trainer, h) =>
      trainer.train({
        task: "classification",
        hidden: settings.hidden,
        inputWidth: width,
        outputWidth: 2,
        global,
        localEpochs: settings.localEpochs,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        proximalMu: 0,
        clipNorm: settings.clipNorm,
        shards: settings.shardsPerHolder,
        samplingRate: settings.shardsPerHolder > 1 ? settings.samplingRate : 1,
        seed: settings.seed * 1000 + round * 10 + h,
        localNoiseStd: 0,
      }),
    );
    const next = global.slice();
    if (settings.noiseMultiplier > 0) {
      const std = settings.noiseMultiplier * settings.clipNorm;
      for (let i = 0; i < next.length; i += 1) {
        let sum = std * noise();
        for (const u of updates) sum += u.update[i] as number;
        next[i] = (next[i] as number) + sum / expectedCohort;
      }
    } else {
      const total = updates.reduce((n, u) => n + u.exampleCount, 0);
      for (const u of updates) for (let i = 0; i < next.length; i += 1) next[i] = (next[i] as number) + ((u.update[i] as number) * u.exampleCount) / total;
    }
    global = next;
    roundSeconds.push((performance.now() - started) / 1000);
  }
  for (const trainer of trainers) trainer.dispose();
  model.setParameters(wireToArena(global, widths));
  const accuracy = accuracyOf(model, federation.test);
  model.dispose();
  const epsilon =
    settings.noiseMultiplier > 0
      ? subsampledGaussianEpsilon(
          settings.shardsPerHolder > 1 ? settings.samplingRate : settings.samplingRate,
          settings.noiseMultiplier,
          settings.rounds,
          settings.delta,
        )
      : Number.POSITIVE_INFINITY;
  return { accuracy, epsilon, roundSeconds };
}

/** The same MLP trained on the pooled rows with the same local optimiser. */
export function runPooled(
  federation: AdultFederation,
  settings: { hidden: number[]; epochs: number; batchSize: number; learningRate: number; seed: number },
): number {
  const device = Device.open();
  const model = new MlpModel(device, { task: "classification", inputWidth: federation.plan.width, hidden: settings.hidden, classCount: 2 }, settings.seed);
  const features = device.fromFloat32(federation.pooled.features, federation.pooled.rows, federation.pooled.width);
  model.fit(
    { features, targets: federation.pooled.targets },
    { epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate, seed: settings.seed },
  );
  features.dispose();
  const accuracy = accuracyOf(model, federation.test);
  model.dispose();
  return accuracy;
}

export const FEDAVG_SETTINGS: FederatedRunSettings = {
  hidden: [16],
  rounds: 40,
  localEpochs: 1,
  batchSize: 64,
  learningRate: 0.1,
  clipNorm: 0,
  noiseMultiplier: 0,
  samplingRate: 1,
  shardsPerHolder: 1,
  delta: 1e-5,
  seed: 7,
};

export const DP_SETTINGS: FederatedRunSettings = {
  hidden: [16],
  rounds: 10,
  localEpochs: 5,
  batchSize: 32,
  learningRate: 0.1,
  clipNorm: 1,
  noiseMultiplier: 5,
  samplingRate: 1,
  shardsPerHolder: 100,
  delta: 1e-5,
  seed: 7,
};

export async function run(): Promise<Record<string, unknown>> {
  const loadStarted = performance.now();
  const federation = await loadAdultFederation();
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const pooledSettings = { hidden: FEDAVG_SETTINGS.hidden, epochs: 20, batchSize: 64, learningRate: 0.1, seed: 7 };
  const pooled = runPooled(federation, pooledSettings);
  const fedavg = runFederated(federation, FEDAVG_SETTINGS);
  const dp = runFederated(federation, DP_SETTINGS);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    // Timings share a 2-core host with other work: its load average when the suite ended.
    loadAverage: loadavg(),
    holders: HOLDER_GROUPS.map((labels, h) => ({ relationship: labels, rows: federation.holders[h]?.rows })),
    testRows: federation.test.rows,
    loadSeconds,
    pooled: { accuracy: pooled, settings: pooledSettings },
    fedavg: {
      accuracy: fedavg.accuracy,
      medianRoundSeconds: median(fedavg.roundSeconds),
      settings: FEDAVG_SETTINGS,
      pointsBelowPooled: (pooled - fedavg.accuracy) * 100,
    },
    dp: {
      accuracy: dp.accuracy,
      epsilon: dp.epsilon,
      medianRoundSeconds: median(dp.roundSeconds),
      settings: DP_SETTINGS,
      pointsBelowPooled: (pooled - dp.accuracy) * 100,
    },
  };
}
