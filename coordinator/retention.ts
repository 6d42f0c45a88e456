/**
 * Result retention (`--result-retention-days`, off by default): the results of jobs that ended
 * more than the retention period ago are dropped (the job stays listed, with
 * `results_expired_unix_ms`; DownloadResult answers FAILED_PRECONDITION), client ownership of
 * chunks recorded that long ago is forgotten, and then every stored chunk nothing references
 * any more is removed from disk and from the database.
 *
 * A chunk is kept when any of these holds:
 * - a job whose results are kept references it (its input upload or a result file);
 * - a client owns it (an upload it may still submit, or its own job's result) within the period;
 * - it was stored, re-sent or found present by FindMissingChunks within `graceMs` (an upload or a
 *   completion in progress that no job references yet).
 * The pass reads jobs in pages with the event loop free in between; the last page, the owners
 * and the decision run in one synchronous step, so nothing committed before that step is missed,
 * and whatever comes after it is younger than the grace period or owned.
 */
import type { ChunkStore } from "./chunk-store.js";
import type { JobStore } from "./job-store.js";
import type { CoordinatorMetrics } from "./metrics.js";

export interface RetentionSweep {
  expiredJobs: number;
  removedChunks: number;
  removedBytes: number;
}

const PAGE_JOBS = 500;
const DAY_MS = 86_400_000;

export class ResultRetention {
  readonly #store: JobStore;
  readonly #chunks: ChunkStore;
  readonly #retentionMs: number;
  readonly #graceMs: number;
  readonly #metrics: CoordinatorMetrics | undefined;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<RetentionSweep> | undefined;

  constructor(options: {
    store: JobStore;
    chunks: ChunkStore;
    retentionDays: number;
    graceMs?: number;
    metrics?: CoordinatorMetrics;
    log?: (line: string) => void;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#chunks = options.chunks;
    this.#retentionMs = options.retentionDays * DAY_MS;
    this.#graceMs = options.graceMs ?? 3_600_000;
    this.#metrics = options.metrics;
    this.#log = options.log ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  /** Sweeps now and then every `intervalMs` (default: a tenth of the period, between 1 minute and 1 hour). */
  start(intervalMs = Math.min(3_600_000, Math.max(60_000, this.#retentionMs / 10))): void {
    const run = () => {
      this.sweep().catch((error: unknown) => this.#log(`result retention sweep failed: ${error instanceof Error ? error.message : String(error)}`));
    };
    run();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass (a pass already running is joined, not repeated). */
  sweep(): Promise<RetentionSweep> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<RetentionSweep> {
    const now = this.#now();
    const cutoff = now - this.#retentionMs;
    const referenced = new Set<string>();
    let expiredJobs = 0;
    let after = 0;
    const page = () => {
      const result = this.#store.retentionPage(after, PAGE_JOBS, cutoff, now);
      expiredJobs += result.expired.length;
      for (const digest of result.referenced) referenced.add(digest);
      const progressed = result.lastSeq !== after;
      after = result.lastSeq;
      return progressed;
    };
    // Most pages with the event loop free in between (jobs only gain references through
    // completions, whose chunks are young or owned).
    while (page()) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#stopped) return { expiredJobs, removedChunks: 0, removedBytes: 0 }; // the store is closing
    }
    this.#store.expireChunkOwners(cutoff);
    const files = await this.#chunks.fileChunksOlderThan(now - this.#graceMs);
    if (this.#stopped) return { expiredJobs, removedChunks: 0, removedBytes: 0 };
    // The decision in one synchronous step: jobs added since the pages above, every owner, then
    // the choice (removeUnreferenced decides before its first await).
    while (page());
    for (const digest of this.#store.ownedChunkDigests()) referenced.add(digest);
    const removed = await this.#chunks.removeUnreferenced(files, (digest) => referenced.has(digest), now - this.#graceMs);
    this.#metrics?.resultsExpired.inc(expiredJobs);
    this.#metrics?.chunksRemoved.inc(removed.chunks);
    this.#metrics?.chunkBytesRemoved.inc(removed.bytes);
    if (expiredJobs > 0 || removed.chunks > 0) {
      this.#log(
        `result retention: results of ${expiredJobs} job(s) past ${this.#retentionMs / DAY_MS} day(s) dropped; ${removed.chunks} unreferenced chunk(s), ${removed.bytes} bytes, removed`,
      );
    }
    return { expiredJobs, removedChunks: removed.chunks, removedBytes: removed.bytes };
  }
}
