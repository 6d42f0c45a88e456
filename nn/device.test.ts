/**
 * The CUDA device: where the CUDA library cannot run, the first allocation fails with the
 * library's reason (never a silent CPU run); where it can, tensors round-trip through it.
 */
import { expect, test } from "vitest";
import { cudaUnavailableReason } from "../kernels/index.js";
import { Device } from "./device.js";

test("Device.open('cuda') allocates on a GPU or says why it cannot", () => {
  const reason = cudaUnavailableReason();
  if (reason !== undefined) {
    expect(() => Device.open("cuda").zeros(2, 2)).toThrow(/cuda/i);
    return;
  }
  const device = Device.open("cuda");
  const values = Float32Array.from([1, -2, 3.5, 4]);
  expect([...device.fromFloat32(values, 2, 2).download()]).toEqual([...values]);
});

test("tensor views and uploads check their shapes", () => {
  const device = Device.open("cpu");
  const t = device.zeros(4, 6);
  expect(t.view(2, 12).rows).toBe(2);
  expect(() => t.view(5, 5)).toThrow(/cannot be seen as 5×5/);
  expect(() => t.upload(new Float32Array(3))).toThrow(/3 values for a 4×6 tensor/);
  expect(() => t.upload(new Int32Array(24))).toThrow(/Float32Array/);
  t.rowSlice(1, 2).fill(7);
  expect([...t.download()].filter((v) => v === 7).length).toBe(12);
});
