/**
 * Writing without half-written files: data goes to a temp file next to the target (same
 * directory, so the rename is atomic on POSIX file systems) and is renamed over the target only
 * once it is complete. A failure removes the temp file.
 */
import { randomBytes } from "node:crypto";
import { rm, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A fresh temp path in the target's directory: `.<name>.<random>.tmp`. */
export function tempPathFor(targetPath: string): string {
  return join(dirname(targetPath), `.${basename(targetPath)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Writes `data` to `path` via a temp file + rename: readers see the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tempPath = tempPathFor(path);
  try {
    await writeFile(tempPath, data, { flag: "wx" });
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}
