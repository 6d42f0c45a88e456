/**
 * Scoring speed targets (issue 3), measured here and never in timed tests:
 * - the full Quality report (Column Shapes + Column Pair Trends, every row) on 1M × 15 rows
 *   in under 10 s;
 * - exact DCR of 100k synthetic against 100k real rows (15 mixed columns) in under 30 s on CPU.
 * Tables are generated (seeded): 6 correlated numeric columns (one a datetime) and 9 categorical
 * ones of 2–40 labels, with 2 % missing values; the synthetic table is a noisier draw.
 * Sizes can be lowered for a quick look: DATALAB_BENCH_QUALITY_ROWS, DATALAB_BENCH_DCR_ROWS.
 */
import * as os from "node:os";
import { activeDevice } from "../../kernels/index.js";
import type { Column, Table } from "../../tabular/index.js";
import { alignTables } from "../aligned-table.js";
import { diagnostic } from "../fidelity/diagnostic.js";
import { qualityReport } from "../fidelity/quality-report.js";
import { distanceToClosestRecord } from "../privacy/distance-metrics.js";
import { mixedRows, rowLayout } from "../privacy/mixed-rows.js";
import { SeededRandom } from "../seeded-random.js";

export const name = "scoring";

const QUALITY_TARGET_SECONDS = 10;
const DCR_TARGET_SECONDS = 30;
const CATEGORY_COUNTS = [2, 3, 5, 7, 9, 12, 16, 24, 40];

function envRows(variable: string, fallback: number): number {
  const value = Number(process.env[variable] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** A seeded 15-column table: numeric columns share a latent factor, categories follow it. */
export function generateTable(rows: number, seed: number, noise: number): Table {
  const random = new SeededRandom(seed);
  const latent = Float64Array.from({ length: rows }, () => random.normal());
  const missing = () => random.uniform() < 0.02;
  const columns: Column[] = [];
  for (let j = 0; j < 6; j++) {
    const values = new Float64Array(rows);
    const weight = 0.3 + 0.1 * j;
    for (let i = 0; i < rows; i++) values[i] = missing() ? Number.NaN : weight * latent[i]! + noise * random.normal();
    if (j === 5) {
      // A datetime column: epoch milliseconds around 2020.
      for (let i = 0; i < rows; i++) values[i] = Number.isNaN(values[i]!) ? Number.NaN : 1.58e12 + Math.round(values[i]! * 864e5 * 30);
      columns.push({ schema: { name: `t${j}`, type: "datetime", format: "%Y-%m-%d" }, values });
    } else {
      columns.push({ schema: { name: `n${j}`, type: "numerical", subtype: "float", decimals: 3, min: null, max: null }, values });
    }
  }
  CATEGORY_COUNTS.forEach((k, j) => {
    const codes = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      if (missing()) codes[i] = -1;
      else {
        const z = latent[i]! + noise * random.normal();
        const bucket = Math.floor((1 / (1 + Math.exp(-z))) * k);
        codes[i] = random.uniform() < 0.7 ? Math.min(k - 1, bucket) : random.integer(k);
      }
    }
    columns.push({ schema: { name: `c${j}`, type: "categorical" }, codes, categories: Array.from({ length: k }, (_, c) => `label${c}`) });
  });
  return { rowCount: rows, columns };
}

export async function run(): Promise<Record<string, unknown>> {
  const qualityRows = envRows("DATALAB_BENCH_QUALITY_ROWS", 1_000_000);
  const dcrRows = envRows("DATALAB_BENCH_DCR_ROWS", 100_000);

  const real = generateTable(qualityRows, 1, 1);
  const synthetic = generateTable(qualityRows, 2, 1.3);
  // CPU seconds beside wall seconds: on a shared 2-core machine the wall time also measures the
  // neighbours' load; the process CPU time (all threads) does not.
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let started = performance.now();
  let cpu = process.cpuUsage();
  const aligned = alignTables(real, synthetic);
  const quality = qualityReport(aligned.columns);
  const qualitySeconds = (performance.now() - started) / 1000;
  const qualityCpuSeconds = cpuSeconds(cpu);
  started = performance.now();
  diagnostic(aligned.columns);
  const diagnosticSeconds = (performance.now() - started) / 1000;

  const dcrReal = generateTable(dcrRows, 3, 1);
  const dcrSynthetic = generateTable(dcrRows, 4, 1.3);
  const dcrAligned = alignTables(dcrReal, dcrSynthetic);
  const layout = rowLayout(dcrAligned.columns);
  const context = { numericCount: layout.numeric.length, categoricalCount: layout.categorical.length };
  const realRows = mixedRows(layout, "real", dcrRows);
  const syntheticRows = mixedRows(layout, "synthetic", dcrRows);
  started = performance.now();
  cpu = process.cpuUsage();
  const dcr = await distanceToClosestRecord(syntheticRows, realRows, context);
  const dcrSeconds = (performance.now() - started) / 1000;
  const dcrCpuSeconds = cpuSeconds(cpu);
  const pairs = dcrRows * dcrRows;
  const scaledQualityTarget = (QUALITY_TARGET_SECONDS * qualityRows) / 1_000_000;
  const scaledDcrTarget = (DCR_TARGET_SECONDS * pairs) / 1e10;

  return {
    device: activeDevice(),
    loadAverage: os.loadavg(),
    quality: {
      rows: qualityRows,
      columns: real.columns.length,
      pairs: quality.pairs.length,
      seconds: qualitySeconds,
      cpuSeconds: qualityCpuSeconds,
      targetSeconds: scaledQualityTarget,
      pass: qualitySeconds < scaledQualityTarget,
      score: quality.score,
      diagnosticSeconds,
    },
    dcr: {
      syntheticRows: dcrRows,
      realRows: dcrRows,
      columns: context.numericCount + context.categoricalCount,
      seconds: dcrSeconds,
      cpuSeconds: dcrCpuSeconds,
      pairDistancesPerSecond: pairs / dcrSeconds,
      targetSeconds: scaledDcrTarget,
      pass: dcrSeconds < scaledDcrTarget,
      firstDcr: dcr[0],
    },
    note: qualityRows === 1_000_000 && dcrRows === 100_000 ? "full-size targets" : "reduced sizes: targets scaled linearly in rows (quality) and pairs (DCR)",
  };
}
