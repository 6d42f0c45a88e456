// Original file: proto/datalab/v1/node_service.proto

import type { JobKind as _datalab_v1_JobKind, JobKind__Output as _datalab_v1_JobKind__Output } from '../../datalab/v1/JobKind.js';

/**
 * What a holder's policy allows, as the holder declares it (the coordinator uses it only to
 * skip holders that would refuse; the holder enforces the policy itself).
 */
export interface HolderPolicySummary {
  /**
   * Job kinds the holder accepts (empty = none).
   */
  'allowedKinds'?: (_datalab_v1_JobKind)[];
  /**
   * Purposes the holder accepts; empty = any.
   */
  'allowedPurposes'?: (string)[];
  /**
   * Largest epsilon one job may spend on the dataset (0 = the holder accepts only non-DP jobs).
   */
  'maxEpsilonPerJob'?: (number | string);
  /**
   * Largest delta one job may use.
   */
  'maxDeltaPerJob'?: (number | string);
  /**
   * Epsilon still unspent on the dataset in the holder's ledger (rounded down to 0.01).
   */
  'remainingEpsilon'?: (number | string);
  /**
   * Fewest rows behind one participant's update (the holder's rows / shards_per_holder) the holder
   * accepts; informational (the coordinator knows only bucketed row counts; the holder enforces it).
   */
  'minCohortSize'?: (number);
  /**
   * True when the holder adds local noise to its updates itself.
   */
  'localNoiseRequired'?: (boolean);
  /**
   * True when the holder refuses jobs without differential privacy (noise_multiplier 0).
   */
  'requireDp'?: (boolean);
}

/**
 * What a holder's policy allows, as the holder declares it (the coordinator uses it only to
 * skip holders that would refuse; the holder enforces the policy itself).
 */
export interface HolderPolicySummary__Output {
  /**
   * Job kinds the holder accepts (empty = none).
   */
  'allowedKinds': (_datalab_v1_JobKind__Output)[];
  /**
   * Purposes the holder accepts; empty = any.
   */
  'allowedPurposes': (string)[];
  /**
   * Largest epsilon one job may spend on the dataset (0 = the holder accepts only non-DP jobs).
   */
  'maxEpsilonPerJob': (number);
  /**
   * Largest delta one job may use.
   */
  'maxDeltaPerJob': (number);
  /**
   * Epsilon still unspent on the dataset in the holder's ledger (rounded down to 0.01).
   */
  'remainingEpsilon': (number);
  /**
   * Fewest rows behind one participant's update (the holder's rows / shards_per_holder) the holder
   * accepts; informational (the coordinator knows only bucketed row counts; the holder enforces it).
   */
  'minCohortSize': (number);
  /**
   * True when the holder adds local noise to its updates itself.
   */
  'localNoiseRequired': (boolean);
  /**
   * True when the holder refuses jobs without differential privacy (noise_multiplier 0).
   */
  'requireDp': (boolean);
}
