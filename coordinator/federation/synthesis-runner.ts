/**
 * Runs federated synthesis jobs (JOB_KIND_FEDERATED_SYNTHESIS) on the coordinator: it takes the
 * online holders of the job's dataset (their registered schemas must agree: that is the shared
 * schema), then drives FederatedSynthesisJob's four rounds through the same holder calls as
 * federated training — LeaseTask hands a FederatedTask (phase MEASURE or SCORE), DownloadInput
 * streams the round's plan or the synthetic corpus (CSV), CompleteTask brings the holder's
 * MEASUREMENTS or SCORES file.
 *
 * The corpus is sampled on a worker node, through the machinery of ordinary jobs: once round 3 is
 * merged, the fitted model is stored as content-addressed chunks and a SAMPLE job (rows and seed
 * of this job, the model as its input) is submitted under the requester's name with an
 * idempotency key derived from this job's id. Any `datalab node` leases it like any other task,
 * downloads the model, samples and uploads the table; the SCORE round then sends that table to
 * the holders. With no worker node registered the SAMPLE job waits in the queue (and this job
 * with it, its progress says so); there is no coordinator-side fallback. The same seed gives the
 * same corpus on whichever node samples it (Philox keyed by the seed, generators/mst/).
 * Results: the corpus (TABLE), the MST model (MODEL) and a report (REPORT: accounting, merged
 * holder scores, and `sampledOn: "node <id>"`).
 *
 * Restarts: the job's holders, schema and every accepted holder answer are in SQLite
 * (synthesis-store.ts) before CompleteTask returns; a restarted coordinator replays them and asks
 * only the holders that have not answered the round in progress, so no measurement is asked for
 * twice. The SAMPLE job is found again by its idempotency key. A holder that refuses, fails or
 * misses a round's deadline fails the job with its reason.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_DELTA } from "../../generators/index.js";
import type { FederatedTaskOut, HeldDatasetOut, JobSpecOut, Manifest } from "../../proto/index.js";
import { type TableSchema, validateSchema } from "../../tabular/index.js";
import { AbortedError, FailedPreconditionError } from "../errors.js";
import type { LeasedFederatedTask } from "./federation-runner.js";
import type { ModelChunks } from "./model-chunks.js";
import { type CorpusSampleJobs, type SampledCorpus, sampleCorpusOnWorker } from "./synthesis-corpus.js";
import { federatedTaskId } from "./round-plan.js";
import { FederatedSynthesisJob, SYNTHESIS_ROUNDS } from "./synthesis-job.js";
import type { SynthesisStore } from "./synthesis-store.js";

/** What the runner needs from the rest of the coordinator. */
export interface SynthesisJobs extends CorpusSampleJobs {
  describe(jobId: string): { owner: string; spec: JobSpecOut; cancelled: boolean } | undefined;
  markRunning(jobId: string, phase: string, fraction: number, message: string): void;
  succeed(
    jobId: string,
    results: { kind: "RESULT_KIND_TABLE" | "RESULT_KIND_MODEL" | "RESULT_KIND_REPORT"; manifest: Manifest }[],
    summaryJson: string,
  ): Promise<void>;
  fail(jobId: string, message: string): Promise<void>;
  /** Online holder nodes and the datasets each registered. */
  onlineHolderDatasets(): Map<string, HeldDatasetOut[]>;
  keepChunks(jobId: string, digests: readonly string[]): void;
  /** Makes the store's committed writes durable (fsync) before a holder's answer is acknowledged. */
  durable(): Promise<void>;
}

interface HolderTask {
  taskId: string;
  leaseId: string | null;
  state: "pending" | "leased" | "done";
}

interface RunningJob {
  job: FederatedSynthesisJob;
  owner: string;
  spec: JobSpecOut;
  datasetId: string;
  tasks: Map<string, HolderTask>;
  input: Manifest | null;
  deadlineMs: number;
  failure: string | undefined;
  wake: () => void;
  /** Holders that refused or failed, with the round and reason (WatchJob's federation block). */
  refusals: { holderId: string; round: number; reason: string }[];
  phase: "measure" | "sample" | "score";
}

/** What WatchJob shows of a federated synthesis job in progress (Job.federation). */
export interface SynthesisStatus {
  /** Rounds merged (0–4). */
  roundsCompleted: number;
  roundInProgress: number;
  holders: string[];
  phase: "measure" | "sample" | "score";
  /** Holders whose answer to the round in progress has arrived. */
  answered: string[];
  /** Holders whose answer to the round in progress is awaited (none while a worker samples). */
  waiting: string[];
  /** ε each holder spends on its rows (the job's per-holder budget). */
  epsilonPerHolder: number;
  refusals: { holderId: string; round: number; reason: string }[];
}

const settle = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SynthesisRunner {
  readonly #jobs = new Map<string, RunningJob>();
  readonly #chunks: ModelChunks;
  readonly #access: SynthesisJobs;
  readonly #store: SynthesisStore;
  readonly #now: () => number;
  #stopped = false;

  constructor(options: { chunks: ModelChunks; jobs: SynthesisJobs; store: SynthesisStore; now?: () => number }) {
    this.#chunks = options.chunks;
    this.#access = options.jobs;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
  }

  /** Whether this runner drives the job of a federated task id. */
  owns(jobId: string): boolean {
    return this.#jobs.has(jobId);
  }

  stop(): void {
    this.#stopped = true;
    for (const running of this.#jobs.values()) running.wake();
  }

  /** Where a running job stands; undefined when it is not running here. */
  status(jobId: string): SynthesisStatus | undefined {
    const running = this.#jobs.get(jobId);
    if (running === undefined) return undefined;
    const holders = running.job.options.holders.map((h) => h.holderId);
    const waiting = new Set(running.job.waitingFor());
    return {
      roundsCompleted: running.job.round - 1,
      roundInProgress: running.job.done || running.phase === "sample" ? 0 : running.job.round,
      holders,
      phase: running.phase,
      answered: running.phase === "sample" ? [] : holders.filter((h) => !waiting.has(h)),
      waiting: running.phase === "sample" ? [] : holders.filter((h) => waiting.has(h)),
      epsilonPerHolder: running.spec.epsilon ?? 0,
      refusals: [...running.refusals],
    };
  }

  /** Runs (or, after a restart, resumes) the job to its end; failures fail the job with their message. */
  async run(jobId: string): Promise<void> {
    let ended = false;
    try {
      ended = await this.#loop(jobId);
    } catch (error) {
      if (!this.#stopped) {
        await this.#access.fail(jobId, (error as Error).message).catch(() => undefined);
        ended = true;
      }
    } finally {
      this.#jobs.delete(jobId);
      if (ended) this.#store.forget(jobId);
    }
  }

  /** A pending task of this holder, leased now; undefined when none. */
  take(holderId: string): LeasedFederatedTask | undefined {
    for (const [jobId, running] of this.#jobs) {
      const task = running.tasks.get(holderId);
      // A holder runs one task at a time and asks for another only when idle, so a task still
      // "leased" to the asking holder is one whose answer never arrived (the holder was marked
      // offline mid-task and its report was refused): lease it again under a new lease id; the
      // old lease's answer, should it come, is refused (ABORTED), so no round counts twice.
      if (task?.state !== "pending" && task?.state !== "leased") continue;
      task.state = "leased";
      task.leaseId = randomUUID();
      const input = running.job.taskFor(holderId);
      const delta = running.spec.federated?.delta || DEFAULT_DELTA;
      const federated = {
        jobId,
        round: input.round,
        phase: input.phase,
        datasetId: running.datasetId,
        globalModel: running.input,
        model: null,
        localEpochs: 0,
        localBatchSize: 0,
        learningRate: 0,
        proximalMu: 0,
        clipNorm: 0,
        noiseMultiplier: 0,
        samplingRate: 1,
        roundsTotal: SYNTHESIS_ROUNDS,
        delta,
        epsilonBudget: running.spec.epsilon ?? 0,
        shardsPerHolder: 1,
        requester: running.owner,
        purpose: running.spec.federated?.purpose ?? "",
        seed: running.spec.seed ?? 0,
        adaptiveClipping: false,
        synthesizer: "mst",
      } as unknown as FederatedTaskOut;
      return { taskId: task.taskId, leaseId: task.leaseId, jobId, deadlineMs: running.deadlineMs, federated };
    }
    return undefined;
  }

  isTaskLive(holderId: string, taskId: string): boolean {
    const task = this.#jobs.get(taskId.split("/")[0]!)?.tasks.get(holderId);
    return task !== undefined && task.taskId === taskId && task.state === "leased";
  }

  /** The round's input (plan JSON or corpus CSV) of a leased task. */
  modelOfTask(holderId: string, taskId: string, leaseId: string): Manifest {
    const { running } = this.#current(holderId, taskId, leaseId);
    if (running.input === null) throw new FailedPreconditionError(`task ${taskId} (round 1) has no input; measure the local rows.`);
    return running.input;
  }

  async completeTask(holderId: string, taskId: string, leaseId: string, update: { manifest: Manifest }): Promise<void> {
    const { running, task } = this.#current(holderId, taskId, leaseId);
    await this.#chunks.verify(update.manifest, `answer of task ${taskId}`);
    const round = running.job.round;
    // A malformed answer fails the job (the holder spent its budget; the round cannot be completed without it).
    try {
      running.job.accept(holderId, round, await this.#bytesOf(update.manifest));
    } catch (error) {
      running.failure = `holder "${holderId}": ${(error as Error).message}`;
      task.state = "done";
      running.wake();
      return;
    }
    // Stored (and its chunks kept) before the holder hears back: a restart replays it instead of asking again.
    const jobId = taskId.split("/")[0]!;
    this.#access.keepChunks(
      jobId,
      update.manifest.chunks.map((c) => c.sha256),
    );
    this.#store.addAnswer(jobId, { round, holderId, manifest: update.manifest }, this.#now());
    await this.#access.durable();
    task.state = "done";
    running.wake();
  }

  failTask(holderId: string, taskId: string, leaseId: string, message: string, refusalReason: string): void {
    const { running } = this.#current(holderId, taskId, leaseId);
    running.refusals.push({ holderId, round: running.job.round, reason: refusalReason || message });
    running.failure = refusalReason
      ? `holder "${holderId}" refused round ${running.job.round}: ${refusalReason}`
      : `holder "${holderId}" failed round ${running.job.round}: ${message}`;
    running.wake();
  }

  releaseTask(holderId: string, taskId: string, leaseId: string): void {
    const { task } = this.#current(holderId, taskId, leaseId);
    task.state = "pending";
    task.leaseId = null;
  }

  #current(holderId: string, taskId: string, leaseId: string): { running: RunningJob; task: HolderTask } {
    const running = this.#jobs.get(taskId.split("/")[0]!);
    const task = running?.tasks.get(holderId);
    if (!running || !task || task.taskId !== taskId) throw new AbortedError(`task ${taskId} is not a task of a round in progress; drop it.`);
    if (task.leaseId !== leaseId || task.state !== "leased") throw new AbortedError(`task ${taskId} has another lease or is finished; drop this attempt.`);
    return { running, task };
  }

  async #bytesOf(manifest: Manifest): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for (const chunk of manifest.chunks) parts.push(await this.#chunks.get(chunk.sha256));
    return Buffer.concat(parts);
  }

  /** The holders of the dataset and their shared schema (every holder must declare the same one). */
  #holdersOf(spec: JobSpecOut): { ids: string[]; schemaJson: string | undefined } {
    const datasetId = spec.federated!.datasetId;
    const wanted = spec.federated!.holderIds;
    const ids: string[] = [];
    let schemaJson: string | undefined;
    for (const [nodeId, held] of this.#access.onlineHolderDatasets()) {
      if (wanted.length > 0 && !wanted.includes(nodeId)) continue;
      const dataset = held.find((d) => d.datasetId === datasetId);
      if (!dataset) continue;
      if (schemaJson !== undefined && JSON.stringify(JSON.parse(dataset.schemaJson)) !== JSON.stringify(JSON.parse(schemaJson)))
        throw new FailedPreconditionError(`holders of "${datasetId}" declare different schemas (${ids[0]} and ${nodeId}); they must share one schema file.`);
      schemaJson = dataset.schemaJson;
      ids.push(nodeId);
    }
    return { ids: ids.sort(), schemaJson };
  }

  /** The job's holders and schema: stored ones when it is resumed, else the online holders once min_holders are there. */
  async #holdersAndSchema(jobId: string, spec: JobSpecOut): Promise<{ ids: string[]; schema: TableSchema } | undefined> {
    const f = spec.federated!;
    const schemaName = `shared schema of "${f.datasetId}"`;
    const stored = this.#store.getJob(jobId);
    if (stored !== undefined) return { ids: stored.holders, schema: validateSchema(JSON.parse(stored.schemaJson), schemaName) };
    const deadlineSeconds = f.roundDeadlineSeconds || 300;
    const minHolders = f.minHolders || 2;
    // Wait (up to one round deadline) for min_holders holders of the dataset.
    let found = this.#holdersOf(spec);
    const until = this.#now() + deadlineSeconds * 1000;
    while (found.ids.length < minHolders && !this.#stopped && this.#now() < until) {
      await sleep(200);
      found = this.#holdersOf(spec);
    }
    if (this.#stopped) return undefined;
    if (found.ids.length < minHolders || found.schemaJson === undefined)
      throw new FailedPreconditionError(
        `${found.ids.length} online holder(s) of dataset "${f.datasetId}", below min_holders ${minHolders}; start the holders' sidecars and submit again.`,
      );
    const schema = validateSchema(JSON.parse(found.schemaJson), schemaName);
    this.#store.begin({ jobId, holders: found.ids, schemaJson: found.schemaJson }, this.#now());
    await this.#access.durable();
    return { ids: found.ids, schema };
  }

  /** Rebuilds the job's state from its stored answers (none for a new job): the rounds merged again, the round in progress as far as it got. */
  async #replay(jobId: string, job: FederatedSynthesisJob): Promise<void> {
    for (const answer of this.#store.answers(jobId)) {
      if (answer.round > job.round) {
        if (job.waitingFor().length > 0) throw new FailedPreconditionError(`the stored answers of job ${jobId} skip round ${job.round}; submit the job again.`);
        await job.advance();
      }
      job.accept(answer.holderId, answer.round, await this.#bytesOf(answer.manifest));
    }
  }

  /** True when the job ended (succeeded, failed or cancelled); false when the coordinator stopped. */
  async #loop(jobId: string): Promise<boolean> {
    const described = this.#access.describe(jobId);
    if (!described) throw new FailedPreconditionError(`federated synthesis job ${jobId} is gone`);
    const { spec, owner } = described;
    const f = spec.federated!;
    const deadlineSeconds = f.roundDeadlineSeconds || 300;
    const found = await this.#holdersAndSchema(jobId, spec);
    if (found === undefined) return false;
    const epsilon = spec.epsilon ?? 0;
    const delta = f.delta || DEFAULT_DELTA;
    const job = new FederatedSynthesisJob({
      jobId,
      schema: found.schema,
      holders: found.ids.map((holderId) => ({ holderId, epsilon, delta })),
      rows: spec.rows,
    });
    await this.#replay(jobId, job);
    const running: RunningJob = {
      job,
      owner,
      spec,
      datasetId: f.datasetId,
      tasks: new Map(),
      input: null,
      deadlineMs: 0,
      failure: undefined,
      wake: () => {},
      refusals: [],
      phase: job.round <= 3 ? "measure" : "sample",
    };
    this.#jobs.set(jobId, running);
    let corpus: SampledCorpus | undefined;
    // The merged model's corpus, sampled by a worker node (undefined while stopping).
    const sampleCorpus = () =>
      sampleCorpusOnWorker(this.#access, this.#chunks, {
        jobId,
        model: job.model!,
        rows: spec.rows,
        seed: spec.seed ?? 0,
        stopped: () => this.#stopped,
      });
    while (!job.done) {
      const round = job.round;
      const waiting = job.waitingFor();
      if (waiting.length > 0) {
        if (round === SYNTHESIS_ROUNDS && corpus === undefined) {
          running.phase = "sample";
          corpus = await sampleCorpus();
          if (corpus === undefined) return !this.#stopped;
        }
        running.phase = round <= 3 ? "measure" : "score";
        // The round's input and deadline first, then its tasks: a holder may lease one the moment it is pending.
        running.tasks = new Map();
        running.input = round === SYNTHESIS_ROUNDS ? corpus!.table : await this.#inputOf(job, found.ids[0]!, round);
        if (running.input)
          this.#access.keepChunks(
            jobId,
            running.input.chunks.map((c) => c.sha256),
          );
        running.deadlineMs = this.#now() + deadlineSeconds * 1000;
        running.tasks = new Map(
          found.ids.map((id) => [id, { taskId: federatedTaskId(jobId, round, id, 0), leaseId: null, state: waiting.includes(id) ? "pending" : "done" }]),
        );
        this.#access.markRunning(
          jobId,
          round <= 3 ? "measure" : "score",
          (round - 1) / SYNTHESIS_ROUNDS,
          `round ${round}/${SYNTHESIS_ROUNDS}: ${found.ids.length} holder(s)${waiting.length < found.ids.length ? `, ${found.ids.length - waiting.length} answered before a restart` : ""}`,
        );
        while (!this.#stopped && running.failure === undefined && job.waitingFor().length > 0 && this.#now() < running.deadlineMs) {
          if (this.#access.describe(jobId)?.cancelled) return true;
          const { promise, resolve } = settle();
          running.wake = resolve;
          const timer = setTimeout(resolve, Math.min(500, Math.max(1, running.deadlineMs - this.#now())));
          await promise;
          clearTimeout(timer);
        }
        if (this.#stopped) return false;
        if (running.failure !== undefined) throw new FailedPreconditionError(running.failure);
        const missing = job.waitingFor();
        if (missing.length > 0)
          throw new FailedPreconditionError(
            `round ${round}: holder(s) ${missing.join(", ")} did not answer within ${deadlineSeconds} s; every holder must answer every round.`,
          );
      }
      await job.advance();
    }
    // A job resumed after its SCORE round was complete has not looked its corpus up yet.
    corpus ??= await sampleCorpus();
    if (corpus === undefined) return !this.#stopped;
    await this.#finish(jobId, job, corpus);
    return true;
  }

  async #inputOf(job: FederatedSynthesisJob, anyHolder: string, round: number): Promise<Manifest | null> {
    const input = job.taskFor(anyHolder);
    if (input.plan) return this.#chunks.storeBytes(input.plan, `plan-r${round}.json`);
    return null;
  }

  async #finish(jobId: string, job: FederatedSynthesisJob, corpus: SampledCorpus): Promise<void> {
    const { accounting, report } = job.result();
    const nanAsNull = (_: string, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? null : v);
    const reportJson = {
      format: "datalab-federated-synthesis-report",
      version: 1,
      synthesizer: "mst",
      sampledOn: `node ${corpus.nodeId}`,
      sampleJobId: corpus.sampleJobId,
      accounting,
      mergedQuality: report,
    };
    const reportFile = await this.#chunks.storeBytes(Buffer.from(`${JSON.stringify(reportJson, nanAsNull, 2)}\n`), "report.json");
    await this.#access.succeed(
      jobId,
      [
        { kind: "RESULT_KIND_TABLE", manifest: corpus.table },
        { kind: "RESULT_KIND_MODEL", manifest: corpus.model },
        { kind: "RESULT_KIND_REPORT", manifest: reportFile },
      ],
      JSON.stringify({
        mergedQuality: Number.isNaN(report.score) ? null : report.score,
        holders: accounting.holders.length,
        epsilon: accounting.epsilon,
        sampledOn: `node ${corpus.nodeId}`,
      }),
    );
  }
}
