/**
 * The holder's side of a federated synthesis job (FEDERATED_SYNTHESIS, generators/federated/):
 * three MEASURE rounds of federated MST and one SCORE round.
 *
 *  - Admission, before any row is read: the policy (job kind, dataset, requester, purpose, ε and δ
 *    per job, fewest rows) and the ledger. The holder recomputes the spend itself from the task's
 *    own ε and δ: federated MST costs exactly ρ = ρ(ε, δ) zCDP on its rows (Canonne, Kamath &
 *    Steinke 2020; three discrete Gaussian releases of ρ/3 each, generators/federated/
 *    federated-budget.ts), whatever the coordinator's plans say, so the whole job is reserved once
 *    as a ρ cost on its first task and the later rounds find the reservation.
 *  - MEASURE round 1: the noisy 1-way marginals; rounds 2 and 3 read the coordinator's plan
 *    (JSON), check it against the shared schema, and measure the selection scores / tree
 *    marginals. What leaves is a DLFM measurement file: noisy numbers only.
 *  - SCORE: the synthetic corpus scored against the holder's own rows (SDMetrics-identical
 *    Quality); only the QualityResult leaves, as JSON. The coordinator weights it by the holder's
 *    noisy row estimate from round 1, so no exact count is sent.
 *  - A MEASURE round asked again (the coordinator restarted before it stored the answer, or
 *    refused an answer that came under an old lease) is answered with the very bytes released the
 *    first time (ReleasedMeasurements): a second draw of noise on the same rows would be a release
 *    the ledger's one charge per job does not count.
 */
import { type QualityResult, scoreTables } from "../../benchmarks/index.js";
import {
  checkDpRequest,
  type HolderContext,
  measureOneWays,
  measureSelectionScores,
  measureTreeMarginals,
  type SelectionPlan,
  serializeMeasurement,
  type TreePlan,
} from "../../generators/index.js";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_DIR_MODE } from "../../proto/index.js";
import type { PrivacySource } from "../../privacy/index.js";
import { syncDirectory, type Table, type TableSchema, writeFileAtomic } from "../../tabular/index.js";
import type { Admission } from "./task-admission.js";
import { BudgetRefusal, type HolderLedger } from "./holder-ledger.js";
import type { HolderPolicy } from "./holder-policy.js";
import type { JobSpend } from "./task-spend.js";

/** Rounds of a federated synthesis job: 1–3 MEASURE, 4 SCORE. */
export const SYNTHESIS_MEASURE_ROUNDS = 3;
export const SYNTHESIS_SCORE_ROUND = 4;

/** The parts of a synthesis task the holder decides on. */
export interface SynthesisTaskView {
  jobId: string;
  round: number;
  phase: "measure" | "score";
  datasetId: string;
  requester: string;
  purpose: string;
  /** The job's ε and δ per holder (FederatedTask.epsilon_budget, delta). */
  epsilon: number;
  delta: number;
}

/** A synthesis task that cannot be run as sent (not a policy refusal: the job is broken). */
export class SynthesisTaskError extends Error {
  override readonly name = "SynthesisTaskError";
}

/** What the job spends on this holder's rows: ρ(ε, δ) zCDP, charged as such. */
export function synthesisSpend(epsilon: number, delta: number): JobSpend {
  let request: ReturnType<typeof checkDpRequest>;
  try {
    request = checkDpRequest("mst", epsilon, delta, undefined);
  } catch (error) {
    throw new SynthesisTaskError(`the task's privacy parameters are malformed: ${(error as Error).message}`, { cause: error });
  }
  return { epsilon: request!.epsilon, delta: request!.delta, mechanism: "local", cost: { rho: request!.rho } };
}

/** Policy, then the ledger: the job's whole ρ is reserved on its first task, found again on the others. */
export function admitSynthesisTask(policy: HolderPolicy, ledger: HolderLedger, heldDatasetId: string, localRows: number, task: SynthesisTaskView): Admission {
  if (!policy.allowedJobKinds.includes("federated_synthesis"))
    return { admitted: false, reason: `this holder's policy does not allow federated_synthesis jobs (allowed: ${policy.allowedJobKinds.join(", ")})` };
  if (task.datasetId !== heldDatasetId)
    return { admitted: false, reason: `this holder does not hold dataset "${task.datasetId}" (it holds "${heldDatasetId}")` };
  if (!policy.anyRequester && !policy.allowedRequesters.includes(task.requester))
    return { admitted: false, reason: `requester "${task.requester}" is not allowed by this holder's policy` };
  if (!policy.anyPurpose && !policy.allowedPurposes.includes(task.purpose))
    return { admitted: false, reason: `purpose "${task.purpose}" is not allowed by this holder's policy (allowed: ${policy.allowedPurposes.join(", ")})` };
  let spend: JobSpend;
  try {
    spend = synthesisSpend(task.epsilon, task.delta);
  } catch (error) {
    if (error instanceof SynthesisTaskError) return { admitted: false, reason: `malformed task: ${error.message}` };
    throw error;
  }
  if (spend.epsilon > policy.maxEpsilonPerJob)
    return { admitted: false, reason: `ε ${spend.epsilon} of this synthesis job exceeds this holder's limit of ε ${policy.maxEpsilonPerJob} per job` };
  if (spend.delta > policy.maxDeltaPerJob)
    return { admitted: false, reason: `δ ${spend.delta} of this job exceeds this holder's limit of δ ${policy.maxDeltaPerJob} per job` };
  if (localRows < policy.minCohortRows)
    return { admitted: false, reason: `the measurements would rest on ${localRows} rows, fewer than this holder's minimum of ${policy.minCohortRows}` };
  try {
    ledger.chargeJob(task.datasetId, task.jobId, spend);
  } catch (error) {
    if (error instanceof BudgetRefusal) return { admitted: false, reason: error.message };
    throw error;
  }
  return { admitted: true, spend, charged: true };
}

/** The holder's rows and noise source. */
export interface SynthesisHolderData {
  holder: string;
  table: Table;
  schema: TableSchema;
  /** node:crypto's source in a sidecar; a seeded one only in tests (then the measurements say NOT private). */
  source: PrivacySource;
}

function parsePlan(bytes: Uint8Array | undefined, round: number): SelectionPlan | TreePlan {
  const expected = round === 2 ? "selection" : "tree";
  if (bytes === undefined) throw new SynthesisTaskError(`MEASURE round ${round} needs the coordinator's ${expected} plan and none came with the task`);
  let plan: SelectionPlan | TreePlan;
  try {
    plan = JSON.parse(Buffer.from(bytes).toString("utf8")) as SelectionPlan | TreePlan;
  } catch (cause) {
    throw new SynthesisTaskError(`the ${expected} plan of round ${round} is not JSON`, { cause });
  }
  const shaped =
    typeof plan === "object" &&
    plan !== null &&
    plan.round === expected &&
    Array.isArray(plan.compression) &&
    plan.compression.every((c) => Array.isArray(c?.map) && Array.isArray(c?.attribute?.groups)) &&
    (plan.round === "tree" ? Array.isArray(plan.tree) : Array.isArray(plan.independent) && typeof plan.holders === "object" && plan.holders !== null);
  if (!shaped) throw new SynthesisTaskError(`the plan of round ${round} is not a ${expected} plan`);
  return plan;
}

/** One MEASURE round: the DLFM measurement file the holder sends back. */
export function runSynthesisMeasure(data: SynthesisHolderData, task: SynthesisTaskView, plan: Uint8Array | undefined): Uint8Array {
  const request = checkDpRequest("mst", task.epsilon, task.delta, undefined)!;
  const context: HolderContext = { holder: data.holder, table: data.table, schema: data.schema, request, source: data.source };
  if (task.round === 1) return serializeMeasurement(measureOneWays(context));
  if (task.round === 2) return serializeMeasurement(measureSelectionScores(context, parsePlan(plan, 2) as SelectionPlan));
  if (task.round === 3) return serializeMeasurement(measureTreeMarginals(context, parsePlan(plan, 3) as TreePlan));
  throw new SynthesisTaskError(`a MEASURE task is round 1, 2 or 3 of federated MST, not ${task.round}`);
}

/** The SCORE round's answer: the corpus's quality against the holder's rows, and nothing else. */
export interface HolderScores {
  format: "datalab-holder-scores";
  version: 1;
  holder: string;
  quality: QualityResult;
}

export async function runSynthesisScore(data: SynthesisHolderData, corpus: Table): Promise<Uint8Array> {
  const report = await scoreTables(data.table, corpus, { privacy: false });
  const scores: HolderScores = { format: "datalab-holder-scores", version: 1, holder: data.holder, quality: report.quality };
  // NaN (a pair undefined on this holder's rows) is not JSON: it travels as null.
  return Buffer.from(
    JSON.stringify(scores, (_, v) => (typeof v === "number" && Number.isNaN(v) ? null : v)),
    "utf8",
  );
}

/**
 * The measurement files this holder released, one per (job, round), in a private folder of its
 * work directory. Each is written durably (temp file, fsync, rename, fsync of the folder) before
 * it is uploaded, so a measurement that may have left is found again even after a power loss.
 *
 * When the job's SCORE round arrives, the coordinator has stored every measurement (it starts
 * scoring only then, and replays stored answers after a restart), so the files are no longer
 * needed: `closeJob` writes a durable tombstone `<job>.closed` and then deletes them. A MEASURE
 * round of a closed job is refused (`isClosed`): answering it would be a fresh noise draw that
 * the ledger's one charge per job does not count. Jobs that never reach SCORE (failed,
 * cancelled) keep their files: a few KB to MB each, noisy numbers the coordinator already holds.
 */
export class ReleasedMeasurements {
  readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  #stem(jobId: string): string {
    return jobId.replace(/[^A-Za-z0-9._-]/g, "_");
  }

  #path(jobId: string, round: number): string {
    return join(this.folder, `${this.#stem(jobId)}.r${round}.dlfm`);
  }

  #tombstone(jobId: string): string {
    return join(this.folder, `${this.#stem(jobId)}.closed`);
  }

  /** The measurement released for this job and round, or undefined when none was. */
  async find(jobId: string, round: number): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.#path(jobId, round));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Records a measurement about to be released (durable before it returns). */
  async keep(jobId: string, round: number, bytes: Uint8Array): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileAtomic(this.#path(jobId, round), bytes, { durable: true });
  }

  /** Whether the job passed its measurement rounds here (its SCORE round came). */
  async isClosed(jobId: string): Promise<boolean> {
    try {
      await stat(this.#tombstone(jobId));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  /** The job's measurement rounds are over: tombstone first (durable), then the files go. */
  async closeJob(jobId: string): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileAtomic(this.#tombstone(jobId), `${new Date().toISOString()}\n`, { durable: true });
    for (let round = 1; round <= SYNTHESIS_MEASURE_ROUNDS; round++) await rm(this.#path(jobId, round), { force: true });
    await syncDirectory(this.folder);
  }
}
