/**
 * The parametric candidates for a numerical column's marginal distribution, each fitted by the
 * method of moments (closed form, O(1) after the column's moments are known) and exposed as a
 * CDF. The smoothed empirical candidate lives in `marginal-fit.ts` because it is not a formula.
 *
 * Support conventions (the observed range is [min, max]):
 * - normal: the real line; gamma: [loc, ∞) — both are truncated to [min, max] when the user does
 *   not allow out-of-range values (see `marginal-fit.ts`);
 * - truncated normal, beta and uniform live on [min, max] by construction.
 */
import betainc from "@stdlib/math-base-special-betainc";
import gammainc from "@stdlib/math-base-special-gammainc";
import { normalCdf } from "./normal-distribution.js";

export type MarginalFamily = "normal" | "truncnorm" | "beta" | "gamma" | "uniform" | "empirical";
export const PARAMETRIC_FAMILIES = ["normal", "truncnorm", "beta", "gamma", "uniform"] as const;
export type ParametricFamily = (typeof PARAMETRIC_FAMILIES)[number];

/** Sample moments of the non-null values of a column. */
export interface ColumnMoments {
  count: number;
  mean: number;
  variance: number;
  skewness: number;
  min: number;
  max: number;
}

export function momentsOf(sorted: Float64Array): ColumnMoments {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  const variance = n > 1 ? m2 / (n - 1) : 0;
  const pop2 = m2 / n;
  const skewness = pop2 > 0 ? m3 / n / pop2 ** 1.5 : 0;
  return { count: n, mean, variance, skewness, min: sorted[0]!, max: sorted[n - 1]! };
}

export interface ParametricFit {
  family: ParametricFamily;
  params: Record<string, number>;
}

/** Mean and variance of N(mu, sigma²) truncated to [low, high] (Johnson, Kotz & Balakrishnan). */
function truncatedNormalMoments(mu: number, sigma: number, low: number, high: number): { mean: number; variance: number } {
  const a = (low - mu) / sigma;
  const b = (high - mu) / sigma;
  const z = normalCdf(b) - normalCdf(a);
  if (!(z > 1e-300)) return { mean: Math.min(Math.max(mu, low), high), variance: 0 };
  const pa = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
  const pb = Math.exp(-0.5 * b * b) / Math.sqrt(2 * Math.PI);
  const ratio = (pa - pb) / z;
  const mean = mu + sigma * ratio;
  const variance = sigma * sigma * (1 + (a * pa - b * pb) / z - ratio * ratio);
  return { mean, variance };
}

/**
 * Fits each parametric family by the method of moments; a family whose moment equations have no
 * valid solution for these data (e.g. gamma for a left-skewed column) is left out.
 */
export function fitParametricCandidates(m: ColumnMoments): ParametricFit[] {
  const fits: ParametricFit[] = [];
  const sd = Math.sqrt(m.variance);
  const range = m.max - m.min;
  if (!(sd > 0) || !(range > 0)) return fits;
  fits.push({ family: "normal", params: { mean: m.mean, std: sd } });
  fits.push({ family: "uniform", params: { low: m.min, high: m.max } });

  // Truncated normal on [min, max]: find (mu, sigma) whose truncated mean and variance equal the
  // sample's, by a damped fixed-point iteration started at the sample moments.
  let mu = m.mean;
  let sigma = sd;
  for (let iteration = 0; iteration < 60; iteration++) {
    const t = truncatedNormalMoments(mu, sigma, m.min, m.max);
    if (!(t.variance > 0)) break;
    const nextMu = mu + (m.mean - t.mean);
    const nextSigma = sigma * Math.sqrt(m.variance / t.variance);
    if (!Number.isFinite(nextMu) || !Number.isFinite(nextSigma) || nextSigma > 100 * range) break;
    const converged = Math.abs(nextMu - mu) < 1e-10 * range && Math.abs(nextSigma - sigma) < 1e-10 * range;
    mu = nextMu;
    sigma = nextSigma;
    if (converged) break;
  }
  fits.push({ family: "truncnorm", params: { mean: mu, std: sigma, low: m.min, high: m.max } });

  // Beta on [min, max]: moments of y = (x − min) / range.
  const ym = (m.mean - m.min) / range;
  const yv = m.variance / (range * range);
  const common = (ym * (1 - ym)) / yv - 1;
  if (common > 0 && ym > 0 && ym < 1) {
    fits.push({ family: "beta", params: { alpha: ym * common, beta: (1 - ym) * common, low: m.min, high: m.max } });
  }

  // Shifted gamma: shape from the skewness (skew = 2/√k), then scale and location from the mean
  // and variance. The location must sit below the smallest value; if it does not, fix it just
  // below the minimum and refit shape and scale from mean and variance alone.
  if (m.skewness > 0.05) {
    let shape = 4 / (m.skewness * m.skewness);
    let scale = (sd * m.skewness) / 2;
    let loc = m.mean - shape * scale;
    if (!(loc < m.min)) {
      loc = m.min - 0.01 * sd;
      shape = (m.mean - loc) ** 2 / m.variance;
      scale = m.variance / (m.mean - loc);
    }
    if (shape > 0 && scale > 0 && Number.isFinite(shape)) fits.push({ family: "gamma", params: { shape, scale, loc } });
  }
  return fits;
}

function param(fit: ParametricFit, key: string): number {
  const value = fit.params[key];
  if (value === undefined) throw new Error(`marginal ${fit.family} lacks parameter ${key}`);
  return value;
}

/** The (untruncated) CDF of a fitted family. */
export function parametricCdf(fit: ParametricFit): (x: number) => number {
  switch (fit.family) {
    case "normal": {
      const mean = param(fit, "mean");
      const std = param(fit, "std");
      return (x) => normalCdf((x - mean) / std);
    }
    case "truncnorm": {
      const mean = param(fit, "mean");
      const std = param(fit, "std");
      const low = normalCdf((param(fit, "low") - mean) / std);
      const mass = normalCdf((param(fit, "high") - mean) / std) - low;
      return (x) => Math.min(1, Math.max(0, (normalCdf((x - mean) / std) - low) / mass));
    }
    case "beta": {
      const alpha = param(fit, "alpha");
      const beta = param(fit, "beta");
      const low = param(fit, "low");
      const range = param(fit, "high") - low;
      return (x) => {
        const y = (x - low) / range;
        return y <= 0 ? 0 : y >= 1 ? 1 : betainc(y, alpha, beta);
      };
    }
    case "gamma": {
      const shape = param(fit, "shape");
      const scale = param(fit, "scale");
      const loc = param(fit, "loc");
      return (x) => (x <= loc ? 0 : gammainc((x - loc) / scale, shape));
    }
    case "uniform": {
      const low = param(fit, "low");
      const range = param(fit, "high") - low;
      return (x) => Math.min(1, Math.max(0, (x - low) / range));
    }
  }
}

/**
 * The interval on which the family's CDF is tabulated when values may leave the observed range:
 * wide enough that the mass outside it is below 1e-15 (z = ±8 for the normal, a generous
 * Wilson–Hilferty-style bound for the gamma).
 */
export function unboundedSupport(fit: ParametricFit, min: number, max: number): { low: number; high: number } {
  if (fit.family === "normal") {
    const mean = param(fit, "mean");
    const std = param(fit, "std");
    return { low: Math.min(min, mean - 8.3 * std), high: Math.max(max, mean + 8.3 * std) };
  }
  if (fit.family === "gamma") {
    const shape = param(fit, "shape");
    const scale = param(fit, "scale");
    const loc = param(fit, "loc");
    return { low: loc, high: Math.max(max, loc + scale * (shape + 12 * Math.sqrt(shape) + 40)) };
  }
  return { low: min, high: max };
}
