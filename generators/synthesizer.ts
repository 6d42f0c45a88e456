/**
 * The neural synthesizers' names and fit options as `datalab synth --model ctgan|tvae` and jobs
 * use them. Fitting, loading, saving and sampling every kind of model — copula, DP copula, tree,
 * CTGAN, TVAE — goes through the one front: fitSynthModel (fit-synth-model.ts), loadSynthModel /
 * saveModel (model-file.ts), openSampler / sampleToFile / sampleSynthTable (sample-to-file.ts).
 */
import type { FitOptions } from "./fit-copula.js";

export type NeuralSynthesizerName = "ctgan" | "tvae";

/** Training settings of a neural fit (defaults in ctgan/fit-neural.ts), and its per-epoch report. */
export interface NeuralFitSettings {
  epochs?: number;
  batchSize?: number;
  onEpoch?: (epoch: number, epochs: number, losses: { generator: number; discriminator?: number }) => void;
  signal?: AbortSignal;
}

/** Options of fitSynthModel for a copula fit plus those of a neural one. */
export interface SynthesizerFitOptions extends FitOptions, NeuralFitSettings {
  seed?: bigint | number;
}
