/**
 * CTGAN's sampling calibration on a real table (Adult, a short training run of 2 epochs): category
 * frequencies reproduced, no row with a category pair the training rows lack, continuous marginals
 * matched by the quantile maps, and the calibration kept through a model-file round trip.
 */
import { describe, expect, test } from "vitest";
import { loadTable, type Table } from "../../tabular/index.js";
import { layoutOf } from "./data-transformer.js";
import { CALIBRATION_BLOCKS, fitSamplingCalibration } from "./fit-calibration.js";
import { engineNetwork, fitNeuralModel } from "./fit-neural.js";
import { parseNeuralModel, serializeNeuralModel } from "./neural-model.js";
import { NeuralSampler, SAMPLE_BLOCK_ROWS } from "./neural-sampler.js";
import { EMPTY_CALIBRATION, MIN_PAIR_ROWS, mapQuantile, QUANTILE_POINTS, type QuantileMap } from "./sampling-calibration.js";

describe("quantile map", () => {
  const generated = Array.from({ length: QUANTILE_POINTS + 1 }, (_, i) => i / QUANTILE_POINTS);
  const training = generated.map((u) => 100 * u * u);
  const map: QuantileMap = { transformColumn: 0, generated, training };

  test("takes each generated quantile to the training one and is monotone between", () => {
    for (let i = 0; i <= QUANTILE_POINTS; i += 16) expect(mapQuantile(map, generated[i]!, 0.5)).toBeCloseTo(training[i]!, 12);
    let previous = Number.NEGATIVE_INFINITY;
    for (let x = -0.1; x <= 1.1; x += 0.001) {
      const y = mapQuantile(map, x, 0.5);
      expect(y).toBeGreaterThanOrEqual(previous);
      previous = y;
    }
    expect(mapQuantile(map, -5, 0.5)).toBe(0);
    expect(mapQuantile(map, 5, 0.5)).toBe(100);
    expect(Number.isNaN(mapQuantile(map, Number.NaN, 0.5))).toBe(true);
  });

  test("spreads a point mass of the generator over the training levels it covers", () => {
    // The generator puts half its mass at exactly 0; the training column is uniform on [0, 10].
    const massAtZero: QuantileMap = {
      transformColumn: 0,
      generated: generated.map((u) => (u <= 0.5 ? 0 : u)),
      training: generated.map((u) => 10 * u),
    };
    expect(mapQuantile(massAtZero, 0, 0)).toBe(0);
    expect(mapQuantile(massAtZero, 0, 0.999)).toBeCloseTo(5, 1);
    expect(mapQuantile(massAtZero, 0, 0.5)).toBeCloseTo(2.5, 1);
  });
});

const adult = (await loadTable("fixtures/adult/adult.csv")).table;
const model = fitNeuralModel(adult, { generator: "ctgan", epochs: 2, seed: 5n });
const sampleRows = 20_000;
const synthetic = new NeuralSampler(model, engineNetwork(model), { seed: 9n }).sampleChunk(0, sampleRows);

function codesOf(table: Table, name: string): { codes: Int32Array; categories: string[] } {
  return table.columns.find((c) => c.schema.name === name) as unknown as { codes: Int32Array; categories: string[] };
}

describe("CTGAN sampling calibration on Adult (2 epochs)", () => {
  test("every category's sampled frequency matches its training frequency", () => {
    const calibrationRows = CALIBRATION_BLOCKS * SAMPLE_BLOCK_ROWS;
    const uncalibrated = new NeuralSampler(model, engineNetwork(model), { seed: 9n, calibration: EMPTY_CALIBRATION }).sampleChunk(0, sampleRows);
    // The first round's biases, on the generator's own draws (the second round corrects for the
    // redraws, a rejection that a 2-epoch generator needs often; checked below).
    const firstRound = fitSamplingCalibration(
      model,
      engineNetwork(model),
      adult,
      { ...layoutOf(model.transform.columns), columns: model.transform.columns },
      1,
    );
    const biasesOnly = new NeuralSampler(model, engineNetwork(model), { seed: 9n, calibration: { ...firstRound, pairSupport: [] } }).sampleChunk(0, sampleRows);
    let worstUncalibrated = 0;
    for (const column of adult.columns) {
      if (!("codes" in column)) continue;
      const sampled = codesOf(biasesOnly, column.schema.name).codes;
      const plain = codesOf(uncalibrated, column.schema.name).codes;
      for (let code = 0; code < column.categories.length; code++) {
        const p = column.codes.filter((c) => c === code).length / adult.rowCount;
        const q = sampled.filter((c) => c === code).length / sampleRows;
        // Binomial error of the calibration sample and of this sample (4 σ), plus 0.005 for the
        // argmax counts' discreteness left after proportional fitting.
        const tolerance = 4 * Math.sqrt(p * (1 - p) * (1 / calibrationRows + 1 / sampleRows)) + 0.005;
        expect(Math.abs(q - p), `${column.schema.name}=${column.categories[code]}: sampled ${q}, real ${p}`).toBeLessThanOrEqual(tolerance);
        worstUncalibrated = Math.max(worstUncalibrated, Math.abs(plain.filter((c) => c === code).length / sampleRows - p));
      }
    }
    // After two epochs the raw generator is far off somewhere: the biases did the work.
    expect(worstUncalibrated).toBeGreaterThan(0.02);
  });

  test("no row holds a category pair seen in fewer than MIN_PAIR_ROWS training rows (Female + Husband: 1 real row)", () => {
    const sex = codesOf(synthetic, "sex");
    const relationship = codesOf(synthetic, "relationship");
    const female = sex.categories.indexOf("Female");
    const husband = relationship.categories.indexOf("Husband");
    let femaleHusbands = 0;
    for (let r = 0; r < sampleRows; r++) if (sex.codes[r] === female && relationship.codes[r] === husband) femaleHusbands++;
    expect(femaleHusbands).toBe(0);
    const discrete = adult.columns.filter((c) => "codes" in c).map((c) => c.schema.name);
    let outside = 0;
    for (let a = 0; a < discrete.length; a++) {
      for (let b = a + 1; b < discrete.length; b++) {
        const [ra, rb] = [codesOf(adult, discrete[a]!), codesOf(adult, discrete[b]!)];
        const seen = new Map<number, number>();
        for (let r = 0; r < adult.rowCount; r++) {
          const key = ra.codes[r]! * 4096 + rb.codes[r]!;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
        const [sa, sb] = [codesOf(synthetic, discrete[a]!), codesOf(synthetic, discrete[b]!)];
        for (let r = 0; r < sampleRows; r++) if ((seen.get(sa.codes[r]! * 4096 + sb.codes[r]!) ?? 0) < MIN_PAIR_ROWS) outside++;
      }
    }
    expect(outside).toBe(0);
  });

  test("continuous marginals follow the training ones (KS distance < 0.03)", () => {
    for (const name of ["age", "fnlwgt", "hours-per-week"]) {
      const real = Float64Array.from((adult.columns.find((c) => c.schema.name === name) as { values: Float64Array }).values).sort();
      const fake = Float64Array.from((synthetic.columns.find((c) => c.schema.name === name) as { values: Float64Array }).values).sort();
      let ks = 0;
      let j = 0;
      for (let i = 0; i < real.length; i++) {
        if (i + 1 < real.length && real[i + 1] === real[i]) continue; // the CDF steps at the end of a run of ties
        while (j < fake.length && fake[j]! <= real[i]!) j++;
        ks = Math.max(ks, Math.abs((i + 1) / real.length - j / fake.length));
      }
      expect(ks, name).toBeLessThan(0.03);
    }
  });

  test("the calibration is saved in the model file, checksummed, and samples the same after a round trip", () => {
    expect(model.version).toBe(2);
    expect(model.calibration?.quantileMaps.length).toBe(adult.columns.filter((c) => c.schema.type === "numerical").length);
    const loaded = parseNeuralModel(JSON.parse(serializeNeuralModel(model)) as Record<string, unknown>, "m.json");
    expect(loaded.calibration).toEqual(model.calibration);
    const again = new NeuralSampler(loaded, engineNetwork(loaded), { seed: 9n }).sampleChunk(0, 3000);
    expect(Array.from(codesOf(again, "occupation").codes)).toEqual(Array.from(codesOf(synthetic, "occupation").codes.subarray(0, 3000)));
    const tampered = JSON.parse(serializeNeuralModel(model)) as { calibration: { logitBiases: { biases: number[] }[] } };
    tampered.calibration.logitBiases[0]!.biases[0]! += 1;
    expect(() => parseNeuralModel(tampered as unknown as Record<string, unknown>, "m.json")).toThrow(/checksum/);
    // A version-1 file (before calibration) still loads, uncalibrated.
    const { calibration: _dropped, ...v1 } = { ...model, version: 1 };
    const old = parseNeuralModel(JSON.parse(serializeNeuralModel(v1 as typeof model)) as Record<string, unknown>, "old.json");
    expect(old.calibration).toBeNull();
  });
});
