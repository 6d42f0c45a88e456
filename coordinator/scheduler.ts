/**
 * Placement: which queued job may run on which node. A job declares what it needs (GPUs, GPU
 * memory per GPU, cores, host memory); a node offers its registered capabilities minus what its
 * leased tasks hold. GPUs are shared by memory: a job asking for `gpuMemoryBytes` takes that
 * much on each of `gpuCount` distinct GPUs; asking for 0 bytes takes whole GPUs exclusively.
 * Pure functions: the store calls them inside its lease transaction.
 */
import type { JobKindName } from "../proto/index.js";

export interface ResourceDemand {
  gpuCount: number;
  gpuMemoryBytes: number;
  cpuCores: number;
  memoryBytes: number;
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
  return { gpuFreeBytes, exclusive, busy, cpuCores, memoryBytes, slots: Math.max(1, node.maxConcurrentTasks) - held.length };
}

/**
 * GPUs for `demand` on a node with `free` capacity, or a one-line reason it does not fit now.
 * Best fit: the GPUs with the least free memory that still suffices, to keep big GPUs open.
 */
export function placeDemand(demand: ResourceDemand, kind: JobKindName, node: NodeCapacity, free: FreeCapacity): { gpuIndexes: number[] } | { reason: string } {
  if (node.kinds.length > 0 && !node.kinds.includes(kind)) return { reason: `does not run ${kind}` };
  if (free.slots <= 0) return { reason: "runs as many tasks as it allows" };
  if (cores(demand) > free.cpuCores) return { reason: `has ${free.cpuCores} free cores, job needs ${cores(demand)}` };
  if (demand.memoryBytes > free.memoryBytes) return { reason: `has ${formatBytes(free.memoryBytes)} free memory, job needs ${formatBytes(demand.memoryBytes)}` };
  if (demand.gpuCount === 0) return { gpuIndexes: [] };
  const candidates = node.gpus
    .filter((g) => !free.exclusive.has(g.index))
    .filter((g) => (demand.gpuMemoryBytes === 0 ? !free.busy.has(g.index) : (free.gpuFreeBytes.get(g.index) ?? 0) >= demand.gpuMemoryBytes))
    .sort((a, b) => (free.gpuFreeBytes.get(a.index) ?? 0) - (free.gpuFreeBytes.get(b.index) ?? 0) || a.index - b.index);
  if (candidates.length < demand.gpuCount) {
    const what = demand.gpuMemoryBytes === 0 ? "idle GPU(s)" : `GPU(s) with ${formatBytes(demand.gpuMemoryBytes)} free`;
    return { reason: `has ${candidates.length} ${what}, job needs ${demand.gpuCount}` };
  }
  return { gpuIndexes: candidates.slice(0, demand.gpuCount).map((g) => g.index) };
}

/** Whether the node could run the job at all when idle (used to explain a wait). */
export function fitsWhenIdle(demand: ResourceDemand, kind: JobKindName, node: NodeCapacity): boolean {
  return "gpuIndexes" in placeDemand(demand, kind, node, freeCapacity(node, []));
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
  const withRoom = capable.filter((n) => "gpuIndexes" in placeDemand(demand, kind, n.capacity, freeCapacity(n.capacity, n.held)));
  if (withRoom.length === 0) return `waiting for resources: ${capable.length} node(s) can run it once their current tasks finish`;
  return "";
}

export function describeDemand(demand: ResourceDemand): string {
  const parts = [`${cores(demand)} core(s)`];
  if (demand.memoryBytes > 0) parts.push(`${formatBytes(demand.memoryBytes)} memory`);
  if (demand.gpuCount > 0) parts.push(demand.gpuMemoryBytes > 0 ? `${demand.gpuCount} GPU(s) with ${formatBytes(demand.gpuMemoryBytes)} each` : `${demand.gpuCount} whole GPU(s)`);
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
