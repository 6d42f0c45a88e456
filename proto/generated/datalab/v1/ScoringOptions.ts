// Original file: proto/datalab/v1/job.proto


/**
 * How to score the synthetic table against the real one.
 */
export interface ScoringOptions {
  /**
   * Score at all (fidelity metrics: KSComplement, TVComplement, correlation, contingency).
   */
  'enabled'?: (boolean);
  /**
   * Also compute privacy metrics (DCR, NewRowSynthesis, NNDR, disclosure protection); false =
   * fidelity (and usefulness) only.
   */
  'privacy'?: (boolean);
  /**
   * Optional holdout table (bundled_uri form) for DCR baselines and ML efficacy.
   */
  'holdoutUri'?: (string);
  /**
   * Optional target column for ML-efficacy scores.
   */
  'targetColumn'?: (string);
}

/**
 * How to score the synthetic table against the real one.
 */
export interface ScoringOptions__Output {
  /**
   * Score at all (fidelity metrics: KSComplement, TVComplement, correlation, contingency).
   */
  'enabled': (boolean);
  /**
   * Also compute privacy metrics (DCR, NewRowSynthesis, NNDR, disclosure protection); false =
   * fidelity (and usefulness) only.
   */
  'privacy': (boolean);
  /**
   * Optional holdout table (bundled_uri form) for DCR baselines and ML efficacy.
   */
  'holdoutUri': (string);
  /**
   * Optional target column for ML-efficacy scores.
   */
  'targetColumn': (string);
}
