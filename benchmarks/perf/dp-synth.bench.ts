/**
 * Differentially private synthesizers on Adult (issue 11): fidelity vs ε for MST and the DP copula,
 * ε ∈ {0.1, 0.3, 1, 3, 10}, 3 seeds each (noise from the seeded source with that seed — the same
 * noise distribution as node:crypto, but rerunnable — and sampling with the same seed):
 *  - SDMetrics-identical Quality (column shapes, column pair trends) and all-pairs trends;
 *  - train on synthetic, test on fixtures/adult/adult_test.csv (accuracy and F1 of each model),
 *    next to the same models trained on the real rows;
 *  - wall time of fit + sample (target ≤ 10 s at ε = 1) and memory (RSS after the run, peak RSS).
 * Targets at ε = 1 (mean of 3 seeds): MST ≥ 0.97, DP copula ≥ 0.92.
 * Then the non-private tree (Chow–Liu, `--model mst` without ε) against our Gaussian copula on
 * Adult and the three SDMetrics cases, to say on which tables the tree is the better default.
 */
import { join } from "node:path";
import { type ScoreReport, scoreTables } from "../index.js";
import { checkDpRequest, fitChowLiu, fitDpCopula, fitGaussianCopula, fitMst, type SynthModel, sampleSynthTable } from "../../generators/index.js";
import { createSeededSource } from "../../privacy/index.js";
import { loadTable, type Table, type TableSchema } from "../../tabular/index.js";
import { listSdmetricsCases, loadSdmetricsCase } from "../sdmetrics-case.js";

export const name = "dp-synth";

const ADULT = join(process.cwd(), "fixtures/adult/adult.csv");
const ADULT_TEST = join(process.cwd(), "fixtures/adult/adult_test.csv");
const SDMETRICS_CASES = join(process.cwd(), "benchmarks/fixtures/sdmetrics");
const EPSILONS = [0.1, 0.3, 1, 3, 10];
const SEEDS = [1, 2, 3];

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** The schema a user writes with `datalab schema --categories`: the declared domain of a private fit. */
export function declaredSchema(table: Table, schema: TableSchema): TableSchema {
  return {
    ...schema,
    columns: schema.columns.map((column, i) => {
      const data = table.columns[i];
      return column.type === "categorical" && data !== undefined && "categories" in data ? { ...column, categories: [...data.categories].sort() } : column;
    }),
  };
}

export function usefulnessOf(report: ScoreReport): Record<string, unknown> | null {
  const u = report.usefulness;
  if (u === null) return null;
  return {
    testSource: u.testSource,
    ratio: u.ratio,
    models: Object.fromEntries(u.models.map((m) => [m.model, { synthetic: m.trainedOnSynthetic, real: m.trainedOnReal }])),
  };
}

export async function fidelity(real: Table, synthetic: Table, holdout?: Table): Promise<{ report: ScoreReport; scoreSeconds: number }> {
  const started = performance.now();
  const report = await scoreTables(real, synthetic, { privacy: false, ...(holdout === undefined ? {} : { holdout, targetColumn: "income" }) });
  return { report, scoreSeconds: (performance.now() - started) / 1000 };
}

interface RunResult {
  seed: number;
  quality: number;
  columnShapes: number;
  columnPairTrends: number;
  allPairsTrends: number;
  usefulness: Record<string, unknown> | null;
  fitSeconds: number;
  fitAndSampleSeconds: number;
  scoreSeconds: number;
  rssBytesAfterRun: number;
}

async function privateRuns(model: "mst" | "dp-copula", real: Table, schema: TableSchema, holdout: Table): Promise<Record<string, unknown>> {
  const byEpsilon: Record<string, unknown> = {};
  for (const epsilon of EPSILONS) {
    const runs: RunResult[] = [];
    for (const seed of SEEDS) {
      (globalThis as { gc?: () => void }).gc?.();
      const request = checkDpRequest(model, epsilon, undefined, real.rowCount)!;
      const started = performance.now();
      const fitted: SynthModel =
        model === "mst" ? fitMst(real, schema, request, createSeededSource(seed)) : fitDpCopula(real, schema, request, createSeededSource(seed));
      const fitSeconds = (performance.now() - started) / 1000;
      const synthetic = await sampleSynthTable(fitted, real.rowCount, { seed });
      const seconds = (performance.now() - started) / 1000;
      const rssBytes = process.memoryUsage().rss;
      const { report, scoreSeconds } = await fidelity(real, synthetic, holdout);
      runs.push({
        seed,
        quality: report.quality.score,
        columnShapes: report.quality.columnShapes,
        columnPairTrends: report.quality.columnPairTrends,
        allPairsTrends: report.quality.allPairsTrends,
        usefulness: usefulnessOf(report),
        fitSeconds,
        fitAndSampleSeconds: seconds,
        scoreSeconds,
        rssBytesAfterRun: rssBytes,
      });
      process.stderr.write(`dp-synth: ${model} ε=${epsilon} seed ${seed}: quality ${report.quality.score.toFixed(4)} in ${seconds.toFixed(2)} s\n`);
    }
    const accuracy = (r: RunResult) => {
      const models = (r.usefulness?.["models"] ?? {}) as Record<string, { synthetic: { accuracy?: number } }>;
      return mean(Object.values(models).map((m) => m.synthetic.accuracy ?? Number.NaN));
    };
    byEpsilon[String(epsilon)] = {
      meanQuality: mean(runs.map((r) => r.quality)),
      meanColumnShapes: mean(runs.map((r) => r.columnShapes)),
      meanColumnPairTrends: mean(runs.map((r) => r.columnPairTrends)),
      meanAllPairsTrends: mean(runs.map((r) => r.allPairsTrends)),
      meanSyntheticTrainedAccuracy: mean(runs.map(accuracy)),
      meanFitAndSampleSeconds: mean(runs.map((r) => r.fitAndSampleSeconds)),
      maxFitAndSampleSeconds: Math.max(...runs.map((r) => r.fitAndSampleSeconds)),
      runs,
    };
  }
  return byEpsilon;
}

/** Chow–Liu vs our Gaussian copula, both non-private, on each table (seeds 1–3). */
async function treeVersusCopula(label: string, real: Table): Promise<Record<string, unknown>> {
  const scores = { chowLiu: [] as number[], copula: [] as number[] };
  const models = { chowLiu: fitChowLiu(real, { version: 1, columns: real.columns.map((c) => c.schema) }), copula: fitGaussianCopula(real) };
  for (const seed of SEEDS) {
    for (const key of ["chowLiu", "copula"] as const) {
      const synthetic = await sampleSynthTable(models[key], real.rowCount, { seed });
      scores[key].push((await fidelity(real, synthetic)).report.quality.score);
    }
  }
  const result = { chowLiu: mean(scores.chowLiu), copula: mean(scores.copula), better: mean(scores.chowLiu) > mean(scores.copula) ? "chow-liu" : "copula" };
  process.stderr.write(`dp-synth: ${label}: Chow–Liu ${result.chowLiu.toFixed(4)} vs copula ${result.copula.toFixed(4)}\n`);
  return result;
}

export async function run(): Promise<Record<string, unknown>> {
  const inferred = await loadTable(ADULT);
  const schema = declaredSchema(inferred.table, inferred.schema);
  const real = (await loadTable(ADULT, { schema })).table;
  const holdout = (await loadTable(ADULT_TEST, { schema })).table;
  const result: Record<string, unknown> = {
    table: {
      path: "fixtures/adult/adult.csv",
      rows: real.rowCount,
      columns: real.columns.length,
      holdout: "fixtures/adult/adult_test.csv",
      holdoutRows: holdout.rowCount,
    },
    delta: 1e-9,
    noise: "seeded AES-256-CTR source with the run's seed (same distribution as node:crypto; rerunnable)",
    targets: { epsilon: 1, mstQuality: 0.97, dpCopulaQuality: 0.92, seconds: 10 },
  };
  result["mst"] = await privateRuns("mst", real, schema, holdout);
  result["dpCopula"] = await privateRuns("dp-copula", real, schema, holdout);
  const baseline = await fidelity(real, await sampleSynthTable(fitGaussianCopula(real), real.rowCount, { seed: 1 }), holdout);
  result["nonPrivateCopulaOnAdult"] = { quality: baseline.report.quality.score, usefulness: usefulnessOf(baseline.report) };
  const tree: Record<string, unknown> = { adult: await treeVersusCopula("adult", real) };
  for (const name of listSdmetricsCases(SDMETRICS_CASES)) tree[name] = await treeVersusCopula(name, loadSdmetricsCase(name, SDMETRICS_CASES).real);
  result["chowLiuVersusCopula"] = tree;
  result["peakRssBytes"] = process.resourceUsage().maxRSS * 1024;
  return result;
}
