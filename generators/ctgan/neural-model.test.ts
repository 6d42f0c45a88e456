/**
 * CTGAN and TVAE end to end on a small real table (seattle-weather, few steps): fit, save, load,
 * sample; the same seed gives byte-identical model files and samples; bad settings and damaged
 * or foreign model files are refused with one-line errors.
 */
import { describe, expect, test } from "vitest";
import { loadTable } from "../../tabular/index.js";
import { TrainingInputError } from "../errors.js";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_TRAINING_STEPS,
  defaultBatchSize,
  defaultCriticSteps,
  defaultEpochs,
  engineNetwork,
  fitNeuralModel,
  MAX_DEFAULT_EPOCHS,
  SMALL_TABLE_CRITIC_STEPS,
  SMALL_TABLE_CTGAN_STEPS,
  SMALL_TABLE_ROWS,
} from "./fit-neural.js";
import { NeuralSampler } from "./neural-sampler.js";
import { parseNeuralModel, serializeNeuralModel } from "./neural-model.js";

const weather = (await loadTable("node_modules/vega-datasets/data/seattle-weather.csv")).table;
/** The first 600 days: a few training steps keep the test fast. */
const small = {
  rowCount: 600,
  columns: weather.columns.map((c) =>
    "codes" in c ? { ...c, codes: c.codes.subarray(0, 600) } : { ...c, values: (c as { values: Float64Array }).values.subarray(0, 600) },
  ),
} as typeof weather;

describe.each(["ctgan", "tvae"] as const)("%s on seattle-weather", (generator) => {
  const options = { generator, epochs: 1, batchSize: 100, seed: 7n };
  const model = fitNeuralModel(small, options);

  test("the same seed gives a byte-identical model file; another seed does not", () => {
    expect(serializeNeuralModel(fitNeuralModel(small, options))).toBe(serializeNeuralModel(model));
    expect(serializeNeuralModel(fitNeuralModel(small, { ...options, seed: 8n }))).not.toBe(serializeNeuralModel(model));
  });

  test("samples decode to valid rows, identical for a seed whatever the chunk size", () => {
    const text = serializeNeuralModel(model);
    const loaded = parseNeuralModel(JSON.parse(text) as Record<string, unknown>, "m.json");
    const a = new NeuralSampler(loaded, engineNetwork(loaded), { seed: 3n }).sampleChunk(0, 5000);
    const sampler = new NeuralSampler(loaded, engineNetwork(loaded), { seed: 3n });
    const b1 = sampler.sampleChunk(0, 1234);
    const b2 = sampler.sampleChunk(1234, 5000 - 1234);
    const weatherIndex = weather.columns.findIndex((c) => c.schema.name === "weather");
    const codes = (a.columns[weatherIndex] as { codes: Int32Array }).codes;
    expect(Array.from(codes.subarray(0, 1234))).toEqual(Array.from((b1.columns[weatherIndex] as { codes: Int32Array }).codes));
    expect(Array.from(codes.subarray(1234))).toEqual(Array.from((b2.columns[weatherIndex] as { codes: Int32Array }).codes));
    const temp = (a.columns.find((c) => c.schema.name === "temp_max") as { values: Float64Array }).values;
    const real = (weather.columns.find((c) => c.schema.name === "temp_max") as { values: Float64Array }).values;
    const [lo, hi] = [Math.min(...real), Math.max(...real)];
    for (const v of temp) expect(v >= lo && v <= hi).toBe(true);
  });
});

describe("bad settings and model files", () => {
  test("too few rows for a batch, --epochs 0, a batch that is not a multiple of pac", () => {
    expect(() => fitNeuralModel(weather, { generator: "ctgan", epochs: 1, batchSize: 5000 })).toThrow(TrainingInputError);
    expect(() => fitNeuralModel(weather, { generator: "ctgan", epochs: 1, batchSize: 5000 })).toThrow(
      /1461 rows, fewer than one batch of 5000; pass --batch-size 1460/,
    );
    expect(() => fitNeuralModel(weather, { generator: "tvae", epochs: 0 })).toThrow(/--epochs must be a whole number ≥ 1/);
    expect(() => fitNeuralModel(weather, { generator: "ctgan", epochs: 1, batchSize: 25 })).toThrow(/multiple of 10/);
  });

  test("defaults: batch 200, smaller for a small table (≥ 2 CTGAN / 5 TVAE steps an epoch), epochs from the step budget; too few rows is refused", () => {
    expect(defaultBatchSize("ctgan", 32_561)).toBe(DEFAULT_BATCH_SIZE);
    expect(defaultBatchSize("ctgan", 1000)).toBe(DEFAULT_BATCH_SIZE);
    // penguins: ⌊344 / 2⌋ rounded down to a multiple of pac 10.
    expect(defaultBatchSize("ctgan", 344)).toBe(170);
    expect(defaultBatchSize("ctgan", 250)).toBe(120);
    expect(defaultBatchSize("tvae", 344)).toBe(68);
    expect(defaultEpochs("ctgan", 32_561, 200)).toBe(Math.ceil(DEFAULT_TRAINING_STEPS.ctgan / 162));
    // A table below SMALL_TABLE_ROWS: the small-table budget of generator steps, 5 critic steps each;
    // 2 steps an epoch on penguins, 5 on 1,000 rows. Adult's size: one critic step.
    expect(defaultEpochs("ctgan", 344, 170) * 2).toBe(SMALL_TABLE_CTGAN_STEPS);
    expect(defaultEpochs("ctgan", 344, 170)).toBeLessThanOrEqual(MAX_DEFAULT_EPOCHS);
    expect(defaultEpochs("ctgan", 1000, 200)).toBe(SMALL_TABLE_CTGAN_STEPS / 5);
    expect(defaultEpochs("ctgan", SMALL_TABLE_ROWS, 200)).toBe(DEFAULT_TRAINING_STEPS.ctgan / 25);
    expect([344, SMALL_TABLE_ROWS - 1, SMALL_TABLE_ROWS, 32_561].map((rows) => defaultCriticSteps("ctgan", rows))).toEqual([5, 5, 1, 1]);
    expect(defaultCriticSteps("tvae", 344)).toBe(1);
    // One step an epoch: the cap, not the 3,000-step budget.
    expect(defaultEpochs("tvae", 50, 50)).toBe(MAX_DEFAULT_EPOCHS);
    const tiny = {
      rowCount: 200,
      columns: small.columns.map((c) =>
        "codes" in c ? { ...c, codes: c.codes.subarray(0, 200) } : { ...c, values: (c as { values: Float64Array }).values.subarray(0, 200) },
      ),
    } as typeof small;
    expect(() => fitNeuralModel(tiny, { generator: "ctgan" })).toThrow(TrainingInputError);
    expect(() => fitNeuralModel(tiny, { generator: "ctgan" })).toThrow(/200 rows; a ctgan model needs at least 250 .* use --model copula/);
  });
});

test("CTGAN's critic steps: a small table records 5 by default; 5 and 1 train different weights; the same setting the same bits", () => {
  const trainWith = (criticSteps?: number) =>
    fitNeuralModel(small, { generator: "ctgan", epochs: 1, batchSize: 100, seed: 3n, ...(criticSteps === undefined ? {} : { criticSteps }) });
  const byDefault = trainWith();
  expect(byDefault.training.criticSteps).toBe(SMALL_TABLE_CRITIC_STEPS);
  expect(trainWith(SMALL_TABLE_CRITIC_STEPS).weights).toBe(byDefault.weights);
  const one = trainWith(1);
  expect(one.training.criticSteps).toBe(1);
  expect(one.weights).not.toBe(byDefault.weights);
  expect(() => trainWith(0)).toThrow(/criticSteps must be a whole number ≥ 1/);
});

describe("a table without categorical columns (no conditional vector)", () => {
  test.each(["ctgan", "tvae"] as const)("%s trains and samples", (generator) => {
    const numeric = { rowCount: small.rowCount, columns: small.columns.filter((c) => c.schema.type === "numerical") } as typeof small;
    const model = fitNeuralModel(numeric, { generator, epochs: 1, batchSize: 100, seed: 1n });
    expect(model.network.condWidth).toBe(0);
    const table = new NeuralSampler(model, engineNetwork(model), { seed: 1n }).sampleChunk(0, 50);
    expect(table.rowCount).toBe(50);
  });
});
