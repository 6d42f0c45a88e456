import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cudaUnavailableReason } from "./index.js";

/** The no-GPU cases cannot be produced on a machine with a working GPU: skipped there, with the reason printed. */
const cudaHere = cudaUnavailableReason() === undefined;
if (cudaHere) console.info("kernels/device.test.ts: a CUDA device is present, so the no-GPU fallback cases are skipped");

// Each case loads a fresh copy of the facade (vi.resetModules) so that DATALAB_DEVICE and
// DATALAB_KERNELS_DIR are read again, as in a new process.
async function freshKernels(env: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
  return import("./index.js");
}

const saved = { DATALAB_DEVICE: process.env["DATALAB_DEVICE"], DATALAB_KERNELS_DIR: process.env["DATALAB_KERNELS_DIR"] };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** True when this machine can run CUDA (then the fallback cases below do not apply). */
async function cudaWorksHere(): Promise<boolean> {
  const kernels = await freshKernels({ DATALAB_DEVICE: undefined, DATALAB_KERNELS_DIR: undefined });
  return kernels.cudaUnavailableReason() === undefined;
}

describe("device selection", () => {
  it("auto: uses CUDA when it can run, otherwise the CPU and says why", async () => {
    const cuda = await cudaWorksHere();
    const kernels = await freshKernels({ DATALAB_DEVICE: undefined });
    const selection = kernels.deviceSelection();
    expect(selection.backend.kind).toBe(cuda ? "cuda" : "cpu");
    if (!cuda) expect(selection.reason).toMatch(/^CPU fallback: /);
    expect(kernels.activeDevice().kind).toBe(selection.backend.kind);
    expect(kernels.kernelsVersion()).toMatch(/^datalab-kernels \d+\.\d+\.\d+ (cpu|cuda)$/);
    // The module-level functions run on the selected backend.
    const out = new Float64Array(8);
    kernels.philoxUniform(1n, 0n, out);
    expect(out.every((u) => u > 0 && u < 1)).toBe(true);
  });

  it.skipIf(cudaHere)("DATALAB_DEVICE=cuda without a usable GPU is an error that says what to do (never a silent CPU run)", async () => {
    const kernels = await freshKernels({ DATALAB_DEVICE: "cuda" });
    expect(() => kernels.philoxUniform(1n, 0n, new Float64Array(1))).toThrow(
      /DATALAB_DEVICE=cuda but CUDA cannot run here \(.+\); set DATALAB_DEVICE=cpu or auto/,
    );
    const listed = kernels.listDevices();
    expect(listed.devices.map((d) => d.kind)).toEqual(["cpu"]);
    expect(listed.cudaUnavailableReason).toBeTruthy();
  });

  it.skipIf(cudaHere)("the CUDA library, when built, loads on a machine without a GPU and reports no device", async () => {
    const kernels = await freshKernels({ DATALAB_DEVICE: undefined });
    let cuda: ReturnType<typeof kernels.backendFor>;
    try {
      cuda = kernels.backendFor("cuda");
    } catch (error) {
      // nvcc absent: the build skipped it and the facade says so.
      expect((error as Error).message).toMatch(/native cuda library not built.*run npm run build:kernels/);
      return;
    }
    expect(cuda.version()).toMatch(/cuda$/);
    expect(cuda.devices()).toEqual([]);
    expect(cuda.noDeviceReason()).not.toBe("");
    let caught: unknown;
    try {
      cuda.gemm(false, false, 1, 1, 1, 1, Float32Array.of(1), Float32Array.of(1), 0, new Float32Array(1));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(kernels.KernelError);
    expect((caught as { code?: number }).code).toBe(2); // DL_ERR_NO_DEVICE
    expect((caught as Error).message).toMatch(/no CUDA device/);
  });

  it("DATALAB_DEVICE=cpu forces the CPU; a bad value is rejected", async () => {
    const kernels = await freshKernels({ DATALAB_DEVICE: "cpu" });
    expect(kernels.activeDevice().kind).toBe("cpu");
    const bad = await freshKernels({ DATALAB_DEVICE: "tpu" });
    expect(() => bad.activeDevice()).toThrow(/DATALAB_DEVICE="tpu" is not a device: use cpu, cuda or auto/);
  });

  it("a missing library gives the 'not built: run npm run build:kernels' error at the first kernel call", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "datalab-kernels-"));
    const kernels = await freshKernels({ DATALAB_DEVICE: "cpu", DATALAB_KERNELS_DIR: empty });
    expect(() =>
      kernels.nearestNeighbors(
        { rows: 0, numeric: new Float64Array(0), categorical: new Int32Array(0) },
        { rows: 0, numeric: new Float64Array(0), categorical: new Int32Array(0) },
        { numericCount: 1, categoricalCount: 0, invRange: Float64Array.of(1), k: 1 },
      ),
    ).toThrow(/native cpu library not built: run npm run build:kernels/);
  });
});
