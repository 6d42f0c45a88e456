/**
 * GPU telemetry from NVML (libnvidia-ml.so.1, part of the NVIDIA driver), loaded at run time
 * with koffi like cuBLAS is: a machine without the driver gets `{ available: false, reason }`,
 * never an exception. Only the read-only calls that dcgm-exporter's basic fields use are bound.
 * NVML numbers devices in PCI bus order, which is also dcgm-exporter's `gpu` label; the UUID is
 * what joins a reading to a CUDA device whatever CUDA_DEVICE_ORDER says.
 * API: https://docs.nvidia.com/deploy/nvml-api/ (nvmlDeviceGet* functions, NVML_SUCCESS = 0).
 */
import koffi from "koffi";

export interface GpuReading {
  /** NVML index (PCI bus order), dcgm-exporter's `gpu` label. */
  index: number;
  uuid: string;
  name: string;
  /** GPU busy share over NVML's last sample period, 0..1 (dcgm: DCGM_FI_DEV_GPU_UTIL / 100). */
  utilizationRatio: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  /** Core temperature (dcgm: DCGM_FI_DEV_GPU_TEMP). */
  temperatureCelsius: number;
  /** Board power draw (dcgm: DCGM_FI_DEV_POWER_USAGE), from NVML's milliwatts. */
  powerWatts: number;
}

export type NvmlStatus = { available: true; driverLibrary: string; read(): GpuReading[]; close(): void } | { available: false; reason: string };

/** Library names tried in order; DATALAB_NVML_LIBRARY names another file (tests, unusual installs). */
export function nvmlLibraryCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env["DATALAB_NVML_LIBRARY"];
  if (override) return [override];
  return ["libnvidia-ml.so.1", "libnvidia-ml.so"];
}

const NAME_BYTES = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
const UUID_BYTES = 80; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
const TEMPERATURE_GPU = 0; // NVML_TEMPERATURE_GPU

let structsDefined = false;

function defineStructs(): void {
  if (structsDefined) return;
  koffi.struct("nvmlUtilization_t", { gpu: "uint32_t", memory: "uint32_t" });
  koffi.struct("nvmlMemory_t", { total: "uint64_t", free: "uint64_t", used: "uint64_t" });
  structsDefined = true;
}

/** Opens NVML once; `read()` then takes a fresh reading of every GPU (a few µs per call). */
export function openNvml(env: NodeJS.ProcessEnv = process.env): NvmlStatus {
  let lib: ReturnType<typeof koffi.load> | undefined;
  let driverLibrary = "";
  const failures: string[] = [];
  for (const candidate of nvmlLibraryCandidates(env)) {
    try {
      lib = koffi.load(candidate);
      driverLibrary = candidate;
      break;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (lib === undefined) return { available: false, reason: `NVML not found (no NVIDIA driver on this machine?): ${failures.join("; ")}` };
  try {
    defineStructs();
    const errorString = lib.func("const char *nvmlErrorString(int result)");
    const init = lib.func("int nvmlInit_v2(void)");
    const shutdown = lib.func("int nvmlShutdown(void)");
    const count = lib.func("int nvmlDeviceGetCount_v2(_Out_ uint32_t *count)");
    const handleByIndex = lib.func("int nvmlDeviceGetHandleByIndex_v2(uint32_t index, _Out_ void **device)");
    const getName = lib.func("int nvmlDeviceGetName(void *device, _Out_ uint8_t *name, uint32_t length)");
    const getUuid = lib.func("int nvmlDeviceGetUUID(void *device, _Out_ uint8_t *uuid, uint32_t length)");
    const getUtilization = lib.func("int nvmlDeviceGetUtilizationRates(void *device, _Out_ nvmlUtilization_t *utilization)");
    const getMemory = lib.func("int nvmlDeviceGetMemoryInfo(void *device, _Out_ nvmlMemory_t *memory)");
    const getTemperature = lib.func("int nvmlDeviceGetTemperature(void *device, int sensor, _Out_ uint32_t *temperature)");
    const getPower = lib.func("int nvmlDeviceGetPowerUsage(void *device, _Out_ uint32_t *milliwatts)");
    const check = (what: string, code: number) => {
      if (code !== 0) throw new Error(`${what} failed: ${String(errorString(code))} (NVML ${code})`);
    };
    check("nvmlInit_v2", init() as number);
    const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8").replace(/\0.*$/s, "");
    let open = true;
    const read = (): GpuReading[] => {
      if (!open) return [];
      const n = [0];
      check("nvmlDeviceGetCount_v2", count(n) as number);
      const readings: GpuReading[] = [];
      for (let index = 0; index < (n[0] ?? 0); index++) {
        const handle: unknown[] = [null];
        check(`nvmlDeviceGetHandleByIndex_v2(${index})`, handleByIndex(index, handle) as number);
        const device = handle[0];
        const name = new Uint8Array(NAME_BYTES);
        const uuid = new Uint8Array(UUID_BYTES);
        check("nvmlDeviceGetName", getName(device, name, NAME_BYTES) as number);
        check("nvmlDeviceGetUUID", getUuid(device, uuid, UUID_BYTES) as number);
        const utilization = { gpu: 0, memory: 0 };
        check("nvmlDeviceGetUtilizationRates", getUtilization(device, utilization) as number);
        const memory = { total: 0, free: 0, used: 0 };
        check("nvmlDeviceGetMemoryInfo", getMemory(device, memory) as number);
        const temperature = [0];
        check("nvmlDeviceGetTemperature", getTemperature(device, TEMPERATURE_GPU, temperature) as number);
        const milliwatts = [0];
        check("nvmlDeviceGetPowerUsage", getPower(device, milliwatts) as number);
        readings.push({
          index,
          uuid: text(uuid),
          name: text(name),
          utilizationRatio: utilization.gpu / 100,
          memoryUsedBytes: Number(memory.used),
          memoryTotalBytes: Number(memory.total),
          memoryFreeBytes: Number(memory.free),
          temperatureCelsius: temperature[0] ?? 0,
          powerWatts: (milliwatts[0] ?? 0) / 1000,
        });
      }
      return readings;
    };
    read(); // fail now, not at the first scrape, when the driver answers but a call does not
    return {
      available: true,
      driverLibrary,
      read,
      close() {
        if (open) shutdown();
        open = false;
      },
    };
  } catch (error) {
    return { available: false, reason: `NVML present (${driverLibrary}) but unusable: ${(error as Error).message}` };
  }
}
