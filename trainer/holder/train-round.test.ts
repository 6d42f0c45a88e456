/**
 * Local rounds on holders: FedAvg over three holders with different slices reaches the pooled
 * model's accuracy, updates are clipped per participant (shards summed), the wire layout is the
 * transpose of nn's arena per layer, local noise has the stated spread, and a holder whose
 * encoding differs from the job's model refuses to train.
 */
import { describe, expect, test } from "vitest";
import { Device, MlpModel } from "../../nn/index.js";
import { arenaToWire, float32Bytes, float32FromBytes, layerWidths, wireToArena } from "./parameter-layout.js";
import { type LocalData, type RoundSettings, RoundTrainer } from "./train-round.js";
import { addLocalGaussianNoise, clipUpdate, l2Norm } from "./update-clipping.js";

const device = Device.open("cpu");

/** Two overlapping Gaussian classes in `width` dims; `shift` moves a holder's slice (non-IID). */
function blobs(rows: number, width: number, seed: number, shift = 0): LocalData {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const features = new Float32Array(rows * width);
  const targets = new Int32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    const label = uniform() < 0.5 ? 1 : 0;
    targets[r] = label;
    for (let c = 0; c < width; c += 1) {
      const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      features[r * width + c] = normal + (label ? 0.6 : -0.6) + shift * (c === 0 ? 1 : 0);
    }
  }
  return { features, targets, rows, width };
}

function accuracy(model: MlpModel, data: LocalData): number {
  const predicted = model.predictClasses(device.fromFloat32(data.features, data.rows, data.width));
  let correct = 0;
  for (let r = 0; r < data.rows; r += 1) if (predicted[r] === data.targets[r]) correct += 1;
  return correct / data.rows;
}

const base = (global: Float32Array, overrides: Partial<RoundSettings> = {}): RoundSettings => ({
  task: "classification",
  hidden: [8],
  inputWidth: 5,
  outputWidth: 2,
  global,
  localEpochs: 1,
  batchSize: 32,
  learningRate: 0.1,
  proximalMu: 0,
  clipNorm: 0,
  shards: 1,
  samplingRate: 1,
  seed: 3,
  localNoiseStd: 0,
  ...overrides,
});

describe("local rounds", () => {
  test("FedAvg over three non-IID holders reaches the pooled model's held-out accuracy (within 2 points)", () => {
    const holders = [blobs(600, 5, 1, -1), blobs(400, 5, 2, 0), blobs(800, 5, 3, 1)];
    const testSet = blobs(2000, 5, 9);
    const widths = layerWidths(5, [8], 2);
    const model = new MlpModel(device, { task: "classification", inputWidth: 5, hidden: [8], classCount: 2 }, 11);
    let global = arenaToWire(model.getParameters(), widths);
    const trainers = holders.map((data) => new RoundTrainer(data, device));
    for (let round = 1; round <= 8; round += 1) {
      const updates = trainers.map((trainer) => trainer.train(base(global, { seed: round })));
      const total = updates.reduce((n, u) => n + u.exampleCount, 0);
      const next = global.slice();
      for (const u of updates) for (let i = 0; i < next.length; i += 1) next[i] = (next[i] as number) + ((u.update[i] as number) * u.exampleCount) / total;
      global = next;
    }
    model.setParameters(wireToArena(global, widths));
    const federated = accuracy(model, testSet);
    const pooledRows = holders.reduce((n, h) => n + h.rows, 0);
    const pooled: LocalData = {
      features: Float32Array.from(holders.flatMap((h) => Array.from(h.features))),
      targets: Int32Array.from(holders.flatMap((h) => Array.from(h.targets))),
      rows: pooledRows,
      width: 5,
    };
    const central = new MlpModel(device, { task: "classification", inputWidth: 5, hidden: [8], classCount: 2 }, 11);
    central.fit(
      { features: device.fromFloat32(pooled.features, pooledRows, 5), targets: pooled.targets as Int32Array },
      { epochs: 8, batchSize: 32, learningRate: 0.1, seed: 1 },
    );
    const centralAccuracy = accuracy(central, testSet);
    // Bayes accuracy Φ(0.6·√5) ≈ 0.91.
    expect(centralAccuracy).toBeGreaterThan(0.85);
    expect(federated).toBeGreaterThan(centralAccuracy - 0.02);
  });

  test("each participant's update is clipped to C; shards are sampled at rate q and summed", () => {
    const data = blobs(1000, 5, 4);
    const trainer = new RoundTrainer(data, device);
    const widths = layerWidths(5, [8], 2);
    const global = arenaToWire(new MlpModel(device, { task: "classification", inputWidth: 5, hidden: [8], classCount: 2 }, 2).getParameters(), widths);
    const free = trainer.train(base(global));
    expect(l2Norm(free.update)).toBeGreaterThan(0.2);
    const clipped = trainer.train(base(global, { clipNorm: 0.1 }));
    expect(l2Norm(clipped.update)).toBeLessThanOrEqual(0.1 * (1 + 1e-6));
    expect(clipped.unclippedCount).toBe(0);
    const sharded = trainer.train(base(global, { clipNorm: 0.05, shards: 100, samplingRate: 0.3, seed: 7 }));
    // Binomial(100, 0.3): 30 ± 4.6; 6 standard deviations either side.
    expect(sharded.participantCount).toBeGreaterThan(2);
    expect(sharded.participantCount).toBeLessThan(58);
    expect(sharded.exampleCount).toBe(sharded.participantCount * 10);
    expect(l2Norm(sharded.update)).toBeLessThanOrEqual(sharded.participantCount * 0.05 * (1 + 1e-6));
    // The same seed gives the same round; with private sampling the included shards are not the seed's.
    expect(Array.from(trainer.train(base(global, { clipNorm: 0.05, shards: 100, samplingRate: 0.3, seed: 7 })).update)).toEqual(Array.from(sharded.update));
    const counts = Array.from(
      { length: 4 },
      () => trainer.train(base(global, { clipNorm: 0.05, shards: 100, samplingRate: 0.3, seed: 7, privateSampling: true })).participantCount,
    );
    // Four draws of Binomial(100, 0.3) all equal to the seeded count: probability < 0.09³.
    expect(counts.every((count) => count === sharded.participantCount)).toBe(false);
  });

  test("a holder whose encoding is narrower than the job's model refuses", () => {
    const trainer = new RoundTrainer(blobs(50, 4, 1), device);
    expect(() => trainer.train(base(new Float32Array(66)))).toThrow(/takes 5 inputs but this holder's encoding of the shared schema has 4/);
  });

  test("wire layout: per layer weights[i·outputs + o] then bias; bytes little-endian", () => {
    const widths = [3, 2, 2];
    const arena = Float32Array.from({ length: 3 * 2 + 2 + 2 * 2 + 2 }, (_, i) => i);
    const wire = arenaToWire(arena, widths);
    // Arena W[o][i] at o·3 + i → wire at i·2 + o.
    expect(Array.from(wire.subarray(0, 8))).toEqual([0, 3, 1, 4, 2, 5, 6, 7]);
    expect(Array.from(wireToArena(wire, widths))).toEqual(Array.from(arena));
    expect(Array.from(float32FromBytes(float32Bytes(wire)))).toEqual(Array.from(wire));
    expect(() => arenaToWire(new Float32Array(5), widths)).toThrow(/need 14/);
  });

  test("local noise has standard deviation std; non-finite updates are refused", () => {
    const update = new Float32Array(20000);
    addLocalGaussianNoise(update, 0.5);
    const sd = l2Norm(update) / Math.sqrt(update.length);
    // Sample sd of 20000 normals: relative error ≈ 1/√(2n) = 0.5%; 5 standard errors.
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.5 * 0.025);
    const bad = new Float32Array([1, Number.POSITIVE_INFINITY]);
    expect(() => clipUpdate(bad, 1)).toThrow(/non-finite value at parameter 1/);
  });
});
