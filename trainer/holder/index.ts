/** trainer/holder/: the holder sidecar (`datalab trainer`): policy, ledger, admission, local rounds, the agent. */
export { HolderAgent, type HolderAgentOptions, type HeldDatasetInfo, rowCountBucket } from "./holder-agent.js";
export { BudgetRefusal, HolderLedger, type JobCharge } from "./holder-ledger.js";
export { type HolderJobKind, type HolderPolicy, HolderPolicyError, loadHolderPolicy, parseHolderPolicy } from "./holder-policy.js";
export { arenaToWire, float32Bytes, float32FromBytes, layerWidths, ParameterLayoutError, parameterCountOf, wireToArena } from "./parameter-layout.js";
export { RoundRunner } from "./round-runner.js";
export { type Admission, admitTask, checkTaskAgainstPolicy, type FederatedTaskView } from "./task-admission.js";
export { type JobSpend, recomputeJobSpend, subsampledGaussianEpsilon, TaskParameterError, type TaskPrivacyParameters } from "./task-spend.js";
export { type LocalData, type RoundSettings, RoundSettingsError, RoundTrainer, type RoundUpdate } from "./train-round.js";
export { addLocalGaussianNoise, clipUpdate, l2Norm, UpdateError } from "./update-clipping.js";
export {
  admitSynthesisTask,
  type HolderScores,
  runSynthesisMeasure,
  ReleasedMeasurements,
  runSynthesisScore,
  SYNTHESIS_MEASURE_ROUNDS,
  SYNTHESIS_SCORE_ROUND,
  type SynthesisHolderData,
  SynthesisTaskError,
  type SynthesisTaskView,
  synthesisSpend,
} from "./synthesis-tasks.js";
