/**
 * A private order for each categorical column's cells. A Gaussian copula expresses only monotone
 * dependence in the cell order, so the order decides how much of a categorical's association with
 * the rest survives (the non-private copula orders by a guide column's normal scores). Here:
 *
 * For each categorical X and each numerical column Y (the guides), release the noisy sums
 * s[x, Y] = Σ_{rows with X = x} u_Y(row), where u_Y ∈ [0, 1] is the row's mid-rank in Y under the
 * already released noisy histogram of Y (public, so u is a fixed function of the row's cell).
 * Replacing one row moves at most 1 out of one cell and 1 into another per (X, Y): L2 sensitivity
 * √(2 · guides · categoricals) for the whole release. Each category's profile is its vector of
 * mean mid-ranks (shrunk towards ½ by a pseudo-count of σ rows, so small noisy categories do not
 * swing to the ends); categories are ordered by the profiles' first principal component (weighted
 * by frequency) — the one-dimensional score that best separates the categories' guide profiles,
 * as in correspondence analysis. No guides (no numerical column): order by noisy frequency.
 */
import { discreteGaussianNoise, gaussianSigmaForRho, type PrivacySource } from "../../privacy/index.js";
import { symmetricEigen } from "../correlation-matrix.js";
import type { DiscreteAttribute } from "../discrete-domain.js";
import type { MechanismRecord } from "../dp-record.js";

/** Sums of mid-ranks are noised on a grid of this step (privacy/noise.ts puts real values on a grid). */
const GRID = 1 / 1024;

/** Mid-rank of each numeric cell under a histogram: (mass below + half the cell's mass) / total. */
export function midRanks(histogram: Float64Array, missingFirst: boolean): Float64Array {
  const size = histogram.length;
  let total = 0;
  for (const h of histogram) total += h;
  const out = new Float64Array(size);
  // Cells in value order; the missing cell (last) sorts below every value when missingFirst.
  const order = missingFirst ? [size - 1, ...Array.from({ length: size - 1 }, (_, c) => c)] : Array.from({ length: size }, (_, c) => c);
  let below = 0;
  for (const c of order) {
    out[c] = total > 0 ? (below + histogram[c]! / 2) / total : 0.5;
    below += histogram[c]!;
  }
  return out;
}

/**
 * cell → rank per attribute (numeric attributes: value order, missing first; categorical: by the
 * profile score above), and the mechanism record when budget was spent (null: nothing to order).
 */
export function privateCategoryRanks(
  attributes: readonly DiscreteAttribute[],
  codes: readonly Int32Array[],
  histograms: readonly Float64Array[],
  rho: number,
  source: PrivacySource,
): { ranks: Int32Array[]; mechanism: MechanismRecord | null } {
  const guides = attributes.flatMap((a, i) => (a.kind === "numeric" ? [i] : []));
  const categoricals = attributes.flatMap((a, i) => (a.kind === "categorical" && a.size > 2 ? [i] : []));
  const ranks: Int32Array[] = attributes.map((attribute, i) => {
    const r: Int32Array = new Int32Array(attribute.size);
    if (attribute.kind === "numeric") {
      r[attribute.size - 1] = 0;
      for (let c = 0; c < attribute.size - 1; c++) r[c] = c + 1;
    } else {
      const h = histograms[i]!;
      Array.from({ length: attribute.size }, (_, c) => c)
        .sort((a, b) => h[b]! - h[a]! || a - b)
        .forEach((c, rank) => {
          r[c] = rank;
        });
    }
    return r;
  });
  if (guides.length === 0 || categoricals.length === 0 || rho <= 0) return { ranks, mechanism: null };
  // The grid of 1/1024 adds at most 1/1024 per changed coordinate (privacy/noise.ts gridL2Sensitivity): included.
  const sensitivity = Math.sqrt(2 * guides.length * categoricals.length) * (1 + GRID);
  const sigma = gaussianSigmaForRho(sensitivity, rho);
  const guideRanks = guides.map((g) => midRanks(histograms[g]!, true));
  for (const x of categoricals) {
    const k = attributes[x]!.size;
    const g = guides.length;
    const sums = new Float64Array(k * g);
    const cx = codes[x]!;
    guides.forEach((guide, j) => {
      const cy = codes[guide]!;
      const u = guideRanks[j]!;
      for (let r = 0; r < cx.length; r++) sums[cx[r]! * g + j]! += u[cy[r]!]!;
    });
    const noisy = discreteGaussianNoise(sums, sigma, source, { granularity: GRID });
    const counts = histograms[x]!;
    const profiles = new Float64Array(k * g);
    for (let c = 0; c < k; c++) for (let j = 0; j < g; j++) profiles[c * g + j] = (noisy[c * g + j]! + 0.5 * sigma) / (counts[c]! + sigma);
    ranks[x] = rankByPrincipalComponent(profiles, counts, k, g);
  }
  return {
    ranks,
    mechanism: {
      release: "per-category sums of guide mid-ranks (category order)",
      mechanism: "discrete Gaussian",
      rho,
      count: categoricals.length * guides.length,
      sigma,
      sensitivity,
    },
  };
}

/** Ranks of k profiles (k × g) along their frequency-weighted first principal component. */
function rankByPrincipalComponent(profiles: Float64Array, weights: Float64Array, k: number, g: number): Int32Array {
  let total = 0;
  for (let c = 0; c < k; c++) total += Math.max(0, weights[c]!);
  const mean = new Float64Array(g);
  for (let c = 0; c < k; c++) for (let j = 0; j < g; j++) mean[j]! += (Math.max(0, weights[c]!) / Math.max(total, 1e-12)) * profiles[c * g + j]!;
  const covariance = new Float64Array(g * g);
  for (let c = 0; c < k; c++) {
    const w = Math.max(0, weights[c]!) / Math.max(total, 1e-12);
    for (let a = 0; a < g; a++) for (let b = 0; b < g; b++) covariance[a * g + b]! += w * (profiles[c * g + a]! - mean[a]!) * (profiles[c * g + b]! - mean[b]!);
  }
  const { values, vectors } = symmetricEigen(covariance, g);
  let top = 0;
  for (let j = 1; j < g; j++) if (values[j]! > values[top]!) top = j;
  const score = Array.from({ length: k }, (_, c) => {
    let s = 0;
    for (let j = 0; j < g; j++) s += (profiles[c * g + j]! - mean[j]!) * vectors[j * g + top]!;
    return s;
  });
  const ranks = new Int32Array(k);
  Array.from({ length: k }, (_, c) => c)
    .sort((a, b) => score[a]! - score[b]! || a - b)
    .forEach((c, rank) => {
      ranks[c] = rank;
    });
  return ranks;
}
