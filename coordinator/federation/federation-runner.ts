/**
 * Runs federated training jobs on the coordinator: round after round it samples holders, hands
 * them tasks (leased through NodeService), sums their updates as they arrive, applies the
 * strategy and DP noise, and commits the round (global model as content-addressed chunks, in
 * SQLite) before the next one. A restarted runner resumes each job at its last committed round
 * and re-sums the updates already accepted for the round in progress — each exactly once.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { FederatedTaskOut, FederationStatus, HeldDatasetOut, Manifest } from "../../proto/index.js";
import { FailedPreconditionError, NotFoundError, AbortedError } from "../errors.js";
import type { FederatedSettings } from "./federated-spec.js";
import { closeRound, type RoundResult } from "./round-aggregation.js";
import { RoundCollector, type RoundTask } from "./round-collector.js";
import { expectedCohort, federatedTaskId, sampleHolders } from "./round-plan.js";
import type { AcceptedUpdate, FederatedJobRow, FederationProgress, RoundStore } from "./round-store.js";
import { federatedEpsilon } from "./dp-accounting.js";
import { type ModelShape, initialModel, parameterCount } from "./model-layout.js";
import { type ModelChunks, readModel, storeModel } from "./model-chunks.js";
import { isAdaptive, newOptimizerState } from "./server-optimizer.js";
import { roundSeed } from "./round-plan.js";
import { updateSource } from "./update-source.js";
import { StreamingUpdateSum } from "./streaming-sum.js";
import { exportFederatedOnnx } from "./model-export.js";
import { policyRefusal } from "./holder-eligibility.js";

/** Largest model exported to ONNX with the job's results: the export holds the model three times over (wire, nn/, ONNX bytes); larger ones get model.f32 + its report only. */
const MAX_ONNX_EXPORT_BYTES = 16 * 1024 * 1024;
import type { FederationMetrics } from "./federation-metrics.js";

/** What the runner needs from the rest of the coordinator. */
export interface FederationJobs {
  /** The job's owner and settings; undefined when the job is gone. */
  describe(jobId: string): { owner: string; settings: FederatedSettings; cancelled: boolean } | undefined;
  markRunning(jobId: string, phase: string, fraction: number, message: string): void;
  succeed(
    jobId: string,
    results: { kind: "RESULT_KIND_MODEL" | "RESULT_KIND_REPORT" | "RESULT_KIND_ONNX_MODEL"; manifest: Manifest }[],
    summaryJson: string,
  ): Promise<void>;
  fail(jobId: string, message: string): Promise<void>;
  /** Holder nodes online now. */
  onlineHolders(): string[];
  /** Record that federation references these chunks (kept by retention). */
  keepChunks(jobId: string, digests: readonly string[]): void;
}

export interface FederationRunnerOptions {
  store: RoundStore;
  chunks: ModelChunks;
  jobs: FederationJobs;
  metrics?: FederationMetrics;
  /** Updates summed together, one window of each in memory at once (default 4). */
  batchSize?: number;
  now?: () => number;
  /** The model's input/output width from the holders' shared schema (tabular feature encoding). */
  shapeOf: (settings: FederatedSettings, datasets: HeldDatasetOut[]) => ModelShape;
}

/** A federated task handed to a holder. */
export interface LeasedFederatedTask {
  taskId: string;
  leaseId: string;
  jobId: string;
  /** The round's deadline, Unix ms. */
  deadlineMs: number;
  federated: FederatedTaskOut;
}

interface ActiveRound {
  round: number;
  retry: number;
  collector: RoundCollector;
  model: Manifest;
  shape: ModelShape;
  task: Omit<FederatedTaskOut, "round" | "seed">;
  jobSeed: number;
  /** When the round stops waiting for updates, Unix ms. */
  deadlineMs: number;
}

export class FederationRunner {
  private readonly rounds = new Map<string, ActiveRound>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly sums = new Map<string, StreamingUpdateSum>();
  /**
   * Each running job's global model in memory (its digest: the file it was read from or stored
   * as). Holders download it from here (ChunkStore.serveFile: views, no copy) and the round's
   * aggregation steps it in place, so one model-sized buffer is both: not a served copy plus a
   * copy read back at the round's close.
   */
  private readonly globals = new Map<string, { digest: string; values: Float32Array }>();
  private readonly holderWaiters = new Map<string, Set<() => void>>();
  private stopped = false;
  private readonly now: () => number;

  private readonly options: FederationRunnerOptions;

  constructor(options: FederationRunnerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Starts (or resumes) a federated job's round loop; a no-op when it runs already. */
  run(jobId: string): Promise<void> {
    let loop = this.running.get(jobId);
    if (!loop) {
      loop = this.loop(jobId)
        .catch(async (error: unknown) => {
          if (this.stopped) return;
          await this.options.jobs.fail(jobId, (error as Error).message).catch(() => undefined);
        })
        .finally(() => {
          this.running.delete(jobId);
          this.sums.delete(jobId);
          // Its model's views must not keep the buffer alive after the job.
          const kept = this.globals.get(jobId);
          if (kept !== undefined && this.options.chunks.servedFile() === kept.digest) this.options.chunks.dropServed();
          this.globals.delete(jobId);
        });
      this.running.set(jobId, loop);
    }
    return loop;
  }

  /** Stops every loop (coordinator shutdown): rounds in progress resume after a restart. */
  stop(): void {
    this.stopped = true;
    for (const waiters of this.holderWaiters.values()) for (const wake of waiters) wake();
  }

  /** A holder (re-)registered its datasets. */
  registerHolder(nodeId: string, datasets: readonly HeldDatasetOut[]): void {
    this.options.store.setHolderDatasets(nodeId, datasets, this.now());
    // A holder that registers again restarted: the tasks it had leased may be leased again.
    for (const active of this.rounds.values()) {
      const task = active.collector.tasks.get(nodeId);
      if (task?.state === "leased") task.state = "pending";
    }
    this.wake(nodeId);
  }

  /** The next task for a holder, waiting up to waitSeconds; undefined when none. */
  async leaseTask(holderId: string, waitSeconds: number, isCancelled: () => boolean = () => false): Promise<LeasedFederatedTask | undefined> {
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      const found = this.findTask(holderId);
      if (found || this.stopped || isCancelled() || this.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const waiters = this.holderWaiters.get(holderId) ?? new Set();
        this.holderWaiters.set(holderId, waiters);
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(1000, Math.max(1, deadline - this.now())));
        waiters.add(wake);
      });
    }
  }

  /** The global model a task trains (DownloadInput of a federated task). */
  modelOfTask(holderId: string, taskId: string, leaseId: string): Manifest {
    return this.currentTask(holderId, taskId, leaseId).active.model;
  }

  /** A holder's update for its task: persisted, then summed when its turn comes. */
  async completeTask(
    holderId: string,
    taskId: string,
    leaseId: string,
    update: { manifest: Manifest; exampleCount: number; participantCount: number; unclippedCount: number; localLoss: number },
  ): Promise<void> {
    const jobIdOfTask = taskId.split("/")[0] as string;
    const existing = this.rounds.get(jobIdOfTask)?.collector.tasks.get(holderId);
    // A retried completion that was already accepted: accepted again, counted once.
    if (existing?.taskId === taskId && existing.leaseId === leaseId && existing.state === "done") return;
    const { active, task } = this.currentTask(holderId, taskId, leaseId);
    const n = parameterCount(active.shape);
    if (update.manifest.sizeBytes !== n * 4) {
      throw new FailedPreconditionError(
        `update of task ${taskId} has ${update.manifest.sizeBytes} bytes; the model has ${n} float32 parameters (${n * 4} bytes).`,
      );
    }
    await this.options.chunks.verify(update.manifest, `update of task ${taskId}`);
    const accepted: AcceptedUpdate = {
      taskId,
      jobId: taskId.split("/")[0] as string,
      round: active.round,
      retry: active.retry,
      holderId,
      manifest: update.manifest,
      exampleCount: update.exampleCount,
      participantCount: update.participantCount,
      unclippedCount: update.unclippedCount,
      localLoss: update.localLoss,
      receivedTimeMs: this.now(),
    };
    this.options.store.addUpdate(accepted);
    this.options.metrics?.updateBytes.inc(update.manifest.sizeBytes);
    void active.collector.arrive(accepted);
    void task;
  }

  /** A holder hands its task back unfinished (shutting down): it may lease it again. */
  releaseTask(holderId: string, taskId: string, leaseId: string): void {
    const { task } = this.currentTask(holderId, taskId, leaseId);
    task.state = "pending";
    task.leaseId = null;
  }

  /** Whether a holder's running task is still wanted (Heartbeat's lost_task_ids). */
  isTaskLive(holderId: string, taskId: string): boolean {
    const jobId = taskId.split("/")[0] as string;
    const task = this.rounds.get(jobId)?.collector.tasks.get(holderId);
    return task !== undefined && task.taskId === taskId && task.state === "leased";
  }

  /** A holder's refusal (policy, budget) or failure of its task. */
  failTask(holderId: string, taskId: string, leaseId: string, message: string, refusalReason: string): void {
    const { active } = this.currentTask(holderId, taskId, leaseId);
    const jobId = taskId.split("/")[0] as string;
    if (refusalReason) {
      const row = this.options.store.getJob(jobId);
      if (row) {
        row.progress.refusals.push({ holderId, round: active.round, reason: refusalReason.slice(0, 2000) });
        row.progress.refusals = row.progress.refusals.slice(-100);
        this.options.store.saveProgress(jobId, row.progress, this.now());
      }
    }
    void active.collector.skip(holderId, refusalReason ? "refused" : "failed");
    void message;
  }

  /** Job.federation of a federated job; undefined before its first round starts. */
  status(jobId: string): FederationStatus | undefined {
    const row = this.options.store.getJob(jobId);
    if (!row) return undefined;
    const p = row.progress;
    return {
      roundsCompleted: p.roundsCompleted,
      roundsTotal: p.roundsTotal,
      epsilonSpent: p.epsilonSpent,
      participantsLastRound: p.participantsLastRound,
      stragglersDropped: p.stragglersDropped,
      updatesRejected: p.updatesRejected,
      refusals: p.refusals,
      clipNorm: p.clipNorm,
      lastRoundLoss: p.lastRoundLoss,
      lastRoundDurationSeconds: p.lastRoundDurationSeconds,
      roundInProgress: p.roundInProgress,
    };
  }

  private currentTask(holderId: string, taskId: string, leaseId: string): { active: ActiveRound; task: RoundTask } {
    const jobId = taskId.split("/")[0] as string;
    const active = this.rounds.get(jobId);
    const task = active?.collector.tasks.get(holderId);
    if (!active || !task || task.taskId !== taskId) throw new AbortedError(`task ${taskId} is not a task of a round in progress; drop it.`);
    if (task.leaseId !== leaseId) throw new AbortedError(`task ${taskId} has another lease now; drop this attempt.`);
    if (task.state !== "leased") throw new AbortedError(`task ${taskId} is ${task.state}; drop this attempt.`);
    return { active, task };
  }

  private findTask(holderId: string): LeasedFederatedTask | undefined {
    for (const [jobId, active] of this.rounds) {
      const task = active.collector.tasks.get(holderId);
      // Only pending tasks: a holder that restarted gets its leased task back as pending (registerHolder).
      if (task?.state !== "pending") continue;
      task.state = "leased";
      task.leaseId = randomUUID();
      const seed = Number(roundSeed(active.jobSeed, active.round, active.retry, 2) & 0x1fffffffffffffn);
      return {
        taskId: task.taskId,
        leaseId: task.leaseId,
        jobId,
        deadlineMs: active.deadlineMs,
        federated: { ...active.task, round: active.round, seed } as FederatedTaskOut,
      };
    }
    return undefined;
  }

  private wake(holderId?: string): void {
    const sets = holderId === undefined ? [...this.holderWaiters.values()] : [this.holderWaiters.get(holderId) ?? new Set<() => void>()];
    for (const waiters of sets) for (const wake of [...waiters]) wake();
  }

  private eligibleHolders(settings: FederatedSettings): { ids: string[]; datasets: HeldDatasetOut[] } {
    const online = new Set(this.options.jobs.onlineHolders());
    const candidates: { nodeId: string; dataset: HeldDatasetOut }[] = [];
    for (const [nodeId, held] of this.options.store.holderDatasets()) {
      if (!online.has(nodeId)) continue;
      if (settings.holderIds.length > 0 && !settings.holderIds.includes(nodeId)) continue;
      const dataset = held.find((d) => d.datasetId === settings.datasetId);
      if (dataset) candidates.push({ nodeId, dataset });
    }
    const eligible = candidates.filter((c) => policyRefusal(c.dataset.policy, settings) === "");
    return { ids: eligible.map((c) => c.nodeId), datasets: eligible.map((c) => c.dataset) };
  }

  private async loop(jobId: string): Promise<void> {
    const described = this.options.jobs.describe(jobId);
    if (!described) throw new NotFoundError(`federated job ${jobId} is gone`);
    const { settings, owner } = described;
    let row = this.options.store.getJob(jobId);
    if (!row) row = await this.createJobRow(jobId, settings);
    const n = parameterCount(row.shape);
    const dp = settings.noiseMultiplier > 0;
    while (!this.stopped) {
      const current = this.options.store.getJob(jobId) as FederatedJobRow;
      const round = current.roundsCompleted + 1;
      if (round > settings.rounds) break;
      if (this.options.jobs.describe(jobId)?.cancelled) return;
      if (dp && federatedEpsilon(settings.fractionFit, settings.noiseMultiplier, round, settings.delta) > settings.epsilon) {
        if (round === 1)
          throw new FailedPreconditionError(
            `one round at noise_multiplier ${settings.noiseMultiplier} and fraction_fit ${settings.fractionFit} already spends more than epsilon ${settings.epsilon}; raise the noise or the budget.`,
          );
        current.progress.roundsTotal = current.roundsCompleted;
        this.options.store.saveProgress(jobId, current.progress, this.now());
        break; // stop before the round that would overspend, with the model so far
      }
      const result = await this.runRound(jobId, owner, settings, current, n);
      if (result === "stopped") return;
    }
    if (this.stopped) return;
    const final = this.options.store.getJob(jobId) as FederatedJobRow;
    await this.finish(jobId, settings, final);
  }

  private async createJobRow(jobId: string, settings: FederatedSettings): Promise<FederatedJobRow> {
    // The shape needs the holders' shared schema: wait for one holder of the dataset.
    let eligible = this.eligibleHolders(settings);
    const until = this.now() + settings.roundDeadlineSeconds * 1000;
    while (eligible.ids.length === 0 && !this.stopped && this.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      eligible = this.eligibleHolders(settings);
    }
    if (eligible.ids.length === 0)
      throw new FailedPreconditionError(`no online holder has registered dataset "${settings.datasetId}"; start the holders' sidecars and submit again.`);
    const shape = this.options.shapeOf(settings, eligible.datasets);
    const params = initialModel(shape, roundSeed(settings.seed, 0, 0, 3));
    const model = await storeModel(this.options.chunks, params, "global-model-r0.f32");
    // The first round serves and steps these very values: not a second copy read back from disk.
    this.globals.set(jobId, { digest: model.sha256, values: params });
    const optimizer = isAdaptive(settings.strategy)
      ? await storeModel(this.options.chunks, concatState(newOptimizerState(params.length, settings.tau)), "optimizer-r0.f32")
      : undefined;
    const row: FederatedJobRow = {
      jobId,
      noiseSecret: randomBytes(32).toString("hex"),
      shape,
      roundsCompleted: 0,
      model,
      optimizer,
      progress: emptyProgress(settings),
    };
    this.options.store.createJob(row, this.now());
    this.options.jobs.keepChunks(
      jobId,
      [...model.chunks, ...(optimizer?.chunks ?? [])].map((c) => c.sha256),
    );
    return this.options.store.getJob(jobId) as FederatedJobRow;
  }

  /** The job's global model `row.model`, from memory when the last round left it there, else read (verified). */
  private async roundModel(jobId: string, row: FederatedJobRow, n: number): Promise<Float32Array> {
    const kept = this.globals.get(jobId);
    if (kept?.digest === row.model.sha256 && kept.values.length === n) return kept.values;
    const values = await readModel(this.options.chunks, row.model, n);
    this.globals.set(jobId, { digest: row.model.sha256, values });
    return values;
  }

  private async runRound(jobId: string, owner: string, settings: FederatedSettings, row: FederatedJobRow, n: number): Promise<"done" | "stopped"> {
    const round = row.roundsCompleted + 1;
    const retry = row.progress.roundInProgress === round ? row.progress.roundRetry : 0;
    const started = this.now();
    const eligible = this.eligibleHolders(settings);
    const dp = settings.noiseMultiplier > 0;
    const participants = sampleHolders(eligible.ids, round, retry, {
      fractionFit: settings.fractionFit,
      minHolders: settings.minHolders,
      poisson: dp,
      shardsPerHolder: settings.shardsPerHolder,
      seed: settings.seed,
    });
    row.progress.roundInProgress = round;
    row.progress.roundRetry = retry;
    this.options.store.saveProgress(jobId, row.progress, this.now());
    this.options.jobs.markRunning(
      jobId,
      "round",
      row.roundsCompleted / settings.rounds,
      `round ${round}/${settings.rounds}: ${participants.length} holder(s) sampled`,
    );
    const robust = settings.strategy === "median" || settings.strategy === "trimmed_mean";
    const clip = row.progress.clipNorm;
    // Non-DP: a faithful holder's update is far below 1e4; with clipping, 10 C. With shards_per_holder > 1 a
    // holder's update is the SUM of up to that many per-shard clipped updates, so both bounds scale with it.
    const shards = Math.max(1, settings.shardsPerHolder);
    const limits = { clipNorm: clip * shards, poisonNormLimit: clip > 0 ? 10 * clip * shards : 1e4 };
    // One set of buffers per running job, reused round after round.
    let sum = this.sums.get(jobId);
    if (sum?.parameters !== n) {
      sum = new StreamingUpdateSum(n, { ...limits, ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}) });
      this.sums.set(jobId, sum);
    }
    sum.reset(limits);
    const global = await this.roundModel(jobId, row, n);
    this.options.chunks.serve(row.model, global);
    const tasks: RoundTask[] = participants.map((holderId) => ({
      taskId: federatedTaskId(jobId, round, holderId, retry),
      holderId,
      leaseId: null,
      state: "pending",
    }));
    const collector = new RoundCollector(tasks, sum, (update) => updateSource(this.options.chunks, update.manifest, dp || robust ? 1 : update.exampleCount));
    const sampling = settings.shardsPerHolder > 1 ? settings.fractionFit : dp ? settings.fractionFit : 1;
    this.rounds.set(jobId, {
      round,
      retry,
      collector,
      model: row.model,
      shape: row.shape,
      jobSeed: settings.seed,
      deadlineMs: started + settings.roundDeadlineSeconds * 1000,
      task: {
        jobId,
        phase: "FEDERATED_PHASE_TRAIN",
        datasetId: settings.datasetId,
        globalModel: row.model,
        model: {
          task: settings.task,
          targetColumn: settings.targetColumn,
          hiddenLayerSizes: [...row.shape.hiddenLayerSizes],
          inputDimension: row.shape.inputDimension,
          outputDimension: row.shape.outputDimension,
          parameterCount: n,
        },
        localEpochs: settings.localEpochs,
        localBatchSize: settings.localBatchSize,
        learningRate: settings.learningRate,
        proximalMu: settings.strategy === "fedprox" ? settings.proximalMu : 0,
        clipNorm: clip,
        noiseMultiplier: settings.noiseMultiplier,
        samplingRate: sampling,
        roundsTotal: settings.rounds,
        delta: settings.delta,
        epsilonBudget: settings.epsilon,
        shardsPerHolder: settings.shardsPerHolder,
        requester: owner,
        purpose: settings.purpose,
        adaptiveClipping: settings.targetQuantile > 0,
        synthesizer: "",
      } as ActiveRound["task"],
    });
    // Updates accepted before a restart count once, in their place in the order.
    for (const update of this.options.store.updatesOf(jobId, round, retry)) {
      const task = collector.tasks.get(update.holderId);
      if (task) task.state = "leased";
      await collector.arrive(update);
    }
    for (const holderId of participants) this.wake(holderId);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, settings.roundDeadlineSeconds * 1000).unref());
    const stopWatch = new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        if (this.stopped || this.options.jobs.describe(jobId)?.cancelled) {
          clearInterval(tick);
          resolve();
        }
      }, 200);
      tick.unref();
      void collector.whenSettled().then(() => clearInterval(tick));
    });
    await Promise.race([collector.whenSettled(), deadline, stopWatch]);
    if (this.stopped || this.options.jobs.describe(jobId)?.cancelled) {
      this.rounds.delete(jobId);
      return "stopped";
    }
    const collected = await collector.close();
    this.rounds.delete(jobId);
    // Refusals were saved as they came (failTask); keep them.
    row.progress.refusals = this.options.store.getJob(jobId)?.progress.refusals ?? row.progress.refusals;
    row.progress.stragglersDropped += collected.stragglers.length;
    row.progress.updatesRejected += collected.rejected.length;
    this.options.metrics?.stragglersDropped.inc(collected.stragglers.length);
    if (collected.summed.length < settings.minHolders) {
      this.options.store.dropAttempt(jobId, round, retry);
      if (retry >= settings.maxRoundRetries) {
        throw new FailedPreconditionError(
          `round ${round} collected ${collected.summed.length} update(s) after ${retry + 1} attempt(s), below min_holders ${settings.minHolders} (${eligible.ids.length} holder(s) of "${settings.datasetId}" online, ${collected.stragglers.length} straggler(s), ${collected.rejected.length} rejected); start more holders or lower min_holders.`,
        );
      }
      row.progress.roundRetry = retry + 1;
      this.options.store.saveProgress(jobId, row.progress, this.now());
      return "done";
    }
    // The round's global model is no longer served (a late download reads the disk): free its
    // cached copy before the aggregation reads that model and writes the next one.
    this.options.chunks.dropServed();
    // The buffer is stepped in place: until the new model is stored it matches no file.
    this.globals.delete(jobId);
    const result: RoundResult = await closeRound({
      settings,
      row,
      sum,
      global,
      collected,
      chunks: this.options.chunks,
      round,
      eligibleHolders: eligible.ids.length,
      expectedCohort: expectedCohort(eligible.ids.length, settings.fractionFit, settings.shardsPerHolder),
    });
    this.globals.set(jobId, { digest: result.model.sha256, values: global });
    const durationSeconds = (this.now() - started) / 1000;
    const progress: FederationProgress = {
      ...row.progress,
      roundsCompleted: round,
      epsilonSpent: dp ? federatedEpsilon(settings.fractionFit, settings.noiseMultiplier, round, settings.delta) : 0,
      participantsLastRound: collected.summed.length,
      clipNorm: result.nextClipNorm,
      lastRoundLoss: result.meanLoss,
      lastRoundDurationSeconds: durationSeconds,
      roundInProgress: 0,
      roundRetry: 0,
    };
    this.options.jobs.keepChunks(
      jobId,
      [...result.model.chunks, ...(result.optimizer?.chunks ?? [])].map((c) => c.sha256),
    );
    this.options.store.commitRound(jobId, round, result.model, result.optimizer, progress, this.now());
    // The round's update chunks go now (the sum has them); any also owned elsewhere stay.
    const used = [...collected.summed, ...collected.rejected.map((r) => r.update)].map((u) => u.manifest);
    const usedDigests = used.flatMap((m) => m.chunks.map((c) => c.sha256));
    await this.options.chunks.release(used, [...this.options.store.referencedDigests(), ...this.options.store.ownedAmong(usedDigests)]);
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.roundsCompleted.inc();
      metrics.roundDurationSeconds.observe(durationSeconds);
      metrics.participantsPerRound.observe(collected.summed.length);
      metrics.updatesRejected.inc(collected.rejected.length);
      metrics.epsilonSpent.set(progress.epsilonSpent);
      metrics.lastRoundTimestampSeconds.set(this.now() / 1000);
    }
    return "done";
  }

  private async finish(jobId: string, settings: FederatedSettings, row: FederatedJobRow): Promise<void> {
    const report = {
      format: "datalab-federated-mlp",
      version: 1,
      task: settings.task,
      targetColumn: settings.targetColumn,
      shape: row.shape,
      parameterLayout: "per layer: weights [inputs x outputs] row-major, then bias; float32 little-endian (model.f32)",
      parameters: row.model.sizeBytes / 4,
      modelSha256: row.model.sha256,
      strategy: settings.strategy,
      federation: this.status(jobId),
      epsilon: row.progress.epsilonSpent,
      delta: settings.noiseMultiplier > 0 ? settings.delta : 0,
    };
    const reportBytes = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
    const reportManifest = await this.options.chunks.storeBytes(reportBytes, "federated-model.json");
    const modelManifest: Manifest = { ...row.model, name: "model.f32", mediaType: "application/octet-stream" };
    // ONNX for models small enough to export in one piece (nn/'s writer holds it in memory).
    const results: Parameters<FederationJobs["succeed"]>[1] = [
      { kind: "RESULT_KIND_MODEL", manifest: modelManifest },
      { kind: "RESULT_KIND_REPORT", manifest: reportManifest },
    ];
    if (row.model.sizeBytes <= MAX_ONNX_EXPORT_BYTES) {
      const params = await readModel(this.options.chunks, row.model, parameterCount(row.shape));
      const onnx = exportFederatedOnnx(row.shape, settings.task, params);
      results.push({ kind: "RESULT_KIND_ONNX_MODEL", manifest: await this.options.chunks.storeBytes(onnx, "model.onnx") });
    }
    await this.options.jobs.succeed(
      jobId,
      results,
      JSON.stringify({ rounds: row.roundsCompleted, epsilon: row.progress.epsilonSpent, loss: row.progress.lastRoundLoss }),
    );
  }

  /** The current global model of a job (tests, the final export). */
  async globalModel(jobId: string): Promise<Float32Array> {
    const row = this.options.store.getJob(jobId);
    if (!row) throw new NotFoundError(`no federated state for job ${jobId}`);
    return readModel(this.options.chunks, row.model, parameterCount(row.shape));
  }
}

function emptyProgress(settings: FederatedSettings): FederationProgress {
  return {
    roundsCompleted: 0,
    roundsTotal: settings.rounds,
    epsilonSpent: 0,
    participantsLastRound: 0,
    stragglersDropped: 0,
    updatesRejected: 0,
    refusals: [],
    clipNorm: settings.clipNorm,
    lastRoundLoss: 0,
    lastRoundDurationSeconds: 0,
    roundInProgress: 0,
    roundRetry: 0,
  };
}

function concatState(state: { m: Float32Array; v: Float32Array }): Float32Array {
  const out = new Float32Array(state.m.length * 2);
  out.set(state.m, 0);
  out.set(state.v, state.m.length);
  return out;
}
