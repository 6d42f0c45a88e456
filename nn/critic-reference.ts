/**
 * Float64 reference of a PacGAN critic (Linear + LeakyReLU + fixed Dropout mask blocks, then
 * Linear to 1) and of the WGAN-GP penalty on it: the penalty as a plain function of the weights
 * (for finite differences) and its gradient by the derivation in gradient-penalty.ts.
 */
export interface RefCritic {
  /** Hidden layers: W (out×in), b, dropout mask (rows×out, 0 or 1/(1−p); null = none). */
  layers: Array<{ w: Float64Array; b: Float64Array; inWidth: number; out: number; mask: Float64Array | null }>;
  outputW: Float64Array;
  outputB: number;
  slope: number;
}

/** Input gradient G = ∂(Σ_n D(x_n))/∂x (rows × in) and the chain's δ_l, c_l for the reverse pass. */
export function refCriticInputGradient(critic: RefCritic, x: Float64Array, rows: number): { grad: Float64Array; deltas: Float64Array[]; c: Float64Array[] } {
  let h = x;
  const c: Float64Array[] = [];
  for (const layer of critic.layers) {
    const next = new Float64Array(rows * layer.out);
    const cl = new Float64Array(rows * layer.out);
    for (let r = 0; r < rows; r += 1) {
      for (let o = 0; o < layer.out; o += 1) {
        let z = layer.b[o] as number;
        for (let i = 0; i < layer.inWidth; i += 1) z += (h[r * layer.inWidth + i] as number) * (layer.w[o * layer.inWidth + i] as number);
        const m = layer.mask ? (layer.mask[r * layer.out + o] as number) : 1;
        next[r * layer.out + o] = (z > 0 ? z : critic.slope * z) * m;
        cl[r * layer.out + o] = (z > 0 ? 1 : critic.slope) * m;
      }
    }
    c.push(cl);
    h = next;
  }
  const last = critic.layers[critic.layers.length - 1];
  const hidden = last ? last.out : 0;
  let g = new Float64Array(rows * hidden);
  for (let r = 0; r < rows; r += 1) for (let j = 0; j < hidden; j += 1) g[r * hidden + j] = critic.outputW[j] as number;
  const deltas: Float64Array[] = [];
  for (let l = critic.layers.length - 1; l >= 0; l -= 1) {
    const layer = critic.layers[l] as RefCritic["layers"][number];
    const delta = g.map((value, i) => value * ((c[l] as Float64Array)[i] as number));
    deltas[l] = delta;
    const previous = new Float64Array(rows * layer.inWidth);
    for (let r = 0; r < rows; r += 1)
      for (let o = 0; o < layer.out; o += 1)
        for (let i = 0; i < layer.inWidth; i += 1)
          previous[r * layer.inWidth + i] =
            (previous[r * layer.inWidth + i] as number) + (delta[r * layer.out + o] as number) * (layer.w[o * layer.inWidth + i] as number);
    g = previous;
  }
  return { grad: g, deltas, c };
}

/** P = λ/rows Σ_r (‖G_r‖ − 1)². */
export function refGradientPenalty(critic: RefCritic, x: Float64Array, rows: number, lambda: number): number {
  const { grad } = refCriticInputGradient(critic, x, rows);
  const width = grad.length / rows;
  let total = 0;
  for (let r = 0; r < rows; r += 1) {
    let sq = 0;
    for (let j = 0; j < width; j += 1) sq += (grad[r * width + j] as number) ** 2;
    total += (Math.sqrt(sq) - 1) ** 2;
  }
  return (lambda / rows) * total;
}

/** ∂P/∂W_l for every hidden layer and ∂P/∂w_o (biases: zero) by the double backward. */
export function refGradientPenaltyGradients(critic: RefCritic, x: Float64Array, rows: number, lambda: number): { dw: Float64Array[]; dOutputW: Float64Array } {
  const { grad, deltas, c } = refCriticInputGradient(critic, x, rows);
  const width = grad.length / rows;
  let gBar = new Float64Array(rows * width);
  for (let r = 0; r < rows; r += 1) {
    let sq = 0;
    for (let j = 0; j < width; j += 1) sq += (grad[r * width + j] as number) ** 2;
    const norm = Math.sqrt(sq);
    const factor = norm > 0 ? ((lambda / rows) * 2 * (norm - 1)) / norm : 0;
    for (let j = 0; j < width; j += 1) gBar[r * width + j] = factor * (grad[r * width + j] as number);
  }
  const dw: Float64Array[] = [];
  critic.layers.forEach((layer, l) => {
    const delta = deltas[l] as Float64Array;
    const d = new Float64Array(layer.out * layer.inWidth);
    const next = new Float64Array(rows * layer.out);
    for (let r = 0; r < rows; r += 1) {
      for (let o = 0; o < layer.out; o += 1) {
        let s = 0;
        for (let i = 0; i < layer.inWidth; i += 1) {
          d[o * layer.inWidth + i] = (d[o * layer.inWidth + i] as number) + (delta[r * layer.out + o] as number) * (gBar[r * layer.inWidth + i] as number);
          s += (gBar[r * layer.inWidth + i] as number) * (layer.w[o * layer.inWidth + i] as number);
        }
        next[r * layer.out + o] = s * ((c[l] as Float64Array)[r * layer.out + o] as number);
      }
    }
    dw.push(d);
    gBar = next;
  });
  const hidden = critic.outputW.length;
  const dOutputW = new Float64Array(hidden);
  for (let r = 0; r < rows; r += 1) for (let j = 0; j < hidden; j += 1) dOutputW[j] = (dOutputW[j] as number) + (gBar[r * hidden + j] as number);
  return { dw, dOutputW };
}
