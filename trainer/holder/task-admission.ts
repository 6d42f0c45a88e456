/**
 * The holder's decision on a federated task, taken BEFORE any row is read: the policy (job kind,
 * dataset, requester, purpose, DP required, per-job ε and δ recomputed here, rows behind each
 * participant's update) and then the ledger (the job's whole cost reserved once). A refusal
 * carries a one-line reason that the requester sees in Job.federation.refusals.
 */
import { BudgetRefusal, type HolderLedger } from "./holder-ledger.js";
import type { HolderJobKind, HolderPolicy } from "./holder-policy.js";
import { type JobSpend, recomputeJobSpend, type TaskPrivacyParameters, TaskParameterError } from "./task-spend.js";

/** The parts of a FederatedTask the decision needs. */
export interface FederatedTaskView {
  jobId: string;
  round: number;
  kind: HolderJobKind;
  datasetId: string;
  requester: string;
  purpose: string;
  privacy: TaskPrivacyParameters;
  clipNorm: number;
  shardsPerHolder: number;
}

export type Admission = { admitted: true; spend: JobSpend; charged: boolean } | { admitted: false; reason: string };

/** Policy checks alone (no ledger); returns the refusal reason or the recomputed spend. */
export function checkTaskAgainstPolicy(
  policy: HolderPolicy,
  heldDatasetId: string,
  localRows: number,
  task: FederatedTaskView,
): { reason: string } | { spend: JobSpend } {
  if (!policy.allowedJobKinds.includes(task.kind))
    return { reason: `this holder's policy does not allow ${task.kind} jobs (allowed: ${policy.allowedJobKinds.join(", ")})` };
  if (task.datasetId !== heldDatasetId) return { reason: `this holder does not hold dataset "${task.datasetId}" (it holds "${heldDatasetId}")` };
  if (!policy.anyRequester && !policy.allowedRequesters.includes(task.requester))
    return { reason: `requester "${task.requester}" is not allowed by this holder's policy` };
  if (!policy.anyPurpose && !policy.allowedPurposes.includes(task.purpose))
    return { reason: `purpose "${task.purpose}" is not allowed by this holder's policy (allowed: ${policy.allowedPurposes.join(", ")})` };
  let spend: JobSpend;
  try {
    spend = recomputeJobSpend(task.privacy, policy.localNoise.noiseMultiplier);
  } catch (error) {
    if (error instanceof TaskParameterError) return { reason: `malformed task: ${error.message}` };
    throw error;
  }
  if (task.privacy.noiseMultiplier === 0 && policy.requireDp)
    return { reason: "this holder's policy requires differential privacy; the job adds no noise (noise_multiplier 0)" };
  if (task.privacy.noiseMultiplier > 0 && !(task.clipNorm > 0)) return { reason: "malformed task: a DP job must clip updates (clip_norm > 0)" };
  if (spend.mechanism !== "none") {
    if (spend.epsilon > policy.maxEpsilonPerJob)
      return {
        reason: `ε ${spend.epsilon.toFixed(3)} of this job (recomputed by the holder from z ${task.privacy.noiseMultiplier}, q ${task.privacy.samplingRate}, ${task.privacy.roundsTotal} rounds) exceeds this holder's limit of ε ${policy.maxEpsilonPerJob} per job`,
      };
    if (spend.delta > policy.maxDeltaPerJob)
      return { reason: `δ ${spend.delta} of this job exceeds this holder's limit of δ ${policy.maxDeltaPerJob} per job` };
    if (spend.mechanism === "central" && task.privacy.epsilonBudget > 0 && spend.epsilon > task.privacy.epsilonBudget * (1 + 1e-6))
      return { reason: `the task's parameters spend ε ${spend.epsilon.toFixed(3)}, more than the job's declared budget ε ${task.privacy.epsilonBudget}` };
  }
  const shards = Math.max(1, task.shardsPerHolder);
  const rowsPerParticipant = Math.floor(localRows / shards);
  if (rowsPerParticipant < policy.minCohortRows)
    return {
      reason: `each update would rest on ${rowsPerParticipant} rows (${localRows} rows in ${shards} shard${shards === 1 ? "" : "s"}), fewer than this holder's minimum of ${policy.minCohortRows}`,
    };
  return { spend };
}

/** Policy, then the ledger (the job's first task reserves its whole cost). */
export function admitTask(policy: HolderPolicy, ledger: HolderLedger, heldDatasetId: string, localRows: number, task: FederatedTaskView): Admission {
  const checked = checkTaskAgainstPolicy(policy, heldDatasetId, localRows, task);
  if ("reason" in checked) return { admitted: false, reason: checked.reason };
  if (checked.spend.mechanism === "none") return { admitted: true, spend: checked.spend, charged: false };
  try {
    ledger.chargeJob(task.datasetId, task.jobId, checked.spend);
  } catch (error) {
    if (error instanceof BudgetRefusal) return { admitted: false, reason: error.message };
    throw error;
  }
  return { admitted: true, spend: checked.spend, charged: true };
}
