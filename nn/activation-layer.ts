/** Standalone ReLU, LeakyReLU(slope) and tanh (a Sequential fuses them into a preceding Linear). */
import type { ActivationCode, DevicePointer } from "../kernels/index.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { ArenaSlices, Layer, LayerSpec } from "./layer.js";
import type { Tensor } from "./tensor.js";

export class ActivationLayer implements Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly parameterCount = 0;
  readonly stateCount = 0;
  private readonly device: Device;
  private readonly act: ActivationCode;
  private readonly slope: number;
  private readonly buffers: BatchBuffers;
  private output: Tensor | undefined;

  constructor(device: Device, width: number, spec: LayerSpec, act: ActivationCode, slope: number) {
    this.device = device;
    this.inWidth = width;
    this.outWidth = width;
    this.spec = spec;
    this.act = act;
    this.slope = slope;
    this.buffers = new BatchBuffers(device);
  }

  bind(_slices: ArenaSlices): void {}
  initialize(_seed: bigint, _counter: DevicePointer): void {}

  forward(x: Tensor, _training: boolean): Tensor {
    const y = this.buffers.get("y", x.rows, this.outWidth);
    this.device.ops.activationForward(x.size, this.act, this.slope, x.pointer, y.pointer);
    this.output = y;
    return y;
  }

  backward(dy: Tensor, inputGradColumns: number): Tensor | null {
    if (!this.output) throw new NnError("activation: backward called before forward");
    if (inputGradColumns === 0) return null;
    const dx = this.buffers.get("dx", dy.rows, this.inWidth);
    this.device.ops.activationBackward(dy.size, this.act, this.slope, this.output.pointer, dy.pointer, dx.pointer);
    return dx;
  }

  dispose(): void {
    this.buffers.dispose();
  }
}
