/**
 * One registration of a node with a coordinator: RegisterNode (capabilities in, negotiated
 * heartbeat interval, lease length and chunk limit out) and the heartbeat loop that keeps it
 * alive. The session ends (its controller aborts) when the coordinator forgets the node
 * (NOT_FOUND) or misses answering two heartbeats in a row — the same rule the coordinator
 * applies to nodes — and the agent then registers again.
 */
import { hostname } from "node:os";
import * as grpc from "@grpc/grpc-js";
import { type NodeServiceClient, type RegisterNodeRequest, type RegisterNodeResponseOut, type TaskOut, tunables } from "../proto/index.js";
import { sleepUnlessAborted } from "./backoff.js";
import type { NodeCapabilities } from "./capabilities.js";
import { cancellableCall, describeRpcError, statusOf } from "./node-rpc.js";

export interface Session {
  heartbeatIntervalSeconds: number;
  leaseSeconds: number;
  maxChunkBytes: number;
  /** Result bytes CompleteTask takes inline (0: the coordinator wants every chunk uploaded). */
  maxInlineResultBytes: number;
  /** Aborted when the session is over (coordinator gone, node forgotten, shutdown done). */
  controller: AbortController;
}

/** The RegisterNode request for this node; `Hostname`/`hpc_job` join with dcgm-exporter. */
export function registrationOf(
  nodeId: string,
  capabilities: NodeCapabilities,
  maxConcurrentTasks: number,
  env: NodeJS.ProcessEnv,
  instanceId = "",
): RegisterNodeRequest {
  return {
    nodeId,
    capabilities: {
      gpus: capabilities.gpus.map((gpu) => ({ index: gpu.index, name: gpu.name, memoryBytes: gpu.memoryBytes, uuid: "" })),
      cpuCores: capabilities.cpuCores,
      memoryBytes: capabilities.memoryBytes,
      versions: capabilities.versions,
      kinds: ["JOB_KIND_SYNTHESIS", "JOB_KIND_SAMPLE"],
      maxConcurrentTasks,
    },
    requestedHeartbeatIntervalSeconds: 0,
    hostname: env["HOSTNAME"] ?? hostname(),
    hpcJob: env["SLURM_JOB_ID"] ?? "",
    instanceId,
  };
}

/** Registers; resolves with the new session and the tasks the coordinator thinks this node holds. */
export async function registerNode(client: NodeServiceClient, request: RegisterNodeRequest): Promise<{ session: Session; activeTasks: TaskOut[] }> {
  const response = await cancellableCall<RegisterNodeResponseOut>(
    (metadata, options, callback) => client.registerNode(request, metadata, options, callback),
    tunables.unaryDeadlineSeconds,
  );
  return {
    session: {
      heartbeatIntervalSeconds: Math.max(1, response.heartbeatIntervalSeconds || tunables.heartbeatIntervalSeconds),
      leaseSeconds: Math.max(1, response.leaseSeconds || tunables.leaseSeconds),
      maxChunkBytes: response.maxChunkBytes || tunables.maxChunkBytes,
      maxInlineResultBytes: response.maxInlineResultBytes,
      controller: new AbortController(),
    },
    activeTasks: response.activeTasks,
  };
}

export interface HeartbeatHandlers {
  runningTaskIds(): string[];
  /** Live free memory of the node's GPUs, sent with each heartbeat (empty without NVML). */
  gpuMemory?(): { index: number; freeBytes: number; totalBytes: number }[];
  onCancelled(taskId: string): void;
  onLost(taskId: string): void;
  log(line: string): void;
}

/** Heartbeats until the session ends; ends it itself when the coordinator stops answering or forgets the node. */
export async function heartbeatLoop(client: NodeServiceClient, nodeId: string, session: Session, handlers: HeartbeatHandlers): Promise<void> {
  let missed = 0;
  const signal = session.controller.signal;
  while (!signal.aborted) {
    await sleepUnlessAborted(session.heartbeatIntervalSeconds * 1000, signal);
    if (signal.aborted) return;
    try {
      const response = await cancellableCall<{ heartbeatIntervalSeconds: number; cancelledTaskIds: string[]; lostTaskIds: string[] }>(
        (metadata, options, callback) =>
          client.heartbeat({ nodeId, runningTaskIds: handlers.runningTaskIds(), gpuMemory: handlers.gpuMemory?.() ?? [] }, metadata, options, callback),
        Math.max(1, session.heartbeatIntervalSeconds),
        signal,
      );
      missed = 0;
      if (response.heartbeatIntervalSeconds > 0) session.heartbeatIntervalSeconds = response.heartbeatIntervalSeconds;
      for (const taskId of response.cancelledTaskIds) handlers.onCancelled(taskId);
      for (const taskId of response.lostTaskIds) handlers.onLost(taskId);
    } catch (error) {
      if (signal.aborted) return;
      missed += 1;
      // NOT_FOUND: the coordinator forgot us (restarted, or declared us offline): register again now.
      // Two misses in a row: the coordinator treats us as offline too, so start over.
      if (statusOf(error) === grpc.status.NOT_FOUND || missed >= 2) {
        handlers.log(`heartbeat failed (${describeRpcError(error)}); registering again`);
        session.controller.abort();
        return;
      }
    }
  }
}
