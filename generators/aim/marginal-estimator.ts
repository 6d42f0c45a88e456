/**
 * Private-PGM's estimator (McKenna, Sheldon & Miklau 2019, "Graphical-model based estimation and
 * inference for differential privacy", §3–4): given noisy marginals y_m = M_{C_m}(D) + N(0, σ_m²),
 * find the distribution μ on the marginal polytope minimising
 *     L(μ) = Σ_m ‖μ_{C_m} − y_m‖² / (2σ_m²),
 * the negative log-likelihood of the Gaussian measurements (each weighted by its own noise scale).
 * The minimiser is a graphical model with one log-potential θ_C per measured attribute set C.
 * Mirror descent with the entropy mirror map (their Algorithm 1) alternates
 *     θ ← θ − η ∇_μ L(μ),    μ ← MARGINAL-ORACLE(θ)   (exact belief propagation, junction-tree.ts),
 * with η found by backtracking: a step that does not lower L is halved, an accepted one grows.
 * The model's total is a fixed n̂ (the noisy row count), so μ is in counts.
 *
 * Also here: marginals of attribute pairs that no single clique holds, by passing the pair's first
 * attribute along the tree (P(i, K') = Σ P(i, S) · P(K') / P(S) across each separator S).
 */
import { addExpanded, cellCount, intersection, projectionMap, sizesOf, sortedUnion, sumOnto } from "./factor.js";
import { buildJunctionTree, calibrate, cliqueCounts, type JunctionTree, TreeMaps } from "./junction-tree.js";

export interface Measurement {
  /** Sorted attribute indices. */
  attributes: number[];
  /** Noisy counts over the attributes' joint cells (row-major, last attribute fastest). */
  y: Float64Array;
  sigma: number;
}

export interface EstimatedModel {
  tree: JunctionTree;
  maps: TreeMaps;
  total: number;
  /** Clique marginals in counts (sum `total`), per clique of `tree`. */
  counts: Float64Array[];
  /** Log-potentials per measured attribute set (key: attributes joined by ","); the next fit's warm start. */
  potentials: Map<string, Float64Array>;
  loss: number;
}

export interface EstimateOptions {
  iterations: number;
  /** Potentials of a previous fit, reused for the sets it had (Private-PGM warm start). */
  warmStart?: ReadonlyMap<string, Float64Array>;
  /** Fixed log-potentials added to the model and never updated (−∞ marks a structural zero). */
  fixed?: ReadonlyMap<string, Float64Array>;
}

export const setKey = (attributes: readonly number[]): string => attributes.join(",");

interface Assignment {
  key: string;
  attributes: number[];
  clique: number;
  map: Int32Array;
  cells: number;
}

/** Fits the graphical model to the measurements over a domain of `domainSizes`. */
export function estimateMarginals(
  domainSizes: readonly number[],
  measurements: readonly Measurement[],
  total: number,
  options: EstimateOptions,
): EstimatedModel {
  const sets = new Map<string, number[]>();
  for (const m of measurements) sets.set(setKey(m.attributes), m.attributes);
  for (const key of options.fixed?.keys() ?? []) if (!sets.has(key)) sets.set(key, key === "" ? [] : key.split(",").map(Number));
  const tree = buildJunctionTree(domainSizes, [...sets.values()]);
  const maps = new TreeMaps(tree);
  const cliqueSizes = tree.cliques.map((c) => cellCount(sizesOf(c, domainSizes)));
  const assignments = new Map<string, Assignment>();
  for (const [key, attributes] of sets) {
    let best = -1;
    tree.cliques.forEach((c, index) => {
      if (intersection(attributes, c).length === attributes.length && (best < 0 || cliqueSizes[index]! < cliqueSizes[best]!)) best = index;
    });
    const clique = tree.cliques[best]!;
    assignments.set(key, {
      key,
      attributes,
      clique: best,
      map: projectionMap(clique, sizesOf(clique, domainSizes), attributes),
      cells: cellCount(sizesOf(attributes, domainSizes)),
    });
  }
  const theta = new Map<string, Float64Array>();
  for (const m of measurements) {
    const key = setKey(m.attributes);
    if (theta.has(key)) continue;
    const previous = options.warmStart?.get(key);
    theta.set(key, previous === undefined ? new Float64Array(m.y.length) : Float64Array.from(previous));
  }

  const potentialsOf = (parameters: ReadonlyMap<string, Float64Array>): Float64Array[] => {
    const potentials = cliqueSizes.map((cells) => new Float64Array(cells));
    for (const [key, values] of parameters) {
      const a = assignments.get(key)!;
      addExpanded(potentials[a.clique]!, a.map, values);
    }
    for (const [key, values] of options.fixed ?? []) {
      const a = assignments.get(key)!;
      addExpanded(potentials[a.clique]!, a.map, values);
    }
    return potentials;
  };
  const evaluate = (parameters: ReadonlyMap<string, Float64Array>) => {
    const counts = cliqueCounts(calibrate(maps, potentialsOf(parameters)), total);
    const gradient = new Map<string, Float64Array>();
    let loss = 0;
    const marginals = new Map<string, Float64Array>();
    for (const m of measurements) {
      const key = setKey(m.attributes);
      let mu = marginals.get(key);
      if (mu === undefined) {
        const a = assignments.get(key)!;
        mu = sumOnto(counts[a.clique]!, a.map, a.cells);
        marginals.set(key, mu);
      }
      let g = gradient.get(key);
      if (g === undefined) {
        g = new Float64Array(mu.length);
        gradient.set(key, g);
      }
      const weight = 1 / (m.sigma * m.sigma);
      for (let c = 0; c < mu.length; c++) {
        const r = mu[c]! - m.y[c]!;
        loss += 0.5 * weight * r * r;
        g[c]! += weight * r;
      }
    }
    return { counts, gradient, loss };
  };

  let current = evaluate(theta);
  // A step of η moves a cell holding μ counts by about η·μ·∂L/∂μ; η = σ²/n̂ moves even the largest cell by less than its residual.
  const minSigma = Math.min(...measurements.map((m) => m.sigma));
  let eta = (minSigma * minSigma) / Math.max(1, total);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const trial = new Map<string, Float64Array>();
    for (const [key, values] of theta) {
      const g = current.gradient.get(key)!;
      const next = new Float64Array(values.length);
      for (let c = 0; c < values.length; c++) next[c] = values[c]! - eta * g[c]!;
      trial.set(key, next);
    }
    const candidate = evaluate(trial);
    if (candidate.loss <= current.loss) {
      for (const [key, values] of trial) theta.set(key, values);
      current = candidate;
      eta *= 1.5;
    } else {
      eta *= 0.5;
    }
  }
  return { tree, maps, total, counts: current.counts, potentials: theta, loss: current.loss };
}

/**
 * Marginals (counts, row-major over (i, j) with i < j) of the pairs (i, j) for every j in
 * `others`, from an estimated model: attribute i is carried from a clique that holds it to every
 * other clique, so one pass answers all pairs that include i.
 */
export function pairMarginalsWith(model: EstimatedModel, i: number, others: ReadonlySet<number>): Map<number, Float64Array> {
  const { tree } = model;
  const sizes = tree.domainSizes;
  const k = tree.cliques.length;
  const neighbours: number[][] = Array.from({ length: k }, () => []);
  tree.parent.forEach((p, c) => {
    if (p >= 0) {
      neighbours[p]!.push(c);
      neighbours[c]!.push(p);
    }
  });
  const start = tree.cliques.findIndex((c) => c.includes(i));
  const out = new Map<number, Float64Array>();
  const visit = (clique: number, attributes: number[], joint: Float64Array) => {
    for (const j of tree.cliques[clique]!) {
      if (j === i || !others.has(j) || out.has(j)) continue;
      const pair = i < j ? [i, j] : [j, i];
      out.set(j, sumOnto(joint, projectionMap(attributes, sizesOf(attributes, sizes), pair), cellCount(sizesOf(pair, sizes))));
    }
  };
  visit(start, tree.cliques[start]!, model.counts[start]!);
  const queue: { clique: number; from: number; attributes: number[]; joint: Float64Array }[] = [
    { clique: start, from: -1, attributes: tree.cliques[start]!, joint: model.counts[start]! },
  ];
  while (queue.length > 0) {
    const { clique, from, attributes, joint } = queue.shift()!;
    for (const next of neighbours[clique]!) {
      if (next === from) continue;
      const nextClique = tree.cliques[next]!;
      const separator = intersection(nextClique, tree.cliques[clique]!);
      const carried = sortedUnion([i], separator);
      const carriedJoint = sumOnto(joint, projectionMap(attributes, sizesOf(attributes, sizes), carried), cellCount(sizesOf(carried, sizes)));
      const nextSizes = sizesOf(nextClique, sizes);
      const separatorCounts = sumOnto(model.counts[next]!, projectionMap(nextClique, nextSizes, separator), cellCount(sizesOf(separator, sizes)));
      const union = sortedUnion([i], nextClique);
      const unionSizes = sizesOf(union, sizes);
      const toCarried = projectionMap(union, unionSizes, carried);
      const toClique = projectionMap(union, unionSizes, nextClique);
      const toSeparator = projectionMap(union, unionSizes, separator);
      const nextJoint = new Float64Array(cellCount(unionSizes));
      const cliqueCounts = model.counts[next]!;
      for (let x = 0; x < nextJoint.length; x++) {
        const s = separatorCounts[toSeparator[x]!]!;
        nextJoint[x] = s > 0 ? (carriedJoint[toCarried[x]!]! * cliqueCounts[toClique[x]!]!) / s : 0;
      }
      visit(next, union, nextJoint);
      queue.push({ clique: next, from: clique, attributes: union, joint: nextJoint });
    }
  }
  return out;
}
