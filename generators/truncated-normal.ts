/**
 * Draws from a univariate normal N(mean, sd²) restricted to a union of disjoint closed intervals,
 * by inversion of the CDF (one uniform in, one value out: no rejection loop, so the cost per
 * draw is fixed however small the allowed mass is). Each interval's mass is computed on the
 * side of the mean where it does not cancel: lower-tail probabilities for intervals left of the
 * mean, upper-tail ones for intervals right of it, so draws stay exact ~37 sd into either tail.
 */
import { normalCdf, normalQuantile, normalUpperTail } from "./normal-distribution.js";

/** Sorted, disjoint closed intervals [low, high] in z space (low may be −∞, high +∞; low = high is a point). */
export type IntervalSet = readonly (readonly [number, number])[];

/** Probability that N(0, 1) falls in [a, b], computed without cancellation. */
function massOf(a: number, b: number): number {
  return a >= 0 ? normalUpperTail(a) - normalUpperTail(b) : normalCdf(b) - normalCdf(a);
}

/** The point of the set closest to `x` (used when the set carries no probability mass, e.g. a point). */
export function nearestPoint(set: IntervalSet, x: number): number {
  let best = Number.NaN;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [low, high] of set) {
    const candidate = Math.min(Math.max(x, low), high);
    const distance = Math.abs(candidate - x);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** One draw from N(mean, sd²) truncated to `set`, using the uniform `u` in (0, 1). */
export function drawTruncatedNormal(set: IntervalSet, mean: number, sd: number, u: number): number {
  if (set.length === 1) {
    const only = set[0]!;
    return drawInInterval(only[0], only[1], mean, sd, u);
  }
  let total = 0;
  for (const [low, high] of set) total += massOf((low - mean) / sd, (high - mean) / sd);
  if (!(total > 0)) return nearestPoint(set, mean);
  let target = u * total;
  for (let i = 0; i < set.length; i++) {
    const [low, high] = set[i]!;
    const mass = massOf((low - mean) / sd, (high - mean) / sd);
    if (target <= mass || i === set.length - 1) return drawInInterval(low, high, mean, sd, Math.min(1, Math.max(0, mass > 0 ? target / mass : 0.5)));
    target -= mass;
  }
  return nearestPoint(set, mean);
}

function drawInInterval(low: number, high: number, mean: number, sd: number, u: number): number {
  if (low === high) return low;
  const a = (low - mean) / sd;
  const b = (high - mean) / sd;
  let x: number;
  if (a >= 0) {
    // Right of the mean: invert the upper tail Q(x) = Q(a) − u·(Q(a) − Q(b)).
    const qa = normalUpperTail(a);
    const qb = normalUpperTail(b);
    const q = qa - u * (qa - qb);
    x = q > 0 ? -normalQuantile(q) : a;
  } else if (b <= 0) {
    const pa = normalCdf(a);
    const pb = normalCdf(b);
    const p = pa + u * (pb - pa);
    x = p > 0 ? normalQuantile(p) : b;
  } else {
    const pa = normalCdf(a);
    const pb = normalCdf(b);
    x = normalQuantile(pa + u * (pb - pa));
  }
  if (!Number.isFinite(x)) x = Number.isFinite(a) ? a : b;
  return mean + sd * Math.min(Math.max(x, a), b);
}
