/**
 * Empirical lower bounds on ε from a distinguishing attack (Jagielski, Ullman & Oprea 2020,
 * "Auditing differentially private machine learning"; Nasr et al. 2021, "Adversary instantiation").
 *
 * An (ε, δ)-DP mechanism forces every test that says "the canary is in" to satisfy
 * FPR·e^ε + δ ≥ 1 − FNR and FNR·e^ε + δ ≥ 1 − FPR. With Clopper–Pearson upper bounds on FPR and
 * FNR (each at level α/2, so both hold together with probability ≥ 1 − α),
 *   ε ≥ max( log((1 − δ − FNR⁺)/FPR⁺), log((1 − δ − FPR⁺)/FNR⁺) )
 * holds with confidence 1 − α. The threshold is chosen on one half of the trials and the bound is
 * computed on the other half, so choosing it does not bias the bound.
 */
import { clopperPearsonUpper } from "./clopper-pearson.js";

/** What an audit found. */
export interface AuditResult {
  /** With confidence 1 − α, the mechanism's ε is at least this. */
  readonly epsilonLowerBound: number;
  /** The attack guesses "canary in" when its score is ≥ this. */
  readonly threshold: number;
  readonly falsePositiveRate: number;
  readonly falseNegativeRate: number;
  readonly trialsPerWorld: number;
  /** Area under the ROC curve of the attack score over all trials (membership-inference AUC). */
  readonly auc: number;
}

/** ε lower bound at one threshold from counts (fp of n0 worlds without, fn of n1 worlds with the canary). */
export function epsilonLowerBoundFromCounts(
  falsePositives: number,
  negatives: number,
  falseNegatives: number,
  positives: number,
  delta: number,
  alpha: number,
): number {
  const fpr = clopperPearsonUpper(falsePositives, negatives, alpha / 2);
  const fnr = clopperPearsonUpper(falseNegatives, positives, alpha / 2);
  const a = Math.log((1 - delta - fnr) / fpr);
  const b = Math.log((1 - delta - fpr) / fnr);
  const best = Math.max(Number.isNaN(a) ? 0 : a, Number.isNaN(b) ? 0 : b);
  return Math.max(0, best);
}

/** Count of values ≥ t in a sorted array. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const middle = (lo + hi) >>> 1;
    if (sorted[middle]! < t) lo = middle + 1;
    else hi = middle;
  }
  return sorted.length - lo;
}

/** Mann–Whitney AUC: P(score with canary > score without) + ½ P(tie). */
export function attackAuc(without: ArrayLike<number>, withCanary: ArrayLike<number>): number {
  const a = Float64Array.from(without).sort();
  let wins = 0;
  for (let i = 0; i < withCanary.length; i++) {
    const s = withCanary[i]!;
    const atLeast = countAtLeast(a, s);
    const above = countAtLeast(a, s === Number.POSITIVE_INFINITY ? s : nextUp(s));
    wins += a.length - atLeast + 0.5 * (atLeast - above);
  }
  return wins / (a.length * withCanary.length);
}

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/**
 * The audit of a threshold attack: `without[i]` and `withCanary[i]` are the attack's scores on
 * independent runs of the mechanism on the two neighbouring inputs (higher = "canary in").
 */
export function auditThresholdAttack(without: ArrayLike<number>, withCanary: ArrayLike<number>, delta: number, alpha = 0.05): AuditResult {
  const half0 = Math.floor(without.length / 2);
  const half1 = Math.floor(withCanary.length / 2);
  const selectWithout = Float64Array.from({ length: half0 }, (_, i) => without[i]!).sort();
  const selectWith = Float64Array.from({ length: half1 }, (_, i) => withCanary[i]!).sort();
  const testWithout = Float64Array.from({ length: without.length - half0 }, (_, i) => without[half0 + i]!).sort();
  const testWith = Float64Array.from({ length: withCanary.length - half1 }, (_, i) => withCanary[half1 + i]!).sort();

  // Candidate thresholds: the distinct selection-half scores, thinned to at most 400 quantiles.
  const pooled = Float64Array.from([...selectWithout, ...selectWith]).sort();
  const candidates = new Set<number>();
  const stride = Math.max(1, Math.floor(pooled.length / 400));
  for (let i = 0; i < pooled.length; i += stride) candidates.add(pooled[i]!);
  candidates.add(pooled[pooled.length - 1]!);

  let threshold = Number.POSITIVE_INFINITY;
  let bestSelection = -1;
  for (const t of candidates) {
    const fp = countAtLeast(selectWithout, t);
    const fn = selectWith.length - countAtLeast(selectWith, t);
    const bound = epsilonLowerBoundFromCounts(fp, selectWithout.length, fn, selectWith.length, delta, alpha);
    if (bound > bestSelection) {
      bestSelection = bound;
      threshold = t;
    }
  }
  const fp = countAtLeast(testWithout, threshold);
  const fn = testWith.length - countAtLeast(testWith, threshold);
  return {
    epsilonLowerBound: epsilonLowerBoundFromCounts(fp, testWithout.length, fn, testWith.length, delta, alpha),
    threshold,
    falsePositiveRate: fp / testWithout.length,
    falseNegativeRate: fn / testWith.length,
    trialsPerWorld: Math.min(without.length, withCanary.length),
    auc: attackAuc(without, withCanary),
  };
}
