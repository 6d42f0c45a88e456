/**
 * CTGAN's Residual block (Xu et al. 2019, Appendix: generator): h = ReLU(BN(Linear(x))), output
 * [h, x] (concatenated, so the width grows by `out`). Backward splits the gradient: the h part
 * flows back through BN+ReLU (fused) and the Linear, and the x part is added to its input grad.
 */
import { Activation, type DevicePointer } from "../kernels/index.js";
import { BatchNormLayer } from "./batch-norm.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { ArenaSlices, Layer, LayerSpec } from "./layer.js";
import { LinearLayer } from "./linear.js";
import type { Tensor } from "./tensor.js";

export class ResidualLayer implements Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly parameterCount: number;
  readonly stateCount: number;
  readonly linear: LinearLayer;
  readonly norm: BatchNormLayer;
  private readonly device: Device;
  private readonly buffers: BatchBuffers;
  private input: Tensor | undefined;

  constructor(device: Device, inWidth: number, out: number) {
    this.device = device;
    this.inWidth = inWidth;
    this.outWidth = out + inWidth;
    this.spec = { kind: "residual", out };
    this.linear = new LinearLayer(device, inWidth, out);
    this.norm = new BatchNormLayer(device, out, { act: Activation.relu });
    this.parameterCount = this.linear.parameterCount + this.norm.parameterCount;
    this.stateCount = this.norm.stateCount;
    this.buffers = new BatchBuffers(device);
  }

  bind(slices: ArenaSlices): void {
    const ops = this.device.ops;
    this.linear.bind(slices);
    const skip = this.linear.parameterCount * 4;
    this.norm.bind({ params: ops.offset(slices.params, skip), grads: ops.offset(slices.grads, skip), state: slices.state });
  }

  initialize(seed: bigint, counter: DevicePointer): void {
    this.linear.initialize(seed, counter);
    this.norm.initialize(seed, counter);
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (x.cols !== this.inWidth) throw new NnError(`residual: input has ${x.cols} columns, the block expects ${this.inWidth}`);
    const h = this.norm.forward(this.linear.forward(x, training), training);
    const y = this.buffers.get("y", x.rows, this.outWidth);
    const ops = this.device.ops;
    const out = this.linear.outWidth;
    ops.copyColumns(x.rows, out, h.pointer, out, 0, y.pointer, this.outWidth, 0, false);
    ops.copyColumns(x.rows, this.inWidth, x.pointer, this.inWidth, 0, y.pointer, this.outWidth, out, false);
    this.input = x;
    return y;
  }

  /** Of dy only the leading out + inputGradColumns columns are read (outputGradColumns). */
  outputGradColumns(inputGradColumns: number): number {
    return this.linear.outWidth + inputGradColumns;
  }

  backward(dy: Tensor, inputGradColumns: number, paramGrads = true): Tensor | null {
    const x = this.input;
    if (!x) throw new NnError("residual: backward called before forward");
    const ops = this.device.ops;
    const out = this.linear.outWidth;
    const dh = this.buffers.get("dh", x.rows, out);
    ops.copyColumns(x.rows, out, dy.pointer, this.outWidth, 0, dh.pointer, out, 0, false);
    const dLinear = this.norm.backward(dh, out, paramGrads);
    if (!dLinear) throw new NnError("residual: batch norm returned no input gradient");
    const dx = this.linear.backward(dLinear, inputGradColumns, paramGrads);
    if (!dx) return null;
    ops.copyColumns(x.rows, inputGradColumns, dy.pointer, this.outWidth, out, dx.pointer, this.inWidth, 0, true);
    return dx;
  }

  dispose(): void {
    this.buffers.dispose();
    this.linear.dispose();
    this.norm.dispose();
  }
}
