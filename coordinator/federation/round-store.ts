/**
 * Where federation keeps its state (SQLite, migration 5 in ../migrations.ts): one row per
 * federated job with the global model of its last completed round (a chunk manifest), the updates
 * accepted in the round in progress, and the datasets holders registered. A round is committed in
 * one transaction: the new model's manifest, the counters, and the deletion of its updates — so
 * after a restart either the round is done, or its accepted updates are there to be summed again
 * (and none is counted twice: the task id is the key).
 */
import type Database from "better-sqlite3";
import type { HeldDatasetOut, Manifest } from "../../proto/index.js";
import type { ModelShape } from "./model-layout.js";

/** What GetJob / WatchJob show of a federated job (Job.federation), persisted as JSON. */
export interface FederationProgress {
  roundsCompleted: number;
  roundsTotal: number;
  epsilonSpent: number;
  participantsLastRound: number;
  stragglersDropped: number;
  updatesRejected: number;
  refusals: { holderId: string; round: number; reason: string }[];
  clipNorm: number;
  lastRoundLoss: number;
  lastRoundDurationSeconds: number;
  roundInProgress: number;
  /** Retries of the round in progress (below min_holders). */
  roundRetry: number;
}

export interface FederatedJobRow {
  jobId: string;
  /** Hex secret keying the server's DP noise: fixed per job (so a restart draws the same noise), never shown. */
  noiseSecret: string;
  shape: ModelShape;
  roundsCompleted: number;
  model: Manifest;
  /** m and v of fedadam / fedyogi (2n float32), or undefined. */
  optimizer: Manifest | undefined;
  progress: FederationProgress;
}

export interface AcceptedUpdate {
  taskId: string;
  jobId: string;
  round: number;
  retry: number;
  holderId: string;
  manifest: Manifest;
  exampleCount: number;
  participantCount: number;
  unclippedCount: number;
  localLoss: number;
  receivedTimeMs: number;
}

interface JobRowSql {
  job_id: string;
  noise_secret: string;
  shape_json: string;
  rounds_completed: number;
  model_json: string;
  optimizer_json: string;
  status_json: string;
}

interface UpdateRowSql {
  task_id: string;
  job_id: string;
  round: number;
  retry: number;
  holder_id: string;
  manifest_json: string;
  example_count: number;
  participant_count: number;
  unclipped_count: number;
  local_loss: number;
  received_time_ms: number;
}

export class RoundStore {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  createJob(row: FederatedJobRow, nowMs: number): void {
    this.db
      .prepare(
        "INSERT OR IGNORE INTO federation_jobs (job_id, noise_secret, shape_json, rounds_completed, model_json, optimizer_json, status_json, update_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        row.jobId,
        row.noiseSecret,
        JSON.stringify(row.shape),
        row.roundsCompleted,
        JSON.stringify(row.model),
        row.optimizer ? JSON.stringify(row.optimizer) : "",
        JSON.stringify(row.progress),
        nowMs,
      );
  }

  getJob(jobId: string): FederatedJobRow | undefined {
    const row = this.db.prepare("SELECT * FROM federation_jobs WHERE job_id = ?").get(jobId) as JobRowSql | undefined;
    if (!row) return undefined;
    return {
      jobId: row.job_id,
      noiseSecret: row.noise_secret,
      shape: JSON.parse(row.shape_json) as ModelShape,
      roundsCompleted: row.rounds_completed,
      model: JSON.parse(row.model_json) as Manifest,
      optimizer: row.optimizer_json ? (JSON.parse(row.optimizer_json) as Manifest) : undefined,
      progress: JSON.parse(row.status_json) as FederationProgress,
    };
  }

  /** Saves the progress fields only (refusals, stragglers, round in progress). */
  saveProgress(jobId: string, progress: FederationProgress, nowMs: number): void {
    this.db.prepare("UPDATE federation_jobs SET status_json = ?, update_time_ms = ? WHERE job_id = ?").run(JSON.stringify(progress), nowMs, jobId);
  }

  /** Records an accepted update; false when this task's update was already recorded (a retry). */
  addUpdate(update: AcceptedUpdate): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO federation_updates (task_id, job_id, round, retry, holder_id, manifest_json, example_count, participant_count, unclipped_count, local_loss, received_time_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        update.taskId,
        update.jobId,
        update.round,
        update.retry,
        update.holderId,
        JSON.stringify(update.manifest),
        update.exampleCount,
        update.participantCount,
        update.unclippedCount,
        update.localLoss,
        update.receivedTimeMs,
      );
    return result.changes === 1;
  }

  /** Updates accepted for a round attempt, in holder-id order. */
  updatesOf(jobId: string, round: number, retry: number): AcceptedUpdate[] {
    const rows = this.db
      .prepare("SELECT * FROM federation_updates WHERE job_id = ? AND round = ? AND retry = ? ORDER BY holder_id")
      .all(jobId, round, retry) as UpdateRowSql[];
    return rows.map((r) => ({
      taskId: r.task_id,
      jobId: r.job_id,
      round: r.round,
      retry: r.retry,
      holderId: r.holder_id,
      manifest: JSON.parse(r.manifest_json) as Manifest,
      exampleCount: r.example_count,
      participantCount: r.participant_count,
      unclippedCount: r.unclipped_count,
      localLoss: r.local_loss,
      receivedTimeMs: r.received_time_ms,
    }));
  }

  /** Commits a completed round in one transaction: model, optimizer state, progress; drops its updates. */
  commitRound(jobId: string, round: number, model: Manifest, optimizer: Manifest | undefined, progress: FederationProgress, nowMs: number): void {
    this.db
      .transaction(() => {
        const changed = this.db
          .prepare(
            "UPDATE federation_jobs SET rounds_completed = ?, model_json = ?, optimizer_json = ?, status_json = ?, update_time_ms = ? WHERE job_id = ? AND rounds_completed = ?",
          )
          .run(round, JSON.stringify(model), optimizer ? JSON.stringify(optimizer) : "", JSON.stringify(progress), nowMs, jobId, round - 1);
        if (changed.changes !== 1) throw new Error(`federated job ${jobId}: round ${round} is not the next round to commit`);
        this.db.prepare("DELETE FROM federation_updates WHERE job_id = ? AND round <= ?").run(jobId, round);
      })
      .immediate();
  }

  /** Drops the updates of a round attempt that fell below min_holders (it is retried). */
  dropAttempt(jobId: string, round: number, retry: number): void {
    this.db.prepare("DELETE FROM federation_updates WHERE job_id = ? AND round = ? AND retry = ?").run(jobId, round, retry);
  }

  /** Chunk digests federation still needs (global models, optimizer state, pending updates). */
  referencedDigests(): string[] {
    const digests = new Set<string>();
    for (const row of this.db.prepare("SELECT model_json, optimizer_json FROM federation_jobs").all() as Pick<JobRowSql, "model_json" | "optimizer_json">[]) {
      for (const json of [row.model_json, row.optimizer_json]) if (json) for (const c of (JSON.parse(json) as Manifest).chunks) digests.add(c.sha256);
    }
    for (const row of this.db.prepare("SELECT manifest_json FROM federation_updates").all() as Pick<UpdateRowSql, "manifest_json">[]) {
      for (const c of (JSON.parse(row.manifest_json) as Manifest).chunks) digests.add(c.sha256);
    }
    return [...digests];
  }

  /** Federated jobs not finished (QUEUED or RUNNING): resumed at start. */
  unfinishedFederatedJobIds(): string[] {
    const rows = this.db
      .prepare("SELECT job_id FROM jobs WHERE kind = 'JOB_KIND_FEDERATED_TRAINING' AND state IN ('JOB_STATE_QUEUED', 'JOB_STATE_RUNNING') ORDER BY seq")
      .all() as { job_id: string }[];
    return rows.map((r) => r.job_id);
  }

  /** The digests among these that some owner holds (a client's upload, a job's result, a model): never deleted by federation. */
  ownedAmong(digests: readonly string[]): string[] {
    const owned = this.db.prepare("SELECT 1 FROM chunk_owners WHERE sha256 = ? LIMIT 1").pluck();
    return [...new Set(digests)].filter((digest) => owned.get(digest) !== undefined);
  }

  setHolderDatasets(nodeId: string, datasets: readonly HeldDatasetOut[], nowMs: number): void {
    this.db
      .prepare(
        "INSERT INTO federation_holders (node_id, datasets_json, update_time_ms) VALUES (?, ?, ?) ON CONFLICT(node_id) DO UPDATE SET datasets_json = excluded.datasets_json, update_time_ms = excluded.update_time_ms",
      )
      .run(nodeId, JSON.stringify(datasets), nowMs);
  }

  holderDatasets(): Map<string, HeldDatasetOut[]> {
    const rows = this.db.prepare("SELECT node_id, datasets_json FROM federation_holders").all() as { node_id: string; datasets_json: string }[];
    return new Map(rows.map((r) => [r.node_id, JSON.parse(r.datasets_json) as HeldDatasetOut[]]));
  }
}
