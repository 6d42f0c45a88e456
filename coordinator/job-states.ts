/**
 * The job state machine. QUEUED -> LEASED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, where a
 * failed attempt, a released task or an expired lease goes back to QUEUED (while attempts are
 * left) and any non-terminal state may be CANCELLED. The store checks every change against
 * this table so an illegal one can never be written.
 */
import type { JobStateName } from "../proto/index.js";
import { FailedPreconditionError } from "./errors.js";

export type JobStateValue = Exclude<JobStateName, "JOB_STATE_UNSPECIFIED">;

export const QUEUED = "JOB_STATE_QUEUED" as const;
export const LEASED = "JOB_STATE_LEASED" as const;
export const RUNNING = "JOB_STATE_RUNNING" as const;
export const SUCCEEDED = "JOB_STATE_SUCCEEDED" as const;
export const FAILED = "JOB_STATE_FAILED" as const;
export const CANCELLED = "JOB_STATE_CANCELLED" as const;

export const ALL_STATES: readonly JobStateValue[] = [QUEUED, LEASED, RUNNING, SUCCEEDED, FAILED, CANCELLED];
export const ACTIVE_STATES: readonly JobStateValue[] = [LEASED, RUNNING];
export const TERMINAL_STATES: readonly JobStateValue[] = [SUCCEEDED, FAILED, CANCELLED];

const TRANSITIONS: Record<JobStateValue, readonly JobStateValue[]> = {
  // QUEUED -> SUCCEEDED: the late result of a lease lost to a silent node (sqlite-job-store.ts, lateCompletion).
  // QUEUED -> RUNNING: a federated job, run by the coordinator itself with holders (no node lease).
  [QUEUED]: [LEASED, RUNNING, CANCELLED, FAILED, SUCCEEDED],
  [LEASED]: [RUNNING, QUEUED, SUCCEEDED, FAILED, CANCELLED],
  [RUNNING]: [QUEUED, SUCCEEDED, FAILED, CANCELLED],
  [SUCCEEDED]: [],
  [FAILED]: [],
  [CANCELLED]: [],
};

export function isTerminal(state: JobStateValue): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: JobStateValue, to: JobStateValue): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A change the state machine forbids (a bug, or a race the caller must handle). */
export class IllegalTransitionError extends FailedPreconditionError {
  override readonly name: string = "IllegalTransitionError";
}

export function assertTransition(jobId: string, from: JobStateValue, to: JobStateValue): void {
  if (!canTransition(from, to)) {
    throw new IllegalTransitionError(`job ${jobId} cannot go from ${shortState(from)} to ${shortState(to)}.`);
  }
}

/** "RUNNING" for "JOB_STATE_RUNNING" (for messages and metric labels). */
export function shortState(state: JobStateValue): string {
  return state.slice("JOB_STATE_".length);
}
