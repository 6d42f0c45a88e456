/**
 * The service bench's load generator: the concurrent clients run in a worker thread of their
 * own, so what they measure is the coordinator, not the bench's main thread (which reads every
 * child process's output and keeps the books, and whose garbage collections would otherwise
 * stall all 20 clients at once and show up as submit latency).
 *
 * `SubmitLoad` (main thread) starts the worker; the worker (this same file, run as a worker)
 * opens one TLS channel per client and runs phases on request.
 */
import { randomUUID } from "node:crypto";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { connectJobService, type JobServiceClient, type JobSpec, readClientTls } from "../../proto/index.js";
import { listAllJobs, submitJob } from "../../service-tests/job-calls.js";

export interface PhaseRequest {
  /** Every job gets this spec with its own seed (seedBase + job number). */
  spec: JobSpec;
  paced: boolean;
  /** Offered rate when paced (jobs/s, all clients together). */
  jobsPerSecond: number;
  jobs: number;
  seedBase: number;
}

export interface PhaseResult {
  jobIds: string[];
  seconds: number;
  latenciesMs: number[];
}

interface LoadSetup {
  address: string;
  tlsDir: string;
  clientNames: string[];
}

type ToWorker = { type: "phase"; id: number; request: PhaseRequest } | { type: "close" };
type FromWorker = { type: "ready" } | { type: "result"; id: number; result: PhaseResult } | { type: "error"; id: number; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Submits `jobs` jobs from all clients. Paced: every client submits on a fixed schedule so that
 * together they offer `jobsPerSecond`, and latency counts from each submit's scheduled time (a
 * stall is not hidden by the clients slowing down: no coordinated omission). Otherwise each
 * client submits back-to-back (closed loop).
 */
async function runPhase(channels: JobServiceClient[], request: PhaseRequest): Promise<PhaseResult> {
  const perClient = request.jobs / channels.length;
  const intervalMs = (1000 * channels.length) / request.jobsPerSecond;
  const jobIds: string[] = [];
  const latenciesMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    channels.map(async (client, c) => {
      // Clients start staggered across one interval, so the offered load is smooth.
      const offsetMs = (c * intervalMs) / channels.length;
      for (let i = 0; i < perClient; i++) {
        const scheduled = started + offsetMs + i * intervalMs;
        if (request.paced) await sleep(scheduled - performance.now());
        const from = request.paced ? scheduled : performance.now();
        const { job } = await submitJob(client, { ...request.spec, seed: request.seedBase + c * perClient + i }, randomUUID());
        latenciesMs.push(performance.now() - from);
        jobIds.push(job.jobId);
      }
    }),
  );
  return { jobIds, seconds: (performance.now() - started) / 1000, latenciesMs };
}

async function workerMain(setup: LoadSetup): Promise<void> {
  const port = parentPort!;
  const channels = setup.clientNames.map((name) => {
    const tls = readClientTls(setup.tlsDir, name);
    return connectJobService({ address: setup.address, token: tls.token, caPem: tls.caPem, serverNameOverride: "localhost" });
  });
  // TLS handshakes done before any clock starts.
  await Promise.all(channels.map((client) => listAllJobs(client, "", 1)));
  port.on("message", (message: ToWorker) => {
    if (message.type === "close") {
      for (const channel of channels) channel.close();
      port.close();
      return;
    }
    runPhase(channels, message.request).then(
      (result) => port.postMessage({ type: "result", id: message.id, result } satisfies FromWorker),
      (error: unknown) =>
        port.postMessage({ type: "error", id: message.id, message: error instanceof Error ? error.message : String(error) } satisfies FromWorker),
    );
  });
  port.postMessage({ type: "ready" } satisfies FromWorker);
}

/** Main-thread handle on the load worker. */
export class SubmitLoad {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (result: PhaseResult) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.type === "result") pending?.resolve(message.result);
      else pending?.reject(new Error(`load worker: ${message.message}`));
    });
  }

  /** Starts the worker; resolves once every client channel is connected. */
  static async start(setup: LoadSetup): Promise<SubmitLoad> {
    const worker = new Worker(new URL(import.meta.url), { workerData: setup });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type !== "ready") return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve();
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
    const load = new SubmitLoad(worker);
    worker.on("error", (error) => {
      for (const pending of load.#pending.values()) pending.reject(error);
      load.#pending.clear();
    });
    return load;
  }

  phase(request: PhaseRequest): Promise<PhaseResult> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ type: "phase", id, request } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    this.#worker.postMessage({ type: "close" } satisfies ToWorker);
    await this.#worker.terminate();
  }
}

if (!isMainThread && (workerData as { clientNames?: unknown } | null)?.clientNames !== undefined) {
  await workerMain(workerData as LoadSetup);
}
