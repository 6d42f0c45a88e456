/**
 * AIM (McKenna, Mullins, Sheldon & Miklau 2022, "AIM: An Adaptive and Iterative Mechanism for
 * Differentially Private Synthetic Data", Algorithm 4), ρ-zCDP under adding or removing one row,
 * with ρ from (ε, δ) by Canonne, Kamath & Steinke 2020.
 *
 * Workload: all 2-way marginals (what the quality score measures). Candidates are its closure —
 * every pair and every single attribute — with the paper's weights w_r = Σ_s |r ∩ s|: 2(d − 1) for
 * a pair, d − 1 for a single; divided by 2(d − 1) they are 1 and ½ with score sensitivity 1.
 *  - Budget per round: T = 16d rounds at the start, α = 0.9 of each round's ρ/T for measuring,
 *    σ₀ = √(T / (2αρ)), and 1 − α for selecting, ε₀ = √(8(1 − α)ρ / T) (ε²/8 zCDP).
 *  - Initialisation: every 1-way marginal with discrete Gaussian noise σ₀ (one row moves one cell of
 *    each: sensitivity 1 per marginal, ρ = 1/(2σ₀²) each). Their cells then compress as in MST
 *    (categorical cells below 3σ₀ merged; a numeric column of more than NUMERIC_GROUPS cells
 *    coarsened to runs of about n̂ / NUMERIC_GROUPS rows, a shorter one kept cell by cell — a 3σ₀
 *    run would hide a rare extreme value such as education-num 1 from every later measurement):
 *    post-processing.
 *  - Each round: candidates are those whose addition keeps the junction tree within
 *    (ρ_used / ρ) · the size bound (the paper's JT-SIZE filter, so the model grows only as the
 *    budget spent justifies it); one is chosen by the exponential mechanism on
 *        q_r = w_r (‖M_r(D) − M_r(p̂)‖₁ − √(2/π) · σ · n_r)
 *    (error of the current model minus the expected L1 magnitude of the noise on n_r cells);
 *    it is measured with discrete Gaussian noise σ; Private-PGM re-estimates p̂ (warm-started).
 *  - Annealing: when the re-estimated marginal moved by less than √(2/π) · σ · n_r (the noise's
 *    expected L1), the round taught little at this noise level: σ halves and ε doubles (4× ρ per round).
 *  - When the budget left is at most two rounds' worth, the last round spends exactly what is left
 *    (σ = √(1 / (2α ρ_left)), ε = √(8(1 − α) ρ_left)).
 * Everything after the noisy measurements and selections is post-processing.
 */
import { discreteGaussianNoise, exponentialMechanism, exponentialMechanismRho, gaussianRho, type PrivacySource, ZcdpAccountant } from "../../privacy/index.js";
import type { Table, TableSchema } from "../../tabular/index.js";
import { encodeTable, privateDomainFromSchema } from "../discrete-domain.js";
import type { DpRecord, MechanismRecord } from "../dp-record.js";
import type { DpRequest } from "../dp-request.js";
import { GeneratorError } from "../errors.js";
import { countCells, countPairs, projectToSimplex, remapCodes } from "../mst/contingency.js";
import { coarsenNumeric, compress, dropFromMergedGroup, NUMERIC_GROUPS } from "../mst/fit-mst.js";
import type { CompressedAttribute } from "../mst/mst-model.js";
import { AIM_GENERATOR_NAME, type AimModel } from "./aim-model.js";
import { projectionMap, sizesOf, sumOnto } from "./factor.js";
import { buildJunctionTree, junctionTreeCells } from "./junction-tree.js";
import { type EstimatedModel, estimateMarginals, type Measurement, pairMarginalsWith, setKey } from "./marginal-estimator.js";

/** Largest junction tree (Float64 cells × 8 bytes) the final model may have; the paper uses 80 MB, we keep fits in seconds. */
export const AIM_MAX_MODEL_MEGABYTES = 2;
/** T = ROUNDS_PER_ATTRIBUTE · d, the paper's starting round count. */
const ROUNDS_PER_ATTRIBUTE = 16;
/** Share of each round's ρ spent on measuring (the rest selects), the paper's α. */
const MEASURE_SHARE = 0.9;
const EXPECTED_ABS_NORMAL = Math.sqrt(2 / Math.PI);

export interface AimOptions {
  /** Runs of about n̂ / numericGroups rows that a numeric column of more cells is coarsened to (MST's rule); default MST's. */
  numericGroups?: number;
  maxModelMegabytes?: number;
  /** Mirror-descent iterations after each round (warm-started) and at the end. */
  iterationsPerRound?: number;
  finalIterations?: number;
}

interface Candidate {
  attributes: number[];
  weight: number;
  cells: number;
}

interface Round {
  attributes: number[];
  sigma: number;
  epsilon: number;
}

function l1(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += Math.abs(a[c]! - b[c]!);
  return s;
}

/** AIM with budget `request.rho`; `schema` is the user's schema (the domain's only source). */
export function fitAim(table: Table, schema: TableSchema, request: DpRequest, source: PrivacySource, options: AimOptions = {}): AimModel {
  const domain = privateDomainFromSchema(schema);
  if (table.rowCount === 0) throw new GeneratorError("the table has no rows; a model needs at least one row to learn from.");
  if (domain.attributes.length === 0) throw new GeneratorError("the table has no column AIM can learn (only id or personal-data columns); nothing to fit.");
  const maxCells = ((options.maxModelMegabytes ?? AIM_MAX_MODEL_MEGABYTES) * 2 ** 20) / 8;
  const iterationsPerRound = options.iterationsPerRound ?? 60;
  const finalIterations = options.finalIterations ?? 400;
  const numericGroups = options.numericGroups ?? NUMERIC_GROUPS;
  const codes = encodeTable(table, domain);
  const d = domain.attributes.length;
  const rho = request.rho;
  const accountant = new ZcdpAccountant();
  const rounds0 = ROUNDS_PER_ATTRIBUTE * d;
  let sigma = Math.sqrt(rounds0 / (2 * MEASURE_SHARE * rho));
  let epsilon = Math.sqrt((8 * (1 - MEASURE_SHARE) * rho) / rounds0);

  // Initialisation: 1-way marginals, then MST's compression.
  const sigma0 = sigma;
  const noisyOneWay = codes.map((c, i) => discreteGaussianNoise(countCells(c, domain.attributes[i]!.size), sigma0, source));
  for (let i = 0; i < d; i++) accountant.charge("1-way marginal", gaussianRho(1, sigma0));
  let weightSum = 0;
  let weighted = 0;
  for (const y of noisyOneWay) {
    let total = 0;
    for (const v of y) total += v;
    weighted += total / y.length;
    weightSum += 1 / y.length;
  }
  const rows = Math.max(1, weighted / weightSum);
  const threshold = 3 * sigma0;
  const compressed = noisyOneWay.map((y, i) =>
    domain.attributes[i]!.kind === "numeric" ? coarsenNumeric(y, y.length - 1 > numericGroups ? rows / numericGroups : 0) : compress(y, threshold),
  );
  const sizes = compressed.map((c) => c.attribute.groups.length);
  const small = codes.map((c, i) => remapCodes(c, compressed[i]!.map));
  const fixed = absentMissingCells(noisyOneWay, compressed, threshold);
  const measurements: Measurement[] = [];
  const warmStart = new Map<string, Float64Array>();
  noisyOneWay.forEach((y, i) => {
    const merged = new Float64Array(sizes[i]!);
    for (let c = 0; c < y.length; c++) merged[compressed[i]!.map[c]!]! += y[c]!;
    measurements.push({ attributes: [i], y: merged, sigma: sigma0 });
    // Start from the independent model of the projected 1-ways, every cell raised by one noise σ₀:
    // mirror descent moves a cell multiplicatively, so a cell started near 0 (a rare value whose
    // noisy count came out negative) could not regrow when a later, finer measurement shows it.
    warmStart.set(
      setKey([i]),
      projectToSimplex(merged, rows).map((v) => Math.log(v + sigma0)),
    );
  });
  let model = estimateMarginals(sizes, measurements, rows, { iterations: iterationsPerRound, warmStart, fixed });

  // Candidates: the workload's closure, every pair and every single attribute. A pair's workload
  // weight Σ_s |r ∩ s| over the pairs s is 2(d − 1), a single attribute's d − 1: divided by
  // 2(d − 1), weights 1 and 1/2 with sensitivity 1. A re-measured 1-way never grows the model, so
  // the size filter always leaves a candidate.
  const candidatesAll: Candidate[] = [];
  for (let i = 0; i < d; i++) candidatesAll.push({ attributes: [i], weight: 0.5, cells: sizes[i]! });
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) candidatesAll.push({ attributes: [i, j], weight: 1, cells: sizes[i]! * sizes[j]! });
  // Exact marginals of the data over the compressed cells (the selection's and measurement's input).
  const exact = new Map(
    candidatesAll.map(({ attributes: [i, j] }) => [
      j === undefined ? setKey([i!]) : setKey([i!, j]),
      j === undefined ? countCells(small[i!]!, sizes[i!]!) : countPairs(small[i!]!, sizes[i!]!, small[j]!, sizes[j]!),
    ]),
  );
  const rounds: Round[] = [];
  let spent = accountant.rho;
  while (spent < rho) {
    const left = rho - spent;
    const roundRho = gaussianRho(1, sigma) + exponentialMechanismRho(epsilon);
    if (left <= 2 * roundRho) {
      sigma = Math.sqrt(1 / (2 * MEASURE_SHARE * left));
      epsilon = Math.sqrt(8 * (1 - MEASURE_SHARE) * left);
    }
    const used = left <= 2 * roundRho ? rho : spent + roundRho;
    const candidates = withinSize(candidatesAll, sizes, measurements, (used / rho) * maxCells);
    const current = modelMarginals(model, candidates);
    const scores = candidates.map(
      (c) => c.weight * (l1(exact.get(setKey(c.attributes))!, current.get(setKey(c.attributes))!) - EXPECTED_ABS_NORMAL * sigma * c.cells),
    );
    const chosen = candidates[exponentialMechanism(scores, epsilon, 1, source)]!;
    accountant.charge("marginal selection", exponentialMechanismRho(epsilon));
    const key = setKey(chosen.attributes);
    const y = discreteGaussianNoise(exact.get(key)!, sigma, source);
    accountant.charge("marginal measurement", gaussianRho(1, sigma));
    measurements.push({ attributes: chosen.attributes, y, sigma });
    rounds.push({ attributes: chosen.attributes, sigma, epsilon });
    model = estimateMarginals(sizes, measurements, rows, { iterations: iterationsPerRound, warmStart: model.potentials, fixed });
    const after = modelMarginals(model, [chosen]).get(key)!;
    if (l1(after, current.get(key)!) <= EXPECTED_ABS_NORMAL * sigma * chosen.cells) {
      sigma /= 2;
      epsilon *= 2;
    }
    // The last round's σ and ε were set from exactly the budget left: count it as spent, free of rounding.
    spent = used === rho ? rho : accountant.rho;
  }
  model = estimateMarginals(sizes, measurements, rows, { iterations: finalIterations, warmStart: model.potentials, fixed });

  const mechanisms = mechanismRecords(d, sigma0, rounds);
  const total = mechanisms.reduce((s, m) => s + m.rho, 0);
  const share = (release: string) => mechanisms.filter((m) => m.release.startsWith(release)).reduce((s, m) => s + m.rho, 0) / total;
  const privacy: DpRecord = {
    epsilon: request.epsilon,
    delta: request.delta,
    rho,
    neighbours: "add or remove one row",
    privateRandomness: source.privateRandomness,
    domain: "schema file (numerical min/max, categorical categories, boolean labels)",
    budgetSplit: { "1-way marginals": share("1-way"), "marginal selection": share("marginal selection"), "selected marginals": share("selected marginals") },
    mechanisms,
  };
  return {
    format: "datalab-model",
    version: 1,
    generator: AIM_GENERATOR_NAME,
    schema,
    training: { rows: Math.round(rows) },
    attributes: domain.attributes,
    compression: compressed.map((c) => c.attribute),
    cliques: model.tree.cliques,
    order: model.tree.order,
    parent: model.tree.parent,
    potentials: model.counts.map((counts) => Array.from(counts, (v) => v / model.total)),
    measured: measurements.map((m) => m.attributes),
    privacy,
    warnings: source.privateRandomness ? [] : [`NOT PRIVATE: the noise came from ${source.description}, a seeded test source`],
  };
}

/** The candidates whose junction tree with the measured sets stays within `limitCells` (the paper's JT-SIZE filter). */
function withinSize(candidates: readonly Candidate[], sizes: readonly number[], measurements: readonly Measurement[], limitCells: number): Candidate[] {
  const sets = new Map(measurements.map((m) => [setKey(m.attributes), m.attributes]));
  const base = [...sets.values()];
  // Adding a set the model already has (every 1-way) leaves its size unchanged: always a candidate.
  return candidates.filter((c) => sets.has(setKey(c.attributes)) || junctionTreeCells(buildJunctionTree(sizes, [...base, c.attributes])) <= limitCells);
}

/** The current model's marginal (counts) of every candidate. */
function modelMarginals(model: EstimatedModel, candidates: readonly Candidate[]): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  const byFirst = new Map<number, Set<number>>();
  for (const { attributes } of candidates) {
    const [i, j] = attributes as [number, number | undefined];
    if (j === undefined) {
      const home = model.tree.cliques.findIndex((c) => c.includes(i));
      const clique = model.tree.cliques[home]!;
      const sizes = sizesOf(clique, model.tree.domainSizes);
      out.set(setKey([i]), sumOnto(model.counts[home]!, projectionMap(clique, sizes, [i]), model.tree.domainSizes[i]!));
      continue;
    }
    if (!byFirst.has(i)) byFirst.set(i, new Set());
    byFirst.get(i)!.add(j);
  }
  for (const [i, others] of byFirst) for (const [j, values] of pairMarginalsWith(model, i, others)) out.set(setKey([i, j]), values);
  return out;
}

/**
 * A missing cell whose noisy count is below 3σ₀ is read as "this column has no nulls" (MST's rule,
 * fit-mst.ts): alone in its compressed cell, that cell gets a fixed −∞ log-potential (a structural
 * zero); inside a merged group, its weight becomes 0. Post-processing of the 1-way measurement.
 */
function absentMissingCells(
  noisy: readonly Float64Array[],
  compressed: ReadonlyArray<{ map: Int32Array; attribute: CompressedAttribute }>,
  threshold: number,
): Map<string, Float64Array> {
  const fixed = new Map<string, Float64Array>();
  noisy.forEach((y, i) => {
    const missing = y.length - 1;
    if (y[missing]! >= threshold) return;
    const { map, attribute } = compressed[i]!;
    const cell = map[missing]!;
    if (dropFromMergedGroup(attribute, cell, missing)) return;
    const potential = new Float64Array(attribute.groups.length);
    potential[cell] = Number.NEGATIVE_INFINITY;
    fixed.set(setKey([i]), potential);
  });
  return fixed;
}

/** The rounds grouped by noise level: one record per σ measured with and per ε selected with. */
function mechanismRecords(d: number, sigma0: number, rounds: readonly Round[]): MechanismRecord[] {
  const records: MechanismRecord[] = [
    { release: "1-way marginals", mechanism: "discrete Gaussian", rho: d * gaussianRho(1, sigma0), count: d, sigma: sigma0, sensitivity: 1 },
  ];
  const measures = new Map<number, number>();
  const selections = new Map<number, number>();
  for (const r of rounds) {
    measures.set(r.sigma, (measures.get(r.sigma) ?? 0) + 1);
    selections.set(r.epsilon, (selections.get(r.epsilon) ?? 0) + 1);
  }
  for (const [epsilon, count] of selections)
    records.push({
      release: "marginal selection (rounds)",
      mechanism: "exponential mechanism",
      rho: count * exponentialMechanismRho(epsilon),
      count,
      epsilonPerSelection: epsilon,
      sensitivity: 1,
    });
  for (const [sigma, count] of measures)
    records.push({ release: "selected marginals (rounds)", mechanism: "discrete Gaussian", rho: count * gaussianRho(1, sigma), count, sigma, sensitivity: 1 });
  return records;
}
