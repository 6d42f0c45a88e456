/**
 * Writing without half-written files: data goes to a temp file next to the target (same
 * directory, so the rename is atomic on POSIX file systems) and is renamed over the target only
 * once it is complete. A failure removes the temp file.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { open, rm, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Temp paths handed out and not yet renamed or removed. A process that is told to stop (SIGINT,
 * SIGTERM, a closed pipe) exits without unwinding its awaits, so the writers' own cleanup never
 * runs; `removeTempFilesSync`, run on the process's 'exit' event, removes what they would have.
 */
const liveTempPaths = new Set<string>();
let exitHookInstalled = false;

/** A fresh temp path in the target's directory: `.<name>.<random>.tmp`, tracked until `releaseTempPath`. */
export function tempPathFor(targetPath: string, suffix = ".tmp"): string {
  const path = join(dirname(targetPath), `.${basename(targetPath)}.${randomBytes(6).toString("hex")}${suffix}`);
  liveTempPaths.add(path);
  if (!exitHookInstalled) {
    // process.exit (the CLI's signal and broken-pipe handlers call it) still runs 'exit' listeners.
    process.once("exit", () => removeTempFilesSync());
    exitHookInstalled = true;
  }
  return path;
}

/** The temp file was renamed into place or removed: nothing left to clean up. */
export function releaseTempPath(path: string): void {
  liveTempPaths.delete(path);
}

/** Removes every temp file still live (synchronously: for signal and exit handlers); returns how many paths it tried. */
export function removeTempFilesSync(): number {
  const paths = [...liveTempPaths];
  for (const path of paths) {
    try {
      rmSync(path, { force: true });
    } catch {
      // Best effort on the way out: a file we cannot remove now we could not remove later either.
    }
    liveTempPaths.delete(path);
  }
  return paths.length;
}

export interface AtomicWriteOptions {
  /**
   * Survive a power loss too: the temp file is fsynced before the rename and the directory after
   * it, so once the promise resolves the new file is on disk under its name. Without it the write
   * survives a crashed process (never a half file) but not necessarily a crashed machine.
   */
  readonly durable?: boolean;
}

/** Writes `data` to `path` via a temp file + rename: readers see the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const tempPath = tempPathFor(path);
  try {
    if (options.durable) {
      const handle = await open(tempPath, "wx");
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await writeFile(tempPath, data, { flag: "wx" });
    }
    await rename(tempPath, path);
    releaseTempPath(tempPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    releaseTempPath(tempPath);
    throw error;
  }
  if (options.durable) await syncDirectory(dirname(path));
}

/** fsync of a directory: makes a rename or unlink in it durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
