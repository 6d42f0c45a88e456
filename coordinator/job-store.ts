/**
 * The job store interface: every state change of a job is one call, and each call is one
 * transaction (all or nothing). SQLite implements it (sqlite-job-store.ts); a Postgres store
 * would implement the same calls with `SELECT … FOR UPDATE SKIP LOCKED` for leasing.
 */
import type { JobKindName, JobSpecOut, Manifest, ResultKindName } from "../proto/index.js";
import type { JobStateValue } from "./job-states.js";
import type { NodeCapacity, ResourceDemand } from "./scheduler.js";

export interface ProgressRecord {
  fraction: number;
  phase: string;
  message: string;
  updateTimeMs: number;
}

export interface ResultRecord {
  kind: ResultKindName;
  manifest: Manifest;
}

export interface JobRecord {
  /** Insertion order; the key of pagination. */
  seq: number;
  jobId: string;
  owner: string;
  idempotencyKey: string;
  spec: JobSpecOut;
  specSha256: string;
  kind: JobKindName;
  state: JobStateValue;
  attempt: number;
  maxAttempts: number;
  demand: ResourceDemand;
  progress: ProgressRecord;
  errorMessage: string;
  nodeId: string | null;
  leaseId: string | null;
  leaseDeadlineMs: number | null;
  gpuIndexes: number[];
  results: ResultRecord[];
  summaryJson: string;
  cancelReason: string;
  createTimeMs: number;
  /** When the job last entered QUEUED (queue-wait metric). */
  queuedTimeMs: number;
  /** When the current/last attempt was leased. */
  startTimeMs: number;
  /** When the first attempt was leased (job-duration metric). */
  firstStartTimeMs: number;
  endTimeMs: number;
  updateTimeMs: number;
  /** When retention removed the results (0: kept). */
  resultsExpiredTimeMs: number;
}

export interface NewJob {
  jobId: string;
  owner: string;
  idempotencyKey: string;
  spec: JobSpecOut;
  specSha256: string;
  kind: JobKindName;
  demand: ResourceDemand;
  maxAttempts: number;
}

export interface NodeRecord {
  nodeId: string;
  capacity: NodeCapacity;
  versions: Record<string, string>;
  hostname: string;
  hpcJob: string;
  heartbeatIntervalSeconds: number;
  registeredTimeMs: number;
  lastSeenTimeMs: number;
  status: "online" | "offline" | "left";
}

export interface JobQuery {
  owner: string;
  /** Empty = any state. */
  states: readonly JobStateValue[];
  /** Empty = any kind. */
  kinds: readonly JobKindName[];
}

/** A job that left a lease (expired, released, failed): where it went. */
export interface LeaseOutcome {
  job: JobRecord;
  /** True when the job is QUEUED again; false when it FAILED for good (attempts used up). */
  requeued: boolean;
}

export interface JobStore {
  /** Inserts a job, or returns the one with this (owner, idempotencyKey); a different spec under the same key throws AlreadyExistsError. */
  submitJob(job: NewJob, nowMs: number): { job: JobRecord; created: boolean };
  getJob(jobId: string): JobRecord | undefined;
  /** Newest first, jobs with seq < beforeSeq (undefined = from the newest). */
  listJobs(query: JobQuery, beforeSeq: number | undefined, limit: number): JobRecord[];
  countJobs(query: JobQuery): number;
  /** Jobs by state (for the metrics gauge). */
  countByState(): Map<JobStateValue, number>;
  /** When the job that has waited longest in the queue entered it, Unix ms; undefined when none is queued. */
  oldestQueuedTimeMs(): number | undefined;
  /** Cancels a non-terminal job (FailedPrecondition if terminal). */
  cancelJob(jobId: string, reason: string, nowMs: number): JobRecord;

  /**
   * Leases the oldest queued job that fits the node's free resources (one transaction: read what
   * the node holds, pick, write). Undefined when nothing fits.
   */
  leaseJob(node: NodeCapacity, leaseId: string, leaseSeconds: number, nowMs: number): JobRecord | undefined;
  /** Records progress, moves LEASED to RUNNING, extends the lease. AbortedError if the lease is not current. */
  reportProgress(jobId: string, leaseId: string, nodeId: string, progress: ProgressRecord, leaseSeconds: number, nowMs: number): JobRecord;
  /**
   * Whether a completion for `leaseId` from `nodeId` is a late one that completeJob takes: the
   * job is QUEUED again because that node went silent (offline or lease expired) and no other
   * node has leased it since.
   */
  isLateCompletion(jobId: string, leaseId: string, nodeId: string): boolean;
  /** Marks the job SUCCEEDED with its results (also a late completion); a retry with the accepted lease returns alreadyAccepted. */
  completeJob(
    jobId: string,
    leaseId: string,
    nodeId: string,
    results: ResultRecord[],
    summaryJson: string,
    nowMs: number,
  ): { job: JobRecord; alreadyAccepted: boolean };
  /**
   * A federated job, run by the coordinator itself (no node lease): QUEUED or RUNNING → RUNNING
   * with progress, RUNNING → SUCCEEDED with results, → FAILED with a message. Cancelled jobs are
   * left as they are (FailedPrecondition).
   */
  advanceFederatedJob(
    jobId: string,
    to: "JOB_STATE_RUNNING" | "JOB_STATE_SUCCEEDED" | "JOB_STATE_FAILED",
    fields: { progress?: ProgressRecord; results?: ResultRecord[]; summaryJson?: string; errorMessage?: string },
    nowMs: number,
  ): JobRecord;
  /** Ends the attempt as failed; re-queues while attempts are left and `retryable`. */
  failAttempt(jobId: string, leaseId: string, nodeId: string, errorMessage: string, retryable: boolean, nowMs: number): LeaseOutcome;
  /** Hands the task back unfinished: re-queued, the attempt not counted. */
  releaseJob(jobId: string, leaseId: string, nodeId: string, reason: string, nowMs: number): LeaseOutcome;
  /** Re-queues (or fails, when attempts are used up) every job whose lease deadline passed. */
  expireLeases(nowMs: number): LeaseOutcome[];
  /** Same for every lease a node holds (node offline or leaving); `countAttempt` false for a graceful leave. */
  expireNodeLeases(nodeId: string, reason: string, countAttempt: boolean, nowMs: number): LeaseOutcome[];
  /** Jobs LEASED or RUNNING on a node. */
  activeJobsOfNode(nodeId: string): JobRecord[];
  /** Every job LEASED or RUNNING. */
  activeJobs(): JobRecord[];
  /** What LEASED and RUNNING jobs hold, by node (the scheduler's view; cheaper than activeJobs). */
  heldResources(): { nodeId: string; demand: ResourceDemand; gpuIndexes: number[] }[];
  /** Succeeded completions per job, from the attempt log (1 at most, or a bug). */
  succeededAttempts(jobId: string): number;

  upsertNode(node: NodeRecord): void;
  getNode(nodeId: string): NodeRecord | undefined;
  listNodes(): NodeRecord[];
  setNodeStatus(nodeId: string, status: NodeRecord["status"], lastSeenTimeMs: number): void;

  /** Records that `owner` holds these chunks; returns the digests it did not hold before. */
  addChunkOwner(owner: string, digests: readonly string[], nowMs?: number): string[];
  /** The subset of `digests` that `owner` holds. */
  ownedChunks(owner: string, digests: readonly string[]): Set<string>;

  /**
   * One page of the retention pass, jobs with seq > `afterSeq` in order (at most `limit`): drops
   * the results of those that ended before `cutoffMs` (returned as `expired`) and lists the chunk
   * digests the others reference (input upload, results). `lastSeq` is where the next page starts.
   */
  retentionPage(afterSeq: number, limit: number, cutoffMs: number, nowMs: number): { expired: string[]; referenced: string[]; lastSeq: number };
  /** Forgets chunk ownership recorded before `cutoffMs`; returns how many rows went. */
  expireChunkOwners(cutoffMs: number): number;
  /** Every digest some owner holds. */
  ownedChunkDigests(): IterableIterator<string>;

  /** A value kept across restarts (e.g. the page-token key), created with `make` on first use. */
  getOrCreateMeta(key: string, make: () => string): string;
  /** Resolves once every change committed so far is on stable storage (acknowledge after it). */
  durable(): Promise<void>;
  close(): void;
}
