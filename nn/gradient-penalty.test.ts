/**
 * WGAN-GP: the double backward of the reference against finite differences of the penalty as a
 * plain function of the weights (float64), then the native penalty and its parameter gradients
 * against the reference on the same interpolated rows and dropout masks (read back from the
 * device). PacGAN: pac rows of width d are one packed row of width pac·d (a view).
 * Bound (chained GEMMs in float32): 1e-4 relative to the largest reference entry.
 */
import { describe, expect, test } from "vitest";
import { philoxUniform } from "../kernels/index.js";
import { type RefCritic, refGradientPenalty, refGradientPenaltyGradients } from "./critic-reference.js";
import { Device } from "./device.js";
import { DropoutLayer } from "./dropout.js";
import type { LayerSpec } from "./layer.js";
import { Sequential } from "./sequential.js";
import { streamSeed } from "./streams.js";
import { expectGradientMatchesFiniteDifferences, expectNormwiseClose, randomSource, randomValues, testSeed } from "./test-support.js";

const device = Device.open("cpu");

function criticSpecs(hidden: number[], dropout: number): LayerSpec[] {
  const specs: LayerSpec[] = [];
  for (const h of hidden) {
    specs.push({ kind: "linear", out: h }, { kind: "leakyRelu", slope: 0.2 });
    if (dropout > 0) specs.push({ kind: "dropout", p: dropout });
  }
  specs.push({ kind: "linear", out: 1 });
  return specs;
}

/** The reference critic holding the native model's weights (and the masks of its last forward). */
function referenceCritic(model: Sequential, hidden: number[], weights: Float64Array): RefCritic {
  const layers: RefCritic["layers"] = [];
  let offset = 0;
  let width = model.inWidth;
  const dropouts = model.layers.filter((layer): layer is DropoutLayer => layer instanceof DropoutLayer);
  hidden.forEach((out, l) => {
    const w = weights.subarray(offset, offset + out * width);
    const b = weights.subarray(offset + out * width, offset + out * width + out);
    offset += out * width + out;
    const dropout = dropouts[l];
    layers.push({ w, b, inWidth: width, out, mask: dropout ? Float64Array.from(dropout.lastMask().download()) : null });
    width = out;
  });
  return { layers, outputW: weights.subarray(offset, offset + width), outputB: weights[offset + width] as number, slope: 0.2 };
}

describe("gradient penalty (double backward)", () => {
  test.each([
    { pac: 10, width: 7, packs: 3, hidden: [16, 9], dropout: 0.5 },
    { pac: 1, width: 5, packs: 1, hidden: [11], dropout: 0 },
    { pac: 3, width: 13, packs: 5, hidden: [33, 17, 6], dropout: 0.5 },
  ])("pac $pac, width $width, packs $packs, hidden $hidden, dropout $dropout", ({ pac, width, packs, hidden, dropout }) => {
    const seed = testSeed();
    const random = randomSource(seed);
    const inWidth = pac * width;
    const model = new Sequential(device, inWidth, criticSpecs(hidden, dropout), { seed });
    const weights = randomValues(model.parameterCount, random, 0.6);
    model.params.upload(weights.f32);
    const real = randomValues(packs * pac * width, random);
    const fake = randomValues(packs * pac * width, random);
    // Rows of width d packed pac at a time: a view of the same memory.
    const realPacked = device.fromFloat32(real.f32, packs * pac, width).view(packs, inWidth);
    const fakePacked = device.fromFloat32(fake.f32, packs * pac, width).view(packs, inWidth);
    model.zeroGrad();
    const penalty = model.gradientPenalty(realPacked, fakePacked, { lambda: 10 }).item();

    // The same interpolation weights (one per pack) from the penalty's Philox stream.
    const alpha = new Float64Array(packs);
    philoxUniform(streamSeed(model.seed, 1_000_000), 0n, alpha);
    const mixed = new Float64Array(packs * inWidth);
    for (let i = 0; i < mixed.length; i += 1) {
      const a = Math.fround(alpha[Math.floor(i / inWidth)] as number);
      mixed[i] = Math.fround(Math.fround(a * (real.f32[i] as number)) + Math.fround((1 - a) * (fake.f32[i] as number)));
    }
    const critic = referenceCritic(model, hidden, weights.f64);
    const expected = refGradientPenalty(critic, mixed, packs, 10);
    expect(Math.abs(penalty - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `penalty ${penalty} vs reference ${expected} (seed ${seed})`).toBe(true);

    const analytic = refGradientPenaltyGradients(critic, mixed, packs, 10);
    // Flatten in the arena's order: W_l, b_l (zero), …, w_o, b_o (zero).
    const flat: number[] = [];
    critic.layers.forEach((layer, l) => {
      flat.push(...(analytic.dw[l] as Float64Array), ...new Float64Array(layer.out));
    });
    flat.push(...analytic.dOutputW, 0);
    expectNormwiseClose(model.grads.download(), flat, 1e-4, "penalty gradients", seed);

    // The derivation against finite differences of P(θ) in float64 (masks and slopes fixed).
    const penaltyOf = (theta: Float64Array) => refGradientPenalty(referenceCritic(model, hidden, theta), mixed, packs, 10);
    expectGradientMatchesFiniteDifferences(penaltyOf, Float64Array.from(weights.f64), flat, random, "∂P/∂θ", 24, 1e-5);
  });

  test("a critic the derivation does not cover is refused with the reason", () => {
    const model = new Sequential(
      device,
      4,
      [
        { kind: "linear", out: 3, activation: "tanh" },
        { kind: "linear", out: 1 },
      ],
      { seed: 1 },
    );
    const x = device.zeros(2, 4);
    expect(() => model.gradientPenalty(x, x)).toThrow(/tanh/);
    const two = new Sequential(device, 4, [{ kind: "linear", out: 2 }], { seed: 1 });
    expect(() => two.gradientPenalty(x, x)).toThrow(/1 output/);
  });
});
