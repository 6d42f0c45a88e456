/**
 * Dense factors over sets of discrete attributes, the unit of every computation in AIM's graphical
 * model (Private-PGM, McKenna, Sheldon & Miklau 2019): a factor over attributes A (sorted
 * ascending) holds one number per joint cell of A, row-major with the last attribute fastest.
 * Factors hold log-potentials (belief propagation works in log space, so a product is a sum and a
 * marginal is a log-sum-exp) or counts (clique marginals).
 *
 * Every operation between a factor over A and one over a subset B ⊆ A goes through a projection
 * map: for each cell of A, the index of its cell in B. A map costs one pass to build and is reused
 * by every iteration of the estimator, which makes "add B's factor onto A" and "marginalise A onto
 * B" one tight loop each.
 */
import { GeneratorError } from "../errors.js";

export interface Factor {
  /** Attribute indices, sorted ascending, no repeats. */
  attributes: number[];
  /** Cells per attribute, aligned with `attributes`. */
  sizes: number[];
  values: Float64Array;
}

export function cellCount(sizes: readonly number[]): number {
  let cells = 1;
  for (const s of sizes) cells *= s;
  return cells;
}

/** The sizes of `attributes` in a domain whose attribute a has `domainSizes[a]` cells. */
export function sizesOf(attributes: readonly number[], domainSizes: readonly number[]): number[] {
  return attributes.map((a) => domainSizes[a]!);
}

export function sortedUnion(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export function intersection(a: readonly number[], b: readonly number[]): number[] {
  const inB = new Set(b);
  return a.filter((x) => inB.has(x));
}

export function isSubset(sub: readonly number[], of: readonly number[]): boolean {
  const set = new Set(of);
  return sub.every((x) => set.has(x));
}

/**
 * For each cell of the factor over `attributes` (sizes `sizes`), the index of its cell in the
 * factor over `subset` (a subset of `attributes`, sorted).
 */
export function projectionMap(attributes: readonly number[], sizes: readonly number[], subset: readonly number[]): Int32Array {
  const k = attributes.length;
  // Stride in the subset factor of each attribute of the full factor (0 when it is summed out).
  const strides = new Array<number>(k).fill(0);
  let stride = 1;
  for (let s = subset.length - 1; s >= 0; s--) {
    const position = attributes.indexOf(subset[s]!);
    if (position < 0) throw new GeneratorError(`internal: attribute ${subset[s]} is not in the factor over ${attributes.join(",")}`);
    strides[position] = stride;
    stride *= sizes[position]!;
  }
  const total = cellCount(sizes);
  const map = new Int32Array(total);
  const counter = new Array<number>(k).fill(0);
  let index = 0;
  for (let cell = 0; cell < total; cell++) {
    map[cell] = index;
    // Odometer increment, last attribute fastest.
    for (let p = k - 1; p >= 0; p--) {
      counter[p]!++;
      index += strides[p]!;
      if (counter[p]! < sizes[p]!) break;
      index -= strides[p]! * sizes[p]!;
      counter[p] = 0;
    }
  }
  return map;
}

/** target[i] += scale · source[map[i]]: a factor over a subset broadcast onto a larger one. */
export function addExpanded(target: Float64Array, map: Int32Array, source: Float64Array, scale = 1): void {
  for (let i = 0; i < target.length; i++) target[i]! += scale * source[map[i]!]!;
}

/** Σ over the cells of each subset cell: the marginal of counts. */
export function sumOnto(values: Float64Array, map: Int32Array, cells: number): Float64Array {
  const out = new Float64Array(cells);
  for (let i = 0; i < values.length; i++) out[map[i]!]! += values[i]!;
  return out;
}

/** log Σ exp over the cells of each subset cell: the marginal of log-potentials, stable. */
export function logSumExpOnto(values: Float64Array, map: Int32Array, cells: number): Float64Array {
  const max = new Float64Array(cells).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const m = map[i]!;
    if (v > max[m]!) max[m] = v;
  }
  const sums = new Float64Array(cells);
  for (let i = 0; i < values.length; i++) {
    const m = map[i]!;
    if (max[m]! > Number.NEGATIVE_INFINITY) sums[m]! += Math.exp(values[i]! - max[m]!);
  }
  const out = new Float64Array(cells);
  for (let c = 0; c < cells; c++) out[c] = max[c]! === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : max[c]! + Math.log(sums[c]!);
  return out;
}

/** log Σ exp of all values. */
export function logSumExp(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** The marginal over `subset` of a count factor. */
export function marginalize(factor: Factor, subset: readonly number[]): Factor {
  const sizes = subset.map((a) => factor.sizes[factor.attributes.indexOf(a)]!);
  const map = projectionMap(factor.attributes, factor.sizes, subset);
  return { attributes: [...subset], sizes, values: sumOnto(factor.values, map, cellCount(sizes)) };
}
