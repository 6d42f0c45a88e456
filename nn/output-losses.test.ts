/**
 * Span activations (tanh, softmax, Gumbel-softmax with τ = 0.2) and the losses against the
 * float64 reference, with the reference's derivatives checked by finite differences. The Gumbel
 * noise of the native op is reproduced from the same Philox positions (kernels' philoxUniform).
 * Bounds: activations 1e-5 absolute on values in [−1, 1]; Gumbel spans at τ = 0.2 amplify the
 * float32 rounding of x + g by 1/τ, so 1e-4 there.
 */
import { describe, expect, test } from "vitest";
import { philoxUniform } from "../kernels/index.js";
import { Device } from "./device.js";
import { meanOutput, mse, spanCrossEntropy } from "./losses.js";
import { type OutputSpan, SpanActivation, uploadSpans } from "./output-spans.js";
import { refSpanActivation, refSpanCrossEntropy } from "./reference.js";
import { expectGradientMatchesFiniteDifferences, expectNormwiseClose, randomSource, randomValues, testSeed } from "./test-support.js";

const device = Device.open("cpu");
const spans: OutputSpan[] = [
  { start: 0, length: 1, activation: "tanh" },
  { start: 1, length: 5, activation: "gumbelSoftmax" },
  { start: 6, length: 1, activation: "tanh" },
  { start: 7, length: 3, activation: "gumbelSoftmax" },
  { start: 10, length: 7, activation: "softmax" },
  { start: 17, length: 2, activation: "identity" },
];
const width = 19;

describe("span activations", () => {
  test.each([1, 6, 37])("rows %i: forward with the same Gumbel draws, backward, finite differences", (rows) => {
    const seed = testSeed();
    const random = randomSource(seed);
    const module = new SpanActivation(device, width, spans, { tau: 0.2, seed });
    const x = randomValues(rows * width, random, 2);
    const y = module.forward(device.fromFloat32(x.f32, rows, width)).download();
    const uniforms = new Float64Array(rows * width);
    philoxUniform(BigInt(seed), 0n, uniforms);
    const gumbel = uniforms.map((value) => -Math.log(-Math.log(value)));
    const ref = refSpanActivation(x.f64, rows, width, spans, 0.2, gumbel);
    expectNormwiseClose(y, ref, 1e-4, "forward", seed);
    for (let r = 0; r < rows; r += 1) {
      const softSum = [1, 2, 3, 4, 5].reduce((s, k) => s + (y[r * width + k] as number), 0);
      expect(Math.abs(softSum - 1)).toBeLessThan(1e-5);
    }
    const dy = randomValues(rows * width, random);
    const dx = module.backward(device.fromFloat32(dy.f32, rows, width)).download();
    const loss = (theta: Float64Array) => refSpanActivation(theta, rows, width, spans, 0.2, gumbel).reduce((s, v, i) => s + v * (dy.f64[i] as number), 0);
    // Analytic reference gradient by finite differences over every coordinate (small), then the
    // native backward against it; tolerances: FD on float64, native 1e-4 relative (1/τ = 5).
    const fd = new Float64Array(rows * width);
    const theta = Float64Array.from(x.f64);
    for (let i = 0; i < fd.length; i += 1) {
      const saved = theta[i] as number;
      theta[i] = saved + 1e-6;
      const up = loss(theta);
      theta[i] = saved - 1e-6;
      fd[i] = (up - loss(theta)) / 2e-6;
      theta[i] = saved;
    }
    expectNormwiseClose(dx, fd, 2e-4, "backward vs finite differences", seed);
    const second = module.forward(device.fromFloat32(x.f32, rows, width)).download();
    expect(second.some((v, i) => v !== y[i])).toBe(true); // fresh Gumbel noise per call
  });

  test("a span outside the row is refused", () => {
    expect(() => new SpanActivation(device, 4, [{ start: 2, length: 3, activation: "softmax" }], { seed: 1 })).toThrow(/outside the 4 columns/);
  });
});

describe("losses", () => {
  test.each([1, 9, 50])("span cross-entropy with skipped spans, rows %i", (rows) => {
    const seed = testSeed();
    const random = randomSource(seed);
    const ceSpans = spans.filter((s) => s.activation !== "tanh" && s.activation !== "identity");
    const table = uploadSpans(device, ceSpans, width);
    const logits = randomValues(rows * width, random, 3);
    const targets = new Int32Array(rows * ceSpans.length);
    for (let i = 0; i < targets.length; i += 1) {
      const span = ceSpans[i % ceSpans.length] as OutputSpan;
      targets[i] = random() < 0.3 ? -1 : Math.floor(random() * span.length);
    }
    const dlogits = device.zeros(rows, width).fill(0.5); // accumulates onto what is there
    const loss = spanCrossEntropy(
      device.fromFloat32(logits.f32, rows, width),
      table,
      device.fromInt32(targets, rows, ceSpans.length),
      1 / rows,
      dlogits,
    ).item();
    const ref = refSpanCrossEntropy(logits.f64, rows, width, ceSpans, targets, 1 / rows);
    expect(Math.abs(loss - ref.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref.loss)));
    expectNormwiseClose(
      dlogits.download(),
      ref.grad.map((g) => g + 0.5),
      1e-6,
      "dlogits",
      seed,
    );
    const f = (theta: Float64Array) => refSpanCrossEntropy(theta, rows, width, ceSpans, targets, 1 / rows).loss;
    expectGradientMatchesFiniteDifferences(f, Float64Array.from(logits.f64), ref.grad, random, "cross-entropy", 20);
  });

  test("MSE and the WGAN mean: values and gradients", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const n = 77;
    const y = randomValues(n, random);
    const t = randomValues(n, random);
    const dy = device.zeros(1, n);
    const loss = mse(device.fromFloat32(y.f32, 1, n), device.fromFloat32(t.f32, 1, n), 1 / n, dy).item();
    const expected = y.f64.reduce((s, v, i) => s + (v - (t.f64[i] as number)) ** 2, 0) / n;
    expect(Math.abs(loss - expected)).toBeLessThan(1e-6);
    const grad = y.f64.map((v, i) => (2 * (v - (t.f64[i] as number))) / n);
    expectNormwiseClose(dy.download(), grad, 1e-6, "MSE gradient", seed);
    const f = (theta: Float64Array) => theta.reduce((s, v, i) => s + (v - (t.f64[i] as number)) ** 2, 0) / n;
    expectGradientMatchesFiniteDifferences(f, Float64Array.from(y.f64), grad, random, "MSE");
    const d = device.zeros(1, n);
    const mean = meanOutput(device, device.fromFloat32(y.f32, 1, n), -1 / n, d).item();
    expect(Math.abs(mean + y.f64.reduce((s, v) => s + v, 0) / n)).toBeLessThan(1e-6);
    expect([...d.download()].every((v) => v === Math.fround(-1 / n))).toBe(true);
  });
});
