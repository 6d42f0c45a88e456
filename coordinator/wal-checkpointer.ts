/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * pushes the WAL past 1000 pages: it copies those pages into the database file and fsyncs it,
 * synchronously, on the coordinator's only JS thread (better-sqlite3 is synchronous), stalling
 * every request in flight. Instead the store turns the automatic checkpoint off and this worker
 * thread, on its own connection, runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`
 * (PASSIVE never blocks the writer: it copies what no reader still needs and returns).
 * Durability does not depend on checkpoints: an acknowledged change is in the fsynced WAL
 * (wal-sync.ts), and SQLite replays the WAL on open. If the worker fails, the store switches the
 * automatic checkpoint back on, so the WAL cannot grow without bound.
 */

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Every 2 s: each checkpoint ends with an fsync of the database file, which on ext4 can hold up
 * the WAL fsyncs that acknowledgements wait for. At 250 ms the service bench's submit p99 was
 * 47–49 ms on a busy host, at 2 s 30–31 ms (same host, runs interleaved); the WAL then holds
 * about 2 s of commits (tens of MB at 200 jobs/s), which SQLite replays when the coordinator restarts.
 */
const DEFAULT_INTERVAL_MS = 2_000;

/** The worker's code: plain CommonJS (an `eval` worker), so it runs from source and from dist/ alike. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const report = (error) => parentPort.postMessage({ type: "error", message: String((error && error.message) || error) });
let db;
try {
  db = new Database(workerData.databasePath, { fileMustExist: true });
  db.pragma("synchronous = NORMAL");
} catch (error) {
  report(error);
}
const checkpoint = () => {
  try {
    const result = db.pragma("wal_checkpoint(PASSIVE)")[0];
    if (result.log > 0) parentPort.postMessage({ type: "checkpoint", busy: result.busy, logFrames: result.log, checkpointedFrames: result.checkpointed });
  } catch (error) {
    report(error);
  }
};
const timer = db === undefined ? undefined : setInterval(checkpoint, workerData.intervalMs);
if (db === undefined) parentPort.close();
parentPort.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface CheckpointReport {
  /** Frames in the WAL when the checkpoint ran. */
  logFrames: number;
  /** Frames of those now in the database file. */
  checkpointedFrames: number;
}

type FromWorker = ({ type: "checkpoint"; busy: number } & CheckpointReport) | { type: "error"; message: string };

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<unknown>;
  /** Checkpoints that copied frames (tests and diagnostics). */
  checkpoints = 0;
  last: CheckpointReport | undefined;

  /** `onFailure` runs once if the worker cannot checkpoint (the store then checkpoints itself). */
  constructor(databasePath: string, options: { intervalMs?: number; onFailure: (message: string) => void }) {
    const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driverPath, databasePath, intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS } });
    // Not events.once: it would reject on the worker's "error" event, which `fail` handles.
    this.#exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      options.onFailure(message);
    };
    this.#worker.on("message", (message: FromWorker) => {
      if (message.type === "error") {
        fail(message.message);
        return;
      }
      this.checkpoints++;
      this.last = { logFrames: message.logFrames, checkpointedFrames: message.checkpointedFrames };
    });
    this.#worker.on("error", (error) => fail(error.message));
    // Never keeps the process alive on its own.
    this.#worker.unref();
  }

  /** Runs a last checkpoint and stops the worker. */
  async close(): Promise<void> {
    this.#worker.postMessage("close");
    await this.#exited;
  }
}
