/**
 * Usefulness (machine-learning efficacy): train on synthetic / test on real (TSTR) against train
 * on real / test on real (TRTR) for a target column the user names, with a logistic (or ridge)
 * regression and gradient-boosted trees. The test rows are the holdout when there is one, else a
 * seeded 30 % of the real rows (then the synthesizer may have seen them: the report says so).
 * Classification reports accuracy and F1 (binary: the rarer real class is positive; multiclass:
 * macro F1); regression reports R². The ratio is TSTR / TRTR on F1 or R², per model and averaged.
 */
import type { ColumnPair } from "../aligned-table.js";
import { ScoreInputError } from "../errors.js";
import { SeededRandom } from "../seeded-random.js";
import { fitBoostedTrees, predictBoostedTrees } from "./boosted-trees.js";
import { type FeatureColumn, fitLinearDesign, fitTreeDesign, linearMatrix, type RowSet, type Side, treeMatrix } from "./feature-matrix.js";
import { fitLogistic, fitRidge, predictLinear, predictLogistic } from "./logistic-regression.js";

export const MAX_TRAIN_ROWS = 50_000;
export const MAX_CLASSES = 20;

export interface ModelScores {
  accuracy?: number;
  f1?: number;
  r2?: number;
}

export interface ModelComparison {
  model: "logistic-regression" | "ridge-regression" | "boosted-trees";
  trainedOnReal: ModelScores;
  trainedOnSynthetic: ModelScores;
  /** TSTR / TRTR on the primary metric. */
  ratio: number;
}

export interface UsefulnessResult {
  target: string;
  task: "binary" | "multiclass" | "regression";
  primaryMetric: "f1" | "r2";
  testSource: "holdout" | "real-split";
  rows: { trainReal: number; trainSynthetic: number; test: number };
  models: ModelComparison[];
  /** Mean of the models' ratios. */
  ratio: number;
  notes: string[];
}

export interface UsefulnessInput {
  columns: ColumnPair[];
  target: string;
  realRows: number;
  syntheticRows: number;
  holdoutRows: number;
  seed: number;
}

function sample(indices: Int32Array, limit: number, random: SeededRandom): Int32Array {
  if (indices.length <= limit) return indices;
  const order = random.permutation(indices.length);
  return Int32Array.from(order.subarray(0, limit), (k) => indices[k]!).sort();
}

function withTarget(column: FeatureColumn, side: Side, indices: Int32Array): Int32Array {
  const v = side === "holdout" ? column.holdout! : column[side];
  return indices.filter((i) => (column.kind === "continuous" ? !Number.isNaN(v[i]!) : v[i]! >= 0));
}

function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function targetValues(column: FeatureColumn, rows: RowSet): Float64Array {
  const v = rows.side === "holdout" ? column.holdout! : column[rows.side];
  return Float64Array.from(rows.indices, (i) => v[i]!);
}

function rSquared(truth: Float64Array, predicted: Float64Array): number {
  let mean = 0;
  for (const t of truth) mean += t;
  mean /= truth.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < truth.length; i++) {
    ssRes += (truth[i]! - predicted[i]!) ** 2;
    ssTot += (truth[i]! - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN;
}

/** Accuracy and F1 (binary: of `positive`; otherwise macro over `classes`). */
export function classificationScores(truth: Int32Array, predicted: Int32Array, classes: number[], positive: number | null): ModelScores {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  const f1Of = (c: number) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  };
  const f1 = positive !== null ? f1Of(positive) : classes.reduce((s, c) => s + f1Of(c), 0) / classes.length;
  return { accuracy: correct / truth.length, f1 };
}

interface Problem {
  features: FeatureColumn[];
  target: FeatureColumn;
  test: RowSet;
}

/** Per-class probabilities (one-vs-rest) → the arg-max class, for both model families. */
function classify(problem: Problem, train: RowSet, classes: number[], family: "linear" | "trees"): Int32Array {
  const trainTarget = targetValues(problem.target, train);
  const n = problem.test.indices.length;
  const best = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const predicted = new Int32Array(n).fill(classes[0] ?? 0);
  const present = classes.filter((c) => trainTarget.includes(c));
  if (present.length <= 1) return predicted.fill(present[0] ?? classes[0] ?? 0);
  // Binary problems need one model: the score of the second class is 1 − p.
  const fitted = present.length === 2 ? [present[1]!] : present;
  for (const c of fitted) {
    const y = trainTarget.map((t) => (t === c ? 1 : 0));
    let p: Float64Array;
    if (family === "linear") {
      const design = fitLinearDesign(problem.features, train);
      const x = linearMatrix(design, train);
      const model = fitLogistic(x, y, train.indices.length, design.width);
      p = predictLogistic(model, linearMatrix(design, problem.test), n, design.width);
    } else {
      const design = fitTreeDesign(problem.features, train, y);
      const model = fitBoostedTrees(treeMatrix(design, train), y, true, { rounds: present.length === 2 ? 100 : 40 });
      p = predictBoostedTrees(model, treeMatrix(design, problem.test));
    }
    for (let i = 0; i < n; i++) {
      if (p[i]! > best[i]!) {
        best[i] = p[i]!;
        predicted[i] = c;
      }
    }
  }
  if (present.length === 2) {
    for (let i = 0; i < n; i++) predicted[i] = best[i]! >= 0.5 ? present[1]! : present[0]!;
  }
  return predicted;
}

function regress(problem: Problem, train: RowSet, family: "linear" | "trees"): Float64Array {
  const y = targetValues(problem.target, train);
  const n = problem.test.indices.length;
  if (family === "linear") {
    const design = fitLinearDesign(problem.features, train);
    const model = fitRidge(linearMatrix(design, train), y, train.indices.length, design.width);
    return predictLinear(model, linearMatrix(design, problem.test), n, design.width);
  }
  const design = fitTreeDesign(problem.features, train, y);
  const model = fitBoostedTrees(treeMatrix(design, train), y, false);
  return predictBoostedTrees(model, treeMatrix(design, problem.test));
}

export function mlEfficacy(input: UsefulnessInput): UsefulnessResult {
  const target = input.columns.find((c) => c.name === input.target);
  if (target === undefined) {
    throw new ScoreInputError(`target column "${input.target}" is not in the tables; columns are: ${input.columns.map((c) => c.name).join(", ")}.`);
  }
  if (target.kind === "text") {
    throw new ScoreInputError(`target column "${input.target}" is an ${target.type} column: pick a numerical, categorical or boolean column as --target.`);
  }
  const features = input.columns.filter((c): c is FeatureColumn => c.kind !== "text" && c.name !== input.target);
  if (features.length === 0)
    throw new ScoreInputError(`there is no column besides the target "${input.target}" to learn from: usefulness needs at least one feature column.`);
  const random = new SeededRandom(input.seed);
  const notes: string[] = [];
  let realTrain: Int32Array;
  let test: RowSet;
  if (input.holdoutRows > 0 && target.holdout !== undefined) {
    realTrain = range(input.realRows);
    test = { side: "holdout", indices: withTarget(target, "holdout", range(input.holdoutRows)) };
  } else {
    const order = random.permutation(input.realRows);
    const testCount = Math.max(1, Math.round(input.realRows * 0.3));
    test = { side: "real", indices: withTarget(target, "real", order.slice(0, testCount).sort()) };
    realTrain = order.slice(testCount).sort();
    notes.push("no holdout was given: the test rows are 30% of the real table, which the synthesizer may have seen, so TSTR can look better than it is.");
  }
  const trainReal: RowSet = { side: "real", indices: sample(withTarget(target, "real", realTrain), MAX_TRAIN_ROWS, random) };
  const trainSynthetic: RowSet = { side: "synthetic", indices: sample(withTarget(target, "synthetic", range(input.syntheticRows)), MAX_TRAIN_ROWS, random) };
  const testCandidates = test.indices.length;
  test = { side: test.side, indices: sample(test.indices, MAX_TRAIN_ROWS, random) };
  if (trainReal.indices.length < 10 || test.indices.length < 5 || trainSynthetic.indices.length < 10) {
    throw new ScoreInputError(
      `too few rows with a value in target "${input.target}" to train and test (real train ${trainReal.indices.length}, synthetic ${trainSynthetic.indices.length}, test ${test.indices.length}): usefulness needs at least 10 training and 5 test rows.`,
    );
  }
  const available = { real: realTrain.length, synthetic: input.syntheticRows, test: testCandidates };
  if (available.real > MAX_TRAIN_ROWS || available.synthetic > MAX_TRAIN_ROWS || available.test > MAX_TRAIN_ROWS) {
    notes.push(`training and test sets are seeded samples of at most ${MAX_TRAIN_ROWS} rows each.`);
  }
  const problem: Problem = { features, target, test };
  const rows = { trainReal: trainReal.indices.length, trainSynthetic: trainSynthetic.indices.length, test: test.indices.length };
  const models: ModelComparison[] = [];
  const ratioOf = (real: number | undefined, synthetic: number | undefined) =>
    real !== undefined && synthetic !== undefined && real > 0 ? Math.max(0, synthetic) / real : Number.NaN;

  if (target.kind === "continuous") {
    const truth = targetValues(target, test);
    for (const family of ["linear", "trees"] as const) {
      const real = { r2: rSquared(truth, regress(problem, trainReal, family)) };
      const synthetic = { r2: rSquared(truth, regress(problem, trainSynthetic, family)) };
      models.push({
        model: family === "linear" ? "ridge-regression" : "boosted-trees",
        trainedOnReal: real,
        trainedOnSynthetic: synthetic,
        ratio: ratioOf(real.r2, synthetic.r2),
      });
    }
    return {
      target: input.target,
      task: "regression",
      primaryMetric: "r2",
      testSource: test.side === "holdout" ? "holdout" : "real-split",
      rows,
      models,
      ratio: mean(models.map((m) => m.ratio)),
      notes,
    };
  }

  const trainCodes = targetValues(target, trainReal);
  const counts = new Map<number, number>();
  for (const c of trainCodes) counts.set(c, (counts.get(c) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  if (classes.length > MAX_CLASSES) {
    throw new ScoreInputError(
      `target "${input.target}" has ${classes.length} classes; usefulness supports up to ${MAX_CLASSES}: pick a target with fewer classes.`,
    );
  }
  if (classes.length < 2) throw new ScoreInputError(`target "${input.target}" has a single class in the real training rows: pick a target that varies.`);
  const binary = classes.length === 2;
  const positive = binary ? classes.reduce((a, b) => ((counts.get(a) ?? 0) <= (counts.get(b) ?? 0) ? a : b)) : null;
  const truth = Int32Array.from(targetValues(target, test));
  for (const family of ["linear", "trees"] as const) {
    const real = classificationScores(truth, classify(problem, trainReal, classes, family), classes, positive);
    const synthetic = classificationScores(truth, classify(problem, trainSynthetic, classes, family), classes, positive);
    models.push({
      model: family === "linear" ? "logistic-regression" : "boosted-trees",
      trainedOnReal: real,
      trainedOnSynthetic: synthetic,
      ratio: ratioOf(real.f1, synthetic.f1),
    });
  }
  if (binary && target.kind === "discrete") notes.push(`F1 is for the class "${target.labels[positive!]}" (the rarer one in the real training rows).`);
  return {
    target: input.target,
    task: binary ? "binary" : "multiclass",
    primaryMetric: "f1",
    testSource: test.side === "holdout" ? "holdout" : "real-split",
    rows,
    models,
    ratio: mean(models.map((m) => m.ratio)),
    notes,
  };
}

function mean(values: number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}
