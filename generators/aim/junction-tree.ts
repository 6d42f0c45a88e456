/**
 * The junction tree of a graphical model whose factors live on given attribute sets, and exact
 * inference on it (Koller & Friedman 2009, ch. 9–10; the inference Private-PGM runs, McKenna,
 * Sheldon & Miklau 2019, §4).
 *
 * Structure: the Markov graph joins every two attributes that share a factor; eliminating the
 * attributes one by one in min-fill order (each step picks the attribute whose elimination adds the
 * fewest fill edges; ties by the smaller clique in cells) triangulates it; the maximal elimination
 * cliques, joined by a maximum-weight spanning tree on separator size, form a junction tree (the
 * running-intersection property holds for the cliques of a chordal graph). Disconnected parts are
 * joined by empty separators, so there is always one tree.
 *
 * Inference: two-pass sum-product in log space (collect to the root, distribute back). Calibrated
 * beliefs give every clique's marginal exactly; `logPartition` is log Z.
 */
import { cellCount, type Factor, intersection, isSubset, logSumExp, logSumExpOnto, projectionMap, sizesOf } from "./factor.js";

export interface JunctionTree {
  domainSizes: number[];
  /** Maximal cliques of the triangulated graph, attributes sorted. */
  cliques: number[][];
  /** Cliques in root-first (breadth-first) order; parent[order[0]] = −1. */
  order: number[];
  parent: number[];
  /** Separator between each clique and its parent (empty for the root). */
  separators: number[][];
}

/** Min-fill elimination cliques of the graph whose edges join the attributes of each factor set. */
function eliminationCliques(domainSizes: readonly number[], factorSets: readonly (readonly number[])[]): number[][] {
  const d = domainSizes.length;
  const adjacent: Set<number>[] = Array.from({ length: d }, () => new Set<number>());
  for (const set of factorSets) for (const a of set) for (const b of set) if (a !== b) adjacent[a]!.add(b);
  const remaining = new Set<number>(Array.from({ length: d }, (_, i) => i));
  const cliques: number[][] = [];
  while (remaining.size > 0) {
    let best = -1;
    let bestFill = Number.POSITIVE_INFINITY;
    let bestCells = Number.POSITIVE_INFINITY;
    for (const v of remaining) {
      const neighbours = [...adjacent[v]!];
      let fill = 0;
      for (let x = 0; x < neighbours.length; x++) for (let y = x + 1; y < neighbours.length; y++) if (!adjacent[neighbours[x]!]!.has(neighbours[y]!)) fill++;
      let cells = domainSizes[v]!;
      for (const n of neighbours) cells *= domainSizes[n]!;
      if (fill < bestFill || (fill === bestFill && cells < bestCells)) {
        best = v;
        bestFill = fill;
        bestCells = cells;
      }
    }
    const neighbours = [...adjacent[best]!];
    for (const x of neighbours) {
      for (const y of neighbours) if (x !== y) adjacent[x]!.add(y);
      adjacent[x]!.delete(best);
    }
    cliques.push([best, ...neighbours].sort((a, b) => a - b));
    remaining.delete(best);
  }
  // Keep the maximal ones.
  return cliques.filter((c, i) => !cliques.some((other, j) => j !== i && other.length >= c.length && isSubset(c, other) && (other.length > c.length || j < i)));
}

/** The junction tree of the factor sets `factorSets` over a domain of `domainSizes`. */
export function buildJunctionTree(domainSizes: readonly number[], factorSets: readonly (readonly number[])[]): JunctionTree {
  const cliques = eliminationCliques(domainSizes, factorSets);
  const k = cliques.length;
  // Kruskal on separator size (all pairs, so empty separators join the components).
  const edges: { a: number; b: number; weight: number }[] = [];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) edges.push({ a, b, weight: intersection(cliques[a]!, cliques[b]!).length });
  edges.sort((x, y) => y.weight - x.weight || x.a - y.a || x.b - y.b);
  const root = Array.from({ length: k }, (_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i]!)));
  const neighbours: number[][] = Array.from({ length: k }, () => []);
  for (const { a, b } of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    root[ra] = rb;
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const parent = new Array<number>(k).fill(-2);
  const order: number[] = [];
  if (k > 0) {
    parent[0] = -1;
    const queue = [0];
    while (queue.length > 0) {
      const c = queue.shift()!;
      order.push(c);
      for (const n of neighbours[c]!) {
        if (parent[n] !== -2) continue;
        parent[n] = c;
        queue.push(n);
      }
    }
  }
  const separators = cliques.map((c, i) => (parent[i]! < 0 ? [] : intersection(c, cliques[parent[i]!]!)));
  return { domainSizes: [...domainSizes], cliques, order, parent, separators };
}

/** Cells of all cliques together: the model's size (× 8 bytes as Float64). */
export function junctionTreeCells(tree: JunctionTree): number {
  let cells = 0;
  for (const c of tree.cliques) cells += cellCount(sizesOf(c, tree.domainSizes));
  return cells;
}

/** Projection maps of each clique onto its separator, built once per tree. */
export class TreeMaps {
  readonly tree: JunctionTree;
  readonly toSeparator: Int32Array[];
  readonly separatorCells: number[];
  constructor(tree: JunctionTree) {
    this.tree = tree;
    this.toSeparator = tree.cliques.map((c, i) => projectionMap(c, sizesOf(c, tree.domainSizes), tree.separators[i]!));
    this.separatorCells = tree.separators.map((s) => cellCount(sizesOf(s, tree.domainSizes)));
  }
  private readonly parentMaps = new Map<number, Int32Array>();
  /** Map of the parent clique of `child` onto their separator. */
  parentToSeparator(child: number): Int32Array {
    let map = this.parentMaps.get(child);
    if (map === undefined) {
      const p = this.tree.parent[child]!;
      const c = this.tree.cliques[p]!;
      map = projectionMap(c, sizesOf(c, this.tree.domainSizes), this.tree.separators[child]!);
      this.parentMaps.set(child, map);
    }
    return map;
  }
}

export interface Calibration {
  /** Log-beliefs per clique: log of the unnormalised clique marginal; each sums (in exp) to Z. */
  beliefs: Float64Array[];
  logPartition: number;
}

/**
 * Sum-product on the tree with log-potentials `potentials[c]` over clique c (two passes).
 * Returns calibrated log-beliefs: exp(beliefs[c] − logPartition) is clique c's exact marginal.
 */
export function calibrate(maps: TreeMaps, potentials: readonly Float64Array[]): Calibration {
  const { tree } = maps;
  const k = tree.cliques.length;
  const beliefs = potentials.map((p) => Float64Array.from(p));
  const upward: Float64Array[] = new Array(k);
  // Collect: leaves first.
  for (let o = k - 1; o > 0; o--) {
    const c = tree.order[o]!;
    const message = logSumExpOnto(beliefs[c]!, maps.toSeparator[c]!, maps.separatorCells[c]!);
    upward[c] = message;
    const p = tree.parent[c]!;
    const toParent = maps.parentToSeparator(c);
    const parentBelief = beliefs[p]!;
    for (let i = 0; i < parentBelief.length; i++) parentBelief[i]! += message[toParent[i]!]!;
  }
  // Distribute: the root's belief is final; each child receives its parent's belief without its own message.
  for (let o = 1; o < k; o++) {
    const c = tree.order[o]!;
    const p = tree.parent[c]!;
    const fromParent = logSumExpOnto(beliefs[p]!, maps.parentToSeparator(c), maps.separatorCells[c]!);
    const own = upward[c]!;
    const childBelief = beliefs[c]!;
    const toSeparator = maps.toSeparator[c]!;
    for (let i = 0; i < childBelief.length; i++) {
      const s = toSeparator[i]!;
      // Subtracting −∞ from −∞ would be NaN: a separator cell with no mass stays empty.
      childBelief[i]! += own[s] === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : fromParent[s]! - own[s]!;
    }
  }
  return { beliefs, logPartition: k > 0 ? logSumExp(beliefs[tree.order[0]!]!) : 0 };
}

/** Clique marginals as counts summing to `total`. */
export function cliqueCounts(calibration: Calibration, total: number): Factor["values"][] {
  return calibration.beliefs.map((belief) => {
    const z = logSumExp(belief);
    const out = new Float64Array(belief.length);
    for (let i = 0; i < belief.length; i++) out[i] = total * Math.exp(belief[i]! - z);
    return out;
  });
}
