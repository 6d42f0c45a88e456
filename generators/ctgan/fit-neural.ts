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
import { CTGAN_PAC, trainCtgan } from "./train-ctgan.js";
import { trainTvae } from "./train-tvae.js";

/**
 * Defaults chosen for speed and fidelity together on this 2-core machine (see README: Adult,
 * `benchmarks/results/ctgan-adult-2026-12-02.json`): the paper's batch of 500 and as many
 * epochs as fit the time budget.
 */
export const DEFAULT_EPOCHS: Record<NeuralGeneratorName, number> = { ctgan: 20, tvae: 20 };
export const DEFAULT_BATCH_SIZE = 500;

export interface NeuralFitOptions {
  generator: NeuralGeneratorName;
  epochs?: number;
  batchSize?: number;
  seed?: bigint | number;
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
  const epochs = options.epochs ?? DEFAULT_EPOCHS[generator];
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
  checkNeuralSettings(generator, table.rowCount, epochs, batchSize);
  const transform = fitTableTransform(table);
  const { data, discretePositions } = encodeTable(transform, table, seed);
  const train = {
    epochs,
    batchSize,
    seed,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEpoch: (epoch: number, losses: { generator: number; discriminator?: number }) => options.onEpoch?.(epoch, epochs, losses),
  };
  const trained = generator === "ctgan" ? trainCtgan(transform, data, discretePositions, train) : trainTvae(transform, data, train);
  return {
    format: MODEL_FORMAT,
    version: NEURAL_MODEL_VERSION,
    generator,
    schema: { version: 1, columns: table.columns.map((c) => c.schema) },
    training: { rows: table.rowCount, epochs, batchSize, seed: seed.toString(), device: trained.device, losses: trained.losses },
    transform: { columns: transform.columns, width: transform.width },
    network: trained.network,
    outputSigmas: "outputSigmas" in trained ? (trained.outputSigmas as number[]) : [],
    weights: encodeWeights(trained.weights),
    warnings: [],
  };
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
  const network = buildNetwork(model);
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
    dispose() {},
  };
}
