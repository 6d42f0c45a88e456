/**
 * Dropout(p): in training each element is kept with probability 1 − p and scaled by 1/(1 − p)
 * (inverted dropout); the mask comes from the layer's own Philox stream (seed, device-resident
 * counter), so a seed reproduces it. Eval passes the input through.
 */
import type { DevicePointer } from "../kernels/index.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { ArenaSlices, Layer, LayerSpec } from "./layer.js";
import type { Tensor } from "./tensor.js";

export class DropoutLayer implements Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly parameterCount = 0;
  readonly stateCount = 0;
  readonly p: number;
  private readonly device: Device;
  private readonly buffers: BatchBuffers;
  private seed = 0n;
  private counter: DevicePointer | undefined;
  private last: { training: boolean; mask: Tensor; y: Tensor } | undefined;

  constructor(device: Device, width: number, p: number) {
    if (!(p >= 0 && p < 1)) throw new NnError(`dropout: p must be in [0, 1), got ${p}`);
    this.device = device;
    this.inWidth = width;
    this.outWidth = width;
    this.p = p;
    this.spec = { kind: "dropout", p };
    this.buffers = new BatchBuffers(device);
  }

  bind(_slices: ArenaSlices): void {}

  /** The mask stream: this layer's seed (derived by the model) and its own counter from 0. */
  initialize(seed: bigint, _counter: DevicePointer): void {
    this.seed = seed;
    this.counter ??= this.device.counter(0n);
  }

  forward(x: Tensor, training: boolean): Tensor {
    const y = this.buffers.get("y", x.rows, this.outWidth);
    const mask = this.buffers.get("mask", x.rows, this.outWidth);
    const ops = this.device.ops;
    if (training && this.p > 0) {
      if (!this.counter) throw new NnError("dropout: layer used before its model initialised it");
      ops.dropoutForward(x.size, this.p, this.seed, this.counter, x.pointer, y.pointer, mask.pointer);
    } else {
      ops.copy(y.pointer, x.pointer, x.bytes);
      ops.fill(mask.size, 1, mask.pointer);
    }
    this.last = { training, mask, y };
    return y;
  }

  /** The mask (0 or 1/(1 − p)) of the last forward: fixed for the gradient penalty's double backward. */
  lastMask(): Tensor {
    if (!this.last) throw new NnError("dropout: no forward yet");
    return this.last.mask;
  }

  backward(dy: Tensor, inputGradColumns: number): Tensor | null {
    if (!this.last) throw new NnError("dropout: backward called before forward");
    if (inputGradColumns === 0) return null;
    const dx = this.buffers.get("dx", dy.rows, this.inWidth);
    this.device.ops.mul(dy.size, dy.pointer, this.last.mask.pointer, dx.pointer);
    return dx;
  }

  dispose(): void {
    this.buffers.dispose();
    if (this.counter !== undefined) this.device.ops.free(this.counter);
    this.counter = undefined;
  }
}
