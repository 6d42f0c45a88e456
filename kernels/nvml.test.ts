import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNvml } from "./nvml.js";
import { compileFakeNvml } from "./testing/fake-nvml.js";

// The real FFI path (koffi, struct layouts, out-parameters) against a stand-in library with
// NVML's exact signatures; on a GPU machine kernels/gpu-check reads the real driver.
describe("openNvml", () => {
  let dir = "";
  let fake = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fake-nvml-"));
    fake = compileFakeNvml(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads every GPU's utilisation, memory, temperature and power", () => {
    const nvml = openNvml({ DATALAB_NVML_LIBRARY: fake });
    if (!nvml.available) throw new Error(nvml.reason);
    const [first, second] = nvml.read();
    expect(first).toEqual({
      index: 0,
      uuid: "GPU-00000000-aaaa-bbbb-cccc-000000000000",
      name: "NVIDIA H200",
      utilizationRatio: 0.87,
      memoryUsedBytes: 120_000_000_000,
      memoryTotalBytes: 150_754_820_096,
      memoryFreeBytes: 30_754_820_096,
      temperatureCelsius: 71,
      powerWatts: 612.345,
    });
    expect(second?.name).toBe("NVIDIA H100 80GB HBM3");
    expect(second?.memoryUsedBytes).toBe(1_048_576);
    expect(second?.powerWatts).toBeCloseTo(70.5, 9);
    nvml.close();
    expect(nvml.read()).toEqual([]);
  });

  it("reports a missing library as unavailable, with the reason, instead of throwing", () => {
    const nvml = openNvml({ DATALAB_NVML_LIBRARY: join(dir, "absent.so") });
    expect(nvml.available).toBe(false);
    if (!nvml.available) expect(nvml.reason).toMatch(/NVML not found .*absent\.so/);
  });

  it("reports a library whose init fails as unusable with NVML's own message", () => {
    process.env["FAKE_NVML_FAIL_INIT"] = "1";
    try {
      const nvml = openNvml({ DATALAB_NVML_LIBRARY: fake });
      expect(nvml.available).toBe(false);
      if (!nvml.available) expect(nvml.reason).toMatch(/nvmlInit_v2 failed: Driver\/library version mismatch \(NVML 18\)/);
    } finally {
      delete process.env["FAKE_NVML_FAIL_INIT"];
    }
  });
});
