/**
 * Exact samplers of Canonne, Kamath & Steinke (2020), "The Discrete Gaussian for Differential
 * Privacy", Section 5: Algorithm 1 (Bernoulli(exp(-γ)) for rational γ), Algorithm 2 (discrete
 * Laplace), Algorithm 3 (discrete Gaussian by rejection from the discrete Laplace).
 *
 * Every probability is a ratio of integers decided by an exact uniform integer draw, so the output
 * distribution is exactly the stated pmf: no floating point touches the noise (Mironov 2012). Each
 * routine has a fast path on float64 integers (exact while every product stays below 2^53, checked
 * before use) and a BigInt path for the rest.
 */
import { PrivacyParameterError } from "./errors.js";
import type { PrivacySource } from "./random-source.js";
import { checkPositiveRational, floorSqrtRational, type Rational } from "./rational.js";

const safe = Number.isSafeInteger;

/** Bernoulli(num/den) for 0 ≤ num ≤ den (safe integers). */
function bernoulliFraction(num: number, den: number, source: PrivacySource): boolean {
  return source.uniformBelow(den) < num;
}

/** Algorithm 1, case γ = num/den ∈ [0, 1]: K odd where K is the first K with Bernoulli(γ/K) = 0. */
function bernoulliExpNegUnit(num: number, den: number, source: PrivacySource): boolean {
  let k = 1;
  for (;;) {
    const scaledDen = den * k;
    if (!safe(scaledDen)) return bernoulliExpNegUnitBig(BigInt(num), BigInt(den), BigInt(k), source);
    if (!bernoulliFraction(num, scaledDen, source)) break;
    k++;
  }
  return k % 2 === 1;
}

function bernoulliExpNegUnitBig(num: bigint, den: bigint, startK: bigint, source: PrivacySource): boolean {
  let k = startK;
  while (source.uniformBelowBig(den * k) < num) k++;
  return k % 2n === 1n;
}

/**
 * Bernoulli(exp(-num/den)) for integers num ≥ 0, den ≥ 1 (Algorithm 1): floor(γ) independent
 * Bernoulli(exp(-1)) trials, then Bernoulli(exp(-(γ - floor γ))).
 */
export function bernoulliExpNeg(num: number, den: number, source: PrivacySource): boolean {
  if (!safe(num) || !safe(den)) return bernoulliExpNegBig(BigInt(num), BigInt(den), source);
  if (num <= den) return bernoulliExpNegUnit(num, den, source);
  const remainder = num % den;
  const whole = (num - remainder) / den;
  for (let i = 0; i < whole; i++) {
    if (!bernoulliExpNegUnit(1, 1, source)) return false;
  }
  return bernoulliExpNegUnit(remainder, den, source);
}

/** Bernoulli(exp(-num/den)) with bigint parameters (Algorithm 1). */
export function bernoulliExpNegBig(num: bigint, den: bigint, source: PrivacySource): boolean {
  if (num < 0n || den < 1n) throw new PrivacyParameterError(`Bernoulli(exp(-γ)) needs γ = num/den ≥ 0, got ${num}/${den}`);
  if (num <= den) return bernoulliExpNegUnitBig(num, den, 1n, source);
  const remainder = num % den;
  const whole = num / den;
  for (let i = 0n; i < whole; i++) {
    if (!bernoulliExpNegUnit(1, 1, source)) return false;
  }
  return bernoulliExpNegUnitBig(remainder, den, 1n, source);
}

/**
 * Discrete Laplace with scale t/s (Algorithm 2): P(x) ∝ exp(-|x|·s/t) on the integers, for
 * integers s, t ≥ 1.
 */
export function sampleDiscreteLaplace(s: number, t: number, source: PrivacySource): number {
  if (!safe(s) || !safe(t) || s < 1 || t < 1) {
    throw new PrivacyParameterError(`discrete Laplace needs integers s, t ≥ 1 (scale t/s), got s = ${s}, t = ${t}`);
  }
  for (;;) {
    const u = source.uniformBelow(t);
    if (!bernoulliExpNeg(u, t, source)) continue;
    let v = 0;
    while (bernoulliExpNegUnit(1, 1, source)) v++;
    const x = u + t * v;
    if (!safe(x)) throw new PrivacyParameterError(`discrete Laplace scale ${t}/${s} is too large for exact float64 integers; use a scale below 2^40`);
    // floor(x / s) exactly: x and s are safe integers.
    const y = (x - (x % s)) / s;
    const negative = (source.nextUint32() & 1) === 1;
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** A sampler of N_Z(0, σ²) for a rational σ² (Algorithm 3), with its constants computed once. */
export class DiscreteGaussianSampler {
  /** σ² = a / b exactly. */
  readonly sigmaSquared: Rational;
  private readonly a: bigint;
  private readonly b: bigint;
  /** t = floor(σ) + 1, the discrete Laplace scale of the proposal. */
  private readonly t: bigint;
  private readonly aNumber: number;
  private readonly bNumber: number;
  private readonly tNumber: number;
  private readonly denominatorNumber: number;
  private readonly fast: boolean;

  constructor(sigmaSquared: Rational) {
    this.sigmaSquared = checkPositiveRational(sigmaSquared, "σ²");
    this.a = this.sigmaSquared.numerator;
    this.b = this.sigmaSquared.denominator;
    this.t = floorSqrtRational(this.sigmaSquared) + 1n;
    this.aNumber = Number(this.a);
    this.bNumber = Number(this.b);
    this.tNumber = Number(this.t);
    // γ = (|Y|·b·t − a)² / (2·a·b·t²): the fast path needs the denominator exact in float64.
    const denominator = 2n * this.a * this.b * this.t * this.t;
    this.denominatorNumber = Number(denominator);
    this.fast = denominator <= BigInt(Number.MAX_SAFE_INTEGER);
  }

  /** One exact draw from N_Z(0, σ²). */
  sample(source: PrivacySource): number {
    for (;;) {
      const y = sampleDiscreteLaplace(1, this.tNumber, source);
      const magnitude = Math.abs(y);
      if (this.fast) {
        const product = magnitude * this.bNumber * this.tNumber;
        const difference = product - this.aNumber;
        const numerator = difference * difference;
        if (safe(product) && safe(numerator)) {
          if (bernoulliExpNeg(numerator, this.denominatorNumber, source)) return y;
          continue;
        }
      }
      const difference = BigInt(magnitude) * this.b * this.t - this.a;
      if (bernoulliExpNegBig(difference * difference, 2n * this.a * this.b * this.t * this.t, source)) return y;
    }
  }
}

/** A sampler of the discrete Laplace with a rational scale t/s (P(x) ∝ exp(-|x|·s/t)). */
export class DiscreteLaplaceSampler {
  readonly scale: Rational;
  private readonly s: number;
  private readonly t: number;
  constructor(scale: Rational) {
    this.scale = checkPositiveRational(scale, "Laplace scale");
    if (this.scale.numerator > BigInt(Number.MAX_SAFE_INTEGER) || this.scale.denominator > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new PrivacyParameterError("the Laplace scale's numerator and denominator must be below 2^53; round the scale to fewer digits");
    }
    this.t = Number(this.scale.numerator);
    this.s = Number(this.scale.denominator);
  }
  sample(source: PrivacySource): number {
    return sampleDiscreteLaplace(this.s, this.t, source);
  }
}
