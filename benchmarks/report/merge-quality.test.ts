import { describe, expect, test } from "vitest";
import { adultHolders, rowsWhere } from "../../generators/federated/testing/adult-slices.js";
import type { Column, Table } from "../../tabular/index.js";
import { ScoreInputError } from "../errors.js";
import type { QualityResult } from "../fidelity/quality-report.js";
import { mergeHolderQuality } from "./merge-quality.js";
import { scoreTables } from "./score-tables.js";

const adult = await adultHolders();

/** A corpus that is Adult with `age` and `hours-per-week` rotated by 1,000 rows: right shapes, broken pairs. */
function rotatedCorpus(table: Table): Table {
  const rotate = new Set(["age", "hours-per-week"]);
  return {
    rowCount: table.rowCount,
    columns: table.columns.map((column) => {
      if (!rotate.has(column.schema.name) || !("values" in column) || !(column.values instanceof Float64Array)) return column;
      const values = column.values;
      return { ...column, values: Float64Array.from(values, (_, r) => values[(r + 1000) % values.length]!) } as Column;
    }),
  };
}

const corpus = rotatedCorpus(adult.pooled);
const quality = async (real: Table): Promise<QualityResult> => (await scoreTables(real, corpus, { privacy: false })).quality;
const pooled = await quality(adult.pooled);

describe("merged quality of holders who each score the corpus against their own rows", () => {
  test("slices drawn alike (rows by index mod 3): the merge is the pooled score up to sampling noise", async () => {
    const parts = await Promise.all(
      [0, 1, 2].map(async (k) => {
        const table = rowsWhere(adult.pooled, (r) => r % 3 === k);
        return { holder: `h${k}`, rows: table.rowCount, quality: await quality(table) };
      }),
    );
    const merged = mergeHolderQuality(parts);
    // Measured: merged 0.9875 vs pooled 0.9954 (shapes 0.9949 vs 1, trends 0.9802 vs 0.9909). This corpus has
    // the pooled marginals exactly, while a 10,854-row slice is a sample of them: its KS/TV distance to the
    // corpus carries sampling noise of order 1/√n_k ≈ 0.01 that the pooled comparison does not.
    expect(Math.abs(merged.score - pooled.score)).toBeLessThan(0.015);
    expect(Math.abs(merged.columnShapes - pooled.columnShapes)).toBeLessThan(0.015);
    expect(merged.pairs.filter((p) => p.meetsThreshold).length).toBe(pooled.pairs.filter((p) => p.meetsThreshold).length);
    expect(merged.holders.map((h) => h.rows)).toEqual([10_854, 10_854, 10_853]);
  });

  test("slices that differ (by marital status): the merge is lower than the pooled score, and says so", async () => {
    const parts = await Promise.all(adult.holders.map(async (h) => ({ holder: h.holder, rows: h.table.rowCount, quality: await quality(h.table) })));
    const merged = mergeHolderQuality(parts);
    // Each slice is compared with everyone's distribution: marital status, relationship, sex, age
    // shapes differ by slice. Measured: pooled 0.995, merged 0.821.
    expect(pooled.score - merged.score).toBeGreaterThan(0.05);
    expect(merged.method).toMatch(/not the score against the pooled rows/);
  });

  test("scores are row-weighted means; one holder merges to itself", () => {
    const base: QualityResult = {
      score: 0,
      columnShapes: 0,
      columnPairTrends: 0,
      allPairsTrends: 0,
      allPairsScore: 0,
      shapes: [
        { column: "a", metric: "TVComplement", score: 0.9 },
        { column: "b", metric: "KSComplement", score: 0.8 },
      ],
      pairs: [
        {
          column1: "a",
          column2: "b",
          metric: "ContingencySimilarity",
          score: 0.7,
          realCorrelation: null,
          syntheticCorrelation: null,
          realAssociation: 0.2,
          syntheticAssociation: 0.25,
          realStrength: 0.2,
          syntheticStrength: 0.25,
          meetsThreshold: false,
        },
      ],
    };
    const other: QualityResult = {
      ...base,
      shapes: [
        { column: "a", metric: "TVComplement", score: 0.5 },
        { column: "b", metric: "KSComplement", score: Number.NaN },
      ],
      pairs: [{ ...base.pairs[0]!, score: 0.3, realAssociation: 0.6, meetsThreshold: true }],
    };
    const merged = mergeHolderQuality([
      { holder: "x", rows: 300, quality: base },
      { holder: "y", rows: 100, quality: other },
    ]);
    expect(merged.shapes.map((s) => s.score)).toEqual([(0.9 * 300 + 0.5 * 100) / 400, 0.8]);
    expect(merged.pairs[0]!.score).toBeCloseTo((0.7 * 300 + 0.3 * 100) / 400, 15);
    // Mean real Cramér's V (0.2·3 + 0.6)/4 = 0.3 is not above 0.3: the pair does not count.
    expect(merged.pairs[0]!.realAssociation).toBeCloseTo(0.3, 15);
    expect(merged.pairs[0]!.meetsThreshold).toBe(false);
    expect(Number.isNaN(merged.columnPairTrends)).toBe(true);
    expect(merged.score).toBeCloseTo(merged.columnShapes, 15);
    const alone = mergeHolderQuality([{ holder: "x", rows: 7, quality: pooled }]);
    expect(alone.score).toBeCloseTo(pooled.score, 12);
    expect(alone.allPairsScore).toBeCloseTo(pooled.allPairsScore, 12);
  });

  test("holders that scored other columns, or give no weight, are refused", () => {
    const renamed: QualityResult = { ...pooled, shapes: pooled.shapes.map((s, k) => (k === 0 ? { ...s, column: "years" } : s)) };
    expect(() =>
      mergeHolderQuality([
        { holder: "a", rows: 1, quality: pooled },
        { holder: "b", rows: 1, quality: renamed },
      ]),
    ).toThrow(new ScoreInputError('holder "b" scored other columns than holder "a"; every holder must score the corpus over the job\'s shared schema.'));
    expect(() => mergeHolderQuality([{ holder: "a", rows: 0, quality: pooled }])).toThrow('holder "a" reported 0 rows');
    expect(() => mergeHolderQuality([])).toThrow("no holder returned scores");
  });
});
