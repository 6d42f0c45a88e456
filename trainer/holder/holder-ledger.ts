/**
 * The holder's privacy-budget ledger: privacy/'s BudgetLedger (SQLite, composed RDP curves,
 * reservations checked inside BEGIN IMMEDIATE so concurrent jobs never overdraw it) with one
 * charge per federated JOB: the whole job's recomputed cost is reserved on its first task,
 * committed when the holder first sends anything computed from its rows, and released if the
 * job's tasks all end before anything left. Later tasks of the job find the entry and pay
 * nothing more. The state lives in the SQLite file, so a restarted sidecar finds its charges.
 */
import { BudgetExceededError, type BudgetLedger, openBudgetLedger } from "../../privacy/index.js";
import type { HolderPolicy } from "./holder-policy.js";
import type { JobSpend } from "./task-spend.js";

export interface JobCharge {
  entryId: number;
  state: "reserved" | "committed";
  /** True when this call made the reservation (the job's first task here). */
  newlyReserved: boolean;
}

/** The reservation did not fit: `reason` is what the requester is shown. */
export class BudgetRefusal extends Error {
  override readonly name = "BudgetRefusal";
}

export class HolderLedger {
  readonly ledger: BudgetLedger;
  readonly holderId: string;

  constructor(path: string, holderId: string, datasetId: string, policy: HolderPolicy) {
    this.ledger = openBudgetLedger(path);
    this.holderId = holderId;
    // The policy file is the source of the dataset's total budget; lowering it stops new charges.
    this.ledger.setBudget(holderId, datasetId, { epsilon: policy.totalEpsilon, delta: policy.totalDelta });
  }

  /** The job's live entry (reserved or committed), if any. */
  private liveEntryOf(datasetId: string, jobId: string) {
    return this.ledger.entries(this.holderId, datasetId).find((entry) => entry.jobId === jobId && entry.state !== "released");
  }

  /**
   * Charges the job once: returns its existing entry, or reserves `spend` (throws BudgetRefusal
   * naming the remaining budget when it does not fit). Synchronous: no other task of this
   * process can interleave between the lookup and the reservation.
   */
  chargeJob(datasetId: string, jobId: string, spend: JobSpend): JobCharge {
    const existing = this.liveEntryOf(datasetId, jobId);
    if (existing) return { entryId: existing.id, state: existing.state as "reserved" | "committed", newlyReserved: false };
    if (spend.cost === undefined) throw new BudgetRefusal(`the job spends an unbounded ε (no noise), which no budget can hold`);
    try {
      const entry = this.ledger.reserve({ holder: this.holderId, dataset: datasetId, jobId, mechanism: `federated-${spend.mechanism}`, cost: spend.cost });
      return { entryId: entry.id, state: "reserved", newlyReserved: true };
    } catch (error) {
      if (error instanceof BudgetExceededError) {
        const status = this.ledger.status(this.holderId, datasetId);
        const remaining = Math.max(0, status.budget.epsilon - status.epsilonCommittedAndReserved);
        throw new BudgetRefusal(
          `ε ${spend.epsilon.toFixed(3)} of this job exceeds the remaining budget of dataset "${datasetId}" (ε ${remaining.toFixed(3)} of ${status.budget.epsilon} left at δ ${status.budget.delta})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** The holder sent something computed from its rows for the job: the charge is final. */
  commitJob(datasetId: string, jobId: string): void {
    const entry = this.liveEntryOf(datasetId, jobId);
    if (entry && entry.state === "reserved") this.ledger.commit(entry.id);
  }

  /** Nothing of the job left the holder: give the reservation back. */
  releaseJob(datasetId: string, jobId: string): void {
    const entry = this.liveEntryOf(datasetId, jobId);
    if (entry && entry.state === "reserved") this.ledger.release(entry.id);
  }

  /** ε left on the dataset after committed and reserved charges. */
  remainingEpsilon(datasetId: string): number {
    const status = this.ledger.status(this.holderId, datasetId);
    return Math.max(0, status.budget.epsilon - status.epsilonCommittedAndReserved);
  }

  close(): void {
    this.ledger.close();
  }
}
