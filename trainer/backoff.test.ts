import { describe, expect, it } from "vitest";
import { ReconnectBackoff, sleepUnlessAborted } from "./backoff.js";

describe("ReconnectBackoff", () => {
  it("doubles the ceiling per attempt up to the cap and resets after success", () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, capMs: 1_000, random: () => 0.999999 });
    const delays = Array.from({ length: 6 }, () => backoff.nextDelayMs());
    // random≈1 shows the ceilings: 100, 200, 400, 800, then capped at 1000.
    expect(delays.map((d) => Math.round(d))).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.ceilingMs()).toBe(100);
  });

  it("spreads delays uniformly below the ceiling (full jitter)", () => {
    const backoff = new ReconnectBackoff({ baseMs: 1_000, capMs: 1_000 });
    const delays = Array.from({ length: 4_000 }, () => backoff.nextDelayMs());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    // Mean of U(0, 1000) is 500 with standard error 1000/sqrt(12·4000) ≈ 4.6; 25 is > 5 SE.
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.abs(mean - 500)).toBeLessThan(25);
  });

  it("rejects nonsense bounds", () => {
    expect(() => new ReconnectBackoff({ baseMs: 0, capMs: 10 })).toThrow(RangeError);
    expect(() => new ReconnectBackoff({ baseMs: 10, capMs: 5 })).toThrow(RangeError);
  });

  it("sleep ends early on abort", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await sleepUnlessAborted(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
