/**
 * Gaussian copula performance, every number next to its target (issue 2, on the 2-core machine):
 *  - fit Adult (32,561 × 15) in under 0.5 s — the first fit in a fresh process (cold) and the
 *    best of 3 after it (warm);
 *  - sample ≥ 1M rows/s into memory and ≥ 300k rows/s into a Parquet file (Adult model, 1M rows);
 *  - the same on a 1M-row table built from vega's flights-3m.parquet (fit time reported);
 *  - peak memory (max RSS of a child process) when sampling 10M Adult rows to a CSV file < 1 GiB;
 *  - fidelity against the best-known Python Gaussian copula on every SDMetrics reference case
 *    (benchmarks/fixtures/sdmetrics/): ours (5 seeds) vs the reference's scores.json, target ≥.
 * Load time (reading and typing the file) is reported separately: it is not part of the fit.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CopulaSampler, type CopulaModel, DEFAULT_CHUNK_ROWS, fitGaussianCopula, sampleTable, saveModel, sampleToFile } from "../../generators/index.js";
import { activeDevice } from "../../kernels/index.js";
import { loadTable } from "../../tabular/index.js";
import { tableFromCsv } from "../csv-table.js";
import { scoreTables } from "../index.js";
import { listSdmetricsCases, loadSdmetricsCase } from "../sdmetrics-case.js";

export const name = "copula";

// `npm run bench` runs in the repository root.
const ADULT = join(process.cwd(), "fixtures/adult/adult.csv");
const FLIGHTS = join(process.cwd(), "node_modules/vega-datasets/data/flights-3m.parquet");
const GIB = 1024 ** 3;
// The fixtures stay in the source tree (the bench runs from dist/, where sdmetrics-case.ts's default would point).
const SDMETRICS_CASES = join(process.cwd(), "benchmarks/fixtures/sdmetrics");

/**
 * Times `work` after a full GC (npm run bench passes --expose-gc), so garbage left by loading the
 * input is not billed to the fit or the sampler. Also returns the CPU seconds of the process (all
 * threads): on a shared machine the wall time depends on the load, the CPU time much less.
 */
async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Rows/s of the sampler into memory (chunks produced and dropped), best of 2, and its CPU seconds. */
async function inMemoryRowsPerSecond(model: CopulaModel, rows: number): Promise<{ rowsPerSecond: number; cpuSeconds: number }> {
  let best = 0;
  let cpuSeconds = Number.POSITIVE_INFINITY;
  for (let repeat = 0; repeat < 2; repeat++) {
    const sampler = new CopulaSampler(model, { seed: repeat });
    const run = await timed(async () => {
      for (let start = 0; start < rows; start += DEFAULT_CHUNK_ROWS) await sampler.sampleChunk(start, Math.min(DEFAULT_CHUNK_ROWS, rows - start));
    });
    best = Math.max(best, rows / run.seconds);
    cpuSeconds = Math.min(cpuSeconds, run.cpuSeconds);
  }
  return { rowsPerSecond: best, cpuSeconds };
}

async function fileRowsPerSecond(model: CopulaModel, path: string, rows: number): Promise<{ rowsPerSecond: number; bytes: number }> {
  const { seconds } = await timed(() => sampleToFile(model, path, rows, { seed: 1 }));
  const bytes = (await stat(path)).size;
  await rm(path, { force: true });
  return { rowsPerSecond: rows / seconds, bytes };
}

/** Samples 10M rows of a saved model to CSV in a child process and returns its peak RSS. */
function streamPeakRss(modelPath: string, outPath: string, rows: number): { maxRssBytes: number; seconds: number; ok: boolean; error?: string } {
  const generators = new URL("../../generators/index.js", import.meta.url).href;
  const script = [
    `const g = await import(${JSON.stringify(generators)});`,
    `const model = await g.loadModel(${JSON.stringify(modelPath)});`,
    "const t = performance.now();",
    `await g.sampleToFile(model, ${JSON.stringify(outPath)}, ${rows}, { seed: 1 });`,
    "process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) return { maxRssBytes: Number.NaN, seconds: Number.NaN, ok: false, error: child.stderr.split("\n")[0] ?? "failed" };
  const parsed = JSON.parse(child.stdout) as { seconds: number; maxRssBytes: number };
  return { ...parsed, ok: true };
}

interface ReferenceScores {
  quality: { overall: number; properties: Array<{ Property: string; Score: number }> };
  dcr_baseline_protection: { score: { mean: number } };
}

const REFERENCE_SEEDS = [0, 1, 2, 3, 4];

/**
 * Per case: our copula fitted on real.csv (typed from the case's SDV metadata), as many rows as
 * the reference's synthetic table, scored by our scorer (agrees with SDMetrics 0.29.0 within
 * 0.005); the reference's numbers are its scores.json, except the all-pairs trend score, which
 * only our scorer computes (run on the reference's synthetic table). Ours: mean and min of 5 seeds.
 */
export async function referenceComparison(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const caseName of listSdmetricsCases(SDMETRICS_CASES)) {
    const reference = loadSdmetricsCase(caseName, SDMETRICS_CASES);
    const referenceTable = reference.synthetic.gaussian_copula;
    if (referenceTable === undefined) continue;
    const scores = reference.scores.synthetic.gaussian_copula as unknown as ReferenceScores;
    const property = (label: string) => scores.quality.properties.find((p) => p.Property === label)?.Score ?? Number.NaN;
    const referenceAllPairs = (await scoreTables(reference.real, referenceTable, { privacy: false })).quality.allPairsTrends;
    const fit = await timed(() => fitGaussianCopula(reference.real));
    const runs: Array<Record<"quality" | "columnShapes" | "columnPairTrends" | "allPairsTrends" | "dcrBaselineProtection", number>> = [];
    for (const seed of REFERENCE_SEEDS) {
      const ours = await sampleTable(fit.value, referenceTable.rowCount, { seed });
      const report = await scoreTables(reference.real, ours, { seed });
      runs.push({
        quality: report.quality.score,
        columnShapes: report.quality.columnShapes,
        columnPairTrends: report.quality.columnPairTrends,
        allPairsTrends: report.quality.allPairsTrends,
        dcrBaselineProtection: report.privacy?.dcrBaselineProtection.score ?? Number.NaN,
      });
    }
    const referenceValues = {
      quality: scores.quality.overall,
      columnShapes: property("Column Shapes"),
      columnPairTrends: property("Column Pair Trends"),
      allPairsTrends: referenceAllPairs,
      dcrBaselineProtection: scores.dcr_baseline_protection.score.mean,
    };
    const metrics: Record<string, unknown> = {};
    for (const [metric, referenceValue] of Object.entries(referenceValues)) {
      const values = runs.map((r) => r[metric as keyof (typeof runs)[number]]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const min = Math.min(...values);
      // Fidelity: higher is better and the target is to beat the reference on every seed. DCR
      // baseline protection is a privacy trade-off (more faithful rows sit nearer the real ones):
      // reported, with no pass/fail.
      metrics[metric] =
        metric === "dcrBaselineProtection"
          ? { oursMean: mean, oursMin: min, reference: referenceValue }
          : { oursMean: mean, oursMin: min, reference: referenceValue, pass: min >= referenceValue };
    }
    out[caseName] = { realRows: reference.real.rowCount, syntheticRows: referenceTable.rowCount, seeds: REFERENCE_SEEDS, fitSeconds: fit.seconds, ...metrics };
  }
  return out;
}

/**
 * The yardstick for DCR on adult-2k: Adult rows 4000–5999 (people the model never saw) scored as
 * if they were synthetic, with rows 2000–3999 as holdout. A generator whose rows sit no nearer
 * the training rows than fresh data does is not memorizing, whatever the reference scores.
 */
async function adultPrivacyYardstick(): Promise<Record<string, unknown>> {
  const reference = loadSdmetricsCase("adult-2k", SDMETRICS_CASES);
  const lines = readFileSync(ADULT, "utf8").trimEnd().split("\n");
  const rowsOf = (from: number) => tableFromCsv([lines[0], ...lines.slice(1 + from, 1 + from + 2000)].join("\n"), reference.schema);
  const holdout = rowsOf(2000);
  const model = fitGaussianCopula(reference.real);
  const summary = async (table: Parameters<typeof scoreTables>[1]) => {
    const report = await scoreTables(reference.real, table, { holdout, seed: 0 });
    const privacy = report.privacy!;
    return {
      dcrBaselineProtection: privacy.dcrBaselineProtection.score,
      closerToTraining: privacy.dcrOverfittingProtection?.closerToTraining ?? null,
      membershipAuc: privacy.membershipInference?.auc ?? null,
    };
  };
  const fresh = await summary(rowsOf(4000));
  const ours = await summary(await sampleTable(model, 2000, { seed: 0 }));
  const referenceCopula = await summary(reference.synthetic.gaussian_copula!);
  return { freshRealRows: fresh, ours, reference: referenceCopula, oursNoNearerThanFresh: ours.dcrBaselineProtection >= fresh.dcrBaselineProtection };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "datalab-copula-bench-"));
  try {
    const adultLoad = await timed(() => loadTable(ADULT));
    const adult = adultLoad.value.table;
    const cold = await timed(() => fitGaussianCopula(adult));
    let warm = Number.POSITIVE_INFINITY;
    let warmCpu = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const again = await timed(() => fitGaussianCopula(adult));
      warm = Math.min(warm, again.seconds);
      warmCpu = Math.min(warmCpu, again.cpuSeconds);
    }
    const adultModel = cold.value;
    const adultInMemory = await inMemoryRowsPerSecond(adultModel, 1_000_000);
    const adultParquet = await fileRowsPerSecond(adultModel, join(dir, "adult.parquet"), 1_000_000);
    const adultCsv = await fileRowsPerSecond(adultModel, join(dir, "adult.csv"), 1_000_000);

    // 1M-row table from flights-3m.parquet (the first million rows, written once with DuckDB).
    const flightsPath = join(dir, "flights-1m.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_parquet('${FLIGHTS.replaceAll("'", "''")}') LIMIT 1000000) TO '${flightsPath}' (FORMAT parquet)`);
    connection.closeSync();
    const flightsLoad = await timed(() => loadTable(flightsPath));
    const flights = flightsLoad.value.table;
    const flightsFit = await timed(() => fitGaussianCopula(flights));
    const flightsInMemory = await inMemoryRowsPerSecond(flightsFit.value, 1_000_000);
    const flightsParquet = await fileRowsPerSecond(flightsFit.value, join(dir, "flights.parquet"), 1_000_000);

    const modelPath = join(dir, "adult.model.json");
    await saveModel(modelPath, adultModel);
    const stream = streamPeakRss(modelPath, join(dir, "adult-10m.csv"), 10_000_000);
    const versusReference = await referenceComparison();

    return {
      device: activeDevice().name,
      loadAverage1m: loadavg()[0],
      adult: {
        rows: adult.rowCount,
        columns: adult.columns.length,
        loadSeconds: adultLoad.seconds,
        fitSecondsCold: cold.seconds,
        fitCpuSecondsCold: cold.cpuSeconds,
        fitSecondsWarm: warm,
        fitCpuSecondsWarm: warmCpu,
        fitTargetSeconds: 0.5,
        fitPass: cold.seconds < 0.5,
        sampleInMemoryRowsPerSecond: adultInMemory.rowsPerSecond,
        sampleInMemoryCpuSecondsPerMillionRows: adultInMemory.cpuSeconds,
        sampleInMemoryTargetRowsPerSecond: 1_000_000,
        sampleInMemoryPass: adultInMemory.rowsPerSecond >= 1_000_000,
        sampleParquetRowsPerSecond: adultParquet.rowsPerSecond,
        sampleParquetTargetRowsPerSecond: 300_000,
        sampleParquetPass: adultParquet.rowsPerSecond >= 300_000,
        parquetBytesPerMillionRows: adultParquet.bytes,
        sampleCsvRowsPerSecond: adultCsv.rowsPerSecond,
      },
      flights1m: {
        rows: flights.rowCount,
        columns: flights.columns.map((c) => `${c.schema.name}:${c.schema.type}`),
        loadSeconds: flightsLoad.seconds,
        fitSeconds: flightsFit.seconds,
        fitCpuSeconds: flightsFit.cpuSeconds,
        sampleInMemoryRowsPerSecond: flightsInMemory.rowsPerSecond,
        sampleInMemoryCpuSecondsPerMillionRows: flightsInMemory.cpuSeconds,
        sampleInMemoryPass: flightsInMemory.rowsPerSecond >= 1_000_000,
        sampleParquetRowsPerSecond: flightsParquet.rowsPerSecond,
        sampleParquetPass: flightsParquet.rowsPerSecond >= 300_000,
      },
      stream10m: {
        rows: 10_000_000,
        format: "csv",
        seconds: stream.seconds,
        maxRssBytes: stream.maxRssBytes,
        maxRssTargetBytes: GIB,
        maxRssPass: stream.ok && stream.maxRssBytes < GIB,
        ...(stream.error === undefined ? {} : { error: stream.error }),
      },
      versusReferenceGaussianCopula: versusReference,
      adultPrivacyYardstick: await adultPrivacyYardstick(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
