/**
 * The federated MLP: its SGD step against the float64 gradient of logistic regression, learning
 * a separable problem, FedProx's pull towards the anchor, seeded determinism, the flat parameter
 * vector, and ONNX predictions in onnxruntime-node within 1e-5 of ours.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, test } from "vitest";
import { Device } from "./device.js";
import { MlpModel } from "./mlp-model.js";
import { randomSource, testSeed } from "./test-support.js";

const device = Device.open("cpu");

/** Two Gaussian blobs in `width` dimensions, classes 0/1, separated along every axis. */
function blobs(rows: number, width: number, random: () => number, gap = 2): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(rows * width);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    const label = r % 2;
    y[r] = label;
    for (let c = 0; c < width; c += 1) {
      const u = Math.max(random(), 1e-12);
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      x[r * width + c] = normal + (label === 1 ? gap / 2 : -gap / 2);
    }
  }
  return { x, y };
}

describe("MlpModel", () => {
  test("one SGD step of logistic regression moves the weights by −lr times the float64 gradient", () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const rows = 13;
    const width = 5;
    const classes = 3;
    const { x } = blobs(rows, width, random);
    const y = Int32Array.from({ length: rows }, (_, r) => r % classes);
    const model = new MlpModel(device, { task: "classification", inputWidth: width, hidden: [], classCount: classes }, seed);
    const before = model.getParameters();
    const lr = 0.5;
    const features = device.fromFloat32(x, rows, width);
    model.fit({ features, targets: y }, { epochs: 1, batchSize: rows, learningRate: lr, seed: 1 });
    const after = model.getParameters();
    // Reference: W classes×width then b; dL/dlogit = (softmax − onehot)/rows.
    const grad = new Float64Array(before.length);
    for (let r = 0; r < rows; r += 1) {
      const logits = Array.from({ length: classes }, (_, k) => {
        let z = before[classes * width + k] as number;
        for (let c = 0; c < width; c += 1) z += (before[k * width + c] as number) * (x[r * width + c] as number);
        return z;
      });
      const top = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - top));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < classes; k += 1) {
        const d = ((e[k] as number) / sum - (k === y[r] ? 1 : 0)) / rows;
        for (let c = 0; c < width; c += 1) (grad[k * width + c] as number) += d * (x[r * width + c] as number);
        grad[classes * width + k] = (grad[classes * width + k] as number) + d;
      }
    }
    for (let i = 0; i < before.length; i += 1) {
      // float32 step: a few ulps of the weights plus the float32 rounding of the gradient sum.
      expect(Math.abs((after[i] as number) - ((before[i] as number) - lr * (grad[i] as number))), `parameter ${i}, seed ${seed}`).toBeLessThan(1e-5);
    }
  });

  test("an MLP with a hidden layer learns two separated blobs (held-out accuracy > 0.95)", () => {
    const random = randomSource(7);
    const train = blobs(800, 6, random);
    const test = blobs(400, 6, random);
    const model = new MlpModel(device, { task: "classification", inputWidth: 6, hidden: [16], classCount: 2 }, 3);
    const result = model.fit({ features: device.fromFloat32(train.x, 800, 6), targets: train.y }, { epochs: 5, batchSize: 32, learningRate: 0.1, seed: 5 });
    expect(result.steps).toBe(5 * 25);
    expect(result.lastEpochLoss).toBeLessThan(0.2);
    const predicted = model.predictClasses(device.fromFloat32(test.x, 400, 6));
    let correct = 0;
    for (let r = 0; r < 400; r += 1) if (predicted[r] === test.y[r]) correct += 1;
    // Bayes accuracy: Φ(gap·√6/2) = Φ(2.45) ≈ 0.993.
    expect(correct / 400).toBeGreaterThan(0.95);
  });

  test("linear regression recovers y = 2x₀ − x₁ + 0.5", () => {
    const random = randomSource(11);
    const rows = 500;
    const x = new Float32Array(rows * 2);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r += 1) {
      x[r * 2] = 2 * random() - 1;
      x[r * 2 + 1] = 2 * random() - 1;
      y[r] = 2 * (x[r * 2] as number) - (x[r * 2 + 1] as number) + 0.5;
    }
    const model = new MlpModel(device, { task: "regression", inputWidth: 2, hidden: [], classCount: 0 }, 1);
    model.fit({ features: device.fromFloat32(x, rows, 2), targets: y }, { epochs: 60, batchSize: 25, learningRate: 0.1, seed: 2 });
    const w = model.getParameters();
    expect(w[0]).toBeCloseTo(2, 2);
    expect(w[1]).toBeCloseTo(-1, 2);
    expect(w[2]).toBeCloseTo(0.5, 2);
  });

  test("FedProx: a large μ keeps the local model near the anchor; μ = 0 does not", () => {
    const random = randomSource(3);
    const data = blobs(200, 4, random);
    const features = device.fromFloat32(data.x, 200, 4);
    const spec = { task: "classification" as const, inputWidth: 4, hidden: [8], classCount: 2 };
    const distance = (mu: number): number => {
      const model = new MlpModel(device, spec, 9);
      const anchor = model.getParameters();
      model.fit({ features, targets: data.y }, { epochs: 3, batchSize: 20, learningRate: 0.05, seed: 4, proximal: { mu, anchor } });
      const w = model.getParameters();
      let sum = 0;
      for (let i = 0; i < w.length; i += 1) sum += ((w[i] as number) - (anchor[i] as number)) ** 2;
      return Math.sqrt(sum);
    };
    const free = distance(0);
    const held = distance(10);
    expect(free).toBeGreaterThan(0.1);
    expect(held).toBeLessThan(free / 3);
  });

  test("the same seed gives the same model; parameters round-trip; bad vectors are refused", () => {
    const random = randomSource(5);
    const data = blobs(100, 3, random);
    const features = device.fromFloat32(data.x, 100, 3);
    const spec = { task: "classification" as const, inputWidth: 3, hidden: [4], classCount: 2 };
    const train = () => {
      const model = new MlpModel(device, spec, 21);
      model.fit({ features, targets: data.y }, { epochs: 2, batchSize: 10, learningRate: 0.1, seed: 8 });
      return model.getParameters();
    };
    const a = train();
    expect(Buffer.from(train().buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const other = new MlpModel(device, spec, 99);
    other.setParameters(a);
    expect(Array.from(other.getParameters())).toEqual(Array.from(a));
    expect(() => other.setParameters(new Float32Array(3))).toThrow(/has 3 values, this MLP has 26/);
    const poisoned = a.slice();
    poisoned[4] = Number.NaN;
    expect(() => other.setParameters(poisoned)).toThrow(/parameter 4 is NaN/);
    expect(() => new MlpModel(device, { task: "classification", inputWidth: 3, hidden: [], classCount: 1 }, 1)).toThrow(/classCount ≥ 2/);
  });

  test("ONNX export: onnxruntime-node reproduces our class probabilities and regression output within 1e-5", async () => {
    const seed = testSeed();
    const random = randomSource(seed);
    const data = blobs(64, 7, random);
    const features = device.fromFloat32(data.x, 64, 7);
    const classifier = new MlpModel(device, { task: "classification", inputWidth: 7, hidden: [12, 5], classCount: 2 }, seed);
    classifier.fit({ features, targets: data.y }, { epochs: 2, batchSize: 16, learningRate: 0.1, seed });
    const ours = classifier.predict(features);
    const session = await ort.InferenceSession.create(classifier.exportOnnx());
    const result = await session.run({ features: new ort.Tensor("float32", data.x, [64, 7]) });
    const theirs = result["probabilities"]?.data as Float32Array;
    expect(theirs.length).toBe(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i += 1) worst = Math.max(worst, Math.abs((ours[i] as number) - (theirs[i] as number)));
    expect(worst, `seed ${seed}`).toBeLessThanOrEqual(1e-5);

    const regressor = new MlpModel(device, { task: "regression", inputWidth: 7, hidden: [9] }, seed + 1);
    const oursR = regressor.predict(features);
    const sessionR = await ort.InferenceSession.create(regressor.exportOnnx());
    const theirsR = (await sessionR.run({ features: new ort.Tensor("float32", data.x, [64, 7]) }))["prediction"]?.data as Float32Array;
    let worstR = 0;
    for (let i = 0; i < oursR.length; i += 1) worstR = Math.max(worstR, Math.abs((oursR[i] as number) - (theirsR[i] as number)));
    expect(worstR, `seed ${seed}`).toBeLessThanOrEqual(1e-5);
  });
});
