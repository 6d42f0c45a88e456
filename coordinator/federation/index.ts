/**
 * coordinator/federation/: federated training rounds on the coordinator — holder sampling,
 * streaming clip-and-sum aggregation, server strategies, DP-FedAvg noise and accounting,
 * adaptive clipping, and the SQLite round store that makes a run resumable.
 */
export { nextClipNorm, noisyUnclippedFraction } from "./adaptive-clipping.js";
export { federatedEpsilon, roundsWithinBudget, sumNoiseStd, updateNoiseMultiplier } from "./dp-accounting.js";
export { type FederatedSettings, federatedSettings, STRATEGIES, type StrategyName, validateFederatedSpec } from "./federated-spec.js";
export { createFederationMetrics, type FederationMetrics } from "./federation-metrics.js";
export { type FederationJobs, FederationRunner, type FederationRunnerOptions, type LeasedFederatedTask } from "./federation-runner.js";
export { type ChunkAccess, type ModelChunks, modelChunks, readModel, storeModel } from "./model-chunks.js";
export { initialModel, type LayerSlice, layerSlices, type ModelShape, parameterCount, parametersFromBytes, parametersToBytes } from "./model-layout.js";
export { exportFederatedOnnx, federatedMlp, wireToArena } from "./model-export.js";
export { modelShapeOf } from "./model-shape.js";
export { policyRefusal } from "./holder-eligibility.js";
export { addSumNoise, closeRound } from "./round-aggregation.js";
export { RoundCollector } from "./round-collector.js";
export { expectedCohort, federatedTaskId, parseFederatedTaskId, sampleHolders } from "./round-plan.js";
export { type AcceptedUpdate, type FederatedJobRow, type FederationProgress, RoundStore } from "./round-store.js";
export { applyServerStep, newOptimizerState } from "./server-optimizer.js";
export { inMemoryUpdate, type PendingUpdate, StreamingUpdateSum, type UpdateOutcome } from "./streaming-sum.js";
export {
  FederatedSynthesisJob,
  SYNTHESIS_ROUNDS,
  type SynthesisHolder,
  type SynthesisJobOptions,
  type SynthesisJobResult,
  type SynthesisTaskInput,
} from "./synthesis-job.js";
export {
  type CorpusSampleJobs,
  corpusSampleKey,
  corpusSampleRequest,
  type SampledCorpus,
  type SampleJobView,
  sampleCorpusOnWorker,
  sampleJobView,
} from "./synthesis-corpus.js";
export { type SynthesisJobs, SynthesisRunner, type SynthesisStatus } from "./synthesis-runner.js";
export { type SynthesisAnswer, type SynthesisJobRow, SynthesisStore } from "./synthesis-store.js";
