import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputCache } from "./input-cache.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "input-cache-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** A download that writes `bytes` bytes and counts its calls. */
function downloader(bytes: number) {
  const calls: string[] = [];
  const download = async (path: string) => {
    calls.push(path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.alloc(bytes, 1));
  };
  return { calls, download };
}

const sha = (c: string) => c.repeat(64);

describe("InputCache", () => {
  it("downloads an input once, and shares one download between tasks that need it at once", async () => {
    const cache = new InputCache(dir, 1_000_000);
    const { calls, download } = downloader(10);
    const [a, b] = await Promise.all([cache.acquire(sha("a"), "model.json", download), cache.acquire(sha("a"), "model.json", download)]);
    expect(calls).toHaveLength(1);
    expect(a.path).toBe(join(dir, sha("a"), "model.json"));
    expect(b.path).toBe(a.path);
    const again = await cache.acquire(sha("a"), "model.json", download);
    expect(calls).toHaveLength(1);
    expect(again.path).toBe(a.path);
  });

  it("lets a waiting task download with its own lease when the shared download failed", async () => {
    const cache = new InputCache(dir, 1_000_000);
    const good = downloader(10);
    let failed = 0;
    const failing = async () => {
      failed += 1;
      throw new Error("lease gone");
    };
    const first = cache.acquire(sha("b"), "t.csv", failing);
    const second = cache.acquire(sha("b"), "t.csv", good.download);
    await expect(first).rejects.toThrow("lease gone");
    await expect(second).resolves.toMatchObject({ path: join(dir, sha("b"), "t.csv") });
    expect([failed, good.calls.length]).toEqual([1, 1]);
  });

  it("removes the least recently used inputs no task holds once above the cap, never the newest", async () => {
    const cache = new InputCache(dir, 250);
    const { download } = downloader(100);
    const a = await cache.acquire(sha("a"), "in", download);
    const b = await cache.acquire(sha("b"), "in", download);
    a.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // b is still held by its task: a (released, least recently used) goes.
    const c = await cache.acquire(sha("c"), "in", download);
    expect([existsSync(a.path), existsSync(b.path), existsSync(c.path)]).toEqual([false, true, true]);
    expect(cache.evictions).toBe(1);
    expect(cache.bytes).toBe(200);
    // Every other input held: the cap is exceeded rather than a running task's file removed.
    const d = await cache.acquire(sha("d"), "in", download);
    expect([existsSync(b.path), existsSync(c.path), existsSync(d.path)]).toEqual([true, true, true]);
    expect(cache.bytes).toBe(300);
    // A larger input than the cap stays (it is the one the task needs), the released ones go.
    for (const held of [b, c, d]) held.release();
    const big = await cache.acquire(sha("e"), "in", downloader(400).download);
    expect(existsSync(big.path)).toBe(true);
    expect([b, c, d].map((held) => existsSync(held.path))).toEqual([false, false, false]);
    expect(cache.bytes).toBe(400);
    // A removed input is downloaded again when a task needs it.
    const again = downloader(100);
    await cache.acquire(sha("a"), "in", again.download);
    expect(again.calls).toHaveLength(1);
  });

  it("counts what an earlier run left, oldest first", async () => {
    for (const [c, ageSeconds] of [
      ["a", 300],
      ["b", 100],
    ] as const) {
      const path = join(dir, sha(c), "in");
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, Buffer.alloc(100));
      const when = Date.now() / 1000 - ageSeconds;
      await utimes(path, when, when);
    }
    const cache = new InputCache(dir, 250);
    const cached = await cache.acquire(sha("b"), "in", downloader(100).download);
    expect(cached.path).toBe(join(dir, sha("b"), "in"));
    expect(cache.bytes).toBe(200);
    await cache.acquire(sha("c"), "in", downloader(100).download);
    expect(existsSync(join(dir, sha("a")))).toBe(false);
    expect(existsSync(join(dir, sha("b"), "in"))).toBe(true);
  });
});
