/**
 * The differentially private Gaussian copula (after DPCopula, Li, Xiong & Jiang 2014): noisy
 * marginals over the schema's domain and a noisy Kendall's τ per pair of columns, turned into a
 * `CopulaModel` that the ordinary copula sampler draws from (so `--where`, streaming and the model
 * file work unchanged). The model carries a `privacy` record.
 *
 * Neighbouring tables: replace one row (n is public — DPCopula's setting, needed for τ's 4/n
 * sensitivity; the model file records n anyway). Budget ρ (zCDP), split:
 *  - BUDGET_SPLIT.histograms of ρ: every column's histogram over its domain cells, discrete Gaussian noise;
 *    replacing a row moves one count down and one up in each of the d histograms: L2 sensitivity
 *    √(2d). Each noisy histogram is projected onto the simplex of total n.
 *  - BUDGET_SPLIT.categoryOrder: the order of each categorical's cells (category-order.ts).
 *  - the rest: the P = d(d−1)/2 concordance sums S = C − D of the columns' cell codes (numerical
 *    cells in value order, categories in that order), discrete Gaussian noise calibrated to
 *    2(n−1)√P (kendall-tau.ts). τ_b uses the noisy histograms' ties (post-processing), ρ_ij =
 *    sin(πτ_b/2), and the matrix is repaired to the nearest correlation matrix (Higham 2002).
 * Values within a numerical cell are uniform (integers: each integer of the cell equally likely).
 */
import { discreteGaussianNoise, gaussianSigmaForRho, type PrivacySource } from "../../privacy/index.js";
import type { Table, TableSchema } from "../../tabular/index.js";
import {
  type CategoricalColumnModel,
  type ColumnModel,
  type CopulaDimension,
  type CopulaModel,
  GENERATOR_NAME,
  MODEL_FORMAT,
  MODEL_VERSION,
} from "../copula-model.js";
import { nearestCorrelation } from "../correlation-matrix.js";
import { encodeTable, type NumericAttribute, privateDomainFromSchema } from "../discrete-domain.js";
import type { DpRecord } from "../dp-record.js";
import type { DpRequest } from "../dp-request.js";
import { DpInputError, GeneratorError } from "../errors.js";
import { Z_GRID_KNOTS, Z_GRID_MAX, Z_GRID_MIN } from "../marginal-fit.js";
import { countCells, countPairs, projectToSimplex, remapCodes } from "../mst/contingency.js";
import { normalCdf } from "../normal-distribution.js";
import { privateCategoryRanks } from "./category-order.js";
import { estimatePrivateBounds, openNumericColumns } from "./private-bounds.js";
import { concordanceFromTable, concordanceSensitivity, correlationFromConcordance, tiedPairs } from "./kendall-tau.js";

/** Shares of ρ: histograms, category order, Kendall's τ (the τ noise is small at n in the thousands; shapes need the most). */
export const BUDGET_SPLIT = { histograms: 0.5, categoryOrder: 0.25, kendallTau: 0.25 } as const;

/** value(z) = F⁻¹(Φ(z)) on the z grid for a histogram over numeric cells (uniform within each cell). */
function valueTable(attribute: NumericAttribute, probabilities: Float64Array): number[] {
  const cells = attribute.size - 1;
  // Integer cells [lo, hi] stand for the interval [lo − ½, hi + ½) that rounds into them.
  const half = attribute.integer ? 0.5 - 1e-9 : 0;
  const cumulative = new Float64Array(cells + 1);
  for (let c = 0; c < cells; c++) cumulative[c + 1] = cumulative[c]! + probabilities[c]!;
  const total = cumulative[cells]!;
  const table: number[] = new Array(Z_GRID_KNOTS);
  let c = 0;
  for (let k = 0; k < Z_GRID_KNOTS; k++) {
    const u = normalCdf(Z_GRID_MIN + ((Z_GRID_MAX - Z_GRID_MIN) * k) / (Z_GRID_KNOTS - 1)) * total;
    while (c < cells - 1 && cumulative[c + 1]! <= u) c++;
    const mass = probabilities[c]!;
    const t = mass > 0 ? Math.min(1, Math.max(0, (u - cumulative[c]!) / mass)) : 0.5;
    const lo = attribute.lower[c]! - (attribute.lower[c] === attribute.upper[c] && !attribute.integer ? 0 : half);
    const hi = attribute.upper[c]! + (attribute.lower[c] === attribute.upper[c] && !attribute.integer ? 0 : half);
    table[k] = lo + t * (hi - lo);
  }
  return table;
}

export interface DpCopulaOptions {
  /** Share F in (0, 1) of ρ spent on the bounds of numerical columns the schema leaves open (private-bounds.ts). */
  boundsEpsilonShare?: number | undefined;
}

/**
 * The DP copula. A numerical column without declared min/max is refused unless
 * `boundsEpsilonShare` is set: then that share of ρ buys its bounds (private-bounds.ts) and the
 * rest fits the copula with the split above; the model's schema holds the bought bounds, and its
 * privacy record the share ("numeric bounds") and the selections.
 */
export function fitDpCopula(table: Table, schema: TableSchema, request: DpRequest, source: PrivacySource, options: DpCopulaOptions = {}): CopulaModel {
  const open = openNumericColumns(schema);
  const share = options.boundsEpsilonShare;
  if (share !== undefined && !(share > 0 && share < 1))
    throw new DpInputError(`--bounds-epsilon-share must be a number in (0, 1), got ${share}; e.g. 0.1 spends a tenth of the budget on bounds.`);
  if (open.length > 0 && share === undefined) {
    throw new DpInputError(
      `column "${open[0]}" has no declared min/max; a private fit cannot read bounds from the data — declare them in the schema (\`datalab schema <data> --out s.json\`, set "min" and "max", pass --schema s.json) or spend a share of the budget on private bounds with --bounds-epsilon-share F (e.g. 0.1).`,
    );
  }
  if (open.length === 0 || share === undefined) return fitOnDeclaredDomain(table, schema, request, source);
  const bounds = estimatePrivateBounds(table, schema, share * request.rho, source);
  const model = fitOnDeclaredDomain(table, bounds.schema, { ...request, rho: (1 - share) * request.rho }, source);
  const privacy = model.privacy!;
  const budgetSplit: Record<string, number> = { "numeric bounds": share };
  for (const [step, part] of Object.entries(privacy.budgetSplit)) budgetSplit[step] = (1 - share) * part;
  model.privacy = {
    ...privacy,
    rho: request.rho,
    domain: `${privacy.domain}; bounds of ${bounds.columns.join(", ")} bought with ${share} of ρ (DP quantiles)`,
    budgetSplit,
    mechanisms: [bounds.mechanism, ...privacy.mechanisms],
  };
  return model;
}

function fitOnDeclaredDomain(table: Table, schema: TableSchema, request: DpRequest, source: PrivacySource): CopulaModel {
  const domain = privateDomainFromSchema(schema);
  const n = table.rowCount;
  if (n < 2) throw new GeneratorError("the table has fewer than 2 rows; a private copula needs at least 2.");
  if (domain.attributes.length === 0)
    throw new GeneratorError("the table has no column the copula can learn (only id or personal-data columns); nothing to fit.");
  const codes = encodeTable(table, domain);
  const d = domain.attributes.length;
  const hasGuides = domain.attributes.some((a) => a.kind === "numeric") && domain.attributes.some((a) => a.kind === "categorical" && a.size > 2);
  // Without something to order (no guide or no categorical of 3+ cells) the order's share goes to τ.
  const marginalRho = request.rho * BUDGET_SPLIT.histograms;
  const orderRho = hasGuides ? request.rho * BUDGET_SPLIT.categoryOrder : 0;
  const tauRho = request.rho - marginalRho - orderRho;

  const sigmaHistogram = gaussianSigmaForRho(Math.sqrt(2 * d), marginalRho);
  const histograms = codes.map((c, i) => {
    const noisy = discreteGaussianNoise(countCells(c, domain.attributes[i]!.size), sigmaHistogram, source);
    // A missing cell whose noisy count is below 3σ is read as "no nulls" (MST's threshold for noise-level
    // cells): otherwise a column without nulls would get a few percent of them from noise alone.
    const missing = noisy.length - 1;
    const noNulls = noisy[missing]! < 3 * sigmaHistogram;
    if (noNulls) noisy[missing] = 0;
    const projected = projectToSimplex(noNulls ? noisy.subarray(0, missing) : noisy, n);
    if (!noNulls) return projected;
    const withMissing = new Float64Array(noisy.length);
    withMissing.set(projected);
    return withMissing;
  });

  // Ordinal codes: numeric cells in value order with the missing cell first (below every value);
  // categories (missing included) by decreasing noisy frequency.
  const ordered = privateCategoryRanks(domain.attributes, codes, histograms, orderRho, source);
  const ranks = ordered.ranks;
  const ordinal = codes.map((c, i) => remapCodes(c, ranks[i]!));
  const rankedHistograms = histograms.map((h, i) => {
    const out = new Float64Array(h.length);
    for (let c = 0; c < h.length; c++) out[ranks[i]![c]!] = h[c]!;
    return out;
  });

  const pairs = (d * (d - 1)) / 2;
  const mechanisms: DpRecord["mechanisms"] = [
    {
      release: "1-way histograms over the schema domain",
      mechanism: "discrete Gaussian",
      rho: marginalRho,
      count: d,
      sigma: sigmaHistogram,
      sensitivity: Math.sqrt(2 * d),
    },
  ];
  if (ordered.mechanism !== null) mechanisms.push(ordered.mechanism);
  const latent = new Float64Array(d * d);
  for (let i = 0; i < d; i++) latent[i * d + i] = 1;
  if (pairs > 0) {
    const sensitivity = concordanceSensitivity(n, pairs);
    const sigmaConcordance = gaussianSigmaForRho(sensitivity, tauRho);
    const exact: number[] = [];
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++)
        exact.push(
          concordanceFromTable(
            countPairs(ordinal[i]!, domain.attributes[i]!.size, ordinal[j]!, domain.attributes[j]!.size),
            domain.attributes[i]!.size,
            domain.attributes[j]!.size,
          ),
        );
    }
    const noisy = discreteGaussianNoise(exact, sigmaConcordance, source);
    let k = 0;
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++) {
        const rho = Math.max(
          -0.995,
          Math.min(0.995, correlationFromConcordance(noisy[k++]!, n, tiedPairs(rankedHistograms[i]!), tiedPairs(rankedHistograms[j]!))),
        );
        latent[i * d + j] = rho;
        latent[j * d + i] = rho;
      }
    }
    mechanisms.push({
      release: "Kendall concordance C − D of every pair of columns",
      mechanism: "discrete Gaussian",
      rho: tauRho,
      count: pairs,
      sigma: sigmaConcordance,
      sensitivity,
    });
  }
  const columns: ColumnModel[] = schema.columns.map((column) => ({ kind: "text", name: column.name }));
  const dimensions: CopulaDimension[] = [];
  const attributeDimension: number[] = [];
  domain.attributes.forEach((attribute, i) => {
    const h = histograms[i]!;
    const missing = h[attribute.size - 1]! / n;
    if (attribute.kind === "numeric") {
      const present = h.subarray(0, attribute.size - 1);
      columns[attribute.column] = {
        kind: "numeric",
        name: attribute.name,
        nullRate: missing,
        constant: null,
        valueDimension: dimensions.length,
        nullDimension: null,
        marginal: null,
        min: attribute.lower[0]!,
        max: attribute.upper[attribute.size - 2]!,
        rounding: attribute.integer ? { kind: "integer" } : { kind: "decimals", decimals: attribute.decimals },
      };
      dimensions.push({ column: attribute.column, role: "value", table: valueTable(attribute, present) });
      attributeDimension.push(dimensions.length - 1);
      // Nulls of a number: a null indicator independent of everything else (its correlations are not measured).
      if (missing > 0) {
        (columns[attribute.column] as { nullDimension: number | null }).nullDimension = dimensions.length;
        dimensions.push({ column: attribute.column, role: "null", cumulative: [1 - missing, 1] });
      }
    } else {
      const order = Array.from({ length: attribute.size }, (_, c) => c).sort((a, b) => ranks[i]![a]! - ranks[i]![b]!);
      const frequencies = order.map((c) => h[c]! / n);
      const cumulative: number[] = [];
      let running = 0;
      for (const f of frequencies) cumulative.push((running += f));
      cumulative[cumulative.length - 1] = 1;
      const model: CategoricalColumnModel = {
        kind: "categorical",
        name: attribute.name,
        categories: [...attribute.labels],
        order: order.map((c) => (c === attribute.size - 1 ? -1 : c)),
        frequencies,
        dimension: dimensions.length,
      };
      columns[attribute.column] = model;
      attributeDimension.push(dimensions.length);
      dimensions.push({ column: attribute.column, role: "category", cumulative });
    }
  });
  const size = dimensions.length;
  const correlation = new Float64Array(size * size);
  for (let k = 0; k < size; k++) correlation[k * size + k] = 1;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) if (i !== j) correlation[attributeDimension[i]! * size + attributeDimension[j]!] = latent[i * d + j]!;
  }
  const repaired = nearestCorrelation(correlation, size);
  const privacy: DpRecord = {
    epsilon: request.epsilon,
    delta: request.delta,
    rho: request.rho,
    neighbours: "replace one row (n public)",
    privateRandomness: source.privateRandomness,
    domain: "schema file (numerical min/max, categorical categories, boolean labels)",
    budgetSplit: { "1-way histograms": marginalRho / request.rho, "category order": orderRho / request.rho, "Kendall's tau": tauRho / request.rho },
    mechanisms,
  };
  const warnings: string[] = [];
  if (!source.privateRandomness) warnings.push(`NOT PRIVATE: the noise came from ${source.description}, a seeded test source`);
  if (repaired.repaired) warnings.push("the noisy correlation matrix was not positive definite and was repaired to the nearest correlation matrix");
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    generator: GENERATOR_NAME,
    schema,
    training: { rows: n, allowOutOfRange: false },
    zGrid: { min: Z_GRID_MIN, max: Z_GRID_MAX, knots: Z_GRID_KNOTS },
    columns,
    dimensions,
    correlation: Array.from(repaired.matrix),
    correlationRepaired: repaired.repaired,
    warnings,
    privacy,
  };
}
