/**
 * Federated synthesis (issue 13, item 5), the marginal-based path: MST measured at each holder
 * under its own budget, summed and fitted at the coordinator. Re-exported by generators/index.ts.
 */
export {
  FEDERATED_MST_SPLIT,
  FEDERATED_MST_STEPS,
  type FederatedAccounting,
  type FederatedMstStep,
  federatedAccounting,
  type HolderAccount,
  holderStepNoise,
  pairCount,
  type StepNoise,
  type SummedStep,
} from "./federated-budget.js";
export {
  checkPlan,
  domainFingerprint,
  type PlannedCompression,
  planSelection,
  planTree,
  type SelectionPlan,
  sharedDomain,
  type TreePlan,
} from "./federated-plan.js";
export { fitFederatedMst } from "./fit-federated-mst.js";
export { type HolderContext, measureOneWays, measureSelectionScores, measureTreeMarginals } from "./holder-measurements.js";
export {
  type HolderMeasurement,
  MEASUREMENT_FILE_MAGIC,
  MEASUREMENT_FILE_VERSION,
  MEASUREMENT_ROUNDS,
  type MeasurementBlock,
  MeasurementFileError,
  type MeasurementRound,
  parseMeasurement,
  serializeMeasurement,
} from "./measurement-file.js";
export { type FederatedMstRun, runFederatedMst } from "./run-federated-mst.js";
