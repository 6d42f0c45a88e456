/**
 * Fit a CTGAN or TVAE model to a table: check the settings against the table, fit the row
 * encoding, train, and package everything sampling needs into a NeuralModel. Also builds the
 * sampling network of a saved model on the engine's device.
 */
import { Device, Sequential, type LayerSpec } from "../../nn/index.js";
import type { Table } from "../../tabular/index.js";
import { MODEL_FORMAT } from "../copula-model.js";
import { GeneratorError, TrainingInputError } from "../errors.js";
import { encodeTable, fitTableTransform } from "./data-transformer.js";
import { encodeWeights, decodeWeights, NEURAL_MODEL_VERSION, type NeuralGeneratorName, type NeuralModel } from "./neural-model.js";
import type { GeneratorNetwork } from "./neural-sampler.js";
import { fitSamplingCalibration } from "./fit-calibration.js";
import { CTGAN_PAC, trainCtgan } from "./train-ctgan.js";
import { trainTvae } from "./train-tvae.js";

/**
 * Defaults chosen for speed and fidelity together on this 2-core machine (see README: Adult,
 * `benchmarks/results/ctgan-adult-tstr-2026-12-03.json`): batches of 200 rows (smaller batches for
 * small tables, so an epoch has at least MIN_STEPS_PER_EPOCH steps), and a budget of training
 * steps rather than a fixed epoch count, so a small table trains as many steps as a large one
 * (at most MAX_DEFAULT_EPOCHS epochs). CTGAN's 4,000 steps (25 epochs of Adult) fit the 82 s
 * CSV → model budget on an idle machine once the step got faster; against 2,000 they lift Adult's
 * quality and train-on-synthetic accuracy together (the income conditionals are learned better).
 */
export const DEFAULT_BATCH_SIZE = 200;
export const DEFAULT_TRAINING_STEPS: Record<NeuralGeneratorName, number> = { ctgan: 4000, tvae: 3000 };
/** High enough that a CTGAN table with 2 steps an epoch still trains the whole step budget. */
export const MAX_DEFAULT_EPOCHS = 2000;
/** Kept for callers that print a default: the epochs a table of Adult's size gets. */
export const DEFAULT_EPOCHS: Record<NeuralGeneratorName, string> = {
  ctgan: `${DEFAULT_TRAINING_STEPS.ctgan} steps' worth, ≤ ${MAX_DEFAULT_EPOCHS}`,
  tvae: `${DEFAULT_TRAINING_STEPS.tvae} steps' worth, ≤ ${MAX_DEFAULT_EPOCHS}`,
};
/**
 * Fewest steps an epoch of a small table has (so the batch shrinks below DEFAULT_BATCH_SIZE).
 * CTGAN's is 2: its critic sees batch / 10 packed inputs a step, and on penguins (344 rows)
 * batch 170 (17 packed inputs) scored quality 0.909 against 0.840 for batch 60 at the same 1,500
 * steps (README, "Other tables").
 */
const MIN_STEPS_PER_EPOCH: Record<NeuralGeneratorName, number> = { ctgan: 2, tvae: 5 };
/** The smallest automatic batch: 5 packed critic rows for CTGAN. */
const MIN_DEFAULT_BATCH = 50;
/** A table needs this many batches of MIN_DEFAULT_BATCH for an automatic batch (250 rows). */
const MIN_TABLE_BATCHES = 5;

/** The batch used when none is given: DEFAULT_BATCH_SIZE, or less so an epoch has MIN_STEPS_PER_EPOCH steps. */
export function defaultBatchSize(generator: NeuralGeneratorName, rows: number): number {
  const step = generator === "ctgan" ? CTGAN_PAC : 1;
  if (Math.floor(rows / MIN_TABLE_BATCHES / step) * step < MIN_DEFAULT_BATCH) {
    throw new TrainingInputError(
      `the table has ${rows} rows; a ${generator} model needs at least ${MIN_DEFAULT_BATCH * MIN_TABLE_BATCHES} (${MIN_TABLE_BATCHES} batches of ${MIN_DEFAULT_BATCH}) — use --model copula for a table this small.`,
    );
  }
  return Math.min(DEFAULT_BATCH_SIZE, Math.floor(rows / MIN_STEPS_PER_EPOCH[generator] / step) * step);
}

/**
 * Below this many rows CTGAN's critic takes SMALL_TABLE_CRITIC_STEPS steps per generator step
 * over SMALL_TABLE_CTGAN_STEPS generator steps. Measured on the SDMetrics tables (seeds 0–2,
 * README "Other tables"): with one critic step the generator leaves numeric pairs loose
 * (seattle-weather's temp_max × temp_min correlates 0.5 against 0.88 real) and more generator steps
 * do not help (6,000 steps: no gain); five critic steps a generator step (WGAN-GP's n_critic)
 * tighten them (seattle quality 0.909 → 0.927, adult-2k 0.909 → 0.927). A small table's steps are
 * cheap, so the 5× critic work costs seconds; a table of Adult's size keeps one critic step and
 * the 82 s budget.
 */
export const SMALL_TABLE_ROWS = 5000;
export const SMALL_TABLE_CRITIC_STEPS = 5;
export const SMALL_TABLE_CTGAN_STEPS = 2000;

/** Critic steps per generator step: SMALL_TABLE_CRITIC_STEPS for a CTGAN table below SMALL_TABLE_ROWS rows, else 1. */
export function defaultCriticSteps(generator: NeuralGeneratorName, rows: number): number {
  return generator === "ctgan" && rows < SMALL_TABLE_ROWS ? SMALL_TABLE_CRITIC_STEPS : 1;
}

/** The epochs used when none is given: the step budget over ⌊rows / batch⌋ steps per epoch, at most MAX_DEFAULT_EPOCHS. */
export function defaultEpochs(generator: NeuralGeneratorName, rows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.floor(rows / batchSize));
  if (generator === "ctgan" && rows < SMALL_TABLE_ROWS) return Math.max(1, Math.min(MAX_DEFAULT_EPOCHS, Math.ceil(SMALL_TABLE_CTGAN_STEPS / stepsPerEpoch)));
  return Math.max(1, Math.min(MAX_DEFAULT_EPOCHS, Math.ceil(DEFAULT_TRAINING_STEPS[generator] / stepsPerEpoch)));
}

export interface NeuralFitOptions {
  generator: NeuralGeneratorName;
  epochs?: number;
  batchSize?: number;
  seed?: bigint | number;
  /** CTGAN critic steps per generator step; default defaultCriticSteps (by table size). */
  criticSteps?: number;
  onEpoch?: (epoch: number, epochs: number, losses: { generator: number; discriminator?: number }) => void;
  signal?: AbortSignal;
}

export function checkNeuralSettings(generator: NeuralGeneratorName, rows: number, epochs: number, batchSize: number): void {
  if (!Number.isSafeInteger(epochs) || epochs < 1)
    throw new TrainingInputError(`--epochs must be a whole number ≥ 1, got ${epochs}; a model needs at least one pass over the data.`);
  const step = generator === "ctgan" ? CTGAN_PAC : 1;
  if (!Number.isSafeInteger(batchSize) || batchSize < step || batchSize % step !== 0) {
    throw new TrainingInputError(
      `--batch-size must be a positive multiple of ${step}${generator === "ctgan" ? " (CTGAN packs 10 rows per critic input)" : ""}, got ${batchSize}.`,
    );
  }
  if (rows < batchSize) {
    const fits = Math.floor(rows / step) * step;
    const hint = fits >= step ? `pass --batch-size ${fits} or less` : "give it more rows";
    throw new TrainingInputError(`the table has ${rows} rows, fewer than one batch of ${batchSize}; ${hint}, or use --model copula.`);
  }
}

export function fitNeuralModel(table: Table, options: NeuralFitOptions): NeuralModel {
  const generator = options.generator;
  const batchSize = options.batchSize ?? defaultBatchSize(generator, table.rowCount);
  const epochs = options.epochs ?? defaultEpochs(generator, table.rowCount, batchSize);
  const seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
  checkNeuralSettings(generator, table.rowCount, epochs, batchSize);
  const transform = fitTableTransform(table);
  const { data, discretePositions } = encodeTable(transform, table, seed);
  const train = {
    epochs,
    batchSize,
    seed,
    criticSteps: options.criticSteps ?? defaultCriticSteps(generator, table.rowCount),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEpoch: (epoch: number, losses: { generator: number; discriminator?: number }) => options.onEpoch?.(epoch, epochs, losses),
  };
  const trained = generator === "ctgan" ? trainCtgan(transform, data, discretePositions, train) : trainTvae(transform, data, train);
  const model: NeuralModel = {
    format: MODEL_FORMAT,
    version: NEURAL_MODEL_VERSION,
    generator,
    schema: { version: 1, columns: table.columns.map((c) => c.schema) },
    training: {
      rows: table.rowCount,
      epochs,
      batchSize,
      seed: seed.toString(),
      device: trained.device,
      ...(generator === "ctgan" ? { criticSteps: train.criticSteps } : {}),
      losses: trained.losses,
    },
    transform: { columns: transform.columns, width: transform.width },
    network: trained.network,
    outputSigmas: "outputSigmas" in trained ? (trained.outputSigmas as number[]) : [],
    calibration: null,
    weights: encodeWeights(trained.weights),
    warnings: [],
  };
  if (generator !== "ctgan") return model;
  // TVAE decodes by argmax (no draw to bias); CTGAN's sampling is calibrated on the training table.
  const network = buildNetwork(model);
  try {
    return { ...model, calibration: fitSamplingCalibration(model, network, table, transform) };
  } finally {
    network.dispose();
  }
}

/**
 * The sampling network of each loaded model, built once: a node's model cache hands out the same
 * model object to every SAMPLE task, and the engine's tensors are not garbage-collected.
 */
const networks = new WeakMap<NeuralModel, GeneratorNetwork>();

/** The model's generator (CTGAN) or decoder (TVAE) on the engine's device, in eval mode. */
export function engineNetwork(model: NeuralModel): GeneratorNetwork {
  const cached = networks.get(model);
  if (cached !== undefined) return cached;
  const built = buildNetwork(model);
  // Shared by every sampler of this model object: a sampler's dispose() must not free it.
  const network: GeneratorNetwork = { forward: (input, rows) => built.forward(input, rows), dispose() {} };
  networks.set(model, network);
  return network;
}

/** The model's sampling network on the engine's device, weights loaded (eval mode is chosen per forward). */
export function neuralSequential(model: NeuralModel): Sequential {
  const { noiseWidth, condWidth } = model.network;
  const network = new Sequential(Device.open(), noiseWidth + condWidth, model.network.layers as LayerSpec[], { seed: 0 });
  network.loadWeights(decodeWeights(model.weights));
  return network;
}

function buildNetwork(model: NeuralModel): GeneratorNetwork {
  const network = neuralSequential(model);
  const device = network.device;
  const { noiseWidth, condWidth, outWidth } = model.network;
  return {
    forward(input: Float32Array, rows: number): Float32Array {
      const x = device.fromFloat32(input, rows, noiseWidth + condWidth);
      try {
        const y = network.forward(x, { training: false });
        if (y.cols !== outWidth) throw new GeneratorError(`the model's network gives ${y.cols} outputs, its encoding needs ${outWidth}; refit the model.`);
        return y.download();
      } finally {
        x.dispose();
      }
    },
    dispose() {
      network.dispose();
    },
  };
}
