/**
 * Every layer's native forward and backward against the float64 reference on fresh random inputs
 * of awkward sizes (batch 1, widths off every vector length), and the reference's derivatives
 * against central finite differences. Bound (float32 vs float64, one layer, reduction length k):
 * ‖native − reference‖∞ ≤ 4 (k + 2) 2^-24 max(1, ‖reference‖∞) — the GEMM bound of kernels/README
 * with Σ|a||b| ≲ ‖reference‖∞·(inputs in ±1).
 */
import { describe, expect, test } from "vitest";
import { philoxUniformReference } from "../kernels/reference.js";
import { Device } from "./device.js";
import { type RefAct, refBatchNorm, refBatchNormBackward, refLinear, refLinearBackward } from "./reference.js";
import { Sequential } from "./sequential.js";
import { streamSeed } from "./streams.js";
import { expectGradientMatchesFiniteDifferences, expectNormwiseClose, randomSource, randomValues, testSeed } from "./test-support.js";
import type { LayerSpec } from "./layer.js";

const device = Device.open("cpu");
const u = 2 ** -24;
const bound = (k: number) => 4 * (k + 2) * u;

const shapes: Array<[number, number, number]> = [
  [1, 5, 3],
  [7, 13, 9],
  [33, 70, 17],
  [2, 1, 1],
  [70, 300, 40], // packed GEMM path with a team of threads (epilogue on several row tasks)
  [50, 1100, 20], // few rows, deep k: the in-place dot-product path over two k blocks
];
const acts: RefAct[] = ["identity", "relu", "leakyRelu", "tanh"];

function linearSpec(out: number, act: RefAct): LayerSpec {
  return act === "identity"
    ? { kind: "linear", out }
    : act === "leakyRelu"
      ? { kind: "linear", out, activation: act, slope: 0.2 }
      : { kind: "linear", out, activation: act };
}

describe("Linear (+ fused activation)", () => {
  for (const act of acts) {
    test.each(shapes)(`${act}: rows %i, in %i, out %i`, (rows, inWidth, out) => {
      const seed = testSeed();
      const random = randomSource(seed);
      const model = new Sequential(device, inWidth, [linearSpec(out, act)], { seed });
      const w = randomValues(out * inWidth + out, random);
      model.params.upload(w.f32);
      const x = randomValues(rows * inWidth, random);
      const dy = randomValues(rows * out, random);
      const y = model.forward(device.fromFloat32(x.f32, rows, inWidth)).download();
      const wRef = w.f64.subarray(0, out * inWidth);
      const bRef = w.f64.subarray(out * inWidth);
      const ref = refLinear(x.f64, rows, inWidth, wRef, bRef, out, act, 0.2);
      expectNormwiseClose(y, ref.y, bound(inWidth), "forward", seed);
      model.zeroGrad();
      const dx = model.backward(device.fromFloat32(dy.f32, rows, out))?.download();
      const back = refLinearBackward(x.f64, rows, inWidth, wRef, out, ref.z, dy.f64, act, 0.2);
      expectNormwiseClose(dx ?? [], back.dx, bound(out), "dx", seed);
      const grads = model.grads.download();
      expectNormwiseClose(grads.subarray(0, out * inWidth), back.dw, bound(rows), "dW", seed);
      expectNormwiseClose(grads.subarray(out * inWidth), back.db, bound(rows), "db", seed);
      // The reference's derivatives against finite differences of L = Σ y ⊙ dy.
      const loss = (theta: Float64Array) =>
        refLinear(x.f64, rows, inWidth, theta.subarray(0, out * inWidth), theta.subarray(out * inWidth), out, act, 0.2).y.reduce(
          (s, v, i) => s + v * (dy.f64[i] as number),
          0,
        );
      expectGradientMatchesFiniteDifferences(loss, Float64Array.from(w.f64), [...back.dw, ...back.db], random, `${act} dW/db`);
      const lossX = (theta: Float64Array) => refLinear(theta, rows, inWidth, wRef, bRef, out, act, 0.2).y.reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
      expectGradientMatchesFiniteDifferences(lossX, Float64Array.from(x.f64), back.dx, random, `${act} dx`);
    });
  }

  test("a standalone activation after a BatchNorm equals the reference", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    for (const act of ["relu", "leakyRelu", "tanh"] as const) {
      const model = new Sequential(device, 11, [{ kind: "batchNorm" }, { kind: act }], { seed });
      const x = randomValues(5 * 11, random, 3);
      const y = model.forward(device.fromFloat32(x.f32, 5, 11)).download();
      const ones = new Float64Array(11).fill(1);
      const bn = refBatchNorm(x.f64, 5, 11, ones, new Float64Array(11), 1e-5, "identity");
      const expected = bn.y.map((v) => (act === "relu" ? Math.max(v, 0) : act === "tanh" ? Math.tanh(v) : v > 0 ? v : 0.2 * v));
      expectNormwiseClose(y, expected, 1e-5, `${act} forward`, seed);
      const dy = randomValues(5 * 11, random);
      const dx = model.backward(device.fromFloat32(dy.f32, 5, 11))?.download() ?? new Float32Array();
      const slope = (v: number) => (act === "relu" ? (v > 0 ? 1 : 0) : act === "tanh" ? 1 - Math.tanh(v) ** 2 : v > 0 ? 1 : 0.2);
      const dPre = dy.f64.map((g, i) => g * slope(bn.y[i] as number));
      const back = refBatchNormBackward(x.f64, 5, 11, ones, 1e-5, bn.pre, dPre, "identity");
      expectNormwiseClose(dx, back.dx, 1e-5, `${act} backward`, seed);
    }
  });
});

describe("BatchNorm1d", () => {
  test.each([
    [2, 3],
    [9, 17],
    [64, 37],
  ])("training forward/backward, running statistics and eval: rows %i, features %i", (rows, f) => {
    const seed = testSeed();
    const random = randomSource(seed);
    const model = new Sequential(device, f, [{ kind: "batchNorm", momentum: 0.1, eps: 1e-5 }], { seed });
    const gb = randomValues(2 * f, random);
    model.params.upload(gb.f32);
    const gamma = gb.f64.subarray(0, f);
    const beta = gb.f64.subarray(f);
    const x = randomValues(rows * f, random, 2);
    for (let i = 0; i < x.f32.length; i += 1) x.f32[i] = (x.f32[i] as number) + 5; // an offset mean: no cancellation allowed
    const xs = Float64Array.from(x.f32);
    const y = model.forward(device.fromFloat32(x.f32, rows, f)).download();
    const ref = refBatchNorm(xs, rows, f, gamma, beta, 1e-5, "identity");
    expectNormwiseClose(y, ref.y, 1e-5, "forward", seed);
    const state = model.state.download();
    const runningMean = ref.mean.map((m) => 0.1 * m);
    const runningVar = ref.variance.map((v) => 0.9 + (0.1 * v * rows) / (rows - 1));
    expectNormwiseClose(state.subarray(0, f), runningMean, 1e-6, "running mean", seed);
    expectNormwiseClose(state.subarray(f), runningVar, 1e-6, "running variance (unbiased)", seed);
    const dy = randomValues(rows * f, random);
    model.zeroGrad();
    const dx = model.backward(device.fromFloat32(dy.f32, rows, f))?.download() ?? new Float32Array();
    const back = refBatchNormBackward(xs, rows, f, gamma, 1e-5, ref.pre, dy.f64, "identity");
    // x̂ = (x − μ)·invstd carries the float32 rounding of x − μ (|x| ≈ 5): |δx̂| ≤ 2u·5·invstd, and dx
    // multiplies it by γ·invstd·|mean(g x̂)| (≤ rows terms of |dy| ≤ 1): bound 8u·5·(γ invstd)²·rows.
    const amplification = Math.max(1, ...Array.from(gamma, (g, j) => Math.abs(g) / Math.sqrt((ref.variance[j] as number) + 1e-5)));
    expectNormwiseClose(dx, back.dx, 8 * 2 ** -24 * 5 * amplification ** 2 * rows, "dx", seed);
    const grads = model.grads.download();
    // dγ = Σ g x̂ sums rows terms each carrying |δx̂| ≤ 2u·5·invstd.
    expectNormwiseClose(grads.subarray(0, f), back.dgamma, bound(rows) + 8 * 2 ** -24 * 5 * amplification * rows, "dγ", seed);
    expectNormwiseClose(grads.subarray(f), back.dbeta, bound(rows), "dβ", seed);
    const loss = (theta: Float64Array) => refBatchNorm(theta, rows, f, gamma, beta, 1e-5, "identity").y.reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
    expectGradientMatchesFiniteDifferences(loss, Float64Array.from(xs), back.dx, random, "BN dx", 12, 1e-5);
    const lossG = (theta: Float64Array) =>
      refBatchNorm(xs, rows, f, theta.subarray(0, f), theta.subarray(f), 1e-5, "identity").y.reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
    expectGradientMatchesFiniteDifferences(lossG, Float64Array.from(gb.f64), [...back.dgamma, ...back.dbeta], random, "BN dγ/dβ");
    // Eval: running statistics normalize; backward is the affine map.
    const yEval = model.forward(device.fromFloat32(x.f32, rows, f), { training: false }).download();
    const expected = xs.map(
      (v, i) => ((v - (runningMean[i % f] as number)) / Math.sqrt((runningVar[i % f] as number) + 1e-5)) * (gamma[i % f] as number) + (beta[i % f] as number),
    );
    expectNormwiseClose(yEval, expected, 1e-5, "eval forward", seed);
    const dxEval = model.backward(device.fromFloat32(dy.f32, rows, f))?.download() ?? new Float32Array();
    expectNormwiseClose(
      dxEval,
      dy.f64.map((g, i) => (g * (gamma[i % f] as number)) / Math.sqrt((runningVar[i % f] as number) + 1e-5)),
      1e-5,
      "eval dx",
      seed,
    );
  });
});

describe("Dropout", () => {
  test("keeps about 1 − p of the elements scaled by 1/(1 − p); backward multiplies by the same mask; eval is the identity", () => {
    const rows = 129;
    const width = 37;
    const model = new Sequential(device, width, [{ kind: "dropout", p: 0.5 }], { seed: 9 });
    const x = device.zeros(rows, width).fill(1);
    const y = model.forward(x).download();
    const kept = y.filter((v) => v === 2).length;
    expect(y.every((v) => v === 0 || v === 2)).toBe(true);
    // Binomial(4773, 0.5): 6 standard deviations = ±207.
    expect(Math.abs(kept - (rows * width) / 2)).toBeLessThan(207);
    const dx = model.backward(device.zeros(rows, width).fill(3))?.download() ?? new Float32Array();
    expect(dx.every((v, i) => v === 3 * (y[i] as number))).toBe(true);
    const second = model.forward(x).download();
    expect(second.some((v, i) => v !== y[i])).toBe(true); // a fresh mask each step
    expect([...model.forward(x, { training: false }).download()].every((v) => v === 1)).toBe(true);
  });
});

test("the dropout mask is the float64 reference's uniform stream: kept exactly where u ≥ p, across chunks and tails", () => {
  // 2,100 × 7 draws: two kernel chunks of 1,024 draws, vector blocks of 8 and a scalar tail; the
  // second forward starts mid-stream (counter 14,700, not a multiple of 8).
  const rows = 2100;
  const width = 7;
  const p = 0.3;
  const model = new Sequential(device, width, [{ kind: "dropout", p }], { seed: 21 });
  const x = device.zeros(rows, width).fill(1);
  const layerSeed = streamSeed(21n, 0);
  for (const counter of [0n, BigInt(rows * width)]) {
    const y = model.forward(x).download();
    const u = philoxUniformReference(layerSeed, counter, rows * width);
    const scale = Math.fround(1 / (1 - p));
    const mismatch = y.findIndex((v, i) => v !== ((u[i] as number) >= Math.fround(p) ? scale : 0));
    expect(mismatch).toBe(-1);
  }
});

describe("Residual block (Linear → BN → ReLU, concatenated with the input)", () => {
  test.each([
    [2, 3, 4],
    [13, 9, 21],
  ])("rows %i, in %i, out %i", (rows, inWidth, out) => {
    const seed = testSeed();
    const random = randomSource(seed);
    const model = new Sequential(device, inWidth, [{ kind: "residual", out }], { seed });
    const p = randomValues(out * inWidth + out + 2 * out, random);
    model.params.upload(p.f32);
    const w = p.f64.subarray(0, out * inWidth);
    const b = p.f64.subarray(out * inWidth, out * inWidth + out);
    const gamma = p.f64.subarray(out * inWidth + out, out * inWidth + 2 * out);
    const beta = p.f64.subarray(out * inWidth + 2 * out);
    const x = randomValues(rows * inWidth, random);
    const forwardRef = (xs: Float64Array, theta: Float64Array) => {
      const lin = refLinear(xs, rows, inWidth, theta.subarray(0, out * inWidth), theta.subarray(out * inWidth, out * inWidth + out), out, "identity", 0);
      const bn = refBatchNorm(
        lin.y,
        rows,
        out,
        theta.subarray(out * inWidth + out, out * inWidth + 2 * out),
        theta.subarray(out * inWidth + 2 * out),
        1e-5,
        "relu",
      );
      const y = new Float64Array(rows * (out + inWidth));
      for (let r = 0; r < rows; r += 1) {
        y.set(bn.y.subarray(r * out, (r + 1) * out), r * (out + inWidth));
        y.set(xs.subarray(r * inWidth, (r + 1) * inWidth), r * (out + inWidth) + out);
      }
      return { y, lin, bn };
    };
    const ref = forwardRef(x.f64, p.f64);
    const y = model.forward(device.fromFloat32(x.f32, rows, inWidth)).download();
    expectNormwiseClose(y, ref.y, 1e-5, "forward", seed);
    const dy = randomValues(rows * (out + inWidth), random);
    model.zeroGrad();
    const dx = model.backward(device.fromFloat32(dy.f32, rows, out + inWidth))?.download() ?? new Float32Array();
    const dh = new Float64Array(rows * out);
    for (let r = 0; r < rows; r += 1) dh.set(dy.f64.subarray(r * (out + inWidth), r * (out + inWidth) + out), r * out);
    const bnBack = refBatchNormBackward(ref.lin.y, rows, out, gamma, 1e-5, ref.bn.pre, dh, "relu");
    const linBack = refLinearBackward(x.f64, rows, inWidth, w, out, ref.lin.z, bnBack.dx, "identity", 0);
    const dxRef = linBack.dx.map((v, i) => v + (dy.f64[Math.floor(i / inWidth) * (out + inWidth) + out + (i % inWidth)] as number));
    expectNormwiseClose(dx, dxRef, 1e-4, "dx", seed);
    const analytic = [...linBack.dw, ...linBack.db, ...bnBack.dgamma, ...bnBack.dbeta];
    expectNormwiseClose(model.grads.download(), analytic, 1e-4, "parameter gradients", seed);
    const loss = (theta: Float64Array) => forwardRef(x.f64, theta).y.reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
    expectGradientMatchesFiniteDifferences(loss, Float64Array.from(p.f64), analytic, random, "residual parameters", 16, 1e-5);
    const lossX = (theta: Float64Array) => forwardRef(theta, p.f64).y.reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
    expectGradientMatchesFiniteDifferences(lossX, Float64Array.from(x.f64), dxRef, random, "residual input", 12, 1e-5);
    void b;
    void beta;
  });
});

test("backward with paramGrads: false gives the same input gradient and leaves every parameter gradient as it was", () => {
  const seed = testSeed();
  const random = randomSource(seed);
  const rows = 12;
  const inWidth = 7;
  const layers: LayerSpec[] = [
    { kind: "residual", out: 5 },
    { kind: "linear", out: 9, activation: "leakyRelu", slope: 0.2 },
    { kind: "batchNorm" },
    { kind: "dropout", p: 0.5 },
    { kind: "linear", out: 3 },
  ];
  const model = new Sequential(device, inWidth, layers, { seed });
  const x = device.fromFloat32(randomValues(rows * inWidth, random).f32, rows, inWidth);
  const dy = device.fromFloat32(randomValues(rows * 3, random).f32, rows, 3);
  model.forward(x, { training: true });
  model.zeroGrad();
  const full = model.backward(dy)?.download() ?? new Float32Array();
  const accumulated = model.grads.download();
  expect(accumulated.some((g) => g !== 0)).toBe(true);
  // Same forward state, second backward without parameter gradients: the grads keep the first backward's values.
  const inputOnly = model.backward(dy, { paramGrads: false })?.download() ?? new Float32Array();
  expect(Buffer.from(inputOnly.buffer).equals(Buffer.from(full.buffer))).toBe(true);
  expect(Buffer.from(model.grads.download().buffer).equals(Buffer.from(accumulated.buffer))).toBe(true);
  // With them (the default) the same call accumulates again: twice the first backward's gradients.
  model.backward(dy);
  const twice = model.grads.download();
  expectNormwiseClose(
    twice,
    Array.from(accumulated, (g) => 2 * g),
    1e-6,
    "accumulated twice",
    seed,
  );
  model.dispose();
});

test("without an input gradient, residual blocks skip their pass-through columns and the parameter gradients do not change", () => {
  const seed = testSeed();
  const random = randomSource(seed);
  const rows = 10;
  const inWidth = 19;
  // The generator's shape in small: the last layers' input gradients for the input's 19 columns are not computed.
  const layers: LayerSpec[] = [
    { kind: "residual", out: 21 },
    { kind: "residual", out: 17 },
    { kind: "linear", out: 23, activation: "tanh" },
  ];
  const model = new Sequential(device, inWidth, layers, { seed });
  const x = device.fromFloat32(randomValues(rows * inWidth, random).f32, rows, inWidth);
  const dy = device.fromFloat32(randomValues(rows * 23, random).f32, rows, 23);
  model.forward(x, { training: true });
  model.zeroGrad();
  const dx = model.backward(dy, { needInputGrad: true })?.download();
  expect(dx?.length).toBe(rows * inWidth);
  const withInput = model.grads.download();
  model.zeroGrad();
  expect(model.backward(dy, { needInputGrad: false })).toBeNull();
  expect(Buffer.from(model.grads.download().buffer).equals(Buffer.from(withInput.buffer))).toBe(true);
  model.dispose();
});
