/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS; Hastie, Tibshirani &
 * Friedman, ESL §4.4.1) on a standardised design, and ridge regression by the normal equations.
 * d × d systems are solved by Cholesky; the intercept is not penalised.
 */

/** Solves A x = b for symmetric positive definite A (d × d row-major); A and b are overwritten. */
export function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * d + k]! ** 2;
    const ljj = Math.sqrt(Math.max(diag, 1e-12));
    a[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = s / ljj;
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * d + k]! * y[k]!;
    y[i] = s / a[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < d; k++) s -= a[k * d + i]! * x[k]!;
    x[i] = s / a[i * d + i]!;
  }
  return x;
}

export interface LinearModel {
  /** weights[0] is the intercept; weights[1 + j] multiplies feature j. */
  weights: Float64Array;
}

/** Weighted normal equations Σ w_i x̃_i x̃_iᵀ + λI (x̃ = [1, x]), and Σ w_i z_i x̃_i. */
function normalEquations(x: Float64Array, rows: number, width: number, weight: (i: number) => number, response: (i: number) => number, lambda: number) {
  const d = width + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const row = new Float64Array(d);
  row[0] = 1;
  for (let i = 0; i < rows; i++) {
    const w = weight(i);
    if (w === 0) continue;
    const z = response(i);
    for (let j = 0; j < width; j++) row[j + 1] = x[i * width + j]!;
    for (let p = 0; p < d; p++) {
      const wp = w * row[p]!;
      if (wp === 0) continue;
      b[p]! += wp * z;
      for (let q = 0; q <= p; q++) a[p * d + q]! += wp * row[q]!;
    }
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) a[q * d + p] = a[p * d + q]!;
  for (let p = 1; p < d; p++) a[p * d + p]! += lambda;
  a[0]! += 1e-9;
  return { a, b };
}

function linearPredictor(model: LinearModel, x: Float64Array, i: number, width: number): number {
  let eta = model.weights[0]!;
  for (let j = 0; j < width; j++) eta += model.weights[j + 1]! * x[i * width + j]!;
  return eta;
}

export function fitLogistic(
  x: Float64Array,
  y: Float64Array,
  rows: number,
  width: number,
  options: { lambda?: number; iterations?: number } = {},
): LinearModel {
  const lambda = options.lambda ?? 1;
  const model: LinearModel = { weights: new Float64Array(width + 1) };
  const eta = new Float64Array(rows);
  for (let iteration = 0; iteration < (options.iterations ?? 12); iteration++) {
    // IRLS: weights p(1 − p), working response z = η + (y − p)/(p(1 − p)); with the ridge term the
    // Newton step solves (XᵀWX + λI) β = XᵀWz.
    const { a, b } = normalEquations(
      x,
      rows,
      width,
      (i) => {
        const p = 1 / (1 + Math.exp(-eta[i]!));
        return Math.max(p * (1 - p), 1e-6);
      },
      (i) => {
        const p = 1 / (1 + Math.exp(-eta[i]!));
        return eta[i]! + (y[i]! - p) / Math.max(p * (1 - p), 1e-6);
      },
      lambda,
    );
    const next = choleskySolve(a, b, width + 1);
    let change = 0;
    for (let j = 0; j < next.length; j++) change = Math.max(change, Math.abs(next[j]! - model.weights[j]!));
    model.weights = next;
    for (let i = 0; i < rows; i++) eta[i] = linearPredictor(model, x, i, width);
    if (change < 1e-6) break;
  }
  return model;
}

export function predictLogistic(model: LinearModel, x: Float64Array, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = 1 / (1 + Math.exp(-linearPredictor(model, x, i, width)));
  return out;
}

export function fitRidge(x: Float64Array, y: Float64Array, rows: number, width: number, lambda = 1): LinearModel {
  const { a, b } = normalEquations(
    x,
    rows,
    width,
    () => 1,
    (i) => y[i]!,
    lambda,
  );
  return { weights: choleskySolve(a, b, width + 1) };
}

export function predictLinear(model: LinearModel, x: Float64Array, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = linearPredictor(model, x, i, width);
  return out;
}
