/**
 * Gradient-boosted regression trees on histogram bins (Friedman 2001; the second-order leaf
 * values and split gain of XGBoost, Chen & Guestrin 2016, §2.2): squared loss for regression,
 * logistic loss for a binary target. Features are cut into at most 32 quantile bins of the
 * training values, so each tree level is one pass over the rows.
 */

export interface BoostingOptions {
  rounds?: number;
  depth?: number;
  learningRate?: number;
  /** L2 penalty on leaf values (λ). */
  lambda?: number;
  minChildWeight?: number;
}

const MAX_BINS = 32;

interface Node {
  feature: number;
  /** Rows with bin ≤ splitBin go left. −1 marks a leaf. */
  splitBin: number;
  left: number;
  right: number;
  value: number;
}

export interface BoostedTrees {
  thresholds: Float64Array[];
  trees: Node[][];
  baseScore: number;
  learningRate: number;
  logistic: boolean;
}

/** Bin upper bounds per feature from the sorted distinct training values (quantiles). */
function binThresholds(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  if (distinct.length <= MAX_BINS) return Float64Array.from(distinct);
  const out = new Float64Array(MAX_BINS);
  for (let b = 0; b < MAX_BINS; b++) out[b] = sorted[Math.min(sorted.length - 1, Math.floor(((b + 1) * sorted.length) / MAX_BINS) - 1)]!;
  return Float64Array.from(new Set(out));
}

/** Bin of x: the first threshold ≥ x (values above every threshold go to the last bin). */
function binOf(thresholds: Float64Array, x: number): number {
  let lo = 0;
  let hi = thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid]! >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function binAll(features: Float64Array[], thresholds: Float64Array[]): Uint8Array[] {
  return features.map((column, j) => Uint8Array.from(column, (x) => binOf(thresholds[j]!, x)));
}

function buildTree(bins: Uint8Array[], binCounts: number[], grad: Float64Array, hess: Float64Array, options: Required<BoostingOptions>): Node[] {
  const nodes: Node[] = [];
  const rows = grad.length;
  const all = new Int32Array(rows);
  for (let i = 0; i < rows; i++) all[i] = i;
  const grow = (indices: Int32Array, depth: number): number => {
    let g = 0;
    let h = 0;
    for (const i of indices) {
      g += grad[i]!;
      h += hess[i]!;
    }
    const id = nodes.length;
    nodes.push({ feature: -1, splitBin: -1, left: -1, right: -1, value: -g / (h + options.lambda) });
    if (depth >= options.depth || indices.length < 2) return id;
    const parentScore = (g * g) / (h + options.lambda);
    let bestGain = 1e-9;
    let bestFeature = -1;
    let bestBin = -1;
    for (let f = 0; f < bins.length; f++) {
      const nb = binCounts[f]!;
      if (nb < 2) continue;
      const gh = new Float64Array(nb);
      const hh = new Float64Array(nb);
      const column = bins[f]!;
      for (const i of indices) {
        const b = column[i]!;
        gh[b]! += grad[i]!;
        hh[b]! += hess[i]!;
      }
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nb - 1; b++) {
        gl += gh[b]!;
        hl += hh[b]!;
        const gr = g - gl;
        const hr = h - hl;
        if (hl < options.minChildWeight || hr < options.minChildWeight) continue;
        const gain = (gl * gl) / (hl + options.lambda) + (gr * gr) / (hr + options.lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    if (bestFeature < 0) return id;
    const column = bins[bestFeature]!;
    let leftCount = 0;
    for (const i of indices) if (column[i]! <= bestBin) leftCount++;
    const left = new Int32Array(leftCount);
    const right = new Int32Array(indices.length - leftCount);
    let l = 0;
    let r = 0;
    for (const i of indices) {
      if (column[i]! <= bestBin) left[l++] = i;
      else right[r++] = i;
    }
    const node = nodes[id]!;
    node.feature = bestFeature;
    node.splitBin = bestBin;
    node.left = grow(left, depth + 1);
    node.right = grow(right, depth + 1);
    return id;
  };
  grow(all, 0);
  return nodes;
}

function treeValue(tree: Node[], bins: Uint8Array[], row: number): number {
  let id = 0;
  for (;;) {
    const node = tree[id]!;
    if (node.splitBin < 0) return node.value;
    id = bins[node.feature]![row]! <= node.splitBin ? node.left : node.right;
  }
}

/** Fits on column-major `features` (each of length rows) and targets `y` (0/1 when logistic). */
export function fitBoostedTrees(features: Float64Array[], y: Float64Array, logistic: boolean, options: BoostingOptions = {}): BoostedTrees {
  const o: Required<BoostingOptions> = { rounds: 100, depth: 4, learningRate: 0.1, lambda: 1, minChildWeight: 1, ...options };
  const rows = y.length;
  const thresholds = features.map(binThresholds);
  const bins = binAll(features, thresholds);
  const binCounts = thresholds.map((t) => t.length);
  let mean = 0;
  for (const v of y) mean += v;
  mean /= Math.max(rows, 1);
  const baseScore = logistic ? Math.log(Math.max(mean, 1e-6) / Math.max(1 - mean, 1e-6)) : mean;
  const score = new Float64Array(rows).fill(baseScore);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const trees: Node[][] = [];
  for (let round = 0; round < o.rounds; round++) {
    for (let i = 0; i < rows; i++) {
      if (logistic) {
        const p = 1 / (1 + Math.exp(-score[i]!));
        grad[i] = p - y[i]!;
        hess[i] = Math.max(p * (1 - p), 1e-6);
      } else {
        grad[i] = score[i]! - y[i]!;
        hess[i] = 1;
      }
    }
    const tree = buildTree(bins, binCounts, grad, hess, o);
    for (const node of tree) node.value *= o.learningRate;
    trees.push(tree);
    for (let i = 0; i < rows; i++) score[i]! += treeValue(tree, bins, i);
  }
  return { thresholds, trees, baseScore, learningRate: o.learningRate, logistic };
}

/** Predicted mean (regression) or probability of class 1 (logistic) for each row. */
export function predictBoostedTrees(model: BoostedTrees, features: Float64Array[]): Float64Array {
  const bins = binAll(features, model.thresholds);
  const rows = features[0]?.length ?? 0;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = model.baseScore;
    for (const tree of model.trees) s += treeValue(tree, bins, i);
    out[i] = model.logistic ? 1 / (1 + Math.exp(-s)) : s;
  }
  return out;
}
