/**
 * A 2-D float32 (or int32) matrix resident in a Device's memory (device memory on CUDA,
 * library-owned host memory on the CPU). Row-major. Host copies happen only in `upload` and
 * `download`; everything else stays on the device between steps.
 */
import type { DevicePointer } from "../kernels/index.js";
import type { Device } from "./device.js";
import { NnError } from "./errors.js";

export type TensorType = "f32" | "i32";

export class Tensor {
  readonly device: Device;
  readonly pointer: DevicePointer;
  readonly rows: number;
  readonly cols: number;
  readonly dtype: TensorType;
  /** False for views: disposing a view frees nothing. */
  private readonly owner: boolean;
  private disposed = false;

  constructor(device: Device, pointer: DevicePointer, rows: number, cols: number, dtype: TensorType, owner: boolean) {
    this.device = device;
    this.pointer = pointer;
    this.rows = rows;
    this.cols = cols;
    this.dtype = dtype;
    this.owner = owner;
  }

  get size(): number {
    return this.rows * this.cols;
  }

  get bytes(): number {
    return this.size * 4;
  }

  /** Copies host values in (length rows·cols). */
  upload(values: Float32Array | Int32Array): this {
    if (values.length !== this.size) throw new NnError(`upload: ${values.length} values for a ${this.rows}×${this.cols} tensor`);
    if ((this.dtype === "f32") !== values instanceof Float32Array)
      throw new NnError(`upload: a ${this.dtype} tensor needs ${this.dtype === "f32" ? "Float32Array" : "Int32Array"} values`);
    this.device.ops.upload(this.pointer, values, this.bytes);
    return this;
  }

  /** A host copy of the values (waits for pending device work). */
  download(): Float32Array {
    if (this.dtype !== "f32") throw new NnError("download: use downloadInt32 for an i32 tensor");
    const out = new Float32Array(this.size);
    this.device.ops.download(out, this.pointer, this.bytes);
    return out;
  }

  downloadInt32(): Int32Array {
    const out = new Int32Array(this.size);
    this.device.ops.download(out, this.pointer, this.bytes);
    return out;
  }

  /** The first value (a loss written by a loss op). */
  item(): number {
    const out = new Float32Array(1);
    this.device.ops.download(out, this.pointer, 4);
    return out[0] ?? Number.NaN;
  }

  /** The same memory seen as rows×cols (row-major reshape, e.g. PacGAN's pac rows into one). */
  view(rows: number, cols: number): Tensor {
    if (rows * cols !== this.size) throw new NnError(`view: ${this.rows}×${this.cols} cannot be seen as ${rows}×${cols}`);
    return new Tensor(this.device, this.pointer, rows, cols, this.dtype, false);
  }

  /** Rows [start, start + count) as a view (no copy). */
  rowSlice(start: number, count: number): Tensor {
    if (start < 0 || count < 0 || start + count > this.rows) throw new NnError(`rowSlice: rows ${start}..${start + count} outside ${this.rows}`);
    return new Tensor(this.device, this.device.ops.offset(this.pointer, start * this.cols * 4), count, this.cols, this.dtype, false);
  }

  fill(value: number): this {
    this.device.ops.fill(this.size, value, this.pointer);
    return this;
  }

  dispose(): void {
    if (!this.owner || this.disposed) return;
    this.disposed = true;
    this.device.ops.free(this.pointer);
  }
}
