/**
 * GPU check, second part: a full CTGAN run on Adult on the card (issue 12's GPU targets: CSV →
 * model ≤ 30 s at the default 300 epochs, sampling 1M rows ≤ 1 s), packaged by prepare.sh next to
 * check.js. Run on the GPU machine after check.js:
 *
 *     DATALAB_DEVICE=cuda .gpu/node .gpu/ctgan-adult-run.js
 *
 * Times, separately: reading and typing the CSV, fitting the row encoding and training (300
 * epochs, batch 500, pac 10 — the reference's settings), the sampling calibration, and sampling
 * 1,000,000 rows; scores the sample's quality against the training table (a sanity check that the
 * card trained a usable model: ≥ 0.85). Writes $OUT/ctgan-adult-run.json (or ./ctgan-adult-run.json).
 * CTGAN_RUN_EPOCHS / CTGAN_RUN_ROWS shorten it (a dry run on the CPU: DATALAB_DEVICE=cpu
 * CTGAN_RUN_EPOCHS=1 CTGAN_RUN_ROWS=20000). Exit 1 when the sanity check fails.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { scoreTables } from "../../benchmarks/index.js";
import { engineNetwork, fitNeuralModel } from "../../generators/ctgan/fit-neural.js";
import { NeuralSampler } from "../../generators/ctgan/neural-sampler.js";
import { loadTable } from "../../tabular/index.js";

const epochs = Number(process.env["CTGAN_RUN_EPOCHS"] ?? 300);
const sampleRows = Number(process.env["CTGAN_RUN_ROWS"] ?? 1_000_000);
const csv = process.env["CTGAN_RUN_CSV"] ?? path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "fixtures", "adult", "adult.csv");

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

const started = performance.now();
const loaded = await loadTable(csv);
const loadSeconds = seconds(started);
let trainingStarted = performance.now();
let firstEpochSeconds = 0;
let laterEpochsSeconds = 0;
const fitStarted = performance.now();
const model = fitNeuralModel(loaded.table, {
  generator: "ctgan",
  epochs,
  batchSize: 500,
  seed: 0,
  onEpoch: (epoch) => {
    // The first epoch includes the row encoding and the device's warm-up.
    if (epoch === 1) {
      firstEpochSeconds = seconds(trainingStarted);
      trainingStarted = performance.now();
    } else laterEpochsSeconds = seconds(trainingStarted);
  },
});
const fitSeconds = seconds(fitStarted);
new NeuralSampler(model, engineNetwork(model), { seed: 1 }).sampleChunk(0, 4096); // builds the network on the device before the timed run
const sampleStarted = performance.now();
const fresh = new NeuralSampler(model, engineNetwork(model), { seed: 2 });
const sample = fresh.sampleChunk(0, sampleRows);
const sampleSeconds = seconds(sampleStarted);
// Quality on as many sampled rows as the training table has (the scorer's cost grows with rows).
const scored = await scoreTables(loaded.table, sliceRows(sample, loaded.table.rowCount), { seed: 0, privacy: false });

function sliceRows<T extends { rowCount: number; columns: unknown[] }>(table: T, rows: number): T {
  const n = Math.min(rows, table.rowCount);
  const columns = table.columns.map((column) => {
    const c = column as { codes?: Int32Array; values?: Float64Array | unknown[] };
    if (c.codes) return { ...c, codes: c.codes.subarray(0, n) };
    if (c.values instanceof Float64Array) return { ...c, values: c.values.subarray(0, n) };
    if (Array.isArray(c.values)) return { ...c, values: c.values.slice(0, n) };
    return c;
  });
  return { ...table, rowCount: n, columns };
}

const result = {
  device: model.training.device,
  epochs,
  batchSize: 500,
  rows: loaded.table.rowCount,
  loadSeconds,
  fitSeconds,
  csvToModelSeconds: loadSeconds + fitSeconds,
  firstEpochSeconds,
  secondsPerEpoch: epochs > 1 ? laterEpochsSeconds / (epochs - 1) : firstEpochSeconds,
  sampleRows,
  sampleSeconds,
  quality: scored.quality.score,
  targets: { csvToModelSeconds: 30, sampleSecondsPerMillionRows: 1 },
};
const out = path.join(process.env["OUT"] ?? ".", "ctgan-adult-run.json");
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `ctgan adult on ${result.device}: CSV → model ${result.csvToModelSeconds.toFixed(1)} s (load ${loadSeconds.toFixed(1)} s, ${epochs} epochs, ${result.secondsPerEpoch.toFixed(3)} s/epoch after the first), sampling ${sampleRows} rows ${sampleSeconds.toFixed(2)} s, quality ${result.quality.toFixed(3)}; written to ${out}\n`,
);
process.exitCode = result.quality >= 0.85 || epochs < 50 ? 0 : 1;
