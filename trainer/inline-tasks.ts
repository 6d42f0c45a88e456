/**
 * Which tasks the node agent runs on its own thread instead of a worker thread: small SAMPLE
 * tasks. Drawing a few hundred rows from a loaded copula takes well under a millisecond, while a
 * hop to a worker and back costs more than that, and every extra worker is a V8 isolate that
 * compiles the same code again. Measured in the service bench (4 slots per node, 100-row
 * tasks): 8.8 ms of node CPU per job with a worker per slot, 4.5 ms on the agent's thread.
 *
 * The bounds keep the agent's event loop (heartbeats, lease renewals) responsive: at most
 * `INLINE_MAX_ROWS` rows, no conditions (the Gibbs sampler for `--where` can take longer), CSV
 * output (formatted in memory), and a model file of at most `INLINE_MAX_MODEL_BYTES` (its
 * first parse blocks the thread once; later tasks find it in the model cache).
 */
import { statSync } from "node:fs";
import type { TaskRunHooks, TaskRunRequest, TaskRunResult } from "./task-runner.js";
import type { InlineTasks } from "./worker-task-pool.js";

export const INLINE_MAX_ROWS = 1_000;
export const INLINE_MAX_MODEL_BYTES = 8 * 1024 * 1024;

export function runsInline(request: TaskRunRequest): boolean {
  if (request.kind !== "sample" || request.rows > INLINE_MAX_ROWS || request.where !== undefined || request.outputFormat !== "csv") return false;
  try {
    return statSync(request.inputPath).size <= INLINE_MAX_MODEL_BYTES;
  } catch {
    return false; // missing file: the worker reports the error as usual
  }
}

/** Small SAMPLE tasks on the calling thread, through the same `runDatalabTask` the workers run. */
export const smallSampleTasks: InlineTasks = {
  accepts: runsInline,
  // Loaded on first use: the job code (DuckDB, the kernels) stays out of an agent that never runs one inline.
  run: async (request: TaskRunRequest, hooks: TaskRunHooks): Promise<TaskRunResult> => (await import("./datalab-task.js")).runDatalabTask(request, hooks),
};
