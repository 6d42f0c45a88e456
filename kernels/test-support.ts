/**
 * Helpers shared by the kernel tests and the GPU check: fresh random inputs from a printed seed
 * (so a failure can be replayed) and element-wise comparison with a stated bound.
 */

/** xorshift128+ on two 32-bit halves: deterministic per seed, plenty for test inputs. */
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

/** A seed for this run, overridable with KERNEL_TEST_SEED to replay a failure. */
export function testSeed(): number {
  const fixed = process.env["KERNEL_TEST_SEED"];
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/**
 * First index where |actual − expected| > bound(i) (NaN must match NaN, ±Infinity must match
 * exactly), or −1 when all agree.
 */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: (i: number) => number): number {
  if (actual.length !== expected.length) return 0;
  for (let i = 0; i < actual.length; i += 1) {
    const x = actual[i]!;
    const y = expected[i]!;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return i;
      continue;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) return i;
      continue;
    }
    if (Math.abs(x - y) > bound(i)) return i;
  }
  return -1;
}

export function describeMismatch(seed: number, i: number, actual: ArrayLike<number>, expected: ArrayLike<number>): string {
  return i < 0 ? "ok" : `seed ${seed}: element ${i}: got ${actual[i]}, expected ${expected[i]} (replay with KERNEL_TEST_SEED=${seed})`;
}
