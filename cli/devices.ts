/**
 * `datalab devices [--json]`: the compute devices the native kernels can use, which one is
 * active, and why (DATALAB_DEVICE, a GPU being present, or the reason CUDA cannot run here).
 */
import { backendFor, deviceSelection, KernelError, listDevices } from "../kernels/index.js";
import { parseFlags } from "./parse-flags.js";

export const usage = [
  "usage: datalab devices [--json]",
  "",
  "Lists the devices the native kernels can run on and marks the active one.",
  "  --json   print one JSON object instead of a table",
  "The device is chosen by DATALAB_DEVICE=cpu|cuda|auto (default auto: CUDA when a GPU is usable).",
].join("\n");

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags("devices", argv, { json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "no arguments" });
  const listed = listDevices();
  let active: { kind: string; reason: string; version: string } | { error: string };
  try {
    const selection = deviceSelection();
    active = { kind: selection.backend.kind, reason: selection.reason, version: selection.backend.version() };
  } catch (error) {
    if (!(error instanceof KernelError)) throw error;
    active = { error: error.message };
  }
  let cublas: boolean | undefined;
  if (listed.cudaUnavailableReason === undefined) cublas = backendFor("cuda").gemmUsesCublas();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...listed, active, ...(cublas === undefined ? {} : { cublas }) }, null, 2)}\n`);
    return "error" in active ? 1 : 0;
  }
  const activeKind = "kind" in active ? active.kind : undefined;
  for (const device of listed.devices) {
    const mark = device.kind === activeKind ? "*" : " ";
    const cc = device.computeCapability ? `, compute capability ${device.computeCapability}` : "";
    process.stdout.write(`${mark} ${device.kind.padEnd(4)}  ${device.name}  (${gib(device.memoryBytes)}${cc})\n`);
  }
  if (listed.devices.length === 0) process.stdout.write("no devices: the native libraries are not built (run npm run build:kernels)\n");
  if (listed.cudaUnavailableReason !== undefined) process.stdout.write(`cuda: unavailable: ${listed.cudaUnavailableReason}\n`);
  else process.stdout.write(`cuda: GEMM via ${cublas ? "cuBLAS (loaded at run time)" : "own kernel (cuBLAS not found)"}\n`);
  if ("error" in active) {
    process.stderr.write(`datalab devices: ${active.error}\n`);
    return 1;
  }
  process.stdout.write(`active: ${active.kind} (${active.reason}); ${active.version}\n`);
  return 0;
}
