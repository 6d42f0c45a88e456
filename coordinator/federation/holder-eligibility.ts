/**
 * Which registered holders to ask: those whose declared policy (HeldDataset.policy) would accept
 * the job. Only a filter to avoid tasks that would be refused: each holder enforces its policy
 * itself and recomputes the job's spend (trainer/holder/), so a holder that lies here gains nothing.
 * `min_cohort_size` (rows behind one participant's update) is not checked here: the coordinator
 * knows only bucketed row counts, and a rounded-down bucket would skip holders that would accept.
 */
import type { HolderPolicySummaryOut } from "../../proto/index.js";
import { federatedEpsilon } from "./dp-accounting.js";
import type { FederatedSettings } from "./federated-spec.js";

/** Why this holder's policy would refuse the job; "" when it would take part. */
export function policyRefusal(policy: HolderPolicySummaryOut | null, settings: FederatedSettings): string {
  if (policy === null) return "";
  if (policy.allowedKinds.length > 0 && !policy.allowedKinds.includes("JOB_KIND_FEDERATED_TRAINING")) return "its policy does not allow federated training";
  if (policy.allowedPurposes.length > 0 && !policy.allowedPurposes.includes(settings.purpose)) return `its policy does not allow purpose "${settings.purpose}"`;
  const dp = settings.noiseMultiplier > 0;
  if (policy.requireDp && !dp) return "its policy requires differential privacy (noise_multiplier > 0)";
  if (dp) {
    const spend = federatedEpsilon(settings.fractionFit, settings.noiseMultiplier, settings.rounds, settings.delta);
    if (spend > policy.maxEpsilonPerJob) return `the job spends epsilon ${spend.toFixed(3)}, above its per-job maximum ${policy.maxEpsilonPerJob}`;
    if (spend > policy.remainingEpsilon) return `the job spends epsilon ${spend.toFixed(3)}, above its remaining budget ${policy.remainingEpsilon}`;
    if (policy.maxDeltaPerJob > 0 && settings.delta > policy.maxDeltaPerJob)
      return `delta ${settings.delta} is above its per-job maximum ${policy.maxDeltaPerJob}`;
  }
  return "";
}
