/**
 * Placement: which queued job may run on which node. A job declares what it needs (GPUs, GPU
 * memory per GPU, cores, host memory); a node offers its registered capabilities minus what its
 * leased tasks hold. GPUs are shared by memory: a job asking for `gpuMemoryBytes` takes that
 * much on each of `gpuCount` distinct GPUs; asking for 0 bytes takes whole GPUs exclusively.
 * Where the node reports live free GPU memory (NVML, in heartbeats), a GPU offers the smaller of
 * what datalab's tasks left unclaimed and what is really free (other processes count), and a job
 * that takes whole GPUs still needs its per-model memory estimate free on each.
 * Pure functions: the store calls them inside its lease transaction.
 */
import type { JobKindName } from "../proto/index.js";

export interface ResourceDemand {
  gpuCount: number;
  gpuMemoryBytes: number;
  cpuCores: number;
  memoryBytes: number;
  /** For a job that takes whole GPUs (gpuMemoryBytes 0): the memory its model is expected to need on each. */
  estimatedGpuMemoryBytes?: number;
}

const MiB = 1024 ** 2;
/**
 * Conservative GPU memory per model when a job does not state it: the CUDA context and cuBLAS
 * workspace (~0.5 GiB on an H100/H200) plus the model's own buffers (a copula samples in 64k-row
 * chunks; a neural synthesizer holds two networks, Adam state and a batch).
 */
const GPU_MEMORY_ESTIMATE_BYTES: Record<string, number> = { gaussian_copula: 768 * MiB, ctgan: 2048 * MiB, tvae: 2048 * MiB };
const DEFAULT_GPU_MEMORY_ESTIMATE_BYTES = 2048 * MiB;

/** The GPU memory a job of `model` is expected to need on each of its GPUs. */
export function estimateGpuMemoryBytes(model: string): number {
  return GPU_MEMORY_ESTIMATE_BYTES[model] ?? DEFAULT_GPU_MEMORY_ESTIMATE_BYTES;
}

export interface NodeGpu {
  index: number;
  name: string;
  memoryBytes: number;
  uuid: string;
}

export interface NodeCapacity {
  nodeId: string;
  gpus: NodeGpu[];
  cpuCores: number;
  memoryBytes: number;
  /** Kinds the node runs; empty = all. */
  kinds: JobKindName[];
  maxConcurrentTasks: number;
  /** Free memory per GPU index as the node last measured it (heartbeats); absent without NVML. */
  gpuLiveFreeBytes?: ReadonlyMap<number, number>;
}

/** A task already holding resources on a node. */
export interface HeldResources {
  demand: ResourceDemand;
  gpuIndexes: number[];
}

export interface FreeCapacity {
  /** Free memory per GPU index; a GPU held exclusively has 0 and is in `exclusive`. */
  gpuFreeBytes: Map<number, number>;
  exclusive: Set<number>;
  /** GPUs with any task on them (an exclusive demand needs an idle GPU). */
  busy: Set<number>;
  /** Live free memory per GPU index, where the node reports it. */
  liveFreeBytes: ReadonlyMap<number, number>;
  cpuCores: number;
  memoryBytes: number;
  slots: number;
}

const cores = (demand: ResourceDemand) => Math.max(1, demand.cpuCores);

export function freeCapacity(node: NodeCapacity, held: readonly HeldResources[]): FreeCapacity {
  const gpuFreeBytes = new Map(node.gpus.map((g) => [g.index, g.memoryBytes] as const));
  const exclusive = new Set<number>();
  const busy = new Set<number>();
  let cpuCores = node.cpuCores;
  let memoryBytes = node.memoryBytes;
  for (const task of held) {
    cpuCores -= cores(task.demand);
    memoryBytes -= task.demand.memoryBytes;
    for (const index of task.gpuIndexes) {
      busy.add(index);
      if (task.demand.gpuMemoryBytes === 0) {
        exclusive.add(index);
        gpuFreeBytes.set(index, 0);
      } else {
        gpuFreeBytes.set(index, (gpuFreeBytes.get(index) ?? 0) - task.demand.gpuMemoryBytes);
      }
    }
  }
  const liveFreeBytes = node.gpuLiveFreeBytes ?? new Map<number, number>();
  for (const [index, live] of liveFreeBytes) {
    // Tasks of ours that already allocated are in both numbers: the smaller one is conservative.
    if (gpuFreeBytes.has(index) && !exclusive.has(index)) gpuFreeBytes.set(index, Math.min(gpuFreeBytes.get(index) ?? 0, live));
  }
  return { gpuFreeBytes, exclusive, busy, liveFreeBytes, cpuCores, memoryBytes, slots: Math.max(1, node.maxConcurrentTasks) - held.length };
}

/**
 * GPUs for `demand` on a node with `free` capacity, or a one-line reason it does not fit now.
 * Best fit: the GPUs with the least free memory that still suffices, to keep big GPUs open.
 */
export function placeDemand(demand: ResourceDemand, kind: JobKindName, node: NodeCapacity, free: FreeCapacity): { gpuIndexes: number[] } | { reason: string } {
  if (node.kinds.length > 0 && !node.kinds.includes(kind)) return { reason: `does not run ${kind}` };
  // Federated jobs run on the coordinator, which sends their rounds to holder sidecars.
  if (kind === "JOB_KIND_FEDERATED_TRAINING" || kind === "JOB_KIND_FEDERATED_SYNTHESIS")
    return { reason: "federated jobs run with holders, not on worker nodes" };
  if (free.slots <= 0) return { reason: "runs as many tasks as it allows" };
  if (cores(demand) > free.cpuCores) return { reason: `has ${free.cpuCores} free cores, job needs ${cores(demand)}` };
  if (demand.memoryBytes > free.memoryBytes)
    return { reason: `has ${formatBytes(free.memoryBytes)} free memory, job needs ${formatBytes(demand.memoryBytes)}` };
  if (demand.gpuCount === 0) return { gpuIndexes: [] };
  const estimate = demand.estimatedGpuMemoryBytes ?? 0;
  const liveShort = (index: number) => demand.gpuMemoryBytes === 0 && (free.liveFreeBytes.get(index) ?? Number.POSITIVE_INFINITY) < estimate;
  const candidates = node.gpus
    .filter((g) => !free.exclusive.has(g.index))
    .filter((g) =>
      demand.gpuMemoryBytes === 0 ? !free.busy.has(g.index) && !liveShort(g.index) : (free.gpuFreeBytes.get(g.index) ?? 0) >= demand.gpuMemoryBytes,
    )
    .sort((a, b) => (free.gpuFreeBytes.get(a.index) ?? 0) - (free.gpuFreeBytes.get(b.index) ?? 0) || a.index - b.index);
  if (candidates.length < demand.gpuCount) {
    const what = demand.gpuMemoryBytes === 0 ? "idle GPU(s)" : `GPU(s) with ${formatBytes(demand.gpuMemoryBytes)} free`;
    const short = node.gpus.filter((g) => !free.busy.has(g.index) && liveShort(g.index));
    const live = short.map((g) => `GPU ${g.index} has ${formatBytes(free.liveFreeBytes.get(g.index) ?? 0)} free now`).join(", ");
    const why = short.length === 0 ? "" : ` (${live}, other processes hold the rest; the job is estimated to need ${formatBytes(estimate)})`;
    return { reason: `has ${candidates.length} ${what}${why}, job needs ${demand.gpuCount}` };
  }
  return { gpuIndexes: candidates.slice(0, demand.gpuCount).map((g) => g.index) };
}

/** Whether the node could run the job at all when idle (used to explain a wait). */
export function fitsWhenIdle(demand: ResourceDemand, kind: JobKindName, node: NodeCapacity): boolean {
  // Live free memory is what other processes leave now, not what the node can offer: left out.
  const { gpuLiveFreeBytes: _live, ...registered } = node;
  return "gpuIndexes" in placeDemand(demand, kind, registered, freeCapacity(registered, []));
}

/**
 * Why a queued job is not running, from the nodes online now and what they hold; "" when some
 * node has room (it will be leased on that node's next LeaseTask).
 */
export function waitingReason(demand: ResourceDemand, kind: JobKindName, nodes: readonly { capacity: NodeCapacity; held: readonly HeldResources[] }[]): string {
  if (nodes.length === 0) return "no node is connected; start one with `datalab node`";
  const capable = nodes.filter((n) => fitsWhenIdle(demand, kind, n.capacity));
  if (capable.length === 0) {
    return `no connected node can ever run it: it needs ${describeDemand(demand)}; ${nodes.length} node(s) connected (largest: ${describeNode(largestNode(nodes.map((n) => n.capacity)))})`;
  }
  const placements = capable.map((n) => ({ node: n.capacity.nodeId, placement: placeDemand(demand, kind, n.capacity, freeCapacity(n.capacity, n.held)) }));
  if (placements.every(({ placement }) => "reason" in placement)) {
    // Name the live-memory shortage when that is what keeps a node from taking the job.
    const live = placements.find(({ placement }) => "reason" in placement && placement.reason.includes("free now"));
    const detail = live !== undefined && "reason" in live.placement ? `; ${live.node} ${live.placement.reason}` : "";
    return `waiting for resources: ${capable.length} node(s) can run it once their current tasks finish${detail}`;
  }
  return "";
}

export function describeDemand(demand: ResourceDemand): string {
  const parts = [`${cores(demand)} core(s)`];
  if (demand.memoryBytes > 0) parts.push(`${formatBytes(demand.memoryBytes)} memory`);
  if (demand.gpuCount > 0)
    parts.push(demand.gpuMemoryBytes > 0 ? `${demand.gpuCount} GPU(s) with ${formatBytes(demand.gpuMemoryBytes)} each` : `${demand.gpuCount} whole GPU(s)`);
  return parts.join(", ");
}

function describeNode(node: NodeCapacity): string {
  const gpus = node.gpus.length === 0 ? "no GPU" : `${node.gpus.length} GPU(s) up to ${formatBytes(Math.max(...node.gpus.map((g) => g.memoryBytes)))}`;
  return `${node.cpuCores} cores, ${formatBytes(node.memoryBytes)} memory, ${gpus}`;
}

function largestNode(nodes: NodeCapacity[]): NodeCapacity {
  return nodes.reduce((a, b) => (b.gpus.length > a.gpus.length || (b.gpus.length === a.gpus.length && b.cpuCores > a.cpuCores) ? b : a));
}

export function formatBytes(bytes: number): string {
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;
  if (bytes >= GiB) return `${Number((bytes / GiB).toFixed(1))} GiB`;
  if (bytes >= MiB) return `${Number((bytes / MiB).toFixed(1))} MiB`;
  return `${bytes} B`;
}
