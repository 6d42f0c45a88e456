import { describe, expect, it } from "vitest";
import { RoundCollector, type RoundTask } from "./round-collector.js";
import type { AcceptedUpdate } from "./round-store.js";
import { inMemoryUpdate, StreamingUpdateSum } from "./streaming-sum.js";

const n = 4099;
const holders = Array.from({ length: 11 }, (_, i) => `h${String(i).padStart(2, "0")}`);

function values(holder: string): Float32Array {
  const k = holders.indexOf(holder) + 1;
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) * 0.1 * k + 1e-7 * i);
}

function update(holder: string): AcceptedUpdate {
  return {
    taskId: `job-x/r1/${holder}`,
    jobId: "job-x",
    round: 1,
    retry: 0,
    holderId: holder,
    manifest: { name: holder, mediaType: "", sizeBytes: n * 4, sha256: "", chunks: [] },
    exampleCount: 10 + holders.indexOf(holder),
    participantCount: 1,
    unclippedCount: 1,
    localLoss: 0,
    receivedTimeMs: 0,
  };
}

/** Runs a round with arrivals in `order` (and `missing` never arriving); returns the sum and what was filled when. */
async function collect(order: readonly string[], missing: readonly string[] = []) {
  const sum = new StreamingUpdateSum(n, { clipNorm: 0, poisonNormLimit: Infinity, batchSize: 3, windowValues: 1000 });
  const tasks: RoundTask[] = holders.map((holderId) => ({ taskId: `job-x/r1/${holderId}`, holderId, leaseId: "l", state: "leased" }));
  const collector = new RoundCollector(tasks, sum, (u) => inMemoryUpdate(values(u.holderId), u.exampleCount));
  for (const holder of order) if (!missing.includes(holder)) await collector.arrive(update(holder));
  const round = await collector.close();
  return { total: Float32Array.from(sum.sum), round, heldBytes: sum.heldBytes, weight: sum.totalWeight, collectorPeak: collector.peakInMemory };
}

describe("RoundCollector", () => {
  it("sums in holder order and fixed groups: any arrival order gives the same bits", async () => {
    const forward = await collect(holders);
    const backward = await collect([...holders].reverse());
    const shuffled = await collect(["h05", "h09", "h00", "h03", "h10", "h01", "h07", "h02", "h08", "h04", "h06"]);
    expect(Array.from(backward.total)).toEqual(Array.from(forward.total));
    expect(Array.from(shuffled.total)).toEqual(Array.from(forward.total));
    // and it is the weighted sum (float64 reference)
    for (let i = 0; i < n; i += 97) {
      const expected = holders.reduce((s, h) => s + update(h).exampleCount * (values(h)[i] as number), 0);
      expect(forward.total[i]).toBeCloseTo(expected, 4);
    }
    expect(forward.round.summed.map((u) => u.holderId)).toEqual(holders);
  });

  it("never sums more updates together than its batch size, whatever the arrival order", async () => {
    for (const order of [holders, [...holders].reverse()]) {
      // Updates are read a window at a time, 3 at once; the sum's buffers are S and 3 windows.
      const { collectorPeak, heldBytes } = await collect(order);
      expect(collectorPeak).toBeLessThanOrEqual(3);
      expect(heldBytes).toBe((n + 3 * 1000) * 4);
    }
  });

  it("drops the holders missing at the deadline as stragglers, deterministically", async () => {
    const a = await collect([...holders].reverse(), ["h04", "h07"]);
    const b = await collect(holders, ["h04", "h07"]);
    expect(a.round.stragglers).toEqual(["h04", "h07"]);
    expect(a.round.summed).toHaveLength(9);
    expect(Array.from(a.total)).toEqual(Array.from(b.total));
    expect(a.weight).toBe(holders.filter((h) => h !== "h04" && h !== "h07").reduce((s, h) => s + update(h).exampleCount, 0));
  });
});
