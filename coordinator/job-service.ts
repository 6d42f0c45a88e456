/**
 * JobService handlers: authenticate the client (bearer token), call the coordinator, shape the
 * response. Clients only ever see their own jobs.
 */
import { type JobServiceHandlers, tunables } from "../proto/index.js";
import type { Authenticator } from "./auth.js";
import { clientChunkOwner } from "./chunk-store.js";
import type { Coordinator } from "./coordinator.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnavailableError } from "./errors.js";
import { SUCCEEDED, shortState } from "./job-states.js";
import type { JobRecord } from "./job-store.js";
import type { CoordinatorMetrics } from "./metrics.js";
import { type Log, serverStream, unary, writeMessage } from "./rpc.js";
import { streamManifest } from "./stream-file.js";

export function jobServiceHandlers(coordinator: Coordinator, auth: Authenticator, metrics: CoordinatorMetrics | undefined, log: Log): JobServiceHandlers {
  const context = { service: "JobService", metrics, log };
  return {
    SubmitJob: unary(context, "SubmitJob", async (call) => {
      const owner = auth.client(call);
      return coordinator.submitJob(owner, call.request);
    }),

    GetJob: unary(context, "GetJob", (call) => ({ job: coordinator.getJob(auth.client(call), call.request.jobId) })),

    ListJobs: unary(context, "ListJobs", (call) => coordinator.listJobs(auth.client(call), call.request)),

    CancelJob: unary(context, "CancelJob", async (call) => ({ job: await coordinator.cancelJob(auth.client(call), call.request.jobId, call.request.reason) })),

    WatchJob: serverStream(context, "WatchJob", async (call) => {
      const owner = auth.client(call);
      const first = coordinator.ownJob(owner, call.request.jobId);
      // Changes are queued while a write is pending so none is lost and order is kept.
      const pending: JobRecord[] = [first];
      let wake: (() => void) | undefined;
      const unsubscribe = coordinator.watchJob(first.jobId, (job) => {
        pending.push(job);
        wake?.();
      });
      const stop = () => wake?.();
      call.on("cancelled", stop);
      coordinator.events.on("stop", stop);
      try {
        for (;;) {
          const job = pending.shift();
          if (job === undefined) {
            if (call.cancelled) return;
            if (coordinator.isStopping) throw new UnavailableError("the coordinator is shutting down; call WatchJob again (with backoff) to follow the job.");
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
            continue;
          }
          await writeMessage(call, { job: coordinator.view(job) });
          if (job.state === "JOB_STATE_SUCCEEDED" || job.state === "JOB_STATE_FAILED" || job.state === "JOB_STATE_CANCELLED") return;
        }
      } finally {
        unsubscribe();
        call.off("cancelled", stop);
        coordinator.events.off("stop", stop);
      }
    }),

    DownloadResult: serverStream(context, "DownloadResult", async (call) => {
      const owner = auth.client(call);
      const job = coordinator.ownJob(owner, call.request.jobId);
      if (job.state !== SUCCEEDED) {
        throw new FailedPreconditionError(
          `job ${job.jobId} is ${shortState(job.state)}; results can be downloaded once it has SUCCEEDED (watch it with \`datalab watch\`).`,
        );
      }
      if (job.resultsExpiredTimeMs > 0) {
        throw new FailedPreconditionError(
          `the results of job ${job.jobId} were removed on ${new Date(job.resultsExpiredTimeMs).toISOString()}, after the coordinator's retention period (--result-retention-days); run the job again.`,
        );
      }
      const kind = call.request.kind;
      if (kind === "RESULT_KIND_UNSPECIFIED")
        throw new InvalidArgumentError("kind is not set; ask for RESULT_KIND_TABLE, _MODEL, _REPORT, _REPORT_HTML or _OTHER (with name).");
      const result = job.results.find((r) => r.kind === kind && (kind !== "RESULT_KIND_OTHER" || r.manifest.name === call.request.name));
      if (result === undefined) {
        const have = job.results.map((r) => (r.kind === "RESULT_KIND_OTHER" ? `OTHER:${r.manifest.name}` : r.kind.replace("RESULT_KIND_", ""))).join(", ");
        throw new NotFoundError(
          `job ${job.jobId} has no ${kind}${call.request.name ? ` named "${call.request.name}"` : ""} result; it has: ${have || "none"}.`,
        );
      }
      await streamManifest(call, coordinator.chunks, result.manifest, call.request.startChunkIndex, (bytes) =>
        metrics?.transferBytes.inc({ direction: "sent" }, bytes),
      );
    }),

    UploadChunk: unary(context, "UploadChunk", async (call) => {
      const owner = clientChunkOwner(auth.client(call));
      const stored = await uploadChunk(coordinator, call.request, metrics);
      const newlyOwned = coordinator.store.addChunkOwner(owner, [call.request.sha256]);
      await coordinator.store.durable();
      // "Already stored" only from the caller's point of view: others' uploads stay invisible.
      return { alreadyStored: stored.alreadyStored && newlyOwned.length === 0, sizeBytes: stored.sizeBytes };
    }),

    FindMissingChunks: unary(context, "FindMissingChunks", (call) => {
      const owner = clientChunkOwner(auth.client(call));
      const { missingSha256 } = findMissingChunks(coordinator, call.request.sha256);
      const owned = coordinator.store.ownedChunks(owner, call.request.sha256);
      const missing = new Set(missingSha256);
      const answer = call.request.sha256.filter((digest) => missing.has(digest) || !owned.has(digest));
      // Chunks the client holds and will reference without sending: their retention starts over.
      const kept = new Set(answer);
      coordinator.store.addChunkOwner(
        owner,
        call.request.sha256.filter((digest) => !kept.has(digest)),
      );
      return { missingSha256: answer };
    }),
  };
}

/** UploadChunk, shared by both services (and CompleteTask's inline chunks). */
export async function uploadChunk(
  coordinator: Coordinator,
  chunk: { sha256: string; data: Buffer },
  metrics: CoordinatorMetrics | undefined,
  options: { durableLater?: boolean } = {},
): Promise<{ alreadyStored: boolean; sizeBytes: number }> {
  const result = await coordinator.chunks.put(chunk.sha256, chunk.data, options);
  if (!result.alreadyStored) metrics?.transferBytes.inc({ direction: "received" }, result.sizeBytes);
  return result;
}

/** FindMissingChunks, shared by both services. */
export function findMissingChunks(coordinator: Coordinator, digests: string[]): { missingSha256: string[] } {
  if (digests.length > tunables.maxFindMissingDigests) {
    throw new ResourceExhaustedError(
      `FindMissingChunks takes at most ${tunables.maxFindMissingDigests} digests a call, got ${digests.length}; ask in batches.`,
    );
  }
  const missingSha256 = coordinator.chunks.missing(digests);
  // The caller will reference the others instead of sending them: retention keeps them a while.
  const missing = new Set(missingSha256);
  coordinator.chunks.touch(digests.filter((digest) => !missing.has(digest)));
  return { missingSha256 };
}
