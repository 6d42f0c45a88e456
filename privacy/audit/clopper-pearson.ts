/**
 * Exact (Clopper–Pearson 1934) one-sided confidence bounds for a binomial proportion, from the
 * binomial tail as a regularised incomplete beta function:
 * P(X ≤ k | p) = I_{1−p}(n − k, k + 1) and P(X ≥ k | p) = I_p(k, n − k + 1), solved for p by bisection.
 */
import betainc from "@stdlib/math-base-special-betainc";

function bisect(f: (p: number) => number, target: number, low: number, high: number, increasing: boolean): number {
  let lo = low;
  let hi = high;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const middle = (lo + hi) / 2;
    const value = f(middle);
    if (value < target === increasing) lo = middle;
    else hi = middle;
  }
  // The conservative side: the larger p for an upper bound (f falling), the smaller for a lower bound.
  return increasing ? lo : hi;
}

/** The p with P(X ≤ k | n, p) = α: with confidence 1 − α the true proportion is below it. */
export function clopperPearsonUpper(successes: number, trials: number, alpha: number): number {
  checkCounts(successes, trials, alpha);
  if (successes === trials) return 1;
  // P(X ≤ k | p) falls as p grows; find where it crosses α, keeping the conservative (larger) side.
  return bisect((p) => betainc(1 - p, trials - successes, successes + 1), alpha, successes / trials, 1, false);
}

/** The p with P(X ≥ k | n, p) = α: with confidence 1 − α the true proportion is above it. */
export function clopperPearsonLower(successes: number, trials: number, alpha: number): number {
  checkCounts(successes, trials, alpha);
  if (successes === 0) return 0;
  return bisect((p) => betainc(p, successes, trials - successes + 1), alpha, 0, successes / trials, true);
}

function checkCounts(successes: number, trials: number, alpha: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials || trials < 1) {
    throw new RangeError(`Clopper–Pearson needs integers 0 ≤ successes ≤ trials, trials ≥ 1; got ${successes} of ${trials}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`the confidence level α must be in (0, 1), got ${alpha}`);
}
