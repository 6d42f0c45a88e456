/**
 * Small chunks stored in the job database rather than as files. A file per chunk costs a create,
 * an fsync and a rename (the largest share of a small job's CompleteTask on the coordinator);
 * a row is written in a transaction that the store's group commit (wal-sync.ts) makes durable
 * together with every other change in flight. SQLite reads and writes blobs of this size
 * faster than the file system does (sqlite.org/fasterthanfs.html). ChunkStore decides by size.
 */
import type Database from "better-sqlite3";

export class SmallChunkTable {
  readonly maxBytes: number;
  readonly #has: Database.Statement;
  readonly #size: Database.Statement;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #touch: Database.Statement;
  readonly #olderThan: Database.Statement;
  readonly #db: Database.Database;

  /** `db` must have the `small_chunks` table (migrations 3 and 4). */
  constructor(db: Database.Database, maxBytes: number) {
    this.maxBytes = maxBytes;
    this.#has = db.prepare("SELECT 1 FROM small_chunks WHERE sha256 = ?").pluck();
    this.#size = db.prepare("SELECT size_bytes FROM small_chunks WHERE sha256 = ?").pluck();
    this.#get = db.prepare("SELECT data FROM small_chunks WHERE sha256 = ?").pluck();
    this.#put = db.prepare("INSERT OR IGNORE INTO small_chunks (sha256, size_bytes, data, stored_time_ms) VALUES (?, ?, ?, ?)");
    this.#remove = db.prepare("DELETE FROM small_chunks WHERE sha256 = ?");
    this.#touch = db.prepare("UPDATE small_chunks SET stored_time_ms = ? WHERE sha256 = ?");
    this.#olderThan = db.prepare("SELECT sha256, size_bytes AS sizeBytes FROM small_chunks WHERE stored_time_ms < ?");
    this.#db = db;
  }

  has(sha256: string): boolean {
    return this.#has.get(sha256) !== undefined;
  }

  sizeOf(sha256: string): number | undefined {
    return this.#size.get(sha256) as number | undefined;
  }

  get(sha256: string): Buffer | undefined {
    return this.#get.get(sha256) as Buffer | undefined;
  }

  /** Stores the bytes (committed, not yet fsynced: the caller awaits the store's durable()); false if they were there. */
  put(sha256: string, data: Uint8Array, nowMs: number = Date.now()): boolean {
    return this.#put.run(sha256, data.length, data, nowMs).changes === 1;
  }

  /** Marks a chunk as just used (stored again, or found present): retention keeps it a while. */
  touch(sha256: string, nowMs: number = Date.now()): void {
    this.#touch.run(nowMs, sha256);
  }

  /** Chunks last stored or touched before `cutoffMs`. */
  olderThan(cutoffMs: number): { sha256: string; sizeBytes: number }[] {
    return this.#olderThan.all(cutoffMs) as { sha256: string; sizeBytes: number }[];
  }

  remove(sha256: string): void {
    this.#remove.run(sha256);
  }

  /** Removes several chunks in one transaction. */
  removeMany(digests: readonly string[]): void {
    this.#db.transaction(() => {
      for (const digest of digests) this.#remove.run(digest);
    })();
  }
}
