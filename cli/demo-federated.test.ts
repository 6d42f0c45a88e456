/**
 * `datalab demo --federated --json` end to end: three holder sidecars and a coordinator as
 * child processes, FedAvg and DP-FedAvg both succeed, FedAvg lands within 2 points of pooled
 * training, and DP-FedAvg reports ε ≤ 3 and its round times.
 */
import { afterAll, describe, expect, it } from "vitest";
import { TestProcesses } from "../service-tests/process-harness.js";

const processes = new TestProcesses();
afterAll(() => processes.cleanup());

interface DemoRun {
  label: string;
  state: string;
  accuracy: number;
  epsilon: number;
  rounds: number;
  lastRoundSeconds: number;
}

describe("datalab demo --federated", () => {
  it("trains FedAvg and DP-FedAvg over three sidecars and prints accuracy, ε and round times", async () => {
    const out = await processes.tempDir("demo-federated");
    const demo = processes.start("demo", ["demo", "--federated", "--json", "--out", out]);
    const { code } = await demo.exited;
    const start = demo.lines.indexOf("{");
    expect(code, demo.lines.slice(-20).join("\n")).toBe(0);
    const summary = JSON.parse(
      demo.lines
        .slice(start)
        .join("\n")
        .slice(0, demo.lines.slice(start).join("\n").lastIndexOf("}") + 1),
    ) as {
      pooledAccuracy: number;
      runs: DemoRun[];
    };
    const [fedavg, dp] = summary.runs;
    expect(summary.pooledAccuracy).toBeGreaterThan(0.84);
    expect(fedavg).toMatchObject({ label: "FedAvg", state: "SUCCEEDED", rounds: 40, epsilon: 0 });
    expect(fedavg?.accuracy).toBeGreaterThan(summary.pooledAccuracy - 0.02);
    expect(dp).toMatchObject({ label: "DP-FedAvg", state: "SUCCEEDED", rounds: 10 });
    expect(dp?.epsilon).toBeGreaterThan(0);
    expect(dp?.epsilon).toBeLessThanOrEqual(3);
    expect(dp?.lastRoundSeconds).toBeGreaterThan(0);
  }, 170_000);
});
