/**
 * Builds kernels/testing/fake_nvml.c into a shared library named like the driver's
 * (libnvidia-ml.so.1) for tests on machines without an NVIDIA driver; point
 * DATALAB_NVML_LIBRARY at the returned path.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export function compileFakeNvml(dir: string): string {
  const library = join(dir, "libnvidia-ml.so.1");
  execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", library, join(import.meta.dirname, "fake_nvml.c")]);
  return library;
}
