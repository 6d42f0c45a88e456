/**
 * Where a federated synthesis job keeps what a coordinator restart must not lose (SQLite,
 * migration 6 in ../migrations.ts): the holders and shared schema fixed when its first round
 * started, and every holder answer accepted (the chunk manifest of its measurement or scores, per
 * round and holder). Everything else — the plans, the merged model — is a deterministic function
 * of these answers, so a restarted coordinator replays them and asks only the holders that have
 * not answered the round in progress. A holder's measurement is thus summed once and never asked
 * for again: its budget is not spent twice.
 */
import type Database from "better-sqlite3";
import type { Manifest } from "../../proto/index.js";

export interface SynthesisJobRow {
  jobId: string;
  /** The job's holders, sorted (every one answers every round). */
  holders: string[];
  /** The shared schema the holders declared, as JSON. */
  schemaJson: string;
}

export interface SynthesisAnswer {
  round: number;
  holderId: string;
  manifest: Manifest;
}

export class SynthesisStore {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Fixes the job's holders and schema (the first time only: a resumed job keeps its own). */
  begin(row: SynthesisJobRow, nowMs: number): void {
    this.db
      .prepare("INSERT OR IGNORE INTO synthesis_jobs (job_id, holders_json, schema_json, update_time_ms) VALUES (?, ?, ?, ?)")
      .run(row.jobId, JSON.stringify(row.holders), row.schemaJson, nowMs);
  }

  getJob(jobId: string): SynthesisJobRow | undefined {
    const row = this.db.prepare("SELECT holders_json, schema_json FROM synthesis_jobs WHERE job_id = ?").get(jobId) as
      | { holders_json: string; schema_json: string }
      | undefined;
    if (row === undefined) return undefined;
    return { jobId, holders: JSON.parse(row.holders_json) as string[], schemaJson: row.schema_json };
  }

  /** Records an accepted answer; false when this holder's answer to the round is already recorded. */
  addAnswer(jobId: string, answer: SynthesisAnswer, nowMs: number): boolean {
    const result = this.db
      .prepare("INSERT OR IGNORE INTO synthesis_answers (job_id, round, holder_id, manifest_json, received_time_ms) VALUES (?, ?, ?, ?, ?)")
      .run(jobId, answer.round, answer.holderId, JSON.stringify(answer.manifest), nowMs);
    return result.changes === 1;
  }

  /** The job's accepted answers in round order (holders sorted within a round). */
  answers(jobId: string): SynthesisAnswer[] {
    const rows = this.db.prepare("SELECT round, holder_id, manifest_json FROM synthesis_answers WHERE job_id = ? ORDER BY round, holder_id").all(jobId) as {
      round: number;
      holder_id: string;
      manifest_json: string;
    }[];
    return rows.map((r) => ({ round: r.round, holderId: r.holder_id, manifest: JSON.parse(r.manifest_json) as Manifest }));
  }

  /** The job ended (its results hold what it produced): its rows go, in one transaction. */
  forget(jobId: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM synthesis_answers WHERE job_id = ?").run(jobId);
      this.db.prepare("DELETE FROM synthesis_jobs WHERE job_id = ?").run(jobId);
    })();
  }
}
