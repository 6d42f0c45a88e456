/**
 * Which library runs the kernels. `DATALAB_DEVICE` = `cpu` | `cuda` | `auto` (default):
 *  - auto: the CUDA library when it is built, loads and sees a GPU; otherwise the CPU library,
 *    and `deviceSelection().reason` says why CUDA was not used (no silent surprise);
 *  - cuda: CUDA or a KernelError at the first kernel call (an explicit request is never
 *    downgraded to a CPU run that could take hours);
 *  - cpu: the CPU library, even when a GPU is present.
 */
import { KernelBackend } from "./backend.js";
import { KernelError } from "./errors.js";
import { type BackendKind, loadNativeLibrary } from "./native-library.js";
import type { DeviceInfo } from "./types.js";

export type DevicePreference = BackendKind | "auto";

export interface DeviceSelection {
  backend: KernelBackend;
  preference: DevicePreference;
  /** One line: why this backend was chosen. */
  reason: string;
}

const backends = new Map<BackendKind, KernelBackend>();
let selection: DeviceSelection | undefined;
let preferenceOverride: DevicePreference | undefined;

/** The backend of `kind`, loaded once; throws KernelError when its library is missing. */
export function backendFor(kind: BackendKind): KernelBackend {
  const existing = backends.get(kind);
  if (existing) return existing;
  const lib = loadNativeLibrary(kind);
  if (lib instanceof KernelError) throw lib;
  const backend = new KernelBackend(lib);
  backends.set(kind, backend);
  return backend;
}

/** Why the CUDA backend cannot run here, or undefined when it can. */
export function cudaUnavailableReason(): string | undefined {
  let cuda: KernelBackend;
  try {
    cuda = backendFor("cuda");
  } catch (error) {
    return (error as Error).message;
  }
  const devices = cuda.devices();
  if (devices.length > 0) return undefined;
  return `no CUDA device: ${cuda.noDeviceReason() || "the CUDA runtime reports 0 devices"}`;
}

function preferenceFromEnvironment(): DevicePreference {
  const raw = (process.env["DATALAB_DEVICE"] ?? "auto").trim().toLowerCase();
  if (raw === "" || raw === "auto") return "auto";
  if (raw === "cpu" || raw === "cuda") return raw;
  throw new KernelError(`DATALAB_DEVICE="${raw}" is not a device: use cpu, cuda or auto`);
}

/** Chooses (once) and returns the backend that the module-level kernel functions use. */
export function deviceSelection(): DeviceSelection {
  if (selection) return selection;
  const preference = preferenceOverride ?? preferenceFromEnvironment();
  if (preference === "cpu") {
    selection = { backend: backendFor("cpu"), preference, reason: "DATALAB_DEVICE=cpu" };
  } else {
    const unavailable = cudaUnavailableReason();
    if (unavailable === undefined) {
      selection = { backend: backendFor("cuda"), preference, reason: preference === "cuda" ? "DATALAB_DEVICE=cuda" : "a CUDA device is present" };
    } else if (preference === "cuda") {
      throw new KernelError(`DATALAB_DEVICE=cuda but CUDA cannot run here (${unavailable}); set DATALAB_DEVICE=cpu or auto to use the CPU`);
    } else {
      selection = { backend: backendFor("cpu"), preference, reason: `CPU fallback: ${unavailable}` };
    }
  }
  return selection;
}

/** Overrides DATALAB_DEVICE for this process (undefined: back to the environment). */
export function useDevice(preference: DevicePreference | undefined): void {
  preferenceOverride = preference;
  selection = undefined;
}

/** The device the kernels run on. */
export function activeDevice(): DeviceInfo {
  const { backend } = deviceSelection();
  const first = backend.devices()[0];
  if (first === undefined) throw new KernelError(`the ${backend.kind} library reports no device`);
  return first;
}

/** Every device either library can drive, and why CUDA is unavailable when it is. */
export function listDevices(): { devices: DeviceInfo[]; cudaUnavailableReason?: string } {
  const devices: DeviceInfo[] = [];
  try {
    devices.push(...backendFor("cpu").devices());
  } catch {
    // The CPU library not being built is reported by the kernels themselves.
  }
  const reason = cudaUnavailableReason();
  if (reason === undefined) devices.push(...backendFor("cuda").devices());
  return reason === undefined ? { devices } : { devices, cudaUnavailableReason: reason };
}

/** Version string of the active library ("datalab-kernels 0.1.0 cpu"). */
export function kernelsVersion(): string {
  return deviceSelection().backend.version();
}
