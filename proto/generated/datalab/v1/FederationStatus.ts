// Original file: proto/datalab/v1/job.proto

import type { HolderRefusal as _datalab_v1_HolderRefusal, HolderRefusal__Output as _datalab_v1_HolderRefusal__Output } from '../../datalab/v1/HolderRefusal.js';

/**
 * Where a federated job stands (Job.federation); updated after each round.
 */
export interface FederationStatus {
  /**
   * Rounds aggregated and persisted so far.
   */
  'roundsCompleted'?: (number);
  /**
   * Rounds the job will run (FederatedSpec.rounds).
   */
  'roundsTotal'?: (number);
  /**
   * Privacy loss spent so far (RDP accountant over the completed rounds, at FederatedSpec.delta);
   * 0 for a non-DP job.
   */
  'epsilonSpent'?: (number | string);
  /**
   * Updates aggregated in the last completed round.
   */
  'participantsLastRound'?: (number);
  /**
   * Holders whose update missed a round deadline, summed over rounds.
   */
  'stragglersDropped'?: (number);
  /**
   * Updates rejected as poisoned (NaN, infinite, or far above the clip bound), summed over rounds.
   */
  'updatesRejected'?: (number);
  /**
   * Holders that refused a task (policy, budget), newest last.
   */
  'refusals'?: (_datalab_v1_HolderRefusal)[];
  /**
   * Clip bound C used for the next round (changes with adaptive clipping).
   */
  'clipNorm'?: (number | string);
  /**
   * Example-weighted mean of the holders' local training losses in the last round.
   */
  'lastRoundLoss'?: (number | string);
  /**
   * Duration of the last completed round, in seconds.
   */
  'lastRoundDurationSeconds'?: (number | string);
  /**
   * Round currently collecting updates (rounds_completed + 1 while running; 0 when none).
   */
  'roundInProgress'?: (number);
  /**
   * Federated synthesis only ("" for training): what the job does now: "measure" (rounds 1-3,
   * holders measure noisy marginals), "sample" (a worker node samples the corpus from the merged
   * model) or "score" (round 4, holders score the corpus against their rows).
   */
  'phase'?: (string);
  /**
   * Federated synthesis only: holders whose answer to round_in_progress has arrived.
   */
  'holdersAnswered'?: (string)[];
  /**
   * Federated synthesis only: holders whose answer to round_in_progress is still awaited.
   */
  'holdersWaiting'?: (string)[];
}

/**
 * Where a federated job stands (Job.federation); updated after each round.
 */
export interface FederationStatus__Output {
  /**
   * Rounds aggregated and persisted so far.
   */
  'roundsCompleted': (number);
  /**
   * Rounds the job will run (FederatedSpec.rounds).
   */
  'roundsTotal': (number);
  /**
   * Privacy loss spent so far (RDP accountant over the completed rounds, at FederatedSpec.delta);
   * 0 for a non-DP job.
   */
  'epsilonSpent': (number);
  /**
   * Updates aggregated in the last completed round.
   */
  'participantsLastRound': (number);
  /**
   * Holders whose update missed a round deadline, summed over rounds.
   */
  'stragglersDropped': (number);
  /**
   * Updates rejected as poisoned (NaN, infinite, or far above the clip bound), summed over rounds.
   */
  'updatesRejected': (number);
  /**
   * Holders that refused a task (policy, budget), newest last.
   */
  'refusals': (_datalab_v1_HolderRefusal__Output)[];
  /**
   * Clip bound C used for the next round (changes with adaptive clipping).
   */
  'clipNorm': (number);
  /**
   * Example-weighted mean of the holders' local training losses in the last round.
   */
  'lastRoundLoss': (number);
  /**
   * Duration of the last completed round, in seconds.
   */
  'lastRoundDurationSeconds': (number);
  /**
   * Round currently collecting updates (rounds_completed + 1 while running; 0 when none).
   */
  'roundInProgress': (number);
  /**
   * Federated synthesis only ("" for training): what the job does now: "measure" (rounds 1-3,
   * holders measure noisy marginals), "sample" (a worker node samples the corpus from the merged
   * model) or "score" (round 4, holders score the corpus against their rows).
   */
  'phase': (string);
  /**
   * Federated synthesis only: holders whose answer to round_in_progress has arrived.
   */
  'holdersAnswered': (string)[];
  /**
   * Federated synthesis only: holders whose answer to round_in_progress is still awaited.
   */
  'holdersWaiting': (string)[];
}
