/**
 * Runs federated synthesis jobs (JOB_KIND_FEDERATED_SYNTHESIS) on the coordinator: it takes the
 * online holders of the job's dataset (their registered schemas must agree: that is the shared
 * schema), then drives FederatedSynthesisJob's four rounds through the same holder calls as
 * federated training — LeaseTask hands a FederatedTask (phase MEASURE or SCORE), DownloadInput
 * streams the round's plan or the synthetic corpus (CSV), CompleteTask brings the holder's
 * MEASUREMENTS or SCORES file. The corpus is sampled on the coordinator (no worker node).
 * Results: the corpus (TABLE), the MST model (MODEL) and a report (REPORT: accounting + merged
 * holder scores).
 *
 * The job's state lives in memory: a coordinator restart fails a running synthesis job (the
 * holders' budgets are already spent; its measurements are not stored to be summed again), and
 * a holder that refuses, fails or misses a round's deadline fails the job with its reason.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_DELTA, serializeModel } from "../../generators/index.js";
import type { FederatedTaskOut, HeldDatasetOut, JobSpecOut, Manifest } from "../../proto/index.js";
import { encodeTable, type Table, type TableSchema, validateSchema } from "../../tabular/index.js";
import { AbortedError, FailedPreconditionError } from "../errors.js";
import type { LeasedFederatedTask } from "./federation-runner.js";
import type { ModelChunks } from "./model-chunks.js";
import { federatedTaskId } from "./round-plan.js";
import { FederatedSynthesisJob, SYNTHESIS_ROUNDS } from "./synthesis-job.js";

/** What the runner needs from the rest of the coordinator. */
export interface SynthesisJobs {
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
}

const settle = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

export class SynthesisRunner {
  readonly #jobs = new Map<string, RunningJob>();
  readonly #chunks: ModelChunks;
  readonly #access: SynthesisJobs;
  readonly #now: () => number;
  #stopped = false;

  constructor(options: { chunks: ModelChunks; jobs: SynthesisJobs; now?: () => number }) {
    this.#chunks = options.chunks;
    this.#access = options.jobs;
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

  /** Runs the job to its end; failures fail the job with their message. */
  async run(jobId: string): Promise<void> {
    try {
      await this.#loop(jobId);
    } catch (error) {
      if (!this.#stopped) await this.#access.fail(jobId, (error as Error).message).catch(() => undefined);
    } finally {
      this.#jobs.delete(jobId);
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
    const parts: Uint8Array[] = [];
    for (const chunk of update.manifest.chunks) parts.push(await this.#chunks.get(chunk.sha256));
    // A malformed answer fails the job (the holder spent its budget; the round cannot be completed without it).
    try {
      running.job.accept(holderId, running.job.round, Buffer.concat(parts));
    } catch (error) {
      running.failure = `holder "${holderId}": ${(error as Error).message}`;
    }
    task.state = "done";
    running.wake();
  }

  failTask(holderId: string, taskId: string, leaseId: string, message: string, refusalReason: string): void {
    const { running } = this.#current(holderId, taskId, leaseId);
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

  /** The holders of the dataset and their shared schema (every holder must declare the same one). */
  #holdersOf(spec: JobSpecOut): { ids: string[]; schema: TableSchema } {
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
    if (schemaJson === undefined) return { ids, schema: { version: 1, columns: [] } as unknown as TableSchema };
    return { ids: ids.sort(), schema: validateSchema(JSON.parse(schemaJson), `shared schema of "${datasetId}"`) };
  }

  async #loop(jobId: string): Promise<void> {
    const described = this.#access.describe(jobId);
    if (!described) throw new FailedPreconditionError(`federated synthesis job ${jobId} is gone`);
    const { spec, owner } = described;
    const f = spec.federated!;
    const deadlineSeconds = f.roundDeadlineSeconds || 300;
    const minHolders = f.minHolders || 2;
    // Wait (up to one round deadline) for min_holders holders of the dataset.
    let found = this.#holdersOf(spec);
    const until = this.#now() + deadlineSeconds * 1000;
    while (found.ids.length < minHolders && !this.#stopped && this.#now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      found = this.#holdersOf(spec);
    }
    if (this.#stopped) return;
    if (found.ids.length < minHolders)
      throw new FailedPreconditionError(
        `${found.ids.length} online holder(s) of dataset "${f.datasetId}", below min_holders ${minHolders}; start the holders' sidecars and submit again.`,
      );
    const epsilon = spec.epsilon ?? 0;
    const delta = f.delta || DEFAULT_DELTA;
    const job = new FederatedSynthesisJob({
      jobId,
      schema: found.schema,
      holders: found.ids.map((holderId) => ({ holderId, epsilon, delta })),
      rows: spec.rows,
      seed: spec.seed ?? 0,
    });
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
    };
    this.#jobs.set(jobId, running);
    while (!job.done) {
      const round = job.round;
      // The round's input and deadline first, then its tasks: a holder may lease one the moment it is pending.
      running.tasks = new Map();
      running.input = await this.#inputOf(job, found.ids[0]!, found.schema, round);
      if (running.input)
        this.#access.keepChunks(
          jobId,
          running.input.chunks.map((c) => c.sha256),
        );
      running.deadlineMs = this.#now() + deadlineSeconds * 1000;
      running.tasks = new Map(found.ids.map((id) => [id, { taskId: federatedTaskId(jobId, round, id, 0), leaseId: null, state: "pending" }]));
      this.#access.markRunning(
        jobId,
        round <= 3 ? "measure" : "score",
        (round - 1) / SYNTHESIS_ROUNDS,
        `round ${round}/${SYNTHESIS_ROUNDS}: ${found.ids.length} holder(s)`,
      );
      while (!this.#stopped && running.failure === undefined && job.waitingFor().length > 0 && this.#now() < running.deadlineMs) {
        if (this.#access.describe(jobId)?.cancelled) return;
        const { promise, resolve } = settle();
        running.wake = resolve;
        const timer = setTimeout(resolve, Math.min(500, Math.max(1, running.deadlineMs - this.#now())));
        await promise;
        clearTimeout(timer);
      }
      if (this.#stopped) return;
      if (running.failure !== undefined) throw new FailedPreconditionError(running.failure);
      const missing = job.waitingFor();
      if (missing.length > 0)
        throw new FailedPreconditionError(
          `round ${round}: holder(s) ${missing.join(", ")} did not answer within ${deadlineSeconds} s; every holder must answer every round.`,
        );
      await job.advance();
    }
    await this.#finish(jobId, job, found.schema);
  }

  async #inputOf(job: FederatedSynthesisJob, anyHolder: string, schema: TableSchema, round: number): Promise<Manifest | null> {
    const input = job.taskFor(anyHolder);
    if (input.plan) return this.#chunks.storeBytes(input.plan, `plan-r${round}.json`);
    if (input.corpus) return this.#chunks.storeBytes(await csvBytes(input.corpus, schema), "synthetic.csv");
    return null;
  }

  async #finish(jobId: string, job: FederatedSynthesisJob, schema: TableSchema): Promise<void> {
    const { model, corpus, accounting, report } = job.result();
    const table = await this.#chunks.storeBytes(await csvBytes(corpus, schema), "synthetic.csv");
    const modelFile = await this.#chunks.storeBytes(Buffer.from(serializeModel(model)), "model.json");
    const nanAsNull = (_: string, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? null : v);
    const reportFile = await this.#chunks.storeBytes(
      Buffer.from(
        `${JSON.stringify({ format: "datalab-federated-synthesis-report", version: 1, synthesizer: "mst", sampledOn: "coordinator", accounting, mergedQuality: report }, nanAsNull, 2)}\n`,
      ),
      "report.json",
    );
    await this.#access.succeed(
      jobId,
      [
        { kind: "RESULT_KIND_TABLE", manifest: table },
        { kind: "RESULT_KIND_MODEL", manifest: modelFile },
        { kind: "RESULT_KIND_REPORT", manifest: reportFile },
      ],
      JSON.stringify({ mergedQuality: Number.isNaN(report.score) ? null : report.score, holders: accounting.holders.length, epsilon: accounting.epsilon }),
    );
  }
}

/** The corpus as CSV bytes in the shared schema's layout (what `datalab synth` writes). */
async function csvBytes(table: Table, schema: TableSchema): Promise<Uint8Array> {
  return await Promise.resolve(encodeTable("synthetic.csv", table, schema));
}
