// Original file: proto/datalab/v1/node_service.proto

/**
 * Phase of a federated task.
 */
export const FederatedPhase = {
  /**
   * Not set.
   */
  FEDERATED_PHASE_UNSPECIFIED: 'FEDERATED_PHASE_UNSPECIFIED',
  /**
   * Train the global model locally and return the update (FEDERATED_TRAINING).
   */
  FEDERATED_PHASE_TRAIN: 'FEDERATED_PHASE_TRAIN',
  /**
   * Measure noisy marginals / statistics of the local rows (FEDERATED_SYNTHESIS).
   */
  FEDERATED_PHASE_MEASURE: 'FEDERATED_PHASE_MEASURE',
  /**
   * Score a synthetic table against the local rows and return only the scores (FEDERATED_SYNTHESIS).
   */
  FEDERATED_PHASE_SCORE: 'FEDERATED_PHASE_SCORE',
} as const;

/**
 * Phase of a federated task.
 */
export type FederatedPhase =
  /**
   * Not set.
   */
  | 'FEDERATED_PHASE_UNSPECIFIED'
  | 0
  /**
   * Train the global model locally and return the update (FEDERATED_TRAINING).
   */
  | 'FEDERATED_PHASE_TRAIN'
  | 1
  /**
   * Measure noisy marginals / statistics of the local rows (FEDERATED_SYNTHESIS).
   */
  | 'FEDERATED_PHASE_MEASURE'
  | 2
  /**
   * Score a synthetic table against the local rows and return only the scores (FEDERATED_SYNTHESIS).
   */
  | 'FEDERATED_PHASE_SCORE'
  | 3

/**
 * Phase of a federated task.
 */
export type FederatedPhase__Output = typeof FederatedPhase[keyof typeof FederatedPhase]
