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

const holderCount = 100;
const holderConcurrency = 8;
const rounds = 2;
const hidden = [3160, 3160];
const parameters = 4 * 3160 + 3160 + 3160 * 3160 + 3160 + 3160 * 2 + 2;
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
    note: "aggregation GB/s = update bytes summed per second by the two clip-and-sum passes (each reads its rows twice: norms, then sum); memcpy = Float32Array.set of 40 MB",
  };
}

async function roundsOverLoopback() {
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

export async function run() {
  const load = { before: uptime() };
  const aggregation = await aggregationThroughput();
  const loopback = await roundsOverLoopback();
  return { uptime: { ...load, after: uptime() }, aggregation, loopback };
}
