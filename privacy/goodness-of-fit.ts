/**
 * Goodness-of-fit tests used to check the samplers against their exact pmf (and by the audit):
 * Pearson's chi-square with its p-value from the regularised incomplete gamma function.
 */
import gammainc from "@stdlib/math-base-special-gammainc";

/** Result of a chi-square test of observed counts against expected probabilities. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** P(χ²_dof ≥ statistic). */
  readonly pValue: number;
}

/**
 * Pearson's chi-square test. Cells whose expected count is below 5 are merged into their
 * neighbour (in order) so the chi-square approximation holds; `probabilities` must sum to 1.
 */
export function chiSquareTest(observed: ArrayLike<number>, probabilities: ArrayLike<number>): ChiSquareResult {
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i]!;
  const mergedObserved: number[] = [];
  const mergedExpected: number[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < observed.length; i++) {
    o += observed[i]!;
    e += probabilities[i]! * total;
    if (e >= 5) {
      mergedObserved.push(o);
      mergedExpected.push(e);
      o = 0;
      e = 0;
    }
  }
  if (e > 0 || o > 0) {
    if (mergedExpected.length === 0) {
      mergedObserved.push(o);
      mergedExpected.push(e);
    } else {
      mergedObserved[mergedObserved.length - 1]! += o;
      mergedExpected[mergedExpected.length - 1]! += e;
    }
  }
  let statistic = 0;
  for (let i = 0; i < mergedObserved.length; i++) {
    const difference = mergedObserved[i]! - mergedExpected[i]!;
    statistic += (difference * difference) / mergedExpected[i]!;
  }
  const degreesOfFreedom = Math.max(1, mergedObserved.length - 1);
  return { statistic, degreesOfFreedom, pValue: gammainc(statistic / 2, degreesOfFreedom / 2, true, true) };
}

/** |k − n·p| / √(n·p·(1−p)): the binomial z-score of k successes in n trials with probability p. */
export function binomialZScore(successes: number, trials: number, probability: number): number {
  const mean = trials * probability;
  return Math.abs(successes - mean) / Math.sqrt(trials * probability * (1 - probability));
}
