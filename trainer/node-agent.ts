/**
 * The worker node agent: dials out to the coordinator, registers its capabilities, heartbeats at
 * the negotiated interval, long-polls for tasks that fit, runs them, and reports their outcomes
 * (first written to its local spool, except small successes, spooled only when their report
 * fails). A "session" is one registration: it ends when the
 * coordinator stops answering (two missed heartbeats, or a failed long poll) or forgets the node,
 * and the agent registers again with exponential backoff and jitter. Running tasks keep running
 * across sessions; finished ones wait in the spool until a coordinator acknowledges them.
 *
 * Shutdown (SIGTERM): stop leasing, let running tasks finish for `shutdownGraceSeconds`, then
 * hand the rest back with ReleaseTask, deregister, and resolve run() with 0.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makePrivateDir, type NodeServiceClient, PRIVATE_FILE_MODE, type TaskOut, tunables } from "../proto/index.js";
import { ReconnectBackoff, sleepUnlessAborted } from "./backoff.js";
import type { NodeCapabilities } from "./capabilities.js";
import type { NodeAgentConfig } from "./node-config.js";
import type { NodeMetrics } from "./node-metrics.js";
import { CompletionBatcher } from "./completion-batcher.js";
import { InputCache } from "./input-cache.js";
import * as grpc from "@grpc/grpc-js";
import { cancellableCall, describeRpcError, isAuthRpcError, statusOf } from "./node-rpc.js";
import { heartbeatLoop, registerNode, registrationOf, type Session } from "./node-session.js";
import { reportOutcome } from "./outcome-reporter.js";
import { ResultSpool, type SpooledOutcome } from "./result-spool.js";
import { removeTaskDir, runAttempt, TaskAttempt, taskDirOf } from "./task-attempt.js";
import type { TaskRunner } from "./task-runner.js";
import type { NodeGpuReading } from "./gpu-telemetry.js";

/** The work folder's instance id (`<work-dir>/instance-id`), made on first use. */
async function instanceIdOf(workDir: string): Promise<string> {
  const path = join(workDir, "instance-id");
  const existing = await readFile(path, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (/^[0-9a-f-]{36}$/.test(existing)) return existing;
  const id = randomUUID();
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${id}\n`, { mode: PRIVATE_FILE_MODE });
  await rename(temp, path);
  return id;
}

export class NodeAgentError extends Error {
  override readonly name = "NodeAgentError";
}

export interface NodeAgentOptions {
  config: NodeAgentConfig;
  capabilities: NodeCapabilities;
  client: NodeServiceClient;
  runner: TaskRunner;
  metrics: NodeMetrics;
  /** Most tasks run at once. */
  maxConcurrentTasks: number;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Live readings of the node's GPUs (NVML; none without a driver): sent in heartbeats. */
  gpuReadings?: () => NodeGpuReading[];
}

export class NodeAgent {
  readonly #options: NodeAgentOptions;
  readonly #spool: ResultSpool;
  readonly #backoff: ReconnectBackoff;
  readonly #running = new Map<string, TaskAttempt>();
  readonly #reporting = new Set<string>();
  /** Failed report rounds per task, for the retry delay. */
  readonly #reportRetries = new Map<string, number>();
  /** Aborted on shutdown: wakes sleeps and cancels the long poll. */
  readonly #stopLeasing = new AbortController();
  #session: Session | undefined;
  #leaseSeconds: number = tunables.leaseSeconds;
  #maxChunkBytes: number = tunables.maxChunkBytes;
  #maxInlineResultBytes = 0;
  #slotFreed: (() => void) | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #registeredOnce = false;
  /** Completions finishing while one is on its way go out together (CompleteTasks). */
  readonly #completions: CompletionBatcher;
  readonly #inputs: InputCache;
  /**
   * RegisterNodeRequest.instance_id: the id of this agent's work folder (kept in it; the folder is
   * locked to one process by cli/node.ts). The coordinator refuses another agent under our node id
   * while we heartbeat; an agent restarted on the same folder (after kill -9) is the same instance.
   */
  #instanceId = "";

  constructor(options: NodeAgentOptions) {
    this.#options = options;
    const { client } = options;
    this.#inputs = new InputCache(join(options.config.workDir, "inputs"), options.config.inputCacheBytes, (line) => this.#log(line));
    options.metrics.inputCacheBytes = () => this.#inputs.bytes;
    options.metrics.tasksPerGpu = () => {
      const perGpu = new Map<number, number>();
      for (const attempt of this.#running.values()) for (const index of attempt.task.gpuIndexes ?? []) perGpu.set(index, (perGpu.get(index) ?? 0) + 1);
      return perGpu;
    };
    const deadline = tunables.unaryDeadlineSeconds;
    this.#completions = new CompletionBatcher({
      one: (request) => cancellableCall((metadata, callOptions, callback) => client.completeTask(request, metadata, callOptions, callback), deadline),
      many: (completions) =>
        cancellableCall(
          (metadata, callOptions, callback) => client.completeTasks({ nodeId: options.config.nodeId, completions }, metadata, callOptions, callback),
          deadline,
        ),
    });
    this.#spool = new ResultSpool(options.config.workDir);
    this.#backoff = new ReconnectBackoff({ baseMs: options.config.reconnectBaseMs, capMs: options.config.reconnectCapMs });
  }

  get runningTaskIds(): string[] {
    return [...this.#running.keys()];
  }

  /** Stop leasing; hand back what still runs after the grace period (0 = at once). */
  requestShutdown(graceSeconds: number = this.#options.config.shutdownGraceSeconds): void {
    const first = !this.#stopLeasing.signal.aborted;
    this.#stopLeasing.abort();
    if (first)
      this.#log(
        `shutting down: no new tasks; ${this.#running.size === 0 ? "none running" : `${this.#running.size} running, handed back if not done in ${graceSeconds} s`}`,
      );
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      for (const attempt of this.#running.values()) attempt.stop("handed_back");
    }, graceSeconds * 1000);
    this.#graceTimer.unref();
    this.#slotFreed?.();
  }

  /** Runs until shutdown completes; resolves 0, or rejects with NodeAgentError when the coordinator refuses this node's identity. */
  async run(): Promise<number> {
    // Inputs, outputs and unreported results are real data at rest: owner-only (cli/node.ts also sets the umask).
    makePrivateDir(this.#options.config.workDir);
    this.#instanceId = await instanceIdOf(this.#options.config.workDir);
    await this.#spool.open();
    await this.#removeAbandonedTaskDirs();
    while (!(this.#stopLeasing.signal.aborted && this.#running.size === 0)) {
      let session: Session;
      try {
        session = await this.#register();
      } catch (error) {
        if (isAuthRpcError(error) && !this.#registeredOnce) {
          throw new NodeAgentError(
            `the coordinator refused node "${this.#options.config.nodeId}" (${describeRpcError(error)}); check --node-id matches the certificate in --tls-dir.`,
            { cause: error },
          );
        }
        if (statusOf(error) === grpc.status.ALREADY_EXISTS && !this.#registeredOnce) {
          throw new NodeAgentError(`another agent is running as node "${this.#options.config.nodeId}": ${describeRpcError(error)}`, { cause: error });
        }
        this.#options.metrics.coordinatorConnected.set(0);
        const delayMs = this.#backoff.nextDelayMs();
        this.#log(`cannot register with ${this.#options.config.coordinatorAddress} (${describeRpcError(error)}); retrying in ${(delayMs / 1000).toFixed(1)} s`);
        // While stopping with tasks still running, keep trying so their outcomes get reported.
        await sleepUnlessAborted(delayMs, this.#running.size > 0 ? undefined : this.#stopLeasing.signal);
        continue;
      }
      this.#session = session;
      const heartbeats = heartbeatLoop(this.#options.client, this.#options.config.nodeId, session, {
        runningTaskIds: () => this.runningTaskIds,
        gpuMemory: () =>
          (this.#options.gpuReadings?.() ?? []).map((r) => ({ index: r.cudaIndex, freeBytes: r.memoryFreeBytes, totalBytes: r.memoryTotalBytes })),
        onCancelled: (taskId) => this.#running.get(taskId)?.stop("cancelled"),
        onLost: (taskId) => this.#running.get(taskId)?.stop("lost", "the heartbeat answer lists it as lost"),
        log: (line) => this.#log(line),
      });
      // Outcomes finished while the coordinator was away go first: leasing before them could take
      // back (and run again) a job whose re-queued lease this node has already finished.
      await this.#reportPending(session);
      try {
        await this.#leaseLoop(session);
      } catch (error) {
        if (!session.controller.signal.aborted) this.#log(`lost the coordinator (${describeRpcError(error)}); reconnecting`);
      }
      session.controller.abort();
      await heartbeats;
      this.#session = undefined;
      this.#options.metrics.coordinatorConnected.set(0);
      if (!this.#stopLeasing.signal.aborted) {
        this.#options.metrics.reconnectsTotal.inc();
        await sleepUnlessAborted(this.#backoff.nextDelayMs(), this.#stopLeasing.signal);
      }
    }
    await this.#deregister();
    clearTimeout(this.#graceTimer);
    return 0;
  }

  /** Outputs of attempts that died with an earlier run of this agent (kill -9) and left no outcome. */
  async #removeAbandonedTaskDirs(): Promise<void> {
    const keep = new Set((await this.#spool.pending()).map((outcome) => taskDirOf(this.#options.config.workDir, outcome.taskId)));
    const tasksDir = join(this.#options.config.workDir, "tasks");
    const entries = await readdir(tasksDir).catch(() => [] as string[]);
    for (const entry of entries) {
      const dir = join(tasksDir, entry);
      if (!keep.has(dir)) await rm(dir, { recursive: true, force: true });
    }
  }

  #log(line: string): void {
    this.#options.log(line);
  }

  async #register(): Promise<Session> {
    const { config, capabilities } = this.#options;
    const request = registrationOf(config.nodeId, capabilities, this.#options.maxConcurrentTasks, this.#options.env ?? process.env, this.#instanceId);
    const { session, activeTasks } = await registerNode(this.#options.client, request);
    this.#leaseSeconds = session.leaseSeconds;
    this.#maxChunkBytes = session.maxChunkBytes;
    this.#maxInlineResultBytes = session.maxInlineResultBytes;
    this.#backoff.reset();
    this.#options.metrics.coordinatorConnected.set(1);
    this.#log(
      `${this.#registeredOnce ? "re-registered" : "registered"} with ${config.coordinatorAddress} as ${config.nodeId} (heartbeat ${session.heartbeatIntervalSeconds} s, lease ${session.leaseSeconds} s, ${capabilities.gpus.length} GPU, ${capabilities.cpuCores} cores)`,
    );
    this.#registeredOnce = true;
    await this.#reconcileActiveTasks(activeTasks);
    return session;
  }

  /** Tasks the coordinator believes we hold: keep those we run or have finished; hand back the rest. */
  async #reconcileActiveTasks(active: TaskOut[]): Promise<void> {
    if (active.length === 0) return;
    const spooled = new Set((await this.#spool.pending()).map((outcome) => `${outcome.taskId} ${outcome.leaseId}`));
    for (const task of active) {
      const running = this.#running.get(task.taskId);
      if (running?.task.leaseId === task.leaseId || spooled.has(`${task.taskId} ${task.leaseId}`)) continue;
      this.#log(`handing back ${task.taskId}: this node no longer runs it (restarted)`);
      await this.#release(task, "node restarted and no longer runs this task");
    }
  }

  async #release(task: TaskOut, reason: string): Promise<void> {
    try {
      await cancellableCall(
        (metadata, options, callback) =>
          this.#options.client.releaseTask(
            { nodeId: this.#options.config.nodeId, taskId: task.taskId, leaseId: task.leaseId, reason },
            metadata,
            options,
            callback,
          ),
        tunables.unaryDeadlineSeconds,
      );
    } catch (error) {
      this.#log(`could not hand back ${task.taskId} (${describeRpcError(error)}); its lease will expire instead`);
    }
  }

  async #leaseLoop(session: Session): Promise<void> {
    const signal = AbortSignal.any([session.controller.signal, this.#stopLeasing.signal]);
    while (!session.controller.signal.aborted) {
      if (this.#stopLeasing.signal.aborted) {
        // Shutting down: keep the session (heartbeats, reports) until every task is done.
        if (this.#running.size === 0 && this.#reporting.size === 0) return;
        await this.#waitForSlot(session.controller.signal);
        continue;
      }
      if (this.#running.size >= this.#options.maxConcurrentTasks) {
        await this.#waitForSlot(signal);
        continue;
      }
      const waitSeconds = Math.min(this.#options.config.leaseWaitSeconds, tunables.maxLeaseTaskWaitSeconds);
      let task: TaskOut | null | undefined;
      try {
        const response = await cancellableCall<{ task: TaskOut | null }>(
          (metadata, options, callback) =>
            this.#options.client.leaseTask({ nodeId: this.#options.config.nodeId, waitSeconds: Math.ceil(waitSeconds) }, metadata, options, callback),
          waitSeconds + tunables.longPollSlackSeconds,
          signal,
        );
        task = response.task;
      } catch (error) {
        if (signal.aborted) continue;
        throw error;
      }
      if (task) this.#startTask(task, session);
    }
  }

  #waitForSlot(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        this.#slotFreed = undefined;
        resolve();
      };
      this.#slotFreed = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #startTask(task: TaskOut, session: Session): void {
    const attempt = new TaskAttempt(task);
    this.#running.set(task.taskId, attempt);
    this.#options.metrics.tasksRunning.set(this.#running.size);
    this.#log(`leased ${task.taskId} (${attempt.kindLabel}, attempt ${task.attempt})`);
    void this.#runTask(attempt, session).finally(() => this.#freeSlot(task.taskId));
  }

  /** The task no longer occupies a slot (done and spooled, or stopped); idempotent. */
  #freeSlot(taskId: string): void {
    if (!this.#running.delete(taskId)) return;
    this.#options.metrics.tasksRunning.set(this.#running.size);
    this.#slotFreed?.();
  }

  async #runTask(attempt: TaskAttempt, session: Session): Promise<void> {
    const { config, metrics } = this.#options;
    const outcome = await runAttempt(
      {
        client: this.#options.client,
        nodeId: config.nodeId,
        workDir: config.workDir,
        leaseSeconds: () => this.#leaseSeconds,
        deadlineSeconds: tunables.unaryDeadlineSeconds,
        runner: this.#options.runner,
        inputs: this.#inputs,
        log: (line) => this.#log(line),
        onDownloadedBytes: (bytes) => metrics.downloadedBytesTotal.inc(bytes),
      },
      attempt,
    ).catch((error: unknown) => {
      // Not expected (the runner's errors become failed outcomes): the lease will expire and the job re-run.
      this.#log(`could not finish ${attempt.task.taskId}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    const seconds = (performance.now() - attempt.startedAtMs) / 1000;
    if (outcome === undefined) {
      const reason = attempt.stopReason ?? "lost";
      metrics.tasksTotal.inc({ kind: attempt.kindLabel, outcome: reason });
      metrics.taskDurationSeconds.observe({ kind: attempt.kindLabel, outcome: reason }, seconds);
      const why = reason === "handed_back" ? "handed back (shutdown)" : reason === "cancelled" ? "job cancelled" : "lease lost";
      this.#log(`stopped ${attempt.task.taskId}: ${why}${attempt.stopDetail ? ` (${attempt.stopDetail})` : ""}`);
      if (reason === "handed_back") await this.#release(attempt.task, "node shutting down");
      return;
    }
    // A small result goes inline in CompleteTask with lease_next: the slot stays held until the
    // answer, which may carry this node's next task (one round trip per task instead of two
    // while work is queued). A longer report (uploads, a failure) frees the slot first, so the
    // next task is leased while it runs. #report marks itself in #reporting before its first
    // await, so a shutdown still waits for it.
    const leaseNext = !this.#stopLeasing.signal.aborted;
    // Spooled first (so a coordinator outage or an agent restart re-reports it), except a small
    // success about to go inline: that one is spooled only if its report does not go through.
    // Should the agent die during that report, the lease expires and the job runs again: cheap
    // for a small job, and the coordinator's store still guarantees it is neither lost nor
    // completed twice. (Writing, renaming and deleting a spool file per small task was a
    // visible share of a node's CPU.)
    const spoolFirst = !(leaseNext && outcome.outcome === "succeeded" && (await this.#fitsInline(outcome)));
    if (spoolFirst) {
      try {
        await this.#spool.put(outcome);
      } catch (error) {
        // Disk full or gone: nothing to report from; the lease will expire and the job re-run.
        this.#log(`could not record the outcome of ${attempt.task.taskId}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    let freed = false;
    const freeSlot = () => {
      if (freed) return;
      freed = true;
      this.#freeSlot(attempt.task.taskId);
    };
    const onNextTask = (next: TaskOut) => {
      if (this.#stopLeasing.signal.aborted) void this.#release(next, "node shutting down");
      else this.#startTask(next, this.#session ?? session); // before the old slot is freed: the lease loop keeps waiting
      freeSlot();
    };
    const report = this.#report(outcome, this.#session ?? session, leaseNext ? { leaseNext: true, onNoLeaseNext: freeSlot, onNextTask } : {}, spoolFirst);
    if (!leaseNext) freeSlot();
    await report;
    freeSlot();
  }

  async #reportPending(session: Session): Promise<void> {
    try {
      for (const outcome of await this.#spool.pending()) {
        if (session.controller.signal.aborted) return;
        if (this.#running.has(outcome.taskId)) continue;
        await this.#report(outcome, session);
      }
    } catch (error) {
      this.#log(`could not read the result spool: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Whether the outcome's files fit inside CompleteTask (the coordinator's max_inline_result_bytes). */
  async #fitsInline(outcome: SpooledOutcome): Promise<boolean> {
    if (this.#maxInlineResultBytes <= 0 || outcome.files.length === 0) return false;
    const sizes = await Promise.all(
      outcome.files.map(
        (file) =>
          file.data?.length ??
          stat(file.path).then(
            (info) => info.size,
            () => Number.POSITIVE_INFINITY,
          ),
      ),
    );
    return sizes.reduce((sum, size) => sum + size, 0) <= this.#maxInlineResultBytes;
  }

  /**
   * Reports an outcome. With `leaseNext`, a task CompleteTask leased in the same call goes to
   * `onNextTask` as soon as the answer arrives (before the spool entry is cleaned up). An
   * outcome not `spooled` yet is spooled when the report cannot go through now.
   */
  async #report(
    outcome: SpooledOutcome,
    session: Session,
    next: { leaseNext?: boolean; onNoLeaseNext?: () => void; onNextTask?: (task: TaskOut) => void } = {},
    spooled = true,
  ): Promise<void> {
    if (this.#reporting.has(outcome.taskId)) return;
    this.#reporting.add(outcome.taskId);
    const { metrics, config } = this.#options;
    try {
      const verdict = await reportOutcome(
        {
          client: this.#options.client,
          nodeId: config.nodeId,
          maxChunkBytes: this.#maxChunkBytes,
          maxInlineResultBytes: this.#maxInlineResultBytes,
          deadlineSeconds: tunables.unaryDeadlineSeconds,
          complete: (request) => this.#completions.complete(request),
          ...(next.leaseNext === undefined ? {} : { leaseNext: next.leaseNext }),
          ...(next.onNoLeaseNext === undefined ? {} : { onNoLeaseNext: next.onNoLeaseNext }),
        },
        outcome,
      );
      if (verdict.kind === "acknowledged" && verdict.nextTask !== undefined) next.onNextTask?.(verdict.nextTask);
      if (verdict.kind === "retry-later") {
        if (!spooled) {
          try {
            await this.#spool.put(outcome);
          } catch (error) {
            this.#log(
              `could not record the outcome of ${outcome.taskId}: ${error instanceof Error ? error.message : String(error)}; its lease will expire and the job run again`,
            );
            return;
          }
        }
        const tries = (this.#reportRetries.get(outcome.taskId) ?? 0) + 1;
        this.#reportRetries.set(outcome.taskId, tries);
        const delayMs = Math.min(this.#options.config.reconnectCapMs, this.#options.config.reconnectBaseMs * 2 ** tries);
        this.#log(
          `could not report ${outcome.taskId} yet (${verdict.reason}); kept on disk, retrying in ${(delayMs / 1000).toFixed(1)} s or after reconnecting`,
        );
        // A coordinator that cannot take reports is as good as gone: start a new session.
        if (!session.controller.signal.aborted && verdict.reason.startsWith("NOT_FOUND")) session.controller.abort();
        // A transient failure on a live session (one dropped chunk) must not strand the outcome until the next reconnect.
        setTimeout(() => {
          const current = this.#session;
          if (current !== undefined && !current.controller.signal.aborted) void this.#report(outcome, current);
        }, delayMs).unref();
        return;
      }
      this.#reportRetries.delete(outcome.taskId);
      const label = verdict.kind === "refused" ? "refused" : outcome.outcome;
      metrics.tasksTotal.inc({ kind: outcome.jobKind, outcome: label });
      metrics.taskDurationSeconds.observe({ kind: outcome.jobKind, outcome: label }, outcome.durationSeconds);
      if (verdict.kind === "acknowledged") {
        metrics.uploadedBytesTotal.inc(verdict.uploadedBytes);
        // One line per outcome (with the lease line, two per task: at hundreds of tasks a second, log lines cost CPU).
        const failure = outcome.outcome === "failed" ? ` (${outcome.errorMessage})` : "";
        const retry = verdict.willRetry === undefined ? "" : verdict.willRetry ? " (will retry)" : " (no retry)";
        this.#log(`reported ${outcome.taskId}: ${outcome.outcome}${failure} in ${outcome.durationSeconds.toFixed(2)} s${retry}`);
      } else {
        this.#log(`coordinator refused the outcome of ${outcome.taskId} (${verdict.reason}); dropping it`);
      }
      if (spooled) await this.#spool.remove(outcome.taskId);
      await removeTaskDir(
        taskDirOf(config.workDir, outcome.taskId),
        outcome.files.map((file) => file.path),
      );
    } finally {
      this.#reporting.delete(outcome.taskId);
      this.#slotFreed?.();
    }
  }

  async #deregister(): Promise<void> {
    try {
      await cancellableCall(
        (metadata, options, callback) => this.#options.client.deregisterNode({ nodeId: this.#options.config.nodeId }, metadata, options, callback),
        2,
      );
      this.#log("deregistered; bye");
    } catch (error) {
      this.#log(`could not deregister (${describeRpcError(error)}); the coordinator will mark this node offline after two missed heartbeats`);
    }
    this.#options.metrics.coordinatorConnected.set(0);
  }
}
