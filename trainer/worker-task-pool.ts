/**
 * A TaskRunner that runs each task in a worker thread (trainer/task-worker.ts), so the node
 * agent's own event loop (heartbeats, ReportProgress, long polls) stays responsive however long
 * a fit blocks. Workers are reused between tasks; a task that does not stop within
 * `abortGraceMs` of its abort signal gets its worker terminated (and replaced on next use).
 */
import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./task-worker.js";
import type { TaskRunHooks, TaskRunner, TaskRunRequest, TaskRunResult } from "./task-runner.js";

export class TaskWorkerError extends Error {
  override readonly name = "TaskWorkerError";
}

interface Pending {
  resolve: (result: TaskRunResult) => void;
  reject: (error: Error) => void;
  hooks: TaskRunHooks;
}

interface PooledWorker {
  worker: Worker;
  busy: boolean;
  pending: Map<number, Pending>;
}

/** The error a worker reported, with its class name kept (retryable or not is decided by name). */
function remoteError(name: string, message: string): Error {
  const error = new Error(message);
  Object.defineProperty(error, "name", { value: name });
  return error;
}

/** Tasks small enough that a hop to a worker thread and back costs more than running them here. */
export interface InlineTasks {
  accepts(request: TaskRunRequest): boolean;
  run: TaskRunner;
}

export class WorkerTaskPool {
  readonly #workerUrl: URL;
  readonly #abortGraceMs: number;
  readonly #idle: PooledWorker[] = [];
  readonly #all = new Set<PooledWorker>();
  #nextId = 1;

  readonly #inline: InlineTasks | undefined;

  constructor(options: { workerUrl?: URL; abortGraceMs?: number; inline?: InlineTasks } = {}) {
    this.#workerUrl = options.workerUrl ?? new URL("./task-worker.js", import.meta.url);
    this.#abortGraceMs = options.abortGraceMs ?? 2_000;
    this.#inline = options.inline;
  }

  #spawn(): PooledWorker {
    const pooled: PooledWorker = { worker: new Worker(this.#workerUrl), busy: false, pending: new Map() };
    pooled.worker.on("message", (message: FromWorker) => {
      const pending = pooled.pending.get(message.id);
      if (pending === undefined) return;
      if (message.type === "progress") {
        pending.hooks.onProgress(message.fraction, message.phase, message.message);
        return;
      }
      pooled.pending.delete(message.id);
      if (message.type === "done") pending.resolve(message.result);
      else pending.reject(remoteError(message.name, message.message));
    });
    const fail = (error: Error) => {
      this.#discard(pooled);
      for (const pending of pooled.pending.values()) pending.reject(new TaskWorkerError(`the task worker died: ${error.message}`, { cause: error }));
      pooled.pending.clear();
    };
    pooled.worker.on("error", fail);
    pooled.worker.on("exit", (code) => fail(new Error(`worker exited with code ${code}`)));
    this.#all.add(pooled);
    return pooled;
  }

  #discard(pooled: PooledWorker): void {
    this.#all.delete(pooled);
    const index = this.#idle.indexOf(pooled);
    if (index >= 0) this.#idle.splice(index, 1);
  }

  /** The TaskRunner to hand to the agent. */
  readonly run: TaskRunner = (request: TaskRunRequest, hooks: TaskRunHooks): Promise<TaskRunResult> => {
    if (this.#inline?.accepts(request)) return this.#inline.run(request, hooks);
    const pooled = this.#idle.pop() ?? this.#spawn();
    pooled.busy = true;
    const id = this.#nextId++;
    return new Promise<TaskRunResult>((resolve, reject) => {
      pooled.pending.set(id, { resolve, reject, hooks });
      const onAbort = () => {
        pooled.worker.postMessage({ type: "abort", id } satisfies ToWorker);
        // Synchronous work cannot see the signal: give it a moment, then take the thread down.
        setTimeout(() => {
          if (!pooled.pending.has(id)) return;
          this.#discard(pooled);
          void pooled.worker.terminate();
        }, this.#abortGraceMs).unref();
      };
      if (hooks.signal.aborted) onAbort();
      else hooks.signal.addEventListener("abort", onAbort, { once: true });
      pooled.worker.postMessage({ type: "run", id, request } satisfies ToWorker);
    }).finally(() => {
      pooled.busy = false;
      if (this.#all.has(pooled)) this.#idle.push(pooled);
    });
  };

  async close(): Promise<void> {
    const workers = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }
}
