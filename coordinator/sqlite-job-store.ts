/**
 * JobStore on SQLite (better-sqlite3, synchronous API, so a transaction never interleaves with
 * another request). WAL journal. Durability "FULL" (default): commits do not fsync inline, but
 * `durable()` group-commits them with one fsync of the WAL (wal-sync.ts), and the coordinator
 * acknowledges a change only after it: nothing acknowledged is lost to `kill -9` or power loss.
 * "NORMAL": no fsync at all; an acknowledged change survives `kill -9` (it is in the OS page
 * cache) but not a power cut.
 */
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { createPrivateFile, makePrivateDir } from "../proto/index.js";
import { AbortedError, AlreadyExistsError, FailedPreconditionError, NotFoundError } from "./errors.js";
import type { JobQuery, JobRecord, JobStore, LeaseOutcome, NewJob, NodeRecord, ProgressRecord, ResultRecord } from "./job-store.js";
import {
  ACTIVE_STATES,
  assertTransition,
  CANCELLED,
  FAILED,
  isTerminal,
  type JobStateValue,
  LEASED,
  QUEUED,
  RUNNING,
  SUCCEEDED,
  shortState,
} from "./job-states.js";
import { applyMigrations } from "./migrations.js";
import { type JobRow, type NodeRow, toJob, toNode } from "./sqlite-rows.js";
import { clientChunkOwner } from "./chunk-store.js";
import { freeCapacity, type NodeCapacity, placeDemand, type ResourceDemand } from "./scheduler.js";
import { WalCheckpointer } from "./wal-checkpointer.js";
import { WalSync } from "./wal-sync.js";

export type SqliteSynchronous = "FULL" | "NORMAL";

/** How many queued jobs one lease looks through for a fit (oldest first). */
const LEASE_SCAN_LIMIT = 500;

function inList(values: readonly string[]): string {
  return values.map(() => "?").join(", ");
}

export class SqliteJobStore implements JobStore {
  readonly db: Database.Database;
  readonly walSync: WalSync | undefined;
  /** Checkpoints the WAL on a worker thread (see wal-checkpointer.ts); undefined in memory. */
  readonly checkpointer: WalCheckpointer | undefined;

  constructor(path: string, options: { synchronous?: SqliteSynchronous; checkpointIntervalMs?: number } = {}) {
    if (path !== ":memory:") {
      makePrivateDir(dirname(path));
      // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
      createPrivateFile(path);
    }
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.walSync = (options.synchronous ?? "FULL") === "FULL" && path !== ":memory:" ? new WalSync(path) : undefined;
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("foreign_keys = ON");
    applyMigrations(this.db);
    if (path !== ":memory:") {
      this.db.pragma("wal_autocheckpoint = 0");
      this.checkpointer = new WalCheckpointer(path, {
        ...(options.checkpointIntervalMs === undefined ? {} : { intervalMs: options.checkpointIntervalMs }),
        onFailure: () => {
          // Back to SQLite's own checkpoints (on this thread): slower, but the WAL stays bounded.
          if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
        },
      });
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, compiled once per SQL text (compiling dominated the profile). */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  durable(): Promise<void> {
    return this.walSync?.durable() ?? Promise.resolve();
  }

  private row(jobId: string): JobRow | undefined {
    return this.stmt("SELECT * FROM jobs WHERE job_id = ?").get(jobId) as JobRow | undefined;
  }

  private mustGet(jobId: string): JobRecord {
    const row = this.row(jobId);
    if (row === undefined) throw new NotFoundError(`job ${jobId} does not exist; list your jobs with \`datalab jobs\`.`);
    return toJob(row);
  }

  /** The job if `leaseId` from `nodeId` is its current lease; AbortedError otherwise. */
  private currentLease(jobId: string, leaseId: string, nodeId: string, read?: JobRecord): JobRecord {
    const job = read ?? this.mustGet(jobId);
    if (job.leaseId !== leaseId || job.nodeId !== nodeId || !ACTIVE_STATES.includes(job.state)) {
      const why =
        job.state === CANCELLED
          ? "the job was cancelled"
          : isTerminal(job.state)
            ? `the job is already ${shortState(job.state)}`
            : "the lease expired or passed to another node";
      throw new AbortedError(`lease ${leaseId} on job ${jobId} is no longer valid (${why}); drop this task and lease a new one.`);
    }
    return job;
  }

  private write(jobId: string, from: JobStateValue, to: JobStateValue, fields: Record<string, unknown>, nowMs: number): JobRecord {
    // A progress report on a RUNNING job changes fields, not the state.
    if (!(from === RUNNING && to === RUNNING)) assertTransition(jobId, from, to);
    const names = Object.keys(fields);
    const sets = names.map((n) => `${n} = @${n}`).join(", ");
    // RETURNING: the updated row in the same statement, not a second SELECT.
    const row = this.stmt(
      `UPDATE jobs SET state = @state, update_time_ms = @now${sets ? `, ${sets}` : ""} WHERE job_id = @jobId AND state = @from RETURNING *`,
    ).get({ ...fields, state: to, now: nowMs, jobId, from }) as JobRow | undefined;
    if (row === undefined) throw new AbortedError(`job ${jobId} changed concurrently; retry.`);
    return toJob(row);
  }

  private endAttempt(leaseId: string | null, outcome: string, detail: string, nowMs: number): void {
    if (leaseId === null) return;
    this.stmt("UPDATE attempts SET end_time_ms = ?, outcome = ?, detail = ? WHERE lease_id = ? AND outcome = ''").run(
      nowMs,
      outcome,
      detail.slice(0, 2000),
      leaseId,
    );
  }

  submitJob(job: NewJob, nowMs: number): { job: JobRecord; created: boolean } {
    return this.db
      .transaction(() => {
        const existing = this.stmt("SELECT * FROM jobs WHERE owner = ? AND idempotency_key = ?").get(job.owner, job.idempotencyKey) as JobRow | undefined;
        if (existing !== undefined) {
          if (existing.spec_sha256 !== job.specSha256) {
            throw new AlreadyExistsError(
              `idempotency key "${job.idempotencyKey}" was already used for job ${existing.job_id} with a different spec; use a new key for a new job, or resend the original spec.`,
            );
          }
          return { job: toJob(existing), created: false };
        }
        const inserted = this.stmt(
          `INSERT INTO jobs (job_id, owner, idempotency_key, spec_json, spec_sha256, kind, state, max_attempts, gpu_count, gpu_memory_bytes, cpu_cores, memory_bytes, create_time_ms, queued_time_ms, update_time_ms)
           VALUES (@jobId, @owner, @idempotencyKey, @specJson, @specSha256, @kind, @state, @maxAttempts, @gpuCount, @gpuMemoryBytes, @cpuCores, @memoryBytes, @now, @now, @now)
           RETURNING *`,
        ).get({
          jobId: job.jobId,
          owner: job.owner,
          idempotencyKey: job.idempotencyKey,
          specJson: JSON.stringify(job.spec),
          specSha256: job.specSha256,
          kind: job.kind,
          state: QUEUED,
          maxAttempts: job.maxAttempts,
          gpuCount: job.demand.gpuCount,
          gpuMemoryBytes: job.demand.gpuMemoryBytes,
          cpuCores: job.demand.cpuCores,
          memoryBytes: job.demand.memoryBytes,
          now: nowMs,
        }) as JobRow;
        return { job: toJob(inserted), created: true };
      })
      .immediate();
  }

  getJob(jobId: string): JobRecord | undefined {
    const row = this.row(jobId);
    return row === undefined ? undefined : toJob(row);
  }

  private where(query: JobQuery): { sql: string; params: unknown[] } {
    let sql = "owner = ?";
    const params: unknown[] = [query.owner];
    if (query.states.length > 0) {
      sql += ` AND state IN (${inList(query.states)})`;
      params.push(...query.states);
    }
    if (query.kinds.length > 0) {
      sql += ` AND kind IN (${inList(query.kinds)})`;
      params.push(...query.kinds);
    }
    return { sql, params };
  }

  listJobs(query: JobQuery, beforeSeq: number | undefined, limit: number): JobRecord[] {
    const { sql, params } = this.where(query);
    const rows = this.stmt(`SELECT * FROM jobs WHERE ${sql}${beforeSeq === undefined ? "" : " AND seq < ?"} ORDER BY seq DESC LIMIT ?`).all(
      ...params,
      ...(beforeSeq === undefined ? [] : [beforeSeq]),
      limit,
    ) as JobRow[];
    return rows.map(toJob);
  }

  countJobs(query: JobQuery): number {
    const { sql, params } = this.where(query);
    return (this.stmt(`SELECT COUNT(*) AS n FROM jobs WHERE ${sql}`).get(...params) as { n: number }).n;
  }

  countByState(): Map<JobStateValue, number> {
    const rows = this.stmt("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as { state: JobStateValue; n: number }[];
    return new Map(rows.map((r) => [r.state, r.n]));
  }

  oldestQueuedTimeMs(): number | undefined {
    const row = this.stmt("SELECT MIN(queued_time_ms) AS t FROM jobs WHERE state = ?").get(QUEUED) as { t: number | null };
    return row.t ?? undefined;
  }

  cancelJob(jobId: string, reason: string, nowMs: number): JobRecord {
    return this.db
      .transaction(() => {
        const job = this.mustGet(jobId);
        if (isTerminal(job.state)) throw new FailedPreconditionError(`job ${jobId} is already ${shortState(job.state)} and cannot be cancelled.`);
        this.endAttempt(job.leaseId, "cancelled", reason, nowMs);
        // node_id and lease_id stay so the node learns of the cancel on its next heartbeat.
        return this.write(jobId, job.state, CANCELLED, { cancel_reason: reason, end_time_ms: nowMs, lease_deadline_ms: null }, nowMs);
      })
      .immediate();
  }

  leaseJob(node: NodeCapacity, leaseId: string, leaseSeconds: number, nowMs: number): JobRecord | undefined {
    return this.db
      .transaction(() => {
        // Only the columns the fit needs: parsing whole job rows here was a top item of the lease profile.
        const heldRows = this.stmt(
          "SELECT gpu_count, gpu_memory_bytes, cpu_cores, memory_bytes, gpu_indexes_json FROM jobs WHERE node_id = ? AND state IN (?, ?)",
        ).all(node.nodeId, LEASED, RUNNING) as Pick<JobRow, "gpu_count" | "gpu_memory_bytes" | "cpu_cores" | "memory_bytes" | "gpu_indexes_json">[];
        const held = heldRows.map((r) => ({
          demand: { gpuCount: r.gpu_count, gpuMemoryBytes: r.gpu_memory_bytes, cpuCores: r.cpu_cores, memoryBytes: r.memory_bytes },
          gpuIndexes: JSON.parse(r.gpu_indexes_json) as number[],
        }));
        const free = freeCapacity(node, held);
        if (free.slots <= 0) return undefined;
        const gpuFilter = node.gpus.length === 0 ? " AND gpu_count = 0" : "";
        // iterate(): rows are read one at a time, so the usual first fit costs one row.
        // The limit is written into the SQL, not bound: SQLite recompiles a statement whose LIMIT is
        // a bound parameter every time it is bound (measured: 35 µs a lease instead of 10 µs).
        const candidates = this.stmt(`SELECT * FROM jobs WHERE state = ?${gpuFilter} ORDER BY seq LIMIT ${LEASE_SCAN_LIMIT}`).iterate(
          QUEUED,
        ) as IterableIterator<JobRow>;
        let chosen: { job: JobRecord; gpuIndexes: number[] } | undefined;
        for (const row of candidates) {
          const job = toJob(row);
          const placement = placeDemand(job.demand, job.kind, node, free);
          if ("gpuIndexes" in placement) {
            chosen = { job, gpuIndexes: placement.gpuIndexes };
            break; // closes the iterator before the writes below
          }
        }
        if (chosen !== undefined) {
          const { job, gpuIndexes } = chosen;
          const attempt = job.attempt + 1;
          this.stmt("INSERT INTO attempts (job_id, attempt, lease_id, node_id, start_time_ms) VALUES (?, ?, ?, ?, ?)").run(
            job.jobId,
            attempt,
            leaseId,
            node.nodeId,
            nowMs,
          );
          return this.write(
            job.jobId,
            QUEUED,
            LEASED,
            {
              attempt,
              node_id: node.nodeId,
              lease_id: leaseId,
              lease_deadline_ms: nowMs + leaseSeconds * 1000,
              gpu_indexes_json: JSON.stringify(gpuIndexes),
              start_time_ms: nowMs,
              first_start_time_ms: job.firstStartTimeMs === 0 ? nowMs : job.firstStartTimeMs,
              progress_json: "{}",
            },
            nowMs,
          );
        }
        return undefined;
      })
      .immediate();
  }

  reportProgress(jobId: string, leaseId: string, nodeId: string, progress: ProgressRecord, leaseSeconds: number, nowMs: number): JobRecord {
    return this.db
      .transaction(() => {
        const job = this.currentLease(jobId, leaseId, nodeId);
        return this.write(jobId, job.state, RUNNING, { progress_json: JSON.stringify(progress), lease_deadline_ms: nowMs + leaseSeconds * 1000 }, nowMs);
      })
      .immediate();
  }

  completeJob(
    jobId: string,
    leaseId: string,
    nodeId: string,
    results: ResultRecord[],
    summaryJson: string,
    nowMs: number,
  ): { job: JobRecord; alreadyAccepted: boolean } {
    return this.db
      .transaction(() => {
        const existing = this.mustGet(jobId);
        if (existing.state === SUCCEEDED && existing.leaseId === leaseId && existing.nodeId === nodeId) return { job: existing, alreadyAccepted: true };
        const job = this.lateCompletion(existing, leaseId, nodeId) ?? this.currentLease(jobId, leaseId, nodeId, existing);
        this.stmt("UPDATE attempts SET end_time_ms = ?, outcome = 'succeeded', detail = '' WHERE lease_id = ?").run(nowMs, leaseId);
        // The job's owner may reference its results in later jobs (e.g. a model file to sample from).
        this.addChunkOwner(clientChunkOwner(job.owner), [...new Set(results.flatMap((r) => r.manifest.chunks.map((c) => c.sha256)))], nowMs);
        const progress: ProgressRecord = { ...job.progress, fraction: 1, phase: "done", updateTimeMs: nowMs };
        const done = this.write(
          jobId,
          job.state,
          SUCCEEDED,
          {
            results_json: JSON.stringify(results),
            summary_json: summaryJson,
            end_time_ms: nowMs,
            lease_deadline_ms: null,
            error_message: "",
            progress_json: JSON.stringify(progress),
            // A late completion names the lease it finished (so a retry of it is recognised as one).
            node_id: nodeId,
            lease_id: leaseId,
          },
          nowMs,
        );
        return { job: done, alreadyAccepted: false };
      })
      .immediate();
  }

  advanceFederatedJob(
    jobId: string,
    to: "JOB_STATE_RUNNING" | "JOB_STATE_SUCCEEDED" | "JOB_STATE_FAILED",
    fields: { progress?: ProgressRecord; results?: ResultRecord[]; summaryJson?: string; errorMessage?: string },
    nowMs: number,
  ): JobRecord {
    return this.db
      .transaction(() => {
        const job = this.mustGet(jobId);
        if (isTerminal(job.state)) throw new FailedPreconditionError(`job ${jobId} is already ${shortState(job.state)}.`);
        const columns: Record<string, unknown> = {};
        if (fields.progress) columns.progress_json = JSON.stringify(fields.progress);
        if (fields.results) {
          columns.results_json = JSON.stringify(fields.results);
          this.addChunkOwner(clientChunkOwner(job.owner), [...new Set(fields.results.flatMap((r) => r.manifest.chunks.map((c) => c.sha256)))], nowMs);
        }
        if (fields.summaryJson !== undefined) columns.summary_json = fields.summaryJson;
        if (fields.errorMessage !== undefined) columns.error_message = fields.errorMessage.slice(0, 2000);
        if (to === "JOB_STATE_RUNNING" && job.state === QUEUED) {
          columns.start_time_ms = nowMs;
          columns.first_start_time_ms = nowMs;
          columns.attempt = 1;
        }
        if (to !== "JOB_STATE_RUNNING") columns.end_time_ms = nowMs;
        return this.write(jobId, job.state, to, columns, nowMs);
      })
      .immediate();
  }

  isLateCompletion(jobId: string, leaseId: string, nodeId: string): boolean {
    const job = this.getJob(jobId);
    return job !== undefined && this.lateCompletion(job, leaseId, nodeId) !== undefined;
  }

  /**
   * The job, when `leaseId` from `nodeId` is its last attempt, lost only because the node went
   * silent (offline sweep, or lease expiry, e.g. while the coordinator restarted and the node's
   * reconnect backoff kept it away), and the job is QUEUED again but not re-leased: that node's
   * finished result is as good as any, so it is taken instead of running the job again. A lease
   * the node handed back or failed, or one already given to another node, stays refused.
   */
  private lateCompletion(job: JobRecord, leaseId: string, nodeId: string): JobRecord | undefined {
    if (job.state !== QUEUED) return undefined;
    const last = this.stmt("SELECT lease_id, node_id, outcome FROM attempts WHERE job_id = ? ORDER BY rowid DESC LIMIT 1").get(job.jobId) as
      | { lease_id: string; node_id: string; outcome: string }
      | undefined;
    if (last === undefined || last.lease_id !== leaseId || last.node_id !== nodeId) return undefined;
    return last.outcome === "node_lost" || last.outcome === "lease_expired" ? job : undefined;
  }

  /** Ends the current attempt of `job` and re-queues it or fails it for good. Runs inside a transaction. */
  private leaveLease(job: JobRecord, outcome: string, detail: string, retry: boolean, countAttempt: boolean, nowMs: number): LeaseOutcome {
    this.endAttempt(job.leaseId, outcome, detail, nowMs);
    const attempt = countAttempt ? job.attempt : Math.max(0, job.attempt - 1);
    const clear = { node_id: null, lease_id: null, lease_deadline_ms: null, gpu_indexes_json: "[]", attempt };
    if (retry && attempt < job.maxAttempts) {
      const queued = this.write(job.jobId, job.state, QUEUED, { ...clear, queued_time_ms: nowMs, error_message: detail }, nowMs);
      return { job: queued, requeued: true };
    }
    const message = retry ? `${detail} (attempt ${attempt} of ${job.maxAttempts}; no attempts left)` : detail;
    const failed = this.write(job.jobId, job.state, FAILED, { ...clear, error_message: message, end_time_ms: nowMs }, nowMs);
    return { job: failed, requeued: false };
  }

  failAttempt(jobId: string, leaseId: string, nodeId: string, errorMessage: string, retryable: boolean, nowMs: number): LeaseOutcome {
    return this.db.transaction(() => this.leaveLease(this.currentLease(jobId, leaseId, nodeId), "failed", errorMessage, retryable, true, nowMs)).immediate();
  }

  releaseJob(jobId: string, leaseId: string, nodeId: string, reason: string, nowMs: number): LeaseOutcome {
    return this.db.transaction(() => this.leaveLease(this.currentLease(jobId, leaseId, nodeId), "released", reason, true, false, nowMs)).immediate();
  }

  expireLeases(nowMs: number): LeaseOutcome[] {
    return this.db
      .transaction(() => {
        const rows = this.stmt(`SELECT * FROM jobs WHERE state IN (?, ?) AND lease_deadline_ms < ?`).all(LEASED, RUNNING, nowMs) as JobRow[];
        return rows.map((row) => {
          const job = toJob(row);
          return this.leaveLease(job, "lease_expired", `the lease on node ${job.nodeId} expired without progress`, true, true, nowMs);
        });
      })
      .immediate();
  }

  expireNodeLeases(nodeId: string, reason: string, countAttempt: boolean, nowMs: number): LeaseOutcome[] {
    return this.db
      .transaction(() =>
        this.activeJobsOfNode(nodeId).map((job) => this.leaveLease(job, countAttempt ? "node_lost" : "released", reason, true, countAttempt, nowMs)),
      )
      .immediate();
  }

  activeJobsOfNode(nodeId: string): JobRecord[] {
    return (this.stmt("SELECT * FROM jobs WHERE node_id = ? AND state IN (?, ?)").all(nodeId, LEASED, RUNNING) as JobRow[]).map(toJob);
  }

  heldResources(): { nodeId: string; demand: ResourceDemand; gpuIndexes: number[] }[] {
    const rows = this.stmt("SELECT node_id, gpu_count, gpu_memory_bytes, cpu_cores, memory_bytes, gpu_indexes_json FROM jobs WHERE state IN (?, ?)").all(
      LEASED,
      RUNNING,
    ) as Pick<JobRow, "node_id" | "gpu_count" | "gpu_memory_bytes" | "cpu_cores" | "memory_bytes" | "gpu_indexes_json">[];
    return rows.map((r) => ({
      nodeId: r.node_id ?? "",
      demand: { gpuCount: r.gpu_count, gpuMemoryBytes: r.gpu_memory_bytes, cpuCores: r.cpu_cores, memoryBytes: r.memory_bytes },
      gpuIndexes: JSON.parse(r.gpu_indexes_json),
    }));
  }

  activeJobs(): JobRecord[] {
    return (this.stmt("SELECT * FROM jobs WHERE state IN (?, ?)").all(LEASED, RUNNING) as JobRow[]).map(toJob);
  }

  succeededAttempts(jobId: string): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM attempts WHERE job_id = ? AND outcome = 'succeeded'").get(jobId) as { n: number }).n;
  }

  upsertNode(node: NodeRecord): void {
    this.stmt(
      `INSERT INTO nodes (node_id, capacity_json, versions_json, hostname, hpc_job, heartbeat_interval_seconds, registered_time_ms, last_seen_time_ms, status)
         VALUES (@nodeId, @capacity, @versions, @hostname, @hpcJob, @interval, @registered, @lastSeen, @status)
         ON CONFLICT (node_id) DO UPDATE SET capacity_json = excluded.capacity_json, versions_json = excluded.versions_json, hostname = excluded.hostname,
           hpc_job = excluded.hpc_job, heartbeat_interval_seconds = excluded.heartbeat_interval_seconds, registered_time_ms = excluded.registered_time_ms,
           last_seen_time_ms = excluded.last_seen_time_ms, status = excluded.status`,
    ).run({
      nodeId: node.nodeId,
      capacity: JSON.stringify(node.capacity),
      versions: JSON.stringify(node.versions),
      hostname: node.hostname,
      hpcJob: node.hpcJob,
      interval: node.heartbeatIntervalSeconds,
      registered: node.registeredTimeMs,
      lastSeen: node.lastSeenTimeMs,
      status: node.status,
    });
  }

  getNode(nodeId: string): NodeRecord | undefined {
    const row = this.stmt("SELECT * FROM nodes WHERE node_id = ?").get(nodeId) as NodeRow | undefined;
    return row === undefined ? undefined : toNode(row);
  }

  listNodes(): NodeRecord[] {
    return (this.stmt("SELECT * FROM nodes ORDER BY node_id").all() as NodeRow[]).map(toNode);
  }

  setNodeStatus(nodeId: string, status: NodeRecord["status"], lastSeenTimeMs: number): void {
    this.stmt("UPDATE nodes SET status = ?, last_seen_time_ms = ? WHERE node_id = ?").run(status, lastSeenTimeMs, nodeId);
  }

  addChunkOwner(owner: string, digests: readonly string[], nowMs: number = Date.now()): string[] {
    const insert = this.stmt("INSERT OR IGNORE INTO chunk_owners (owner, sha256, added_time_ms) VALUES (?, ?, ?)");
    // Held again (a re-upload): the retention period starts over.
    const refresh = this.stmt("UPDATE chunk_owners SET added_time_ms = ? WHERE owner = ? AND sha256 = ?");
    return this.db.transaction(() =>
      digests.filter((digest) => {
        if (insert.run(owner, digest, nowMs).changes === 1) return true;
        refresh.run(nowMs, owner, digest);
        return false;
      }),
    )();
  }

  retentionPage(afterSeq: number, limit: number, cutoffMs: number, nowMs: number): { expired: string[]; referenced: string[]; lastSeq: number } {
    return this.db
      .transaction(() => {
        const rows = this.stmt(
          `SELECT seq, job_id, state, end_time_ms, spec_json, results_json FROM jobs WHERE seq > ? AND results_expired_time_ms = 0 ORDER BY seq LIMIT ${Math.max(1, Math.trunc(limit))}`,
        ).all(afterSeq) as Pick<JobRow, "seq" | "job_id" | "state" | "end_time_ms" | "spec_json" | "results_json">[];
        const expire = this.stmt("UPDATE jobs SET results_json = '[]', results_expired_time_ms = ? WHERE seq = ?");
        const expired: string[] = [];
        const referenced: string[] = [];
        for (const row of rows) {
          if (isTerminal(row.state as JobStateValue) && row.end_time_ms > 0 && row.end_time_ms < cutoffMs) {
            expire.run(nowMs, row.seq);
            expired.push(row.job_id);
            continue;
          }
          const spec = JSON.parse(row.spec_json) as { input?: { upload?: { chunks?: { sha256: string }[] } | null } | null };
          for (const chunk of spec.input?.upload?.chunks ?? []) referenced.push(chunk.sha256);
          for (const result of JSON.parse(row.results_json) as ResultRecord[]) for (const chunk of result.manifest.chunks) referenced.push(chunk.sha256);
        }
        return { expired, referenced, lastSeq: rows.at(-1)?.seq ?? afterSeq };
      })
      .immediate();
  }

  expireChunkOwners(cutoffMs: number): number {
    return this.stmt("DELETE FROM chunk_owners WHERE added_time_ms < ?").run(cutoffMs).changes;
  }

  ownedChunkDigests(): IterableIterator<string> {
    return this.stmt("SELECT DISTINCT sha256 FROM chunk_owners").pluck().iterate() as IterableIterator<string>;
  }

  ownedChunks(owner: string, digests: readonly string[]): Set<string> {
    const has = this.stmt("SELECT 1 FROM chunk_owners WHERE owner = ? AND sha256 = ?").pluck();
    return new Set(digests.filter((digest) => has.get(owner, digest) !== undefined));
  }

  getOrCreateMeta(key: string, make: () => string): string {
    return this.db
      .transaction(() => {
        const row = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
        if (row !== undefined) return row.value;
        const value = make();
        this.stmt("INSERT INTO meta (key, value) VALUES (?, ?)").run(key, value);
        return value;
      })
      .immediate();
  }

  close(): void {
    void this.checkpointer?.close();
    void this.walSync?.close();
    if (this.db.open) this.db.close();
  }
}
