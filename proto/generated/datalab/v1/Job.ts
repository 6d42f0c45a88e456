// Original file: proto/datalab/v1/job.proto

import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from '../../datalab/v1/JobSpec.js';
import type { JobState as _datalab_v1_JobState, JobState__Output as _datalab_v1_JobState__Output } from '../../datalab/v1/JobState.js';
import type { Progress as _datalab_v1_Progress, Progress__Output as _datalab_v1_Progress__Output } from '../../datalab/v1/Progress.js';
import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from '../../datalab/v1/ResultFile.js';
import type { FederationStatus as _datalab_v1_FederationStatus, FederationStatus__Output as _datalab_v1_FederationStatus__Output } from '../../datalab/v1/FederationStatus.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A job as the coordinator knows it.
 */
export interface Job {
  /**
   * Server-assigned id ("job-" + 26 characters), stable forever.
   */
  'jobId'?: (string);
  /**
   * Name of the client that submitted it (from its bearer token).
   */
  'owner'?: (string);
  /**
   * The idempotency key it was submitted with.
   */
  'idempotencyKey'?: (string);
  /**
   * What was asked.
   */
  'spec'?: (_datalab_v1_JobSpec | null);
  /**
   * Current state.
   */
  'state'?: (_datalab_v1_JobState);
  /**
   * Attempts started so far (1 on the first lease).
   */
  'attempt'?: (number);
  /**
   * Attempts allowed in total.
   */
  'maxAttempts'?: (number);
  /**
   * Progress of the current or last attempt.
   */
  'progress'?: (_datalab_v1_Progress | null);
  /**
   * Why a QUEUED job is not running yet, e.g. "no registered node has 2 GPUs with 40 GiB free";
   * empty when it is not waiting.
   */
  'waitingReason'?: (string);
  /**
   * Why the job (or its last attempt) failed; empty otherwise.
   */
  'errorMessage'?: (string);
  /**
   * Id of the node running the current attempt; empty unless LEASED or RUNNING.
   */
  'nodeId'?: (string);
  /**
   * Results of a SUCCEEDED job.
   */
  'results'?: (_datalab_v1_ResultFile)[];
  /**
   * Short JSON summary of the scores (copied from the report) for listings; may be empty.
   */
  'summaryJson'?: (string);
  /**
   * Submission time, Unix epoch milliseconds.
   */
  'createTimeUnixMs'?: (number | string | Long);
  /**
   * Start of the current/last attempt (lease time), Unix epoch ms; 0 if never started.
   */
  'startTimeUnixMs'?: (number | string | Long);
  /**
   * When it reached a terminal state, Unix epoch ms; 0 if not terminal.
   */
  'endTimeUnixMs'?: (number | string | Long);
  /**
   * Last change of any field, Unix epoch ms.
   */
  'updateTimeUnixMs'?: (number | string | Long);
  /**
   * Reason given by CancelJob; empty otherwise.
   */
  'cancelReason'?: (string);
  /**
   * True once the job is in a terminal state (SUCCEEDED, FAILED, CANCELLED).
   */
  'done'?: (boolean);
  /**
   * When the coordinator removed the job's results after its retention period
   * (--result-retention-days), Unix epoch ms; 0 while they are kept. Results then lists none and
   * DownloadResult answers FAILED_PRECONDITION.
   */
  'resultsExpiredUnixMs'?: (number | string | Long);
  /**
   * Round-by-round state of a federated job; unset for other kinds.
   */
  'federation'?: (_datalab_v1_FederationStatus | null);
}

/**
 * A job as the coordinator knows it.
 */
export interface Job__Output {
  /**
   * Server-assigned id ("job-" + 26 characters), stable forever.
   */
  'jobId': (string);
  /**
   * Name of the client that submitted it (from its bearer token).
   */
  'owner': (string);
  /**
   * The idempotency key it was submitted with.
   */
  'idempotencyKey': (string);
  /**
   * What was asked.
   */
  'spec': (_datalab_v1_JobSpec__Output | null);
  /**
   * Current state.
   */
  'state': (_datalab_v1_JobState__Output);
  /**
   * Attempts started so far (1 on the first lease).
   */
  'attempt': (number);
  /**
   * Attempts allowed in total.
   */
  'maxAttempts': (number);
  /**
   * Progress of the current or last attempt.
   */
  'progress': (_datalab_v1_Progress__Output | null);
  /**
   * Why a QUEUED job is not running yet, e.g. "no registered node has 2 GPUs with 40 GiB free";
   * empty when it is not waiting.
   */
  'waitingReason': (string);
  /**
   * Why the job (or its last attempt) failed; empty otherwise.
   */
  'errorMessage': (string);
  /**
   * Id of the node running the current attempt; empty unless LEASED or RUNNING.
   */
  'nodeId': (string);
  /**
   * Results of a SUCCEEDED job.
   */
  'results': (_datalab_v1_ResultFile__Output)[];
  /**
   * Short JSON summary of the scores (copied from the report) for listings; may be empty.
   */
  'summaryJson': (string);
  /**
   * Submission time, Unix epoch milliseconds.
   */
  'createTimeUnixMs': (number);
  /**
   * Start of the current/last attempt (lease time), Unix epoch ms; 0 if never started.
   */
  'startTimeUnixMs': (number);
  /**
   * When it reached a terminal state, Unix epoch ms; 0 if not terminal.
   */
  'endTimeUnixMs': (number);
  /**
   * Last change of any field, Unix epoch ms.
   */
  'updateTimeUnixMs': (number);
  /**
   * Reason given by CancelJob; empty otherwise.
   */
  'cancelReason': (string);
  /**
   * True once the job is in a terminal state (SUCCEEDED, FAILED, CANCELLED).
   */
  'done': (boolean);
  /**
   * When the coordinator removed the job's results after its retention period
   * (--result-retention-days), Unix epoch ms; 0 while they are kept. Results then lists none and
   * DownloadResult answers FAILED_PRECONDITION.
   */
  'resultsExpiredUnixMs': (number);
  /**
   * Round-by-round state of a federated job; unset for other kinds.
   */
  'federation': (_datalab_v1_FederationStatus__Output | null);
}
