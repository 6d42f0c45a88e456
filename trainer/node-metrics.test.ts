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
      expect(text).toMatch(/datalab_node_gpu_info\{gpu="0",name="NVIDIA H100 80GB HBM3",memory_bytes="85000000000",uuid="GPU-1234",Hostname="gpu-node-7",hpc_job="4242"\} 1/);
      expect(text).toMatch(/datalab_node_task_duration_seconds_bucket\{le="0.25",Hostname="gpu-node-7",hpc_job="4242",kind="synthesis",outcome="succeeded"\} 1/);
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

  it("adds Hostname and hpc_job only when set", () => {
    expect(dcgmJoinLabels({})).toEqual({});
    expect(dcgmJoinLabels({ HOSTNAME: "h", SLURM_JOB_ID: "" })).toEqual({ Hostname: "h" });
  });
});
