/**
 * The control plane's logic, independent of gRPC: jobs (submit, get, list, cancel, watch),
 * nodes (register, heartbeat, lease, progress, complete, fail, release, leave), the lease and
 * offline sweep, and the metrics those changes drive. Every change is one store transaction;
 * in-process events tell watchers and long-polling nodes about it afterwards.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { FederationStatus, Job, ListJobsRequestOut, RegisterNodeRequestOut, SubmitJobRequestOut } from "../proto/index.js";
import { restartGraceSeconds, tunables } from "../proto/index.js";
import { type ChunkStore, clientChunkOwner } from "./chunk-store.js";
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from "./errors.js";
import { validateSubmit } from "./job-spec.js";
import { resolveBundledInput } from "./bundled-inputs.js";
import { SampleModelCheck } from "./sample-model-check.js";
import { CANCELLED, isTerminal, SUCCEEDED } from "./job-states.js";
import type { JobRecord, JobStore, LeaseOutcome, NodeRecord } from "./job-store.js";
import { toJobMessage } from "./job-view.js";
import { type JobFilter, PageTokens, parseJobFilter } from "./list-query.js";
import type { CoordinatorMetrics } from "./metrics.js";
import { type LeaseWake, LeaseWaiters } from "./lease-waiters.js";
import { NodeRegistry } from "./node-registry.js";
import {
  type FederationJobs,
  FederationRunner,
  federatedSettings,
  modelChunks,
  modelShapeOf,
  RoundStore,
  corpusSampleKey,
  corpusSampleRequest,
  sampleJobView,
  type SynthesisJobs,
  SynthesisRunner,
  SYNTHESIS_ROUNDS,
  SynthesisStore,
} from "./federation/index.js";
import type Database from "better-sqlite3";
import { type HeldResources, type NodeCapacity, waitingReason } from "./scheduler.js";

export interface CoordinatorSettings {
  leaseSeconds: number;
  heartbeatIntervalSeconds: number;
  defaultMaxAttempts: number;
  /** How often the lease/offline sweep runs. */
  sweepIntervalMs: number;
}

export const DEFAULT_SETTINGS: CoordinatorSettings = {
  leaseSeconds: tunables.leaseSeconds,
  heartbeatIntervalSeconds: tunables.heartbeatIntervalSeconds,
  defaultMaxAttempts: tunables.defaultMaxAttempts,
  sweepIntervalMs: 500,
};

/** A node that misses this many heartbeat intervals is offline. */
const MISSED_HEARTBEATS_OFFLINE = 2;

const NODE_ID = /^[A-Za-z0-9._-]{1,128}$/;

function newJobId(): string {
  // Time-ordered prefix (ms, base36) + 80 random bits: unique without coordination.
  return `job-${Date.now().toString(36).padStart(9, "0")}${randomBytes(10).toString("hex").slice(0, 17)}`;
}

export function newLeaseId(): string {
  return randomBytes(8).toString("hex");
}

/** One completion for completeTasks. */
export interface CompletionItem {
  jobId: string;
  leaseId: string;
  results: JobRecord["results"];
  summaryJson: string;
  /** Lease the node its next queued task in the same call (the slot this task held is free). */
  leaseNext: boolean;
}

export interface CompletionResult {
  accepted: boolean;
  /** The node's next task, leased with the completion (leaseNext). */
  next: JobRecord | undefined;
}

export class Coordinator {
  readonly store: JobStore;
  readonly chunks: ChunkStore;
  readonly settings: CoordinatorSettings;
  readonly nodes = new NodeRegistry();
  readonly events = new EventEmitter();
  /** Nodes blocked in LeaseTask (see lease-waiters.ts for who is woken when). */
  readonly leaseWaiters = new LeaseWaiters();
  private readonly metrics: CoordinatorMetrics | undefined;
  private readonly pageTokens: PageTokens;
  private readonly sampleModels: SampleModelCheck;
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Federated jobs' rounds (coordinator/federation/); undefined for a store without SQLite. */
  readonly federation: FederationRunner | undefined;
  private readonly roundStore: RoundStore | undefined;
  /** Federated synthesis jobs (coordinator/federation/synthesis-runner.ts); undefined without SQLite. */
  readonly synthesis: SynthesisRunner | undefined;
  /** Nodes registered as holders (NODE_ROLE_HOLDER): they lease federated tasks only. */
  private readonly holders = new Set<string>();

  constructor(options: { store: JobStore; chunks: ChunkStore; settings?: Partial<CoordinatorSettings>; metrics?: CoordinatorMetrics; now?: () => number }) {
    this.store = options.store;
    this.chunks = options.chunks;
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.metrics = options.metrics;
    this.now = options.now ?? Date.now;
    this.events.setMaxListeners(0);
    this.sampleModels = new SampleModelCheck(this.chunks);
    const db = (this.store as { db?: Database.Database }).db;
    this.roundStore = db === undefined ? undefined : new RoundStore(db);
    this.federation =
      this.roundStore === undefined
        ? undefined
        : new FederationRunner({
            store: this.roundStore,
            chunks: modelChunks(this.chunks),
            jobs: this.federationJobs(),
            shapeOf: modelShapeOf,
            now: this.now,
            ...(this.metrics ? { metrics: this.metrics.federation } : {}),
          });
    this.synthesis =
      db === undefined
        ? undefined
        : new SynthesisRunner({ chunks: modelChunks(this.chunks), jobs: this.synthesisJobs(), store: new SynthesisStore(db), now: this.now });
    this.pageTokens = new PageTokens(
      Buffer.from(
        this.store.getOrCreateMeta("page_token_key", () => randomBytes(32).toString("hex")),
        "hex",
      ),
    );
  }

  /** Restores live nodes from the store (with the restart grace period), sweeps once, and starts the sweep timer. */
  start(): void {
    const now = this.now();
    // A node's reconnect backoff may keep it away up to tunables.nodeReconnectCapSeconds after we are back.
    for (const node of this.store.listNodes()) {
      if (node.status === "online") this.nodes.restore(node, now, now + restartGraceSeconds(node.heartbeatIntervalSeconds) * 1000);
    }
    for (const holderId of this.roundStore?.holderDatasets().keys() ?? []) this.holders.add(holderId);
    // Federated jobs resume at their last committed round.
    for (const jobId of this.roundStore?.unfinishedFederatedJobIds() ?? []) void this.federation?.run(jobId);
    // Federated synthesis jobs resume from their stored holder answers (federation/synthesis-store.ts).
    const db = (this.store as { db?: Database.Database }).db;
    const unfinishedSynthesis = (db
      ?.prepare("SELECT job_id FROM jobs WHERE kind = 'JOB_KIND_FEDERATED_SYNTHESIS' AND state IN ('JOB_STATE_QUEUED', 'JOB_STATE_RUNNING')")
      .all() ?? []) as { job_id: string }[];
    for (const { job_id } of unfinishedSynthesis) void this.synthesis?.run(job_id);
    this.sweep();
    this.sweepTimer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Stops the sweep and wakes long-polls so they return empty. */
  stop(): void {
    this.stopping = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.leaseWaiters.wakeAll();
    this.federation?.stop();
    this.synthesis?.stop();
    this.events.emit("stop");
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private changed(job: JobRecord): void {
    this.events.emit("job", job);
    if (isTerminal(job.state)) {
      const kind = this.metrics?.kindLabel(job.kind) ?? "";
      const start = job.firstStartTimeMs || job.createTimeMs;
      this.metrics?.jobDurationSeconds.observe(
        { kind, outcome: job.state.replace("JOB_STATE_", "").toLowerCase() },
        Math.max(0, (job.endTimeMs - start) / 1000),
      );
      if (job.state === SUCCEEDED) this.metrics?.lastSuccessfulJobTimestamp.set(job.endTimeMs / 1000);
    }
  }

  private leaveOutcomes(outcomes: LeaseOutcome[], reason: string): void {
    for (const outcome of outcomes) {
      if (reason !== "released") this.metrics?.attemptFailures.inc({ kind: this.metrics.kindLabel(outcome.job.kind), reason });
      this.changed(outcome.job);
    }
    if (outcomes.length > 0) this.leaseWaiters.wakeAll();
  }

  /** Re-queues expired leases and declares silent nodes offline (their leases expire with them). */
  sweep(): void {
    const now = this.now();
    this.leaveOutcomes(this.store.expireLeases(now), "lease_expired");
    for (const node of this.nodes.silentSince(now, MISSED_HEARTBEATS_OFFLINE)) {
      this.nodes.remove(node.record.nodeId);
      this.store.setNodeStatus(node.record.nodeId, "offline", node.lastHeardMs);
      const reason = `node ${node.record.nodeId} went offline (missed ${MISSED_HEARTBEATS_OFFLINE} heartbeats)`;
      this.leaveOutcomes(this.store.expireNodeLeases(node.record.nodeId, reason, true, now), "node_lost");
    }
  }

  // ---- client side ----------------------------------------------------------------------

  async submitJob(owner: string, request: SubmitJobRequestOut): Promise<{ job: Job; created: boolean }> {
    if (this.stopping) throw new UnavailableError("the coordinator is shutting down; retry against the restarted coordinator.");
    const valid = validateSubmit(request, this.settings.defaultMaxAttempts);
    if (valid.upload !== undefined) {
      const digests = valid.upload.chunks.map((c) => c.sha256);
      const owned = this.store.ownedChunks(clientChunkOwner(owner), digests);
      const notYours = digests.filter((d) => !owned.has(d));
      if (notYours.length > 0) {
        throw new FailedPreconditionError(
          `input "${valid.upload.name}" has ${notYours.length} chunk(s) you have not uploaded (first: ${notYours[0]}); upload them with UploadChunk (FindMissingChunks lists them) and retry.`,
        );
      }
      await this.chunks.verifyManifest(valid.upload, "input");
      if (valid.kind === "JOB_KIND_SAMPLE") await this.sampleModels.checkUpload(valid.upload);
    } else if (valid.kind === "JOB_KIND_SAMPLE") {
      const bundled = resolveBundledInput(valid.spec.input?.bundledUri ?? "");
      if ("path" in bundled) await this.sampleModels.checkBundled(valid.spec.input?.bundledUri ?? "", bundled.path);
    }
    const { job, created } = await this.storeSubmitted(owner, valid);
    return { job: this.view(job), created };
  }

  /** Stores a validated submission durably; a new job is counted, announced and started (or offered to nodes). */
  private async storeSubmitted(owner: string, valid: ReturnType<typeof validateSubmit>): Promise<{ job: JobRecord; created: boolean }> {
    const { job, created } = this.store.submitJob(
      {
        jobId: newJobId(),
        owner,
        idempotencyKey: valid.idempotencyKey,
        spec: valid.spec,
        specSha256: valid.specSha256,
        kind: valid.kind,
        demand: valid.demand,
        maxAttempts: valid.maxAttempts,
      },
      this.now(),
    );
    await this.store.durable();
    if (created) {
      this.metrics?.jobsSubmitted.inc({ kind: this.metrics.kindLabel(job.kind) });
      this.changed(job);
      if (job.kind === "JOB_KIND_FEDERATED_TRAINING" && this.federation) void this.federation.run(job.jobId);
      else if (job.kind === "JOB_KIND_FEDERATED_SYNTHESIS" && this.synthesis) void this.synthesis.run(job.jobId);
      else this.leaseWaiters.offerOne();
    }
    return { job, created };
  }

  /** The caller's job; NotFound for others' jobs too, so ids cannot be probed. */
  ownJob(owner: string, jobId: string): JobRecord {
    if (jobId === "") throw new InvalidArgumentError("job_id is empty; pass the id SubmitJob returned.");
    const job = this.store.getJob(jobId);
    if (job === undefined || job.owner !== owner) throw new NotFoundError(`job ${jobId} not found among your jobs; list them with \`datalab jobs\`.`);
    return job;
  }

  getJob(owner: string, jobId: string): Job {
    return this.view(this.ownJob(owner, jobId));
  }

  listJobs(owner: string, request: ListJobsRequestOut): { jobs: Job[]; nextPageToken: string; totalSize: number } {
    if (request.pageSize < 0) throw new InvalidArgumentError(`page_size must be 0 (default ${tunables.defaultPageSize}) or positive, got ${request.pageSize}.`);
    const pageSize = Math.min(request.pageSize === 0 ? tunables.defaultPageSize : request.pageSize, tunables.maxPageSize);
    const filter: JobFilter = parseJobFilter(request.filter);
    const before = request.pageToken === "" ? undefined : this.pageTokens.decode(request.pageToken, owner, filter);
    const query = { owner, states: filter.states, kinds: filter.kinds };
    const rows = this.store.listJobs(query, before, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const nextPageToken = rows.length > pageSize && last !== undefined ? this.pageTokens.encode(last.seq, owner, filter) : "";
    const held = this.heldByNode();
    return { jobs: page.map((job) => this.view(job, held)), nextPageToken, totalSize: this.store.countJobs(query) };
  }

  async cancelJob(owner: string, jobId: string, reason: string): Promise<Job> {
    this.ownJob(owner, jobId);
    if (reason.length > 500) throw new InvalidArgumentError("reason must be at most 500 characters.");
    const job = this.store.cancelJob(jobId, reason || "cancelled by its owner", this.now());
    await this.store.durable();
    this.changed(job);
    // A cancelled lease frees capacity on its node only.
    if (job.nodeId !== null) this.leaseWaiters.wakeNode(job.nodeId);
    return this.view(job);
  }

  /** Calls `listener` with the job on every change until the returned function is called. */
  watchJob(jobId: string, listener: (job: JobRecord) => void): () => void {
    const onJob = (job: JobRecord) => {
      if (job.jobId === jobId) listener(job);
    };
    this.events.on("job", onJob);
    return () => this.events.off("job", onJob);
  }

  private heldByNode(): Map<string, HeldResources[]> {
    const held = new Map<string, HeldResources[]>();
    for (const job of this.store.heldResources()) {
      const list = held.get(job.nodeId) ?? [];
      list.push({ demand: job.demand, gpuIndexes: job.gpuIndexes });
      held.set(job.nodeId, list);
    }
    return held;
  }

  /** The wire view of a job, with `waiting_reason` computed from the nodes connected now. */
  view(job: JobRecord, held?: Map<string, HeldResources[]>): Job {
    if (job.kind === "JOB_KIND_FEDERATED_TRAINING") {
      const federation = this.federation?.status(job.jobId);
      const reason = job.state === "JOB_STATE_QUEUED" ? "waiting for holders of the dataset to register" : "";
      return federation === undefined ? toJobMessage(job, reason) : { ...toJobMessage(job, reason), federation };
    }
    if (job.kind === "JOB_KIND_FEDERATED_SYNTHESIS") {
      const message = toJobMessage(job, job.state === "JOB_STATE_QUEUED" ? "waiting for holders of the dataset to register" : "");
      const status = this.synthesis?.status(job.jobId);
      if (status === undefined) return message;
      // Each holder's ledger commits the job's whole ε with its first measurement (trainer/holder/synthesis-tasks.ts).
      const spent = status.roundsCompleted > 0 || status.answered.length > 0 ? status.epsilonPerHolder : 0;
      const federation: FederationStatus = {
        roundsCompleted: status.roundsCompleted,
        roundsTotal: SYNTHESIS_ROUNDS,
        epsilonSpent: spent,
        participantsLastRound: status.roundsCompleted > 0 ? status.holders.length : 0,
        stragglersDropped: 0,
        updatesRejected: 0,
        refusals: status.refusals,
        clipNorm: 0,
        lastRoundLoss: 0,
        lastRoundDurationSeconds: 0,
        roundInProgress: status.roundInProgress,
        phase: status.phase,
        holdersAnswered: status.answered,
        holdersWaiting: status.waiting,
      };
      return { ...message, federation };
    }
    if (job.state !== "JOB_STATE_QUEUED") return toJobMessage(job, "");
    const byNode = held ?? this.heldByNode();
    const nodes = this.nodes.all().map((n) => ({ capacity: this.nodes.capacityOf(n), held: byNode.get(n.record.nodeId) ?? [] }));
    const reason = waitingReason(job.demand, job.kind, nodes) || "waiting for a node to lease it";
    return toJobMessage(job, reason);
  }

  // ---- node side ------------------------------------------------------------------------

  async registerNode(nodeId: string, request: RegisterNodeRequestOut): Promise<{ record: NodeRecord; activeJobs: JobRecord[] }> {
    if (!NODE_ID.test(nodeId))
      throw new InvalidArgumentError(`node_id "${nodeId.slice(0, 130)}" must be 1..128 characters of letters, digits, ".", "_" or "-".`);
    const caps = request.capabilities;
    if (caps === null) throw new InvalidArgumentError("capabilities are missing; report the node's GPUs, CPU cores and memory.");
    if (caps.cpuCores < 1) throw new InvalidArgumentError("capabilities.cpu_cores must be at least 1.");
    const indexes = new Set(caps.gpus.map((g) => g.index));
    if (indexes.size !== caps.gpus.length) throw new InvalidArgumentError("capabilities.gpus has a repeated index; report each GPU once.");
    if (request.heldDatasets.length > 64) throw new InvalidArgumentError(`held_datasets lists ${request.heldDatasets.length} datasets; register at most 64.`);
    for (const [i, dataset] of request.heldDatasets.entries()) {
      if (!NODE_ID.test(dataset.datasetId)) throw new InvalidArgumentError(`held_datasets[${i}].dataset_id must be 1..128 characters of [A-Za-z0-9._-].`);
    }
    if (request.heldDatasets.length > 0 && request.role !== "NODE_ROLE_HOLDER")
      throw new InvalidArgumentError("held_datasets is set but role is not NODE_ROLE_HOLDER; register as a holder (datalab trainer) to offer datasets.");
    const now = this.now();
    this.refuseSecondAgent(nodeId, request.instanceId, now);
    const requested = request.requestedHeartbeatIntervalSeconds || this.settings.heartbeatIntervalSeconds;
    const interval = Math.min(Math.max(requested, tunables.minHeartbeatIntervalSeconds), tunables.maxHeartbeatIntervalSeconds);
    const capacity: NodeCapacity = {
      nodeId,
      gpus: caps.gpus.map((g) => ({ index: g.index, name: g.name, memoryBytes: g.memoryBytes, uuid: g.uuid })),
      cpuCores: caps.cpuCores,
      memoryBytes: caps.memoryBytes,
      kinds: caps.kinds,
      maxConcurrentTasks: Math.max(1, caps.maxConcurrentTasks),
    };
    const record: NodeRecord = {
      nodeId,
      capacity,
      versions: caps.versions,
      hostname: request.hostname,
      hpcJob: request.hpcJob,
      heartbeatIntervalSeconds: interval,
      registeredTimeMs: now,
      lastSeenTimeMs: now,
      status: "online",
    };
    this.store.upsertNode(record);
    await this.store.durable();
    this.nodes.add(record, now, request.instanceId);
    if (request.role === "NODE_ROLE_HOLDER") {
      this.holders.add(nodeId);
      this.federation?.registerHolder(nodeId, request.heldDatasets);
    } else {
      this.holders.delete(nodeId);
    }
    this.leaseWaiters.wakeAll();
    return { record, activeJobs: this.store.activeJobsOfNode(nodeId) };
  }

  /**
   * A second agent process under the id of a node that is online (another instance_id, heartbeats
   * not missed) would silently take over its tasks: refused. The same agent re-registering (same
   * instance), an older agent (no instance id), a node restored after a coordinator restart (its
   * instance unknown) and a node that missed its heartbeats may register.
   */
  private refuseSecondAgent(nodeId: string, instanceId: string, nowMs: number): void {
    const live = this.nodes.get(nodeId);
    if (live === undefined || instanceId === "" || live.instanceId === "" || live.instanceId === instanceId) return;
    const graceMs = MISSED_HEARTBEATS_OFFLINE * live.record.heartbeatIntervalSeconds * 1000;
    const silentMs = nowMs - live.lastHeardMs;
    if (silentMs > graceMs) return;
    const host = live.record.hostname === "" ? "" : ` on host ${live.record.hostname}`;
    const seen = `last seen ${(silentMs / 1000).toFixed(1)} s ago (${new Date(live.lastHeardMs).toISOString()})`;
    throw new AlreadyExistsError(
      `node id "${nodeId}" is online: another agent${host} registered it and was ${seen}; ` +
        `stop that agent, give this one another --node-id, or wait until it has missed its heartbeats (${(graceMs / 1000).toFixed(0)} s).`,
    );
  }

  /** Notes a call from a node; NotFound if it must register (never did, or went offline). */
  touchNode(nodeId: string): void {
    if (!this.nodes.touch(nodeId, this.now())) {
      const known = this.store.getNode(nodeId);
      const why = known === undefined ? "is not registered" : `is ${known.status} (its leases were released)`;
      throw new NotFoundError(`node ${nodeId} ${why}; call RegisterNode again.`);
    }
  }

  /** Leases the oldest queued job that fits the node (committed, not yet durable); undefined if none. */
  private leaseQueued(nodeId: string): JobRecord | undefined {
    const live = this.nodes.get(nodeId);
    if (live === undefined || this.stopping) return undefined;
    return this.store.leaseJob(this.nodes.capacityOf(live), newLeaseId(), this.settings.leaseSeconds, this.now());
  }

  /** Metrics and watchers for a lease made durable. */
  private leased(job: JobRecord): void {
    this.metrics?.attempts.inc({ kind: this.metrics.kindLabel(job.kind) });
    this.metrics?.queueWaitSeconds.observe(Math.max(0, (job.startTimeMs - job.queuedTimeMs) / 1000));
    this.changed(job);
  }

  /** Long-poll: a leased job for the node, or undefined after `waitSeconds` / when `isCancelled()`. */
  async leaseTask(nodeId: string, waitSeconds: number, isCancelled: () => boolean): Promise<JobRecord | undefined> {
    const deadline = this.now() + Math.min(waitSeconds, tunables.maxLeaseTaskWaitSeconds) * 1000;
    let wake: LeaseWake | undefined;
    for (;;) {
      this.touchNode(nodeId);
      if (this.stopping) return undefined;
      const job = this.leaseQueued(nodeId);
      if (job !== undefined) {
        await this.store.durable();
        this.leased(job);
        return job;
      }
      // Woken for a job this node could not place: let the next waiting node try it.
      if (wake !== undefined) this.leaseWaiters.passOn(wake);
      const remainingMs = deadline - this.now();
      if (remainingMs <= 0 || isCancelled() || this.stopping) return undefined;
      wake = await this.leaseWaiters.wait(nodeId, Math.min(remainingMs, 1000));
    }
  }

  async reportProgress(
    nodeId: string,
    jobId: string,
    leaseId: string,
    progress: { fraction: number; phase: string; message: string },
  ): Promise<{ job: JobRecord; cancelRequested: boolean }> {
    this.touchNode(nodeId);
    const current = this.store.getJob(jobId);
    if (current?.state === CANCELLED && current.leaseId === leaseId) return { job: current, cancelRequested: true };
    if (!(progress.fraction >= 0 && progress.fraction <= 1)) throw new InvalidArgumentError(`progress.fraction must be within 0..1, got ${progress.fraction}.`);
    const record = { fraction: progress.fraction, phase: progress.phase.slice(0, 100), message: progress.message.slice(0, 1000), updateTimeMs: this.now() };
    const job = this.store.reportProgress(jobId, leaseId, nodeId, record, this.settings.leaseSeconds, this.now());
    await this.store.durable();
    this.changed(job);
    return { job, cancelRequested: false };
  }

  /**
   * Records a completion; with `leaseNext`, also leases the node its next queued task (if one
   * fits) in the same round trip. Both commits are made durable by one group fsync.
   */
  async completeTask(
    nodeId: string,
    jobId: string,
    leaseId: string,
    results: JobRecord["results"],
    summaryJson: string,
    leaseNext = false,
  ): Promise<CompletionResult> {
    const [outcome] = await this.completeTasks(nodeId, [{ jobId, leaseId, results, summaryJson, leaseNext }]);
    if (outcome === undefined || "error" in outcome) throw outcome?.error;
    return outcome;
  }

  /**
   * Records several completions of one node (CompleteTasks) in order, each as completeTask
   * would: a completion the store refuses keeps its error as its own outcome and the others go
   * on. One group fsync makes every commit (completions and next leases) durable.
   */
  async completeTasks(nodeId: string, items: readonly CompletionItem[]): Promise<(CompletionResult | { error: unknown })[]> {
    this.touchNode(nodeId);
    type Done = { job: JobRecord; alreadyAccepted: boolean; next: JobRecord | undefined } | { error: unknown };
    const done = items.map((item): Done => {
      try {
        const { job, alreadyAccepted } = this.store.completeJob(item.jobId, item.leaseId, nodeId, item.results, item.summaryJson, this.now());
        const next = item.leaseNext && !alreadyAccepted ? this.leaseQueued(nodeId) : undefined;
        return { job, alreadyAccepted, next };
      } catch (error) {
        return { error };
      }
    });
    if (done.some((outcome) => !("error" in outcome))) await this.store.durable();
    let freedWithoutNext = false;
    for (const outcome of done) {
      if ("error" in outcome) continue;
      if (!outcome.alreadyAccepted) {
        this.changed(outcome.job);
        if (outcome.next === undefined) freedWithoutNext = true;
      }
      if (outcome.next !== undefined) this.leased(outcome.next);
    }
    // Capacity freed on this node only: other nodes could not have run what is still queued.
    if (freedWithoutNext) this.leaseWaiters.wakeNode(nodeId);
    return done.map((outcome) => ("error" in outcome ? { error: outcome.error } : { accepted: true, next: outcome.next }));
  }

  async failTask(nodeId: string, jobId: string, leaseId: string, errorMessage: string, retryable: boolean): Promise<LeaseOutcome> {
    this.touchNode(nodeId);
    const outcome = this.store.failAttempt(
      jobId,
      leaseId,
      nodeId,
      errorMessage.slice(0, 2000) || "the node reported a failure without a message",
      retryable,
      this.now(),
    );
    await this.store.durable();
    this.leaveOutcomes([outcome], "failed");
    return outcome;
  }

  async releaseTask(nodeId: string, jobId: string, leaseId: string, reason: string): Promise<LeaseOutcome> {
    this.touchNode(nodeId);
    const outcome = this.store.releaseJob(jobId, leaseId, nodeId, reason.slice(0, 500) || "handed back by the node", this.now());
    await this.store.durable();
    this.leaveOutcomes([outcome], "released");
    return outcome;
  }

  async deregisterNode(nodeId: string): Promise<number> {
    const now = this.now();
    const outcomes = this.store.expireNodeLeases(nodeId, `node ${nodeId} left`, false, now);
    this.nodes.remove(nodeId);
    this.store.setNodeStatus(nodeId, "left", now);
    await this.store.durable();
    this.leaveOutcomes(outcomes, "released");
    return outcomes.length;
  }

  /** True for a node registered as a holder sidecar (it leases federated tasks only). */
  isHolder(nodeId: string): boolean {
    return this.holders.has(nodeId);
  }

  /** What the federation runner needs from the job store, nodes and events. */
  private federationJobs(): FederationJobs {
    const advance = async (
      jobId: string,
      to: "JOB_STATE_RUNNING" | "JOB_STATE_SUCCEEDED" | "JOB_STATE_FAILED",
      fields: Parameters<JobStore["advanceFederatedJob"]>[2],
    ) => {
      const job = this.store.advanceFederatedJob(jobId, to, fields, this.now());
      await this.store.durable();
      this.changed(job);
    };
    return {
      describe: (jobId) => {
        const job = this.store.getJob(jobId);
        if (job === undefined) return undefined;
        return { owner: job.owner, settings: federatedSettings(job.spec), cancelled: job.state === CANCELLED || isTerminal(job.state) };
      },
      markRunning: (jobId, phase, fraction, message) => {
        void advance(jobId, "JOB_STATE_RUNNING", { progress: { fraction, phase, message, updateTimeMs: this.now() } }).catch(() => undefined);
      },
      succeed: (jobId, results, summaryJson) =>
        advance(jobId, "JOB_STATE_SUCCEEDED", { results, summaryJson, progress: { fraction: 1, phase: "done", message: "", updateTimeMs: this.now() } }),
      fail: (jobId, message) => advance(jobId, "JOB_STATE_FAILED", { errorMessage: message }),
      onlineHolders: () =>
        this.nodes
          .all()
          .filter((n) => this.holders.has(n.record.nodeId))
          .map((n) => n.record.nodeId),
      keepChunks: (jobId, digests) => {
        this.store.addChunkOwner(`federation:${jobId}`, digests, this.now());
      },
    };
  }

  /** What the synthesis runner needs from the job store and nodes. */
  private synthesisJobs(): SynthesisJobs {
    const training = this.federationJobs();
    const advance = async (jobId: string, to: "JOB_STATE_SUCCEEDED" | "JOB_STATE_FAILED", fields: Parameters<JobStore["advanceFederatedJob"]>[2]) => {
      const job = this.store.advanceFederatedJob(jobId, to, fields, this.now());
      await this.store.durable();
      this.changed(job);
    };
    return {
      describe: (jobId) => {
        const job = this.store.getJob(jobId);
        if (job === undefined) return undefined;
        return { owner: job.owner, spec: job.spec, cancelled: job.state === CANCELLED || isTerminal(job.state) };
      },
      markRunning: training.markRunning,
      succeed: (jobId, results, summaryJson) =>
        advance(jobId, "JOB_STATE_SUCCEEDED", { results, summaryJson, progress: { fraction: 1, phase: "done", message: "", updateTimeMs: this.now() } }),
      fail: (jobId, message) => advance(jobId, "JOB_STATE_FAILED", { errorMessage: message }),
      onlineHolderDatasets: () => {
        const online = new Set(training.onlineHolders());
        return new Map([...(this.roundStore?.holderDatasets() ?? new Map())].filter(([nodeId]) => online.has(nodeId)));
      },
      keepChunks: training.keepChunks,
      sampleJobOf: (jobId) => {
        const parent = this.store.getJob(jobId);
        const db = (this.store as { db?: Database.Database }).db;
        if (parent === undefined || db === undefined) return undefined;
        const row = db.prepare("SELECT job_id FROM jobs WHERE owner = ? AND idempotency_key = ?").get(parent.owner, corpusSampleKey(jobId)) as
          | { job_id: string }
          | undefined;
        const sample = row === undefined ? undefined : this.store.getJob(row.job_id);
        return sample === undefined ? undefined : sampleJobView(sample);
      },
      submitSample: async (jobId, model, rows, seed) => {
        const parent = this.store.getJob(jobId);
        if (parent === undefined) throw new FailedPreconditionError(`federated synthesis job ${jobId} is gone`);
        // An ordinary SAMPLE job under the requester's name: leased, retried and shown like any other.
        const valid = validateSubmit(corpusSampleRequest(jobId, model, rows, seed), this.settings.defaultMaxAttempts);
        await this.sampleModels.checkUpload(model);
        const { job } = await this.storeSubmitted(parent.owner, valid);
        return sampleJobView(job);
      },
      cancelSample: async (sampleJobId, reason) => {
        const job = this.store.getJob(sampleJobId);
        if (job === undefined || isTerminal(job.state)) return;
        const cancelled = this.store.cancelJob(sampleJobId, reason, this.now());
        await this.store.durable();
        this.changed(cancelled);
        if (cancelled.nodeId !== null) this.leaseWaiters.wakeNode(cancelled.nodeId);
      },
      durable: () => this.store.durable(),
    };
  }

  /** Rejects results a node may not hand in: unknown kinds, duplicates, no table. */
  checkResultKinds(results: JobRecord["results"]): void {
    const seen = new Set<string>();
    for (const result of results) {
      if (result.kind === "RESULT_KIND_UNSPECIFIED")
        throw new InvalidArgumentError(`result "${result.manifest.name}" has no kind; set RESULT_KIND_TABLE, _MODEL, _REPORT, _REPORT_HTML or _OTHER.`);
      if (result.kind !== "RESULT_KIND_OTHER" && seen.has(result.kind))
        throw new InvalidArgumentError(`two results of kind ${result.kind}; send one file per kind (use RESULT_KIND_OTHER for extras).`);
      seen.add(result.kind);
    }
    if (!seen.has("RESULT_KIND_TABLE"))
      throw new FailedPreconditionError("a finished job must hand in its synthetic table (RESULT_KIND_TABLE); upload it and retry CompleteTask.");
  }

  // ---- metrics sources --------------------------------------------------------------------

  gpusRegistered(): number {
    return this.nodes.all().reduce((sum, n) => sum + n.record.capacity.gpus.length, 0);
  }

  gpusInUse(): number {
    const online = new Set(this.nodes.all().map((n) => n.record.nodeId));
    const used = new Set<string>();
    for (const job of this.store.heldResources()) {
      if (online.has(job.nodeId)) for (const index of job.gpuIndexes) used.add(`${job.nodeId}#${index}`);
    }
    return used.size;
  }
}
