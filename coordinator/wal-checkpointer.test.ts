import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteJobStore } from "./sqlite-job-store.js";
import { WalCheckpointer } from "./wal-checkpointer.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("WalCheckpointer", () => {
  it("moves committed pages into the database file from its own thread; nothing is lost", async () => {
    const path = join(dir, "a.sqlite");
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const sizeBefore = statSync(path).size;
    const failures: string[] = [];
    const checkpointer = new WalCheckpointer(path, { intervalMs: 20, onFailure: (message) => failures.push(message) });
    const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
    // 300 separate commits of ~1 KiB: with the automatic checkpoint off, only the worker can
    // grow the database file.
    for (let i = 0; i < 300; i++) insert.run("x".repeat(1000));
    await until(
      "a checkpoint of every frame",
      () => checkpointer.last !== undefined && checkpointer.last.checkpointedFrames === checkpointer.last.logFrames && checkpointer.last.logFrames > 0,
    );
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 250 * 1000);
    await checkpointer.close();
    db.close();
    expect(failures).toEqual([]);
    const reopened = new Database(path, { readonly: true });
    expect((reopened.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(300);
    reopened.close();
  });

  it("reports a database it cannot open, so the store falls back to SQLite's own checkpoints", async () => {
    const failures: string[] = [];
    const checkpointer = new WalCheckpointer(join(dir, "missing", "none.sqlite"), { intervalMs: 20, onFailure: (message) => failures.push(message) });
    await until("the failure", () => failures.length > 0);
    expect(failures).toHaveLength(1);
    await checkpointer.close().catch(() => undefined);
  });

  it("is what a file-backed job store uses", () => {
    const store = new SqliteJobStore(join(dir, "store.sqlite"));
    try {
      expect(store.checkpointer).toBeInstanceOf(WalCheckpointer);
      expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    } finally {
      store.close();
    }
    const memory = new SqliteJobStore(":memory:");
    expect(memory.checkpointer).toBeUndefined();
    memory.close();
  });
});
