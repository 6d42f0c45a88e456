/** Public surface of generators/: the Gaussian copula, the DP copula, MST / Chow–Liu tree models, AIM, CTGAN and TVAE — fit, model file, sampling. */
export type {
  CategoricalColumnModel,
  ColumnModel,
  CopulaDimension,
  CopulaModel,
  DerivedColumn,
  NumericColumnModel,
  Rounding,
  TextColumnModel,
} from "./copula-model.js";
export { type ColumnRules, findColumnRules } from "./column-rules.js";
export { GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, READABLE_MODEL_VERSIONS } from "./copula-model.js";
export { ConditionError, DpInputError, GeneratorError, ModelFileError, TrainingInputError } from "./errors.js";
export { type FitOptions, fitGaussianCopula } from "./fit-copula.js";
export type { MarginalFamily } from "./marginal-families.js";
export { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions, sampleTable } from "./copula-sampler.js";
export { openSampler, sampleSynthTable, type StreamSampleOptions, type StreamSampleResult, sampleToFile } from "./sample-to-file.js";
export { isNeuralModel, loadModel, loadSynthModel, parseModel, parseSynthModel, saveModel, serializeModel, type SynthModel } from "./model-file.js";
export { type ConditionOperator, type ConditionTerm, parseWhere } from "./where-syntax.js";
export { type ConditionPlan, planConditions } from "./conditioning.js";
export { normalCdf, normalQuantile } from "./normal-distribution.js";
export { type DiscreteAttribute, type DiscreteDomain, encodeTable as encodeDiscrete, privateDomainFromSchema } from "./discrete-domain.js";
export { type DpRecord, describeDp, type MechanismRecord } from "./dp-record.js";
export { checkDpRequest, DEFAULT_DELTA, DP_MODELS, type DpModelName, type DpRequest, SYNTH_MODELS, type SynthModelName } from "./dp-request.js";
export { BUDGET_SPLIT as DP_COPULA_BUDGET_SPLIT, fitDpCopula } from "./dp-copula/fit-dp-copula.js";
export { fitChowLiu, fitMst } from "./mst/fit-mst.js";
export { MST_GENERATOR_NAME, type MstModel } from "./mst/mst-model.js";
export { MstSampler } from "./mst/mst-sampler.js";
export { AIM_MAX_MODEL_MEGABYTES, type AimOptions, fitAim } from "./aim/fit-aim.js";
export { AIM_GENERATOR_NAME, type AimModel } from "./aim/aim-model.js";
export { AimSampler, sampleAimTable } from "./aim/aim-sampler.js";
export { declaredSchema, fitSynthModel, type SynthFitOptions } from "./fit-synth-model.js";
export {
  DEFAULT_SYNTHESIZER_MODEL,
  DIFFERENTIALLY_PRIVATE_MODELS,
  epsilonProblem,
  GAUSSIAN_COPULA_MODELS,
  MODELS_NEEDING_EPSILON,
  modelOptionsProblem,
  NEURAL_MODELS,
  SYNTHESIZER_MODELS,
  unknownModelProblem,
} from "./model-names.js";
export { type ChunkSource, sampleSourceToFile } from "./sample-to-file.js";
export type { NeuralFitSettings, NeuralSynthesizerName, SynthesizerFitOptions } from "./synthesizer.js";
export { DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS } from "./ctgan/fit-neural.js";
export type { NeuralModel } from "./ctgan/neural-model.js";
export { exportNeuralOnnx } from "./ctgan/export-onnx.js";
export { engineNetwork } from "./ctgan/fit-neural.js";
export { layoutOf, type OutputSpan as EncodedSpan } from "./ctgan/data-transformer.js";
export * from "./federated/index.js";
