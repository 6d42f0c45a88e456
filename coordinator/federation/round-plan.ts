/**
 * Who takes part in a round, and how tasks are named. Sampling is seeded by (job seed, round,
 * retry) through Philox, so a restarted coordinator picks the same holders again.
 */
import { philoxUniform } from "../../kernels/index.js";

/** Stable task id of a holder's task in a round: "<job_id>/r<round>/<holder_id>" (+ "/a<retry>"). */
export function federatedTaskId(jobId: string, round: number, holderId: string, retry: number): string {
  return `${jobId}/r${round}/${holderId}${retry > 0 ? `/a${retry}` : ""}`;
}

/** The job id, round and holder of a federated task id; undefined for other task ids. */
export function parseFederatedTaskId(taskId: string): { jobId: string; round: number; holderId: string; retry: number } | undefined {
  const match = /^(job-[^/]+)\/r(\d+)\/([A-Za-z0-9._-]+)(?:\/a(\d+))?$/.exec(taskId);
  if (!match) return undefined;
  return { jobId: match[1] as string, round: Number(match[2]), holderId: match[3] as string, retry: Number(match[4] ?? 0) };
}

/** The 64-bit Philox key of a round's draws. */
export function roundSeed(jobSeed: number, round: number, retry: number, stream: number): bigint {
  const mask = (1n << 64n) - 1n;
  let x = (BigInt(jobSeed) * 0x9e3779b97f4a7c15n + BigInt(round) * 0xbf58476d1ce4e5b9n + BigInt(retry) * 0x94d049bb133111ebn + BigInt(stream)) & mask;
  // splitmix64 finaliser, so neighbouring rounds get unrelated keys.
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & mask;
  return x ^ (x >> 31n);
}

export interface SamplingSettings {
  readonly fractionFit: number;
  readonly minHolders: number;
  /** Poisson sampling (each holder independently with probability q): DP runs, what the accountant assumes. */
  readonly poisson: boolean;
  /** > 1: every holder gets a task and samples its shards itself. */
  readonly shardsPerHolder: number;
  readonly seed: number;
}

/**
 * The holders of a round, in holder-id order. Poisson: each eligible holder with probability q.
 * Otherwise: max(min_holders, ⌈qN⌉) of them (capped at N), without replacement (seeded
 * Fisher–Yates). With shards, all (each holder includes each shard with probability q).
 */
export function sampleHolders(eligible: readonly string[], round: number, retry: number, settings: SamplingSettings): string[] {
  const sorted = [...eligible].sort();
  if (settings.shardsPerHolder > 1 || sorted.length === 0) return sorted;
  const draws = new Float64Array(sorted.length);
  philoxUniform(roundSeed(settings.seed, round, retry, 1), 0n, draws);
  if (settings.poisson) return sorted.filter((_, i) => (draws[i] as number) < settings.fractionFit);
  const want = Math.min(sorted.length, Math.max(settings.minHolders, Math.ceil(settings.fractionFit * sorted.length)));
  const order = sorted.map((_, i) => i);
  for (let i = 0; i < want; i++) {
    const j = i + Math.floor((draws[i] as number) * (order.length - i));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order
    .slice(0, want)
    .sort((a, b) => a - b)
    .map((i) => sorted[i] as string);
}

/** Expected participants of a DP round: q · holders · shards (DP-FedAvg divides the noisy sum by it). */
export function expectedCohort(eligibleHolders: number, fractionFit: number, shardsPerHolder: number): number {
  return fractionFit * eligibleHolders * Math.max(1, shardsPerHolder);
}
