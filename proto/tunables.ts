/**
 * Every number of the wire protocol in one place, with its unit in the name. The coordinator
 * and the node agent both read these; a coordinator may override some at startup (flags) and
 * tells nodes the values in force in RegisterNodeResponse.
 */

const MiB = 1024 * 1024;

export const tunables = {
  /** Size of the chunks senders cut files into. Well under the 4 MiB gRPC default message limit. */
  chunkBytes: 1 * MiB,
  /** Largest chunk a receiver accepts. */
  maxChunkBytes: 2 * MiB,
  /**
   * Largest message either side sends or accepts: one chunk plus room for the other fields.
   * Anything bigger is refused by gRPC with RESOURCE_EXHAUSTED before it reaches a handler.
   */
  maxMessageBytes: 2 * MiB + 64 * 1024,
  /**
   * Most result bytes (all files together) a node may send inside CompleteTask instead of by
   * UploadChunk: a small job's table then costs one call, not three. Well under maxMessageBytes.
   */
  maxInlineResultBytes: 256 * 1024,
  /** Most completions one CompleteTasks call may carry. */
  maxCompletionsPerCall: 32,
  /** Most inline result bytes one CompleteTasks call may carry (all completions together). */
  maxBatchInlineResultBytes: 1024 * 1024,
  /** Heartbeat interval a coordinator proposes; a node missing two is offline. */
  heartbeatIntervalSeconds: 5,
  /**
   * Longest wait between a node agent's attempts to reach a coordinator it lost (the cap of its
   * full-jitter backoff). The coordinator's grace after a restart is derived from it
   * (restartGraceSeconds), so a node whose backoff grew to the cap while the coordinator was
   * down is back before it is declared offline.
   */
  nodeReconnectCapSeconds: 15,
  /** Bounds the coordinator clamps a node's requested heartbeat interval to. */
  minHeartbeatIntervalSeconds: 1,
  maxHeartbeatIntervalSeconds: 60,
  /** Length of a task lease; each ReportProgress extends it by this much from now. */
  leaseSeconds: 30,
  /** How long a LeaseTask call waits for work by default, and at most. */
  leaseTaskWaitSeconds: 20,
  maxLeaseTaskWaitSeconds: 60,
  /** Extra time on the deadline of a long-poll call beyond its wait_seconds. */
  longPollSlackSeconds: 5,
  /** Deadline of an ordinary unary call. */
  unaryDeadlineSeconds: 10,
  /** Deadline of a whole DownloadResult / DownloadInput stream. */
  downloadDeadlineSeconds: 600,
  /** Attempts a job gets when its spec says 0, and the most it may ask for. */
  defaultMaxAttempts: 3,
  maxMaxAttempts: 10,
  /** AIP-158 page sizes. */
  defaultPageSize: 50,
  maxPageSize: 1000,
  /** Most digests one FindMissingChunks call may ask about. */
  maxFindMissingDigests: 10_000,
  /** Longest idempotency key, in characters. */
  maxIdempotencyKeyLength: 128,
} as const;

export type Tunables = typeof tunables;

/**
 * How long after a restart the coordinator waits for a node it knew as online before declaring
 * it offline (and re-queueing its leases): one full reconnect backoff (the node may have just
 * started its longest wait when the coordinator came back) plus two heartbeat intervals (its
 * RegisterNode and first heartbeat), never less than the usual two missed heartbeats.
 */
export function restartGraceSeconds(heartbeatIntervalSeconds: number): number {
  return tunables.nodeReconnectCapSeconds + 2 * heartbeatIntervalSeconds;
}
