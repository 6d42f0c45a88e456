import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const buildScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "build.mjs");

describe("kernels/build.mjs", () => {
  it("exits 0 and reports both libraries as not built when no compiler is on PATH", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "datalab-build-"));
    const { stdout } = await run(process.execPath, [buildScript], { env: { PATH: "/nonexistent", DATALAB_KERNELS_BUILD_DIR: out } });
    expect(stdout).toMatch(/cpu library NOT BUILT: g\+\+ not found/);
    expect(stdout).toMatch(/cuda library NOT BUILT: nvcc not found/);
    const report = JSON.parse(readFileSync(path.join(out, "build-report.json"), "utf8"));
    expect(report.cpu.built).toBe(false);
    expect(report.cuda.built).toBe(false);
    expect(existsSync(path.join(out, "libdatalab_kernels_cpu.so"))).toBe(false);
  });

  it("the real build (run by npm install) produced the CPU library, and the CUDA one wherever nvcc exists", async () => {
    // Re-running is incremental: nothing is recompiled when the sources are unchanged.
    const { stdout } = await run(process.execPath, [buildScript], { maxBuffer: 1 << 24 });
    expect(stdout).toMatch(/cpu library ok/);
    let nvcc = true;
    try {
      await run("nvcc", ["--version"]);
    } catch {
      nvcc = false;
    }
    if (nvcc && process.env["DATALAB_SKIP_CUDA"] !== "1") expect(stdout).toMatch(/cuda library ok/);
    else expect(stdout).toMatch(/cuda library NOT BUILT/);
  });
});
