/**
 * Training-by-sampling on Adult's discrete columns: columns are chosen uniformly, categories by
 * log-frequency, the real row drawn holds the condition; at generation time the conditional vector
 * reproduces the real category frequencies.
 */
import { describe, expect, test } from "vitest";
import { loadTable } from "../../tabular/index.js";
import { ConditionalVectorSampler } from "./conditional-vector.js";
import { encodeTable, fitTableTransform } from "./data-transformer.js";

const { table } = await loadTable("fixtures/adult/adult.csv");
const transform = fitTableTransform(table);
const { discretePositions } = encodeTable(transform, table, 0n);
const discrete = discretePositions.map((positions) => ({ positions, categoryCount: Math.max(...positions) + 1 }));
const draws = 360_000;

/** Relative frequencies, per discrete column, of the categories chosen in `batch`. */
function chosenFrequencies(sampler: ConditionalVectorSampler, batch: { columns: Int32Array; categories: Int32Array }) {
  const counts = discrete.map((c) => new Float64Array(c.categoryCount));
  const perColumn = new Float64Array(discrete.length);
  for (let i = 0; i < batch.columns.length; i++) {
    counts[batch.columns[i]!]![batch.categories[i]!]! += 1;
    perColumn[batch.columns[i]!]! += 1;
  }
  expect(sampler.discreteColumnCount).toBe(discrete.length);
  return { frequencies: counts.map((c, j) => c.map((x) => x / perColumn[j]!)), perColumn };
}

function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < p.length; k++) sum += Math.abs(p[k]! - q[k]!);
  return sum / 2;
}

describe("ConditionalVectorSampler on Adult", () => {
  test("generation: the conditional vector reproduces every discrete column's real frequencies", () => {
    const sampler = new ConditionalVectorSampler(discrete, table.rowCount, 1n);
    const batch = sampler.sampleGeneration(draws);
    const { frequencies, perColumn } = chosenFrequencies(sampler, batch);
    discrete.forEach((column, j) => {
      // Columns are chosen uniformly: each gets draws/9 ± 4 standard deviations.
      const expected = draws / discrete.length;
      expect(Math.abs(perColumn[j]! - expected)).toBeLessThan(4 * Math.sqrt(expected));
      const real = new Float64Array(column.categoryCount);
      for (const p of column.positions) real[p]! += 1 / column.positions.length;
      // 40k draws over ≤ 42 categories: the expected TV distance is ≤ 0.4·√(K/N) ≈ 0.013.
      expect(totalVariation(frequencies[j]!, real)).toBeLessThan(0.025);
    });
    // Exactly one 1 per row, at the chosen column's offset + category.
    for (let i = 0; i < 1000; i++) {
      const row = batch.cond.subarray(i * sampler.condWidth, (i + 1) * sampler.condWidth);
      expect(row.reduce((s, x) => s + x, 0)).toBe(1);
      expect(row[sampler.offsets[batch.columns[i]!]! + batch.categories[i]!]).toBe(1);
    }
  });

  test("training-by-sampling: categories ∝ log(1 + count), and the real row holds the condition", () => {
    const sampler = new ConditionalVectorSampler(discrete, table.rowCount, 2n);
    const batch = sampler.sampleTraining(draws);
    const { frequencies } = chosenFrequencies(sampler, batch);
    discrete.forEach((column, j) => {
      const counts = new Float64Array(column.categoryCount);
      for (const p of column.positions) counts[p]! += 1;
      const logWeights = counts.map((c) => Math.log1p(c));
      const total = logWeights.reduce((s, x) => s + x, 0);
      expect(
        totalVariation(
          frequencies[j]!,
          logWeights.map((w) => w / total),
        ),
      ).toBeLessThan(0.025);
    });
    for (let i = 0; i < draws; i++) {
      const column = batch.columns[i]!;
      if (discrete[column]!.positions[batch.rowIndices[i]!] !== batch.categories[i])
        throw new Error(`row ${i}: the drawn real row does not hold its condition`);
    }
    // A rare category (Adult's "Holand-Netherlands", one row) is drawn far more often than its frequency.
    const country = transform.columns.filter((c) => c.kind === "discrete").findIndex((c) => c.name === "native-country");
    const holand = table.columns.find((c) => c.schema.name === "native-country") as { categories: string[] };
    const position = (transform.columns.filter((c) => c.kind === "discrete")[country] as { codes: number[] }).codes.indexOf(
      holand.categories.indexOf("Holand-Netherlands"),
    );
    expect(frequencies[country]![position]!).toBeGreaterThan(50 / table.rowCount);
  });

  test("the same seed gives the same batches", () => {
    const a = new ConditionalVectorSampler(discrete, table.rowCount, 9n).sampleTraining(500);
    const b = new ConditionalVectorSampler(discrete, table.rowCount, 9n).sampleTraining(500);
    expect(b).toEqual(a);
  });
});
