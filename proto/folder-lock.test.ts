import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { FolderLockedError, LOCK_FILE, lockFolder } from "./folder-lock.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A separate Node process that takes the same SQLite lock (plain JS, better-sqlite3 directly) and prints "locked". */
function holdInChild(folder: string): Promise<ChildProcess> {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(${JSON.stringify(join(folder, LOCK_FILE))}, { timeout: 0 });
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since_ms INTEGER NOT NULL); DELETE FROM holder;");
    process.stdout.write("locked\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout?.once("data", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

describe("lockFolder", () => {
  test("a second lock on the same folder is refused with the holder's PID; after release it can be taken", () => {
    const folder = mkdtempSync(join(dir, "a-"));
    const first = lockFolder(folder, "datalab coordinator", "--data-dir");
    expect(statSync(join(folder, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(() => lockFolder(folder, "datalab coordinator", "--data-dir")).toThrow(FolderLockedError);
    expect(() => lockFolder(folder, "datalab coordinator", "--data-dir")).toThrow(
      new RegExp(`--data-dir ${folder} is in use by datalab coordinator \\(PID ${process.pid} on .*, running since \\d{4}-.*\\); stop it first`),
    );
    first.release();
    lockFolder(folder, "datalab coordinator", "--data-dir").release();
  });

  test("another process's lock is respected, and taken over once that process is killed with SIGKILL", async () => {
    const folder = mkdtempSync(join(dir, "b-"));
    const child = await holdInChild(folder);
    try {
      expect(() => lockFolder(folder, "datalab node", "--work-dir")).toThrow(/--work-dir .* is in use by another process/);
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    // No stale lock: the operating system released it with the process.
    lockFolder(folder, "datalab node", "--work-dir").release();
  });
});
