/**
 * Worker-thread side of the task pool: runs `runDatalabTask` off the agent's event loop (a
 * model fit is synchronous CPU work that would otherwise starve heartbeats and lease renewals),
 * posting progress and the outcome back. One task at a time per worker; the module stays loaded
 * between tasks, so DuckDB and the kernels initialise once per worker, not once per task.
 */
import { parentPort } from "node:worker_threads";
import { runDatalabTask } from "./datalab-task.js";
import type { TaskRunRequest } from "./task-runner.js";

export type ToWorker = { type: "run"; id: number; request: TaskRunRequest } | { type: "abort"; id: number };
export type FromWorker =
  | { type: "progress"; id: number; fraction: number; phase: string; message?: string }
  | { type: "done"; id: number; result: Awaited<ReturnType<typeof runDatalabTask>> }
  | { type: "error"; id: number; name: string; message: string };

const port = parentPort;
if (port === null) throw new Error("trainer/task-worker.js runs only as a worker thread of the node agent");

const controllers = new Map<number, AbortController>();

/** Least time between two progress messages to the agent. */
const progressIntervalMs = 200;

port.on("message", (message: ToWorker) => {
  if (message.type === "abort") {
    controllers.get(message.id)?.abort(new Error("task stopped by the node agent"));
    return;
  }
  const controller = new AbortController();
  controllers.set(message.id, controller);
  const post = (reply: FromWorker) => port.postMessage(reply);
  // The agent reports progress to the coordinator at most once a second: a few messages a
  // second are plenty, and a small task (done in milliseconds) posts only its first.
  let lastProgressMs = Number.NEGATIVE_INFINITY;
  const onProgress = (fraction: number, phase: string, text?: string) => {
    const now = performance.now();
    if (now - lastProgressMs < progressIntervalMs) return;
    lastProgressMs = now;
    post({ type: "progress", id: message.id, fraction, phase, ...(text === undefined ? {} : { message: text }) });
  };
  runDatalabTask(message.request, { signal: controller.signal, onProgress })
    .then(
      (result) => post({ type: "done", id: message.id, result }),
      (error: unknown) =>
        post({
          type: "error",
          id: message.id,
          name: error instanceof Error ? error.name : "Error",
          message: error instanceof Error ? error.message : String(error),
        }),
    )
    .finally(() => controllers.delete(message.id));
});
