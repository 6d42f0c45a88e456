import { describe, expect, it } from "vitest";
import { dcgmJoinLabels, NodeMetrics } from "./node-metrics.js";

describe("NodeMetrics", () => {
  it("serves Prometheus text with dcgm-joinable labels, GPU info and task histograms", async () => {
    const metrics = new NodeMetrics({
      nodeVersion: "0.1.0",
      gpus: [{ index: 0, name: "NVIDIA H100 80GB HBM3", memoryBytes: 85_000_000_000, uuid: "GPU-1234" }],
      env: { HOSTNAME: "gpu-node-7", SLURM_JOB_ID: "4242" },
    });
    metrics.taskDurationSeconds.observe({ kind: "synthesis", outcome: "succeeded" }, 0.2);
    metrics.tasksTotal.inc({ kind: "synthesis", outcome: "succeeded" });
    metrics.inputCacheBytes = () => 12_345; // read at scrape time
    const { host, port } = await metrics.listen("127.0.0.1", 0);
    try {
      const response = await fetch(`http://${host}:${port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(
        /datalab_node_gpu_info\{gpu="0",name="NVIDIA H100 80GB HBM3",memory_bytes="85000000000",uuid="GPU-1234",Hostname="gpu-node-7",hpc_job="4242"\} 1/,
      );
      expect(text).toMatch(
        /datalab_node_task_duration_seconds_bucket\{le="0.25",Hostname="gpu-node-7",hpc_job="4242",kind="synthesis",outcome="succeeded"\} 1/,
      );
      expect(text).toMatch(/datalab_node_tasks_total\{kind="synthesis",outcome="succeeded".*\} 1/);
      expect(text).toContain("datalab_node_tasks_running");
      expect(text).toMatch(/datalab_node_input_cache_bytes\{[^}]*\} 12345\n/);
      expect(text).toContain("process_resident_memory_bytes");
      expect(text).toContain("nodejs_eventloop_lag_seconds");
      expect((await fetch(`http://${host}:${port}/other`)).status).toBe(404);
    } finally {
      await metrics.close();
    }
  });

  it("serves per-GPU telemetry at scrape time, and no GPU series without readings", async () => {
    const metrics = new NodeMetrics({ nodeVersion: "0.1.0", gpus: [], env: {} });
    expect(await metrics.registry.metrics()).not.toMatch(/^datalab_node_gpu_utilization_ratio\{/m);
    let utilization = 0.5;
    metrics.gpuReadings = () => [
      {
        index: 2,
        cudaIndex: 0,
        uuid: "GPU-abc",
        name: "NVIDIA H200",
        utilizationRatio: utilization,
        memoryUsedBytes: 1024,
        memoryTotalBytes: 4096,
        memoryFreeBytes: 3072,
        temperatureCelsius: 61,
        powerWatts: 450.5,
      },
    ];
    metrics.tasksPerGpu = () => new Map([[0, 2]]);
    await new Promise((resolve) => setTimeout(resolve, 250)); // past the per-scrape cache
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^datalab_node_gpu_utilization_ratio\{gpu="0",UUID="GPU-abc"\} 0.5$/m);
    expect(text).toMatch(/^datalab_node_gpu_memory_used_bytes\{gpu="0",UUID="GPU-abc"\} 1024$/m);
    expect(text).toMatch(/^datalab_node_gpu_memory_total_bytes\{gpu="0",UUID="GPU-abc"\} 4096$/m);
    expect(text).toMatch(/^datalab_node_gpu_temperature_celsius\{gpu="0",UUID="GPU-abc"\} 61$/m);
    expect(text).toMatch(/^datalab_node_gpu_power_watts\{gpu="0",UUID="GPU-abc"\} 450.5$/m);
    expect(text).toMatch(/^datalab_node_gpu_tasks\{gpu="0"\} 2$/m);
    utilization = 0.25; // a later scrape reads again
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await metrics.registry.metrics()).toMatch(/^datalab_node_gpu_utilization_ratio\{gpu="0",UUID="GPU-abc"\} 0.25$/m);
  });

  it("names every series per Prometheus conventions: _total exactly on counters", async () => {
    const metrics = new NodeMetrics({ nodeVersion: "0.1.0", gpus: [], env: {} });
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      expect(metric.name, metric.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(metric.name.endsWith("_total"), `${metric.name} is a ${metric.type}`).toBe(String(metric.type) === "counter");
    }
    expect(await metrics.registry.metrics()).toMatch(/datalab_node_build_info\{version="0.1.0",nodejs_version="v\d+/);
  });

  it("adds Hostname and hpc_job only when set", () => {
    expect(dcgmJoinLabels({})).toEqual({});
    expect(dcgmJoinLabels({ HOSTNAME: "h", SLURM_JOB_ID: "" })).toEqual({ Hostname: "h" });
  });
});
