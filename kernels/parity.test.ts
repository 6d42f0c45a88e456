/**
 * CPU-vs-CUDA parity for every kernel, on fresh random inputs. It runs wherever a CUDA device is
 * present; elsewhere each case is skipped (not silently passed) and the reason is printed once.
 * Bounds: Philox, the copula's categorical cells, nearest neighbours (float64 winners), row
 * matching and aggregation are computed from the same float64 formulas on both sides; GEMM and
 * the copula's numeric values differ by float32 / FMA rounding (bounds stated per case).
 */
import { describe, expect, it } from "vitest";
import { backendFor, type CopulaSampleRequest, cudaUnavailableReason, type MixedRows } from "./index.js";
import { randomSource, testSeed } from "./test-support.js";

const unavailable = cudaUnavailableReason();
if (unavailable !== undefined) console.info(`kernels/parity.test.ts: CPU-vs-CUDA parity skipped: ${unavailable}`);
const cuda = unavailable === undefined;

function mixed(rows: number, num: number, cat: number, random: () => number): MixedRows {
  return {
    rows,
    numeric: Float64Array.from({ length: rows * num }, () => (random() < 0.05 ? Number.NaN : 10 * random())),
    categorical: Int32Array.from({ length: rows * cat }, () => Math.floor(random() * 6) - 1),
  };
}

describe("CPU and CUDA libraries agree", () => {
  const seed = testSeed();
  const random = randomSource(seed);

  it.skipIf(!cuda)("philox uniform and normal streams are bit-identical (normals to 1e-15: device libm)", () => {
    for (const n of [1, 7, 100_003]) {
      const counter = BigInt(Math.floor(random() * 1e9));
      const a = new Float64Array(n);
      const b = new Float64Array(n);
      backendFor("cpu").philoxUniform(BigInt(seed), counter, a);
      backendFor("cuda").philoxUniform(BigInt(seed), counter, b);
      expect(b).toEqual(a);
      backendFor("cpu").philoxNormal(BigInt(seed), counter, a);
      backendFor("cuda").philoxNormal(BigInt(seed), counter, b);
      for (let i = 0; i < n; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(a[i]!)));
    }
  });

  it.skipIf(!cuda)("gemm: float32 results within k·2^-23 of Σ|a||b| (different summation orders)", () => {
    for (const [m, n, k] of [
      [33, 17, 65],
      [256, 128, 1000],
    ] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
      ] as const) {
        const a = Float32Array.from({ length: m * k }, () => random() - 0.5);
        const b = Float32Array.from({ length: k * n }, () => random() - 0.5);
        const c1 = new Float32Array(m * n);
        const c2 = new Float32Array(m * n);
        backendFor("cpu").gemm(ta, tb, m, n, k, 1, a, b, 0, c1);
        backendFor("cuda").gemm(ta, tb, m, n, k, 1, a, b, 0, c2);
        // |a|, |b| ≤ 0.5: Σ|a||b| ≤ k/4.
        for (let i = 0; i < m * n; i++) expect(Math.abs(c1[i]! - c2[i]!)).toBeLessThanOrEqual((2 * k * 2 ** -23 * k) / 4);
      }
    }
  });

  it.skipIf(!cuda)("copula sample: same cells for categorical columns, numeric values to 1e-9 relative", () => {
    const d = 6;
    const rows = 5000;
    const l = new Float64Array(d * d);
    for (let i = 0; i < d; i++) l[i * d + i] = 1;
    for (let i = 1; i < d; i++) l[i * d] = 0.3;
    const columns = Array.from({ length: d }, (_, c) =>
      c % 2 === 0
        ? { kind: "categorical" as const, table: Float64Array.of(-0.5, 0.4, Number.POSITIVE_INFINITY), zMin: 0, zMax: 0 }
        : { kind: "numeric" as const, table: Float64Array.from({ length: 300 }, (_, i) => i * i), zMin: -4, zMax: 4 },
    );
    const req: CopulaSampleRequest = { rows, cholesky: l, columns, seed: BigInt(seed), counterOffset: 12345n };
    const a = new Float64Array(rows * d);
    const b = new Float64Array(rows * d);
    backendFor("cpu").copulaSample(req, a);
    backendFor("cuda").copulaSample(req, b);
    for (let i = 0; i < a.length; i++) {
      const c = Math.floor(i / rows);
      if (c % 2 === 0) expect(b[i]).toBe(a[i]);
      else expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(a[i]!)));
    }
  });

  it.skipIf(!cuda)("nearest neighbours: identical indices and float64 distances", () => {
    const a = mixed(300, 4, 3, random);
    const b = mixed(2000, 4, 3, random);
    const options = { numericCount: 4, categoricalCount: 3, invRange: Float64Array.of(0.1, 0.2, 0.05, 1), k: 2 as const };
    expect(backendFor("cuda").nearestNeighbors(a, b, options)).toEqual(backendFor("cpu").nearestNeighbors(a, b, options));
  });

  it.skipIf(!cuda)("row matching and update aggregation", () => {
    const a = mixed(500, 2, 2, random);
    const b: MixedRows = { rows: 500, numeric: a.numeric.map((v, i) => (i % 7 === 0 ? v + 1 : v)), categorical: a.categorical };
    const options = { numericCount: 2, categoricalCount: 2, relTolerance: 1e-9 };
    expect(backendFor("cuda").matchRows(a, b, options)).toEqual(backendFor("cpu").matchRows(a, b, options));
    const k = 5;
    const n = 10_001;
    const updates = Float32Array.from({ length: k * n }, () => random() - 0.5);
    const weights = Float32Array.from({ length: k }, () => random());
    const o1 = new Float32Array(n);
    const o2 = new Float32Array(n);
    backendFor("cpu").aggregateUpdates(updates, k, n, weights, 3, 0.1, BigInt(seed), 7n, o1);
    backendFor("cuda").aggregateUpdates(updates, k, n, weights, 3, 0.1, BigInt(seed), 7n, o2);
    for (let i = 0; i < n; i++) expect(Math.abs(o1[i]! - o2[i]!)).toBeLessThanOrEqual(2 ** -23 * Math.abs(o1[i]!) + 1e-8);
  });
});
