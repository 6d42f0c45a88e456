/**
 * CTGAN at its defaults against our Gaussian copula on every SDMetrics reference case
 * (benchmarks/fixtures/sdmetrics/), issue 12: quality within 0.03 of the copula's on each table,
 * with the all-pairs trend score beside it, and seattle-weather's date × weather Cramér's V
 * (real 0.28; a monotone copula loses most of it). Both are fitted on real.csv, sample as many rows,
 * and are scored by our scorer (agrees with SDMetrics 0.29.0 within 0.005).
 * Each run also lists its column shapes and counted pairs (those SDMetrics' score averages), so a
 * gap can be traced to the columns and pairs that lose it.
 * `DATALAB_CTGAN_SDMETRICS_SEEDS` (default "0") sets the seeds; `uptime` is recorded at the start and end.
 */
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fitGaussianCopula, fitSynthModel, sampleSynthTable, sampleTable } from "../../generators/index.js";
import { listSdmetricsCases, loadSdmetricsCase } from "../sdmetrics-case.js";
import { scoreTables } from "../index.js";
import type { Table } from "../../tabular/index.js";

export const name = "ctgan-sdmetrics";

const CASES = join(process.cwd(), "benchmarks/fixtures/sdmetrics");
const SEEDS = (process.env["DATALAB_CTGAN_SDMETRICS_SEEDS"] ?? "0").split(",").map(Number);

interface Scores {
  quality: number;
  columnShapes: number;
  columnPairTrends: number;
  allPairsTrends: number;
  dateWeatherCramersV?: { real: number | null; synthetic: number | null };
  /** Every counted pair (real trend above SDMetrics' threshold) with its score, for where CTGAN loses against the copula. */
  countedPairs: Record<string, number>;
  /** Each column's shape score. */
  shapes: Record<string, number>;
}

async function scoresOf(real: Table, synthetic: Table, seed: number, caseName: string): Promise<Scores> {
  const report = await scoreTables(real, synthetic, { seed, privacy: false });
  const scores: Scores = {
    quality: report.quality.score,
    columnShapes: report.quality.columnShapes,
    columnPairTrends: report.quality.columnPairTrends,
    allPairsTrends: report.quality.allPairsTrends,
    countedPairs: Object.fromEntries(report.quality.pairs.filter((p) => p.meetsThreshold).map((p) => [`${p.column1} × ${p.column2}`, p.score])),
    shapes: Object.fromEntries(report.quality.shapes.map((s) => [s.column, s.score])),
  };
  if (caseName === "seattle-weather") {
    const pair = report.quality.pairs.find((p) => [p.column1, p.column2].includes("date") && [p.column1, p.column2].includes("weather"));
    scores.dateWeatherCramersV = { real: pair?.realAssociation ?? null, synthetic: pair?.syntheticAssociation ?? null };
  }
  return scores;
}

export async function run(): Promise<Record<string, unknown>> {
  // The machine may be shared: fidelity does not depend on its load, the fit times do.
  const uptime = (): string => execFileSync("uptime", { encoding: "utf8" }).trim();
  const out: Record<string, unknown> = { seeds: SEEDS, target: "CTGAN quality ≥ copula quality − 0.03 on every case", uptimeAtStart: uptime() };
  for (const caseName of listSdmetricsCases(CASES)) {
    const reference = loadSdmetricsCase(caseName, CASES);
    const real = reference.real;
    const copula = fitGaussianCopula(real);
    const runs: Record<string, unknown>[] = [];
    for (const seed of SEEDS) {
      const copulaScores = await scoresOf(real, await sampleTable(copula, real.rowCount, { seed }), seed, caseName);
      const started = performance.now();
      const model = fitSynthModel(real, reference.schema, { model: "ctgan", neural: { seed } });
      const fitSeconds = (performance.now() - started) / 1000;
      const ctganScores = await scoresOf(real, await sampleSynthTable(model, real.rowCount, { seed }), seed, caseName);
      const training = model.training as { epochs?: number; batchSize?: number };
      runs.push({
        seed,
        ctgan: { ...ctganScores, epochs: training.epochs, batchSize: training.batchSize, fitSeconds, loadAverage1m: loadavg()[0] },
        copula: copulaScores,
        qualityGap: ctganScores.quality - copulaScores.quality,
      });
      process.stderr.write(`bench ctgan-sdmetrics: ${caseName} ${JSON.stringify(runs.at(-1))}\n`);
    }
    const gaps = runs.map((r) => r["qualityGap"] as number);
    out[caseName] = { rows: real.rowCount, runs, meanQualityGap: gaps.reduce((a, b) => a + b, 0) / gaps.length, meetsTarget: gaps.every((g) => g >= -0.03) };
  }
  out["uptimeAtEnd"] = uptime();
  return out;
}
