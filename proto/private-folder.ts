/**
 * The state folders of the service processes (the coordinator's --data-dir, a node's --work-dir)
 * hold real data at rest: uploaded tables (small ones verbatim inside the job database), cached
 * inputs, results not yet reported. Only the account that runs datalab may read them: folders
 * 0700, files 0600, everywhere under them. Both processes set the umask (so files written by
 * SQLite, DuckDB or a worker thread are private too), create their folders with explicit modes,
 * and at start-up warn about anything an operator loosened (they do not undo it: a backup group
 * may be intended, but it should be a decision, not an accident).
 */
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Permission bits for group and others: none may be set on private data. */
const GROUP_OTHER_BITS = 0o077;

/** New files and folders of this process get no group/other permissions (whatever wrote them). */
export function restrictNewFilesToOwner(): void {
  process.umask(GROUP_OTHER_BITS);
}

/** Creates `dir` (and missing parents) as 0700; a folder this call creates is chmod-ed too, in case the umask is looser. */
export function makePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates an empty file as 0600 unless it exists (so SQLite, which gives its -wal and -shm files the database's mode, keeps them private). */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

export interface LoosenedPath {
  path: string;
  /** The permission bits found, e.g. 0o644. */
  mode: number;
  kind: "folder" | "file";
}

/**
 * Folders and files under `root` (itself included) that group or others may access, walking at
 * most `maxEntries` entries (a data folder may hold many chunk files; the walk is a start-up check).
 */
export function loosenedPaths(root: string, maxEntries = 100_000): { loosened: LoosenedPath[]; checked: number; complete: boolean } {
  const loosened: LoosenedPath[] = [];
  const pending = [root];
  let checked = 0;
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (checked >= maxEntries) return { loosened, checked, complete: false };
    let info: ReturnType<typeof lstatSync>;
    try {
      info = lstatSync(path);
    } catch {
      continue; // removed meanwhile
    }
    checked += 1;
    if (info.isSymbolicLink()) continue;
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if ((mode & GROUP_OTHER_BITS) !== 0) loosened.push({ path, mode, kind: "folder" });
      try {
        for (const name of readdirSync(path)) pending.push(join(path, name));
      } catch {
        // Unreadable folder: reported by its mode if loosened; nothing more to walk.
      }
    } else if (info.isFile() && (mode & GROUP_OTHER_BITS) !== 0) {
      loosened.push({ path, mode, kind: "file" });
    }
  }
  return { loosened, checked, complete: true };
}

/** One warning line per loosened path (at most `maxLines`, then a count), or none. */
export function loosenedWarnings(root: string, what: string, maxLines = 5): string[] {
  const { loosened, complete, checked } = loosenedPaths(root);
  const lines = loosened.slice(0, maxLines).map((p) => {
    const mode = p.mode.toString(8).padStart(4, "0");
    const fix = p.kind === "folder" ? "700" : "600";
    return `WARNING: ${what}: ${p.kind} ${p.path} is ${mode} (group/others may read it); it holds data at rest: chmod ${fix} it.`;
  });
  if (loosened.length > maxLines)
    lines.push(`WARNING: ${what}: ${loosened.length - maxLines} more loosened path(s) under ${root}; run \`chmod -R go-rwx ${root}\`.`);
  if (!complete) lines.push(`note: ${what}: checked the permissions of the first ${checked} entries under ${root} only.`);
  return lines;
}
