/**
 * What a federated job will spend, recomputed by the holder from the task's own parameters with
 * privacy/'s RDP accountant — never taken from the coordinator. DP-FedAvg (McMahan et al. 2018)
 * is `rounds` compositions of the Poisson-subsampled Gaussian mechanism: each participant (a
 * holder, or one of its shards) is included with probability q, its update is clipped to L2
 * norm C, and the server adds N(0, (zC)²) to the sum, so per round the sensitivity-1 noise
 * multiplier is z. The whole job is charged at once, on its first task.
 *
 * Without central noise (z = 0) the only guarantee is the holder's own local noise (if its
 * policy adds some): `rounds` Gaussian mechanisms with multiplier z_local and no sampling
 * amplification (q = 1: the holder cannot rely on the coordinator's sampling). With neither,
 * ε is infinite.
 */
import { type PrivacyCost, RdpAccountant } from "../../privacy/index.js";

/** The privacy-relevant parameters of a federated task (FederatedTask's fields). */
export interface TaskPrivacyParameters {
  noiseMultiplier: number;
  samplingRate: number;
  roundsTotal: number;
  delta: number;
  /** ε the requester declared for the whole job (0 = non-DP). */
  epsilonBudget: number;
}

export interface JobSpend {
  /** ε of the whole job at `delta` (Infinity when nothing is noised). */
  epsilon: number;
  delta: number;
  /** "central" (the job's DP-FedAvg noise), "local" (only the holder's own noise), "none". */
  mechanism: "central" | "local" | "none";
  /** The cost as the ledger stores it (undefined when ε is infinite). */
  cost: PrivacyCost | undefined;
}

/** A task whose privacy parameters are malformed (not a policy refusal: the job is broken). */
export class TaskParameterError extends Error {
  override readonly name = "TaskParameterError";
}

function check(parameters: TaskPrivacyParameters): void {
  const { noiseMultiplier: z, samplingRate: q, roundsTotal: rounds, delta } = parameters;
  if (!(z >= 0) || !Number.isFinite(z)) throw new TaskParameterError(`the task's noise multiplier must be a finite number ≥ 0, got ${z}`);
  if (!(q > 0 && q <= 1)) throw new TaskParameterError(`the task's sampling rate must be in (0, 1], got ${q}`);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new TaskParameterError(`the task's total rounds must be an integer ≥ 1, got ${rounds}`);
  if (z > 0 && !(delta > 0 && delta < 1)) throw new TaskParameterError(`a DP task needs δ in (0, 1), got ${delta}`);
}

/** ε of `rounds` subsampled Gaussian steps at δ. */
export function subsampledGaussianEpsilon(samplingRate: number, noiseMultiplier: number, rounds: number, delta: number): number {
  return new RdpAccountant().composeSubsampledGaussian(samplingRate, noiseMultiplier, rounds).epsilon(delta).epsilon;
}

/** The job's spend from the task's parameters and the holder's local noise multiplier (0 = none). */
export function recomputeJobSpend(parameters: TaskPrivacyParameters, localNoiseMultiplier = 0): JobSpend {
  check(parameters);
  const { noiseMultiplier: z, samplingRate: q, roundsTotal: rounds } = parameters;
  const delta = parameters.delta > 0 && parameters.delta < 1 ? parameters.delta : 1e-5;
  if (z > 0) {
    return {
      epsilon: subsampledGaussianEpsilon(q, z, rounds, delta),
      delta,
      mechanism: "central",
      cost: { subsampledGaussian: { samplingRate: q, noiseMultiplier: z, steps: rounds } },
    };
  }
  if (localNoiseMultiplier > 0) {
    return {
      epsilon: subsampledGaussianEpsilon(1, localNoiseMultiplier, rounds, delta),
      delta,
      mechanism: "local",
      cost: { subsampledGaussian: { samplingRate: 1, noiseMultiplier: localNoiseMultiplier, steps: rounds } },
    };
  }
  return { epsilon: Number.POSITIVE_INFINITY, delta, mechanism: "none", cost: undefined };
}
