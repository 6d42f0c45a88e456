// Original file: proto/datalab/v1/common.proto

/**
 * What a result file is for.
 */
export const ResultKind = {
  /**
   * Not set; rejected where a kind is required.
   */
  RESULT_KIND_UNSPECIFIED: 'RESULT_KIND_UNSPECIFIED',
  /**
   * The synthetic table (CSV or Parquet).
   */
  RESULT_KIND_TABLE: 'RESULT_KIND_TABLE',
  /**
   * The fitted model file (loadable by `datalab sample`).
   */
  RESULT_KIND_MODEL: 'RESULT_KIND_MODEL',
  /**
   * The fidelity/privacy report (JSON).
   */
  RESULT_KIND_REPORT: 'RESULT_KIND_REPORT',
  /**
   * The same report rendered as HTML.
   */
  RESULT_KIND_REPORT_HTML: 'RESULT_KIND_REPORT_HTML',
  /**
   * Anything else the job produced (logs); several may exist, told apart by name.
   */
  RESULT_KIND_OTHER: 'RESULT_KIND_OTHER',
  /**
   * A holder's model update for one federated round (CompleteTaskRequest.federated.update):
   * the difference (local model - global model) as little-endian float32, in the parameter
   * layout of FederatedModelSpec.
   */
  RESULT_KIND_MODEL_UPDATE: 'RESULT_KIND_MODEL_UPDATE',
  /**
   * A holder's noisy marginal measurements for federated synthesis (MEASURE phase), JSON.
   */
  RESULT_KIND_MEASUREMENTS: 'RESULT_KIND_MEASUREMENTS',
  /**
   * A holder's (noised) scores of a synthetic table against its own rows (SCORE phase), JSON.
   */
  RESULT_KIND_SCORES: 'RESULT_KIND_SCORES',
  /**
   * The final model of a federated training job exported as ONNX.
   */
  RESULT_KIND_ONNX_MODEL: 'RESULT_KIND_ONNX_MODEL',
} as const;

/**
 * What a result file is for.
 */
export type ResultKind =
  /**
   * Not set; rejected where a kind is required.
   */
  | 'RESULT_KIND_UNSPECIFIED'
  | 0
  /**
   * The synthetic table (CSV or Parquet).
   */
  | 'RESULT_KIND_TABLE'
  | 1
  /**
   * The fitted model file (loadable by `datalab sample`).
   */
  | 'RESULT_KIND_MODEL'
  | 2
  /**
   * The fidelity/privacy report (JSON).
   */
  | 'RESULT_KIND_REPORT'
  | 3
  /**
   * The same report rendered as HTML.
   */
  | 'RESULT_KIND_REPORT_HTML'
  | 4
  /**
   * Anything else the job produced (logs); several may exist, told apart by name.
   */
  | 'RESULT_KIND_OTHER'
  | 5
  /**
   * A holder's model update for one federated round (CompleteTaskRequest.federated.update):
   * the difference (local model - global model) as little-endian float32, in the parameter
   * layout of FederatedModelSpec.
   */
  | 'RESULT_KIND_MODEL_UPDATE'
  | 6
  /**
   * A holder's noisy marginal measurements for federated synthesis (MEASURE phase), JSON.
   */
  | 'RESULT_KIND_MEASUREMENTS'
  | 7
  /**
   * A holder's (noised) scores of a synthetic table against its own rows (SCORE phase), JSON.
   */
  | 'RESULT_KIND_SCORES'
  | 8
  /**
   * The final model of a federated training job exported as ONNX.
   */
  | 'RESULT_KIND_ONNX_MODEL'
  | 9

/**
 * What a result file is for.
 */
export type ResultKind__Output = typeof ResultKind[keyof typeof ResultKind]
