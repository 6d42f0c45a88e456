/**
 * Nodes that are connected now: their capabilities and when they were last heard from. The
 * durable record of every node is in the store; this is the live view the scheduler and the
 * offline sweep use. After a coordinator restart, nodes the store knew as online get a grace
 * period (proto's restartGraceSeconds: the nodes' reconnect backoff cap plus two heartbeat
 * intervals) to call again before they are declared offline.
 */
import type { NodeRecord } from "./job-store.js";

export interface LiveNode {
  record: NodeRecord;
  lastHeardMs: number;
  /** Not declared offline before this time, however silent (the grace after a coordinator restart); 0 = none. */
  graceUntilMs: number;
  /** The agent process that registered it (RegisterNodeRequest.instance_id); "" = unknown (older agent, or restored after a restart). */
  instanceId: string;
}

export class NodeRegistry {
  private readonly live = new Map<string, LiveNode>();

  add(record: NodeRecord, nowMs: number, instanceId = ""): void {
    this.live.set(record.nodeId, { record, lastHeardMs: nowMs, graceUntilMs: 0, instanceId });
  }

  /** A node the store knew as online when the coordinator (re)started: silent until `graceUntilMs` without being offline. */
  restore(record: NodeRecord, nowMs: number, graceUntilMs: number): void {
    this.live.set(record.nodeId, { record, lastHeardMs: nowMs, graceUntilMs, instanceId: "" });
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
