/**
 * Helpers of the nn tests: fresh random inputs from a printed seed (NN_TEST_SEED replays one),
 * comparison against the float64 reference with a stated bound, central finite differences.
 */
import { expect } from "vitest";

export function testSeed(): number {
  const fixed = process.env["NN_TEST_SEED"];
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/** xorshift-style uniform source in [0, 1). */
export function randomSource(seed: number): () => number {
  let s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
  let s1 = (seed * 0x85ebca6b) >>> 0 || 2;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
}

/** n float32-representable values uniform in ±scale: the same numbers for both sides. */
export function randomValues(n: number, random: () => number, scale = 1): { f32: Float32Array; f64: Float64Array } {
  const f32 = new Float32Array(n);
  for (let i = 0; i < n; i += 1) f32[i] = (2 * random() - 1) * scale;
  return { f32, f64: Float64Array.from(f32) };
}

/** Asserts ‖actual − expected‖∞ ≤ relative · max(1, ‖expected‖∞), naming the first offender. */
export function expectNormwiseClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, what: string, seed: number): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i += 1) scale = Math.max(scale, Math.abs(expected[i] as number));
  let worst = -1;
  let worstError = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const error = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(error <= worstError)) {
      worstError = error;
      worst = i;
    }
  }
  const bound = relative * scale;
  expect(
    worstError <= bound,
    `${what} (seed ${seed}): element ${worst} is ${actual[worst]}, reference ${expected[worst]}, error ${worstError} > bound ${bound}`,
  ).toBe(true);
}

/** Central difference of f at θ along coordinate i. */
export function centralDifference(f: (theta: Float64Array) => number, theta: Float64Array, i: number, h = 1e-6): number {
  const saved = theta[i] as number;
  theta[i] = saved + h;
  const up = f(theta);
  theta[i] = saved - h;
  const down = f(theta);
  theta[i] = saved;
  return (up - down) / (2 * h);
}

/** Checks analytic ∂f/∂θ_i against finite differences on `count` random coordinates (float64). */
export function expectGradientMatchesFiniteDifferences(
  f: (theta: Float64Array) => number,
  theta: Float64Array,
  analytic: ArrayLike<number>,
  random: () => number,
  what: string,
  count = 12,
  tolerance = 1e-6,
): void {
  for (let c = 0; c < Math.min(count, theta.length); c += 1) {
    const i = Math.floor(random() * theta.length);
    const fd = centralDifference(f, theta, i);
    const a = analytic[i] as number;
    expect(Math.abs(fd - a) <= tolerance * (1 + Math.abs(a)), `${what}: coordinate ${i}: analytic ${a}, finite difference ${fd}`).toBe(true);
  }
}
