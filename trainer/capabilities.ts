/**
 * What a node offers the scheduler: GPUs (from the native kernels' device list), CPU cores,
 * memory, versions. Probed once at startup; a node whose kernels cannot load still serves
 * CPU-only jobs and says why in its log.
 */
import { availableParallelism, totalmem } from "node:os";

export interface GpuCapability {
  index: number;
  name: string;
  memoryBytes: number;
  computeCapability?: string;
}

export interface NodeCapabilities {
  gpus: GpuCapability[];
  cpuCores: number;
  memoryBytes: number;
  versions: Record<string, string>;
  /** Why no GPU is offered, when none is (no driver, kernels not built, …). */
  gpuUnavailableReason?: string;
}

interface KernelsDeviceModule {
  listDevices(): { devices: Array<{ kind: "cpu" | "cuda"; name: string; memoryBytes: number; computeCapability?: string }>; cudaUnavailableReason?: string };
  kernelsVersion(): string;
}

/** Loads the kernels facade lazily: a missing native build must not stop a CPU-only node. */
async function loadKernels(): Promise<KernelsDeviceModule | Error> {
  try {
    // The specifier is a variable so this file does not hard-depend on kernels/ at type level;
    // the facade's shape is pinned by KernelsDeviceModule above (the contract in kernels/index.ts).
    const specifier = "../kernels/index.js";
    return (await import(specifier)) as KernelsDeviceModule;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export async function probeCapabilities(options: { cpuCores?: number; agentVersion: string }): Promise<NodeCapabilities> {
  const versions: Record<string, string> = { datalab: options.agentVersion, nodejs: process.versions.node };
  const capabilities: NodeCapabilities = {
    gpus: [],
    cpuCores: options.cpuCores ?? availableParallelism(),
    memoryBytes: totalmem(),
    versions,
  };
  const kernels = await loadKernels();
  if (kernels instanceof Error) {
    capabilities.gpuUnavailableReason = `native kernels did not load (${kernels.message.split("\n")[0]}); run \`npm run build:kernels\``;
    return capabilities;
  }
  try {
    versions["kernels"] = kernels.kernelsVersion();
    const listed = kernels.listDevices();
    let index = 0;
    for (const device of listed.devices) {
      if (device.kind !== "cuda") continue;
      const gpu: GpuCapability = { index, name: device.name, memoryBytes: device.memoryBytes };
      if (device.computeCapability !== undefined) gpu.computeCapability = device.computeCapability;
      capabilities.gpus.push(gpu);
      index += 1;
    }
    if (capabilities.gpus.length === 0) capabilities.gpuUnavailableReason = listed.cudaUnavailableReason ?? "no CUDA device found";
  } catch (error) {
    capabilities.gpuUnavailableReason = `device probe failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return capabilities;
}

/** DATALAB_DEVICE=cpu hides GPUs from the scheduler as it hides them from the kernels. */
export function applyDeviceOverride(capabilities: NodeCapabilities, env: NodeJS.ProcessEnv): NodeCapabilities {
  if (env["DATALAB_DEVICE"] !== "cpu" || capabilities.gpus.length === 0) return capabilities;
  return { ...capabilities, gpus: [], gpuUnavailableReason: "DATALAB_DEVICE=cpu" };
}
