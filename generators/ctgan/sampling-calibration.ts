/**
 * Sampling-time calibration of a trained CTGAN generator: post-processing fitted once after
 * training, on the training table, and stored in the model file (versioned and checksummed with
 * the rest). The network is not changed; the sampler applies three corrections:
 *
 * (a) category logit biases — one additive bias per category of each discrete column (and per
 *     present/null position of a numerical column with nulls), fitted so the sampler's frequency of
 *     each category matches the training frequency. The sampler draws a category as
 *     argmax(logit + bias + Gumbel noise), i.e. from softmax(logit + bias), so the fit is iterative
 *     proportional fitting on a fixed calibration sample: b_k ← b_k + log(target_k / sampled_k);
 * (b) per continuous column a quantile map from the distribution of the generator's decoded
 *     values (on the calibration sample) to the training marginal: x ↦ F_train⁻¹(F_gen(x)),
 *     monotone, so the generator's ranks, hence its dependence between columns, are kept;
 * (c) the observed support of each pair of discrete columns: a row whose pair of categories occurs
 *     together in fewer than MIN_PAIR_ROWS training rows is redrawn (fresh noise, same condition),
 *     at most MAX_REDRAWS times, then copies the block's next candidate that is inside. A pair seen in a single row counts as unseen: that row is the one a
 *     combination would identify (Adult's one Female + Husband row is such a pair).
 *
 * Privacy: the model is not differentially private. This calibration stores QUANTILE_POINTS + 1
 * order statistics of each continuous training column (including its minimum and maximum) and the
 * set of category pairs that occur in at least MIN_PAIR_ROWS training rows (so a combination unique
 * to one row is neither stored nor produced).
 */
import type { Table } from "../../tabular/index.js";
import type { ContinuousColumnTransform, DiscreteColumnTransform, TableTransform } from "./data-transformer.js";
import { layoutOf } from "./data-transformer.js";

/** Quantile grid resolution of each map (the map stores QUANTILE_POINTS + 1 values per side). */
export const QUANTILE_POINTS = 256;
/** Pairs whose joint one-hot grid is larger than this are not checked (the bitset would dominate the file). */
export const MAX_PAIR_CELLS = 1 << 16;
/** Redraws of a row that breaks the pair support before it is kept as drawn. */
export const MAX_REDRAWS = 16;
/** A category pair is in the support when at least this many training rows hold it. */
export const MIN_PAIR_ROWS = 2;

export interface LogitBias {
  /** First output of the softmax span in the encoded row. */
  start: number;
  /** Added to each logit of the span before the category is drawn. */
  biases: number[];
}

export interface QuantileMap {
  /** Index of the column among the transform's columns. */
  transformColumn: number;
  /** Quantiles at i / QUANTILE_POINTS of the generator's decoded values (nondecreasing). */
  generated: number[];
  /** The training column's order statistics at the same levels. */
  training: number[];
}

export interface PairSupport {
  /** Indices among the transform's discrete columns, a < b. */
  a: number;
  b: number;
  /** base64 bitset over positionA × width(b) + positionB: 1 = seen in the training table. */
  seen: string;
}

export interface SamplingCalibration {
  logitBiases: LogitBias[];
  quantileMaps: QuantileMap[];
  pairSupport: PairSupport[];
}

export const EMPTY_CALIBRATION: SamplingCalibration = { logitBiases: [], quantileMaps: [], pairSupport: [] };

/** A softmax span the biases calibrate, with its training frequencies. */
export interface FrequencyTarget {
  start: number;
  frequencies: number[];
}

/** The spans whose frequencies are calibrated: every discrete column, and each null indicator. */
export function frequencyTargets(transform: TableTransform, table: Table): FrequencyTarget[] {
  const { columnStarts } = layoutOf(transform.columns);
  const targets: FrequencyTarget[] = [];
  transform.columns.forEach((column, c) => {
    if (column.kind === "discrete") targets.push({ start: columnStarts[c]!, frequencies: [...column.frequencies] });
    else if (column.hasNulls) {
      const values = (table.columns[column.column] as { values: Float64Array }).values;
      let nulls = 0;
      for (const v of values) if (Number.isNaN(v)) nulls++;
      const nullShare = nulls / values.length;
      targets.push({ start: columnStarts[c]! + 1 + column.means.length, frequencies: [1 - nullShare, nullShare] });
    }
  });
  return targets;
}

/**
 * One round of proportional fitting: given each target span's category counts over `rows` sampled
 * rows under the current biases, moves each bias by log(target / sampled) (counts smoothed by one
 * half so a category the sample missed gets a finite, bounded push). Returns the new biases.
 */
export function updateBiases(targets: readonly FrequencyTarget[], current: readonly LogitBias[], counts: readonly Float64Array[], rows: number): LogitBias[] {
  return targets.map((target, t) => {
    const old = current[t]?.biases ?? target.frequencies.map(() => 0);
    const biases = target.frequencies.map((f, k) => {
      const moved = old[k]! + Math.log((f * rows + 0.5) / (counts[t]![k]! + 0.5));
      return Math.max(-BIAS_LIMIT, Math.min(BIAS_LIMIT, moved));
    });
    return { start: target.start, biases };
  });
}

/** Biases are kept within ±BIAS_LIMIT nats: a category the generator never proposes is not forced. */
const BIAS_LIMIT = 8;

/** Quantiles of `values` at i / QUANTILE_POINTS, as order statistics (NaN ignored); null when none is present. */
export function quantileGrid(values: Float64Array): number[] | null {
  const present = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  if (present.length === 0) return null;
  const grid: number[] = [];
  for (let i = 0; i <= QUANTILE_POINTS; i++) grid.push(present[Math.round((i / QUANTILE_POINTS) * (present.length - 1))]!);
  return grid;
}

/**
 * F_train⁻¹(F_gen(x)) through the two grids. F_gen is piecewise linear between generated
 * quantiles; where x equals a run of tied generated quantiles (a point mass, e.g. a clamped
 * minimum), its level is spread uniformly over the run with `u` in [0, 1), so the mass lands on the
 * training levels it covers and not on one of them.
 */
export function mapQuantile(map: QuantileMap, x: number, u: number): number {
  if (Number.isNaN(x)) return x;
  const g = map.generated;
  const t = map.training;
  const last = g.length - 1;
  let low = lowerBound(g, x);
  const high = upperBound(g, x);
  let level: number;
  if (high > low) level = low + u * (high - 1 - low);
  else if (low === 0) level = 0;
  else if (low > last) level = last;
  else {
    low -= 1;
    level = low + (x - g[low]!) / (g[low + 1]! - g[low]!);
  }
  const i = Math.min(last - 1, Math.floor(level));
  const fraction = level - i;
  return t[i]! + fraction * (t[i + 1]! - t[i]!);
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The quantile map of one continuous column, or null when either side has no present value. */
export function fitQuantileMap(transformColumn: number, generated: Float64Array, training: Float64Array): QuantileMap | null {
  const g = quantileGrid(generated);
  const t = quantileGrid(training);
  return g === null || t === null ? null : { transformColumn, generated: g, training: t };
}

/** Each training row's one-hot position in every discrete column of the transform. */
export function discretePositionsOf(transform: TableTransform, table: Table): Int32Array[] {
  return transform.columns
    .filter((c): c is DiscreteColumnTransform => c.kind === "discrete")
    .map((column) => {
      const codes = (table.columns[column.column] as { codes: Int32Array }).codes;
      const positionOf = new Map(column.codes.map((code, position) => [code, position]));
      return Int32Array.from(codes, (code) => positionOf.get(code) ?? -1);
    });
}

/** The category pairs seen in at least MIN_PAIR_ROWS rows of the training table, for each pair of discrete columns small enough to store. */
export function fitPairSupport(discrete: readonly DiscreteColumnTransform[], positions: readonly Int32Array[]): PairSupport[] {
  const pairs: PairSupport[] = [];
  for (let a = 0; a < discrete.length; a++) {
    for (let b = a + 1; b < discrete.length; b++) {
      const widthB = discrete[b]!.codes.length;
      const cells = discrete[a]!.codes.length * widthB;
      if (cells > MAX_PAIR_CELLS) continue;
      const counts = new Int32Array(cells);
      const pa = positions[a]!;
      const pb = positions[b]!;
      for (let r = 0; r < pa.length; r++) counts[pa[r]! * widthB + pb[r]!]! += 1;
      const bits = new Uint8Array(Math.ceil(cells / 8));
      for (let cell = 0; cell < cells; cell++) if (counts[cell]! >= MIN_PAIR_ROWS) bits[cell >> 3]! |= 1 << (cell & 7);
      pairs.push({ a, b, seen: Buffer.from(bits).toString("base64") });
    }
  }
  return pairs;
}

/** A decoded pair support, ready to check rows. */
export interface PairCheck {
  a: number;
  b: number;
  widthB: number;
  bits: Uint8Array;
}

export function pairChecks(pairs: readonly PairSupport[], discrete: readonly DiscreteColumnTransform[]): PairCheck[] {
  return pairs.map((p) => ({ a: p.a, b: p.b, widthB: discrete[p.b]!.codes.length, bits: new Uint8Array(Buffer.from(p.seen, "base64")) }));
}

/** Whether row r's discrete positions form only pairs seen in training. */
export function rowInSupport(checks: readonly PairCheck[], positions: readonly Int32Array[], r: number): boolean {
  for (const check of checks) {
    const cell = positions[check.a]![r]! * check.widthB + positions[check.b]![r]!;
    if ((check.bits[cell >> 3]! & (1 << (cell & 7))) === 0) return false;
  }
  return true;
}

/** The training values of a continuous column. */
export function trainingValues(table: Table, column: ContinuousColumnTransform): Float64Array {
  return (table.columns[column.column] as { values: Float64Array }).values;
}
