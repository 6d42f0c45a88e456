/**
 * Features for the usefulness models, learned on the training rows only:
 * - linear models: numbers standardised (training mean/std, missing → 0 plus a missing flag when
 *   the training column has any), categories one-hot (the 40 most frequent training labels;
 *   rarer or unseen labels and missing share an "other" slot);
 * - trees: one value per column (numbers as they are, missing → −∞ side; categories as codes
 *   ordered by their training target mean, so one threshold split finds the best binary grouping,
 *   Fisher 1958).
 */
import type { ContinuousColumnPair, DiscreteColumnPair } from "../aligned-table.js";

export type FeatureColumn = ContinuousColumnPair | DiscreteColumnPair;
export type Side = "real" | "synthetic" | "holdout";

/** The rows of `side` at `indices`. */
export interface RowSet {
  side: Side;
  indices: Int32Array;
}

function values<T>(column: { real: T; synthetic: T; holdout?: T }, side: Side): T {
  const v = side === "holdout" ? column.holdout : column[side];
  if (v === undefined) throw new Error(`no ${side} values`);
  return v;
}

const MAX_ONE_HOT = 40;

interface LinearEncoding {
  column: FeatureColumn;
  mean: number;
  scale: number;
  missingFlag: boolean;
  /** label code → slot (−1: the "other" slot). */
  slotOf: Int32Array;
  slots: number;
}

export interface LinearDesign {
  encodings: LinearEncoding[];
  width: number;
}

export function fitLinearDesign(columns: FeatureColumn[], train: RowSet): LinearDesign {
  let width = 0;
  const encodings = columns.map((column): LinearEncoding => {
    if (column.kind === "continuous") {
      const v = values(column, train.side);
      let sum = 0;
      let sumSq = 0;
      let n = 0;
      let missing = false;
      for (const i of train.indices) {
        const x = v[i]!;
        if (Number.isNaN(x)) missing = true;
        else {
          sum += x;
          sumSq += x * x;
          n++;
        }
      }
      const mean = n > 0 ? sum / n : 0;
      const variance = n > 1 ? Math.max(0, sumSq / n - mean * mean) : 0;
      const scale = variance > 0 ? 1 / Math.sqrt(variance) : 0;
      width += missing ? 2 : 1;
      return { column, mean, scale, missingFlag: missing, slotOf: new Int32Array(0), slots: 0 };
    }
    const codes = values(column, train.side);
    const counts = new Float64Array(column.labels.length);
    for (const i of train.indices) if (codes[i]! >= 0) counts[codes[i]!]! += 1;
    const ranked = Array.from(counts.keys())
      .filter((k) => counts[k]! > 0)
      .sort((a, b) => counts[b]! - counts[a]!)
      .slice(0, MAX_ONE_HOT);
    const slotOf = new Int32Array(column.labels.length).fill(-1);
    ranked.forEach((label, slot) => {
      slotOf[label] = slot;
    });
    const slots = ranked.length + 1;
    width += slots;
    return { column, mean: 0, scale: 0, missingFlag: false, slotOf, slots };
  });
  return { encodings, width };
}

/** Row-major design matrix (rows × width) of `rows` under `design`. */
export function linearMatrix(design: LinearDesign, rows: RowSet): Float64Array {
  const n = rows.indices.length;
  const out = new Float64Array(n * design.width);
  let offset = 0;
  for (const e of design.encodings) {
    if (e.column.kind === "continuous") {
      const v = values(e.column, rows.side);
      for (let r = 0; r < n; r++) {
        const x = v[rows.indices[r]!]!;
        if (Number.isNaN(x)) {
          if (e.missingFlag) out[r * design.width + offset + 1] = 1;
        } else out[r * design.width + offset] = (x - e.mean) * e.scale;
      }
      offset += e.missingFlag ? 2 : 1;
    } else {
      const codes = values(e.column, rows.side);
      for (let r = 0; r < n; r++) {
        const c = codes[rows.indices[r]!]!;
        const slot = c >= 0 && c < e.slotOf.length ? e.slotOf[c]! : -1;
        out[r * design.width + offset + (slot >= 0 ? slot : e.slots - 1)] = 1;
      }
      offset += e.slots;
    }
  }
  return out;
}

export interface TreeDesign {
  columns: FeatureColumn[];
  /** Per categorical column: label code → ordinal rank (by training target mean). */
  rankOf: Array<Float64Array | null>;
}

export function fitTreeDesign(columns: FeatureColumn[], train: RowSet, target: Float64Array): TreeDesign {
  const rankOf = columns.map((column) => {
    if (column.kind !== "discrete") return null;
    const codes = values(column, train.side);
    const sums = new Float64Array(column.labels.length + 1);
    const counts = new Float64Array(column.labels.length + 1);
    train.indices.forEach((i, r) => {
      const slot = codes[i]! + 1;
      sums[slot]! += target[r]!;
      counts[slot]! += 1;
    });
    const order = Array.from(counts.keys()).sort((a, b) => (counts[a]! > 0 ? sums[a]! / counts[a]! : 0) - (counts[b]! > 0 ? sums[b]! / counts[b]! : 0));
    const rank = new Float64Array(column.labels.length + 1);
    order.forEach((slot, k) => {
      rank[slot] = k;
    });
    return rank;
  });
  return { columns, rankOf };
}

/** Column-major feature values (features × rows); missing numbers → −Infinity. */
export function treeMatrix(design: TreeDesign, rows: RowSet): Float64Array[] {
  return design.columns.map((column, j) => {
    const out = new Float64Array(rows.indices.length);
    if (column.kind === "continuous") {
      const v = values(column, rows.side);
      rows.indices.forEach((i, r) => {
        const x = v[i]!;
        out[r] = Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
      });
    } else {
      const codes = values(column, rows.side);
      const rank = design.rankOf[j]!;
      rows.indices.forEach((i, r) => {
        out[r] = rank[codes[i]! + 1] ?? 0;
      });
    }
    return out;
  });
}
