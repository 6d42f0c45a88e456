/**
 * An MLP classifier or regressor on encoded tabular features, the model of federated training:
 * Linear(+ReLU) hidden layers then a Linear output (no hidden layer: multinomial logistic
 * regression, or linear regression). Classification minimises the mean softmax cross-entropy
 * over `classCount` logits; regression the mean squared error of one output.
 *
 * Local training is plain minibatch SGD, w ← w − lr·(∇L(w) + μ(w − w_anchor)): with μ > 0 this
 * is FedProx's local objective L(w) + μ/2‖w − w_global‖² (Li et al. 2020, eq. 2), the anchor
 * being the round's global model. The parameters are one flat Float32Array (the update a holder
 * sends is the difference of two of them). Export: ONNX with a Softmax over the logits for a
 * classifier, so onnxruntime returns class probabilities.
 */
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { LayerSpec } from "./layer.js";
import { mse, spanCrossEntropy } from "./losses.js";
import { exportOnnx } from "./onnx-export.js";
import { type OutputSpan, uploadSpans } from "./output-spans.js";
import { Sequential } from "./sequential.js";
import type { Tensor } from "./tensor.js";
import { addScaled, gatherRows } from "./tensor-ops.js";

export interface MlpSpec {
  task: "classification" | "regression";
  inputWidth: number;
  /** Widths of the ReLU hidden layers; [] is logistic (or linear) regression. */
  hidden: number[];
  /** Number of classes (classification, ≥ 2); ignored for regression. */
  classCount?: number;
}

/** Training data already on the device: features rows×inputWidth; targets class codes or values. */
export interface MlpData {
  features: Tensor;
  /** Class index per row (classification) or the target value (regression). */
  targets: Int32Array | Float32Array;
}

export interface MlpFitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Shuffles the rows each epoch. */
  seed: number;
  /** FedProx: μ and the anchor parameters (the round's global model). */
  proximal?: { mu: number; anchor: Float32Array };
}

export interface MlpFitResult {
  /** Mean training loss of the last epoch (as computed on each batch before its step). */
  lastEpochLoss: number;
  steps: number;
}

function checkSpec(spec: MlpSpec): void {
  if (spec.task !== "classification" && spec.task !== "regression")
    throw new NnError(`MLP task must be "classification" or "regression", got ${String(spec.task)}`);
  if (!Number.isSafeInteger(spec.inputWidth) || spec.inputWidth < 1) throw new NnError(`MLP input width must be a positive integer, got ${spec.inputWidth}`);
  for (const width of spec.hidden)
    if (!Number.isSafeInteger(width) || width < 1) throw new NnError(`MLP hidden widths must be positive integers, got ${width}`);
  if (spec.task === "classification" && !(Number.isSafeInteger(spec.classCount) && (spec.classCount as number) >= 2))
    throw new NnError(`an MLP classifier needs classCount ≥ 2, got ${String(spec.classCount)}`);
}

/** Mulberry32: a small seeded generator for the epoch shuffles (not a privacy mechanism). */
function shuffleSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MlpModel {
  readonly spec: MlpSpec;
  readonly device: Device;
  readonly network: Sequential;
  readonly outputWidth: number;
  private readonly spanTable: Tensor | undefined;

  constructor(device: Device, spec: MlpSpec, seed: number | bigint) {
    checkSpec(spec);
    this.spec = { ...spec, hidden: [...spec.hidden] };
    this.device = device;
    this.outputWidth = spec.task === "classification" ? (spec.classCount as number) : 1;
    const layers: LayerSpec[] = spec.hidden.map((out) => ({ kind: "linear", out, activation: "relu" }) as LayerSpec);
    layers.push({ kind: "linear", out: this.outputWidth });
    this.network = new Sequential(device, spec.inputWidth, layers, { seed });
    this.spanTable = spec.task === "classification" ? uploadSpans(device, this.outputSpans(), this.outputWidth) : undefined;
  }

  private outputSpans(): OutputSpan[] {
    return [{ start: 0, length: this.outputWidth, activation: "softmax" }];
  }

  get parameterCount(): number {
    return this.network.parameterCount;
  }

  /** The flat parameter vector (a copy). */
  getParameters(): Float32Array {
    return this.network.params.download();
  }

  setParameters(values: Float32Array): void {
    if (values.length !== this.parameterCount)
      throw new NnError(`parameter vector has ${values.length} values, this MLP has ${this.parameterCount}: was it made for another architecture?`);
    for (let i = 0; i < values.length; i += 1)
      if (!Number.isFinite(values[i] as number)) throw new NnError(`parameter ${i} is ${values[i]}: refusing a non-finite model`);
    this.network.params.upload(values);
  }

  private checkData(data: MlpData): void {
    if (data.features.cols !== this.spec.inputWidth) throw new NnError(`features have ${data.features.cols} columns, the MLP takes ${this.spec.inputWidth}`);
    if (data.targets.length !== data.features.rows) throw new NnError(`${data.targets.length} targets for ${data.features.rows} rows`);
    if (this.spec.task === "classification" && !(data.targets instanceof Int32Array))
      throw new NnError("classification targets must be an Int32Array of class codes");
    if (this.spec.task === "regression" && !(data.targets instanceof Float32Array)) throw new NnError("regression targets must be a Float32Array");
  }

  /** Local SGD epochs over `data` (FedProx when `proximal` is given). */
  fit(data: MlpData, options: MlpFitOptions): MlpFitResult {
    this.checkData(data);
    const rows = data.features.rows;
    if (rows === 0) throw new NnError("cannot train on zero rows");
    if (!Number.isSafeInteger(options.epochs) || options.epochs < 1) throw new NnError(`epochs must be a positive integer, got ${options.epochs}`);
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) throw new NnError(`batch size must be a positive integer, got ${options.batchSize}`);
    if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) throw new NnError(`learning rate must be > 0, got ${options.learningRate}`);
    const device = this.device;
    let anchor: Tensor | undefined;
    const mu = options.proximal?.mu ?? 0;
    if (options.proximal !== undefined) {
      if (!(mu >= 0) || !Number.isFinite(mu)) throw new NnError(`FedProx μ must be ≥ 0, got ${mu}`);
      if (options.proximal.anchor.length !== this.parameterCount) throw new NnError("FedProx anchor must have the model's parameter count");
      anchor = device.fromFloat32(options.proximal.anchor, 1, this.parameterCount);
    }
    const random = shuffleSource(options.seed);
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i += 1) order[i] = i;
    const batchSize = Math.min(options.batchSize, rows);
    const tensors = new Map<number, { x: Tensor; indices: Tensor; target: Tensor; dy: Tensor }>();
    const batchTensors = (size: number) => {
      let found = tensors.get(size);
      if (!found) {
        found = {
          x: device.zeros(size, this.spec.inputWidth),
          indices: device.zeros(1, size, "i32"),
          target: device.zeros(size, 1, this.spec.task === "classification" ? "i32" : "f32"),
          dy: device.zeros(size, this.outputWidth),
        };
        tensors.set(size, found);
      }
      return found;
    };
    const loss = device.zeros(1, 1);
    let steps = 0;
    let lastEpochLoss = Number.NaN;
    try {
      for (let epoch = 0; epoch < options.epochs; epoch += 1) {
        for (let i = rows - 1; i > 0; i -= 1) {
          const j = Math.floor(random() * (i + 1));
          const t = order[i] as number;
          order[i] = order[j] as number;
          order[j] = t;
        }
        let lossSum = 0;
        for (let start = 0; start < rows; start += batchSize) {
          const size = Math.min(batchSize, rows - start);
          const batch = batchTensors(size);
          const indices = order.subarray(start, start + size);
          batch.indices.upload(indices);
          if (data.targets instanceof Int32Array) batch.target.upload(Int32Array.from(indices, (r) => (data.targets as Int32Array)[r] as number));
          else batch.target.upload(Float32Array.from(indices, (r) => (data.targets as Float32Array)[r] as number));
          gatherRows(data.features, batch.indices, batch.x);
          lossSum += this.step(batch.x, batch.target, batch.dy, loss, options.learningRate, mu, anchor) * size;
          steps += 1;
        }
        lastEpochLoss = lossSum / rows;
      }
    } finally {
      for (const batch of tensors.values()) for (const t of Object.values(batch)) t.dispose();
      loss.dispose();
      anchor?.dispose();
    }
    return { lastEpochLoss, steps };
  }

  /** One SGD step on a batch; returns the batch's mean loss before the step. */
  private step(x: Tensor, target: Tensor, dy: Tensor, loss: Tensor, lr: number, mu: number, anchor: Tensor | undefined): number {
    const network = this.network;
    const output = network.forward(x, { training: true });
    dy.fill(0);
    const scale = 1 / x.rows;
    if (this.spanTable) spanCrossEntropy(output, this.spanTable, target, scale, dy, loss);
    else mse(output, target, scale, dy, loss);
    network.zeroGrad();
    network.backward(dy, { needInputGrad: false });
    if (anchor && mu > 0) {
      // ∇ μ/2‖w − a‖² = μw − μa.
      addScaled(network.grads, network.params, mu);
      addScaled(network.grads, anchor, -mu);
    }
    addScaled(network.params, network.grads, -lr);
    return loss.item();
  }

  /** Class probabilities (rows×classCount) or predicted values (rows×1) for rows of features. */
  predict(features: Tensor): Float32Array {
    if (features.cols !== this.spec.inputWidth) throw new NnError(`features have ${features.cols} columns, the MLP takes ${this.spec.inputWidth}`);
    const out = this.network.forward(features, { training: false }).download();
    if (this.spec.task === "regression") return out;
    const k = this.outputWidth;
    for (let r = 0; r < features.rows; r += 1) {
      let top = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c += 1) top = Math.max(top, out[r * k + c] as number);
      let z = 0;
      for (let c = 0; c < k; c += 1) {
        const e = Math.exp((out[r * k + c] as number) - top);
        out[r * k + c] = e;
        z += e;
      }
      for (let c = 0; c < k; c += 1) out[r * k + c] = (out[r * k + c] as number) / z;
    }
    return out;
  }

  /** The most probable class per row (classification only). */
  predictClasses(features: Tensor): Int32Array {
    if (this.spec.task !== "classification") throw new NnError("predictClasses needs a classifier");
    const probabilities = this.predict(features);
    const k = this.outputWidth;
    const out = new Int32Array(features.rows);
    for (let r = 0; r < features.rows; r += 1) {
      let best = 0;
      for (let c = 1; c < k; c += 1) if ((probabilities[r * k + c] as number) > (probabilities[r * k + best] as number)) best = c;
      out[r] = best;
    }
    return out;
  }

  /** ONNX (input "features", output "probabilities" or "prediction"). */
  exportOnnx(): Uint8Array {
    const classification = this.spec.task === "classification";
    return exportOnnx(this.network, {
      inputs: [{ name: "features", width: this.spec.inputWidth }],
      outputName: classification ? "probabilities" : "prediction",
      ...(classification ? { outputSpans: this.outputSpans() } : {}),
      graphName: classification ? "datalab_mlp_classifier" : "datalab_mlp_regressor",
    });
  }

  dispose(): void {
    this.spanTable?.dispose();
  }
}
