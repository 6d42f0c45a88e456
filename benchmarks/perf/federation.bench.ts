/**
 * Federation coordinator benchmark (`npm run bench -- --only federation`).
 *
 * 1. Rounds over loopback: a real coordinator (`datalab coordinator`, a child process, mutual
 *    TLS, SQLite) and 100 simulated holders in this process (coordinator/federation/testing/
 *    fake-holder.ts: register, lease, download the global model with DownloadInput, upload an
 *    update chunk by chunk, CompleteTask). No local training: a holder's "update" is a fixed
 *    random vector scaled per holder, so the round time is the coordinator's work plus the
 *    loopback transfers. The model: an MLP 4 → 3160 → 3160 → 2 = 10,010,882 float32 parameters
 *    (40 MB). At most `holderConcurrency` holders move bytes at once (as a site's uplink would
 *    spread them): the updates in flight.
 *    Measured: seconds per round, coordinator CPU seconds per round (/proc), the coordinator's
 *    peak RSS (VmHWM) against 3 × model + updates in flight, with its idle RSS before the job.
 * 2. Aggregation throughput in this process, same run: the StreamingUpdateSum (the kernels'
 *    clip-and-sum on float32 slots, batches of 4) over 24 updates of 10M parameters, in update
 *    GB/s, next to a memory-bandwidth reference: Float32Array.prototype.set of 40 MB (memcpy),
 *    counted as bytes read + written per second, and as bytes copied per second.
 * 3. `coordinatorRounds` (first, in a fresh process): the full-scale rounds in process, below.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { callJob, type JobServiceClient } from "../../proto/index.js";
import { StreamingUpdateSum } from "../../coordinator/federation/index.js";
import { completeWithUpdate, downloadTaskModel, registerHolder } from "../../coordinator/federation/testing/fake-holder.js";
import { startCluster } from "../../service-tests/cluster.js";
import { TestProcesses } from "../../service-tests/process-harness.js";
import { callNode } from "../../proto/index.js";

export const name = "federation";

// FEDERATION_BENCH_HOLDERS / FEDERATION_BENCH_WIDTH shrink the run for a quick look; the
// committed result uses the defaults.
const holderCount = Number(process.env.FEDERATION_BENCH_HOLDERS ?? 100);
const holderConcurrency = 8;
const rounds = 2;
const width = Number(process.env.FEDERATION_BENCH_WIDTH ?? 3160);
// The loopback run (real gRPC, mutual TLS, a coordinator process) moves every model and update
// through grpc-js; at 10M parameters × 100 holders that is 8 GB a round, more than this 2-core
// machine moves in the time of a benchmark, so it runs a 4 → 300 → 300 → 2 MLP (92,402 parameters).
const hidden = [width, width];
const parameters = 4 * width + width + width * width + width + width * 2 + 2;
const modelBytes = parameters * 4;
const slots = 4;

const SCHEMA = JSON.stringify({
  version: 1,
  columns: [
    { name: "x", type: "numerical", subtype: "float", decimals: 2, min: 0, max: 10 },
    { name: "c", type: "categorical", categories: ["p", "q", "r"] },
    { name: "y", type: "categorical", categories: ["no", "yes"] },
  ],
});

function memoryOf(pid: number): { peakRssBytes: number; rssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { peakRssBytes: kib("VmHWM"), rssBytes: kib("VmRSS") };
}

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = fields.slice(fields.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

function uptime(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim();
  } catch {
    return loadavg().join(" ");
  }
}

function randomUpdate(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 1e-3;
  }
  return out;
}

/** A counting semaphore: at most `limit` holders transfer at once. */
function limiter(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

async function aggregationThroughput() {
  const base = randomUpdate(parameters, 1);
  const fill = (scale: number) => async (slot: Uint8Array) => {
    const view = new Float32Array(slot.buffer, slot.byteOffset, parameters);
    view.set(base);
    void scale;
  };
  const sum = new StreamingUpdateSum(parameters, { clipNorm: 1, poisonNormLimit: 10, slots });
  const updates = 24;
  // Warm-up batch (page faults of fresh buffers), then timed.
  await sum.addBatch([{ weight: 1, fill: fill(1) }]);
  // Time the kernel passes only: fill the slots outside the timed region by timing addBatch minus fills.
  let fillSeconds = 0;
  const timedFill = (scale: number) => async (slot: Uint8Array) => {
    const t = performance.now();
    await fill(scale)(slot);
    fillSeconds += (performance.now() - t) / 1000;
  };
  const started = performance.now();
  for (let k = 0; k < updates; k += slots) await sum.addBatch(Array.from({ length: slots }, (_, i) => ({ weight: 1, fill: timedFill(k + i) })));
  const totalSeconds = (performance.now() - started) / 1000;
  const kernelSeconds = totalSeconds - fillSeconds;
  // Memory bandwidth reference: copy 40 MB buffers with TypedArray.set (a memcpy), same run.
  const a = randomUpdate(parameters, 2);
  const b = new Float32Array(parameters);
  b.set(a);
  const copies = 24;
  const copyStart = performance.now();
  for (let i = 0; i < copies; i++) (i % 2 === 0 ? b : a).set(i % 2 === 0 ? a : b);
  const copySeconds = (performance.now() - copyStart) / 1000;
  const updateBytes = updates * modelBytes;
  return {
    updates,
    parameters,
    slots,
    kernelSeconds,
    slotFillSeconds: fillSeconds,
    aggregationUpdateGBps: updateBytes / kernelSeconds / 1e9,
    aggregationWithSlotFillUpdateGBps: updateBytes / totalSeconds / 1e9,
    memcpyCopiedGBps: (copies * modelBytes) / copySeconds / 1e9,
    memcpyReadPlusWriteGBps: (2 * copies * modelBytes) / copySeconds / 1e9,
    note: "aggregation GB/s = update bytes summed per second, one clip-and-sum call per batch of 4 (the kernel reads its 5 rows twice: norms, then sum; writes one); memcpy = Float32Array.set of 40 MB",
  };
}

async function roundsOverLoopback(loopbackWidth: number) {
  const hidden = [loopbackWidth, loopbackWidth];
  const parameters = 4 * loopbackWidth + loopbackWidth + loopbackWidth * loopbackWidth + loopbackWidth + loopbackWidth * 2 + 2;
  const modelBytes = parameters * 4;
  const processes = new TestProcesses();
  const holderIds = Array.from({ length: holderCount }, (_, i) => `holder-${String(i).padStart(3, "0")}`);
  try {
    const cluster = await startCluster(processes, { nodes: [], spareNodes: holderIds, heartbeatIntervalSeconds: 5, leaseSeconds: 600 });
    const pid = cluster.coordinator?.child.pid as number;
    const jobs: JobServiceClient = cluster.jobClient("alice");
    const clients = new Map(holderIds.map((id) => [id, cluster.nodeClient(id)]));
    for (const [id, client] of clients) await registerHolder(client, id, "bench", SCHEMA);
    const heartbeat = setInterval(() => {
      for (const [id, client] of clients) void callNode(client, "Heartbeat", { nodeId: id }).catch(() => undefined);
    }, 2000);
    const idle = memoryOf(pid);
    const base = randomUpdate(parameters, 3);
    const transfer = limiter(holderConcurrency);
    let stop = false;
    let downloadedBytes = 0;
    let uploadedBytes = 0;
    const loops = [...clients].map(async ([id, client], index) => {
      while (!stop) {
        const { task } = await callNode(client, "LeaseTask", { nodeId: id, waitSeconds: 2 }, { deadlineSeconds: 10 }).catch(() => ({ task: null }));
        if (!task?.federated) continue;
        await transfer(async () => {
          const model = await downloadTaskModel(client, id, task);
          downloadedBytes += model.byteLength;
          const values = Float32Array.from(base, (v) => v * (1 + index / holderCount));
          await completeWithUpdate(client, id, task, values, 100 + index, 1);
          uploadedBytes += values.byteLength;
        });
      }
    });
    const cpuBefore = cpuSecondsOf(pid);
    const started = performance.now();
    const { job } = await callJob(jobs, "SubmitJob", {
      idempotencyKey: `bench-${Date.now()}`,
      spec: {
        kind: "JOB_KIND_FEDERATED_TRAINING",
        seed: 1,
        federated: { datasetId: "bench", targetColumn: "y", hiddenLayerSizes: hidden, rounds, minHolders: holderCount, roundDeadlineSeconds: 900, clipNorm: 0 },
      },
    });
    const jobId = job?.jobId as string;
    const roundSeconds: number[] = [];
    const progress = setInterval(
      () => process.stderr.write(`federation: ${((performance.now() - started) / 1000).toFixed(0)} s, down ${downloadedBytes} up ${uploadedBytes}\n`),
      10_000,
    );
    let peak = idle.peakRssBytes;
    let lastRounds = 0;
    let final: Awaited<ReturnType<typeof callJob<"GetJob">>>["job"];
    for (;;) {
      const { job: now } = await callJob(jobs, "GetJob", { jobId });
      peak = Math.max(peak, memoryOf(pid).peakRssBytes);
      const completed = now?.federation?.roundsCompleted ?? 0;
      if (completed > lastRounds) {
        roundSeconds.push(now?.federation?.lastRoundDurationSeconds ?? Number.NaN);
        lastRounds = completed;
      }
      if (now?.done) {
        final = now;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const wallSeconds = (performance.now() - started) / 1000;
    clearInterval(progress);
    const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
    stop = true;
    clearInterval(heartbeat);
    await Promise.all(loops);
    const end = memoryOf(pid);
    const inFlightBytes = (slots + holderConcurrency) * modelBytes;
    const bound = 3 * modelBytes + inFlightBytes;
    return {
      state: final?.state,
      errorMessage: final?.errorMessage,
      holders: holderCount,
      parameters,
      modelBytes,
      rounds,
      roundSeconds,
      wallSeconds,
      coordinatorCpuSecondsPerRound: cpuSeconds / rounds,
      bytesPerRound: { downloaded: downloadedBytes / rounds, uploaded: uploadedBytes / rounds },
      coordinatorRss: {
        idleBytes: idle.rssBytes,
        peakBytes: Math.max(peak, end.peakRssBytes),
        peakAboveIdleBytes: Math.max(peak, end.peakRssBytes) - idle.rssBytes,
        boundBytes: bound,
        boundRule: `3 × model (${modelBytes}) + updates in flight: ${slots} aggregation slots + ${holderConcurrency} holders transferring, each one model`,
        peakAboveIdleWithinBound: Math.max(peak, end.peakRssBytes) - idle.rssBytes <= bound,
        peakWithinBound: Math.max(peak, end.peakRssBytes) <= bound,
      },
    };
  } finally {
    await processes.cleanup();
  }
}

/**
 * The coordinator's side of a round at full scale, in this process: the real Coordinator and
 * FederationRunner (SQLite, chunk store on disk), 100 simulated holders calling its lease and
 * completion methods directly — no gRPC, so the loopback transfer (measured separately, smaller)
 * is left out. Each holder "downloads" the global model (the coordinator reads and verifies every
 * chunk, as DownloadInput does) and hands in an update of 10M parameters stored chunk by chunk in
 * the chunk store (as UploadChunk does); the coordinator then reads it back into a slot and sums
 * it. The updates share 39 of their 40 chunks (chunk 0 differs per holder), so disk writes are
 * deduplicated; reads, verification and summation are done in full for every update.
 */
async function roundsInProcess() {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { ChunkStore, Coordinator, SqliteJobStore } = await import("../../coordinator/index.js");
  const { chunkBuffer } = await import("../../proto/index.js");
  const dir = mkdtempSync(join(tmpdir(), "datalab-fedbench-"));
  const store = new SqliteJobStore(join(dir, "jobs.sqlite"));
  const chunks = new ChunkStore(join(dir, "chunks"), 2 * 1024 * 1024);
  const coordinator = new Coordinator({ store, chunks });
  coordinator.start();
  const federation = coordinator.federation;
  if (!federation) throw new Error("no federation runner");
  const holderIds = Array.from({ length: holderCount }, (_, i) => `holder-${String(i).padStart(3, "0")}`);
  try {
    for (const id of holderIds) {
      await coordinator.registerNode(id, {
        nodeId: id,
        capabilities: { gpus: [], cpuCores: 1, memoryBytes: 1e9, versions: {}, kinds: [], maxConcurrentTasks: 1 },
        requestedHeartbeatIntervalSeconds: 0,
        hostname: "",
        hpcJob: "",
        instanceId: "",
        role: "NODE_ROLE_HOLDER",
        heldDatasets: [{ datasetId: "bench", schemaJson: SCHEMA, rowCountBucket: 1000, policy: null }],
      });
    }
    const alive = setInterval(() => {
      for (const id of holderIds) coordinator.touchNode(id);
    }, 1000);
    const base = randomUpdate(parameters, 5);
    const baseChunks = chunkBuffer(new Uint8Array(base.buffer), { name: "update.f32" }).chunks;
    const transfer = limiter(holderConcurrency);
    let stop = false;
    const idleRss = memoryOf(process.pid).rssBytes;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { job } = await coordinator.submitJob("alice", {
      idempotencyKey: "bench-in-process",
      spec: {
        kind: "JOB_KIND_FEDERATED_TRAINING",
        input: null,
        schemaJson: "",
        rows: 0,
        model: "",
        seed: 1,
        conditions: [],
        scoring: null,
        resources: null,
        modelOptionsJson: "",
        maxAttempts: 0,
        displayName: "",
        outputFormat: "",
        federated: {
          datasetId: "bench",
          targetColumn: "y",
          task: "",
          hiddenLayerSizes: hidden,
          rounds,
          localEpochs: 0,
          localBatchSize: 0,
          learningRate: 0,
          strategy: "",
          proximalMu: 0,
          serverLearningRate: 0,
          beta1: 0,
          beta2: 0,
          tau: 0,
          trimFraction: 0,
          fractionFit: 0,
          minHolders: holderCount,
          roundDeadlineSeconds: 3600,
          clipNorm: 1,
          noiseMultiplier: 0,
          targetQuantile: 0,
          clipLearningRate: 0,
          clipCountNoiseMultiplier: 0,
          delta: 0,
          shardsPerHolder: 0,
          purpose: "",
          maxRoundRetries: 0,
          holderIds: [],
        },
      },
    } as never);
    const jobId = job.jobId as string;
    let holderSeconds = 0;
    const loops = holderIds.map(async (id, index) => {
      while (!stop) {
        const leased = await federation.leaseTask(id, 1);
        if (!leased) continue;
        await transfer(async () => {
          for (const chunk of leased.federated.globalModel?.chunks ?? []) await chunks.get(chunk.sha256);
          const t = performance.now();
          const first = Buffer.from(baseChunks[0]?.data as Buffer);
          first.writeFloatLE(index * 1e-6, 0);
          const own = chunkBuffer(Buffer.concat([first, ...baseChunks.slice(1).map((c) => c.data)]), { name: "update.f32" });
          holderSeconds += (performance.now() - t) / 1000;
          for (const chunk of own.chunks) await chunks.put(chunk.sha256, chunk.data);
          await federation.completeTask(id, leased.taskId, leased.leaseId, {
            manifest: own.manifest,
            exampleCount: 100 + index,
            participantCount: 1,
            unclippedCount: 1,
            localLoss: 0,
          });
        });
      }
    });
    const roundSeconds: number[] = [];
    let peak = 0;
    let seen = 0;
    for (;;) {
      peak = Math.max(peak, memoryOf(process.pid).rssBytes);
      const now = coordinator.getJob("alice", jobId);
      if (Number(now.federation?.roundsCompleted ?? 0) > seen) {
        seen = Number(now.federation?.roundsCompleted ?? 0);
        roundSeconds.push(Number(now.federation?.lastRoundDurationSeconds ?? Number.NaN));
      }
      if (now.done) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    stop = true;
    clearInterval(alive);
    await Promise.all(loops);
    const final = coordinator.getJob("alice", jobId);
    const peakHwm = memoryOf(process.pid).peakRssBytes;
    // In memory besides the coordinator's own: the simulated holders' shared base update and its
    // chunk views (1 model), and one update being built per transferring holder.
    const inFlightBytes = (slots + holderConcurrency) * modelBytes;
    const bound = 3 * modelBytes + inFlightBytes + modelBytes;
    return {
      state: final.state,
      errorMessage: final.errorMessage,
      holders: holderCount,
      holdersTransferringAtOnce: holderConcurrency,
      parameters,
      modelBytes,
      rounds,
      roundSeconds,
      wallSeconds,
      processCpuSecondsPerRound: (cpu.user + cpu.system) / 1e6 / rounds,
      simulatedHolderSecondsPerRound: holderSeconds / rounds,
      rss: {
        idleBytes: idleRss,
        peakSampledBytes: peak,
        peakHwmBytes: peakHwm,
        peakAboveIdleBytes: Math.max(peak, peakHwm) - idleRss,
        boundBytes: bound,
        boundRule: `3 × model + updates in flight (${slots} aggregation slots + ${holderConcurrency} holders building an update, one model each) + the simulated holders' shared base update (one model)`,
        peakAboveIdleWithinBound: Math.max(peak, peakHwm) - idleRss <= bound,
      },
    };
  } finally {
    coordinator.stop();
    federation.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const load = { before: uptime() };
  // First, in a fresh process, so the peak RSS (VmHWM) is this part's.
  const coordinatorRounds = await roundsInProcess();
  process.stderr.write(`federation: in-process rounds ${JSON.stringify(coordinatorRounds)}\n`);
  const aggregation = await aggregationThroughput();
  process.stderr.write(`federation: aggregation ${JSON.stringify(aggregation)}\n`);
  const loopback = process.env.FEDERATION_BENCH_SKIP_LOOPBACK
    ? undefined
    : await roundsOverLoopback(Number(process.env.FEDERATION_BENCH_LOOPBACK_WIDTH ?? 300));
  return { uptime: { ...load, after: uptime() }, coordinatorRounds, aggregation, loopbackSmallModel: loopback };
}
