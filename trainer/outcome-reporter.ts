/**
 * Sends a spooled outcome to the coordinator: for a success, small results (at most the
 * coordinator's max_inline_result_bytes) inside CompleteTask itself; otherwise the result files' missing chunks
 * (uploadFile asks FindMissingChunks first, so a report interrupted half-way resumes where it
 * stopped and never stores a chunk twice) and then CompleteTask; for a failure, FailTask.
 * Returns what the agent should do with the spool entry.
 */
import { readFile, stat } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import type { CompletionAnswer } from "./completion-batcher.js";
import {
  chunkBuffer,
  type CompleteTaskRequest,
  manifestOfFile,
  type NodeServiceClient,
  type ResultFile,
  type ResultKindName,
  readFileChunks,
  type TaskOut,
  tunables,
  type UploadChunkRequest,
} from "../proto/index.js";
import { cancellableCall, describeRpcError, statusOf } from "./node-rpc.js";
import { materializeFiles, type SpooledOutcome, type SpoolFileKind } from "./result-spool.js";

const resultKinds: Record<SpoolFileKind, ResultKindName> = {
  table: "RESULT_KIND_TABLE",
  model: "RESULT_KIND_MODEL",
  report: "RESULT_KIND_REPORT",
  report_html: "RESULT_KIND_REPORT_HTML",
  other: "RESULT_KIND_OTHER",
};

export type ReportVerdict =
  /** The coordinator recorded it: remove the entry. `nextTask`: leased in the same call (leaseNext). */
  | { kind: "acknowledged"; uploadedBytes: number; willRetry?: boolean; nextTask?: TaskOut }
  /** The coordinator will never take it (lease expired and re-leased, job cancelled): remove the entry. */
  | { kind: "refused"; reason: string }
  /** Could not reach the coordinator (or it is restarting): keep the entry, try after reconnecting. */
  | { kind: "retry-later"; reason: string };

export interface ReportContext {
  client: NodeServiceClient;
  nodeId: string;
  /** Largest chunk the coordinator accepts (from RegisterNodeResponse). */
  maxChunkBytes: number;
  /** Result bytes CompleteTask takes inline (from RegisterNodeResponse; 0: upload every chunk). */
  maxInlineResultBytes?: number;
  deadlineSeconds: number;
  signal?: AbortSignal;
  /**
   * Ask CompleteTask to lease this node's next task in the same call (lease_next). Only a small
   * result sent inline does: before a longer report (uploads, or a failure) `onNoLeaseNext` runs
   * instead, so the agent can lease the usual way meanwhile.
   */
  leaseNext?: boolean;
  onNoLeaseNext?: () => void;
  /** Sends the CompleteTask request (the agent's CompletionBatcher); a direct CompleteTask call when unset. */
  complete?: (request: CompleteTaskRequest) => Promise<CompletionAnswer>;
}

/** Statuses after which re-sending the same report can never succeed. */
const refusedCodes = new Set<number>([
  grpc.status.ABORTED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.ALREADY_EXISTS,
  grpc.status.OUT_OF_RANGE,
]);

/** Chunks uploaded at once (each at most chunkBytes, so at most this many chunk buffers in memory). */
const uploadConcurrency = 4;

/** Below this many chunks, asking which are missing costs more than re-sending them (UploadChunk is idempotent). */
const findMissingThresholdChunks = 4;

/**
 * Uploads the chunks of every result file that the coordinator lacks: one FindMissingChunks for
 * all files together (so an interrupted report resumes), or, for a result of a few chunks, the
 * chunks straight away.
 */
async function uploadResults(
  context: ReportContext,
  outcome: SpooledOutcome,
): Promise<{ results: ResultFile[]; uploadedBytes: number; inlineChunks: UploadChunkRequest[] }> {
  const chunkBytes = Math.min(tunables.chunkBytes, context.maxChunkBytes);
  const sizes = await Promise.all(outcome.files.map(async (file) => file.data?.length ?? (await stat(file.path)).size));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  if (totalBytes <= (context.maxInlineResultBytes ?? 0)) {
    // Small results ride inside CompleteTask (re-sent whole if the report is retried: they are
    // small). Each file is read once; its manifest and chunks come from the same bytes.
    const inlineChunks: UploadChunkRequest[] = [];
    const results: ResultFile[] = [];
    const seen = new Set<string>();
    for (const file of outcome.files) {
      const { manifest, chunks } = chunkBuffer(file.data ?? (await readFile(file.path)), { name: file.name, mediaType: file.mediaType, chunkBytes });
      results.push({ kind: resultKinds[file.kind], file: manifest });
      for (const chunk of chunks) {
        if (seen.has(chunk.sha256)) continue;
        seen.add(chunk.sha256);
        inlineChunks.push({ sha256: chunk.sha256, data: chunk.data });
      }
    }
    return { results, uploadedBytes: totalBytes, inlineChunks };
  }
  context.onNoLeaseNext?.();
  // Uploads read files from disk: outputs still in memory are written first.
  if (outcome.files.some((file) => file.data !== undefined)) outcome = { ...outcome, files: await materializeFiles(outcome.files) };
  const manifests = await Promise.all(outcome.files.map((file) => manifestOfFile(file.path, { name: file.name, mediaType: file.mediaType, chunkBytes })));
  const resultsOf = () => outcome.files.map((file, i): ResultFile => ({ kind: resultKinds[file.kind], file: manifests[i]! }));
  const digests = [...new Set(manifests.flatMap((manifest) => manifest.chunks.map((chunk) => chunk.sha256)))];
  let missing = new Set(digests);
  if (digests.length > findMissingThresholdChunks) {
    missing = new Set();
    for (let i = 0; i < digests.length; i += tunables.maxFindMissingDigests) {
      const response = await cancellableCall<{ missingSha256: string[] }>(
        (metadata, options, callback) =>
          context.client.findMissingChunks({ sha256: digests.slice(i, i + tunables.maxFindMissingDigests) }, metadata, options, callback),
        context.deadlineSeconds,
        context.signal,
      );
      for (const digest of response.missingSha256) missing.add(digest);
    }
  }
  let uploadedBytes = 0;
  // A few chunks in flight hide the round trip; more only queue up behind the coordinator's disk.
  // Each in-flight promise settles without rejecting; the first failure is kept and rethrown.
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (const file of outcome.files) {
    for await (const chunk of readFileChunks(file.path, chunkBytes)) {
      if (failure !== undefined) break;
      if (!missing.delete(chunk.sha256)) continue; // stored already, or sent earlier in this report
      const sent: Promise<void> = cancellableCall(
        (metadata, options, callback) => context.client.uploadChunk({ sha256: chunk.sha256, data: chunk.data }, metadata, options, callback),
        context.deadlineSeconds,
        context.signal,
      ).then(
        () => {
          uploadedBytes += chunk.data.length;
          inFlight.delete(sent);
        },
        (error: unknown) => {
          failure ??= error;
          inFlight.delete(sent);
        },
      );
      inFlight.add(sent);
      if (inFlight.size >= uploadConcurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { results: resultsOf(), uploadedBytes, inlineChunks: [] };
}

export async function reportOutcome(context: ReportContext, outcome: SpooledOutcome): Promise<ReportVerdict> {
  const ids = { nodeId: context.nodeId, taskId: outcome.taskId, leaseId: outcome.leaseId };
  try {
    if (outcome.outcome === "failed") {
      context.onNoLeaseNext?.();
      const response = await cancellableCall<{ willRetry: boolean }>(
        (metadata, options, callback) =>
          context.client.failTask({ ...ids, errorMessage: outcome.errorMessage.slice(0, 2000), retryable: outcome.retryable }, metadata, options, callback),
        context.deadlineSeconds,
        context.signal,
      );
      return { kind: "acknowledged", uploadedBytes: 0, willRetry: response.willRetry };
    }
    const { results, uploadedBytes, inlineChunks } = await uploadResults(context, outcome);
    const leaseNext = context.leaseNext === true && inlineChunks.length > 0;
    const request: CompleteTaskRequest = { ...ids, results, summaryJson: outcome.summaryJson, inlineChunks, leaseNext };
    const response = context.complete
      ? await context.complete(request)
      : await cancellableCall<CompletionAnswer>(
          (metadata, options, callback) => context.client.completeTask(request, metadata, options, callback),
          context.deadlineSeconds,
          context.signal,
        );
    if (!response.accepted) return { kind: "refused", reason: "CompleteTask answered accepted=false" };
    return response.nextTask ? { kind: "acknowledged", uploadedBytes, nextTask: response.nextTask } : { kind: "acknowledged", uploadedBytes };
  } catch (error) {
    // A result file vanished from the node's disk: nothing to re-send; the lease will expire
    // and the job runs again elsewhere.
    if (error instanceof Error && "code" in error && (error as { code: unknown }).code === "ENOENT") {
      return { kind: "refused", reason: `a result file is gone from the node's disk: ${error.message}` };
    }
    const code = statusOf(error);
    if (code !== undefined && refusedCodes.has(code)) return { kind: "refused", reason: describeRpcError(error) };
    // Transient, NOT_FOUND (the coordinator forgot this node: register again first), or auth.
    return { kind: "retry-later", reason: describeRpcError(error) };
  }
}
