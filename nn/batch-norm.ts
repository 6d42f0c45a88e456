/**
 * BatchNorm1d (Ioffe & Szegedy 2015) with torch's conventions: training normalizes with the batch
 * mean and biased variance and moves the running statistics by `momentum` (variance unbiased);
 * eval normalizes with the running statistics. γ = 1, β = 0, running mean 0 and variance 1 at
 * initialisation. An activation can be fused after it (the residual block's ReLU).
 */
import { Activation, type ActivationCode, type DevicePointer } from "../kernels/index.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { ArenaSlices, Layer, LayerSpec } from "./layer.js";
import type { Tensor } from "./tensor.js";

export class BatchNormLayer implements Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly parameterCount: number;
  readonly stateCount: number;
  readonly momentum: number;
  readonly eps: number;
  private readonly act: ActivationCode;
  private readonly device: Device;
  private readonly buffers: BatchBuffers;
  private slices: ArenaSlices | undefined;
  private last: { x: Tensor; y: Tensor; training: boolean } | undefined;

  constructor(device: Device, features: number, options: { momentum?: number; eps?: number; act?: ActivationCode } = {}) {
    this.device = device;
    this.inWidth = features;
    this.outWidth = features;
    this.parameterCount = 2 * features;
    this.stateCount = 2 * features;
    this.momentum = options.momentum ?? 0.1;
    this.eps = options.eps ?? 1e-5;
    this.act = options.act ?? Activation.identity;
    this.spec = { kind: "batchNorm", momentum: this.momentum, eps: this.eps };
    this.buffers = new BatchBuffers(device);
  }

  bind(slices: ArenaSlices): void {
    this.slices = slices;
  }

  /** γ, β (params, then grads) and running mean, running var (state), as device pointers. */
  pointers(): { gamma: DevicePointer; beta: DevicePointer; dgamma: DevicePointer; dbeta: DevicePointer; mean: DevicePointer; variance: DevicePointer } {
    const s = this.slices;
    if (!s) throw new NnError("batchNorm: layer used before its model bound the parameters");
    const ops = this.device.ops;
    const f = this.inWidth * 4;
    return { gamma: s.params, beta: ops.offset(s.params, f), dgamma: s.grads, dbeta: ops.offset(s.grads, f), mean: s.state, variance: ops.offset(s.state, f) };
  }

  initialize(_seed: bigint, _counter: DevicePointer): void {
    const p = this.pointers();
    const ops = this.device.ops;
    ops.fill(this.inWidth, 1, p.gamma);
    ops.fill(this.inWidth, 0, p.beta);
    ops.fill(this.inWidth, 0, p.mean);
    ops.fill(this.inWidth, 1, p.variance);
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (x.cols !== this.inWidth) throw new NnError(`batchNorm: input has ${x.cols} columns, the layer expects ${this.inWidth}`);
    if (training && x.rows < 2) throw new NnError("batchNorm: training needs a batch of at least 2 rows");
    const p = this.pointers();
    const y = this.buffers.get("y", x.rows, this.inWidth);
    const saved = this.buffers.get("saved", 2, this.inWidth);
    this.device.ops.batchnormForward(
      x.rows,
      this.inWidth,
      x.pointer,
      p.gamma,
      p.beta,
      p.mean,
      p.variance,
      this.momentum,
      this.eps,
      training,
      this.act,
      0,
      y.pointer,
      saved.pointer,
      saved.rowSlice(1, 1).pointer,
    );
    this.last = { x, y, training };
    return y;
  }

  backward(dy: Tensor, inputGradColumns: number, paramGrads = true): Tensor | null {
    const last = this.last;
    if (!last) throw new NnError("batchNorm: backward called before forward");
    const p = this.pointers();
    const saved = this.buffers.get("saved", 2, this.inWidth);
    const dx = inputGradColumns > 0 ? this.buffers.get("dx", last.x.rows, this.inWidth) : null;
    this.device.ops.batchnormBackward(
      last.x.rows,
      this.inWidth,
      last.x.pointer,
      p.gamma,
      saved.pointer,
      saved.rowSlice(1, 1).pointer,
      last.y.pointer,
      dy.pointer,
      last.training,
      this.act,
      0,
      dx?.pointer ?? null,
      paramGrads ? p.dgamma : null,
      paramGrads ? p.dbeta : null,
    );
    return dx;
  }

  dispose(): void {
    this.buffers.dispose();
  }
}
