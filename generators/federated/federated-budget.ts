/**
 * Privacy accounting of federated MST: what each holder spends on its own rows, and what the
 * coordinator's sums carry.
 *
 * Each holder k has its own zCDP budget ρ_k (from its (ε_k, δ_k), Canonne, Kamath & Steinke 2020)
 * and splits it in thirds over the three releases of the protocol, as MST splits its budget
 * (McKenna, Miklau & Sheldon 2021, Algorithm 1):
 *  1. the d 1-way marginals over the shared schema's cells, L2 sensitivity √d (one row moves one
 *     cell of each marginal by 1), σ₁ₖ = √d / √(2ρ_k/3);
 *  2. the P = d(d−1)/2 selection scores ‖M_ij^k − R_ij^k‖₁ against a public integer reference, each
 *     moved by at most 1 by one row, so L2 sensitivity √P, σₛₖ = √P / √(2ρ_k/3);
 *  3. the d − 1 2-way marginals of the chosen tree, sensitivity √(d−1), σ₂ₖ = √(d−1) / √(2ρ_k/3).
 * All three are discrete Gaussian mechanisms on integer queries, so each costs exactly Δ²/(2σ²)
 * and their (adaptive) composition costs ρ_k: every row of holder k is protected at (ε_k, δ_k)
 * against everyone, the coordinator included, since nothing of it leaves the site un-noised.
 * Holders are disjoint sets of people, so the rows of the union are protected at max_k ε_k
 * (parallel composition): a federated run at ε = 1 per holder is comparable to MST at ε = 1 on
 * the pooled rows.
 *
 * The coordinator sums the holders' measurements: the noise variances add, σ² = Σ_k σ_k², which is
 * what its estimator weighs. A requester who sees only what is computed from the sums meets that
 * larger noise: per release, ρ_sum = Δ²/(2 Σ_k σ_k²). That figure is informational — it assumes an
 * honest coordinator, and a sum of discrete Gaussians is only nearly a discrete Gaussian (Kairouz,
 * Liu & Steinke 2021, Thm. 1: an extra term below e^(−π²σ²) for these σ ≥ 10) — and no ledger
 * charges it: each holder's ledger charges ρ_k.
 */
import { epsilonFromRho, gaussianRho, gaussianSigmaForRho } from "../../privacy/index.js";
import type { DpRequest } from "../dp-request.js";
import { GeneratorError } from "../errors.js";

/** The three releases of federated MST, in round order; each gets a third of a holder's ρ. */
export const FEDERATED_MST_STEPS = ["1-way marginals", "selection scores", "2-way marginals of the tree"] as const;
export type FederatedMstStep = (typeof FEDERATED_MST_STEPS)[number];

/**
 * Share of a holder's ρ per step: MST's thirds. Measured on Adult at ε = 1 (6 seeds, 3 holders), a
 * split of 0.4/0.2/0.4 or 0.45/0.1/0.45 moved the mean quality by +0.002 / −0.004, within seed
 * noise, so the paper's split stays.
 */
export const FEDERATED_MST_SPLIT: Readonly<Record<FederatedMstStep, number>> = {
  "1-way marginals": 1 / 3,
  "selection scores": 1 / 3,
  "2-way marginals of the tree": 1 / 3,
};

/** One holder's discrete Gaussian release in one step. */
export interface StepNoise {
  step: FederatedMstStep;
  /** Number of queries released (marginals or scores). */
  count: number;
  /** L2 sensitivity of the whole release. */
  sensitivity: number;
  /** zCDP spent on the holder's rows. */
  rho: number;
  /** Noise standard deviation per cell or score. */
  sigma: number;
}

/** Number of candidate pairs (selection scores) over d attributes. */
export function pairCount(d: number): number {
  return (d * (d - 1)) / 2;
}

/** Counts of queries per step for d attributes. */
function stepCounts(d: number): Record<FederatedMstStep, number> {
  return { "1-way marginals": d, "selection scores": pairCount(d), "2-way marginals of the tree": d - 1 };
}

/** The noise a holder with budget ρ adds in each step over d attributes (d ≥ 2). */
export function holderStepNoise(rho: number, d: number): StepNoise[] {
  if (!Number.isInteger(d) || d < 2)
    throw new GeneratorError(`federated MST needs at least 2 modelled columns in the shared schema, got ${d}; declare more columns or use a local fit.`);
  const counts = stepCounts(d);
  return FEDERATED_MST_STEPS.map((step) => {
    const sensitivity = Math.sqrt(counts[step]);
    const stepRho = rho * FEDERATED_MST_SPLIT[step];
    return { step, count: counts[step], sensitivity, rho: stepRho, sigma: gaussianSigmaForRho(sensitivity, stepRho) };
  });
}

/** The noise of one holder's release in `step`. */
export function holderNoiseFor(rho: number, d: number, step: FederatedMstStep): StepNoise {
  return holderStepNoise(rho, d).find((s) => s.step === step)!;
}

export interface HolderAccount {
  holder: string;
  epsilon: number;
  delta: number;
  /** ρ_k: what the holder's ledger charges for this job; the sum of its steps. */
  rho: number;
  steps: StepNoise[];
}

/** A summed release: σ is √Σσ_k²; `rhoOfSum` is Δ²/(2σ²), the requester-facing cost (see the file comment). */
export interface SummedStep {
  step: FederatedMstStep;
  count: number;
  sensitivity: number;
  sigma: number;
  rhoOfSum: number;
}

export interface FederatedAccounting {
  protocol: "federated MST: three rounds (1-way marginals, selection scores, tree 2-way marginals), each holder noising its own counts";
  neighbours: "add or remove one row of one holder";
  holders: HolderAccount[];
  summed: SummedStep[];
  /** The weakest per-row guarantee over the union: max_k ε_k (parallel composition over disjoint holders). */
  epsilon: number;
  delta: number;
  /** Σ of `rhoOfSum` over the steps, and its ε at the largest δ (informational, honest coordinator). */
  rhoOfSums: number;
  epsilonOfSums: number;
}

/** The accounting of a run whose holders have these budgets, over d attributes. */
export function federatedAccounting(holders: ReadonlyArray<{ holder: string; request: DpRequest }>, d: number): FederatedAccounting {
  if (holders.length === 0) throw new GeneratorError("federated synthesis needs at least one holder; list the holders of the dataset.");
  const accounts: HolderAccount[] = holders.map(({ holder, request }) => ({
    holder,
    epsilon: request.epsilon,
    delta: request.delta,
    rho: request.rho,
    steps: holderStepNoise(request.rho, d),
  }));
  const summed: SummedStep[] = FEDERATED_MST_STEPS.map((step, s) => {
    const first = accounts[0]!.steps[s]!;
    const variance = accounts.reduce((sum, account) => sum + account.steps[s]!.sigma ** 2, 0);
    const sigma = Math.sqrt(variance);
    return { step, count: first.count, sensitivity: first.sensitivity, sigma, rhoOfSum: gaussianRho(first.sensitivity, sigma) };
  });
  const delta = Math.max(...accounts.map((a) => a.delta));
  const rhoOfSums = summed.reduce((sum, s) => sum + s.rhoOfSum, 0);
  return {
    protocol: "federated MST: three rounds (1-way marginals, selection scores, tree 2-way marginals), each holder noising its own counts",
    neighbours: "add or remove one row of one holder",
    holders: accounts,
    summed,
    epsilon: Math.max(...accounts.map((a) => a.epsilon)),
    delta,
    rhoOfSums,
    epsilonOfSums: epsilonFromRho(rhoOfSums, delta),
  };
}
