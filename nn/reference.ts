/**
 * Float64 reference implementations of every nn op (the tests' trusted side): plain loops over
 * row-major Float64Arrays, written from the formulas in the layer files, no shortcuts. Each
 * derivative here is itself checked against central finite differences in the tests.
 */
export type RefAct = "identity" | "relu" | "leakyRelu" | "tanh";

export function refActivate(act: RefAct, slope: number, x: number): number {
  if (act === "relu") return Math.max(x, 0);
  if (act === "leakyRelu") return x > 0 ? x : slope * x;
  if (act === "tanh") return Math.tanh(x);
  return x;
}

/** d act/dx at pre-activation z. */
export function refActivationSlope(act: RefAct, slope: number, z: number): number {
  if (act === "relu") return z > 0 ? 1 : 0;
  if (act === "leakyRelu") return z > 0 ? 1 : slope;
  if (act === "tanh") return 1 - Math.tanh(z) ** 2;
  return 1;
}

/** y = act(x Wᵀ + b); x rows×in, W out×in. Also returns the pre-activation z. */
export function refLinear(
  x: Float64Array,
  rows: number,
  inWidth: number,
  w: Float64Array,
  b: Float64Array | null,
  out: number,
  act: RefAct,
  slope: number,
): { y: Float64Array; z: Float64Array } {
  const z = new Float64Array(rows * out);
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r += 1) {
    for (let o = 0; o < out; o += 1) {
      let s = b ? (b[o] as number) : 0;
      for (let i = 0; i < inWidth; i += 1) s += (x[r * inWidth + i] as number) * (w[o * inWidth + i] as number);
      z[r * out + o] = s;
      y[r * out + o] = refActivate(act, slope, s);
    }
  }
  return { y, z };
}

export function refLinearBackward(
  x: Float64Array,
  rows: number,
  inWidth: number,
  w: Float64Array,
  out: number,
  z: Float64Array,
  dy: Float64Array,
  act: RefAct,
  slope: number,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(rows * inWidth);
  const dw = new Float64Array(out * inWidth);
  const db = new Float64Array(out);
  for (let r = 0; r < rows; r += 1) {
    for (let o = 0; o < out; o += 1) {
      const dz = (dy[r * out + o] as number) * refActivationSlope(act, slope, z[r * out + o] as number);
      db[o] = (db[o] as number) + dz;
      for (let i = 0; i < inWidth; i += 1) {
        dw[o * inWidth + i] = (dw[o * inWidth + i] as number) + dz * (x[r * inWidth + i] as number);
        dx[r * inWidth + i] = (dx[r * inWidth + i] as number) + dz * (w[o * inWidth + i] as number);
      }
    }
  }
  return { dx, dw, db };
}

/** BatchNorm1d in training mode (batch statistics, biased variance) followed by act. */
export function refBatchNorm(
  x: Float64Array,
  rows: number,
  f: number,
  gamma: Float64Array,
  beta: Float64Array,
  eps: number,
  act: RefAct,
): { y: Float64Array; pre: Float64Array; mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(f);
  const variance = new Float64Array(f);
  for (let j = 0; j < f; j += 1) {
    let s = 0;
    for (let r = 0; r < rows; r += 1) s += x[r * f + j] as number;
    mean[j] = s / rows;
    let q = 0;
    for (let r = 0; r < rows; r += 1) q += ((x[r * f + j] as number) - s / rows) ** 2;
    variance[j] = q / rows;
  }
  const pre = new Float64Array(rows * f);
  const y = new Float64Array(rows * f);
  for (let r = 0; r < rows; r += 1) {
    for (let j = 0; j < f; j += 1) {
      const v = (((x[r * f + j] as number) - (mean[j] as number)) / Math.sqrt((variance[j] as number) + eps)) * (gamma[j] as number) + (beta[j] as number);
      pre[r * f + j] = v;
      y[r * f + j] = refActivate(act, 0, v);
    }
  }
  return { y, pre, mean, variance };
}

export function refBatchNormBackward(
  x: Float64Array,
  rows: number,
  f: number,
  gamma: Float64Array,
  eps: number,
  pre: Float64Array,
  dy: Float64Array,
  act: RefAct,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const { mean, variance } = refBatchNorm(x, rows, f, gamma, new Float64Array(f), eps, "identity");
  const dx = new Float64Array(rows * f);
  const dgamma = new Float64Array(f);
  const dbeta = new Float64Array(f);
  for (let j = 0; j < f; j += 1) {
    const invstd = 1 / Math.sqrt((variance[j] as number) + eps);
    let sg = 0;
    let sgx = 0;
    const g = new Float64Array(rows);
    const xhat = new Float64Array(rows);
    for (let r = 0; r < rows; r += 1) {
      g[r] = (dy[r * f + j] as number) * refActivationSlope(act, 0, pre[r * f + j] as number);
      xhat[r] = ((x[r * f + j] as number) - (mean[j] as number)) * invstd;
      sg += g[r] as number;
      sgx += (g[r] as number) * (xhat[r] as number);
    }
    dgamma[j] = sgx;
    dbeta[j] = sg;
    for (let r = 0; r < rows; r += 1) dx[r * f + j] = (gamma[j] as number) * invstd * ((g[r] as number) - sg / rows - ((xhat[r] as number) * sgx) / rows);
  }
  return { dx, dgamma, dbeta };
}

export interface RefSpan {
  start: number;
  length: number;
  activation: "identity" | "tanh" | "softmax" | "gumbelSoftmax";
}

/** Per-span activation; `gumbel` holds g for every element (used on Gumbel spans only). */
export function refSpanActivation(
  x: Float64Array,
  rows: number,
  width: number,
  spans: readonly RefSpan[],
  tau: number,
  gumbel: Float64Array | null,
): Float64Array {
  const y = new Float64Array(rows * width);
  for (let r = 0; r < rows; r += 1) {
    for (const span of spans) {
      const at = (k: number) => r * width + span.start + k;
      if (span.activation === "identity" || span.activation === "tanh") {
        for (let k = 0; k < span.length; k += 1) y[at(k)] = span.activation === "tanh" ? Math.tanh(x[at(k)] as number) : (x[at(k)] as number);
        continue;
      }
      const t = span.activation === "softmax" ? 1 : tau;
      const v = Array.from({ length: span.length }, (_, k) => ((x[at(k)] as number) + (span.activation === "softmax" ? 0 : (gumbel?.[at(k)] ?? 0))) / t);
      const top = Math.max(...v);
      const e = v.map((value) => Math.exp(value - top));
      const total = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < span.length; k += 1) y[at(k)] = (e[k] as number) / total;
    }
  }
  return y;
}

/** loss = scale Σ_rows Σ_spans CE(softmax(logits_span), target); gradient w.r.t. the logits. */
export function refSpanCrossEntropy(
  logits: Float64Array,
  rows: number,
  width: number,
  spans: readonly RefSpan[],
  targets: Int32Array,
  scale: number,
): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(rows * width);
  for (let r = 0; r < rows; r += 1) {
    spans.forEach((span, s) => {
      const target = targets[r * spans.length + s] as number;
      if (target < 0) return;
      const v = Array.from({ length: span.length }, (_, k) => logits[r * width + span.start + k] as number);
      const top = Math.max(...v);
      const z = v.reduce((a, value) => a + Math.exp(value - top), 0);
      loss += Math.log(z) + top - (v[target] as number);
      for (let k = 0; k < span.length; k += 1) grad[r * width + span.start + k] = scale * (Math.exp((v[k] as number) - top) / z - (k === target ? 1 : 0));
    });
  }
  return { loss: scale * loss, grad };
}

/** One AdamW step (decoupled weight decay) in float64; returns the new p, m, v. */
export function refAdamW(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  t: number,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
): { p: Float64Array; m: Float64Array; v: Float64Array } {
  const np = new Float64Array(p.length);
  const nm = new Float64Array(p.length);
  const nv = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 1) {
    nm[i] = b1 * (m[i] as number) + (1 - b1) * (g[i] as number);
    nv[i] = b2 * (v[i] as number) + (1 - b2) * (g[i] as number) ** 2;
    const mhat = (nm[i] as number) / (1 - b1 ** t);
    const vhat = (nv[i] as number) / (1 - b2 ** t);
    np[i] = (p[i] as number) - lr * (wd * (p[i] as number) + mhat / (Math.sqrt(vhat) + eps));
  }
  return { p: np, m: nm, v: nv };
}
