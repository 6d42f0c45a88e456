import { eigs, matrix } from "mathjs";
import { describe, expect, test } from "vitest";
import { philoxNormal } from "../kernels/index.js";
import type { Table } from "../tabular/index.js";
import { cholesky, repairCorrelation } from "./correlation-matrix.js";
import { fitGaussianCopula } from "./fit-copula.js";
import { symmetricEigen, topEigenpairs } from "./symmetric-eigen.js";

function randomSymmetric(seed: bigint, d: number): Float64Array {
  const e = new Float64Array(d * d);
  philoxNormal(seed, 0n, e);
  return Float64Array.from({ length: d * d }, (_, i) => e[i]! + e[(i % d) * d + Math.floor(i / d)]!);
}

/** A correlation-like matrix of rank ≤ rank from `rows` Gaussian rows (standardized columns): what a wide, short table gives. */
function lowRankCorrelationInput(seed: bigint, d: number, rows: number): Float64Array {
  const x = new Float64Array(rows * d);
  philoxNormal(seed, 0n, x);
  for (let c = 0; c < d; c++) {
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += x[r * d + c]! ** 2;
    for (let r = 0; r < rows; r++) x[r * d + c] = x[r * d + c]! / Math.sqrt(ss);
  }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let r = 0; r < rows; r++) out[i * d + j] = out[i * d + j]! + x[r * d + i]! * x[r * d + j]!;
  return out;
}

describe("symmetric eigendecomposition (Householder + implicit QL)", () => {
  test("matches mathjs eigs on fresh random symmetric matrices, and A·v = λ·v", () => {
    for (const d of [1, 3, 24, 60]) {
      const a = randomSymmetric(BigInt(100 + d), d);
      const { values, vectors } = symmetricEigen(a, d);
      const reference = (
        eigs(matrix(Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, i * d + d))))).values as unknown as { toArray(): number[] }
      ).toArray();
      const sorted = Array.from(values).sort((x, y) => x - y);
      reference.sort((x, y) => x - y);
      for (let i = 0; i < d; i++) expect(Math.abs(sorted[i]! - reference[i]!)).toBeLessThan(1e-10 * d);
      for (let k = 0; k < d; k++) {
        for (let i = 0; i < d; i++) {
          let av = 0;
          for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors[j * d + k]!;
          expect(Math.abs(av - values[k]! * vectors[i * d + k]!)).toBeLessThan(1e-10 * d);
        }
      }
    }
  });

  test("the randomized top-k eigenpairs of a rank-30 matrix equal the full decomposition's", () => {
    const d = 200;
    const a = lowRankCorrelationInput(7n, d, 30);
    const full = Array.from(symmetricEigen(a, d).values).sort((x, y) => y - x);
    const top = topEigenpairs(a, d, 30);
    for (let i = 0; i < 30; i++) expect(Math.abs(top.values[i]! - full[i]!)).toBeLessThan(1e-8 * full[0]!);
  });
});

describe("correlation repair by size", () => {
  test("more dimensions than rows: low-rank + diagonal, positive definite with unit diagonal, close to the input", () => {
    const d = 300;
    const rows = 50;
    const a = lowRankCorrelationInput(9n, d, rows);
    // Perturb off-diagonals a little, as the latent-correlation correction does.
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i] = a[i * d + j]! * (1 + 0.02 * Math.sin(i * 7 + j));
    const { matrix: repaired, method, repaired: changed } = repairCorrelation(a, d, { rows });
    expect(method).toBe("low-rank");
    expect(changed).toBe(true);
    expect(cholesky(repaired, d)).not.toBeNull();
    let worst = 0;
    for (let i = 0; i < d; i++) {
      expect(repaired[i * d + i]).toBe(1);
      for (let j = 0; j < i; j++) worst = Math.max(worst, Math.abs(repaired[i * d + j]! - a[i * d + j]!));
    }
    // The rank-50 part is kept; what changes is of the order of the 2% perturbation of entries ≤ ~0.5.
    expect(worst).toBeLessThan(0.05);
  });

  test("above the Higham size with more rows than dimensions: one spectral projection", () => {
    const d = 120;
    const a = lowRankCorrelationInput(11n, d, 400);
    a[1] = a[d] = -0.99; // makes it indefinite
    a[2] = a[2 * d] = 0.99;
    a[d + 2] = a[2 * d + 1] = 0.99;
    const { matrix: repaired, method } = repairCorrelation(a, d, { rows: 400 });
    expect(method).toBe("spectral");
    expect(cholesky(repaired, d)).not.toBeNull();
    for (let i = 0; i < d; i++) expect(repaired[i * d + i]).toBe(1);
  });

  test("a table of 300 columns × 50 rows fits to a valid model (it took 56 s before; speed in the copula-wide bench)", () => {
    const rows = 50;
    const columns = 300;
    const e = new Float64Array(rows * (columns + 3));
    philoxNormal(3n, 0n, e);
    const table = {
      rowCount: rows,
      columns: Array.from({ length: columns }, (_, c) => ({
        schema: { name: `c${c}`, type: "numerical", subtype: "float", decimals: 3 },
        values: Float64Array.from({ length: rows }, (_, r) => e[r * (columns + 3) + (c % 3)]! + e[r * (columns + 3) + 3 + c]!),
      })),
    } as unknown as Table;
    const stages = new Set<string>();
    const model = fitGaussianCopula(table, { onProgress: (_, stage) => stages.add(stage) });
    expect([...stages]).toEqual(["marginals", "correlations", "repair"]);
    const d = model.dimensions.length;
    expect(d).toBe(columns);
    expect(cholesky(Float64Array.from(model.correlation), d)).not.toBeNull();
    expect(model.warnings.join(" ")).toMatch(/50 rows for 300 copula dimensions/);
  });
});
