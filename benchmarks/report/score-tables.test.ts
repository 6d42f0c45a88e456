import { describe, expect, test } from "vitest";
import { ScoreInputError } from "../errors.js";
import { loadSdmetricsCase } from "../sdmetrics-case.js";
import { type Column, loadTable, type Table } from "../../tabular/index.js";
import { categorical, datetime, idColumn, numeric, table } from "../test-tables.js";
import { renderHtmlReport } from "./html-report.js";
import { sampleRows, scoreTables } from "./score-tables.js";

const real = table(
  numeric("x", [1, 2, 3, 4, null]),
  categorical("c", ["a", "b", "a", "b", null]),
  datetime("d", ["2020-01-01", "2020-02-01", null, "2020-03-01", "2020-04-01"]),
);
const synthetic = table(
  numeric("x", [1.5, 2, 3.5, 9, 2]),
  categorical("c", ["a", "z", "b", "b", "a"]),
  datetime("d", ["2020-01-05", null, "2020-02-10", "2020-03-01", "2020-05-01"]),
);

describe("scoreTables: bad input gets a clear error, not a NaN score", () => {
  test.each([
    ["unknown sensitive column", { knownColumns: ["c"], sensitiveColumns: ["nope"] }, /sensitive column "nope" is not in the tables/],
    ["known without sensitive", { knownColumns: ["c"] }, /needs both known and sensitive/],
    ["a column both known and sensitive", { knownColumns: ["c"], sensitiveColumns: ["c"] }, /both known and sensitive/],
    ["unknown target", { targetColumn: "income" }, /target column "income" is not in the tables/],
    ["usefulness without a target", { usefulness: true }, /needs a target column/],
  ])("%s", async (_, options, message) => {
    await expect(scoreTables(real, synthetic, options)).rejects.toThrow(ScoreInputError);
    await expect(scoreTables(real, synthetic, options)).rejects.toThrow(message);
  });
  test("mismatched columns, empty tables, holdout with other columns", async () => {
    await expect(scoreTables(real, table(numeric("x", [1])))).rejects.toThrow(/missing "c", "d"/);
    await expect(scoreTables(real, table(numeric("x", []), categorical("c", []), datetime("d", [])))).rejects.toThrow(/synthetic table is empty/);
    await expect(scoreTables(real, synthetic, { holdout: table(numeric("x", [1]), categorical("other", ["a"]), datetime("d", [null])) })).rejects.toThrow(
      /holdout table's columns do not match/,
    );
  });
  test("an id-only table cannot be privacy-scored (says to use --no-privacy)", async () => {
    const ids = table(idColumn("id", ["1", "2"]));
    await expect(scoreTables(ids, ids)).rejects.toThrow(/--no-privacy/);
    const report = await scoreTables(ids, ids, { privacy: false });
    expect(report.diagnostic.columns[0]!.metric).toBe("KeyUniqueness");
  });
});

describe("scoreTables report", () => {
  test("every section is filled on a tiny table with nulls, datetimes and a synthetic-only category", async () => {
    const report = await scoreTables(real, synthetic, { holdout: real, knownColumns: ["c"], sensitiveColumns: ["d"], targetColumn: "c", seed: 3 });
    expect(Number.isFinite(report.quality.score)).toBe(true);
    expect(Number.isFinite(report.quality.allPairsTrends)).toBe(true);
    expect(Number.isFinite(report.privacy!.dcrBaselineProtection.score)).toBe(true);
    expect(report.privacy!.dcrOverfittingProtection).not.toBeNull();
    expect(report.privacy!.membershipInference).not.toBeNull();
    // Four labelled real rows cannot train a model: the report says why instead of failing.
    expect(report.usefulness).toBeNull();
    expect(report.usefulnessSkipped).toMatch(/too few rows/);
    expect(report.settings).toMatchObject({ seed: 3, holdout: true, knownColumns: ["c"], sensitiveColumns: ["d"], newRowTolerance: 0.01 });
    // JSON round trip keeps every number (NaN would become null).
    const json = JSON.parse(JSON.stringify(report));
    expect(json.quality.columnShapes).toBeCloseTo(report.quality.columnShapes, 15);
  });
  test("the HTML report is self-contained: inline SVG, no scripts, no external resources", async () => {
    const fixture = loadSdmetricsCase("penguins");
    const report = await scoreTables(fixture.real, fixture.synthetic["gaussian_copula"]!, {
      targetColumn: "Species",
      knownColumns: ["Island"],
      sensitiveColumns: ["Sex"],
      seed: 1,
    });
    const html = renderHtmlReport(report);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link /);
    // One distribution chart per column, two association matrices, the DCR histogram.
    expect((html.match(/<svg /g) ?? []).length).toBe(report.distributions.length + 3);
    expect(html).toContain(
      report.verdict.text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;").replaceAll("<", "&lt;").replaceAll(">", "&gt;"),
    );
    expect(html).toContain("Beak Length (mm)");
    expect(html).toContain("boosted-trees");
  });
  test("TableStructure sees an integer column that came back as float (pandas int64 vs float64)", async () => {
    const ints = table(numeric("n", [1, 2, 3], { integer: true }), categorical("c", ["a", "b", "a"]));
    const floats = table(numeric("n", [1.5, 2, 3]), categorical("c", ["a", "b", "a"]));
    const report = await scoreTables(ints, floats, { privacy: false });
    // {(n,int),(c,cat)} vs {(n,float),(c,cat)}: 1 shared of 3 distinct.
    expect(report.diagnostic.dataStructure).toBeCloseTo(1 / 3, 15);
  });
  test("progress is reported from 0 to 1", async () => {
    const fractions: number[] = [];
    await scoreTables(real, synthetic, { onProgress: (f) => fractions.push(f) });
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
  });
});

describe("privacyMaxRows: fidelity on all rows, privacy on seeded samples", () => {
  const fixture = loadSdmetricsCase("adult-2k");
  const synth = fixture.synthetic["gaussian_copula"]!;
  const holdout = fixture.holdout!;
  const options = { holdout, knownColumns: ["age", "sex"], sensitiveColumns: ["income"], seed: 4 };

  test("fidelity is unchanged; privacy equals scoring the samples themselves; the report says the sample sizes", async () => {
    const full = await scoreTables(fixture.real, synth, options);
    const bounded = await scoreTables(fixture.real, synth, { ...options, privacyMaxRows: 500 });
    expect(full.settings.privacySampleRows).toBeNull();
    expect(bounded.settings.privacySampleRows).toEqual({ real: 500, synthetic: 500, holdout: 500, maxRows: 500 });
    expect(bounded.settings.reference).toMatch(/privacy on seeded samples of at most 500 rows/);
    expect(bounded.tables.realRows).toBe(2000);
    expect(bounded.quality).toEqual(full.quality);
    expect(bounded.diagnostic).toEqual(full.diagnostic);
    // The samples are seeded (seed, seed+1, seed+2) uniform draws: scoring them directly gives the same privacy numbers.
    const direct = await scoreTables(sampleRows(fixture.real, 500, 4), sampleRows(synth, 500, 5), { ...options, holdout: sampleRows(holdout, 500, 6) });
    expect(bounded.privacy).toEqual(direct.privacy);
    expect(bounded.privacy).not.toEqual(full.privacy);
  });

  test("sampleRows keeps row order and whole rows, and leaves small tables alone", () => {
    expect(sampleRows(fixture.real, 5000, 1)).toBe(fixture.real);
    const sample = sampleRows(fixture.real, 300, 1);
    expect(sample.rowCount).toBe(300);
    const age = (t: typeof sample) => (t.columns[0] as { values: Float64Array }).values;
    const fnlwgt = (t: typeof sample) => (t.columns[2] as { values: Float64Array }).values;
    // fnlwgt is nearly unique per row: each sampled (age, fnlwgt) pair is a real row, in file order.
    let last = -1;
    for (let i = 0; i < 300; i++) {
      const at = fnlwgt(fixture.real).indexOf(fnlwgt(sample)[i]!, last + 1);
      expect(at).toBeGreaterThan(last);
      expect(age(fixture.real)[at]).toBe(age(sample)[i]);
      last = at;
    }
    expect(sampleRows(fixture.real, 300, 2)).not.toEqual(sample);
  });

  test("a bad bound is a clear error", async () => {
    await expect(scoreTables(fixture.real, synth, { privacyMaxRows: 0 })).rejects.toThrow(/privacyMaxRows must be a whole number/);
    await expect(scoreTables(fixture.real, synth, { privacyMaxRows: 2.5 })).rejects.toThrow(ScoreInputError);
  });
});

describe("DCR overfitting protection compares against equal-size references", () => {
  /** Rows from … to − 1 of a table. */
  const rowRange = (t: Table, from: number, to: number): Table => ({
    rowCount: to - from,
    columns: t.columns.map((c) => ("codes" in c ? { ...c, codes: c.codes.slice(from, to) } : { ...c, values: c.values.slice(from, to) }) as Column),
  });

  test("fresh rows of the population score about 1 (the full 2:1 training table pulls them to about 0.65)", async () => {
    // Adult: 20,000 training rows, 10,000 holdout rows, and 4,000 rows of adult_test.csv as a
    // "generator" that memorizes nothing. With equal sizes p(closer to training) ≈ ½; measured
    // 0.53–0.55 over seeds 1, 2 and 11 (each reference is scaled by its own column ranges, which
    // differ between 10,000-row blocks of adult.csv: 0.46 / 0.54 for two disjoint blocks swapped),
    // so the score 2(1 − p) is 0.90–0.94. Against all 20,000 training rows a fresh row is nearer a
    // training row 71% of the time: score 0.58.
    const adult = (await loadTable("fixtures/adult/adult.csv")).table;
    const fresh = (await loadTable("fixtures/adult/adult_test.csv", { schema: { version: 1, columns: adult.columns.map((c) => c.schema) } })).table;
    const report = await scoreTables(rowRange(adult, 0, 20_000), rowRange(fresh, 0, 4000), { holdout: rowRange(adult, 20_000, 30_000), seed: 11 });
    const overfitting = report.privacy!.dcrOverfittingProtection!;
    expect(overfitting).toMatchObject({ trainingRows: 10_000, trainingRowsTotal: 20_000, holdoutRows: 10_000, trainingSubsampled: true });
    expect(overfitting.score).toBeGreaterThan(0.85);
    expect(overfitting.fullTraining.score).toBeLessThan(0.65);
    expect(report.settings.sampling).toMatch(/DCR overfitting protection against a seeded sample of 10,000 training rows, the holdout's size/);
    expect(report.settings.allRows).toBe(false);
  }, 120_000);

  test("the training sample is seeded and a training table no larger than the holdout is used whole", async () => {
    const fixture = loadSdmetricsCase("adult-2k");
    const synth = fixture.synthetic["gaussian_copula"]!;
    const a = await scoreTables(fixture.real, synth, { holdout: fixture.holdout!, seed: 2, privacy: true });
    const b = await scoreTables(fixture.real, synth, { holdout: fixture.holdout!, seed: 2 });
    expect(a.privacy!.dcrOverfittingProtection).toEqual(b.privacy!.dcrOverfittingProtection);
    const small = await scoreTables(rowRange(fixture.real, 0, 900), synth, { holdout: fixture.holdout!, seed: 2 });
    expect(small.privacy!.dcrOverfittingProtection).toMatchObject({ trainingRows: 900, trainingSubsampled: false });
    expect(small.privacy!.dcrOverfittingProtection!.score).toBe(small.privacy!.dcrOverfittingProtection!.fullTraining.score);
    expect(small.settings.sampling).toBe("fidelity on all rows; privacy exact over all pairs");
    expect(small.settings.allRows).toBe(true);
  });
});
