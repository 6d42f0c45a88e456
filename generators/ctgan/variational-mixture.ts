/**
 * A one-dimensional variational Bayesian Gaussian mixture with a Dirichlet-process
 * (stick-breaking) weight prior — the per-column model of CTGAN's mode-specific normalisation
 * (Xu et al. 2019, §4.2). The updates are the mean-field variational EM of Bishop, "Pattern
 * Recognition and Machine Learning" (2006), §10.2 (Normal-Wishart prior on each component, here
 * one-dimensional: a Normal-Gamma), with the stick-breaking weights of Blei & Jordan (2006),
 * "Variational inference for Dirichlet process mixtures", §3:
 *
 *   E step:  ln ρ_nk = E[ln π_k] + ½E[ln λ_k] − ½ln 2π − ½(1/β_k + ν_k W_k (x_n − m_k)²),
 *            r_nk = softmax_k(ln ρ_nk)                       (log-sum-exp, stable)
 *   M step:  N_k = Σ_n r_nk, x̄_k, S_k (weighted mean and variance),
 *            β_k = β₀ + N_k, m_k = (β₀m₀ + N_k x̄_k)/β_k, ν_k = ν₀ + N_k,
 *            W_k⁻¹ = W₀⁻¹ + N_k S_k + β₀N_k/(β₀+N_k)·(x̄_k − m₀)²     (Bishop 10.60–10.63)
 *   weights: γ_k1 = 1 + N_k, γ_k2 = α + Σ_{j>k} N_j;
 *            E[ln π_k] = ψ(γ_k1) − ψ(γ_k1+γ_k2) + Σ_{j<k} (ψ(γ_j2) − ψ(γ_j1+γ_j2)).
 *
 * Priors as CTGAN's paper uses them: at most 10 components, weight concentration α = 0.001
 * (a small α lets unused components die), m₀ = the data mean, β₀ = 1, ν₀ = 1, W₀⁻¹ = the data
 * variance. Components whose expected weight falls below 0.005 are dropped afterwards.
 *
 * Deterministic: initialised from quantile bins of the sorted sample (no random start), so a
 * table gives the same mixture every time. Cost O(iterations × n × K), about 1.5 ms per
 * iteration for n = 3000 here. Like any variational fit started from K components, a single
 * broad mode is often still covered by several overlapping components after 100 iterations
 * (merging is slow); their mixture density is that mode's, which is what the encoding needs.
 */

export interface MixtureFitOptions {
  maxComponents?: number;
  /** Dirichlet-process concentration α of the stick-breaking prior. */
  weightConcentration?: number;
  maxIterations?: number;
  /** Stop when the largest change of a component's share N_k/n is below this. */
  tolerance?: number;
}

export interface GaussianMixture1d {
  weights: number[];
  means: number[];
  stds: number[];
  iterations: number;
}

/** ψ(x), the digamma function, for x > 0: recurrence up to x ≥ 10, then the asymptotic series (next term 691/(32760x¹²) < 3e-14). */
export function digamma(x: number): number {
  let result = 0;
  let z = x;
  while (z < 10) {
    result -= 1 / z;
    z += 1;
  }
  const inv = 1 / z;
  const inv2 = inv * inv;
  // ψ(z) ~ ln z − 1/(2z) − 1/(12z²) + 1/(120z⁴) − 1/(252z⁶) + 1/(240z⁸) − 1/(132z¹⁰)
  return result + Math.log(z) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Fits the mixture to `values` (finite numbers). Returns the components in fitted order, all of them (prune by weight yourself). */
export function fitVariationalMixture(values: Float64Array, options: MixtureFitOptions = {}): GaussianMixture1d {
  const n = values.length;
  const maxComponents = options.maxComponents ?? 10;
  const alpha = options.weightConcentration ?? 1e-3;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-4;
  if (n === 0) throw new RangeError("fitVariationalMixture needs at least one value");
  let mean0 = 0;
  for (let i = 0; i < n; i++) mean0 += values[i]!;
  mean0 /= n;
  let variance0 = 0;
  for (let i = 0; i < n; i++) variance0 += (values[i]! - mean0) ** 2;
  variance0 /= n;
  // A constant sample still needs a proper prior scale.
  const priorScale = variance0 > 0 ? variance0 : Math.max(1e-12, Math.abs(mean0) * 1e-12, 1e-300);
  const K = Math.max(1, Math.min(maxComponents, n));
  const beta0 = 1;
  const nu0 = 1;
  // A variance floor keeps a component on a single repeated value from collapsing to λ = ∞ (sklearn's reg_covar idea).
  const varianceFloor = 1e-6 * priorScale;

  const resp = new Float64Array(n * K);
  // Initial responsibilities: K equal-count bins of the sorted values (deterministic, spreads components over the range).
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => values[p]! - values[q]! || p - q);
  for (let rank = 0; rank < n; rank++) resp[order[rank]! * K + Math.min(K - 1, Math.floor((rank * K) / n))] = 1;

  const Nk = new Float64Array(K);
  const beta = new Float64Array(K);
  const m = new Float64Array(K);
  const nu = new Float64Array(K);
  const W = new Float64Array(K);
  const logPi = new Float64Array(K);
  const logLambda = new Float64Array(K);
  const previous = new Float64Array(K);
  const logRho = new Float64Array(K);
  let iterations = 0;

  const mStep = () => {
    const sums = new Float64Array(K);
    Nk.fill(0);
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      for (let k = 0; k < K; k++) {
        const r = resp[i * K + k]!;
        Nk[k]! += r;
        sums[k]! += r * x;
      }
    }
    const means = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      Nk[k]! += 10 * Number.EPSILON;
      means[k] = sums[k]! / Nk[k]!;
    }
    const scatter = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      for (let k = 0; k < K; k++) scatter[k]! += resp[i * K + k]! * (x - means[k]!) ** 2;
    }
    for (let k = 0; k < K; k++) {
      const nk = Nk[k]!;
      const S = scatter[k]! / nk + varianceFloor;
      beta[k] = beta0 + nk;
      m[k] = (beta0 * mean0 + nk * means[k]!) / beta[k]!;
      nu[k] = nu0 + nk;
      W[k] = 1 / (priorScale + nk * S + ((beta0 * nk) / (beta0 + nk)) * (means[k]! - mean0) ** 2);
      logLambda[k] = digamma(nu[k]! / 2) + Math.LN2 + Math.log(W[k]!);
    }
    // Stick-breaking expectations (Blei & Jordan 2006).
    let tail = 0;
    for (let k = 0; k < K; k++) tail += Nk[k]!;
    let cumulativeLogRemainder = 0;
    for (let k = 0; k < K; k++) {
      tail -= Nk[k]!;
      const g1 = 1 + Nk[k]!;
      const g2 = alpha + tail;
      const total = digamma(g1 + g2);
      logPi[k] = digamma(g1) - total + cumulativeLogRemainder;
      cumulativeLogRemainder += digamma(g2) - total;
    }
  };

  const eStep = () => {
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        const v = logPi[k]! + 0.5 * logLambda[k]! - 0.5 * LOG_2PI - 0.5 * (1 / beta[k]! + nu[k]! * W[k]! * (x - m[k]!) ** 2);
        logRho[k] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(logRho[k]! - max);
        resp[i * K + k] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let k = 0; k < K; k++) resp[i * K + k]! *= inv;
    }
  };

  mStep();
  while (iterations < maxIterations) {
    previous.set(Nk);
    eStep();
    mStep();
    iterations++;
    let change = 0;
    for (let k = 0; k < K; k++) change = Math.max(change, Math.abs(Nk[k]! - previous[k]!) / n);
    if (change < tolerance) break;
  }

  // Expected weights E[π_k] of the stick-breaking posterior; the last stick takes what remains.
  const weights: number[] = [];
  let remainder = 1;
  let tail = 0;
  for (let k = 0; k < K; k++) tail += Nk[k]!;
  for (let k = 0; k < K; k++) {
    tail -= Nk[k]!;
    const g1 = 1 + Nk[k]!;
    const g2 = alpha + tail;
    const v = g1 / (g1 + g2);
    weights.push(remainder * v);
    remainder *= 1 - v;
  }
  // E[λ_k] = ν_k W_k, so the component's scale is 1/√(ν_k W_k) (the posterior mean covariance W_k⁻¹/ν_k).
  const stds = Array.from({ length: K }, (_, k) => Math.sqrt(1 / (nu[k]! * W[k]!)));
  return { weights, means: Array.from(m), stds, iterations };
}

/** Keeps the components with weight > threshold (CTGAN: 0.005), weights renormalised; at least the heaviest one. */
export function pruneMixture(mixture: GaussianMixture1d, threshold = 0.005): GaussianMixture1d {
  let keep = mixture.weights.map((w, k) => ({ w, k })).filter((c) => c.w > threshold);
  if (keep.length === 0) {
    const heaviest = mixture.weights.reduce((best, w, k) => (w > mixture.weights[best]! ? k : best), 0);
    keep = [{ w: mixture.weights[heaviest]!, k: heaviest }];
  }
  const total = keep.reduce((s, c) => s + c.w, 0);
  return {
    weights: keep.map((c) => c.w / total),
    means: keep.map((c) => mixture.means[c.k]!),
    stds: keep.map((c) => mixture.stds[c.k]!),
    iterations: mixture.iterations,
  };
}

/**
 * Merges components that overlap into one mode: while two components have means closer than
 * `separation` × the smaller of their standard deviations, the closest such pair (in that unit)
 * is replaced by the single Gaussian with the same weight, mean and variance (moment matching:
 * w = w₁ + w₂, μ = (w₁μ₁ + w₂μ₂)/w, σ² = (w₁(σ₁² + μ₁²) + w₂(σ₂² + μ₂²))/w − μ²).
 * Two equal-weight, equal-variance Gaussians closer than 2σ make a single-peaked density (and
 * unequal weights need a wider gap for two peaks), so at the default separation 2 only components
 * that form one peak are merged. This is what a converged variational fit
 * would do (the α prior empties duplicate components, but slowly): without it a broad mode is
 * split among several near-identical components, the mode a value is encoded with is nearly a
 * coin flip, and the generator has to reproduce that noise instead of the value's relations to
 * the other columns. Components come back sorted by mean.
 */
export function mergeOverlappingComponents(mixture: GaussianMixture1d, separation = 2): GaussianMixture1d {
  const components = mixture.weights.map((w, k) => ({ w, mean: mixture.means[k]!, std: mixture.stds[k]! }));
  for (;;) {
    let best = -1;
    let bestOther = -1;
    let bestDistance = separation;
    for (let i = 0; i < components.length; i++) {
      for (let j = i + 1; j < components.length; j++) {
        const a = components[i]!;
        const b = components[j]!;
        const distance = Math.abs(a.mean - b.mean) / Math.min(a.std, b.std);
        if (distance < bestDistance) {
          best = i;
          bestOther = j;
          bestDistance = distance;
        }
      }
    }
    if (best < 0) break;
    const a = components[best]!;
    const b = components[bestOther]!;
    const w = a.w + b.w;
    const mean = (a.w * a.mean + b.w * b.mean) / w;
    const second = (a.w * (a.std * a.std + a.mean * a.mean) + b.w * (b.std * b.std + b.mean * b.mean)) / w;
    components[best] = { w, mean, std: Math.sqrt(Math.max(second - mean * mean, Math.min(a.std, b.std) ** 2)) };
    components.splice(bestOther, 1);
  }
  components.sort((p, q) => p.mean - q.mean);
  return { weights: components.map((c) => c.w), means: components.map((c) => c.mean), stds: components.map((c) => c.std), iterations: mixture.iterations };
}
