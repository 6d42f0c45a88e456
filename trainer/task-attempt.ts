/**
 * One attempt of one job on this node: fetch the input (bundled, or downloaded in verified
 * chunks and cached by SHA-256), keep the lease alive with ReportProgress (which also tells the
 * node when the job was cancelled), and run the task runner to an outcome. Spooling and
 * reporting the outcome are the agent's job, not this file's.
 */
import { mkdir, rm, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ChunkIntegrityError, downloadFile, type NodeServiceClient, PRIVATE_DIR_MODE, type TaskOut } from "../proto/index.js";
import { resolveBundledUri } from "./bundled-inputs.js";
import type { CachedInput, InputCache } from "./input-cache.js";
import { cancellableCall, describeRpcError, statusOf } from "./node-rpc.js";
import type { SpooledOutcome } from "./result-spool.js";
import { isRetryableTaskError, type TaskRunner, TaskSpecError, taskRunRequestOf } from "./task-runner.js";

/** Why an attempt stopped before finishing: the job was cancelled, the lease was lost, or the node handed it back. */
export type StopReason = "cancelled" | "lost" | "handed_back";

export class TaskAttempt {
  readonly task: TaskOut;
  readonly controller = new AbortController();
  readonly startedAtMs = performance.now();
  stopReason: StopReason | undefined;
  /** What the coordinator said when the attempt stopped (for the log). */
  stopDetail = "";
  readonly stopped: Promise<StopReason>;
  #resolveStopped!: (reason: StopReason) => void;

  constructor(task: TaskOut) {
    this.task = task;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  get kindLabel(): string {
    return this.task.spec?.kind === "JOB_KIND_SAMPLE" ? "sample" : "synthesis";
  }

  stop(reason: StopReason, detail = ""): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.stopDetail = detail;
    this.controller.abort(new Error(`task ${reason}`));
    this.#resolveStopped(reason);
  }
}

export interface AttemptContext {
  client: NodeServiceClient;
  nodeId: string;
  workDir: string;
  /** Lease length in force (from the latest registration). */
  leaseSeconds: () => number;
  deadlineSeconds: number;
  runner: TaskRunner;
  /** Downloaded inputs, shared by this node's tasks. */
  inputs: InputCache;
  log: (line: string) => void;
  onDownloadedBytes: (bytes: number) => void;
}

export function taskDirOf(workDir: string, taskId: string): string {
  return join(workDir, "tasks", encodeURIComponent(taskId));
}

/**
 * Removes an attempt's folder: at once when it is empty (a small result never left memory),
 * else its known files one by one and then the folder, and a recursive removal only when
 * something else is in it. (A recursive rm stats every entry first; per small task that was the
 * node's largest file-system cost.)
 */
export async function removeTaskDir(dir: string, knownFiles: readonly string[]): Promise<void> {
  const removeDir = () =>
    rmdir(dir).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code === "ENOENT",
    );
  if (await removeDir()) return;
  await Promise.all(knownFiles.filter((path) => dirname(path) === dir).map((path) => unlink(path).catch(() => undefined)));
  if (!(await removeDir())) await rm(dir, { recursive: true, force: true });
}

/** The job's input: a bundled file, or the upload from the node's input cache (downloaded once). */
async function prepareInput(context: AttemptContext, attempt: TaskAttempt): Promise<CachedInput> {
  const { task } = attempt;
  const input = task.spec?.input;
  if (input?.source === "bundledUri" && input.bundledUri !== undefined) return { path: resolveBundledUri(input.bundledUri), release: () => undefined };
  const manifest = input?.upload;
  if (input?.source !== "upload" || manifest === undefined || manifest === null) {
    throw new TaskSpecError("the job names no input (neither an upload nor a bundled URI); submit it again with an input.");
  }
  return context.inputs.acquire(manifest.sha256, basename(manifest.name) || "input", async (path) => {
    await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    const received = await downloadFile(
      (startChunkIndex, deadline) =>
        context.client.downloadInput({ nodeId: context.nodeId, taskId: task.taskId, leaseId: task.leaseId, startChunkIndex }, { deadline }),
      path,
      { onChunk: () => undefined },
    );
    if (received.sha256 !== manifest.sha256) {
      await rm(path, { force: true });
      throw new ChunkIntegrityError(
        `the coordinator sent input ${received.sha256.slice(0, 12)}… for a job that names ${manifest.sha256.slice(0, 12)}…; submit the job again.`,
      );
    }
    context.onDownloadedBytes(received.sizeBytes);
  });
}

/** Keeps the lease alive and learns cancellation; returns a function to stop it. */
function startLeaseKeeper(context: AttemptContext, attempt: TaskAttempt) {
  const { task } = attempt;
  let latest = { fraction: 0, phase: "start", message: "" };
  let inFlight = false;
  // The first report waits a moment: a task that is done by then goes straight from LEASED to
  // its outcome without a progress write on the coordinator (most small jobs).
  let lastSentMs = Date.now();
  const send = async (): Promise<void> => {
    if (inFlight || attempt.stopReason !== undefined) return;
    inFlight = true;
    lastSentMs = Date.now();
    try {
      const response = await cancellableCall<{ cancelRequested: boolean }>(
        (metadata, options, callback) =>
          context.client.reportProgress(
            { nodeId: context.nodeId, taskId: task.taskId, leaseId: task.leaseId, progress: { ...latest, updateTimeUnixMs: Date.now() } },
            metadata,
            options,
            callback,
          ),
        context.deadlineSeconds,
      );
      if (response.cancelRequested) attempt.stop("cancelled");
    } catch (error) {
      const code = statusOf(error);
      // ABORTED: the lease expired and went elsewhere (the proto's rule for stale leases): stop.
      if (code === grpc.status.ABORTED) attempt.stop("lost", describeRpcError(error));
      // Anything else (coordinator restarting, a refused report): keep working; cancellation
      // arrives as cancel_requested or in a heartbeat, and the completion report has the last word.
    } finally {
      inFlight = false;
    }
  };
  // A third of the lease: two reports may be lost before the lease runs out.
  const periodMs = Math.max(250, (context.leaseSeconds() * 1000) / 3);
  const firstTimer = setTimeout(() => void send(), Math.min(1000, periodMs));
  const timer = setInterval(() => void send(), periodMs);
  return {
    update(fraction: number, phase: string, message = ""): void {
      latest = { fraction: Math.min(1, Math.max(0, fraction)), phase, message };
      // Progress callbacks can be frequent; one report a second is plenty for watchers.
      if (Date.now() - lastSentMs >= 1000) void send();
    },
    stop(): void {
      clearTimeout(firstTimer);
      clearInterval(timer);
    },
  };
}

/**
 * Runs the attempt to its outcome (not yet spooled); undefined when it stopped early
 * (cancelled, lost, handed back), in which case there is nothing to report.
 */
export async function runAttempt(context: AttemptContext, attempt: TaskAttempt): Promise<SpooledOutcome | undefined> {
  const { task } = attempt;
  const outputDir = taskDirOf(context.workDir, task.taskId);
  const keeper = startLeaseKeeper(context, attempt);
  const base = {
    format: "datalab-node-outcome" as const,
    version: 1 as const,
    taskId: task.taskId,
    jobId: task.jobId,
    leaseId: task.leaseId,
    jobKind: attempt.kindLabel,
  };
  const work = (async (): Promise<SpooledOutcome> => {
    // mkdir answers undefined when the folder was there already (left by an earlier run of this
    // task on this node): only then is there anything to clear.
    if ((await mkdir(outputDir, { recursive: true, mode: PRIVATE_DIR_MODE })) === undefined) {
      await rm(outputDir, { recursive: true, force: true });
      await mkdir(outputDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    }
    keeper.update(0, "input");
    const input = await prepareInput(context, attempt);
    let result: Awaited<ReturnType<TaskRunner>>;
    try {
      const holdoutUri = task.spec?.scoring?.holdoutUri ?? "";
      const request = taskRunRequestOf({ jobId: task.jobId, taskId: task.taskId }, task.spec!, {
        inputPath: input.path,
        outputDir,
        holdoutPath: holdoutUri === "" ? undefined : resolveBundledUri(holdoutUri),
      });
      result = await context.runner(request, {
        onProgress: (fraction, phase, message) => keeper.update(fraction, phase, message),
        signal: attempt.controller.signal,
      });
    } finally {
      input.release();
    }
    return {
      ...base,
      outcome: "succeeded",
      files: result.files,
      summaryJson: result.summaryJson,
      errorMessage: "",
      retryable: false,
      durationSeconds: (performance.now() - attempt.startedAtMs) / 1000,
      finishedAtUnixMs: Date.now(),
    };
  })().catch((error: unknown): SpooledOutcome => {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...base,
      outcome: "failed",
      files: [],
      summaryJson: "",
      errorMessage: `${error instanceof Error ? error.name : "Error"}: ${message.split("\n")[0]}`,
      retryable: isRetryableTaskError(error),
      durationSeconds: (performance.now() - attempt.startedAtMs) / 1000,
      finishedAtUnixMs: Date.now(),
    };
  });
  try {
    const winner = await Promise.race([work, attempt.stopped]);
    if (typeof winner === "string" || attempt.stopReason !== undefined) {
      // The runner saw the abort signal; once it has let go of its files, drop them.
      void work.finally(() => rm(outputDir, { recursive: true, force: true }).catch(() => undefined));
      return undefined;
    }
    return winner;
  } finally {
    keeper.stop();
  }
}
