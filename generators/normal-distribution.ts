/**
 * The standard normal distribution in double precision: density, CDF (with an accurate upper
 * tail, needed for truncated draws far from the mean) and quantile.
 *
 * The CDF rests on `@stdlib`'s erfc (Cody's rational approximations, full double precision).
 * The quantile is Acklam's rational approximation (relative error 1.15e-9) refined by one Halley
 * step on Φ(x) − p, which brings it to full double precision across (0, 1) — including the far
 * lower tail, where Φ⁻¹(p) = −√2·erfinv(1 − 2p) would lose every digit.
 */
import erfc from "@stdlib/math-base-special-erfc";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Φ(x); for x < 0 the result keeps full relative precision down to 1e-300. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** 1 − Φ(x) without cancellation for large x. */
export function normalUpperTail(x: number): number {
  return 0.5 * erfc(x * SQRT1_2);
}

// Acklam (2003), "An algorithm for computing the inverse normal cumulative distribution function".
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

function acklamLowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
}

/** Φ⁻¹(p) for p in [0, 1]; ±Infinity at the ends, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  let x: number;
  if (p < P_LOW) {
    x = acklamLowerTail(p);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    x = -acklamLowerTail(1 - p);
  }
  // One Halley step (Acklam's refinement). In the upper half, work with the upper tail so that
  // the residual keeps its precision when p is close to 1.
  const e = p < 0.5 ? normalCdf(x) - p : 1 - p - normalUpperTail(x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/** Φ⁻¹(1 − q) computed from the upper-tail probability q, precise when q is tiny. */
export function normalUpperQuantile(q: number): number {
  return -normalQuantile(q);
}
