/**
 * Adam with decoupled weight decay (AdamW; Loshchilov & Hutter 2019, Algorithm 2) over a model's
 * whole parameter arena in one pass. The step count lives in device memory (a captured CUDA
 * graph replays correct bias corrections). CTGAN's settings: lr 2e-4, betas (0.5, 0.9), wd 1e-6.
 */
import type { DevicePointer } from "../kernels/index.js";
import { NnError } from "./errors.js";
import type { Sequential } from "./sequential.js";
import type { Tensor } from "./tensor.js";

export interface AdamWOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  readonly model: Sequential;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: Tensor;
  private readonly v: Tensor;
  private readonly stepCount: DevicePointer;

  constructor(model: Sequential, options: AdamWOptions = {}) {
    this.model = model;
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    if (!(this.lr >= 0) || !(this.beta1 >= 0 && this.beta1 < 1) || !(this.beta2 >= 0 && this.beta2 < 1) || !(this.eps > 0) || !(this.weightDecay >= 0))
      throw new NnError("AdamW: lr >= 0, betas in [0, 1), eps > 0 and weightDecay >= 0 are required");
    this.m = model.device.zeros(1, model.parameterCount);
    this.v = model.device.zeros(1, model.parameterCount);
    this.stepCount = model.device.counter(0n);
  }

  /** One update of every parameter from the accumulated gradients (does not zero them). */
  step(): void {
    const model = this.model;
    model.device.ops.adamw(
      model.parameterCount,
      model.params.pointer,
      model.grads.pointer,
      this.m.pointer,
      this.v.pointer,
      this.stepCount,
      this.lr,
      this.beta1,
      this.beta2,
      this.eps,
      this.weightDecay,
    );
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
