/**
 * The holder sidecar's agent (`datalab trainer`): dials out to the coordinator, registers as a
 * HOLDER with its dataset's shared schema, a bucketed row count and its policy summary (never a
 * row), heartbeats, long-polls federated tasks and answers each one:
 *
 * 1. admission BEFORE any row is touched: the policy and the ledger (task-admission.ts); a
 *    refusal goes back as FailTaskRequest.refusal_reason, which the requester sees;
 * 2. the global model is downloaded (content-addressed chunks), a round is trained off the
 *    event loop (`train`, a worker thread in the CLI), so heartbeats and lease renewals flow;
 * 3. the job's ledger charge is committed, then the clipped update is uploaded as chunks and
 *    reported with CompleteTaskRequest.federated. A failure before anything left releases the
 *    reservation the task made.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  downloadFile,
  type NodeServiceClient,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  type RegisterNodeRequest,
  type TaskOut,
  tunables,
  uploadFile,
} from "../../proto/index.js";
import { ReconnectBackoff, sleepUnlessAborted } from "../backoff.js";
import { cancellableCall, describeRpcError } from "../node-rpc.js";
import { heartbeatLoop, registerNode, type Session } from "../node-session.js";
import type { HolderLedger } from "./holder-ledger.js";
import type { HolderPolicy } from "./holder-policy.js";
import { float32Bytes, float32FromBytes } from "./parameter-layout.js";
import { admitTask, type FederatedTaskView } from "./task-admission.js";
import { type RoundSettings, RoundSettingsError, type RoundUpdate } from "./train-round.js";
import { admitSynthesisTask, ReleasedMeasurements, runSynthesisMeasure, runSynthesisScore, type SynthesisTaskView } from "./synthesis-tasks.js";
import { createCryptoSource } from "../../privacy/index.js";
import { loadTable, type Table, type TableSchema } from "../../tabular/index.js";

export interface HeldDatasetInfo {
  datasetId: string;
  schemaJson: string;
  /** Rows of the local table (the minimum-cohort check; registered only as a coarse bucket). */
  rows: number;
}

export interface HolderAgentOptions {
  client: NodeServiceClient;
  nodeId: string;
  workDir: string;
  dataset: HeldDatasetInfo;
  policy: HolderPolicy;
  ledger: HolderLedger;
  /** Trains one round of a model predicting `targetColumn` (off the event loop in the CLI). */
  train: (targetColumn: string, settings: RoundSettings) => Promise<RoundUpdate>;
  log: (line: string) => void;
  /** The local rows read with the shared schema, for federated synthesis tasks (synthesis-tasks.ts); unset = refuse them. */
  synthesisData?: { table: Table; schema: TableSchema };
  leaseWaitSeconds?: number;
  agentVersion?: string;
}

/** Row count rounded down to 1, 2 or 5 × 10^k: coarse, so the exact count is not revealed. */
export function rowCountBucket(rows: number): number {
  if (rows < 1) return 0;
  const power = 10 ** Math.floor(Math.log10(rows));
  for (const step of [5, 2, 1]) if (rows >= step * power) return step * power;
  return power;
}

function jobKindName(kind: string | undefined): "federated_training" | "federated_synthesis" | undefined {
  if (kind === "JOB_KIND_FEDERATED_TRAINING") return "federated_training";
  if (kind === "JOB_KIND_FEDERATED_SYNTHESIS") return "federated_synthesis";
  return undefined;
}

export class HolderAgent {
  readonly #options: HolderAgentOptions;
  readonly #stop = new AbortController();
  readonly #running = new Set<string>();
  #session: Session | undefined;

  constructor(options: HolderAgentOptions) {
    this.#options = options;
  }

  requestShutdown(): void {
    this.#stop.abort();
    this.#session?.controller.abort();
  }

  #registration(): RegisterNodeRequest {
    const { policy, dataset, ledger } = this.#options;
    return {
      nodeId: this.#options.nodeId,
      capabilities: {
        gpus: [],
        cpuCores: 1,
        memoryBytes: 0,
        versions: { datalab: this.#options.agentVersion ?? "0" },
        kinds: policy.allowedJobKinds.map((kind) => (kind === "federated_training" ? "JOB_KIND_FEDERATED_TRAINING" : "JOB_KIND_FEDERATED_SYNTHESIS")),
        maxConcurrentTasks: 1,
      },
      requestedHeartbeatIntervalSeconds: 0,
      hostname: process.env["HOSTNAME"] ?? hostname(),
      hpcJob: "",
      instanceId: "",
      role: "NODE_ROLE_HOLDER",
      heldDatasets: [
        {
          datasetId: dataset.datasetId,
          schemaJson: dataset.schemaJson,
          rowCountBucket: rowCountBucket(dataset.rows),
          policy: {
            allowedKinds: policy.allowedJobKinds.map((kind) =>
              kind === "federated_training" ? "JOB_KIND_FEDERATED_TRAINING" : "JOB_KIND_FEDERATED_SYNTHESIS",
            ),
            allowedPurposes: policy.anyPurpose ? [] : policy.allowedPurposes,
            maxEpsilonPerJob: policy.maxEpsilonPerJob,
            maxDeltaPerJob: policy.maxDeltaPerJob,
            remainingEpsilon: Math.floor(ledger.remainingEpsilon(dataset.datasetId) * 100) / 100,
            minCohortSize: policy.minCohortRows,
            localNoiseRequired: policy.localNoise.required,
            requireDp: policy.requireDp,
          },
        },
      ],
    };
  }

  /** Runs until requestShutdown; resolves 0. */
  async run(): Promise<number> {
    const { client, log } = this.#options;
    const backoff = new ReconnectBackoff({ baseMs: 250, capMs: tunables.nodeReconnectCapSeconds * 1000 });
    while (!this.#stop.signal.aborted) {
      let session: Session;
      try {
        session = (await registerNode(client, this.#registration())).session;
      } catch (error) {
        log(`cannot register with the coordinator (${describeRpcError(error)}); retrying`);
        await sleepUnlessAborted(backoff.nextDelayMs(), this.#stop.signal);
        continue;
      }
      backoff.reset();
      this.#session = session;
      log(`registered as holder of dataset "${this.#options.dataset.datasetId}"`);
      const heartbeats = heartbeatLoop(client, this.#options.nodeId, session, {
        runningTaskIds: () => [...this.#running],
        onCancelled: (taskId) => log(`task ${taskId} cancelled by the coordinator`),
        onLost: (taskId) => log(`task ${taskId} lost its lease`),
        log,
      });
      await this.#leaseLoop(session);
      session.controller.abort();
      await heartbeats;
    }
    await cancellableCall((metadata, options, callback) => client.deregisterNode({ nodeId: this.#options.nodeId }, metadata, options, callback), 5).catch(
      () => {},
    );
    return 0;
  }

  async #leaseLoop(session: Session): Promise<void> {
    const { client, nodeId, log } = this.#options;
    const wait = this.#options.leaseWaitSeconds ?? 10;
    while (!session.controller.signal.aborted && !this.#stop.signal.aborted) {
      let task: TaskOut | null;
      try {
        const response = await cancellableCall<{ task: TaskOut | null }>(
          (metadata, options, callback) => client.leaseTask({ nodeId, waitSeconds: wait }, metadata, options, callback),
          wait + tunables.unaryDeadlineSeconds,
          session.controller.signal,
        );
        task = response.task;
      } catch (error) {
        if (session.controller.signal.aborted || this.#stop.signal.aborted) return;
        log(`lease failed (${describeRpcError(error)}); registering again`);
        return;
      }
      if (task) await this.handleTask(task, session);
    }
  }

  /** Admission, then training and the report; never throws. */
  async handleTask(task: TaskOut, session: Session): Promise<void> {
    const { client, nodeId, log, dataset, policy, ledger } = this.#options;
    const fail = (errorMessage: string, retryable: boolean, refusalReason = "") =>
      cancellableCall(
        (metadata, options, callback) =>
          client.failTask({ nodeId, taskId: task.taskId, leaseId: task.leaseId, errorMessage, retryable, refusalReason }, metadata, options, callback),
        tunables.unaryDeadlineSeconds,
      ).catch((error) => log(`could not report task ${task.taskId} (${describeRpcError(error)})`));
    const f = task.federated;
    const kind = jobKindName(task.spec?.kind);
    if (!f || kind === undefined) {
      await fail("this node is a holder sidecar: it runs only federated tasks", false);
      return;
    }
    if (kind === "federated_synthesis") {
      await this.#handleSynthesis(task, session, fail);
      return;
    }
    const view: FederatedTaskView = {
      jobId: f.jobId || task.jobId,
      round: f.round,
      kind,
      datasetId: f.datasetId,
      requester: f.requester,
      purpose: f.purpose,
      clipNorm: f.clipNorm,
      shardsPerHolder: f.shardsPerHolder,
      privacy: { noiseMultiplier: f.noiseMultiplier, samplingRate: f.samplingRate, roundsTotal: f.roundsTotal, delta: f.delta, epsilonBudget: f.epsilonBudget },
    };
    let admission = admitTask(policy, ledger, dataset.datasetId, dataset.rows, view);
    if (admission.admitted && f.phase !== "FEDERATED_PHASE_TRAIN") admission = { admitted: false, reason: `this holder does not run the ${f.phase} phase yet` };
    if (admission.admitted && policy.localNoise.required && !(f.clipNorm > 0))
      admission = { admitted: false, reason: "this holder's policy adds local noise, which needs clipped updates (clip_norm > 0)" };
    if (!admission.admitted) {
      log(`refused task ${task.taskId}: ${admission.reason}`);
      // A refusal leaves the job's reservation (if an earlier task made one) as it is.
      await fail(admission.reason, false, admission.reason);
      return;
    }
    this.#running.add(task.taskId);
    const folder = join(this.#options.workDir, "rounds", task.taskId.replace(/[^A-Za-z0-9._-]/g, "_"));
    let sent = false;
    const keeper = setInterval(
      () => {
        void cancellableCall(
          (metadata, options, callback) =>
            client.reportProgress(
              { nodeId, taskId: task.taskId, leaseId: task.leaseId, progress: { fraction: 0.5, phase: "train", message: "" } },
              metadata,
              options,
              callback,
            ),
          tunables.unaryDeadlineSeconds,
        ).catch(() => {});
      },
      Math.max(1000, (session.leaseSeconds * 1000) / 3),
    );
    try {
      await mkdir(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
      const modelPath = join(folder, "global.f32");
      await downloadFile(
        (startChunkIndex, deadline) => client.downloadInput({ nodeId, taskId: task.taskId, leaseId: task.leaseId, startChunkIndex }, { deadline }),
        modelPath,
      );
      const global = float32FromBytes(await readFile(modelPath));
      const model = f.model;
      if (!model?.targetColumn) throw new RoundSettingsError("the task names no target column (FederatedModelSpec.target_column)");
      const update = await this.#options.train(model.targetColumn, {
        task: model?.task === "regression" ? "regression" : "classification",
        hidden: model?.hiddenLayerSizes ?? [],
        inputWidth: model?.inputDimension ?? 0,
        outputWidth: model?.outputDimension ?? 0,
        global,
        localEpochs: Math.max(1, f.localEpochs),
        batchSize: Math.max(1, f.localBatchSize),
        learningRate: f.learningRate,
        proximalMu: f.proximalMu,
        clipNorm: f.clipNorm,
        shards: Math.max(1, f.shardsPerHolder),
        samplingRate: f.shardsPerHolder > 1 ? f.samplingRate : 1,
        seed: Number(f.seed) >>> 0,
        localNoiseStd: policy.localNoise.noiseMultiplier * f.clipNorm,
        privateSampling: f.noiseMultiplier > 0,
      });
      const updatePath = join(folder, "update.f32");
      await writeFile(updatePath, float32Bytes(update.update), { mode: PRIVATE_FILE_MODE });
      // From here something computed from the rows leaves the holder: the job's charge is final.
      if (admission.charged) ledger.commitJob(dataset.datasetId, view.jobId);
      sent = true;
      const uploaded = await uploadFile(client, updatePath, {
        name: "update.f32",
        mediaType: "application/octet-stream",
        chunkBytes: Math.min(tunables.chunkBytes, session.maxChunkBytes),
      });
      await cancellableCall(
        (metadata, options, callback) =>
          client.completeTask(
            {
              nodeId,
              taskId: task.taskId,
              leaseId: task.leaseId,
              results: [],
              summaryJson: JSON.stringify({ round: f.round, participants: update.participantCount, localLoss: update.localLoss }),
              inlineChunks: [],
              leaseNext: false,
              federated: {
                update: { kind: "RESULT_KIND_MODEL_UPDATE", file: uploaded.manifest },
                exampleCount: update.exampleCount,
                participantCount: update.participantCount,
                unclippedCount: update.unclippedCount,
                localLoss: update.localLoss,
              },
            },
            metadata,
            options,
            callback,
          ),
        tunables.unaryDeadlineSeconds,
      );
      log(`round ${f.round} of job ${view.jobId}: sent the update of ${update.participantCount} participant(s), loss ${update.localLoss.toFixed(4)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`task ${task.taskId} failed: ${message}`);
      if (
        !sent &&
        admission.charged &&
        ledger.ledger.entries(ledger.holderId, dataset.datasetId).some((e) => e.jobId === view.jobId && e.state === "reserved")
      ) {
        // Nothing of this job left the holder yet in this task; a job whose earlier round was sent stays committed.
        ledger.releaseJob(dataset.datasetId, view.jobId);
      }
      const retryable = !(error instanceof Error && ["RoundSettingsError", "ParameterLayoutError", "UpdateError", "NnError"].includes(error.name));
      await fail(message, retryable);
    } finally {
      clearInterval(keeper);
      this.#running.delete(task.taskId);
      await rm(folder, { recursive: true, force: true }).catch(() => {});
    }
  }

  /**
   * A federated synthesis task (MEASURE rounds 1–3, SCORE round 4): admission (policy, then the job's
   * ρ in the ledger, once), the round's plan or corpus downloaded, the measurement with this
   * holder's own noise from node:crypto (or the scores), the charge committed, the file uploaded.
   */
  async #handleSynthesis(task: TaskOut, _session: Session, fail: (message: string, retryable: boolean, refusal?: string) => Promise<unknown>): Promise<void> {
    const { client, nodeId, log, dataset, policy, ledger } = this.#options;
    const f = task.federated!;
    const data = this.#options.synthesisData;
    const view: SynthesisTaskView = {
      jobId: f.jobId || task.jobId,
      round: f.round,
      phase: f.phase === "FEDERATED_PHASE_SCORE" ? "score" : "measure",
      datasetId: f.datasetId,
      requester: f.requester,
      purpose: f.purpose,
      epsilon: f.epsilonBudget,
      delta: f.delta,
    };
    const released = new ReleasedMeasurements(join(this.#options.workDir, "released-measurements"));
    const closed = view.phase === "measure" && (await released.isClosed(view.jobId));
    const admission =
      data === undefined
        ? { admitted: false as const, reason: "this holder sidecar runs no federated synthesis" }
        : closed
          ? {
              admitted: false as const,
              reason: `synthesis job ${view.jobId} already passed its measurement rounds on this holder (its SCORE round came); a new measurement would be a second noise draw its one ledger charge does not count — submit a new job`,
            }
          : admitSynthesisTask(policy, ledger, dataset.datasetId, dataset.rows, view);
    if (!admission.admitted || data === undefined) {
      const reason = admission.admitted ? "this holder sidecar runs no federated synthesis" : admission.reason;
      log(`refused task ${task.taskId}: ${reason}`);
      await fail(reason, false, reason);
      return;
    }
    this.#running.add(task.taskId);
    const folder = join(this.#options.workDir, "rounds", task.taskId.replace(/[^A-Za-z0-9._-]/g, "_"));
    let sent = false;
    try {
      await mkdir(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
      const inputPath = join(folder, view.phase === "score" ? "synthetic.csv" : "plan.json");
      if (view.round > 1)
        await downloadFile(
          (startChunkIndex, deadline) => client.downloadInput({ nodeId, taskId: task.taskId, leaseId: task.leaseId, startChunkIndex }, { deadline }),
          inputPath,
        );
      const holderData = { holder: nodeId, table: data.table, schema: data.schema, source: createCryptoSource() };
      // The SCORE round means the coordinator stored every measurement: the released files can go.
      if (view.phase === "score") await released.closeJob(view.jobId);
      // A MEASURE round asked again gets the measurement already released, never a fresh draw (synthesis-tasks.ts).
      const before = view.phase === "measure" ? await released.find(view.jobId, view.round) : undefined;
      if (before !== undefined) log(`synthesis job ${view.jobId}: round ${view.round} asked again; resending the measurement already released`);
      const answer =
        view.phase === "score"
          ? await runSynthesisScore(holderData, (await loadTable(inputPath, { schema: data.schema })).table)
          : (before ?? runSynthesisMeasure(holderData, view, view.round > 1 ? await readFile(inputPath) : undefined));
      if (view.phase === "measure" && before === undefined) await released.keep(view.jobId, view.round, answer);
      const answerPath = join(folder, view.phase === "score" ? "scores.json" : "measurement.dlfm");
      await writeFile(answerPath, answer, { mode: PRIVATE_FILE_MODE });
      // From here something computed from the rows leaves the holder: the job's charge is final.
      ledger.commitJob(dataset.datasetId, view.jobId);
      sent = true;
      const uploaded = await uploadFile(client, answerPath, {
        name: view.phase === "score" ? "scores.json" : "measurement.dlfm",
        mediaType: view.phase === "score" ? "application/json" : "application/octet-stream",
        chunkBytes: Math.min(tunables.chunkBytes, this.#session?.maxChunkBytes ?? tunables.chunkBytes),
      });
      await cancellableCall(
        (metadata, options, callback) =>
          client.completeTask(
            {
              nodeId,
              taskId: task.taskId,
              leaseId: task.leaseId,
              results: [],
              summaryJson: JSON.stringify({ round: view.round, phase: view.phase }),
              inlineChunks: [],
              leaseNext: false,
              federated: {
                update: { kind: view.phase === "score" ? "RESULT_KIND_SCORES" : "RESULT_KIND_MEASUREMENTS", file: uploaded.manifest },
                exampleCount: 0,
                participantCount: 1,
                unclippedCount: 0,
                localLoss: 0,
              },
            },
            metadata,
            options,
            callback,
          ),
        tunables.unaryDeadlineSeconds,
      );
      log(`synthesis job ${view.jobId}: sent the ${view.phase === "score" ? "scores" : `round ${view.round} measurement`}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`task ${task.taskId} failed: ${message}`);
      if (!sent && ledger.ledger.entries(ledger.holderId, dataset.datasetId).some((e) => e.jobId === view.jobId && e.state === "reserved"))
        ledger.releaseJob(dataset.datasetId, view.jobId);
      await fail(message, false);
    } finally {
      this.#running.delete(task.taskId);
      await rm(folder, { recursive: true, force: true }).catch(() => {});
    }
  }
}
