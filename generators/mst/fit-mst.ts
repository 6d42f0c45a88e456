/**
 * MST (McKenna, Miklau & Sheldon 2021, "Winning the NIST Contest", Algorithm 1) and its
 * non-private twin, the Chow–Liu tree (1968).
 *
 * Private fit, ρ-zCDP under adding or removing one row, ρ from (ε, δ) by Canonne, Kamath &
 * Steinke 2020; the budget is split in thirds as in the paper:
 *  1. ρ/3: every 1-way marginal with discrete Gaussian noise, σ₁ = √(d / (2ρ/3)) (one row changes
 *     one cell of each of the d marginals: L2 sensitivity √d for the lot). Cells whose noisy count
 *     is below 3σ₁ are merged into one cell ("compress domain"), so rare labels share noise.
 *  2. ρ/3: a spanning tree, d − 1 exponential-mechanism rounds (ε²/8 each), scoring an edge by
 *     ‖M_ij − M̂_ij‖₁, the L1 distance between its exact 2-way marginal and the independent one
 *     the noisy 1-ways imply (sensitivity 1: one row moves one cell of M_ij by 1; M̂ is public).
 *  3. ρ/3: the d − 1 tree marginals with discrete Gaussian noise, σ₂ = √((d − 1) / (2ρ/3)).
 * Estimation (post-processing). On a tree, a distribution is fixed by consistent clique
 * marginals, so we estimate those: each attribute's 1-way as the inverse-variance combination of
 * its own measurement and the row sums of its tree measurements, projected onto the simplex of
 * total n̂; each edge's 2-way as its measurement projected onto the simplex, then raked (IPF) to
 * those 1-ways. This is the least-squares estimate of each clique taken alone — what Private-PGM
 * computes for one clique — made consistent on the shared attributes; the tree factorisation of
 * consistent marginals then samples exactly those marginals (ancestral sampling).
 */
import { discreteGaussianNoise, exponentialMechanismEpsilonForRho, gaussianSigmaForRho, type PrivacySource } from "../../privacy/index.js";
import type { Table, TableSchema } from "../../tabular/index.js";
import { type DiscreteDomain, domainFromTable, encodeTable, privateDomainFromSchema } from "../discrete-domain.js";
import type { DpRecord } from "../dp-record.js";
import type { DpRequest } from "../dp-request.js";
import { GeneratorError } from "../errors.js";
import { countCells, countPairs, l1FromIndependence, mutualInformation, projectToSimplex, rakeToMargins, remapCodes } from "./contingency.js";
import { type CompressedAttribute, identityCompression, MST_GENERATOR_NAME, type MstModel, pairKey, treeFactorisation } from "./mst-model.js";
import { allPairs, type Edge, maximumSpanningTree, privateSpanningTree } from "./tree-selection.js";

export const IPF_ITERATIONS = 50;

function checkTable(table: Table, domain: DiscreteDomain): void {
  if (table.rowCount === 0) throw new GeneratorError("the table has no rows; a model needs at least one row to learn from.");
  if (domain.attributes.length === 0)
    throw new GeneratorError("the table has no column a tree model can learn (only id or personal-data columns); nothing to fit.");
}

/** Chow–Liu: the maximum mutual-information spanning tree of the exact 2-way marginals. Not private. */
export function fitChowLiu(table: Table, schema: TableSchema): MstModel {
  const domain = domainFromTable(table);
  checkTable(table, domain);
  const codes = encodeTable(table, domain);
  const sizes = domain.attributes.map((a) => a.size);
  const d = sizes.length;
  const pairs = allPairs(d);
  const twoWay = new Map<string, Float64Array>();
  const weights = pairs.map(([i, j]) => {
    const counts = countPairs(codes[i]!, sizes[i]!, codes[j]!, sizes[j]!);
    twoWay.set(pairKey(i, j), counts);
    return mutualInformation(counts, sizes[i]!, sizes[j]!);
  });
  const tree = maximumSpanningTree(d, pairs, weights);
  const oneWay = codes.map((c, i) => countCells(c, sizes[i]!));
  const factorisation = treeFactorisation(sizes, tree, oneWay, twoWay);
  return {
    format: "datalab-model",
    version: 1,
    generator: MST_GENERATOR_NAME,
    schema,
    training: { rows: table.rowCount },
    attributes: domain.attributes,
    compression: sizes.map((size) => identityCompression(size)),
    ...factorisation,
    privacy: null,
    warnings: [],
  };
}

/** Merges the cells whose noisy count is below `threshold` into one (MST's domain compression). */
export function compress(noisy: Float64Array, threshold: number): { map: Int32Array; attribute: CompressedAttribute } {
  const small: number[] = [];
  for (let c = 0; c < noisy.length; c++) if (noisy[c]! < threshold) small.push(c);
  const map = new Int32Array(noisy.length);
  const groups: number[][] = [];
  const merge = small.length > 1;
  for (let c = 0; c < noisy.length; c++) {
    if (merge && noisy[c]! < threshold) continue;
    map[c] = groups.length;
    groups.push([c]);
  }
  if (merge) {
    for (const c of small) map[c] = groups.length;
    groups.push(small);
  }
  // Within a merged group, cells are picked in proportion to their (clipped) noisy counts: post-processing.
  const groupWeights = groups.map((members) => {
    const weights = members.map((c) => Math.max(0, noisy[c]!));
    const total = weights.reduce((s, w) => s + w, 0);
    return total > 0 ? weights.map((w) => w / total) : members.map(() => 1 / members.length);
  });
  return { map, attribute: { groups, groupWeights } };
}

/**
 * Numerical attributes are compressed into runs of consecutive cells (never merging distant values,
 * which would scramble the order): runs of at least 3σ₁ noisy rows (MST's threshold) and, for a
 * column of more than NUMERIC_GROUPS cells, of about n̂ / NUMERIC_GROUPS rows (a cell heavier than
 * that, like zero capital gain, stays alone). The 1-way shape inside a run comes from the noisy
 * 1-way counts, so the column keeps its fine shape while each 2-way table has at most
 * (NUMERIC_GROUPS + 1)² cells: the noise per table grows with its cell count, and a 74 × 99 table
 * of σ ≈ 37 noise would bury 32k rows. Post-processing of the 1-way measurement.
 */
export const NUMERIC_GROUPS = 24;

export function coarsenNumeric(noisy: Float64Array, target: number): { map: Int32Array; attribute: CompressedAttribute } {
  const cells = noisy.length - 1; // the last cell is "missing" and stays its own group
  const map = new Int32Array(noisy.length);
  const groups: number[][] = [];
  let current: number[] = [];
  let mass = 0;
  for (let c = 0; c < cells; c++) {
    current.push(c);
    mass += Math.max(0, noisy[c]!);
    if (mass >= target || c === cells - 1) {
      groups.push(current);
      current = [];
      mass = 0;
    }
  }
  groups.push([cells]);
  groups.forEach((members, g) => {
    for (const c of members) map[c] = g;
  });
  const groupWeights = groups.map((members) => {
    const weights = members.map((c) => Math.max(0, noisy[c]!));
    const total = weights.reduce((s, w) => s + w, 0);
    return total > 0 ? weights.map((w) => w / total) : members.map(() => 1 / members.length);
  });
  return { map, attribute: { groups, groupWeights } };
}

function sumOver(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** MST with budget `request.rho`; `schema` is the user's schema (the domain's only source). */
export function fitMst(table: Table, schema: TableSchema, request: DpRequest, source: PrivacySource): MstModel {
  const domain = privateDomainFromSchema(schema);
  checkTable(table, domain);
  const codes = encodeTable(table, domain);
  const d = domain.attributes.length;
  const rhoStep = request.rho / 3;

  // 1. Noisy 1-way marginals, then compression.
  const sigma1 = gaussianSigmaForRho(Math.sqrt(d), rhoStep);
  const noisyOneWay = codes.map((c, i) => discreteGaussianNoise(countCells(c, domain.attributes[i]!.size), sigma1, source));
  // n̂: inverse-variance mean of the totals (the total of attribute i has variance (cells) σ₁²).
  let weightSum = 0;
  let weighted = 0;
  noisyOneWay.forEach((y) => {
    const w = 1 / y.length;
    weighted += w * sumOver(y);
    weightSum += w;
  });
  const rows = Math.max(1, weighted / weightSum);
  const compressed = noisyOneWay.map((y, i) =>
    domain.attributes[i]!.kind === "numeric"
      ? coarsenNumeric(y, y.length - 1 > NUMERIC_GROUPS ? Math.max(rows / NUMERIC_GROUPS, 3 * sigma1) : 3 * sigma1)
      : compress(y, 3 * sigma1),
  );
  const sizes = compressed.map((c) => c.attribute.groups.length);
  const small = codes.map((c, i) => remapCodes(c, compressed[i]!.map));
  const y1 = noisyOneWay.map((y, i) => {
    const out = new Float64Array(sizes[i]!);
    for (let c = 0; c < y.length; c++) out[compressed[i]!.map[c]!]! += y[c]!;
    return out;
  });
  const independent = y1.map((y) => projectToSimplex(y, rows));

  // 2. Private spanning tree.
  const pairs = allPairs(d);
  const mechanisms: DpRecord["mechanisms"] = [
    { release: "1-way marginals", mechanism: "discrete Gaussian", rho: rhoStep, count: d, sigma: sigma1, sensitivity: Math.sqrt(d) },
  ];
  let tree: Edge[] = [];
  if (d > 1) {
    const scores = pairs.map(([i, j]) => l1FromIndependence(countPairs(small[i]!, sizes[i]!, small[j]!, sizes[j]!), independent[i]!, independent[j]!));
    const epsilonPerRound = exponentialMechanismEpsilonForRho(rhoStep / (d - 1));
    tree = privateSpanningTree(d, pairs, scores, epsilonPerRound, 1, source);
    mechanisms.push({
      release: "tree edges (spanning tree rounds)",
      mechanism: "exponential mechanism",
      rho: rhoStep,
      count: d - 1,
      epsilonPerSelection: epsilonPerRound,
      sensitivity: 1,
    });
  }

  // 3. Noisy 2-way marginals of the tree.
  const sigma2 = d > 1 ? gaussianSigmaForRho(Math.sqrt(d - 1), rhoStep) : 0;
  const y2 = new Map<string, Float64Array>();
  for (const [i, j] of tree) y2.set(pairKey(i, j), discreteGaussianNoise(countPairs(small[i]!, sizes[i]!, small[j]!, sizes[j]!), sigma2, source));
  if (d > 1)
    mechanisms.push({
      release: "2-way marginals of the tree",
      mechanism: "discrete Gaussian",
      rho: rhoStep,
      count: d - 1,
      sigma: sigma2,
      sensitivity: Math.sqrt(d - 1),
    });

  // 4. Consistent estimate of the tree's marginals.
  const oneWay = estimateOneWays(y1, compressed, sigma1, tree, y2, sizes, sigma2, rows);
  noNullsBelowNoise(noisyOneWay, compressed, oneWay, 3 * sigma1, rows);
  const twoWay = new Map<string, Float64Array>();
  for (const [i, j] of tree) {
    const estimate = projectToSimplex(y2.get(pairKey(i, j))!, rows);
    rakeToMargins(estimate, oneWay[i]!, oneWay[j]!, IPF_ITERATIONS, 1e-9 * rows);
    twoWay.set(pairKey(i, j), estimate);
  }
  const factorisation = treeFactorisation(sizes, tree, oneWay, twoWay);
  const privacy: DpRecord = {
    epsilon: request.epsilon,
    delta: request.delta,
    rho: request.rho,
    neighbours: "add or remove one row",
    privateRandomness: source.privateRandomness,
    domain: "schema file (numerical min/max, categorical categories, boolean labels)",
    budgetSplit: { "1-way marginals": 1 / 3, "tree selection": 1 / 3, "2-way marginals": 1 / 3 },
    mechanisms,
  };
  return {
    format: "datalab-model",
    version: 1,
    generator: MST_GENERATOR_NAME,
    schema,
    training: { rows: Math.round(rows) },
    attributes: domain.attributes,
    compression: compressed.map((c) => c.attribute),
    ...factorisation,
    privacy,
    warnings: source.privateRandomness ? [] : [`NOT PRIVATE: the noise came from ${source.description}, a seeded test source`],
  };
}

/**
 * When `member` (an original cell) shares compressed cell `cell` with others, give it weight 0 in
 * that group (the rest renormalised) and return true; false when it is alone in its cell.
 */
export function dropFromMergedGroup(attribute: CompressedAttribute, cell: number, member: number): boolean {
  const members = attribute.groups[cell]!;
  if (members.length <= 1) return false;
  const position = members.indexOf(member);
  const weights = attribute.groupWeights[cell]!;
  const others = weights.reduce((sum, w, k) => sum + (k === position ? 0 : w), 0);
  attribute.groupWeights[cell] = weights.map((w, k) => (k === position ? 0 : others > 0 ? w / others : 1 / (weights.length - 1)));
  return true;
}

/**
 * A missing cell whose noisy count is below 3σ₁ (MST's threshold for noise-level cells) is read as
 * "this column has no nulls": alone in its compressed cell, that cell's estimate becomes 0 (the
 * rest rescaled to n̂); inside a merged group, its weight becomes 0. Otherwise a column without
 * nulls gets dozens of null rows from noise alone. Post-processing of the 1-way measurement.
 */
export function noNullsBelowNoise(
  noisy: readonly Float64Array[],
  compressed: ReadonlyArray<{ map: Int32Array; attribute: CompressedAttribute }>,
  oneWay: Float64Array[],
  threshold: number,
  rows: number,
): void {
  noisy.forEach((y, i) => {
    const missing = y.length - 1;
    if (y[missing]! >= threshold) return;
    const { map, attribute } = compressed[i]!;
    const cell = map[missing]!;
    if (dropFromMergedGroup(attribute, cell, missing)) return;
    const estimate = oneWay[i]!;
    estimate[cell] = 0;
    let total = 0;
    for (const v of estimate) total += v;
    if (total > 0) for (let c = 0; c < estimate.length; c++) estimate[c] = (estimate[c]! * rows) / total;
  });
}

/**
 * Each attribute's 1-way estimate: per cell, the inverse-variance mean of its own noisy count
 * (variance σ₁² × cells merged into it) and of the row sums of each tree measurement it is in
 * (variance σ₂² × the other attribute's size), projected onto the simplex of total n̂.
 */
export function estimateOneWays(
  y1: Float64Array[],
  compressed: ReadonlyArray<{ attribute: CompressedAttribute }>,
  sigma1: number,
  tree: readonly Edge[],
  y2: ReadonlyMap<string, Float64Array>,
  sizes: readonly number[],
  sigma2: number,
  rows: number,
): Float64Array[] {
  return y1.map((y, i) => {
    const precision = new Float64Array(y.length);
    const sum = new Float64Array(y.length);
    for (let c = 0; c < y.length; c++) {
      const variance = sigma1 * sigma1 * compressed[i]!.attribute.groups[c]!.length;
      precision[c] = 1 / variance;
      sum[c] = y[c]! / variance;
    }
    for (const [a, b] of tree) {
      if (a !== i && b !== i) continue;
      const other = a === i ? b : a;
      const table = y2.get(pairKey(a, b))!;
      const variance = sigma2 * sigma2 * sizes[other]!;
      for (let c = 0; c < y.length; c++) {
        let rowSum = 0;
        for (let o = 0; o < sizes[other]!; o++) rowSum += i < other ? table[c * sizes[other]! + o]! : table[o * y.length + c]!;
        precision[c]! += 1 / variance;
        sum[c]! += rowSum / variance;
      }
    }
    const combined = new Float64Array(y.length);
    for (let c = 0; c < y.length; c++) combined[c] = sum[c]! / precision[c]!;
    return projectToSimplex(combined, rows);
  });
}
