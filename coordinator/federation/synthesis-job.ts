/**
 * The coordinator's side of a federated synthesis job (JOB_KIND_FEDERATED_SYNTHESIS), as a state
 * machine over rounds, independent of the transport:
 *
 *   round 1  MEASURE  no input          → holders' 1-way measurements → planSelection
 *   round 2  MEASURE  selection plan    → selection scores             → planTree
 *   round 3  MEASURE  tree plan         → tree 2-way measurements      → fitFederatedMst
 *   (between: the transport has the corpus sampled from `model` with the job's seed — the
 *            runner hands it to a worker node as a SAMPLE job, synthesis-runner.ts)
 *   round 4  SCORE    the corpus        → holders' QualityResults      → mergeHolderQuality
 *
 * Every holder of the job must answer every round: a sum that misses a holder would measure
 * another population than the rounds before it, and a holder that has spent budget in round 1
 * cannot be replaced. So a refusal or failure in any round fails the job with the holder's reason.
 * Measurements are parsed (checksum, version, domain) on arrival and summed only when the round
 * is complete. The noise is the holders'; the coordinator adds none and charges no ledger.
 * Everything advance() computes is a deterministic function of the answers, so replaying the
 * stored answers of a job rebuilds its state exactly (a coordinator restart, synthesis-store.ts).
 */
import { mergeHolderQuality, type MergedQuality, type QualityResult } from "../../benchmarks/index.js";
import {
  checkDpRequest,
  type FederatedAccounting,
  federatedAccounting,
  fitFederatedMst,
  type HolderMeasurement,
  type MstModel,
  parseMeasurement,
  planSelection,
  planTree,
  type SelectionPlan,
  sharedDomain,
  type TreePlan,
} from "../../generators/index.js";
import type { TableSchema } from "../../tabular/index.js";
import { FailedPreconditionError, InvalidArgumentError } from "../errors.js";

export const SYNTHESIS_ROUNDS = 4;

export interface SynthesisHolder {
  holderId: string;
  /** The ε and δ this holder spends on its rows (the job's per-holder budget). */
  epsilon: number;
  delta: number;
}

export interface SynthesisJobOptions {
  jobId: string;
  schema: TableSchema;
  holders: readonly SynthesisHolder[];
  /** Rows of the synthetic corpus (sampled by the transport from `model`). */
  rows: number;
}

/** What a holder is asked in the current round. */
export interface SynthesisTaskInput {
  round: number;
  phase: "FEDERATED_PHASE_MEASURE" | "FEDERATED_PHASE_SCORE";
  /** The plan (rounds 2, 3, JSON); none in round 1. In round 4 the transport sends the corpus it had sampled. */
  plan?: Uint8Array;
}

export interface SynthesisJobResult {
  model: MstModel;
  accounting: FederatedAccounting;
  report: MergedQuality;
}

const NAN_FIELDS = new Set(["score", "columnShapes", "columnPairTrends", "allPairsTrends", "allPairsScore", "realStrength", "syntheticStrength"]);

export class FederatedSynthesisJob {
  readonly options: SynthesisJobOptions;
  readonly accounting: FederatedAccounting;
  #round = 1;
  #answers = new Map<string, HolderMeasurement | QualityResult>();
  #oneWay: HolderMeasurement[] = [];
  #selectionPlan: SelectionPlan | undefined;
  #treePlan: TreePlan | undefined;
  #model: MstModel | undefined;
  #result: SynthesisJobResult | undefined;

  constructor(options: SynthesisJobOptions) {
    if (options.holders.length === 0) throw new FailedPreconditionError(`job ${options.jobId} has no holder; start the holders' sidecars and submit again.`);
    if (!Number.isSafeInteger(options.rows) || options.rows < 1) throw new InvalidArgumentError(`rows must be a whole number ≥ 1, got ${options.rows}.`);
    this.options = options;
    const d = sharedDomain(options.schema).attributes.length;
    this.accounting = federatedAccounting(
      options.holders.map((h) => ({ holder: h.holderId, request: checkDpRequest("mst", h.epsilon, h.delta, undefined)! })),
      d,
    );
  }

  get round(): number {
    return this.#round;
  }

  /** The merged model, once round 3 is merged: the corpus of round 4 is sampled from it. */
  get model(): MstModel | undefined {
    return this.#model;
  }

  get done(): boolean {
    return this.#result !== undefined;
  }

  /** Holders that have not answered the current round. */
  waitingFor(): string[] {
    return this.options.holders.map((h) => h.holderId).filter((id) => !this.#answers.has(id));
  }

  /** What holder `holderId` computes this round. */
  taskFor(holderId: string): SynthesisTaskInput {
    this.#holder(holderId);
    const round = this.#round;
    if (round === 1) return { round, phase: "FEDERATED_PHASE_MEASURE" };
    if (round === 2) return { round, phase: "FEDERATED_PHASE_MEASURE", plan: Buffer.from(JSON.stringify(this.#selectionPlan)) };
    if (round === 3) return { round, phase: "FEDERATED_PHASE_MEASURE", plan: Buffer.from(JSON.stringify(this.#treePlan)) };
    return { round, phase: "FEDERATED_PHASE_SCORE" };
  }

  /** A holder's answer to the current round (a DLFM file, or scores JSON in round 4); checked now. */
  accept(holderId: string, round: number, bytes: Uint8Array): void {
    this.#holder(holderId);
    if (round !== this.#round) throw new FailedPreconditionError(`holder "${holderId}" answered round ${round}; the job is in round ${this.#round}.`);
    if (this.#round <= 3) {
      const measurement = parseMeasurement(bytes, `from holder "${holderId}"`);
      if (measurement.holder !== holderId)
        throw new FailedPreconditionError(`holder "${holderId}" sent a measurement signed as "${measurement.holder}"; a holder answers for itself.`);
      this.#answers.set(holderId, measurement);
      return;
    }
    let parsed: { format?: string; holder?: string; quality?: QualityResult };
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString("utf8"), (key, v) => (v === null && NAN_FIELDS.has(key) ? Number.NaN : v)) as typeof parsed;
    } catch {
      throw new FailedPreconditionError(`the scores of holder "${holderId}" are not JSON; the holder must resend them.`);
    }
    if (
      parsed.format !== "datalab-holder-scores" ||
      parsed.holder !== holderId ||
      !Array.isArray(parsed.quality?.shapes) ||
      !Array.isArray(parsed.quality?.pairs)
    )
      throw new FailedPreconditionError(`holder "${holderId}" sent something other than its scores in the SCORE round.`);
    this.#answers.set(holderId, parsed.quality);
  }

  /** When every holder answered: sums, plans, fits, or merges; then the next round. */
  async advance(): Promise<void> {
    const missing = this.waitingFor();
    if (missing.length > 0) throw new FailedPreconditionError(`round ${this.#round} still waits for ${missing.join(", ")}.`);
    const order = this.options.holders.map((h) => h.holderId);
    const answers = order.map((id) => this.#answers.get(id)!);
    const { schema } = this.options;
    if (this.#round === 1) {
      this.#oneWay = answers as HolderMeasurement[];
      this.#selectionPlan = planSelection(schema, this.#oneWay);
    } else if (this.#round === 2) {
      this.#treePlan = planTree(schema, answers as HolderMeasurement[], this.#selectionPlan!);
    } else if (this.#round === 3) {
      this.#model = fitFederatedMst(schema, this.#oneWay, answers as HolderMeasurement[], this.#treePlan!, this.accounting);
    } else {
      // Weights: each holder's noisy row estimate from round 1 (already released), never an exact count.
      const report = mergeHolderQuality(
        order.map((id, k) => ({ holder: id, rows: this.#selectionPlan!.holders[id]!.rows, quality: answers[k] as QualityResult })),
      );
      this.#result = { model: this.#model!, accounting: this.accounting, report };
    }
    this.#answers.clear();
    this.#round++;
  }

  /** The model, accounting and merged report once round 4 is merged. */
  result(): SynthesisJobResult {
    if (this.#result === undefined) throw new FailedPreconditionError(`job ${this.options.jobId} is in round ${this.#round}; it has no result yet.`);
    return this.#result;
  }

  #holder(holderId: string): SynthesisHolder {
    const holder = this.options.holders.find((h) => h.holderId === holderId);
    if (holder === undefined) throw new FailedPreconditionError(`"${holderId}" is not a holder of job ${this.options.jobId}.`);
    if (this.#result !== undefined) throw new FailedPreconditionError(`job ${this.options.jobId} is finished.`);
    return holder;
  }
}
