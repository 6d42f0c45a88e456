/**
 * `mkdir -p` that fails instead of spinning. Node 20's `mkdir(path, { recursive: true })` loops
 * forever at 100% CPU when the kernel answers ENOENT for a folder whose parent exists (inside
 * /proc or /sys: `mkdir /proc/x` gives ENOENT, so node retries the parent, which exists, and
 * starts again). Here each missing level is created once, parent first, and any error is final.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Why a folder could not be made: its path and the system's error code. */
export class MakeDirectoryError extends Error {
  override readonly name = "MakeDirectoryError";
  readonly path: string;
  readonly code: string | undefined;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const detail = code === "ENOENT" ? "ENOENT: folders cannot be created there" : (code ?? String(cause));
    super(`cannot create the folder ${path} (${detail}); give a writable location.`, { cause });
    this.path = path;
    this.code = code;
  }
}

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/** Creates `path` and any missing parents (mode applies to the folders it creates). */
export function makeDirectory(path: string, mode = 0o777): void {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    const found = isDirectory(dir);
    if (found === true) break;
    if (found === false) throw new MakeDirectoryError(path, Object.assign(new Error("not a folder"), { code: "ENOTDIR" }));
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level, { mode });
    } catch (error) {
      // Another process may have made it meanwhile: that is fine.
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && isDirectory(level) === true) continue;
      throw new MakeDirectoryError(path, error);
    }
  }
}
