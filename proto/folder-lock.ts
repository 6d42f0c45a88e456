/**
 * One process per state folder: a second coordinator on the same --data-dir marked a live node
 * offline and ran a finished job twice; two node agents on one --work-dir would spool into and
 * clean up each other's folders. The folder is locked for the life of the process.
 *
 * The lock is SQLite's own: `<dir>/datalab.lock` is a small SQLite database opened with
 * `locking_mode = EXCLUSIVE` and written once, so the process holds an exclusive POSIX (fcntl)
 * lock on it until it exits. Why this and not a PID file: the operating system drops the lock
 * when its holder dies, kill -9 included, so a stale lock cannot exist and there is nothing to
 * guess from a PID (which the system may already have given to another process). Why not an
 * flock package: better-sqlite3 is already a dependency, prebuilt and well kept; the npm flock
 * bindings need a native build of their own. `<dir>/datalab.lock.json` (written by the holder
 * after it has the lock) only names the holder in the second process's message.
 * (Network file systems: fcntl locks work on NFSv4; on file systems without locking the lock
 * cannot be taken and the process refuses to start, with the reason.)
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createPrivateFile, PRIVATE_FILE_MODE } from "./private-folder.js";

export const LOCK_FILE = "datalab.lock";
export const LOCK_HOLDER_FILE = "datalab.lock.json";

export class FolderLockedError extends Error {
  override readonly name = "FolderLockedError";
}

export interface FolderLock {
  readonly dir: string;
  /** Releases the lock (idempotent); exiting the process releases it too. */
  release(): void;
}

interface Holder {
  pid: number;
  hostname: string;
  process: string;
  sinceUnixMs: number;
}

function holderOf(dir: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_HOLDER_FILE), "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

/**
 * Locks `dir` (which must exist) for this process; `what` names this process in the other's
 * message ("datalab coordinator"), `flag` the setting that chose the folder ("--data-dir").
 * FolderLockedError (one line naming the holder's PID) when another process holds it.
 */
export function lockFolder(dir: string, what: string, flag: string): FolderLock {
  const path = join(dir, LOCK_FILE);
  createPrivateFile(path);
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // The first write takes the exclusive lock; in EXCLUSIVE locking mode it is never released.
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since_ms INTEGER NOT NULL); DELETE FROM holder;");
    db.prepare("INSERT INTO holder (pid, since_ms) VALUES (?, ?)").run(process.pid, Date.now());
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      const holder = holderOf(dir);
      const who =
        holder === undefined
          ? "another process"
          : `${holder.process} (PID ${holder.pid} on ${holder.hostname}, running since ${new Date(holder.sinceUnixMs).toISOString()})`;
      throw new FolderLockedError(`${flag} ${dir} is in use by ${who}; stop it first, or give this ${what} another ${flag}.`, { cause: error });
    }
    throw new FolderLockedError(
      `${flag} ${dir}: cannot lock ${path} (${error instanceof Error ? error.message : String(error)}); use a folder on a local file system.`,
      { cause: error },
    );
  }
  const holder: Holder = { pid: process.pid, hostname: hostname(), process: what, sinceUnixMs: Date.now() };
  const temp = join(dir, `${LOCK_HOLDER_FILE}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(temp, join(dir, LOCK_HOLDER_FILE));
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}
