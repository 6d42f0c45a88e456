import { describe, expect, it } from "vitest";
import { CoordinatorMetrics } from "./metrics.js";

const source = (oldestQueuedTimeMs: number | undefined) => ({
  jobsByState: () => new Map([["JOB_STATE_QUEUED" as const, 3]]),
  oldestQueuedTimeMs: () => oldestQueuedTimeMs,
  nodesConnected: () => 1,
  gpusRegistered: () => 0,
  gpusInUse: () => 0,
});

describe("CoordinatorMetrics", () => {
  it("names every series per Prometheus conventions: _total exactly on counters", async () => {
    const metrics = new CoordinatorMetrics(source(undefined), { version: "9.9.9" });
    const names: string[] = [];
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      names.push(metric.name);
      expect(metric.name, metric.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(metric.name.endsWith("_total"), `${metric.name} is a ${metric.type}`).toBe(String(metric.type) === "counter");
    }
    expect(names).toContain("datalab_chunks_removed_bytes_total");
    expect(await metrics.registry.metrics()).toMatch(/datalab_build_info\{version="9.9.9",nodejs_version="v\d+/);
  });

  it("reports how long the oldest queued job has waited, 0 for an empty queue", async () => {
    const empty = new CoordinatorMetrics(source(undefined), { version: "1" });
    expect(await empty.registry.metrics()).toMatch(/^datalab_queue_oldest_job_wait_seconds 0$/m);
    const waiting = new CoordinatorMetrics(source(Date.now() - 90_000), { version: "1" });
    const match = /^datalab_queue_oldest_job_wait_seconds ([\d.]+)$/m.exec(await waiting.registry.metrics());
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(90);
    expect(Number(match?.[1])).toBeLessThan(100);
  });
});
