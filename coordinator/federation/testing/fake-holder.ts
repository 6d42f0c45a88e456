/**
 * A fake holder sidecar for tests and the benchmark: registers a dataset's schema over
 * NodeService, leases federated tasks, downloads the global model with DownloadInput, computes an
 * "update" with a given function instead of training, uploads it chunk by chunk and completes the
 * task. Real holders are trainer/holder/ (datalab trainer).
 */
import { callNode, chunkBuffer, type FederatedTaskOut, type NodeServiceClient, type TaskOut } from "../../../proto/index.js";

export interface FakeHolderOptions {
  nodeId: string;
  datasetId: string;
  schemaJson: string;
  /** The update for a task given the global model; undefined = refuse with this reason (see refuse). */
  update: (
    model: Float32Array,
    task: FederatedTaskOut,
  ) => { values: Float32Array; examples: number; unclipped?: number } | Promise<{ values: Float32Array; examples: number; unclipped?: number }>;
  /** A refusal reason for this task, or "" to run it. */
  refuse?: (task: FederatedTaskOut) => string;
  /** Lease but never answer (a straggler). */
  stall?: (task: FederatedTaskOut) => boolean;
  /** Chunk size of uploads (default 1 MiB). */
  chunkBytes?: number;
}

export interface FakeHolder {
  readonly completed: string[];
  /** Runs until stop(); resolves when stopped. */
  readonly done: Promise<void>;
  stop(): void;
}

export async function downloadTaskModel(client: NodeServiceClient, nodeId: string, task: TaskOut): Promise<Float32Array> {
  const size = Number(task.federated?.globalModel?.sizeBytes ?? 0);
  const bytes = new Uint8Array(size);
  let offset = 0;
  await new Promise<void>((resolve, reject) => {
    const stream = client.downloadInput({ nodeId, taskId: task.taskId, leaseId: task.leaseId, startChunkIndex: 0 }, { deadline: Date.now() + 900_000 });
    stream.on("data", (message: { chunk?: { data: Buffer } | null }) => {
      if (message.chunk) {
        bytes.set(message.chunk.data, offset);
        offset += message.chunk.data.length;
      }
    });
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  return new Float32Array(bytes.buffer, 0, size / 4);
}

export async function registerHolder(client: NodeServiceClient, nodeId: string, datasetId: string, schemaJson: string): Promise<void> {
  await callNode(client, "RegisterNode", {
    nodeId,
    capabilities: { cpuCores: 1, memoryBytes: 1e9, kinds: ["JOB_KIND_FEDERATED_TRAINING"], maxConcurrentTasks: 1 },
    role: "NODE_ROLE_HOLDER",
    heldDatasets: [
      { datasetId, schemaJson, rowCountBucket: 1000, policy: { allowedKinds: ["JOB_KIND_FEDERATED_TRAINING"], maxEpsilonPerJob: 100, remainingEpsilon: 100 } },
    ],
  });
}

/** Uploads an update and completes the task with it. */
export async function completeWithUpdate(
  client: NodeServiceClient,
  nodeId: string,
  task: TaskOut,
  values: Float32Array,
  examples: number,
  unclipped: number,
  chunkBytes?: number,
): Promise<void> {
  const { manifest, chunks } = chunkBuffer(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), {
    name: "update.f32",
    mediaType: "application/octet-stream",
    ...(chunkBytes ? { chunkBytes } : {}),
  });
  for (const chunk of chunks) await callNode(client, "UploadChunk", { sha256: chunk.sha256, data: chunk.data }, { deadlineSeconds: 60 });
  await callNode(client, "CompleteTask", {
    nodeId,
    taskId: task.taskId,
    leaseId: task.leaseId,
    federated: {
      update: { kind: "RESULT_KIND_MODEL_UPDATE", file: manifest },
      exampleCount: examples,
      participantCount: 1,
      unclippedCount: unclipped,
      localLoss: 0.5,
    },
  });
}

export function startFakeHolder(client: NodeServiceClient, options: FakeHolderOptions): FakeHolder {
  let stopped = false;
  const completed: string[] = [];
  const heartbeat = setInterval(() => {
    void callNode(client, "Heartbeat", { nodeId: options.nodeId }).catch(() => undefined);
  }, 1000);
  const done = (async () => {
    let registered = false;
    while (!stopped) {
      try {
        if (!registered) {
          await registerHolder(client, options.nodeId, options.datasetId, options.schemaJson);
          registered = true;
        }
        const { task } = await callNode(client, "LeaseTask", { nodeId: options.nodeId, waitSeconds: 1 }, { deadlineSeconds: 5 });
        if (!task?.federated) continue;
        const federated = task.federated;
        if (options.stall?.(federated)) continue;
        const reason = options.refuse?.(federated) ?? "";
        if (reason) {
          await callNode(client, "FailTask", {
            nodeId: options.nodeId,
            taskId: task.taskId,
            leaseId: task.leaseId,
            errorMessage: reason,
            refusalReason: reason,
          });
          continue;
        }
        const model = await downloadTaskModel(client, options.nodeId, task);
        const update = await options.update(model, federated);
        await completeWithUpdate(client, options.nodeId, task, update.values, update.examples, update.unclipped ?? 1, options.chunkBytes);
        completed.push(task.taskId);
      } catch (error) {
        // The coordinator restarting (UNAVAILABLE) or a node it forgot (NOT_FOUND): register again.
        registered = false;
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 200));
        void error;
      }
    }
    clearInterval(heartbeat);
  })();
  return {
    completed,
    done,
    stop() {
      stopped = true;
    },
  };
}
