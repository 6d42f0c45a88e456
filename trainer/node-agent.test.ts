/**
 * The agent against a small in-process NodeService (real gRPC on 127.0.0.1, insecure): leasing,
 * progress, chunked upload and completion, cancellation, a coordinator that goes away while a
 * task finishes (the outcome waits in the spool and is re-reported to the restarted one), and
 * shutdown handing a task back. The process-level tests with the real coordinator are in
 * service-tests/.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { type CompleteTaskRequestOut, createNodeClient, loosenedPaths, type NodeServiceHandlers, nodeServiceDefinition, type TaskOut } from "../proto/index.js";
import { NodeAgent } from "./node-agent.js";
import type { NodeAgentConfig } from "./node-config.js";
import { NodeMetrics } from "./node-metrics.js";
import { nodeChannelOptions } from "./node-rpc.js";
import { ResultSpool } from "./result-spool.js";
import type { TaskRunner } from "./task-runner.js";

interface FakeState {
  /** Digests whose next UploadChunk fails once with UNAVAILABLE (an interrupted upload). */
  failOnce: Set<string>;
  /** UploadChunk calls that arrived for a chunk already stored (should stay 0). */
  duplicateUploads: number;
  queue: TaskOut[];
  chunks: Map<string, Buffer>;
  completed: Array<{ taskId: string; leaseId: string; results: Array<{ kind: string; name: string; sha256: string; chunks: string[] }> }>;
  failed: Array<{ taskId: string; errorMessage: string; retryable: boolean }>;
  released: string[];
  progress: Array<{ taskId: string; phase: string }>;
  cancelled: Set<string>;
  registrations: number;
  /** RegisterNodeRequest.instance_id of each registration. */
  instanceIds: string[];
  deregistered: boolean;
  /** What RegisterNode offers for inline results (0: like a coordinator from before them). */
  maxInlineResultBytes: number;
  uploadCalls: number;
  inlineChunks: number;
  /** Whether CompleteTask honours lease_next (a coordinator from before it ignores the field). */
  offerNext: boolean;
  /** CompleteTask calls that asked for the next task. */
  leaseNextRequests: number;
  /** Tasks handed out by LeaseTask (the others came in CompleteTask's next_task). */
  tasksViaLease: number;
  /** Whether CompleteTasks exists (UNIMPLEMENTED otherwise, like a coordinator from before it). */
  offerBatches: boolean;
  /** Completions per CompleteTasks call. */
  batchSizes: number[];
}

function newState(): FakeState {
  return {
    failOnce: new Set(),
    duplicateUploads: 0,
    queue: [],
    chunks: new Map(),
    completed: [],
    failed: [],
    released: [],
    progress: [],
    cancelled: new Set(),
    registrations: 0,
    instanceIds: [],
    deregistered: false,
    maxInlineResultBytes: 0,
    uploadCalls: 0,
    inlineChunks: 0,
    offerNext: false,
    leaseNextRequests: 0,
    tasksViaLease: 0,
    offerBatches: true,
    batchSizes: [],
  };
}

function task(jobId: string): TaskOut {
  return {
    taskId: `${jobId}/1`,
    gpuIndexes: [],
    federated: null,
    leaseId: `lease-${jobId}`,
    jobId,
    attempt: 1,
    leaseDeadlineUnixMs: Date.now() + 10_000,
    spec: {
      kind: "JOB_KIND_SYNTHESIS",
      input: { bundledUri: "vega:penguins.json", source: "bundledUri" },
      federated: null,
      schemaJson: "",
      rows: 10,
      model: "",
      conditions: [],
      scoring: null,
      resources: null,
      modelOptionsJson: "",
      maxAttempts: 0,
      displayName: "",
      outputFormat: "",
    },
  };
}

async function startFake(state: FakeState, port = 0): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  const completeOne = (request: CompleteTaskRequestOut): { accepted: boolean; nextTask?: TaskOut } | { code: grpc.status; details: string } => {
    for (const chunk of request.inlineChunks) {
      if (createHash("sha256").update(chunk.data).digest("hex") !== chunk.sha256) return { code: grpc.status.INVALID_ARGUMENT, details: "digest mismatch" };
      state.chunks.set(chunk.sha256, Buffer.from(chunk.data));
      state.inlineChunks += 1;
    }
    state.completed.push({
      taskId: request.taskId,
      leaseId: request.leaseId,
      results: request.results.map((r) => ({
        kind: r.kind,
        name: r.file?.name ?? "",
        sha256: r.file?.sha256 ?? "",
        chunks: r.file?.chunks.map((c) => c.sha256) ?? [],
      })),
    });
    if (request.leaseNext) state.leaseNextRequests += 1;
    const next = request.leaseNext && state.offerNext ? state.queue.shift() : undefined;
    return next === undefined ? { accepted: true } : { accepted: true, nextTask: next };
  };
  const handlers: NodeServiceHandlers = {
    RegisterNode: (call, callback) => {
      state.registrations += 1;
      state.instanceIds.push(call.request.instanceId);
      callback(null, {
        heartbeatIntervalSeconds: 1,
        leaseSeconds: 3,
        maxChunkBytes: 1024 * 1024,
        activeTasks: [],
        maxInlineResultBytes: state.maxInlineResultBytes,
      });
    },
    Heartbeat: (call, callback) =>
      callback(null, { heartbeatIntervalSeconds: 1, cancelledTaskIds: call.request.runningTaskIds.filter((id) => state.cancelled.has(id)), lostTaskIds: [] }),
    LeaseTask: (_call, callback) => {
      const next = state.queue.shift();
      if (next) state.tasksViaLease += 1;
      // A short long-poll keeps the test quick.
      if (next) callback(null, { task: next });
      else setTimeout(() => callback(null, {}), 100);
    },
    ReportProgress: (call, callback) => {
      state.progress.push({ taskId: call.request.taskId, phase: call.request.progress?.phase ?? "" });
      callback(null, { leaseDeadlineUnixMs: Date.now() + 3000, cancelRequested: state.cancelled.has(call.request.taskId) });
    },
    DownloadInput: (call) => call.destroy({ code: grpc.status.UNIMPLEMENTED, details: "not in the fake" } as grpc.ServiceError),
    UploadChunk: (call, callback) => {
      state.uploadCalls += 1;
      const digest = createHash("sha256").update(call.request.data).digest("hex");
      if (digest !== call.request.sha256) return callback({ code: grpc.status.INVALID_ARGUMENT, details: "digest mismatch" });
      if (state.failOnce.delete(digest)) return callback({ code: grpc.status.UNAVAILABLE, details: "connection reset (test)" });
      const already = state.chunks.has(digest);
      if (already) state.duplicateUploads += 1;
      state.chunks.set(digest, Buffer.from(call.request.data));
      callback(null, { alreadyStored: already, sizeBytes: call.request.data.length });
    },
    FindMissingChunks: (call, callback) => callback(null, { missingSha256: call.request.sha256.filter((digest) => !state.chunks.has(digest)) }),
    CompleteTask: (call, callback) => {
      const answer = completeOne(call.request);
      if ("code" in answer) callback(answer);
      else callback(null, answer);
    },
    CompleteTasks: (call, callback) => {
      if (!state.offerBatches) return callback({ code: grpc.status.UNIMPLEMENTED, details: "a coordinator from before CompleteTasks (test)" });
      state.batchSizes.push(call.request.completions.length);
      const outcomes = call.request.completions.map((request) => {
        const answer = completeOne(request);
        return "code" in answer ? { code: answer.code, message: answer.details } : { code: grpc.status.OK, response: answer };
      });
      callback(null, { outcomes });
    },
    FailTask: (call, callback) => {
      state.failed.push({ taskId: call.request.taskId, errorMessage: call.request.errorMessage, retryable: call.request.retryable });
      callback(null, { willRetry: call.request.retryable, attemptsLeft: 1 });
    },
    ReleaseTask: (call, callback) => {
      state.released.push(call.request.taskId);
      callback(null, { requeued: true });
    },
    DeregisterNode: (_call, callback) => {
      state.deregistered = true;
      callback(null, { requeuedTasks: 0 });
    },
  };
  server.addService(nodeServiceDefinition(), handlers);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { server, port: bound };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startAgent(port: number, runner: TaskRunner, workDir?: string, maxConcurrentTasks = 1) {
  const dir = workDir ?? (await mkdtemp(join(tmpdir(), "node-agent-")));
  if (workDir === undefined) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config: NodeAgentConfig = {
    coordinatorAddress: `127.0.0.1:${port}`,
    tlsDir: undefined,
    insecure: true,
    nodeId: "test-node",
    workDir: dir,
    metricsListen: undefined,
    shutdownGraceSeconds: 5,
    leaseWaitSeconds: 1,
    reconnectBaseMs: 50,
    reconnectCapMs: 300,
    cpuCores: 2,
    inputCacheBytes: 1024 * 1024 * 1024,
  };
  const client = createNodeClient(config.coordinatorAddress, grpc.credentials.createInsecure(), nodeChannelOptions);
  const metrics = new NodeMetrics({ nodeVersion: "test", gpus: [] });
  const lines: string[] = [];
  const agent = new NodeAgent({
    config,
    capabilities: { gpus: [], cpuCores: 2, memoryBytes: 1e9, versions: {} },
    client,
    runner,
    metrics,
    maxConcurrentTasks,
    log: (line) => lines.push(line),
  });
  const done = agent.run();
  cleanups.push(async () => {
    agent.requestShutdown(0);
    await done.catch(() => undefined);
    client.close();
  });
  return { agent, done, lines, metrics, workDir: dir };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A runner that writes a table of `bytes` pseudo-random bytes (several chunks when large). */
/** Like writingRunner, but keeps the table in memory (as the SAMPLE runner does for small tables). */
function memoryRunner(bytes: number, gate?: Promise<void>): TaskRunner {
  return async (request, hooks) => {
    hooks.onProgress(0.5, "fit");
    await gate;
    const data = Buffer.alloc(bytes, request.jobId);
    const path = join(request.outputDir, "synthetic.csv");
    return { files: [{ kind: "table", path, name: "synthetic.csv", mediaType: "text/csv", data }], summaryJson: "{}" };
  };
}

function writingRunner(bytes: number, gate?: Promise<void>): TaskRunner {
  return async (request, hooks) => {
    hooks.onProgress(0.5, "fit");
    await gate;
    const data = createHash("sha256").update(request.jobId).digest();
    const table = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i += data.length) data.copy(table, i);
    const path = join(request.outputDir, "synthetic.csv");
    await writeFile(path, table);
    return { files: [{ kind: "table", path, name: "synthetic.csv", mediaType: "text/csv" }], summaryJson: JSON.stringify({ rows: request.rows }) };
  };
}

describe("NodeAgent", () => {
  it("leases, reports progress, uploads the result in verified chunks and completes", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    state.queue.push(task("job-a"));
    // 2.5 MiB: three chunks of at most 1 MiB.
    const { metrics } = await startAgent(fake.port, writingRunner(2.5 * 1024 * 1024));
    await until("completion", () => state.completed.length === 1);
    const [done] = state.completed;
    expect(done?.taskId).toBe("job-a/1");
    expect(done?.leaseId).toBe("lease-job-a");
    const table = done?.results.find((r) => r.kind === "RESULT_KIND_TABLE");
    expect(table?.chunks.length).toBe(3);
    // The coordinator can rebuild the file from its chunks, and the whole-file digest matches.
    const rebuilt = Buffer.concat(table!.chunks.map((digest) => state.chunks.get(digest)!));
    expect(rebuilt.length).toBe(2.5 * 1024 * 1024);
    expect(createHash("sha256").update(rebuilt).digest("hex")).toBe(table?.sha256);
    // The counter moves once the node has the coordinator's answer, a moment after the fake recorded the call.
    const counted = /datalab_node_tasks_total\{kind="synthesis",outcome="succeeded"\} 1/;
    const deadline = Date.now() + 5_000;
    let text = await metrics.registry.metrics();
    while (!counted.test(text) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      text = await metrics.registry.metrics();
    }
    expect(text).toMatch(counted);
  });

  it("sends a small result inside CompleteTask when the coordinator offers it, a large one by UploadChunk", async () => {
    for (const [bytes, inline] of [
      [40_000, true],
      [300_000, false],
    ] as const) {
      const state = newState();
      state.maxInlineResultBytes = 256 * 1024;
      const fake = await startFake(state);
      cleanups.push(() => void fake.server.forceShutdown());
      state.queue.push(task("job-i"));
      await startAgent(fake.port, writingRunner(bytes));
      await until("completion", () => state.completed.length === 1);
      const table = state.completed[0]?.results.find((r) => r.kind === "RESULT_KIND_TABLE");
      const rebuilt = Buffer.concat(table!.chunks.map((digest) => state.chunks.get(digest)!));
      expect(rebuilt.length).toBe(bytes);
      expect(createHash("sha256").update(rebuilt).digest("hex")).toBe(table?.sha256);
      expect(state.uploadCalls).toBe(inline ? 0 : 1);
      expect(state.inlineChunks).toBe(inline ? 1 : 0);
    }
  });

  it("takes its next task from CompleteTask (lease_next) while small results keep coming, and leases normally otherwise", async () => {
    for (const [bytes, offerNext] of [
      [2_000, true],
      [2_000, false],
      [300_000, true],
    ] as const) {
      const state = newState();
      state.maxInlineResultBytes = 256 * 1024;
      state.offerNext = offerNext;
      const fake = await startFake(state);
      cleanups.push(() => void fake.server.forceShutdown());
      for (const id of ["job-n1", "job-n2", "job-n3"]) state.queue.push(task(id));
      const { lines } = await startAgent(fake.port, writingRunner(bytes));
      await until("three completions", () => state.completed.length === 3);
      expect(state.completed.map((c) => c.taskId)).toEqual(["job-n1/1", "job-n2/1", "job-n3/1"]);
      const inline = bytes <= state.maxInlineResultBytes;
      // Only small (inline) results ask for the next task; a large report leases the usual way.
      expect(state.leaseNextRequests).toBe(inline ? 3 : 0);
      expect(state.tasksViaLease).toBe(inline && offerNext ? 1 : 3);
      for (const id of ["job-n1", "job-n2", "job-n3"]) expect(lines.filter((line) => line.includes(`leased ${id}/1 `))).toHaveLength(1);
    }
  });

  it("runs several tasks at once and reports those that finish together in one CompleteTasks call", async () => {
    for (const offerBatches of [true, false]) {
      const state = newState();
      state.maxInlineResultBytes = 256 * 1024;
      state.offerNext = true;
      state.offerBatches = offerBatches;
      const fake = await startFake(state);
      cleanups.push(() => void fake.server.forceShutdown());
      const ids = Array.from({ length: 7 }, (_, i) => `job-b${i}`);
      for (const id of ids) state.queue.push(task(id));
      // The first three tasks (one per slot) wait for the gate, so they finish together.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const { lines } = await startAgent(fake.port, memoryRunner(1_000, gate), undefined, 3);
      await until("three tasks running", () => lines.filter((line) => line.startsWith("leased ")).length === 3);
      expect(state.completed).toHaveLength(0);
      open();
      await until("seven completions", () => state.completed.length === 7);
      // Each task completed once, with its own table.
      expect(state.completed.map((c) => c.taskId).sort()).toEqual(ids.map((id) => `${id}/1`).sort());
      for (const c of state.completed) expect(state.chunks.get(c.results[0]!.sha256)?.equals(Buffer.alloc(1_000, c.taskId.split("/")[0]))).toBe(true);
      for (const id of ids) expect(lines.filter((line) => line.includes(`leased ${id}/1 `))).toHaveLength(1);
      if (offerBatches) {
        // The first of the three went alone; the other two waited for it and went together.
        expect(state.batchSizes[0]).toBe(2);
        expect(state.batchSizes.reduce((sum, n) => sum + n, 0)).toBeLessThan(7);
      } else {
        // An older coordinator: one CompleteTask per task, the batch refused once.
        expect(state.batchSizes).toEqual([]);
      }
      // Slots were refilled from the completions' next tasks, not by LeaseTask.
      expect(state.tasksViaLease).toBe(3);
    }
  });

  it("uploads a result kept in memory by chunks when the coordinator takes nothing inline", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    state.queue.push(task("job-mem"));
    await startAgent(fake.port, memoryRunner(5_000));
    await until("completion", () => state.completed.length === 1);
    const table = state.completed[0]!.results[0]!;
    const rebuilt = Buffer.concat(table.chunks.map((digest) => state.chunks.get(digest)!));
    expect(rebuilt.equals(Buffer.alloc(5_000, "job-mem"))).toBe(true);
    expect(state.uploadCalls).toBe(1);
    expect(state.inlineChunks).toBe(0);
  });

  it("resumes an interrupted result upload without sending any stored chunk twice", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    state.queue.push(task("job-u"));
    // 6 MiB of distinct bytes: six 1 MiB chunks; the fifth fails once on the wire.
    const runner: TaskRunner = async (request) => {
      const table = Buffer.alloc(6 * 1024 * 1024);
      for (let i = 0; i < table.length; i += 4) table.writeUInt32LE(i, i);
      const path = join(request.outputDir, "synthetic.csv");
      await writeFile(path, table);
      state.failOnce.add(
        createHash("sha256")
          .update(table.subarray(4 * 1024 * 1024, 5 * 1024 * 1024))
          .digest("hex"),
      );
      return { files: [{ kind: "table", path, name: "synthetic.csv", mediaType: "text/csv" }], summaryJson: "{}" };
    };
    const { lines } = await startAgent(fake.port, runner);
    await until("completion after the retry", () => state.completed.length === 1);
    expect(lines.some((line) => line.includes("could not report job-u/1 yet (UNAVAILABLE"))).toBe(true);
    expect(state.failOnce.size).toBe(0);
    expect(state.duplicateUploads).toBe(0);
    expect(state.completed[0]?.results[0]?.chunks).toHaveLength(6);
  });

  it("stops a task whose job was cancelled and reports nothing", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    state.queue.push(task("job-c"));
    let sawAbort = false;
    const runner: TaskRunner = (_request, hooks) =>
      new Promise((_resolve, reject) => {
        hooks.signal.addEventListener("abort", () => {
          sawAbort = true;
          reject(new Error("aborted"));
        });
      });
    const { lines } = await startAgent(fake.port, runner);
    await until("the task to start", () => state.progress.some((p) => p.taskId === "job-c/1"));
    state.cancelled.add("job-c/1");
    await until("the runner to see the abort", () => sawAbort);
    await until("the stop to be logged", () => lines.some((line) => line.includes("stopped job-c/1: job cancelled")));
    expect(state.completed).toEqual([]);
    expect(state.failed).toEqual([]);
  });

  it("keeps a finished outcome on disk while the coordinator is down and reports it after a restart", async () => {
    // 0: spooled before the report; 256 KiB: a small result is reported first and spooled when
    // that fails (a result still in memory is then written to its path first).
    for (const [maxInlineResultBytes, inMemory] of [
      [0, false],
      [256 * 1024, false],
      [256 * 1024, true],
    ] as const) {
      const state = newState();
      state.maxInlineResultBytes = maxInlineResultBytes;
      let fake = await startFake(state);
      const port = fake.port;
      cleanups.push(() => void fake.server.forceShutdown());
      state.queue.push(task("job-r"));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const workDir = await mkdtemp(join(tmpdir(), "node-agent-"));
      cleanups.push(() => rm(workDir, { recursive: true, force: true }));
      const spooled = () => (existsSync(join(workDir, "spool")) ? readdirSync(join(workDir, "spool")).filter((name) => name.endsWith(".json")) : []);
      const { lines } = await startAgent(port, inMemory ? memoryRunner(1000, gate) : writingRunner(1000, gate), workDir);
      await until("the task to start", () => state.progress.some((p) => p.taskId === "job-r/1"));
      // The coordinator dies (kill -9 style: no goodbye) while the task runs…
      fake.server.forceShutdown();
      release();
      await until("the outcome to be kept", () => lines.some((line) => line.includes("could not report job-r/1 yet")));
      expect(state.completed).toEqual([]);
      expect(spooled()).toHaveLength(1);
      // Folders and the spool entry are owner-only (the test runner's own output files follow the umask, which cli/node.ts sets).
      const readable = loosenedPaths(workDir).loosened.filter((p) => p.kind === "folder" || p.path.includes("/spool/"));
      expect(readable).toEqual([]);
      // …and comes back on the same port with its state (as a restarted coordinator would from SQLite).
      const registrationsBefore = state.registrations;
      fake = await startFake(state, port);
      await until("the re-report", () => state.completed.length === 1, 20_000);
      expect(state.registrations).toBeGreaterThan(registrationsBefore);
      expect(state.completed[0]?.taskId).toBe("job-r/1");
      const table = state.completed[0]!.results[0]!;
      expect(Buffer.concat(table.chunks.map((digest) => state.chunks.get(digest)!)).length).toBe(1000);
      await until("the spool to empty", () => spooled().length === 0);
      fake.server.forceShutdown();
    }
  });

  it("reports a small result before spooling it, and spools nothing when the report goes through", async () => {
    const state = newState();
    state.maxInlineResultBytes = 256 * 1024;
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    const workDir = await mkdtemp(join(tmpdir(), "node-agent-"));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    const puts: string[] = [];
    const originalPut = ResultSpool.prototype.put;
    ResultSpool.prototype.put = async function (outcome) {
      puts.push(outcome.taskId);
      return originalPut.call(this, outcome);
    };
    cleanups.push(() => {
      ResultSpool.prototype.put = originalPut;
    });
    state.queue.push(task("job-s"), task("job-l"));
    const sizes = new Map([
      ["job-s", 1000],
      ["job-l", 300_000],
    ]);
    const runner: TaskRunner = (request, hooks) => writingRunner(sizes.get(request.jobId)!)(request, hooks);
    await startAgent(fake.port, runner, workDir);
    await until("both completions", () => state.completed.length === 2);
    // The large result (uploaded in chunks) was spooled before its report; the small one never.
    expect(puts).toEqual(["job-l/1"]);
  });

  it("a restarted agent (same work dir) reports what its killed predecessor finished but never reported", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    const workDir = await mkdtemp(join(tmpdir(), "node-agent-"));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    // What the predecessor left: a result file and its spooled outcome, plus an abandoned attempt's folder.
    const spool = new ResultSpool(workDir);
    await spool.open();
    const table = join(workDir, "finished.csv");
    await writeFile(table, "a,b\n1,2\n");
    await spool.put({
      format: "datalab-node-outcome",
      version: 1,
      taskId: "job-k/1",
      jobId: "job-k",
      leaseId: "lease-k",
      jobKind: "synthesis",
      outcome: "succeeded",
      files: [{ kind: "table", path: table, name: "synthetic.csv", mediaType: "text/csv" }],
      summaryJson: "{}",
      errorMessage: "",
      retryable: false,
      durationSeconds: 1,
      finishedAtUnixMs: Date.now(),
    });
    const abandoned = join(workDir, "tasks", encodeURIComponent("job-z/1"));
    await mkdir(abandoned, { recursive: true });
    await startAgent(fake.port, writingRunner(10), workDir);
    await until("the predecessor's outcome to be reported", () => state.completed.length === 1);
    expect(state.completed[0]).toMatchObject({ taskId: "job-k/1", leaseId: "lease-k" });
    await until("the spool to empty", () => existsSync(join(workDir, "spool")) && readdirSync(join(workDir, "spool")).length === 0);
    expect(existsSync(abandoned)).toBe(false);
  });

  it("registers with the instance id of its work folder: the same after a restart on that folder, another for another folder", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    const workDir = await mkdtemp(join(tmpdir(), "node-agent-"));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    for (let run = 0; run < 2; run++) {
      const { agent, done } = await startAgent(fake.port, writingRunner(10), workDir);
      await until("the registration", () => state.instanceIds.length === run + 1);
      agent.requestShutdown(0);
      await done;
    }
    await startAgent(fake.port, writingRunner(10));
    await until("the third registration", () => state.instanceIds.length === 3);
    const [first, restarted, other] = state.instanceIds;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(restarted).toBe(first);
    expect(other).not.toBe(first);
  });

  it("hands a running task back on shutdown after the grace period and deregisters", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    state.queue.push(task("job-s"));
    const never: TaskRunner = () => new Promise(() => undefined);
    const { agent, done } = await startAgent(fake.port, never);
    await until("the task to start", () => state.progress.some((p) => p.taskId === "job-s/1"));
    agent.requestShutdown(0.2);
    expect(await done).toBe(0);
    expect(state.released).toEqual(["job-s/1"]);
    expect(state.deregistered).toBe(true);
  });

  it("reports a failing runner with FailTask, non-retryable for bad input", async () => {
    const state = newState();
    const fake = await startFake(state);
    cleanups.push(() => void fake.server.forceShutdown());
    const bad = task("job-f");
    bad.spec!.outputFormat = "xlsx";
    state.queue.push(bad);
    await startAgent(fake.port, writingRunner(10));
    await until("the failure report", () => state.failed.length === 1);
    expect(state.failed[0]?.retryable).toBe(false);
    expect(state.failed[0]?.errorMessage).toMatch(/TaskSpecError: output format "xlsx" is not supported/);
  });
});
