/**
 * The tree-structured model MST (McKenna, Miklau & Sheldon 2021) and Chow–Liu (1968) fit: a
 * spanning tree over the attributes of a discrete domain, stored as the root's distribution and,
 * for every other attribute, its distribution given its parent — the factorisation
 *     P(x) = P(x_root) Π_{child} P(x_child | x_parent),
 * which is exact for the tree's consistent clique marginals μ_ij / μ_i. Sampling is ancestral
 * (parents first). Attributes are stored in "compressed" cells (MST merges the cells whose noisy
 * count is below 3σ into one); `groups` maps each compressed cell back to original cells, with
 * `groupWeights` the within-group probabilities used to pick one.
 */
import type { TableSchema } from "../../tabular/index.js";
import type { DiscreteAttribute } from "../discrete-domain.js";
import type { DpRecord } from "../dp-record.js";

export const MST_GENERATOR_NAME = "mst";

export interface CompressedAttribute {
  /** compressed cell → the original cells it stands for. */
  groups: number[][];
  /** compressed cell → probabilities of its original cells (sum 1). */
  groupWeights: number[][];
}

export interface MstModel {
  format: "datalab-model";
  version: number;
  generator: typeof MST_GENERATOR_NAME;
  schema: TableSchema;
  /** Rows the model was fitted on: the exact count (Chow–Liu) or a noisy estimate (MST). */
  training: { rows: number };
  /** The domain's attributes in original cells. */
  attributes: DiscreteAttribute[];
  compression: CompressedAttribute[];
  /** Attribute indices in sampling order (parents first), and each one's parent (−1: root). */
  order: number[];
  parent: number[];
  /** Per attribute: P(cell) for the root; P(cell | parent cell) row-major (parent × child) otherwise. */
  probabilities: number[][];
  /** The ε, δ, ρ, mechanisms and budget split of a private fit; null for Chow–Liu. */
  privacy: DpRecord | null;
  warnings: string[];
}

/** Compressed sizes of the attributes. */
export function compressedSizes(model: Pick<MstModel, "compression">): number[] {
  return model.compression.map((c) => c.groups.length);
}

/** No compression: each cell its own group. */
export function identityCompression(size: number): CompressedAttribute {
  return { groups: Array.from({ length: size }, (_, c) => [c]), groupWeights: Array.from({ length: size }, () => [1]) };
}

/**
 * The ancestral factorisation of a tree whose marginals are consistent: `oneWay[i]` (counts or
 * probabilities of attribute i) and `twoWay.get(key(i, j))` (i < j, row-major over i × j).
 * Rows of a parent cell with no mass get the child's marginal, so sampling never meets a zero row.
 */
export function treeFactorisation(
  sizes: readonly number[],
  edges: ReadonlyArray<readonly [number, number]>,
  oneWay: readonly Float64Array[],
  twoWay: ReadonlyMap<string, Float64Array>,
): { order: number[]; parent: number[]; probabilities: number[][] } {
  const d = sizes.length;
  const neighbours: number[][] = Array.from({ length: d }, () => []);
  for (const [a, b] of edges) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const parent = new Array<number>(d).fill(-2);
  const order: number[] = [];
  // A forest is allowed (a table of one column, or a tree cut by the caller): each component gets a root.
  for (let start = 0; start < d; start++) {
    if (parent[start] !== -2) continue;
    parent[start] = -1;
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      order.push(node);
      for (const next of neighbours[node]!) {
        if (parent[next] !== -2) continue;
        parent[next] = node;
        queue.push(next);
      }
    }
  }
  const probabilities: number[][] = new Array(d);
  for (let i = 0; i < d; i++) {
    const marginal = normalise(oneWay[i]!);
    const p = parent[i]!;
    if (p < 0) {
      probabilities[i] = Array.from(marginal);
      continue;
    }
    const sizeP = sizes[p]!;
    const sizeC = sizes[i]!;
    const joint = twoWay.get(pairKey(p, i))!;
    const childFirst = p > i;
    const table: number[] = new Array(sizeP * sizeC);
    for (let a = 0; a < sizeP; a++) {
      let rowSum = 0;
      for (let c = 0; c < sizeC; c++) rowSum += childFirst ? joint[c * sizeP + a]! : joint[a * sizeC + c]!;
      for (let c = 0; c < sizeC; c++) {
        const mass = childFirst ? joint[c * sizeP + a]! : joint[a * sizeC + c]!;
        table[a * sizeC + c] = rowSum > 0 ? mass / rowSum : marginal[c]!;
      }
    }
    probabilities[i] = table;
  }
  return { order, parent, probabilities };
}

export function pairKey(i: number, j: number): string {
  return i < j ? `${i},${j}` : `${j},${i}`;
}

function normalise(counts: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += Math.max(0, c);
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? Math.max(0, counts[i]!) / total : 1 / counts.length;
  return out;
}
