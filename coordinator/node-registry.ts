/**
 * Nodes that are connected now: their capabilities and when they were last heard from. The
 * durable record of every node is in the store; this is the live view the scheduler and the
 * offline sweep use. After a coordinator restart, nodes the store knew as online get a grace
 * period (proto's restartGraceSeconds: the nodes' reconnect backoff cap plus two heartbeat
 * intervals) to call again before they are declared offline.
 */
import type { NodeRecord } from "./job-store.js";
import type { NodeCapacity } from "./scheduler.js";

export interface LiveNode {
  record: NodeRecord;
  lastHeardMs: number;
  /** Free memory per GPU index from the node's last heartbeat (NVML); empty when it reports none. */
  gpuFreeBytes: Map<number, number>;
  /** Not declared offline before this time, however silent (the grace after a coordinator restart); 0 = none. */
  graceUntilMs: number;
  /** The agent process that registered it (RegisterNodeRequest.instance_id); "" = unknown (older agent, or restored after a restart). */
  instanceId: string;
}

export class NodeRegistry {
  private readonly live = new Map<string, LiveNode>();

  add(record: NodeRecord, nowMs: number, instanceId = ""): void {
    this.live.set(record.nodeId, { record, lastHeardMs: nowMs, gpuFreeBytes: new Map(), graceUntilMs: 0, instanceId });
  }

  /** A node the store knew as online when the coordinator (re)started: silent until `graceUntilMs` without being offline. */
  restore(record: NodeRecord, nowMs: number, graceUntilMs: number): void {
    this.live.set(record.nodeId, { record, lastHeardMs: nowMs, gpuFreeBytes: new Map(), graceUntilMs, instanceId: "" });
  }

  get(nodeId: string): LiveNode | undefined {
    return this.live.get(nodeId);
  }

  /** Notes a call from the node; false if it is not connected (must register). */
  touch(nodeId: string, nowMs: number): boolean {
    const node = this.live.get(nodeId);
    if (node === undefined) return false;
    node.lastHeardMs = nowMs;
    return true;
  }

  /** The capacity the scheduler sees: registered GPUs, cores and memory, and live free GPU memory. */
  capacityOf(node: LiveNode): NodeCapacity {
    return node.gpuFreeBytes.size === 0 ? node.record.capacity : { ...node.record.capacity, gpuLiveFreeBytes: node.gpuFreeBytes };
  }

  /** Notes live free GPU memory from a heartbeat; readings for GPUs the node did not register are ignored. */
  noteGpuMemory(nodeId: string, readings: readonly { index: number; freeBytes: number }[]): void {
    const node = this.live.get(nodeId);
    if (node === undefined) return;
    const registered = new Set(node.record.capacity.gpus.map((g) => g.index));
    node.gpuFreeBytes = new Map(readings.filter((r) => registered.has(r.index)).map((r) => [r.index, r.freeBytes]));
  }

  remove(nodeId: string): void {
    this.live.delete(nodeId);
  }

  all(): LiveNode[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** Nodes silent for more than `missedHeartbeats` of their intervals (and past their restart grace). */
  silentSince(nowMs: number, missedHeartbeats: number): LiveNode[] {
    return this.all().filter((n) => nowMs > n.graceUntilMs && nowMs - n.lastHeardMs > missedHeartbeats * n.record.heartbeatIntervalSeconds * 1000);
  }
}
