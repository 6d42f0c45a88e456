/**
 * Finished-but-unacknowledged results, kept on the node's disk. A task's outcome is written here
 * (atomically: temp file + rename) BEFORE the node reports it; the entry is removed only after
 * the coordinator acknowledged CompleteTask/FailTask or rejected it for good. So a coordinator
 * that dies between "task finished" and "report received" loses nothing: when the node
 * reconnects it re-reports every entry (the coordinator accepts a report once per lease, so a
 * re-report can never make a job complete twice).
 */
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../proto/index.js";
import { writeFileAtomic } from "../tabular/index.js";

export type SpoolFileKind = "table" | "model" | "report" | "report_html" | "other";

export interface SpooledFile {
  kind: SpoolFileKind;
  /** Absolute path of the file on this node. */
  path: string;
  /** Name the file gets in the coordinator's manifest. */
  name: string;
  mediaType: string;
  /** In memory only (never in the spool file): the bytes of a small output not yet written to `path`. */
  data?: Uint8Array;
}

/** Writes every in-memory file to its path (temp + rename); the files then stand on disk alone. */
export async function materializeFiles(files: readonly SpooledFile[]): Promise<SpooledFile[]> {
  return Promise.all(
    files.map(async ({ data, ...file }) => {
      if (data !== undefined) {
        await mkdir(dirname(file.path), { recursive: true, mode: PRIVATE_DIR_MODE });
        await writeFileAtomic(file.path, data);
      }
      return file;
    }),
  );
}

export interface SpooledOutcome {
  format: "datalab-node-outcome";
  version: 1;
  taskId: string;
  jobId: string;
  leaseId: string;
  jobKind: string;
  outcome: "succeeded" | "failed";
  /** Files to upload (succeeded only). */
  files: SpooledFile[];
  /** Short JSON summary for listings (succeeded only). */
  summaryJson: string;
  /** Why it failed (failed only). */
  errorMessage: string;
  /** Whether a retry could help (failed only): false for bad input. */
  retryable: boolean;
  /** Seconds the task ran, for the node's metrics when the report is finally acknowledged. */
  durationSeconds: number;
  finishedAtUnixMs: number;
}

export class SpoolError extends Error {
  override readonly name = "SpoolError";
}

/** Task ids look like "<job_id>/<attempt>": percent-encode them into one safe file name. */
function fileNameOf(taskId: string): string {
  const encoded = encodeURIComponent(taskId).replaceAll("*", "%2A");
  if (taskId.length === 0 || taskId.length > 400 || encoded.startsWith(".")) {
    throw new SpoolError(`task id "${taskId}" cannot name a spool file; this is a coordinator bug, report it.`);
  }
  return `${encoded}.json`;
}

export class ResultSpool {
  readonly dir: string;

  constructor(workDir: string) {
    this.dir = join(workDir, "spool");
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  }

  #pathOf(taskId: string): string {
    return join(this.dir, fileNameOf(taskId));
  }

  /**
   * Records an outcome (replacing an older one for the same task), atomically: temp file + rename.
   * Not fsynced: the entry must survive the agent or the coordinator dying (kill -9, restarts),
   * and the page cache does that. If the node's machine loses power instead, the lease expires
   * and the coordinator runs the job again: the coordinator's store, not the spool, is what
   * guarantees no job is lost. (An fsync here was one per task, on every node.) A torn entry
   * after power loss is moved aside by pending().
   */
  async put(outcome: SpooledOutcome): Promise<void> {
    const target = this.#pathOf(outcome.taskId);
    const temp = `${target}.${process.pid}.tmp`;
    // Outputs still in memory go to disk first: the entry names files, it does not hold them.
    const files = await materializeFiles(outcome.files);
    await writeFile(temp, JSON.stringify({ ...outcome, files }), { mode: PRIVATE_FILE_MODE });
    await rename(temp, target);
  }

  /** Every outcome still waiting for an acknowledgement, oldest first. Unreadable entries are moved aside. */
  async pending(): Promise<SpooledOutcome[]> {
    const names = (await readdir(this.dir)).filter((name) => name.endsWith(".json"));
    const outcomes: SpooledOutcome[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const parsed = JSON.parse(await readFile(path, "utf8")) as SpooledOutcome;
        if (parsed.format !== "datalab-node-outcome" || parsed.version !== 1) throw new SpoolError(`not a version-1 outcome`);
        outcomes.push(parsed);
      } catch {
        // A torn or foreign file cannot be re-reported; keep it for a human instead of looping on it.
        await rename(path, `${path}.corrupt`).catch(() => undefined);
      }
    }
    return outcomes.sort((a, b) => a.finishedAtUnixMs - b.finishedAtUnixMs);
  }

  /** Forgets an outcome after the coordinator acknowledged (or permanently refused) it. */
  async remove(taskId: string): Promise<void> {
    try {
      await unlink(this.#pathOf(taskId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}
