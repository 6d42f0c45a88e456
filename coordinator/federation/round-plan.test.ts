import { describe, expect, it } from "vitest";
import { expectedCohort, federatedTaskId, parseFederatedTaskId, sampleHolders } from "./round-plan.js";

const holders = Array.from({ length: 40 }, (_, i) => `holder-${String(i).padStart(2, "0")}`);

describe("round plan", () => {
  it("names tasks stably per (job, round, holder, retry) and parses them back", () => {
    expect(federatedTaskId("job-abc", 3, "h-1", 0)).toBe("job-abc/r3/h-1");
    expect(federatedTaskId("job-abc", 3, "h-1", 2)).toBe("job-abc/r3/h-1/a2");
    expect(parseFederatedTaskId("job-abc/r3/h-1/a2")).toEqual({ jobId: "job-abc", round: 3, holderId: "h-1", retry: 2 });
    expect(parseFederatedTaskId("job-abc/lease-1")).toBeUndefined();
  });

  it("samples the same holders for the same seed, round and retry; others for another", () => {
    const settings = { fractionFit: 0.25, minHolders: 3, poisson: false, shardsPerHolder: 1, seed: 7 };
    const a = sampleHolders(holders, 4, 0, settings);
    expect(sampleHolders([...holders].reverse(), 4, 0, settings)).toEqual(a);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(sampleHolders(holders, 5, 0, settings)).not.toEqual(a);
    expect(sampleHolders(holders, 4, 1, settings)).not.toEqual(a);
    expect(sampleHolders(holders.slice(0, 5), 1, 0, { ...settings, fractionFit: 0.1 })).toHaveLength(3); // min_holders
  });

  it("Poisson sampling includes each holder with probability q", () => {
    const settings = { fractionFit: 0.3, minHolders: 1, poisson: true, shardsPerHolder: 1, seed: 11 };
    let total = 0;
    const rounds = 500;
    for (let r = 1; r <= rounds; r++) total += sampleHolders(holders, r, 0, settings).length;
    const rate = total / (rounds * holders.length);
    // binomial: 20000 draws, sd of the rate ≈ 0.0032; 4 sd
    expect(Math.abs(rate - 0.3)).toBeLessThan(0.013);
  });

  it("sends every holder a task when holders sample their own shards", () => {
    expect(sampleHolders(holders, 1, 0, { fractionFit: 0.1, minHolders: 1, poisson: true, shardsPerHolder: 10, seed: 1 })).toHaveLength(40);
    expect(expectedCohort(40, 0.1, 10)).toBeCloseTo(40, 12);
  });
});
