/**
 * The pool's contract with a worker, driven through a small stand-in worker script (the real
 * trainer/task-worker.js is compiled and exercised by the process-level tests): progress and
 * results cross the thread boundary, error class names survive (they decide retryable or not),
 * workers are reused, and a worker stuck in synchronous code is terminated after an abort.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { threadId } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRunRequest } from "./task-runner.js";
import { isRetryableTaskError } from "./task-runner.js";
import { runRequest } from "./testing/run-request.js";
import { WorkerTaskPool } from "./worker-task-pool.js";

const standIn = `
import { parentPort, threadId } from "node:worker_threads";
const controllers = new Map();
parentPort.on("message", (m) => {
  if (m.type === "abort") { controllers.get(m.id)?.abort(); return; }
  const { rows } = m.request;
  if (rows === 1) {
    parentPort.postMessage({ type: "progress", id: m.id, fraction: 0.5, phase: "fit" });
    parentPort.postMessage({ type: "done", id: m.id, result: { files: [], summaryJson: JSON.stringify({ threadId }) } });
  } else if (rows === 2) {
    const until = Date.now() + 60000; while (Date.now() < until) {} // deaf to aborts
  } else if (rows === 3) {
    parentPort.postMessage({ type: "error", id: m.id, name: "SchemaError", message: "column x is missing" });
  } else if (rows === 4) {
    const c = new AbortController(); controllers.set(m.id, c);
    c.signal.addEventListener("abort", () => parentPort.postMessage({ type: "error", id: m.id, name: "AbortError", message: "stopped" }));
  }
});
`;

let dir: string;
let workerUrl: URL;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pool-"));
  const path = join(dir, "stand-in-worker.mjs");
  await writeFile(path, standIn);
  workerUrl = pathToFileURL(path);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function request(rows: number): TaskRunRequest {
  return runRequest({ rows });
}

describe("WorkerTaskPool", () => {
  it("relays progress and results, and reuses an idle worker", async () => {
    const pool = new WorkerTaskPool({ workerUrl });
    try {
      const progress: string[] = [];
      const hooks = { signal: new AbortController().signal, onProgress: (f: number, phase: string) => progress.push(`${phase}:${f}`) };
      const first = await pool.run(request(1), hooks);
      const second = await pool.run(request(1), hooks);
      expect(progress).toEqual(["fit:0.5", "fit:0.5"]);
      expect(JSON.parse(first.summaryJson).threadId).toBe(JSON.parse(second.summaryJson).threadId);
    } finally {
      await pool.close();
    }
  });

  it("runs the tasks its inline rule accepts on the calling thread, and the rest in a worker", async () => {
    const ran: number[] = [];
    const pool = new WorkerTaskPool({
      workerUrl,
      inline: {
        accepts: (r) => r.rows === 1 && r.kind === "sample",
        run: async (r) => {
          ran.push(r.rows);
          return { files: [], summaryJson: JSON.stringify({ threadId: (await import("node:worker_threads")).threadId }) };
        },
      },
    });
    try {
      const hooks = { signal: new AbortController().signal, onProgress: () => undefined };
      const inline = await pool.run({ ...request(1), kind: "sample" }, hooks);
      const inWorker = await pool.run(request(1), hooks);
      expect(ran).toEqual([1]);
      expect(JSON.parse(inline.summaryJson).threadId).toBe(threadId); // this test's own thread
      expect(JSON.parse(inWorker.summaryJson).threadId).not.toBe(threadId);
    } finally {
      await pool.close();
    }
  });

  it("keeps the error class name so bad input is not retried", async () => {
    const pool = new WorkerTaskPool({ workerUrl });
    try {
      const error = await pool.run(request(3), { signal: new AbortController().signal, onProgress: () => undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("SchemaError");
      expect(isRetryableTaskError(error)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it("passes an abort to a cooperative task, and terminates a worker that ignores it", async () => {
    const pool = new WorkerTaskPool({ workerUrl, abortGraceMs: 200 });
    try {
      // Start the worker first: a cold start slower than the 200 ms grace (a loaded machine) would
      // otherwise get the cooperative task's worker terminated before it sees the abort.
      await pool.run(request(1), { signal: new AbortController().signal, onProgress: () => undefined });
      const cooperative = new AbortController();
      const stopped = pool.run(request(4), { signal: cooperative.signal, onProgress: () => undefined });
      cooperative.abort();
      await expect(stopped).rejects.toMatchObject({ name: "AbortError" });

      const deaf = new AbortController();
      const stuck = pool.run(request(2), { signal: deaf.signal, onProgress: () => undefined });
      const started = Date.now();
      setTimeout(() => deaf.abort(), 50);
      await expect(stuck).rejects.toMatchObject({ name: "TaskWorkerError" });
      expect(Date.now() - started).toBeLessThan(10_000);
      // The pool replaces the terminated worker.
      await expect(pool.run(request(1), { signal: new AbortController().signal, onProgress: () => undefined })).resolves.toMatchObject({ files: [] });
    } finally {
      await pool.close();
    }
  });
});
