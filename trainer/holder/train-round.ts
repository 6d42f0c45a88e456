/**
 * One round of local training on a holder (FedAvg / FedProx local step, McMahan et al. 2017;
 * Li et al. 2020): start from the global model, run `localEpochs` of minibatch SGD on the
 * local rows (with FedProx's proximal term μ/2‖w − w_global‖² when μ > 0), and return the
 * update Δ = w_local − w_global clipped to C.
 *
 * Shards (record-level DP): with shardsPerHolder > 1 the rows are split into that many disjoint
 * shards (a seeded shuffle), each shard is included with probability q (Poisson sampling),
 * trained from the global model on its own, clipped to C on its own, and the holder returns the
 * SUM of the included shards' clipped updates with participantCount = shards included. One row
 * lies in one shard, so it moves the sum by at most C: the sensitivity the server's noise z·C
 * is calibrated to. The holder's local noise (policy) is added to the sum once.
 */
import { randomInt } from "node:crypto";
import { Device, MlpModel } from "../../nn/index.js";
import type { Tensor } from "../../nn/index.js";
import { addLocalGaussianNoise, clipUpdate } from "./update-clipping.js";
import { arenaToWire, layerWidths, ParameterLayoutError, parameterCountOf, wireToArena } from "./parameter-layout.js";

/** The holder's encoded rows (tabular's feature encoding of the shared schema). */
export interface LocalData {
  features: Float32Array;
  targets: Int32Array | Float32Array;
  rows: number;
  width: number;
}

export interface RoundSettings {
  task: "classification" | "regression";
  hidden: number[];
  inputWidth: number;
  outputWidth: number;
  /** The global model in the wire layout. */
  global: Float32Array;
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  proximalMu: number;
  /** 0: no clipping. */
  clipNorm: number;
  shards: number;
  samplingRate: number;
  seed: number;
  /** Standard deviation of the holder's own noise on the returned sum (0: none). */
  localNoiseStd: number;
  /**
   * Draw the shards' Poisson inclusion from the OS's CSPRNG instead of the task's seed. DP runs
   * need it: amplification by sampling assumes nobody (the coordinator included, which knows the
   * seed) learns which shards took part. Non-DP runs keep it seeded, so a run is reproducible.
   */
  privateSampling?: boolean;
}

export interface RoundUpdate {
  /** Σ clipped updates of the included participants, wire layout. */
  update: Float32Array;
  exampleCount: number;
  participantCount: number;
  unclippedCount: number;
  localLoss: number;
}

export class RoundSettingsError extends Error {
  override readonly name = "RoundSettingsError";
}

/** Mulberry32 (shard shuffles, Poisson inclusion, batch order seeds). */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps the holder's rows on the device between rounds and trains one round at a time. */
export class RoundTrainer {
  readonly data: LocalData;
  readonly device: Device;
  private readonly fullFeatures: Tensor;
  /** One model per architecture, reused across rounds (its device buffers stay allocated). */
  private readonly models = new Map<string, MlpModel>();

  constructor(data: LocalData, device: Device = Device.open()) {
    if (data.features.length !== data.rows * data.width || data.targets.length !== data.rows)
      throw new RoundSettingsError(`local data shapes disagree: ${data.features.length} features, ${data.targets.length} targets, ${data.rows}×${data.width}`);
    this.data = data;
    this.device = device;
    this.fullFeatures = device.fromFloat32(data.features, data.rows, data.width);
  }

  private check(settings: RoundSettings): number[] {
    if (settings.inputWidth !== this.data.width)
      throw new RoundSettingsError(
        `the job's model takes ${settings.inputWidth} inputs but this holder's encoding of the shared schema has ${this.data.width}: the holders' schemas differ`,
      );
    const widths = layerWidths(settings.inputWidth, settings.hidden, settings.outputWidth);
    if (settings.global.length !== parameterCountOf(widths))
      throw new ParameterLayoutError(`the global model has ${settings.global.length} parameters; layers ${widths.join("→")} need ${parameterCountOf(widths)}`);
    if (!Number.isSafeInteger(settings.shards) || settings.shards < 1) throw new RoundSettingsError(`shards per holder must be ≥ 1, got ${settings.shards}`);
    return widths;
  }

  train(settings: RoundSettings): RoundUpdate {
    const widths = this.check(settings);
    const globalArena = wireToArena(settings.global, widths);
    const key = `${settings.task}:${widths.join(",")}`;
    let model = this.models.get(key);
    if (!model) {
      model = new MlpModel(this.device, { task: settings.task, inputWidth: settings.inputWidth, hidden: settings.hidden, classCount: settings.outputWidth }, 1);
      this.models.set(key, model);
    }
    const trained = model;
    const random = seededUniform(settings.seed);
    const sum = new Float32Array(globalArena.length);
    let exampleCount = 0;
    let participantCount = 0;
    let unclippedCount = 0;
    let lossSum = 0;
    const trainOn = (features: Tensor, targets: Int32Array | Float32Array, rows: number) => {
      trained.setParameters(globalArena);
      const fitted = trained.fit(
        { features, targets },
        {
          epochs: settings.localEpochs,
          batchSize: settings.batchSize,
          learningRate: settings.learningRate,
          seed: Math.floor(random() * 2 ** 32),
          ...(settings.proximalMu > 0 ? { proximal: { mu: settings.proximalMu, anchor: globalArena } } : {}),
        },
      );
      const local = trained.getParameters();
      for (let i = 0; i < local.length; i += 1) local[i] = (local[i] as number) - (globalArena[i] as number);
      const clipped = clipUpdate(local, settings.clipNorm);
      for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] as number) + (local[i] as number);
      exampleCount += rows;
      participantCount += 1;
      if (clipped.unclipped) unclippedCount += 1;
      lossSum += fitted.lastEpochLoss * rows;
    };
    if (settings.shards === 1) {
      trainOn(this.fullFeatures, this.data.targets, this.data.rows);
    } else {
      const order = Int32Array.from({ length: this.data.rows }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      const width = this.data.width;
      for (let s = 0; s < settings.shards; s += 1) {
        const included = settings.privateSampling ? randomInt(2 ** 32) / 2 ** 32 < settings.samplingRate : random() < settings.samplingRate;
        if (!included) continue;
        const start = Math.floor((s * order.length) / settings.shards);
        const end = Math.floor(((s + 1) * order.length) / settings.shards);
        if (end <= start) continue;
        const rows = order.subarray(start, end);
        const features = new Float32Array(rows.length * width);
        for (let k = 0; k < rows.length; k += 1) {
          const r = rows[k] as number;
          features.set(this.data.features.subarray(r * width, (r + 1) * width), k * width);
        }
        const targets =
          this.data.targets instanceof Int32Array
            ? Int32Array.from(rows, (r) => (this.data.targets as Int32Array)[r] as number)
            : Float32Array.from(rows, (r) => (this.data.targets as Float32Array)[r] as number);
        const tensor = this.device.fromFloat32(features, rows.length, width);
        try {
          trainOn(tensor, targets, rows.length);
        } finally {
          tensor.dispose();
        }
      }
    }
    if (settings.localNoiseStd > 0) addLocalGaussianNoise(sum, settings.localNoiseStd);
    return {
      update: arenaToWire(sum, widths),
      exampleCount,
      participantCount,
      unclippedCount,
      localLoss: exampleCount > 0 ? lossSum / exampleCount : 0,
    };
  }

  dispose(): void {
    for (const model of this.models.values()) model.dispose();
    this.fullFeatures.dispose();
  }
}
