/** Per-layer scratch tensors sized for the batch: reallocated only when the row count changes. */
import type { Device } from "./device.js";
import type { Tensor } from "./tensor.js";

export class BatchBuffers {
  private readonly device: Device;
  private readonly tensors = new Map<string, Tensor>();

  constructor(device: Device) {
    this.device = device;
  }

  /** The rows×cols tensor named `name`, reused while the shape stays the same. */
  get(name: string, rows: number, cols: number): Tensor {
    const existing = this.tensors.get(name);
    if (existing && existing.rows === rows && existing.cols === cols) return existing;
    existing?.dispose();
    const tensor = this.device.zeros(rows, cols);
    this.tensors.set(name, tensor);
    return tensor;
  }

  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    this.tensors.clear();
  }
}
