/**
 * NodeService handlers: authenticate the node (certificate CN, or the request's node_id in
 * insecure mode), then lease, progress, complete, fail, release through the coordinator.
 * Every call about a task names its (task_id, lease_id); a stale one is ABORTED.
 */
import * as grpc from "@grpc/grpc-js";
import {
  type CompleteTaskOutcome,
  type CompleteTaskRequestOut,
  type CompleteTaskResponse,
  type NodeServiceHandlers,
  type ResultFileOut,
  toManifest,
  tunables,
} from "../proto/index.js";
import type { Authenticator } from "./auth.js";
import type { CompletionItem, Coordinator } from "./coordinator.js";
import { AbortedError, FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError } from "./errors.js";
import { findMissingChunks, uploadChunk } from "./job-service.js";
import { ACTIVE_STATES, CANCELLED, SUCCEEDED } from "./job-states.js";
import type { ResultRecord } from "./job-store.js";
import { parseTaskId, toTaskMessage } from "./job-view.js";
import { type LeasedFederatedTask, parseFederatedTaskId } from "./federation/index.js";
import type { CoordinatorMetrics } from "./metrics.js";
import { type Log, serverStream, toStatus, unary } from "./rpc.js";
import { streamManifest } from "./stream-file.js";

const MAX_SUMMARY_JSON_BYTES = 64 * 1024;

function taskJobId(taskId: string, leaseId: string): string {
  const parsed = parseTaskId(taskId);
  if (parsed === undefined || parsed.leaseId !== leaseId)
    throw new InvalidArgumentError(
      `task_id "${taskId.slice(0, 200)}" and lease_id "${leaseId.slice(0, 40)}" do not belong together; send them as LeaseTask returned them.`,
    );
  return parsed.jobId;
}

function toResults(results: ResultFileOut[]): ResultRecord[] {
  return results.map((r, i) => {
    if (r.file === null) throw new InvalidArgumentError(`results[${i}].file is missing; send the manifest of each uploaded file.`);
    return { kind: r.kind, manifest: toManifest(r.file) };
  });
}

export function nodeServiceHandlers(coordinator: Coordinator, auth: Authenticator, metrics: CoordinatorMetrics | undefined, log: Log): NodeServiceHandlers {
  const context = { service: "NodeService", metrics, log };
  const settings = coordinator.settings;
  const store = coordinator.store;

  /** The federation runner (training) or synthesis runner of a federated task id (job/r<round>/<holder>); undefined for other tasks. */
  function federatedTask(taskId: string): NonNullable<Coordinator["federation"]> | NonNullable<Coordinator["synthesis"]> | undefined {
    const parsed = parseFederatedTaskId(taskId);
    if (parsed === undefined) return undefined;
    if (coordinator.synthesis?.owns(parsed.jobId)) return coordinator.synthesis;
    if (coordinator.federation === undefined) throw new FailedPreconditionError("this coordinator runs no federated jobs.");
    return coordinator.federation;
  }

  function federatedTaskMessage(leased: LeasedFederatedTask) {
    return {
      taskId: leased.taskId,
      leaseId: leased.leaseId,
      jobId: leased.jobId,
      attempt: 1,
      spec: store.getJob(leased.jobId)?.spec ?? null,
      leaseDeadlineUnixMs: leased.deadlineMs,
      gpuIndexes: [],
      federated: leased.federated,
    };
  }

  /**
   * Checks one completion and stores its inline chunks (hash-checked, as by UploadChunk, before
   * the completion is recorded): the item to record, or the answer at once for a retry of a
   * completion already accepted. Throws the status CompleteTask answers with.
   */
  async function prepareCompletion(nodeId: string, request: CompleteTaskRequestOut): Promise<CompletionItem | { answer: CompleteTaskResponse }> {
    const leaseId = request.leaseId;
    if (parseFederatedTaskId(request.taskId) !== undefined)
      throw new InvalidArgumentError("complete a federated task with CompleteTask, not in a CompleteTasks batch.");
    const jobId = taskJobId(request.taskId, leaseId);
    const current = store.getJob(jobId);
    if (current?.state === SUCCEEDED && current.leaseId === leaseId && current.nodeId === nodeId) return { answer: { accepted: true } };
    const currentLease = current !== undefined && current.leaseId === leaseId && current.nodeId === nodeId && ACTIVE_STATES.includes(current.state);
    if (!currentLease && !store.isLateCompletion(jobId, leaseId, nodeId)) {
      const why = current?.state === CANCELLED ? "the job was cancelled" : "the lease expired or passed to another node";
      throw new AbortedError(`lease ${leaseId} on job ${jobId} is no longer valid (${why}); discard these results.`);
    }
    if (Buffer.byteLength(request.summaryJson) > MAX_SUMMARY_JSON_BYTES)
      throw new InvalidArgumentError(`summary_json is above ${MAX_SUMMARY_JSON_BYTES} bytes; put the full report in a RESULT_KIND_REPORT file.`);
    if (request.summaryJson !== "") {
      try {
        JSON.parse(request.summaryJson);
      } catch (error) {
        throw new InvalidArgumentError(`summary_json is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
      }
    }
    const results = toResults(request.results);
    coordinator.checkResultKinds(results);
    const inlineBytes = request.inlineChunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
    if (inlineBytes > tunables.maxInlineResultBytes) {
      throw new ResourceExhaustedError(
        `inline_chunks hold ${inlineBytes} bytes, above the ${tunables.maxInlineResultBytes}-byte limit; upload larger results with UploadChunk.`,
      );
    }
    // Chunks kept in the database are made durable by the completion's own group fsync (their commits come first).
    for (const chunk of request.inlineChunks) await uploadChunk(coordinator, chunk, metrics, { durableLater: true });
    for (const result of results) await coordinator.chunks.verifyManifest(result.manifest, `result ${result.kind}`);
    return { jobId, leaseId, results, summaryJson: request.summaryJson, leaseNext: request.leaseNext };
  }

  return {
    RegisterNode: unary(context, "RegisterNode", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const { record, activeJobs } = await coordinator.registerNode(nodeId, call.request);
      log(
        `node ${nodeId} registered: ${record.capacity.cpuCores} cores, ${record.capacity.gpus.length} GPU(s), heartbeat every ${record.heartbeatIntervalSeconds} s`,
      );
      return {
        heartbeatIntervalSeconds: record.heartbeatIntervalSeconds,
        leaseSeconds: settings.leaseSeconds,
        maxChunkBytes: coordinator.chunks.maxChunkBytes,
        maxInlineResultBytes: tunables.maxInlineResultBytes,
        activeTasks: activeJobs.map(toTaskMessage),
      };
    }),

    Heartbeat: unary(context, "Heartbeat", (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      coordinator.touchNode(nodeId);
      coordinator.nodes.noteGpuMemory(nodeId, call.request.gpuMemory);
      const cancelledTaskIds: string[] = [];
      const lostTaskIds: string[] = [];
      for (const taskId of call.request.runningTaskIds) {
        if (parseFederatedTaskId(taskId) !== undefined) {
          if (!coordinator.federation?.isTaskLive(nodeId, taskId) && !coordinator.synthesis?.isTaskLive(nodeId, taskId)) lostTaskIds.push(taskId);
          continue;
        }
        const parsed = parseTaskId(taskId);
        const job = parsed === undefined ? undefined : store.getJob(parsed.jobId);
        if (job === undefined || parsed === undefined || job.leaseId !== parsed.leaseId || job.nodeId !== nodeId) lostTaskIds.push(taskId);
        else if (job.state === CANCELLED) cancelledTaskIds.push(taskId);
        else if (!ACTIVE_STATES.includes(job.state)) lostTaskIds.push(taskId);
      }
      const interval = coordinator.nodes.get(nodeId)?.record.heartbeatIntervalSeconds ?? settings.heartbeatIntervalSeconds;
      return { heartbeatIntervalSeconds: interval, cancelledTaskIds, lostTaskIds };
    }),

    LeaseTask: unary(context, "LeaseTask", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      let waitSeconds = Math.min(call.request.waitSeconds, tunables.maxLeaseTaskWaitSeconds);
      // Answer (empty) before the caller's deadline rather than let it expire.
      const deadline = call.getDeadline();
      const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
      if (Number.isFinite(deadlineMs) && deadlineMs > 0) waitSeconds = Math.min(waitSeconds, Math.max(0, (deadlineMs - Date.now() - 500) / 1000));
      if (coordinator.isHolder(nodeId) && coordinator.federation) {
        coordinator.touchNode(nodeId);
        // Synthesis tasks are taken at once; training tasks are waited for in short slices so a synthesis round is not kept waiting.
        const until = Date.now() + waitSeconds * 1000;
        for (;;) {
          const synthesis = coordinator.synthesis?.take(nodeId);
          if (synthesis) return { task: federatedTaskMessage(synthesis) };
          const slice = Math.min(1, Math.max(0, (until - Date.now()) / 1000));
          const leased = await coordinator.federation.leaseTask(nodeId, slice, () => call.cancelled);
          if (leased) return { task: federatedTaskMessage(leased) };
          if (Date.now() >= until || call.cancelled || coordinator.isStopping) return {};
        }
      }
      const job = await coordinator.leaseTask(nodeId, waitSeconds, () => call.cancelled);
      return job === undefined ? {} : { task: toTaskMessage(job) };
    }),

    ReportProgress: unary(context, "ReportProgress", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const federation = federatedTask(call.request.taskId);
      if (federation) {
        coordinator.touchNode(nodeId);
        const live = federation.isTaskLive(nodeId, call.request.taskId);
        return { leaseDeadlineUnixMs: 0, cancelRequested: !live };
      }
      const jobId = taskJobId(call.request.taskId, call.request.leaseId);
      const progress = call.request.progress ?? { fraction: 0, phase: "", message: "" };
      const { job, cancelRequested } = await coordinator.reportProgress(nodeId, jobId, call.request.leaseId, progress);
      return { leaseDeadlineUnixMs: job.leaseDeadlineMs ?? 0, cancelRequested };
    }),

    DownloadInput: serverStream(context, "DownloadInput", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const federation = federatedTask(call.request.taskId);
      if (federation) {
        coordinator.touchNode(nodeId);
        const model = federation.modelOfTask(nodeId, call.request.taskId, call.request.leaseId);
        await streamManifest(
          call,
          coordinator.chunks,
          model,
          call.request.startChunkIndex,
          (bytes) => metrics?.transferBytes.inc({ direction: "sent" }, bytes),
          { served: true },
        );
        return;
      }
      const jobId = taskJobId(call.request.taskId, call.request.leaseId);
      coordinator.touchNode(nodeId);
      const job = store.getJob(jobId);
      if (job === undefined || job.leaseId !== call.request.leaseId || job.nodeId !== nodeId || !ACTIVE_STATES.includes(job.state)) {
        throw new AbortedError(`lease ${call.request.leaseId} on job ${jobId} is no longer valid; drop this task and lease a new one.`);
      }
      const upload = job.spec.input?.upload;
      if (!upload)
        throw new FailedPreconditionError(`job ${jobId} reads bundled data "${job.spec.input?.bundledUri ?? ""}"; read it from the node's own install.`);
      await streamManifest(call, coordinator.chunks, toManifest(upload), call.request.startChunkIndex, (bytes) =>
        metrics?.transferBytes.inc({ direction: "sent" }, bytes),
      );
    }),

    UploadChunk: unary(context, "UploadChunk", async (call) => {
      auth.node(call, "");
      return uploadChunk(coordinator, call.request, metrics);
    }),

    FindMissingChunks: unary(context, "FindMissingChunks", (call) => {
      auth.node(call, "");
      return findMissingChunks(coordinator, call.request.sha256);
    }),

    CompleteTask: unary(context, "CompleteTask", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const federation = federatedTask(call.request.taskId);
      if (federation) {
        coordinator.touchNode(nodeId);
        const result = call.request.federated;
        if (result === null || result.update === null || result.update.file === null)
          throw new InvalidArgumentError("a federated task completes with federated.update (the MODEL_UPDATE file); upload its chunks first.");
        const kinds = federation === coordinator.synthesis ? ["RESULT_KIND_MEASUREMENTS", "RESULT_KIND_SCORES"] : ["RESULT_KIND_MODEL_UPDATE"];
        if (!kinds.includes(result.update.kind))
          throw new InvalidArgumentError(`federated.update.kind must be ${kinds.join(" or ")} for this task, got ${result.update.kind}.`);
        const inlineBytes = call.request.inlineChunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
        if (inlineBytes > tunables.maxInlineResultBytes)
          throw new ResourceExhaustedError(`inline_chunks hold ${inlineBytes} bytes, above ${tunables.maxInlineResultBytes}; upload with UploadChunk.`);
        for (const chunk of call.request.inlineChunks) await uploadChunk(coordinator, chunk, metrics);
        await federation.completeTask(nodeId, call.request.taskId, call.request.leaseId, {
          manifest: toManifest(result.update.file),
          exampleCount: result.exampleCount,
          participantCount: result.participantCount,
          unclippedCount: result.unclippedCount,
          localLoss: result.localLoss,
        });
        return { accepted: true };
      }
      const prepared = await prepareCompletion(nodeId, call.request);
      if ("answer" in prepared) return prepared.answer;
      const { accepted, next } = await coordinator.completeTask(
        nodeId,
        prepared.jobId,
        prepared.leaseId,
        prepared.results,
        prepared.summaryJson,
        prepared.leaseNext,
      );
      return next === undefined ? { accepted } : { accepted, nextTask: toTaskMessage(next) };
    }),

    CompleteTasks: unary(context, "CompleteTasks", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const completions = call.request.completions;
      if (completions.length === 0 || completions.length > tunables.maxCompletionsPerCall) {
        throw new InvalidArgumentError(`completions holds ${completions.length} items; send 1 to ${tunables.maxCompletionsPerCall} per call.`);
      }
      const taskIds = new Set<string>();
      let inlineBytes = 0;
      for (const [i, completion] of completions.entries()) {
        if (completion.nodeId !== "" && completion.nodeId !== nodeId)
          throw new InvalidArgumentError(`completions[${i}].node_id is "${completion.nodeId.slice(0, 128)}", not the caller ${nodeId}; leave it empty.`);
        if (taskIds.has(completion.taskId))
          throw new InvalidArgumentError(`completions[${i}] repeats task ${completion.taskId.slice(0, 200)}; send each task once per call.`);
        taskIds.add(completion.taskId);
        inlineBytes += completion.inlineChunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
      }
      if (inlineBytes > tunables.maxBatchInlineResultBytes) {
        throw new ResourceExhaustedError(
          `the completions' inline_chunks hold ${inlineBytes} bytes together, above the ${tunables.maxBatchInlineResultBytes}-byte limit of one call; send fewer per call.`,
        );
      }
      const failed = (error: unknown): CompleteTaskOutcome => {
        const status = toStatus(error, context, "CompleteTasks");
        return { code: status.code ?? grpc.status.UNKNOWN, message: status.details ?? "" };
      };
      const outcomes: CompleteTaskOutcome[] = new Array(completions.length);
      const pending: { index: number; item: CompletionItem }[] = [];
      for (const [index, completion] of completions.entries()) {
        try {
          const prepared = await prepareCompletion(nodeId, completion);
          if ("answer" in prepared) outcomes[index] = { code: grpc.status.OK, response: prepared.answer };
          else pending.push({ index, item: prepared });
        } catch (error) {
          outcomes[index] = failed(error);
        }
      }
      const recorded =
        pending.length === 0
          ? []
          : await coordinator.completeTasks(
              nodeId,
              pending.map((p) => p.item),
            );
      for (const [k, outcome] of recorded.entries()) {
        const { index } = pending[k]!;
        outcomes[index] =
          "error" in outcome
            ? failed(outcome.error)
            : {
                code: grpc.status.OK,
                response: outcome.next === undefined ? { accepted: outcome.accepted } : { accepted: outcome.accepted, nextTask: toTaskMessage(outcome.next) },
              };
      }
      return { outcomes };
    }),

    FailTask: unary(context, "FailTask", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const federation = federatedTask(call.request.taskId);
      if (federation) {
        coordinator.touchNode(nodeId);
        federation.failTask(nodeId, call.request.taskId, call.request.leaseId, call.request.errorMessage, call.request.refusalReason);
        return { willRetry: false, attemptsLeft: 0 };
      }
      const jobId = taskJobId(call.request.taskId, call.request.leaseId);
      const outcome = await coordinator.failTask(nodeId, jobId, call.request.leaseId, call.request.errorMessage, call.request.retryable);
      return { willRetry: outcome.requeued, attemptsLeft: Math.max(0, outcome.job.maxAttempts - outcome.job.attempt) };
    }),

    ReleaseTask: unary(context, "ReleaseTask", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const federation = federatedTask(call.request.taskId);
      if (federation) {
        coordinator.touchNode(nodeId);
        federation.releaseTask(nodeId, call.request.taskId, call.request.leaseId);
        return { requeued: true };
      }
      const jobId = taskJobId(call.request.taskId, call.request.leaseId);
      return { requeued: (await coordinator.releaseTask(nodeId, jobId, call.request.leaseId, call.request.reason)).requeued };
    }),

    DeregisterNode: unary(context, "DeregisterNode", async (call) => {
      const nodeId = auth.node(call, call.request.nodeId);
      const requeuedTasks = await coordinator.deregisterNode(nodeId);
      log(`node ${nodeId} left; ${requeuedTasks} task(s) re-queued`);
      return { requeuedTasks };
    }),
  };
}
