import { describe, expect, it } from "vitest";
import type { JobKindName } from "../proto/index.js";
import { freeCapacity, type HeldResources, type NodeCapacity, placeDemand, type ResourceDemand, waitingReason } from "./scheduler.js";

const GiB = 1024 ** 3;

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference: try every subset of GPUs (brute force) for a feasible placement. */
function feasibleByBruteForce(demand: ResourceDemand, node: NodeCapacity, held: HeldResources[]): boolean {
  const cores = node.cpuCores - held.reduce((s, h) => s + Math.max(1, h.demand.cpuCores), 0);
  const memory = node.memoryBytes - held.reduce((s, h) => s + h.demand.memoryBytes, 0);
  if (held.length >= Math.max(1, node.maxConcurrentTasks) || Math.max(1, demand.cpuCores) > cores || demand.memoryBytes > memory) return false;
  const usable = node.gpus.filter((g) => {
    const onGpu = held.filter((h) => h.gpuIndexes.includes(g.index));
    if (onGpu.some((h) => h.demand.gpuMemoryBytes === 0)) return false;
    if (demand.gpuMemoryBytes === 0) return onGpu.length === 0;
    return g.memoryBytes - onGpu.reduce((s, h) => s + h.demand.gpuMemoryBytes, 0) >= demand.gpuMemoryBytes;
  });
  return usable.length >= demand.gpuCount;
}

describe("placeDemand", () => {
  it("agrees with a brute-force search on random nodes and demands, and never overcommits", () => {
    const random = rng(12345);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    for (let trial = 0; trial < 2000; trial++) {
      const gpuCount = pick([0, 0, 1, 2, 4]);
      const node: NodeCapacity = {
        nodeId: "n",
        gpus: Array.from({ length: gpuCount }, (_, index) => ({ index, name: "g", memoryBytes: pick([16, 24, 40, 80]) * GiB, uuid: "" })),
        cpuCores: pick([1, 2, 4, 16]),
        memoryBytes: pick([4, 16, 64]) * GiB,
        kinds: [],
        maxConcurrentTasks: pick([1, 2, 8]),
      };
      const randomDemand = (): ResourceDemand => ({
        gpuCount: node.gpus.length === 0 ? 0 : pick([0, 1, 1, 2]),
        gpuMemoryBytes: pick([0, 8, 20, 40]) * GiB,
        cpuCores: pick([0, 1, 2, 4]),
        memoryBytes: pick([0, 1, 8]) * GiB,
      });
      const held: HeldResources[] = [];
      // Fill the node with whatever fits, then ask for one more.
      for (let k = 0; k < 4; k++) {
        const d = randomDemand();
        const placed = placeDemand(d, "JOB_KIND_SYNTHESIS", node, freeCapacity(node, held));
        if ("gpuIndexes" in placed) held.push({ demand: d, gpuIndexes: placed.gpuIndexes });
      }
      const demand = randomDemand();
      const placed = placeDemand(demand, "JOB_KIND_SYNTHESIS", node, freeCapacity(node, held));
      expect("gpuIndexes" in placed, JSON.stringify({ node, held, demand })).toBe(feasibleByBruteForce(demand, node, held));
      if ("gpuIndexes" in placed) {
        expect(new Set(placed.gpuIndexes).size).toBe(demand.gpuCount);
        const after = freeCapacity(node, [...held, { demand, gpuIndexes: placed.gpuIndexes }]);
        expect(after.cpuCores).toBeGreaterThanOrEqual(0);
        expect(after.memoryBytes).toBeGreaterThanOrEqual(0);
        for (const free of after.gpuFreeBytes.values()) expect(free).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("keeps GPU jobs off CPU nodes and respects the node's kinds", () => {
    const cpu: NodeCapacity = { nodeId: "c", gpus: [], cpuCores: 8, memoryBytes: 8 * GiB, kinds: ["JOB_KIND_SAMPLE"], maxConcurrentTasks: 2 };
    const gpuJob = { gpuCount: 1, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 };
    expect(placeDemand(gpuJob, "JOB_KIND_SAMPLE", cpu, freeCapacity(cpu, []))).toEqual({ reason: "has 0 idle GPU(s), job needs 1" });
    const cpuJob = { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 };
    expect(placeDemand(cpuJob, "JOB_KIND_SYNTHESIS" as JobKindName, cpu, freeCapacity(cpu, []))).toEqual({ reason: "does not run JOB_KIND_SYNTHESIS" });
    expect(placeDemand(cpuJob, "JOB_KIND_SAMPLE", cpu, freeCapacity(cpu, []))).toEqual({ gpuIndexes: [] });
  });
});

describe("waitingReason", () => {
  const node: NodeCapacity = {
    nodeId: "n",
    gpus: [{ index: 0, name: "A100", memoryBytes: 40 * GiB, uuid: "" }],
    cpuCores: 4,
    memoryBytes: 16 * GiB,
    kinds: [],
    maxConcurrentTasks: 2,
  };
  it("says no node is connected, none can ever fit, or all capable ones are busy", () => {
    const demand = { gpuCount: 1, gpuMemoryBytes: 30 * GiB, cpuCores: 1, memoryBytes: 0 };
    expect(waitingReason(demand, "JOB_KIND_SYNTHESIS", [])).toMatch(/no node is connected/);
    expect(waitingReason({ ...demand, gpuCount: 2 }, "JOB_KIND_SYNTHESIS", [{ capacity: node, held: [] }])).toMatch(
      /no connected node can ever run it: it needs 1 core\(s\), 2 GPU\(s\) with 30 GiB each/,
    );
    expect(waitingReason(demand, "JOB_KIND_SYNTHESIS", [{ capacity: node, held: [{ demand, gpuIndexes: [0] }] }])).toMatch(/waiting for resources: 1 node/);
    expect(waitingReason(demand, "JOB_KIND_SYNTHESIS", [{ capacity: node, held: [] }])).toBe("");
  });
});

describe("live GPU memory from heartbeats", () => {
  const node = (live?: Map<number, number>): NodeCapacity => ({
    nodeId: "gpu01",
    gpus: [
      { index: 0, name: "H200", memoryBytes: 140 * GiB, uuid: "GPU-0" },
      { index: 1, name: "H200", memoryBytes: 140 * GiB, uuid: "GPU-1" },
    ],
    cpuCores: 16,
    memoryBytes: 128 * GiB,
    kinds: [],
    maxConcurrentTasks: 8,
    ...(live === undefined ? {} : { gpuLiveFreeBytes: live }),
  });
  const kind: JobKindName = "JOB_KIND_SYNTHESIS";

  it("offers the smaller of unclaimed and really free memory when jobs share GPUs by memory", () => {
    const demand: ResourceDemand = { gpuCount: 1, gpuMemoryBytes: 40 * GiB, cpuCores: 1, memoryBytes: 0 };
    // Another process holds 120 GiB of GPU 0; datalab's own accounting alone would put the job there.
    const live = node(
      new Map([
        [0, 20 * GiB],
        [1, 100 * GiB],
      ]),
    );
    expect(placeDemand(demand, kind, live, freeCapacity(live, []))).toEqual({ gpuIndexes: [1] });
    const full = node(
      new Map([
        [0, 20 * GiB],
        [1, 30 * GiB],
      ]),
    );
    expect(placeDemand(demand, kind, full, freeCapacity(full, []))).toEqual({ reason: "has 0 GPU(s) with 40 GiB free, job needs 1" });
    // Without live readings the registered capacity is all there is.
    expect(placeDemand(demand, kind, node(), freeCapacity(node(), []))).toEqual({ gpuIndexes: [0] });
  });

  it("needs the per-model estimate really free on a whole GPU, and says so when it waits", () => {
    const demand: ResourceDemand = { gpuCount: 1, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0, estimatedGpuMemoryBytes: 2 * GiB };
    const crowded = node(
      new Map([
        [0, 0.5 * GiB],
        [1, 1 * GiB],
      ]),
    );
    const placement = placeDemand(demand, kind, crowded, freeCapacity(crowded, []));
    expect(placement).toEqual({
      reason:
        "has 0 idle GPU(s) (GPU 0 has 512 MiB free now, GPU 1 has 1 GiB free now, other processes hold the rest; the job is estimated to need 2 GiB), job needs 1",
    });
    expect(waitingReason(demand, kind, [{ capacity: crowded, held: [] }])).toBe(
      "waiting for resources: 1 node(s) can run it once their current tasks finish; gpu01 has 0 idle GPU(s) (GPU 0 has 512 MiB free now, GPU 1 has 1 GiB free now, other processes hold the rest; the job is estimated to need 2 GiB), job needs 1",
    );
    const roomy = node(
      new Map([
        [0, 0.5 * GiB],
        [1, 3 * GiB],
      ]),
    );
    expect(placeDemand(demand, kind, roomy, freeCapacity(roomy, []))).toEqual({ gpuIndexes: [1] });
  });
});
