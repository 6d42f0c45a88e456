/**
 * Linear layer y = act(x Wᵀ + b), W out×in (torch layout), with the activation fused into the
 * GEMM's epilogue and the backward fused likewise (dz = dy ⊙ act'(y), dW += dzᵀx, db += Σdz,
 * dx = dz W). Initialisation as torch's nn.Linear default: kaiming_uniform(a = √5), i.e. W and b
 * uniform in ±1/√in.
 */
import { Activation, type ActivationCode, type DevicePointer } from "../kernels/index.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { ActivationName, ArenaSlices, Layer, LayerSpec } from "./layer.js";
import type { Tensor } from "./tensor.js";

export function activationCode(name: ActivationName | undefined): ActivationCode {
  if (name === undefined) return Activation.identity;
  return Activation[name];
}

export class LinearLayer implements Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly parameterCount: number;
  readonly stateCount = 0;
  readonly act: ActivationCode;
  readonly slope: number;
  private readonly device: Device;
  private readonly buffers: BatchBuffers;
  private weight: DevicePointer | undefined;
  private bias: DevicePointer | undefined;
  private weightGrad: DevicePointer | undefined;
  private biasGrad: DevicePointer | undefined;
  private input: Tensor | undefined;
  private output: Tensor | undefined;

  constructor(device: Device, inWidth: number, out: number, activation?: ActivationName, slope = 0.2) {
    if (!Number.isSafeInteger(out) || out < 1) throw new NnError(`linear: out must be a positive integer, got ${out}`);
    this.device = device;
    this.inWidth = inWidth;
    this.outWidth = out;
    this.act = activationCode(activation);
    this.slope = slope;
    this.parameterCount = out * inWidth + out;
    this.spec =
      activation === undefined
        ? { kind: "linear", out }
        : activation === "leakyRelu"
          ? { kind: "linear", out, activation, slope }
          : { kind: "linear", out, activation };
    this.buffers = new BatchBuffers(device);
  }

  bind(slices: ArenaSlices): void {
    const ops = this.device.ops;
    this.weight = slices.params;
    this.bias = ops.offset(slices.params, this.outWidth * this.inWidth * 4);
    this.weightGrad = slices.grads;
    this.biasGrad = ops.offset(slices.grads, this.outWidth * this.inWidth * 4);
  }

  initialize(seed: bigint, counter: DevicePointer): void {
    const bound = 1 / Math.sqrt(this.inWidth);
    this.device.ops.uniform(this.parameterCount, seed, counter, -bound, bound, this.bound().weight);
  }

  /** Device pointers of W (out×in) then b (out), contiguous. */
  bound(): { weight: DevicePointer; bias: DevicePointer; weightGrad: DevicePointer; biasGrad: DevicePointer } {
    if (!this.weight || !this.bias || !this.weightGrad || !this.biasGrad) throw new NnError("linear: layer used before its model bound the parameters");
    return { weight: this.weight, bias: this.bias, weightGrad: this.weightGrad, biasGrad: this.biasGrad };
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (x.cols !== this.inWidth) throw new NnError(`linear: input has ${x.cols} columns, the layer expects ${this.inWidth}`);
    const y = this.buffers.get("y", x.rows, this.outWidth);
    const p = this.bound();
    this.device.ops.linearForward(x.rows, this.inWidth, this.outWidth, x.pointer, p.weight, p.bias, this.act, this.slope, y.pointer);
    this.input = x;
    this.output = y;
    return y;
  }

  backward(dy: Tensor, inputGradColumns: number, paramGrads = true): Tensor | null {
    const x = this.input;
    const y = this.output;
    if (!x || !y) throw new NnError("linear: backward called before forward");
    if (dy.rows !== y.rows || dy.cols !== y.cols) throw new NnError(`linear: gradient is ${dy.rows}×${dy.cols}, output was ${y.rows}×${y.cols}`);
    const p = this.bound();
    const dz = this.buffers.get("dz", x.rows, this.outWidth);
    const dx = inputGradColumns > 0 ? this.buffers.get("dx", x.rows, this.inWidth) : null;
    this.device.ops.linearBackward(
      x.rows,
      this.inWidth,
      this.outWidth,
      x.pointer,
      p.weight,
      y.pointer,
      dy.pointer,
      this.act,
      this.slope,
      dz.pointer,
      dx?.pointer ?? null,
      Math.min(Math.max(inputGradColumns, 1), this.inWidth),
      paramGrads ? p.weightGrad : null,
      paramGrads ? p.biasGrad : null,
    );
    return dx;
  }

  /** The input and output of the last forward (the gradient penalty reads them). */
  lastForward(): { input: Tensor; output: Tensor } {
    if (!this.input || !this.output) throw new NnError("linear: no forward yet");
    return { input: this.input, output: this.output };
  }

  dispose(): void {
    this.buffers.dispose();
  }
}
