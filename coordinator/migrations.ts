/**
 * Versioned schema migrations for the SQLite job store. Each migration runs once, inside a
 * transaction, and is recorded in `schema_migrations`; a database written by a newer datalab
 * (a version above the last one here) is refused rather than misread. Append, never edit.
 */
import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs, attempts, nodes, meta",
    sql: `
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL UNIQUE,
        owner TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        spec_sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        gpu_count INTEGER NOT NULL,
        gpu_memory_bytes INTEGER NOT NULL,
        cpu_cores INTEGER NOT NULL,
        memory_bytes INTEGER NOT NULL,
        progress_json TEXT NOT NULL DEFAULT '{}',
        error_message TEXT NOT NULL DEFAULT '',
        node_id TEXT,
        lease_id TEXT,
        lease_deadline_ms INTEGER,
        gpu_indexes_json TEXT NOT NULL DEFAULT '[]',
        results_json TEXT NOT NULL DEFAULT '[]',
        summary_json TEXT NOT NULL DEFAULT '',
        cancel_reason TEXT NOT NULL DEFAULT '',
        create_time_ms INTEGER NOT NULL,
        queued_time_ms INTEGER NOT NULL,
        start_time_ms INTEGER NOT NULL DEFAULT 0,
        first_start_time_ms INTEGER NOT NULL DEFAULT 0,
        end_time_ms INTEGER NOT NULL DEFAULT 0,
        update_time_ms INTEGER NOT NULL,
        UNIQUE (owner, idempotency_key)
      );
      CREATE INDEX jobs_by_state ON jobs (state, seq);
      CREATE INDEX jobs_by_owner ON jobs (owner, seq);
      CREATE INDEX jobs_by_node ON jobs (node_id, state);
      CREATE TABLE attempts (
        job_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        lease_id TEXT NOT NULL UNIQUE,
        node_id TEXT NOT NULL,
        start_time_ms INTEGER NOT NULL,
        end_time_ms INTEGER NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (job_id, attempt, lease_id)
      );
      CREATE TABLE nodes (
        node_id TEXT PRIMARY KEY,
        capacity_json TEXT NOT NULL,
        versions_json TEXT NOT NULL,
        hostname TEXT NOT NULL,
        hpc_job TEXT NOT NULL,
        heartbeat_interval_seconds INTEGER NOT NULL,
        registered_time_ms INTEGER NOT NULL,
        last_seen_time_ms INTEGER NOT NULL,
        status TEXT NOT NULL
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: "chunk owners",
    // Chunks are stored once for everyone, but a client may only reference chunks it uploaded
    // (or that its own jobs produced): knowing a digest must not grant access to the bytes.
    sql: `
      CREATE TABLE chunk_owners (
        owner TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (owner, sha256)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "small chunks",
    // Chunks up to a few hundred KiB (most results of small jobs) live in the database: one row
    // in a group-committed transaction instead of a file created, fsynced and renamed per chunk.
    sql: `
      CREATE TABLE small_chunks (
        sha256 TEXT PRIMARY KEY,
        size_bytes INTEGER NOT NULL,
        data BLOB NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "result retention",
    // When a job's results were removed (retention), when a chunk owner was recorded and when a
    // small chunk was last stored or found present: what the retention sweep reads. Rows from
    // before this migration count as recorded now.
    sql: `
      ALTER TABLE jobs ADD COLUMN results_expired_time_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE chunk_owners ADD COLUMN added_time_ms INTEGER NOT NULL DEFAULT 0;
      UPDATE chunk_owners SET added_time_ms = CAST(unixepoch('subsec') * 1000 AS INTEGER);
      ALTER TABLE small_chunks ADD COLUMN stored_time_ms INTEGER NOT NULL DEFAULT 0;
      UPDATE small_chunks SET stored_time_ms = CAST(unixepoch('subsec') * 1000 AS INTEGER);
    `,
  },
  {
    version: 5,
    name: "federation rounds",
    // coordinator/federation/round-store.ts: a federated job's progress (the global model of the
    // last completed round as a chunk manifest), the updates accepted in the round in progress
    // (so a restart counts each once), and the datasets holders registered (schemas, never rows).
    sql: `
      CREATE TABLE federation_jobs (
        job_id TEXT PRIMARY KEY REFERENCES jobs(job_id),
        noise_secret TEXT NOT NULL,
        shape_json TEXT NOT NULL,
        rounds_completed INTEGER NOT NULL DEFAULT 0,
        model_json TEXT NOT NULL,
        optimizer_json TEXT NOT NULL DEFAULT '',
        status_json TEXT NOT NULL,
        update_time_ms INTEGER NOT NULL
      );
      CREATE TABLE federation_updates (
        task_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs(job_id),
        round INTEGER NOT NULL,
        retry INTEGER NOT NULL,
        holder_id TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        example_count INTEGER NOT NULL,
        participant_count INTEGER NOT NULL,
        unclipped_count INTEGER NOT NULL,
        local_loss REAL NOT NULL,
        received_time_ms INTEGER NOT NULL
      );
      CREATE INDEX federation_updates_round ON federation_updates (job_id, round, retry);
      CREATE TABLE federation_holders (
        node_id TEXT PRIMARY KEY,
        datasets_json TEXT NOT NULL,
        update_time_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: "federated synthesis state",
    // coordinator/federation/synthesis-store.ts: a federated synthesis job's holders and shared
    // schema (fixed when its first round starts) and every holder answer accepted (a chunk
    // manifest per round and holder), so a restarted coordinator replays the rounds instead of
    // asking holders to measure, and spend, again.
    sql: `
      CREATE TABLE synthesis_jobs (
        job_id TEXT PRIMARY KEY REFERENCES jobs(job_id),
        holders_json TEXT NOT NULL,
        schema_json TEXT NOT NULL,
        update_time_ms INTEGER NOT NULL
      );
      CREATE TABLE synthesis_answers (
        job_id TEXT NOT NULL REFERENCES jobs(job_id),
        round INTEGER NOT NULL,
        holder_id TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        received_time_ms INTEGER NOT NULL,
        PRIMARY KEY (job_id, round, holder_id)
      );
    `,
  },
];

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** Brings the database to the newest schema; returns the versions applied now. */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_time_ms INTEGER NOT NULL)");
  const current = (db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > newest) {
    throw new MigrationError(
      `the job database is at schema version ${current} but this datalab knows only up to ${newest}; run a newer datalab or use another --data-dir.`,
    );
  }
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_time_ms) VALUES (?, ?, ?)").run(migration.version, migration.name, Date.now());
    })();
    applied.push(migration.version);
  }
  return applied;
}

export function schemaVersion(db: Database.Database): number {
  return (db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
}
