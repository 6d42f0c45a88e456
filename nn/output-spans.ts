/**
 * The generator's output activation per column span (CTGAN §4.2 / its reference: tanh for a
 * continuous value α, Gumbel-softmax with τ = 0.2 for a mode indicator or a one-hot category,
 * hard = false). Spans are (start, length, kind) over the columns; Gumbel noise comes from the
 * module's own Philox stream, so a seed reproduces it.
 */
import { type DevicePointer, SpanKind } from "../kernels/index.js";
import { BatchBuffers } from "./buffers.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { Tensor } from "./tensor.js";

export type SpanActivationName = "identity" | "tanh" | "softmax" | "gumbelSoftmax";

export interface OutputSpan {
  start: number;
  length: number;
  activation: SpanActivationName;
}

/** Uploads a span table (int32 triples) after checking the spans lie inside `width` columns. */
export function uploadSpans(device: Device, spans: readonly OutputSpan[], width: number): Tensor {
  if (spans.length === 0) throw new NnError("output spans: at least one span is required");
  const table = new Int32Array(spans.length * 3);
  spans.forEach((span, s) => {
    if (!Number.isSafeInteger(span.start) || !Number.isSafeInteger(span.length) || span.start < 0 || span.length < 1 || span.start + span.length > width)
      throw new NnError(`output span ${s} (start ${span.start}, length ${span.length}) lies outside the ${width} columns`);
    table.set([span.start, span.length, SpanKind[span.activation]], s * 3);
  });
  return device.fromInt32(table, 1, table.length);
}

export class SpanActivation {
  readonly device: Device;
  readonly width: number;
  readonly spans: readonly OutputSpan[];
  readonly tau: number;
  readonly table: Tensor;
  private readonly seed: bigint;
  private readonly counter: DevicePointer;
  private readonly buffers: BatchBuffers;
  private output: Tensor | undefined;

  constructor(device: Device, width: number, spans: readonly OutputSpan[], options: { tau?: number; seed: bigint | number }) {
    this.device = device;
    this.width = width;
    this.spans = spans;
    this.tau = options.tau ?? 0.2;
    if (!(this.tau > 0)) throw new NnError(`Gumbel-softmax temperature must be > 0, got ${this.tau}`);
    this.table = uploadSpans(device, spans, width);
    this.seed = BigInt.asUintN(64, BigInt(options.seed));
    this.counter = device.counter(0n);
    this.buffers = new BatchBuffers(device);
  }

  forward(x: Tensor): Tensor {
    if (x.cols !== this.width) throw new NnError(`span activation: input has ${x.cols} columns, expected ${this.width}`);
    const y = this.buffers.get("y", x.rows, this.width);
    this.device.ops.spanActivationForward(x.rows, this.width, this.spans.length, this.table.pointer, this.tau, this.seed, this.counter, x.pointer, y.pointer);
    this.output = y;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const y = this.output;
    if (!y) throw new NnError("span activation: backward called before forward");
    const dx = this.buffers.get("dx", y.rows, this.width);
    this.device.ops.spanActivationBackward(y.rows, this.width, this.spans.length, this.table.pointer, this.tau, y.pointer, dy.pointer, dx.pointer);
    return dx;
  }

  dispose(): void {
    this.buffers.dispose();
    this.table.dispose();
    this.device.ops.free(this.counter);
  }
}
