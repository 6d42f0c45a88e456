/**
 * Live GPU readings for this node's own GPUs: NVML's readings (kernels/nvml.ts) mapped to the
 * CUDA ordinals the node registered. NVML numbers every GPU on the machine in PCI bus order;
 * CUDA numbers the GPUs this process may use, in CUDA_DEVICE_ORDER, after CUDA_VISIBLE_DEVICES
 * (Slurm and Kubernetes set it to the GPUs they gave the job). The node runs with
 * CUDA_DEVICE_ORDER=PCI_BUS_ID (cli/node.ts sets it when unset), so ordinal i is the i-th entry
 * of CUDA_VISIBLE_DEVICES (an NVML index or a "GPU-…" UUID), or NVML index i when it is unset.
 */
import type { GpuReading } from "../kernels/index.js";

export interface NodeGpuReading extends GpuReading {
  /** The CUDA ordinal the node registered this GPU under (the scheduler's GPU index). */
  cudaIndex: number;
}

/** Maps readings of all the machine's GPUs to the node's CUDA ordinals; GPUs it may not use are left out. */
export function readingsForNode(readings: readonly GpuReading[], env: NodeJS.ProcessEnv): NodeGpuReading[] {
  const visible = env["CUDA_VISIBLE_DEVICES"];
  if (visible === undefined) return readings.map((reading) => ({ ...reading, cudaIndex: reading.index }));
  const entries = visible
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const mapped: NodeGpuReading[] = [];
  for (const [cudaIndex, entry] of entries.entries()) {
    const reading = /^\d+$/.test(entry) ? readings.find((r) => r.index === Number(entry)) : readings.find((r) => r.uuid === entry || r.uuid.startsWith(entry));
    // CUDA stops enumerating at the first entry it cannot resolve; so do we.
    if (reading === undefined) break;
    mapped.push({ ...reading, cudaIndex });
  }
  return mapped;
}
