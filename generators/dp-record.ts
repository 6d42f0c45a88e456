/**
 * What a differentially private model says about its own guarantee. Written into the model file,
 * the job summary (`--json` too) and the score report, so a reader never has to trust a flag.
 */

/** One measurement or selection and the share of the zCDP budget it spent. */
export interface MechanismRecord {
  /** What was released, e.g. "1-way marginals", "tree edges", "2-way marginals of the tree". */
  release: string;
  /** "discrete Gaussian" (Canonne, Kamath & Steinke 2020) or "exponential mechanism". */
  mechanism: string;
  /** The zCDP ρ this step spent. */
  rho: number;
  /** Count of releases in this step (columns, pairs, edges). */
  count: number;
  /** Noise standard deviation per count (Gaussian steps), in the step's units. */
  sigma?: number;
  /** ε of each selection (exponential steps). */
  epsilonPerSelection?: number;
  /** L2 (Gaussian) or score (exponential) sensitivity the noise was calibrated to. */
  sensitivity: number;
}

export interface DpRecord {
  epsilon: number;
  delta: number;
  /** Total zCDP budget: the largest ρ whose (ε, δ) conversion fits the request. */
  rho: number;
  /** Neighbouring tables: "add or remove one row" (MST) or "replace one row" (DP copula). */
  neighbours: string;
  /** False when the noise came from the seeded (test) source: then the output is NOT private. */
  privateRandomness: boolean;
  /** Where the domain came from (always the schema file for these models). */
  domain: string;
  /** Shares of ρ per step, summing to 1. */
  budgetSplit: Record<string, number>;
  mechanisms: MechanismRecord[];
}

/** One line for the summary: "ε = 1, δ = 1e-9 (ρ = 0.0119 zCDP; split …)". */
export function describeDp(record: DpRecord): string {
  const split = Object.entries(record.budgetSplit)
    .map(([step, share]) => `${step} ${share.toFixed(3)}`)
    .join(", ");
  const warning = record.privateRandomness ? "" : " — NOT PRIVATE: seeded test noise";
  return `ε = ${record.epsilon}, δ = ${record.delta} (ρ = ${record.rho.toPrecision(4)} zCDP over ${record.neighbours}; split ${split})${warning}`;
}
