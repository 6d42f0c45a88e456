/** Public surface of generators/: the Gaussian copula — fit, model file, (conditional) sampling. */
export type { CategoricalColumnModel, ColumnModel, CopulaDimension, CopulaModel, DerivedColumn, NumericColumnModel, Rounding, TextColumnModel } from "./copula-model.js";
export { type ColumnRules, findColumnRules } from "./column-rules.js";
export { GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, READABLE_MODEL_VERSIONS } from "./copula-model.js";
export { ConditionError, GeneratorError, ModelFileError } from "./errors.js";
export { type FitOptions, fitGaussianCopula } from "./fit-copula.js";
export type { MarginalFamily } from "./marginal-families.js";
export { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions, sampleTable } from "./copula-sampler.js";
export { type StreamSampleOptions, type StreamSampleResult, sampleToFile } from "./sample-to-file.js";
export { loadModel, parseModel, saveModel, serializeModel } from "./model-file.js";
export { type ConditionOperator, type ConditionTerm, parseWhere } from "./where-syntax.js";
export { type ConditionPlan, planConditions } from "./conditioning.js";
export { normalCdf, normalQuantile } from "./normal-distribution.js";
