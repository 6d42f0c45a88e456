/** Row shapes of the SQLite tables and their mapping to store records. */
import type { JobKindName } from "../proto/index.js";
import type { JobRecord, NodeRecord, ProgressRecord } from "./job-store.js";
import type { JobStateValue } from "./job-states.js";
import { estimateGpuMemoryBytes, type ResourceDemand } from "./scheduler.js";

export interface JobRow {
  seq: number;
  job_id: string;
  owner: string;
  idempotency_key: string;
  spec_json: string;
  spec_sha256: string;
  kind: string;
  state: string;
  attempt: number;
  max_attempts: number;
  gpu_count: number;
  gpu_memory_bytes: number;
  cpu_cores: number;
  memory_bytes: number;
  progress_json: string;
  error_message: string;
  node_id: string | null;
  lease_id: string | null;
  lease_deadline_ms: number | null;
  gpu_indexes_json: string;
  results_json: string;
  summary_json: string;
  cancel_reason: string;
  create_time_ms: number;
  queued_time_ms: number;
  start_time_ms: number;
  first_start_time_ms: number;
  end_time_ms: number;
  update_time_ms: number;
  results_expired_time_ms: number;
}

export interface NodeRow {
  node_id: string;
  capacity_json: string;
  versions_json: string;
  hostname: string;
  hpc_job: string;
  heartbeat_interval_seconds: number;
  registered_time_ms: number;
  last_seen_time_ms: number;
  status: string;
}

const EMPTY_PROGRESS: ProgressRecord = { fraction: 0, phase: "", message: "", updateTimeMs: 0 };

export function toJob(row: JobRow): JobRecord {
  return {
    seq: row.seq,
    jobId: row.job_id,
    owner: row.owner,
    idempotencyKey: row.idempotency_key,
    spec: JSON.parse(row.spec_json),
    specSha256: row.spec_sha256,
    kind: row.kind as JobKindName,
    state: row.state as JobStateValue,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    demand: demandOf(row),
    progress: { ...EMPTY_PROGRESS, ...JSON.parse(row.progress_json) },
    errorMessage: row.error_message,
    nodeId: row.node_id,
    leaseId: row.lease_id,
    leaseDeadlineMs: row.lease_deadline_ms,
    gpuIndexes: JSON.parse(row.gpu_indexes_json),
    results: JSON.parse(row.results_json),
    summaryJson: row.summary_json,
    cancelReason: row.cancel_reason,
    createTimeMs: row.create_time_ms,
    queuedTimeMs: row.queued_time_ms,
    startTimeMs: row.start_time_ms,
    firstStartTimeMs: row.first_start_time_ms,
    endTimeMs: row.end_time_ms,
    updateTimeMs: row.update_time_ms,
    resultsExpiredTimeMs: row.results_expired_time_ms,
  };
}

export function toNode(row: NodeRow): NodeRecord {
  return {
    nodeId: row.node_id,
    capacity: JSON.parse(row.capacity_json),
    versions: JSON.parse(row.versions_json),
    hostname: row.hostname,
    hpcJob: row.hpc_job,
    heartbeatIntervalSeconds: row.heartbeat_interval_seconds,
    registeredTimeMs: row.registered_time_ms,
    lastSeenTimeMs: row.last_seen_time_ms,
    status: row.status as NodeRecord["status"],
  };
}

/** The stored demand, with the per-model GPU memory estimate for a job that takes whole GPUs. */
function demandOf(row: JobRow): ResourceDemand {
  const demand: ResourceDemand = { gpuCount: row.gpu_count, gpuMemoryBytes: row.gpu_memory_bytes, cpuCores: row.cpu_cores, memoryBytes: row.memory_bytes };
  if (row.gpu_count > 0 && row.gpu_memory_bytes === 0)
    demand.estimatedGpuMemoryBytes = estimateGpuMemoryBytes((JSON.parse(row.spec_json) as { model?: string }).model ?? "");
  return demand;
}
