/**
 * Vectorised additive noise for counts and real-valued queries, from the exact discrete samplers.
 *
 * Real values are put on a grid first: a value v becomes the integer round(v / granularity), gets
 * integer noise, and is returned as granularity · (integer + noise). The output is a function of the
 * noisy integer only, so its low-order float bits carry nothing about v (Mironov 2012). The grid
 * changes the sensitivity: between neighbours, round(x/g) − round(x'/g) differs from (x − x')/g by
 * less than 1 in each coordinate that changed, so the L2 sensitivity on the grid is at most
 * Δ₂/g + √k for k changed coordinates (`gridL2Sensitivity`); counts (g = 1, integer values) keep Δ₂.
 */
import { DiscreteGaussianSampler, DiscreteLaplaceSampler } from "./discrete-samplers.js";
import { PrivacyParameterError } from "./errors.js";
import type { PrivacySource } from "./random-source.js";
import {
  checkPositiveRational,
  divideRational,
  exactRationalOfFloat,
  multiplyRational,
  type Rational,
  roundUpRational,
  sigmaSquaredFromSigma,
} from "./rational.js";

/** A noise scale: a float (σ or the Laplace scale b, rounded up to a rational) or an exact rational σ² / b. */
export type NoiseScale = number | { readonly sigmaSquared: Rational } | { readonly laplaceScale: Rational };

/** Options of the noise functions. */
export interface NoiseOptions {
  /** Grid step for real-valued queries (default 1: integer counts). σ and the scale are in the query's units. */
  readonly granularity?: number;
  /**
   * Test-only: multiplies the noise scale (σ or b) before sampling, on top of the source's own
   * factor (`createSeededSource(seed, { testOnlyNoiseScaleFactor })`). The audit plants a bug with
   * 0.5 to show it is caught; production code never sets it.
   */
  readonly testOnlyNoiseScaleFactor?: number;
}

function checkGranularity(options: NoiseOptions | undefined): number {
  const granularity = options?.granularity ?? 1;
  if (!(granularity > 0) || !Number.isFinite(granularity)) {
    throw new PrivacyParameterError(`granularity must be a finite number > 0, got ${granularity}`);
  }
  return granularity;
}

/** The planted-bug factor of the options times the source's (both test-only), as an exact rational. */
function testFactor(options: NoiseOptions | undefined, source: PrivacySource): Rational | undefined {
  const factor = (options?.testOnlyNoiseScaleFactor ?? 1) * (source.testOnlyNoiseScaleFactor ?? 1);
  if (factor === 1) return undefined;
  if (!(factor > 0) || !Number.isFinite(factor)) throw new PrivacyParameterError(`testOnlyNoiseScaleFactor must be > 0, got ${factor}`);
  return exactRationalOfFloat(factor);
}

/** σ² on the grid, (σ/g)², rounded up, from a float σ or a rational σ² in query units. */
export function gridSigmaSquared(scale: NoiseScale, granularity: number, testOnlyFactor?: Rational): Rational {
  let sigmaSquared: Rational;
  if (typeof scale === "number") sigmaSquared = sigmaSquaredFromSigma(scale);
  else if ("sigmaSquared" in scale) sigmaSquared = checkPositiveRational(scale.sigmaSquared, "σ²");
  else throw new PrivacyParameterError("a discrete Gaussian needs σ (a number) or { sigmaSquared }, not a Laplace scale");
  if (testOnlyFactor !== undefined) sigmaSquared = multiplyRational(sigmaSquared, multiplyRational(testOnlyFactor, testOnlyFactor));
  if (granularity === 1) return sigmaSquared;
  const g = exactRationalOfFloat(granularity);
  return roundUpRational(divideRational(sigmaSquared, multiplyRational(g, g)));
}

/** The Laplace scale on the grid, b/g, rounded up. */
export function gridLaplaceScale(scale: NoiseScale, granularity: number, testOnlyFactor?: Rational): Rational {
  let b: Rational;
  if (typeof scale === "number") {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new PrivacyParameterError(`the Laplace scale must be a finite number > 0, got ${scale}`);
    b = roundUpRational(exactRationalOfFloat(scale));
  } else if ("laplaceScale" in scale) b = checkPositiveRational(scale.laplaceScale, "Laplace scale");
  else throw new PrivacyParameterError("discrete Laplace noise needs a scale (a number) or { laplaceScale }, not σ²");
  if (testOnlyFactor !== undefined) b = multiplyRational(b, testOnlyFactor);
  return roundUpRational(divideRational(b, exactRationalOfFloat(granularity)));
}

function addNoise(values: ArrayLike<number>, granularity: number, draw: () => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new PrivacyParameterError(`value ${i} is ${value}; noise can only be added to finite values`);
    const onGrid = Math.round(value / granularity);
    out[i] = granularity === 1 ? onGrid + draw() : granularity * (onGrid + draw());
  }
  return out;
}

/**
 * values + discrete Gaussian noise, coordinate-wise independent: out[i] = g·(round(v[i]/g) + Z),
 * Z ~ N_Z(0, (σ/g)²). Its zCDP cost is `discreteGaussianRho(gridL2Sensitivity(...), σ/g, length)`.
 */
export function discreteGaussianNoise(values: ArrayLike<number>, sigma: NoiseScale, source: PrivacySource, options?: NoiseOptions): Float64Array {
  const granularity = checkGranularity(options);
  const sampler = new DiscreteGaussianSampler(gridSigmaSquared(sigma, granularity, testFactor(options, source)));
  return addNoise(values, granularity, () => sampler.sample(source));
}

/**
 * values + discrete Laplace noise with scale b: P(z) ∝ exp(−|z|·g/b) on the grid. ε-DP for L1
 * sensitivity Δ₁ on the grid when b/g ≥ Δ₁/ε (`laplaceEpsilon`).
 */
export function discreteLaplaceNoise(values: ArrayLike<number>, scale: NoiseScale, source: PrivacySource, options?: NoiseOptions): Float64Array {
  const granularity = checkGranularity(options);
  const sampler = new DiscreteLaplaceSampler(gridLaplaceScale(scale, granularity, testFactor(options, source)));
  return addNoise(values, granularity, () => sampler.sample(source));
}

/** ε of discrete Laplace noise with scale b (in grid steps) on a query of L1 sensitivity Δ₁ (in grid steps): Δ₁/b. */
export function laplaceEpsilon(l1Sensitivity: number, scale: number): number {
  if (!(l1Sensitivity > 0) || !(scale > 0)) throw new PrivacyParameterError(`Laplace ε needs Δ₁ > 0 and a scale > 0, got Δ₁ = ${l1Sensitivity}, b = ${scale}`);
  return l1Sensitivity / scale;
}

/** The Laplace scale b = Δ₁/ε that makes a query of L1 sensitivity Δ₁ ε-DP. */
export function laplaceScaleForEpsilon(l1Sensitivity: number, epsilon: number): number {
  if (!(l1Sensitivity > 0) || !(epsilon > 0))
    throw new PrivacyParameterError(`the Laplace scale needs Δ₁ > 0 and ε > 0, got Δ₁ = ${l1Sensitivity}, ε = ${epsilon}`);
  return l1Sensitivity / epsilon;
}

/**
 * L2 sensitivity on the grid of step g for a query with L2 sensitivity Δ₂ that changes at most k
 * coordinates between neighbours. When the query's values are already multiples of g (counts with
 * g = 1), rounding is the identity and the sensitivity is Δ₂/g.
 */
export function gridL2Sensitivity(l2Sensitivity: number, granularity: number, changedCoordinates: number, valuesOnGrid = false): number {
  return valuesOnGrid ? l2Sensitivity / granularity : l2Sensitivity / granularity + Math.sqrt(changedCoordinates);
}

/** L1 sensitivity on the grid of step g (each changed coordinate may move by one more step unless values are on the grid). */
export function gridL1Sensitivity(l1Sensitivity: number, granularity: number, changedCoordinates: number, valuesOnGrid = false): number {
  return valuesOnGrid ? l1Sensitivity / granularity : l1Sensitivity / granularity + changedCoordinates;
}
