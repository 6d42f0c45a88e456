/**
 * Exact rationals for noise scales. The samplers of Canonne, Kamath & Steinke (2020) are exact only
 * when their parameters are rational, so a float σ or Laplace scale is turned into a rational that is
 * never smaller than the float asked for (more noise is the conservative direction): the float's
 * exact binary value is rounded UP to at least 19 significant bits, i.e. by a relative 2^-19 ≈ 2e-6 at most.
 */
import { PrivacyParameterError } from "./errors.js";

/** numerator / denominator, both positive bigints (numerator may be 0). */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Significant bits kept when a float scale is rounded up to a rational. */
export const RATIONAL_SCALE_BITS = 20;

const FLOAT_VIEW = new DataView(new ArrayBuffer(8));

/** The exact value of a finite, non-negative float as numerator / 2^k. */
export function exactRationalOfFloat(x: number): Rational {
  if (!Number.isFinite(x) || x < 0) throw new PrivacyParameterError(`expected a finite number ≥ 0, got ${x}`);
  if (x === 0) return { numerator: 0n, denominator: 1n };
  FLOAT_VIEW.setFloat64(0, x);
  const bits = FLOAT_VIEW.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Normal numbers carry an implicit leading 1; subnormals do not (exponent fixed at -1074).
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  return exponent >= 0
    ? { numerator: mantissa << BigInt(exponent), denominator: 1n }
    : reduceRational({ numerator: mantissa, denominator: 1n << BigInt(-exponent) });
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** r in lowest terms. */
export function reduceRational(r: Rational): Rational {
  const g = gcd(r.numerator, r.denominator);
  return g <= 1n ? r : { numerator: r.numerator / g, denominator: r.denominator / g };
}

/** r rounded UP to a rational p / 2^k with at least `bits` − 1 significant bits (relative excess < 2^(1−bits)). */
export function roundUpRational(r: Rational, bits = RATIONAL_SCALE_BITS): Rational {
  if (r.numerator === 0n) return { numerator: 0n, denominator: 1n };
  // Choose k so that r·2^k has `bits` bits before the binary point (k may be negative: then den = 1).
  const integerBits = r.numerator.toString(2).length - r.denominator.toString(2).length;
  const shift = bits - integerBits;
  if (shift <= 0) {
    const ceil = (r.numerator + r.denominator - 1n) / r.denominator;
    return { numerator: ceil, denominator: 1n };
  }
  const denominator = 1n << BigInt(shift);
  const scaled = r.numerator * denominator;
  const numerator = (scaled + r.denominator - 1n) / r.denominator;
  return reduceRational({ numerator, denominator });
}

/** a·b exactly. */
export function multiplyRational(a: Rational, b: Rational): Rational {
  return reduceRational({ numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator });
}

/** a / b exactly (b > 0). */
export function divideRational(a: Rational, b: Rational): Rational {
  if (b.numerator === 0n) throw new PrivacyParameterError("division of a rational by zero");
  return reduceRational({ numerator: a.numerator * b.denominator, denominator: a.denominator * b.numerator });
}

/** The rational as a float (for reports and bookkeeping, never for sampling). */
export function rationalToNumber(r: Rational): number {
  return Number(r.numerator) / Number(r.denominator);
}

/** σ² for a float σ > 0: σ·σ computed exactly and rounded up (never less noise than asked). */
export function sigmaSquaredFromSigma(sigma: number): Rational {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new PrivacyParameterError(`σ must be a finite number > 0, got ${sigma}`);
  }
  const exact = exactRationalOfFloat(sigma);
  return roundUpRational(multiplyRational(exact, exact));
}

/** Checks a caller's rational: integers, denominator > 0, value > 0. */
export function checkPositiveRational(r: Rational, what: string): Rational {
  if (typeof r.numerator !== "bigint" || typeof r.denominator !== "bigint" || r.denominator <= 0n || r.numerator <= 0n) {
    throw new PrivacyParameterError(
      `${what} must be a positive rational {numerator, denominator} of bigints, got ${String(r.numerator)}/${String(r.denominator)}`,
    );
  }
  return reduceRational(r);
}

/** floor(sqrt(r)) for r ≥ 0, exactly (floor(sqrt(x)) = isqrt(floor(x))). */
export function floorSqrtRational(r: Rational): bigint {
  const n = r.numerator / r.denominator;
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}
