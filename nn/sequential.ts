/**
 * A feed-forward model built from LayerSpecs. All trained parameters live in one contiguous
 * arena (and their gradients in a second one), so the optimizer updates every parameter in one
 * pass and weights save/load as one Float32Array. A Linear followed by ReLU, LeakyReLU or tanh
 * is fused into one layer (one pass over its output instead of two).
 *
 * A forward's activations stay in the layers until the next forward: run backward (and the
 * gradient penalty, which does its own forward) before the next forward of the same model.
 */
import { Activation, type DevicePointer } from "../kernels/index.js";
import { ActivationLayer } from "./activation-layer.js";
import { BatchNormLayer } from "./batch-norm.js";
import type { Device } from "./device.js";
import { DropoutLayer } from "./dropout.js";
import { NnError } from "./errors.js";
import { disposePenaltyScratch, type GradientPenaltyOptions, gradientPenalty } from "./gradient-penalty.js";
import type { Layer, LayerSpec } from "./layer.js";
import { LinearLayer } from "./linear.js";
import { ResidualLayer } from "./residual.js";
import { streamSeed } from "./streams.js";
import type { Tensor } from "./tensor.js";

export interface SequentialOptions {
  /** Seeds the initialisation and every random stream of the model (dropout, penalty). */
  seed: bigint | number;
}

function buildLayers(device: Device, inWidth: number, specs: readonly LayerSpec[]): Layer[] {
  const layers: Layer[] = [];
  let width = inWidth;
  for (let i = 0; i < specs.length; i += 1) {
    const spec = specs[i] as LayerSpec;
    const next = specs[i + 1];
    let layer: Layer;
    if (spec.kind === "linear" && spec.activation === undefined && next && (next.kind === "relu" || next.kind === "leakyRelu" || next.kind === "tanh")) {
      layer = new LinearLayer(device, width, spec.out, next.kind, next.kind === "leakyRelu" ? (next.slope ?? 0.2) : 0.2);
      i += 1;
    } else if (spec.kind === "linear") {
      layer = new LinearLayer(device, width, spec.out, spec.activation, spec.slope ?? 0.2);
    } else if (spec.kind === "batchNorm") {
      layer = new BatchNormLayer(device, width, {
        ...(spec.momentum !== undefined ? { momentum: spec.momentum } : {}),
        ...(spec.eps !== undefined ? { eps: spec.eps } : {}),
      });
    } else if (spec.kind === "relu") {
      layer = new ActivationLayer(device, width, spec, Activation.relu, 0);
    } else if (spec.kind === "leakyRelu") {
      layer = new ActivationLayer(device, width, spec, Activation.leakyRelu, spec.slope ?? 0.2);
    } else if (spec.kind === "tanh") {
      layer = new ActivationLayer(device, width, spec, Activation.tanh, 0);
    } else if (spec.kind === "dropout") {
      layer = new DropoutLayer(device, width, spec.p);
    } else if (spec.kind === "residual") {
      layer = new ResidualLayer(device, width, spec.out);
    } else {
      throw new NnError(`unknown layer kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
    }
    layers.push(layer);
    width = layer.outWidth;
  }
  return layers;
}

export class Sequential {
  readonly device: Device;
  readonly inWidth: number;
  readonly outWidth: number;
  /** The specs as given (serializable); `layers` holds the fused layers. */
  readonly specs: readonly LayerSpec[];
  readonly layers: readonly Layer[];
  readonly seed: bigint;
  /** 1×P trained parameters, 1×P gradients, 1×S saved state (BatchNorm running statistics). */
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly state: Tensor;
  /** Random stream of the gradient penalty's interpolation weights. */
  readonly penaltyCounter: DevicePointer;

  constructor(device: Device, inWidth: number, specs: readonly LayerSpec[], options: SequentialOptions) {
    if (!Number.isSafeInteger(inWidth) || inWidth < 1) throw new NnError(`model input width must be a positive integer, got ${inWidth}`);
    if (specs.length === 0) throw new NnError("a model needs at least one layer");
    this.device = device;
    this.inWidth = inWidth;
    this.specs = specs;
    this.seed = BigInt.asUintN(64, BigInt(options.seed));
    this.layers = buildLayers(device, inWidth, specs);
    this.outWidth = (this.layers[this.layers.length - 1] as Layer).outWidth;
    const parameterCount = this.layers.reduce((total, layer) => total + layer.parameterCount, 0);
    const stateCount = this.layers.reduce((total, layer) => total + layer.stateCount, 0);
    this.params = device.zeros(1, parameterCount);
    this.grads = device.zeros(1, parameterCount);
    this.state = device.zeros(1, stateCount);
    const ops = device.ops;
    let p = 0;
    let s = 0;
    for (const layer of this.layers) {
      layer.bind({
        params: ops.offset(this.params.pointer, p * 4),
        grads: ops.offset(this.grads.pointer, p * 4),
        state: ops.offset(this.state.pointer, s * 4),
      });
      p += layer.parameterCount;
      s += layer.stateCount;
    }
    const initCounter = device.counter(0n);
    this.layers.forEach((layer, index) => {
      layer.initialize(streamSeed(this.seed, index), initCounter);
    });
    ops.free(initCounter);
    this.penaltyCounter = device.counter(0n);
  }

  get parameterCount(): number {
    return this.params.cols;
  }

  forward(x: Tensor, options: { training?: boolean } = {}): Tensor {
    if (x.cols !== this.inWidth) throw new NnError(`model input has ${x.cols} columns, the model expects ${this.inWidth}`);
    const training = options.training ?? true;
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, training);
    return h;
  }

  /**
   * Backpropagates dy (rows×outWidth) through the last forward; accumulates into `grads` unless
   * `paramGrads` is false (then `grads` is left untouched and only the input gradient is made).
   */
  backward(dy: Tensor, options: { needInputGrad?: boolean; paramGrads?: boolean } = {}): Tensor | null {
    if (dy.cols !== this.outWidth) throw new NnError(`gradient has ${dy.cols} columns, the model output has ${this.outWidth}`);
    // The input-gradient columns each layer owes, front to back: all of the model input's when
    // asked, none otherwise; then what the layer before reads of its output gradient (a residual
    // block passes its input through, so the generator's noise and conditions get none).
    const wanted = this.layers.map(() => 0);
    wanted[0] = (options.needInputGrad ?? true) ? this.inWidth : 0;
    for (let i = 1; i < this.layers.length; i += 1) {
      const before = this.layers[i - 1] as Layer;
      wanted[i] = before.outputGradColumns?.(wanted[i - 1] as number) ?? before.outWidth;
    }
    let g: Tensor | null = dy;
    for (let i = this.layers.length - 1; i >= 0; i -= 1) {
      g = (this.layers[i] as Layer).backward(g as Tensor, wanted[i] as number, options.paramGrads ?? true);
      if (g === null) return null;
    }
    return g;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** WGAN-GP penalty on packed real/fake rows; returns a 1×1 tensor and accumulates its gradients. */
  gradientPenalty(real: Tensor, fake: Tensor, options: GradientPenaltyOptions = {}): Tensor {
    return gradientPenalty(this, real, fake, options);
  }

  /** Frees every device buffer of the model (arenas, layer scratch, penalty scratch); the model is unusable after. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    disposePenaltyScratch(this);
    this.params.dispose();
    this.grads.dispose();
    this.state.dispose();
    this.device.ops.free(this.penaltyCounter);
  }

  /** Parameters then saved state, as one host array (the model file's weights). */
  saveWeights(): Float32Array {
    const out = new Float32Array(this.params.cols + this.state.cols);
    out.set(this.params.download(), 0);
    out.set(this.state.download(), this.params.cols);
    return out;
  }

  loadWeights(weights: Float32Array): void {
    const expected = this.params.cols + this.state.cols;
    if (weights.length !== expected)
      throw new NnError(`weights hold ${weights.length} floats, this model needs ${expected}: was the file written for another architecture?`);
    this.params.upload(weights.subarray(0, this.params.cols));
    this.state.upload(weights.subarray(this.params.cols));
  }
}
