/**
 * The exported ONNX model, run in onnxruntime-node, against our own eval-mode forward pass:
 * a CTGAN-shaped generator (two residual blocks with trained BatchNorm statistics, a Linear,
 * per-span tanh / softmax output) and a PacGAN critic (LeakyReLU, Dropout), on fresh random
 * inputs. Bound 1e-5 absolute (both sides float32, same operations, different summation order).
 */
import * as ort from "onnxruntime-node";
import { describe, expect, test } from "vitest";
import { Device } from "./device.js";
import { exportOnnx } from "./onnx-export.js";
import { type OutputSpan, SpanActivation } from "./output-spans.js";
import { Sequential } from "./sequential.js";
import { RandomStream } from "./tensor-ops.js";
import { randomSource, randomValues, testSeed } from "./test-support.js";

const device = Device.open("cpu");

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

describe("ONNX export", () => {
  test("generator with residual blocks and output spans matches our forward within 1e-5", async () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const noiseWidth = 11;
    const condWidth = 6;
    const outWidth = 13;
    const model = new Sequential(
      device,
      noiseWidth + condWidth,
      [
        { kind: "residual", out: 19 },
        { kind: "residual", out: 23 },
        { kind: "linear", out: outWidth },
      ],
      { seed },
    );
    // Move the BatchNorm running statistics away from (0, 1) with a few training-mode batches.
    const stream = new RandomStream(device, seed);
    const warm = device.zeros(32, noiseWidth + condWidth);
    for (let i = 0; i < 5; i += 1) model.forward(stream.normal(warm, 0.5, 2), { training: true });
    const spans: OutputSpan[] = [
      { start: 0, length: 1, activation: "tanh" },
      { start: 1, length: 4, activation: "gumbelSoftmax" },
      { start: 5, length: 1, activation: "tanh" },
      { start: 6, length: 7, activation: "softmax" },
    ];
    const rows = 9;
    const noise = randomValues(rows * noiseWidth, random, 2);
    const cond = new Float32Array(rows * condWidth);
    for (let r = 0; r < rows; r += 1) cond[r * condWidth + Math.floor(random() * condWidth)] = 1;
    const input = new Float32Array(rows * (noiseWidth + condWidth));
    for (let r = 0; r < rows; r += 1) {
      input.set(noise.f32.subarray(r * noiseWidth, (r + 1) * noiseWidth), r * (noiseWidth + condWidth));
      input.set(cond.subarray(r * condWidth, (r + 1) * condWidth), r * (noiseWidth + condWidth) + noiseWidth);
    }
    const raw = model.forward(device.fromFloat32(input, rows, noiseWidth + condWidth), { training: false });
    // Ours without Gumbel noise: the exported graph outputs the softmax the Gumbel-max trick samples from.
    const deterministic = spans.map((span) => ({ ...span, activation: span.activation === "gumbelSoftmax" ? ("softmax" as const) : span.activation }));
    const ours = new SpanActivation(device, outWidth, deterministic, { seed: 1 }).forward(raw).download();

    const bytes = exportOnnx(model, {
      inputs: [
        { name: "noise", width: noiseWidth },
        { name: "condition", width: condWidth },
      ],
      outputName: "columns",
      outputSpans: spans,
    });
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({
      noise: new ort.Tensor("float32", noise.f32, [rows, noiseWidth]),
      condition: new ort.Tensor("float32", cond, [rows, condWidth]),
    });
    const columns = result["columns"];
    expect(columns?.dims).toEqual([rows, outWidth]);
    const theirs = columns?.data as Float32Array;
    expect(maxAbsDifference(theirs, ours), `seed ${seed}`).toBeLessThanOrEqual(1e-5);
  });

  test("critic (Linear, LeakyReLU 0.2, Dropout, Linear) matches in eval mode", async () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const model = new Sequential(
      device,
      30,
      [
        { kind: "linear", out: 17 },
        { kind: "leakyRelu", slope: 0.2 },
        { kind: "dropout", p: 0.5 },
        { kind: "linear", out: 1 },
      ],
      { seed },
    );
    const x = randomValues(4 * 30, random);
    const ours = model.forward(device.fromFloat32(x.f32, 4, 30), { training: false }).download();
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const result = await session.run({ input: new ort.Tensor("float32", x.f32, [4, 30]) });
    expect(maxAbsDifference(result["output"]?.data as Float32Array, ours), `seed ${seed}`).toBeLessThanOrEqual(1e-5);
  });

  test("spans that leave columns uncovered are refused", () => {
    const model = new Sequential(device, 3, [{ kind: "linear", out: 4 }], { seed: 1 });
    expect(() => exportOnnx(model, { outputSpans: [{ start: 0, length: 3, activation: "softmax" }] })).toThrow(/cover 3 of 4/);
  });
});
