/**
 * Fits a CTGAN model's sampling calibration (`sampling-calibration.ts`) after training: samples
 * CALIBRATION_BLOCKS blocks of candidates through the model's own sampler (its conditional vector,
 * Gumbel draws and, from the second round, pair-support redraws), and
 *  - fits the logit biases by proportional fitting, CALIBRATION_ROUNDS rounds; each round samples
 *    afresh with the current biases (the first without the pair-support redraws) and then runs
 *    INNER_ITERATIONS updates on that fixed sample (argmax(activated + Δ) with the same Gumbel draws);
 *  - fits each continuous column's quantile map on the last round's decoded values.
 * The calibration sample uses its own stream (the training seed, salted), never a user's sampling seed.
 */
import type { Table } from "../../tabular/index.js";
import { type ContinuousColumnTransform, decodeContinuous, layoutOf, type TableTransform } from "./data-transformer.js";
import type { NeuralModel } from "./neural-model.js";
import { type GeneratorNetwork, NeuralSampler, SAMPLE_BLOCK_ROWS } from "./neural-sampler.js";
import {
  discretePositionsOf,
  fitPairSupport,
  fitQuantileMap,
  frequencyTargets,
  type LogitBias,
  type QuantileMap,
  type SamplingCalibration,
  trainingValues,
  updateBiases,
} from "./sampling-calibration.js";

/** 8 × 4,096 = 32,768 calibration rows: a category of frequency p is estimated within ~2·√(p/32768). */
export const CALIBRATION_BLOCKS = 8;
const CALIBRATION_ROUNDS = 2;
const INNER_ITERATIONS = 8;
const CALIBRATION_SALT = 0xc2b2ae3d27d4eb4fn;

export function fitSamplingCalibration(
  model: NeuralModel,
  network: GeneratorNetwork,
  table: Table,
  transform: TableTransform,
  rounds = CALIBRATION_ROUNDS,
): SamplingCalibration {
  const discrete = transform.columns.filter((c) => c.kind === "discrete");
  const pairSupport = fitPairSupport(discrete, discretePositionsOf(transform, table));
  const targets = frequencyTargets(transform, table);
  const seed = BigInt.asUintN(64, BigInt(model.training.seed) ^ CALIBRATION_SALT);
  const rows = CALIBRATION_BLOCKS * SAMPLE_BLOCK_ROWS;
  const width = transform.width;
  let logitBiases: LogitBias[] = targets.map((t) => ({ start: t.start, biases: t.frequencies.map(() => 0) }));
  let sample = new Float32Array(0);
  for (let round = 0; round < rounds; round++) {
    // Round 1 without the pair support: the biases match the generator's own draws. Round 2 with
    // it: the redraws (a rejection) shift frequencies by what they reject, and its update, fitted
    // on the fixed sample without the support (with it, proportional fitting through the rejection
    // diverges where two columns must move together), takes most of that shift back.
    const sampler = new NeuralSampler(model, network, { seed, calibration: { logitBiases, quantileMaps: [], pairSupport: round === 0 ? [] : pairSupport } });
    sample = new Float32Array(rows * width);
    for (let b = 0; b < CALIBRATION_BLOCKS; b++) sample.set(sampler.candidateBlock(BigInt(b * SAMPLE_BLOCK_ROWS)), b * SAMPLE_BLOCK_ROWS * width);
    // The sample already carries the round's biases: fit the change Δ on it, then add Δ.
    let delta: LogitBias[] = targets.map((t) => ({ start: t.start, biases: t.frequencies.map(() => 0) }));
    for (let i = 0; i < INNER_ITERATIONS; i++) delta = updateBiases(targets, delta, countsWith(sample, rows, width, delta), rows);
    logitBiases = logitBiases.map((bias, t) => ({ start: bias.start, biases: bias.biases.map((b, k) => b + delta[t]!.biases[k]!) }));
  }
  const { columnStarts } = layoutOf(transform.columns);
  const quantileMaps: QuantileMap[] = [];
  transform.columns.forEach((column, c) => {
    if (column.kind !== "continuous") return;
    const generated = decodeContinuous(column as ContinuousColumnTransform, columnStarts[c]!, sample, width, rows);
    const map = fitQuantileMap(c, generated, trainingValues(table, column));
    if (map !== null) quantileMaps.push(map);
  });
  return { logitBiases, quantileMaps, pairSupport };
}

/** Per bias span: how often each position wins argmax(activated + Δ) over the sample's rows. */
function countsWith(sample: Float32Array, rows: number, width: number, delta: readonly LogitBias[]): Float64Array[] {
  return delta.map(({ start, biases }) => {
    const counts = new Float64Array(biases.length);
    for (let r = 0; r < rows; r++) {
      const at = r * width + start;
      let best = 0;
      let bestValue = sample[at]! + biases[0]!;
      for (let k = 1; k < biases.length; k++) {
        const value = sample[at + k]! + biases[k]!;
        if (value > bestValue) {
          best = k;
          bestValue = value;
        }
      }
      counts[best]! += 1;
    }
    return counts;
  });
}
