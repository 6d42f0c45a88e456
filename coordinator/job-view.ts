/** Store records as wire messages (Job, Task). */
import type { Job, Task } from "../proto/index.js";
import type { JobRecord } from "./job-store.js";
import { isTerminal } from "./job-states.js";

export function taskIdOf(jobId: string, leaseId: string): string {
  return `${jobId}/${leaseId}`;
}

/** (jobId, leaseId) of a task id, or undefined if it is not one. */
export function parseTaskId(taskId: string): { jobId: string; leaseId: string } | undefined {
  const slash = taskId.lastIndexOf("/");
  if (slash <= 0 || slash === taskId.length - 1) return undefined;
  return { jobId: taskId.slice(0, slash), leaseId: taskId.slice(slash + 1) };
}

export function toJobMessage(job: JobRecord, waitingReason: string): Job {
  const active = job.state === "JOB_STATE_LEASED" || job.state === "JOB_STATE_RUNNING";
  return {
    jobId: job.jobId,
    owner: job.owner,
    idempotencyKey: job.idempotencyKey,
    spec: job.spec,
    state: job.state,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    progress: { fraction: job.progress.fraction, phase: job.progress.phase, message: job.progress.message, updateTimeUnixMs: job.progress.updateTimeMs },
    waitingReason: job.state === "JOB_STATE_QUEUED" ? waitingReason : "",
    errorMessage: job.errorMessage,
    nodeId: active ? (job.nodeId ?? "") : "",
    results: job.results.map((r) => ({ kind: r.kind, file: r.manifest })),
    summaryJson: job.summaryJson,
    createTimeUnixMs: job.createTimeMs,
    startTimeUnixMs: job.startTimeMs,
    endTimeUnixMs: job.endTimeMs,
    updateTimeUnixMs: job.updateTimeMs,
    cancelReason: job.cancelReason,
    done: isTerminal(job.state),
    resultsExpiredUnixMs: job.resultsExpiredTimeMs,
  };
}

export function toTaskMessage(job: JobRecord): Task {
  if (job.leaseId === null) throw new Error(`job ${job.jobId} has no lease`);
  return {
    taskId: taskIdOf(job.jobId, job.leaseId),
    leaseId: job.leaseId,
    jobId: job.jobId,
    attempt: job.attempt,
    spec: job.spec,
    leaseDeadlineUnixMs: job.leaseDeadlineMs ?? 0,
    gpuIndexes: job.gpuIndexes,
  };
}
