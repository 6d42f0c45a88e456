/**
 * AdamW against the float64 reference over several steps (bias corrections from the device-side
 * step count), and determinism: the same seed gives byte-identical weights after N training
 * steps of a CTGAN-shaped generator and critic on the CPU; another seed does not.
 */
import { describe, expect, test } from "vitest";
import { AdamW } from "./adamw.js";
import { Device } from "./device.js";
import { meanOutput } from "./losses.js";
import { refAdamW } from "./reference.js";
import { Sequential } from "./sequential.js";
import { RandomStream } from "./tensor-ops.js";
import { expectNormwiseClose, randomSource, randomValues, testSeed } from "./test-support.js";

const device = Device.open("cpu");

describe("AdamW", () => {
  test("five steps match the float64 reference (CTGAN's lr 2e-4, betas 0.5/0.9, wd 1e-6, and a large wd)", () => {
    for (const weightDecay of [1e-6, 0.1]) {
      const seed = testSeed();
      const random = randomSource(seed);
      const model = new Sequential(device, 13, [{ kind: "linear", out: 7 }], { seed });
      const n = model.parameterCount;
      const p0 = randomValues(n, random);
      model.params.upload(p0.f32);
      const opt = new AdamW(model, { lr: 2e-4, beta1: 0.5, beta2: 0.9, eps: 1e-8, weightDecay });
      let ref: { p: Float64Array; m: Float64Array; v: Float64Array } = { p: Float64Array.from(p0.f64), m: new Float64Array(n), v: new Float64Array(n) };
      for (let t = 1; t <= 5; t += 1) {
        const g = randomValues(n, random, 0.1 * t);
        model.grads.upload(g.f32);
        opt.step();
        ref = refAdamW(ref.p, g.f64, ref.m, ref.v, t, 2e-4, 0.5, 0.9, 1e-8, weightDecay);
      }
      // Each step moves a parameter by ≤ lr(1 + wd|p|); float32 rounding of p dominates: 2^-24 per step.
      expectNormwiseClose(model.params.download(), ref.p, 5 * 2 ** -23, `parameters after 5 steps (wd ${weightDecay})`, seed);
    }
  });
});

function trainSteps(seed: number, steps: number): Float32Array[] {
  const rows = 20;
  const pac = 5;
  const g = new Sequential(
    device,
    12,
    [
      { kind: "residual", out: 16 },
      { kind: "residual", out: 16 },
      { kind: "linear", out: 9 },
    ],
    { seed },
  );
  const d = new Sequential(
    device,
    9 * pac,
    [
      { kind: "linear", out: 16 },
      { kind: "leakyRelu", slope: 0.2 },
      { kind: "dropout", p: 0.5 },
      { kind: "linear", out: 1 },
    ],
    { seed: seed + 1 },
  );
  const optG = new AdamW(g, { lr: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6 });
  const optD = new AdamW(d, { lr: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6 });
  const noise = new RandomStream(device, seed + 2);
  const z = device.zeros(rows, 12);
  const real = device.zeros(rows, 9);
  const dOut = device.zeros(rows / pac, 1);
  for (let s = 0; s < steps; s += 1) {
    noise.normal(z);
    noise.normal(real);
    const fake = g.forward(z);
    d.zeroGrad();
    meanOutput(device, d.forward(fake.view(rows / pac, 9 * pac)), 1 / (rows / pac), dOut);
    d.backward(dOut, { needInputGrad: false });
    meanOutput(device, d.forward(real.view(rows / pac, 9 * pac)), -1 / (rows / pac), dOut);
    d.backward(dOut, { needInputGrad: false });
    d.gradientPenalty(real.view(rows / pac, 9 * pac), fake.view(rows / pac, 9 * pac));
    optD.step();
    g.zeroGrad();
    const fake2 = g.forward(z);
    meanOutput(device, d.forward(fake2.view(rows / pac, 9 * pac)), -1 / (rows / pac), dOut);
    const dFake = d.backward(dOut);
    if (!dFake) throw new Error("no input gradient");
    g.backward(dFake.view(rows, 9), { needInputGrad: false });
    optG.step();
  }
  return [g.saveWeights(), d.saveWeights()];
}

describe("determinism", () => {
  test("same seed → byte-identical generator and critic weights after 8 steps; another seed differs", () => {
    const [g1, d1] = trainSteps(5, 8);
    const [g2, d2] = trainSteps(5, 8);
    const [g3] = trainSteps(6, 8);
    expect(Buffer.from((g1 as Float32Array).buffer).equals(Buffer.from((g2 as Float32Array).buffer))).toBe(true);
    expect(Buffer.from((d1 as Float32Array).buffer).equals(Buffer.from((d2 as Float32Array).buffer))).toBe(true);
    expect(Buffer.from((g1 as Float32Array).buffer).equals(Buffer.from((g3 as Float32Array).buffer))).toBe(false);
    expect((g1 as Float32Array).every(Number.isFinite)).toBe(true);
  });

  test("saveWeights/loadWeights round-trip; a wrong length names the problem", () => {
    const model = new Sequential(
      device,
      5,
      [
        { kind: "residual", out: 4 },
        { kind: "linear", out: 2 },
      ],
      { seed: 3 },
    );
    const other = new Sequential(
      device,
      5,
      [
        { kind: "residual", out: 4 },
        { kind: "linear", out: 2 },
      ],
      { seed: 4 },
    );
    other.loadWeights(model.saveWeights());
    expect(Buffer.from(other.saveWeights().buffer).equals(Buffer.from(model.saveWeights().buffer))).toBe(true);
    expect(() => other.loadWeights(new Float32Array(3))).toThrow(/another architecture/);
  });
});
