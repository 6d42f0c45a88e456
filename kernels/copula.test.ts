import { describe, expect, it } from "vitest";
import { backendFor, type CopulaSampleRequest } from "./index.js";
import { copulaSampleReference } from "./reference.js";
import { describeMismatch, firstMismatch, randomSource, testSeed } from "./test-support.js";

const cpu = backendFor("cpu");

/** A random valid request: a Cholesky factor of a random correlation, numeric and categorical columns. */
function randomRequest(rows: number, d: number, random: () => number, withMean = false): CopulaSampleRequest {
  // L = chol(A Aᵀ + I) computed in float64 here (the generator does the same with mathjs).
  const a = Array.from({ length: d * d }, () => random() - 0.5);
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1)
    for (let j = 0; j < d; j += 1) {
      let v = i === j ? 1 : 0;
      for (let p = 0; p < d; p += 1) v += a[i * d + p]! * a[j * d + p]!;
      s[i * d + j] = v;
    }
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i += 1)
    for (let j = 0; j <= i; j += 1) {
      let v = s[i * d + j]!;
      for (let p = 0; p < j; p += 1) v -= l[i * d + p]! * l[j * d + p]!;
      l[i * d + j] = i === j ? Math.sqrt(v) : v / l[j * d + j]!;
    }
  const columns = Array.from({ length: d }, (_, c) => {
    if (c % 3 === 2) {
      const bounds = Float64Array.from({ length: 1 + Math.floor(random() * 6) }, () => 4 * random() - 2).sort();
      bounds[bounds.length - 1] = Number.POSITIVE_INFINITY;
      return { kind: "categorical" as const, table: bounds, zMin: 0, zMax: 0 };
    }
    const K = 2 + Math.floor(random() * 300);
    let acc = 0;
    const table = Float64Array.from({ length: K }, () => (acc += random()));
    return { kind: "numeric" as const, table, zMin: -3 - random(), zMax: 3 + random() };
  });
  const request: CopulaSampleRequest = {
    rows,
    cholesky: l,
    columns,
    seed: BigInt(Math.floor(random() * 2 ** 40)),
    counterOffset: BigInt(Math.floor(random() * 1e6)),
  };
  if (withMean) request.mean = Float64Array.from({ length: rows * d }, () => 2 * random() - 1);
  return request;
}

describe("copulaSample (CPU)", () => {
  it("agrees with the float64 reference (reference Philox, Box–Muller, interpolation, interval lookup)", () => {
    // Bound: the normals differ from the reference by ~1e-15 (libm vs V8 ulps), L·ε adds d such
    // terms, interpolation multiplies by the table slope; 1e-9·(1+|value|) is far above that
    // and far below any wrong-cell or wrong-category error. Categories must be equal except
    // when z sits within 1e-12 of a bound (not expected on random inputs).
    const seed = testSeed();
    const random = randomSource(seed);
    for (const [rows, d, withMean] of [
      [1, 1, false],
      [513, 5, false],
      [1000, 7, true],
      [3, 16, true],
    ] as const) {
      const req = randomRequest(rows, d, random, withMean);
      const out = new Float64Array(rows * d).fill(Number.NaN);
      cpu.copulaSample(req, out);
      const ref = copulaSampleReference(req);
      const i = firstMismatch(out, ref, (k) => 1e-9 * (1 + Math.abs(ref[k]!)));
      expect(describeMismatch(seed, i, out, ref)).toBe("ok");
    }
  });

  it("gives the same rows whatever the chunking (counterOffset = global row index)", () => {
    const random = randomSource(testSeed());
    const req = randomRequest(2000, 6, random);
    const whole = new Float64Array(2000 * 6);
    cpu.copulaSample({ ...req, counterOffset: 0n }, whole);
    const part = new Float64Array(700 * 6);
    cpu.copulaSample({ ...req, rows: 700, counterOffset: 1100n }, part);
    for (let c = 0; c < 6; c += 1)
      expect(Array.from(part.subarray(c * 700, (c + 1) * 700))).toEqual(Array.from(whole.subarray(c * 2000 + 1100, c * 2000 + 1800)));
  });

  it("produces correlated normals with the requested correlation (normal scores)", () => {
    // 200k rows: the sample correlation has standard error ~(1-ρ²)/√n ≈ 0.002; bound 0.015.
    const rows = 200_000;
    const rho = 0.6;
    const cholesky = Float64Array.of(1, 0, rho, Math.sqrt(1 - rho * rho));
    const z = new Float64Array(rows * 2);
    cpu.copulaNormalScores({ rows, d: 2, cholesky, seed: 7n, counterOffset: 0n }, z);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let r = 0; r < rows; r += 1) {
      sxy += z[r]! * z[rows + r]!;
      sxx += z[r]! ** 2;
      syy += z[rows + r]! ** 2;
    }
    expect(Math.abs(sxy / Math.sqrt(sxx * syy) - rho)).toBeLessThan(0.015);
    // The same normals are the z of copulaSample with the reference stream.
    const req = {
      rows: 10,
      cholesky,
      seed: 7n,
      counterOffset: 0n,
      columns: [
        { kind: "numeric" as const, table: Float64Array.of(0), zMin: 0, zMax: 1 },
        { kind: "numeric" as const, table: Float64Array.of(0), zMin: 0, zMax: 1 },
      ],
    };
    const ref = copulaSampleReference(req, false);
    const first = Float64Array.from([...z.subarray(0, 10), ...z.subarray(rows, rows + 10)]);
    expect(firstMismatch(first, ref, () => 1e-12)).toBe(-1);
  });

  it("handles 0 rows, clamps outside the grid, and propagates a NaN mean as NaN", () => {
    const column = { kind: "numeric" as const, table: Float64Array.of(10, 20), zMin: -1, zMax: 1 };
    cpu.copulaSample({ rows: 0, cholesky: Float64Array.of(1), columns: [column], seed: 1n, counterOffset: 0n }, new Float64Array(0));
    const out = new Float64Array(3);
    cpu.copulaSample(
      { rows: 3, cholesky: Float64Array.of(0), mean: Float64Array.of(-50, 50, Number.NaN), columns: [column], seed: 1n, counterOffset: 0n },
      out,
    );
    expect(Array.from(out.subarray(0, 2))).toEqual([10, 20]);
    expect(Number.isNaN(out[2])).toBe(true);
  });

  it("rejects bad requests with a KernelError that says what to fix", () => {
    const column = { kind: "numeric" as const, table: Float64Array.of(1, 2), zMin: 1, zMax: 1 };
    expect(() => cpu.copulaSample({ rows: 1, cholesky: Float64Array.of(1), columns: [column], seed: 1n, counterOffset: 0n }, new Float64Array(1))).toThrow(
      /z_max must be greater than z_min/,
    );
    expect(() => cpu.copulaSample({ rows: 2, cholesky: Float64Array.of(1), columns: [column], seed: 1n, counterOffset: 0n }, new Float64Array(1))).toThrow(
      /copula output/,
    );
    expect(() => cpu.copulaSample({ rows: 1, cholesky: Float64Array.of(1), columns: [], seed: 1n, counterOffset: 0n }, new Float64Array(1))).toThrow(
      /no columns/,
    );
  });

  it("async variant gives the same numbers, also with several calls in flight", async () => {
    const req = randomRequest(5000, 8, randomSource(testSeed()));
    const a = new Float64Array(5000 * 8);
    cpu.copulaSample(req, a);
    // Four concurrent chunks of the same stream on koffi worker threads (each with its own
    // OpenMP team) must equal the corresponding slices of the single call.
    const parts = [0, 1, 2, 3].map(() => new Float64Array(1250 * 8));
    await Promise.all(parts.map((out, p) => cpu.copulaSampleAsync({ ...req, rows: 1250, counterOffset: req.counterOffset + BigInt(p * 1250) }, out)));
    parts.forEach((out, p) => {
      for (let c = 0; c < 8; c += 1)
        expect(Array.from(out.subarray(c * 1250, (c + 1) * 1250))).toEqual(Array.from(a.subarray(c * 5000 + p * 1250, c * 5000 + (p + 1) * 1250)));
    });
  });
});
