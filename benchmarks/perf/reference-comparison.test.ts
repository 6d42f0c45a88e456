/**
 * Our Gaussian copula against the best-known Python Gaussian copula, on every SDMetrics
 * reference case (benchmarks/fixtures/sdmetrics/<case>/): fit on `real.csv` typed from the
 * case's SDV metadata (so column types match the reference's), sample as many rows as the
 * reference's synthetic table, score with our scorer (which agrees with SDMetrics 0.29.0 within
 * 0.005, benchmarks/sdmetrics-agreement.test.ts), and compare with the reference's scores.json.
 *
 * Asserted: SDMetrics Quality overall, Column Shapes and Column Pair Trends ≥ the reference's.
 * The margins are wide (≥ 0.015 on every number at seed 0, see the printed table and the
 * copula bench), so a fixed seed does not make this a lucky pass; the assertion has no slack.
 * Reported beside them: the all-pairs trend score (our scorer on both tables), DCR baseline
 * protection, DCR overfitting protection (cases with a holdout) and NewRowSynthesis.
 *
 * We lose on DCR baseline protection (≈0.20 vs 0.45 on adult-2k), and the last test says why
 * that is not memorization: rows of new people from the same population (Adult rows the model
 * never saw) score LOWER still (≈0.17), i.e. the reference's synthetic rows sit far from the
 * real ones because they are off the data's distribution (its capital-gain KS is 0.105), not
 * because it protects better. Our rows are no nearer the training rows than fresh data is.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { fitGaussianCopula, sampleTable } from "../../generators/index.js";
import { tableFromCsv } from "../csv-table.js";
import { scoreTables } from "../index.js";
import { listSdmetricsCases, loadSdmetricsCase } from "../sdmetrics-case.js";

interface ReferenceScores {
  quality: { overall: number; properties: Array<{ Property: string; Score: number }> };
  dcr_baseline_protection: { score: { mean: number } };
  dcr_overfitting_protection?: { score: number } | null;
  new_row_synthesis: number | null;
}

const cases = listSdmetricsCases();

describe("our copula vs the reference Python Gaussian copula (SDMetrics 0.29.0 scores)", () => {
  test("there are reference cases to compare with", () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of cases) {
    test(`${name}: quality, column shapes and pair trends ≥ the reference's`, async () => {
      const reference = loadSdmetricsCase(name);
      const referenceTable = reference.synthetic.gaussian_copula;
      expect(referenceTable).toBeDefined();
      const referenceScores = reference.scores.synthetic.gaussian_copula as unknown as ReferenceScores;
      const property = (label: string) => referenceScores.quality.properties.find((p) => p.Property === label)!.Score;

      const model = fitGaussianCopula(reference.real);
      const ours = await sampleTable(model, referenceTable!.rowCount, { seed: 0n });
      expect(ours.rowCount).toBe(referenceTable!.rowCount);
      const holdout = reference.holdout === undefined ? {} : { holdout: reference.holdout };
      const report = await scoreTables(reference.real, ours, { seed: 0, ...holdout });
      // The reference table under our scorer, for the one number scores.json lacks (all-pairs trends).
      const referenceReport = await scoreTables(reference.real, referenceTable!, { seed: 0, privacy: false });

      const rows = [
        ["quality", report.quality.score, referenceScores.quality.overall],
        ["columnShapes", report.quality.columnShapes, property("Column Shapes")],
        ["columnPairTrends", report.quality.columnPairTrends, property("Column Pair Trends")],
        ["allPairsTrends", report.quality.allPairsTrends, referenceReport.quality.allPairsTrends],
        ["dcrBaselineProtection", report.privacy!.dcrBaselineProtection.score, referenceScores.dcr_baseline_protection.score.mean],
        // scores.json holds SDMetrics' figure against the whole training table: compare ours on the same footing.
        [
          "dcrOverfittingProtection (full)",
          report.privacy!.dcrOverfittingProtection?.fullTraining.score ?? null,
          referenceScores.dcr_overfitting_protection?.score ?? null,
        ],
        ["newRowSynthesis", report.privacy!.newRowSynthesis.score, referenceScores.new_row_synthesis],
      ] as const;
      console.info(`${name} (ours vs reference):\n${rows.map(([k, o, r]) => `  ${k.padEnd(26)} ${o?.toFixed(4) ?? "—"}  ${r?.toFixed(4) ?? "—"}`).join("\n")}`);

      expect(report.quality.score).toBeGreaterThanOrEqual(referenceScores.quality.overall);
      expect(report.quality.columnShapes).toBeGreaterThanOrEqual(property("Column Shapes"));
      expect(report.quality.columnPairTrends).toBeGreaterThanOrEqual(property("Column Pair Trends"));
      expect(report.quality.allPairsTrends).toBeGreaterThanOrEqual(referenceReport.quality.allPairsTrends);
      // Privacy floor, not a race: no synthetic row may copy a real one.
      expect(report.privacy!.newRowSynthesis.score).toBeGreaterThanOrEqual(0.99);
    }, 60_000);
  }

  test("adult-2k: our rows are no nearer the training rows than fresh rows of the same population", async () => {
    const reference = loadSdmetricsCase("adult-2k");
    // real.csv is rows 0–1999 of the Adult file; rows 2000–3999 and 4000–5999 are people the
    // model never saw: a same-population holdout and a "perfect generator" yardstick.
    const lines = readFileSync(new URL("../../fixtures/adult/adult.csv", import.meta.url), "utf8")
      .trimEnd()
      .split("\n");
    const rowsOf = (from: number) => tableFromCsv([lines[0], ...lines.slice(1 + from, 1 + from + 2000)].join("\n"), reference.schema);
    const holdout = rowsOf(2000);
    const fresh = rowsOf(4000);
    const ours = await sampleTable(fitGaussianCopula(reference.real), 2000, { seed: 0n });
    const freshReport = await scoreTables(reference.real, fresh, { holdout, seed: 0 });
    const ourReport = await scoreTables(reference.real, ours, { holdout, seed: 0 });
    const line = (label: string, r: typeof ourReport) =>
      `  ${label.padEnd(10)} DCR baseline ${r.privacy!.dcrBaselineProtection.score.toFixed(4)}, closer to training ${r.privacy!.dcrOverfittingProtection!.closerToTraining.toFixed(3)}, membership AUC ${r.privacy!.membershipInference!.auc.toFixed(3)}`;
    console.info(`adult-2k privacy yardstick (holdout: Adult rows 2000–3999):\n${line("fresh rows", freshReport)}\n${line("ours", ourReport)}`);
    // Measured at seed 0: 0.204 (ours) vs 0.172 (fresh); ours over seeds 0–4 ≥ 0.200 (copula bench).
    expect(ourReport.privacy!.dcrBaselineProtection.score).toBeGreaterThanOrEqual(freshReport.privacy!.dcrBaselineProtection.score);
    // Membership inference from DCR to the synthetic rows: ≈ chance (0.518 measured; fresh rows 0.512).
    expect(ourReport.privacy!.membershipInference!.auc).toBeLessThan(0.55);
    // Share of synthetic rows nearer a training row than a holdout row: 0.574 measured vs fresh
    // rows' 0.557 (two unseen samples also differ by chance); 0.6 would mean clear leaning on training rows.
    expect(ourReport.privacy!.dcrOverfittingProtection!.closerToTraining).toBeLessThan(0.6);
  }, 60_000);
});
