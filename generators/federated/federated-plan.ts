/**
 * The coordinator's side between rounds of federated MST: sum what the holders measured and turn
 * it into the public plan of the next round. Everything here is post-processing of noisy sums.
 *
 * Round 1 → selection plan: the summed 1-way marginals give n̂ and MST's domain compression
 * (cells below 3σ merged; numerical columns cut into runs), exactly as `fitMst` does with the same
 * rule, and the pooled independent model p̂_i of each attribute. Each holder's own noisy 1-ways
 * give its n̂_k and its local independent model p̂_i^k.
 *
 * Round 2 → tree plan: MST scores a pair by ‖M_ij − n̂ p̂_i ⊗ p̂_j‖₁, the pooled 2-way table's
 * distance from independence. No party holds M_ij = Σ_k M_ij^k, and an L1 norm of a sum is not a
 * sum of norms, so the exponential mechanism cannot run on it. Write the pooled residual as
 *     M − n̂ p̂ ⊗ p̂ = Σ_k (M^k − n̂_k p̂^k ⊗ p̂^k) + (Σ_k n̂_k p̂^k ⊗ p̂^k − n̂ p̂ ⊗ p̂) = Σ_k E^k + B:
 * E^k is holder k's dependence within its slice, B the dependence that comes from the slices
 * differing (a mixture of independent slices is dependent), and B is a function of the noisy
 * 1-ways alone. Each holder releases its P scores ‖E^k‖₁ with Gaussian noise (sensitivity 1 each
 * against the public reference, √P for the lot); the coordinator scores a pair by
 *     s_ij = Σ_k (‖E_ij^k‖₁ + noise) + ‖B_ij‖₁ ≥ the pooled score (triangle inequality),
 * equal to it when the residuals agree in sign cell by cell, and takes the maximum spanning tree
 * of s (Kruskal): post-processing, no further noise. (Scoring every holder against the pooled
 * reference instead, ‖M^k − n̂_k p̂ ⊗ p̂‖₁, counts the slices' own differences once per holder in
 * absolute value: with Adult split by marital status it made marital status the centre of a star.)
 * The alternative of measuring all P candidate 2-way tables in round 1
 * spreads ρ/3 over P·cells counts, which for Adult (105 pairs, up to 25² cells) buries the scores
 * in noise. At the same ρ/3, a holder's score noise σ = √(P/(2ρ/3)) is √(P/(d−1)) / (π/√6) ≈ 2.1
 * times the standard deviation of MST's Gumbel noise per round (√((d−1)/(2ρ/3)) scale, Adult:
 * d = 15, P = 105), and summing K holders adds √K — small next to scores of thousands
 * (benchmarks/results/federated-synthesis-2026-12-03.json).
 */
import { createHash } from "node:crypto";
import type { TableSchema } from "../../tabular/index.js";
import { type DiscreteDomain, privateDomainFromSchema } from "../discrete-domain.js";
import { GeneratorError } from "../errors.js";
import { projectToSimplex } from "../mst/contingency.js";
import { coarsenNumeric, compress, NUMERIC_GROUPS } from "../mst/fit-mst.js";
import type { CompressedAttribute } from "../mst/mst-model.js";
import { allPairs, type Edge, maximumSpanningTree } from "../mst/tree-selection.js";
import type { HolderMeasurement, MeasurementRound } from "./measurement-file.js";

/** Compression of one attribute: original cell → compressed cell, and the groups it makes. */
export interface PlannedCompression {
  map: number[];
  attribute: CompressedAttribute;
}

/** What the coordinator sends with round 2 (selection scores). */
export interface SelectionPlan {
  round: "selection";
  domain: string;
  compression: PlannedCompression[];
  /** n̂ and p̂_i: the pooled row estimate and each attribute's probabilities over its compressed cells. */
  rows: number;
  independent: number[][];
  /** n̂_k and p̂_i^k of each holder, from its own noisy 1-ways: its public reference n̂_k p̂_i^k ⊗ p̂_j^k. */
  holders: Record<string, { rows: number; independent: number[][] }>;
}

/** What the coordinator sends with round 3 (tree marginals). */
export interface TreePlan {
  round: "tree";
  domain: string;
  compression: PlannedCompression[];
  tree: Edge[];
}

/** SHA-256 of the domain the shared schema declares: holders and coordinator must agree on it. */
export function domainFingerprint(domain: DiscreteDomain): string {
  return createHash("sha256").update(JSON.stringify(domain.attributes)).digest("hex");
}

/** The private domain of the shared schema, checked to have at least two attributes. */
export function sharedDomain(schema: TableSchema): DiscreteDomain {
  const domain = privateDomainFromSchema(schema);
  if (domain.attributes.length < 2)
    throw new GeneratorError(
      `the shared schema models ${domain.attributes.length} column(s); federated MST needs at least 2 (id and personal-data columns are not modelled).`,
    );
  return domain;
}

/** Checks that the holders answered the same round over the same domain, once each, with the blocks expected. */
export function checkRound(measurements: readonly HolderMeasurement[], round: MeasurementRound, domain: string, keys: readonly string[]): void {
  if (measurements.length === 0) throw new GeneratorError(`no holder answered the ${round} round; a federated fit needs at least one.`);
  const seen = new Set<string>();
  for (const m of measurements) {
    const who = `holder "${m.holder}"`;
    if (m.round !== round) throw new GeneratorError(`${who} sent a ${m.round} measurement to the ${round} round; resend the ${round} task.`);
    if (m.domain !== domain)
      throw new GeneratorError(
        `${who} measured over another domain (${m.domain.slice(0, 12)}…, expected ${domain.slice(0, 12)}…); it must use the job's shared schema.`,
      );
    if (seen.has(m.holder)) throw new GeneratorError(`${who} answered the ${round} round twice; a holder counts once per round.`);
    seen.add(m.holder);
    if (m.blocks.length !== keys.length || m.blocks.some((b, k) => b.key !== keys[k]))
      throw new GeneratorError(`${who} sent blocks ${m.blocks.map((b) => b.key).join(" ")}; the ${round} round expects ${keys.join(" ")}.`);
  }
}

/** Element-wise sum of each block over the holders, and σ of the sum (√Σσ_k²). */
export function sumRound(measurements: readonly HolderMeasurement[]): { blocks: Float64Array[]; sigma: number } {
  const blocks = measurements[0]!.blocks.map((b) => new Float64Array(b.values.length));
  let variance = 0;
  for (const m of measurements) {
    variance += m.release.sigma ** 2;
    m.blocks.forEach((b, k) => {
      const sum = blocks[k]!;
      if (b.values.length !== sum.length)
        throw new GeneratorError(`holder "${m.holder}" sent ${b.values.length} values for block "${b.key}", expected ${sum.length}.`);
      for (let c = 0; c < sum.length; c++) sum[c] = sum[c]! + b.values[c]!;
    });
  }
  return { blocks, sigma: Math.sqrt(variance) };
}

export const oneWayKeys = (d: number): string[] => Array.from({ length: d }, (_, i) => `1:${i}`);
export const SCORES_KEY = "scores";
export const treeKeys = (tree: readonly Edge[]): string[] => tree.map(([i, j]) => `2:${i},${j}`);

/** n̂ from noisy 1-way marginals: inverse-variance mean of their totals (a total of c cells has variance c σ²). */
export function rowsFromOneWays(oneWays: readonly Float64Array[]): number {
  let weighted = 0;
  let weightSum = 0;
  for (const y of oneWays) {
    let total = 0;
    for (const v of y) total += v;
    weighted += total / y.length;
    weightSum += 1 / y.length;
  }
  return Math.max(1, weighted / weightSum);
}

/** MST's compression of every attribute from the summed noisy 1-ways (the rule of `fitMst`). */
export function compressionFromOneWays(domain: DiscreteDomain, oneWays: readonly Float64Array[], sigma1: number, rows: number): PlannedCompression[] {
  return oneWays.map((y, i) => {
    const { map, attribute } =
      domain.attributes[i]!.kind === "numeric"
        ? coarsenNumeric(y, y.length - 1 > NUMERIC_GROUPS ? Math.max(rows / NUMERIC_GROUPS, 3 * sigma1) : 3 * sigma1)
        : compress(y, 3 * sigma1);
    return { map: Array.from(map), attribute };
  });
}

/** Sums a compressed attribute's cells of an original-cell vector. */
export function compressVector(y: Float64Array, compression: PlannedCompression): Float64Array {
  const out = new Float64Array(compression.attribute.groups.length);
  for (let c = 0; c < y.length; c++) out[compression.map[c]!] = out[compression.map[c]!]! + y[c]!;
  return out;
}

/** After round 1: the public plan of the selection round. */
export function planSelection(schema: TableSchema, oneWay: readonly HolderMeasurement[]): SelectionPlan {
  const domain = sharedDomain(schema);
  const fingerprint = domainFingerprint(domain);
  const d = domain.attributes.length;
  checkRound(oneWay, "one-way", fingerprint, oneWayKeys(d));
  const { blocks, sigma } = sumRound(oneWay);
  const rows = rowsFromOneWays(blocks);
  const compression = compressionFromOneWays(domain, blocks, sigma, rows);
  const independent = independentModel(blocks, compression, rows);
  const holders = Object.fromEntries(
    oneWay.map((m) => {
      const own = m.blocks.map((b) => b.values);
      const ownRows = rowsFromOneWays(own);
      return [m.holder, { rows: ownRows, independent: independentModel(own, compression, ownRows) }];
    }),
  );
  return { round: "selection", domain: fingerprint, compression, rows, independent, holders };
}

/** Each attribute's probabilities over its compressed cells: the noisy 1-way projected onto the simplex of n̂. */
function independentModel(oneWays: readonly Float64Array[], compression: readonly PlannedCompression[], rows: number): number[][] {
  return oneWays.map((y, i) => Array.from(projectToSimplex(compressVector(y, compression[i]!), rows), (v) => v / rows));
}

/** ‖B_ij‖₁ = ‖Σ_k n̂_k p̂_i^k ⊗ p̂_j^k − n̂ p̂_i ⊗ p̂_j‖₁: the dependence the slices' differences make. */
export function betweenHolderScore(plan: SelectionPlan, i: number, j: number): number {
  const sizeI = plan.independent[i]!.length;
  const sizeJ = plan.independent[j]!.length;
  const table = new Float64Array(sizeI * sizeJ);
  for (const { rows, independent } of Object.values(plan.holders))
    for (let a = 0; a < sizeI; a++)
      for (let b = 0; b < sizeJ; b++) table[a * sizeJ + b] = table[a * sizeJ + b]! + rows * independent[i]![a]! * independent[j]![b]!;
  let distance = 0;
  for (let a = 0; a < sizeI; a++)
    for (let b = 0; b < sizeJ; b++) distance += Math.abs(table[a * sizeJ + b]! - plan.rows * plan.independent[i]![a]! * plan.independent[j]![b]!);
  return distance;
}

/** After round 2: the tree of the summed selection scores, and the plan of the tree round. */
export function planTree(schema: TableSchema, selection: readonly HolderMeasurement[], plan: SelectionPlan): TreePlan {
  const domain = sharedDomain(schema);
  const d = domain.attributes.length;
  checkRound(selection, "selection", plan.domain, [SCORES_KEY]);
  const { blocks } = sumRound(selection);
  const pairs = allPairs(d);
  const scores = pairs.map(([i, j], k) => blocks[0]![k]! + betweenHolderScore(plan, i, j));
  const tree = maximumSpanningTree(d, pairs, scores);
  return { round: "tree", domain: plan.domain, compression: plan.compression, tree };
}

/**
 * A holder's check of a plan it received (the sidecar does not trust the coordinator): the plan is
 * over this schema's domain, every map sends each original cell to an existing compressed cell,
 * and a tree is d − 1 distinct pairs. What a round spends never depends on the plan (see
 * federated-budget.ts), so a wrong plan can waste the holder's budget but not exceed it.
 */
export function checkPlan(plan: SelectionPlan | TreePlan, domain: DiscreteDomain, holder: string): void {
  const bad = (problem: string) => new GeneratorError(`the coordinator's ${plan.round} plan ${problem}; the holder refuses it.`);
  if (plan.domain !== domainFingerprint(domain)) throw bad("is over another schema than the holder's");
  const d = domain.attributes.length;
  if (!Array.isArray(plan.compression) || plan.compression.length !== d) throw bad(`compresses ${plan.compression?.length} attributes, not ${d}`);
  plan.compression.forEach((c, i) => {
    const groups = c.attribute.groups.length;
    if (c.map.length !== domain.attributes[i]!.size || c.map.some((g) => !Number.isInteger(g) || g < 0 || g >= groups))
      throw bad(`maps attribute ${i} ("${domain.attributes[i]!.name}") outside its cells`);
  });
  if (plan.round === "selection") {
    const own = plan.holders[holder];
    if (own === undefined || !(own.rows > 0) || !Number.isFinite(own.rows)) throw bad(`has no reference for holder "${holder}"`);
    const fits = (model: number[][]) =>
      model.length === d && model.every((p, i) => p.length === plan.compression[i]!.attribute.groups.length && p.every((v) => v >= 0 && v <= 1));
    if (!fits(own.independent) || !fits(plan.independent)) throw bad("has an independent model that does not fit its compression");
    return;
  }
  const seen = new Set<string>();
  if (plan.tree.length !== d - 1) throw bad(`has ${plan.tree.length} edges, a tree over ${d} attributes has ${d - 1}`);
  for (const [i, j] of plan.tree) {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j <= i || j >= d || seen.has(`${i},${j}`)) throw bad(`has an invalid edge (${i}, ${j})`);
    seen.add(`${i},${j}`);
  }
}
