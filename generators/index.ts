/** Public surface of generators/: the Gaussian copula, CTGAN and TVAE — fit, model file, (conditional) sampling. */
export type { CategoricalColumnModel, ColumnModel, CopulaDimension, CopulaModel, NumericColumnModel, Rounding, TextColumnModel } from "./copula-model.js";
export { GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION } from "./copula-model.js";
export { ConditionError, GeneratorError, ModelFileError, TrainingInputError } from "./errors.js";
export { type FitOptions, fitGaussianCopula } from "./fit-copula.js";
export type { MarginalFamily } from "./marginal-families.js";
export { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions, sampleTable } from "./copula-sampler.js";
export { type StreamSampleOptions, type StreamSampleResult, sampleToFile } from "./sample-to-file.js";
export { loadModel, parseModel, saveModel, serializeModel } from "./model-file.js";
export { type ConditionOperator, type ConditionTerm, parseWhere } from "./where-syntax.js";
export { type ConditionPlan, planConditions } from "./conditioning.js";
export { normalCdf, normalQuantile } from "./normal-distribution.js";
export { type ChunkSource, sampleSourceToFile } from "./sample-to-file.js";
export {
  fitSynthesizer,
  isNeuralModel,
  loadSynthesizerModel,
  openModelSampler,
  SYNTHESIZER_NAMES,
  type SynthesizerFitOptions,
  type SynthesizerModel,
  type SynthesizerName,
  sampleModelTable,
  sampleModelToFile,
  saveSynthesizerModel,
  synthesizerName,
} from "./synthesizer.js";
export { DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS } from "./ctgan/fit-neural.js";
export type { NeuralModel } from "./ctgan/neural-model.js";
export { exportNeuralOnnx } from "./ctgan/export-onnx.js";
export { engineNetwork } from "./ctgan/fit-neural.js";
export { layoutOf, type OutputSpan as EncodedSpan } from "./ctgan/data-transformer.js";
