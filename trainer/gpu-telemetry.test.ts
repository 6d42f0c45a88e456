import { describe, expect, it } from "vitest";
import type { GpuReading } from "../kernels/index.js";
import { readingsForNode } from "./gpu-telemetry.js";

const reading = (index: number): GpuReading => ({
  index,
  uuid: `GPU-${index}${index}${index}-aaaa`,
  name: "NVIDIA H200",
  utilizationRatio: index / 10,
  memoryUsedBytes: index,
  memoryTotalBytes: 100,
  memoryFreeBytes: 100 - index,
  temperatureCelsius: 40,
  powerWatts: 100,
});
const all = [0, 1, 2, 3].map(reading);

describe("readingsForNode", () => {
  it("keeps every GPU with CUDA ordinal = NVML index when CUDA_VISIBLE_DEVICES is unset", () => {
    expect(readingsForNode(all, {}).map((r) => [r.cudaIndex, r.index])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("follows CUDA_VISIBLE_DEVICES given as indexes (Slurm's --gpus-per-task)", () => {
    expect(readingsForNode(all, { CUDA_VISIBLE_DEVICES: "3,1" }).map((r) => [r.cudaIndex, r.index])).toEqual([
      [0, 3],
      [1, 1],
    ]);
  });

  it("follows CUDA_VISIBLE_DEVICES given as (prefixes of) UUIDs, and stops at an unknown entry as CUDA does", () => {
    expect(readingsForNode(all, { CUDA_VISIBLE_DEVICES: "GPU-222,GPU-999,GPU-000" }).map((r) => [r.cudaIndex, r.index])).toEqual([[0, 2]]);
  });

  it("offers no GPU for an empty CUDA_VISIBLE_DEVICES", () => {
    expect(readingsForNode(all, { CUDA_VISIBLE_DEVICES: "" })).toEqual([]);
  });
});
