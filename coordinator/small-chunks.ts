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

  /** `db` must have the `small_chunks` table (migration 3). */
  constructor(db: Database.Database, maxBytes: number) {
    this.maxBytes = maxBytes;
    this.#has = db.prepare("SELECT 1 FROM small_chunks WHERE sha256 = ?").pluck();
    this.#size = db.prepare("SELECT size_bytes FROM small_chunks WHERE sha256 = ?").pluck();
    this.#get = db.prepare("SELECT data FROM small_chunks WHERE sha256 = ?").pluck();
    this.#put = db.prepare("INSERT OR IGNORE INTO small_chunks (sha256, size_bytes, data) VALUES (?, ?, ?)");
    this.#remove = db.prepare("DELETE FROM small_chunks WHERE sha256 = ?");
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
  put(sha256: string, data: Uint8Array): boolean {
    return this.#put.run(sha256, data.length, data).changes === 1;
  }

  remove(sha256: string): void {
    this.#remove.run(sha256);
  }
}
