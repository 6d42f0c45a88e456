import { afterEach, describe, expect, it, vi } from "vitest";

const saved = process.env["DATALAB_DEVICE"];
afterEach(() => {
  if (saved === undefined) delete process.env["DATALAB_DEVICE"];
  else process.env["DATALAB_DEVICE"] = saved;
  vi.restoreAllMocks();
});

async function runDevices(argv: string[], device?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  if (device === undefined) delete process.env["DATALAB_DEVICE"];
  else process.env["DATALAB_DEVICE"] = device;
  vi.resetModules();
  const { run } = await import("./devices.js");
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await run(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe("datalab devices", () => {
  it("lists the CPU, marks the active device and says why", async () => {
    const { code, stdout } = await runDevices([]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[* ] cpu {2}.+\(\d+\.\d GiB\)$/m);
    expect(stdout).toMatch(/^active: (cpu|cuda) \(.+\); datalab-kernels \d+\.\d+\.\d+ (cpu|cuda)$/m);
  });

  it("--json gives the device list, the CUDA status and the active backend", async () => {
    const { code, stdout } = await runDevices(["--json"], "cpu");
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.devices[0].kind).toBe("cpu");
    expect(parsed.active).toMatchObject({ kind: "cpu", reason: "DATALAB_DEVICE=cpu" });
  });

  it("explains an impossible DATALAB_DEVICE=cuda and exits 1", async () => {
    const probe = await runDevices(["--json"]);
    if (JSON.parse(probe.stdout).cudaUnavailableReason === undefined) return; // a GPU is usable here
    const { code, stderr } = await runDevices([], "cuda");
    expect(code).toBe(1);
    expect(stderr).toMatch(/DATALAB_DEVICE=cuda but CUDA cannot run here/);
  });

  it("rejects positional arguments as a usage error", async () => {
    await expect(runDevices(["gpu0"])).rejects.toThrow(/expected no arguments/);
  });
});
