import { afterAll, describe, expect, it } from "vitest";
import { startCluster } from "../service-tests/cluster.js";
import { freePort, TestProcesses } from "../service-tests/process-harness.js";

const processes = new TestProcesses();
afterAll(() => processes.cleanup());

async function health(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = processes.start("health", ["health", ...args]);
  const { code } = await child.exited;
  return { code, output: child.lines.join("\n") };
}

describe("datalab health", () => {
  it("exits 0 for a serving coordinator over TLS, 1 for one that does not answer", async () => {
    const cluster = await startCluster(processes, { nodes: [] });
    expect(await health(["--coordinator", cluster.address, "--tls-dir", cluster.tlsDir])).toEqual({ code: 0, output: `${cluster.address}: SERVING` });
    const named = await health(["--coordinator", cluster.address, "--tls-dir", cluster.tlsDir, "--service", "datalab.v1.NodeService"]);
    expect(named.code).toBe(0);
    const closed = await health(["--coordinator", `127.0.0.1:${await freePort()}`, "--tls-dir", cluster.tlsDir, "--timeout-seconds", "1"]);
    expect(closed.code).toBe(1);
    expect(closed.output).toMatch(/did not answer/);
    const wrongCa = await health(["--coordinator", cluster.address, "--ca", "/nonexistent/ca.crt"]);
    expect(wrongCa).toMatchObject({ code: 2 });
    expect(wrongCa.output).toMatch(/cannot read the CA certificate \/nonexistent\/ca.crt/);
  }, 60_000);
});
