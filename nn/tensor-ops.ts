/**
 * Data movement and fills on device tensors that a training loop needs between models:
 * concatenating columns (generator output + conditional vector), splitting a gradient back,
 * gathering a batch of rows by index from a device-resident table, one-hot vectors, axpy.
 */
import type { DevicePointer } from "../kernels/index.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** out = [parts[0] | parts[1] | …] column-wise (same rows); out is allocated when not given. */
export function concatColumns(parts: readonly Tensor[], out?: Tensor): Tensor {
  const first = parts[0];
  if (!first) throw new NnError("concatColumns: no tensors given");
  const width = parts.reduce((total, part) => total + part.cols, 0);
  const target = out ?? first.device.zeros(first.rows, width);
  if (target.rows !== first.rows || target.cols !== width) throw new NnError(`concatColumns: output must be ${first.rows}×${width}`);
  let start = 0;
  for (const part of parts) {
    if (part.rows !== first.rows) throw new NnError("concatColumns: all parts need the same number of rows");
    first.device.ops.copyColumns(part.rows, part.cols, part.pointer, part.cols, 0, target.pointer, width, start, false);
    start += part.cols;
  }
  return target;
}

/** dst (+)= src[:, start .. start + dst.cols) — the split of a concatenation's gradient. */
export function sliceColumns(src: Tensor, start: number, dst: Tensor, accumulate = false): Tensor {
  if (dst.rows !== src.rows || start < 0 || start + dst.cols > src.cols)
    throw new NnError(`sliceColumns: columns ${start}..${start + dst.cols} of a ${src.rows}×${src.cols} tensor do not fit a ${dst.rows}×${dst.cols} output`);
  src.device.ops.copyColumns(src.rows, dst.cols, src.pointer, src.cols, start, dst.pointer, dst.cols, 0, accumulate);
  return dst;
}

/** out[r] = table[indices[r]]: a batch from a device-resident data table (indices int32 1×rows). */
export function gatherRows(table: Tensor, indices: Tensor, out: Tensor): Tensor {
  if (indices.dtype !== "i32" || indices.size !== out.rows || out.cols !== table.cols)
    throw new NnError("gatherRows: indices must be int32 with one index per output row and widths equal");
  table.device.ops.gatherRows(out.rows, out.cols, table.pointer, indices.pointer, out.pointer);
  return out;
}

/** out[r] = one-hot(indices[r]) over out.cols columns (−1: a zero row). */
export function oneHot(indices: Tensor, out: Tensor): Tensor {
  if (indices.dtype !== "i32" || indices.size !== out.rows) throw new NnError("oneHot: indices must be int32, one per output row");
  out.device.ops.oneHot(out.rows, out.cols, indices.pointer, out.pointer);
  return out;
}

/** y += alpha x. */
export function addScaled(y: Tensor, x: Tensor, alpha = 1): Tensor {
  if (x.size !== y.size) throw new NnError("addScaled: tensors must have the same size");
  y.device.ops.axpy(y.size, alpha, x.pointer, y.pointer);
  return y;
}

/** A seeded Philox stream with a device-resident position (noise for the generator). */
export class RandomStream {
  readonly device: Device;
  readonly seed: bigint;
  readonly counter: DevicePointer;

  constructor(device: Device, seed: bigint | number) {
    this.device = device;
    this.seed = BigInt.asUintN(64, BigInt(seed));
    this.counter = device.counter(0n);
  }

  normal(out: Tensor, mean = 0, std = 1): Tensor {
    this.device.ops.normal(out.size, this.seed, this.counter, mean, std, out.pointer);
    return out;
  }

  uniform(out: Tensor, lo = 0, hi = 1): Tensor {
    this.device.ops.uniform(out.size, this.seed, this.counter, lo, hi, out.pointer);
    return out;
  }

  dispose(): void {
    this.device.ops.free(this.counter);
  }
}
