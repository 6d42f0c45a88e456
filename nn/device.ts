/**
 * The device an nn model lives on: the CPU or CUDA library of kernels/ (DATALAB_DEVICE picks it,
 * as for every kernel). Allocates tensors, random-number counters and scalars.
 */
import { type BackendKind, type DevicePointer, deviceSelection, type NnOps, nnOpsFor } from "../kernels/index.js";
import { NnError } from "./errors.js";
import { Tensor } from "./tensor.js";

/** A captured training step: `launch` replays it on the device's stream. */
export interface CapturedGraph {
  launch(): void;
  dispose(): void;
}

export class Device {
  readonly kind: BackendKind;
  readonly ops: NnOps;

  private constructor(kind: BackendKind) {
    this.kind = kind;
    this.ops = nnOpsFor(kind);
  }

  private static cache = new Map<BackendKind, Device>();

  /** The device of `kind`, or the one kernels/ selected (DATALAB_DEVICE=cpu|cuda|auto). */
  static open(kind?: BackendKind): Device {
    const chosen = kind ?? deviceSelection().backend.kind;
    let device = Device.cache.get(chosen);
    if (!device) {
      device = new Device(chosen);
      Device.cache.set(chosen, device);
    }
    return device;
  }

  /** A zero-filled rows×cols tensor. */
  zeros(rows: number, cols: number, dtype: "f32" | "i32" = "f32"): Tensor {
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0)
      throw new NnError(`tensor shape must be non-negative integers, got ${rows}×${cols}`);
    return new Tensor(this, this.ops.alloc(rows * cols * 4), rows, cols, dtype, true);
  }

  fromFloat32(values: Float32Array, rows: number, cols: number): Tensor {
    return this.zeros(rows, cols).upload(values);
  }

  fromInt32(values: Int32Array, rows: number, cols: number): Tensor {
    return this.zeros(rows, cols, "i32").upload(values);
  }

  /** A random-stream position (uint64 in device memory) starting at `start`. */
  counter(start = 0n): DevicePointer {
    const pointer = this.ops.alloc(8);
    this.ops.upload(pointer, new BigUint64Array([BigInt.asUintN(64, start)]), 8);
    return pointer;
  }

  /**
   * CUDA: records the device work `step` enqueues (no host copies inside, shapes already
   * allocated by an eager run) as one CUDA graph and returns its replay; random counters and
   * AdamW's step count live in device memory, so each replay draws fresh numbers. The CPU
   * library has no graphs: an NnError says so (run the step eagerly there).
   */
  captureGraph(step: () => void): CapturedGraph {
    if (this.kind !== "cuda") throw new NnError("captureGraph needs the CUDA device; on the CPU run the step eagerly");
    const ops = this.ops;
    ops.graphBegin();
    let failure: unknown;
    try {
      step();
    } catch (error) {
      failure = error;
    }
    // The capture is always ended, so the stream is usable again after a failed step.
    const id = ops.graphEnd();
    if (failure !== undefined) {
      ops.graphDestroy(id);
      throw failure;
    }
    return {
      launch: () => ops.graphLaunch(id),
      dispose: () => ops.graphDestroy(id),
    };
  }

  /** Waits for the device's queued work (CUDA); a no-op on the CPU. */
  synchronize(): void {
    this.ops.synchronize();
  }
}
