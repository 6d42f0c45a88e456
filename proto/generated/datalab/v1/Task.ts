// Original file: proto/datalab/v1/node_service.proto

import type { JobSpec as _datalab_v1_JobSpec, JobSpec__Output as _datalab_v1_JobSpec__Output } from '../../datalab/v1/JobSpec.js';
import type { FederatedTask as _datalab_v1_FederatedTask, FederatedTask__Output as _datalab_v1_FederatedTask__Output } from '../../datalab/v1/FederatedTask.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A unit of work handed to a node: one attempt of one job.
 */
export interface Task {
  /**
   * Task id (= "<job_id>/<lease_id>"), unique per lease.
   */
  'taskId'?: (string);
  /**
   * Lease id; name it in every later call about this task.
   */
  'leaseId'?: (string);
  /**
   * The job this task runs.
   */
  'jobId'?: (string);
  /**
   * Attempt number, 1-based.
   */
  'attempt'?: (number);
  /**
   * What to run (same message the client submitted).
   */
  'spec'?: (_datalab_v1_JobSpec | null);
  /**
   * When the lease ends unless extended, Unix epoch ms.
   */
  'leaseDeadlineUnixMs'?: (number | string | Long);
  /**
   * GPUs (indexes as registered) the scheduler placed this task on; empty for a CPU task.
   */
  'gpuIndexes'?: (number)[];
  /**
   * Set for a holder's task of a federated job: what to compute in this round. Then task_id is
   * stable per (job, round, holder): "<job_id>/r<round>/<holder_id>" (a retried round adds
   * "/a<retry>"), so a restarted coordinator hands out the same task and never counts an
   * update twice.
   */
  'federated'?: (_datalab_v1_FederatedTask | null);
}

/**
 * A unit of work handed to a node: one attempt of one job.
 */
export interface Task__Output {
  /**
   * Task id (= "<job_id>/<lease_id>"), unique per lease.
   */
  'taskId': (string);
  /**
   * Lease id; name it in every later call about this task.
   */
  'leaseId': (string);
  /**
   * The job this task runs.
   */
  'jobId': (string);
  /**
   * Attempt number, 1-based.
   */
  'attempt': (number);
  /**
   * What to run (same message the client submitted).
   */
  'spec': (_datalab_v1_JobSpec__Output | null);
  /**
   * When the lease ends unless extended, Unix epoch ms.
   */
  'leaseDeadlineUnixMs': (number);
  /**
   * GPUs (indexes as registered) the scheduler placed this task on; empty for a CPU task.
   */
  'gpuIndexes': (number)[];
  /**
   * Set for a holder's task of a federated job: what to compute in this round. Then task_id is
   * stable per (job, round, holder): "<job_id>/r<round>/<holder_id>" (a retried round adds
   * "/a<retry>"), so a restarted coordinator hands out the same task and never counts an
   * update twice.
   */
  'federated': (_datalab_v1_FederatedTask__Output | null);
}
