import { afterEach, describe, expect, it, vi } from "vitest";
import { LineLog } from "./line-log.js";

describe("LineLog", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gathers lines and writes them together after flushMs, in order", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const log = new LineLog({ write: (text) => writes.push(text), flushMs: 50 });
    log.line("leased a");
    log.line("reported a");
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(["leased a\nreported a\n"]);
    log.line("leased b");
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(["leased a\nreported a\n", "leased b\n"]);
    log.close();
  });

  it("writes at once when the buffer passes maxBytes", () => {
    const writes: string[] = [];
    const log = new LineLog({ write: (text) => writes.push(text), flushMs: 60_000, maxBytes: 10 });
    log.line("12345");
    expect(writes).toEqual([]);
    log.line("67890");
    expect(writes).toEqual(["12345\n67890\n"]);
    log.close();
  });

  it("writes what is left when the process exits, and not after close", () => {
    const writes: string[] = [];
    const log = new LineLog({ write: (text) => writes.push(text), flushMs: 60_000 });
    log.line("last words");
    process.emit("exit", 0);
    expect(writes).toEqual(["last words\n"]);
    log.close();
    const before = process.listenerCount("exit");
    const other = new LineLog({ write: (text) => writes.push(text) });
    expect(process.listenerCount("exit")).toBe(before + 1);
    other.close();
    expect(process.listenerCount("exit")).toBe(before);
  });
});
