/**
 * The grace after a coordinator restart and the nodes' reconnect backoff are one rule: a node
 * whose backoff grew to its cap while the coordinator was down is back before it is declared
 * offline (issue: its finished result was refused and the job ran again).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { restartGraceSeconds, tunables } from "../proto/index.js";
import { ChunkStore } from "./chunk-store.js";
import { Coordinator } from "./coordinator.js";
import { SqliteJobStore } from "./sqlite-job-store.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-grace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("restart grace", () => {
  test("is longer than the nodes' reconnect backoff cap (plus their first calls), whatever the heartbeat interval", () => {
    // The node agent's backoff uses this cap (trainer/node-config.test.ts checks that side).
    const nodeCapSeconds = tunables.nodeReconnectCapSeconds;
    for (const interval of [tunables.minHeartbeatIntervalSeconds, tunables.heartbeatIntervalSeconds, tunables.maxHeartbeatIntervalSeconds]) {
      expect(restartGraceSeconds(interval)).toBeGreaterThanOrEqual(nodeCapSeconds + 2 * interval);
    }
  });

  test("a node the store knew as online stays online through the grace after a restart, then is declared offline", () => {
    const store = new SqliteJobStore(":memory:");
    let nowMs = 1_000_000;
    const interval = tunables.heartbeatIntervalSeconds;
    store.upsertNode({
      nodeId: "node-a",
      capacity: { nodeId: "node-a", gpus: [], cpuCores: 2, memoryBytes: 1 << 30, kinds: [], maxConcurrentTasks: 1 },
      versions: {},
      hostname: "h",
      hpcJob: "",
      heartbeatIntervalSeconds: interval,
      registeredTimeMs: nowMs - 60_000,
      lastSeenTimeMs: nowMs - 60_000,
      status: "online",
    });
    const coordinator = new Coordinator({ store, chunks: new ChunkStore(join(dir, "chunks"), 1 << 21), now: () => nowMs });
    coordinator.start();
    try {
      // Two missed heartbeats (the rule for a node that was heard from) are not enough after a restart...
      nowMs += (2 * interval + 1) * 1000;
      coordinator.sweep();
      expect(coordinator.nodes.get("node-a")).toBeDefined();
      // ...the node's longest backoff wait plus its first calls are.
      nowMs = 1_000_000 + restartGraceSeconds(interval) * 1000 - 1;
      coordinator.sweep();
      expect(coordinator.nodes.get("node-a")).toBeDefined();
      nowMs += 2;
      coordinator.sweep();
      expect(coordinator.nodes.get("node-a")).toBeUndefined();
      expect(store.getNode("node-a")?.status).toBe("offline");
    } finally {
      coordinator.stop();
      store.close();
    }
  });
});
