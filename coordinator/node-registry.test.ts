import { describe, expect, it } from "vitest";
import type { NodeRecord } from "./job-store.js";
import { NodeRegistry } from "./node-registry.js";

const record: NodeRecord = {
  nodeId: "gpu01",
  capacity: {
    nodeId: "gpu01",
    gpus: [{ index: 0, name: "H200", memoryBytes: 100, uuid: "GPU-0" }],
    cpuCores: 4,
    memoryBytes: 1000,
    kinds: [],
    maxConcurrentTasks: 1,
  },
  versions: {},
  hostname: "gpu01",
  hpcJob: "",
  heartbeatIntervalSeconds: 5,
  registeredTimeMs: 0,
  lastSeenTimeMs: 0,
  status: "online",
};

describe("NodeRegistry live GPU memory", () => {
  it("adds heartbeat readings of registered GPUs to the capacity the scheduler sees", () => {
    const registry = new NodeRegistry();
    registry.add(record, 0);
    const live = registry.get("gpu01")!;
    expect(registry.capacityOf(live)).toBe(record.capacity); // nothing reported yet
    registry.noteGpuMemory("gpu01", [
      { index: 0, freeBytes: 40 },
      { index: 7, freeBytes: 99 }, // not registered: ignored
    ]);
    expect(registry.capacityOf(live).gpuLiveFreeBytes).toEqual(new Map([[0, 40]]));
    registry.noteGpuMemory("absent", [{ index: 0, freeBytes: 1 }]); // not connected: no effect, no throw
  });
});
