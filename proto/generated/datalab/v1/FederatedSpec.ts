// Original file: proto/datalab/v1/job.proto


/**
 * How a federated job runs. Every field is checked by SubmitJob (INVALID_ARGUMENT naming the
 * field and its allowed range); 0 / empty means the default given.
 */
export interface FederatedSpec {
  /**
   * The shared dataset name the holders registered (HeldDataset.dataset_id); required.
   */
  'datasetId'?: (string);
  /**
   * Column to predict (FEDERATED_TRAINING); must be in the registered schema.
   */
  'targetColumn'?: (string);
  /**
   * "classification" (softmax cross-entropy over the target's categories) or "regression"
   * (mean squared error on the standardised target); empty = "classification".
   */
  'task'?: (string);
  /**
   * Hidden layer widths of the MLP (ReLU between layers); none = logistic regression
   * (classification) or linear regression. At most 8 layers of 1 .. 4096 units.
   */
  'hiddenLayerSizes'?: (number)[];
  /**
   * Rounds to run (1 .. 10,000); default 10.
   */
  'rounds'?: (number);
  /**
   * Passes over the local rows per round on each holder (1 .. 100); default 1.
   */
  'localEpochs'?: (number);
  /**
   * Local mini-batch size (1 .. 65,536); default 64.
   */
  'localBatchSize'?: (number);
  /**
   * Local SGD learning rate (> 0, at most 10); default 0.05.
   */
  'learningRate'?: (number | string);
  /**
   * Server aggregation: "fedavg" (weighted by example count; default), "fedprox" (FedAvg with
   * the proximal term mu applied by holders), "fedadam" / "fedyogi" (server optimisers on the
   * averaged update, Reddi et al. 2021), "median" / "trimmed_mean" (coordinate-wise robust
   * aggregation; refused together with noise_multiplier > 0).
   */
  'strategy'?: (string);
  /**
   * FedProx proximal weight mu (>= 0, at most 10); sent to holders; only with "fedprox".
   */
  'proximalMu'?: (number | string);
  /**
   * Server learning rate of fedadam / fedyogi (> 0); default 0.01. FedAvg and FedProx apply the
   * averaged update with rate 1.
   */
  'serverLearningRate'?: (number | string);
  /**
   * First-moment decay of fedadam / fedyogi (0 .. <1); default 0.9.
   */
  'beta1'?: (number | string);
  /**
   * Second-moment decay of fedadam / fedyogi (0 .. <1); default 0.99.
   */
  'beta2'?: (number | string);
  /**
   * Adaptivity tau of fedadam / fedyogi (> 0); default 1e-3.
   */
  'tau'?: (number | string);
  /**
   * Fraction of updates trimmed at EACH end per coordinate by "trimmed_mean" (0 .. <0.5);
   * default 0.1.
   */
  'trimFraction'?: (number | string);
  /**
   * Fraction of eligible holders (or shards) sampled each round (0 < q <= 1); default 1. With
   * noise_multiplier > 0 each participant is included independently with probability q
   * (Poisson sampling), which is what the accountant assumes.
   */
  'fractionFit'?: (number | string);
  /**
   * Fewest updates a round must aggregate (1 .. 10,000); default 2. A round that collects
   * fewer by its deadline is retried up to max_round_retries times, then the job fails.
   */
  'minHolders'?: (number);
  /**
   * How long a round waits for updates after its tasks are sent, in seconds (1 .. 86,400);
   * default 300. Updates arriving later are stragglers: excluded from the round.
   */
  'roundDeadlineSeconds'?: (number);
  /**
   * L2 bound C each holder clips its update to (> 0). Required when noise_multiplier > 0; in
   * non-DP runs 0 = no clipping (updates with norm above 1e4 are then still rejected as
   * poisoned).
   */
  'clipNorm'?: (number | string);
  /**
   * Central DP-FedAvg noise z (McMahan et al. 2018): the server adds Gaussian noise of
   * standard deviation z*C to the sum of clipped updates; 0 = no DP. With z > 0 `epsilon` is
   * required and the job stops before a round that would exceed it.
   */
  'noiseMultiplier'?: (number | string);
  /**
   * Adaptive clipping (Andrew et al. 2021): target quantile gamma of update norms (0 < gamma
   * < 1); 0 = fixed clip_norm (which is then the initial C).
   */
  'targetQuantile'?: (number | string);
  /**
   * Learning rate eta_C of the geometric clip update C <- C * exp(-eta_C (b - gamma)); default 0.2.
   */
  'clipLearningRate'?: (number | string);
  /**
   * Noise multiplier sigma_b of the clipped-count estimate (standard deviation sigma_b on the
   * count of unclipped updates); default expected_cohort / 20. The update noise is raised to
   * z_delta = (z^-2 - (2 sigma_b)^-2)^-1/2 so the pair costs what z alone would.
   */
  'clipCountNoiseMultiplier'?: (number | string);
  /**
   * DP delta (0 < delta < 1e-3); default 1e-5.
   */
  'delta'?: (number | string);
  /**
   * Disjoint shards each holder splits its rows into; each shard is one DP participant with
   * its own clipped update (record-level DP when shards are single rows or small). 0 / 1 = the
   * holder is one participant (holder-level DP). At most 1,000.
   */
  'shardsPerHolder'?: (number);
  /**
   * Why the requester wants this (checked against each holder's allowed purposes).
   */
  'purpose'?: (string);
  /**
   * Times a round below min_holders is retried before the job fails (0 .. 10); default 2.
   */
  'maxRoundRetries'?: (number);
  /**
   * Holder node ids allowed to take part; empty = every holder that registered dataset_id.
   */
  'holderIds'?: (string)[];
}

/**
 * How a federated job runs. Every field is checked by SubmitJob (INVALID_ARGUMENT naming the
 * field and its allowed range); 0 / empty means the default given.
 */
export interface FederatedSpec__Output {
  /**
   * The shared dataset name the holders registered (HeldDataset.dataset_id); required.
   */
  'datasetId': (string);
  /**
   * Column to predict (FEDERATED_TRAINING); must be in the registered schema.
   */
  'targetColumn': (string);
  /**
   * "classification" (softmax cross-entropy over the target's categories) or "regression"
   * (mean squared error on the standardised target); empty = "classification".
   */
  'task': (string);
  /**
   * Hidden layer widths of the MLP (ReLU between layers); none = logistic regression
   * (classification) or linear regression. At most 8 layers of 1 .. 4096 units.
   */
  'hiddenLayerSizes': (number)[];
  /**
   * Rounds to run (1 .. 10,000); default 10.
   */
  'rounds': (number);
  /**
   * Passes over the local rows per round on each holder (1 .. 100); default 1.
   */
  'localEpochs': (number);
  /**
   * Local mini-batch size (1 .. 65,536); default 64.
   */
  'localBatchSize': (number);
  /**
   * Local SGD learning rate (> 0, at most 10); default 0.05.
   */
  'learningRate': (number);
  /**
   * Server aggregation: "fedavg" (weighted by example count; default), "fedprox" (FedAvg with
   * the proximal term mu applied by holders), "fedadam" / "fedyogi" (server optimisers on the
   * averaged update, Reddi et al. 2021), "median" / "trimmed_mean" (coordinate-wise robust
   * aggregation; refused together with noise_multiplier > 0).
   */
  'strategy': (string);
  /**
   * FedProx proximal weight mu (>= 0, at most 10); sent to holders; only with "fedprox".
   */
  'proximalMu': (number);
  /**
   * Server learning rate of fedadam / fedyogi (> 0); default 0.01. FedAvg and FedProx apply the
   * averaged update with rate 1.
   */
  'serverLearningRate': (number);
  /**
   * First-moment decay of fedadam / fedyogi (0 .. <1); default 0.9.
   */
  'beta1': (number);
  /**
   * Second-moment decay of fedadam / fedyogi (0 .. <1); default 0.99.
   */
  'beta2': (number);
  /**
   * Adaptivity tau of fedadam / fedyogi (> 0); default 1e-3.
   */
  'tau': (number);
  /**
   * Fraction of updates trimmed at EACH end per coordinate by "trimmed_mean" (0 .. <0.5);
   * default 0.1.
   */
  'trimFraction': (number);
  /**
   * Fraction of eligible holders (or shards) sampled each round (0 < q <= 1); default 1. With
   * noise_multiplier > 0 each participant is included independently with probability q
   * (Poisson sampling), which is what the accountant assumes.
   */
  'fractionFit': (number);
  /**
   * Fewest updates a round must aggregate (1 .. 10,000); default 2. A round that collects
   * fewer by its deadline is retried up to max_round_retries times, then the job fails.
   */
  'minHolders': (number);
  /**
   * How long a round waits for updates after its tasks are sent, in seconds (1 .. 86,400);
   * default 300. Updates arriving later are stragglers: excluded from the round.
   */
  'roundDeadlineSeconds': (number);
  /**
   * L2 bound C each holder clips its update to (> 0). Required when noise_multiplier > 0; in
   * non-DP runs 0 = no clipping (updates with norm above 1e4 are then still rejected as
   * poisoned).
   */
  'clipNorm': (number);
  /**
   * Central DP-FedAvg noise z (McMahan et al. 2018): the server adds Gaussian noise of
   * standard deviation z*C to the sum of clipped updates; 0 = no DP. With z > 0 `epsilon` is
   * required and the job stops before a round that would exceed it.
   */
  'noiseMultiplier': (number);
  /**
   * Adaptive clipping (Andrew et al. 2021): target quantile gamma of update norms (0 < gamma
   * < 1); 0 = fixed clip_norm (which is then the initial C).
   */
  'targetQuantile': (number);
  /**
   * Learning rate eta_C of the geometric clip update C <- C * exp(-eta_C (b - gamma)); default 0.2.
   */
  'clipLearningRate': (number);
  /**
   * Noise multiplier sigma_b of the clipped-count estimate (standard deviation sigma_b on the
   * count of unclipped updates); default expected_cohort / 20. The update noise is raised to
   * z_delta = (z^-2 - (2 sigma_b)^-2)^-1/2 so the pair costs what z alone would.
   */
  'clipCountNoiseMultiplier': (number);
  /**
   * DP delta (0 < delta < 1e-3); default 1e-5.
   */
  'delta': (number);
  /**
   * Disjoint shards each holder splits its rows into; each shard is one DP participant with
   * its own clipped update (record-level DP when shards are single rows or small). 0 / 1 = the
   * holder is one participant (holder-level DP). At most 1,000.
   */
  'shardsPerHolder': (number);
  /**
   * Why the requester wants this (checked against each holder's allowed purposes).
   */
  'purpose': (string);
  /**
   * Times a round below min_holders is retried before the job fails (0 .. 10); default 2.
   */
  'maxRoundRetries': (number);
  /**
   * Holder node ids allowed to take part; empty = every holder that registered dataset_id.
   */
  'holderIds': (string)[];
}
