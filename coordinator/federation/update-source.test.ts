import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chunkBuffer } from "../../proto/index.js";
import { ChunkStore } from "../chunk-store.js";
import { type ChunkAccess, modelChunks } from "./model-chunks.js";
import { StreamingUpdateSum } from "./streaming-sum.js";
import { chunkRangeReader, updateSource } from "./update-source.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-update-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vector(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 0.2;
  }
  return out;
}

function exactNorm(u: Float32Array): number {
  let sq = 0;
  for (const v of u) sq += v * v;
  return Math.sqrt(sq);
}

/** Stores `u` cut into chunks of `chunkBytes` (as a holder's UploadChunk calls would) and counts disk reads. */
async function stored(store: ChunkStore, u: Float32Array, chunkBytes: number) {
  const { manifest, chunks } = chunkBuffer(new Uint8Array(u.buffer), { name: "update.f32", chunkBytes });
  for (const chunk of chunks) await store.put(chunk.sha256, chunk.data);
  const reads = { readInto: 0, get: 0 };
  const counting: ChunkAccess = {
    put: (sha, data) => store.put(sha, data),
    get: (sha) => {
      reads.get += 1;
      return store.get(sha);
    },
    readInto: (sha, target) => {
      reads.readInto += 1;
      return store.readInto(sha, target);
    },
    has: (sha) => store.has(sha),
    remove: (sha) => store.remove(sha),
    verifyManifest: (m, what) => store.verifyManifest(m, what),
    squareSumOf: (sha, size) => store.squareSumOf(sha, size),
  };
  return { manifest, chunks: modelChunks(counting), reads };
}

describe("updateSource", () => {
  it("takes the norm from the squares the store kept at upload: same bits as reading the chunks, no read", async () => {
    const n = 100_003;
    const u = vector(n, 7);
    const kept = await stored(new ChunkStore(join(dir, "kept"), 1 << 20), u, 4 * 4096);
    const scratch = new Float32Array(4096);
    const fromUpload = await updateSource(kept.chunks, kept.manifest, 1).norm(scratch);
    expect(kept.reads).toEqual({ readInto: 0, get: 0 });
    // A fresh store (a restarted coordinator) has the chunks on disk but no kept squares.
    const restarted = new ChunkStore(join(dir, "kept"), 1 << 20);
    const chunks = modelChunks(restarted);
    expect(restarted.squareSumOf(kept.manifest.chunks[0]?.sha256 as string, 4 * 4096)).toBeUndefined();
    const fromDisk = await updateSource(chunks, kept.manifest, 1).norm(scratch);
    expect(fromDisk).toBe(fromUpload);
    expect(Math.abs(fromUpload - exactNorm(u))).toBeLessThanOrEqual(1e-12 * exactNorm(u));
  });

  it("reads windows straight into place when chunks line up, and across cuts when they do not (odd byte counts too)", async () => {
    const n = 50_001;
    const u = vector(n, 11);
    for (const chunkBytes of [4 * 1000, 4099]) {
      const s = await stored(new ChunkStore(join(dir, `cut-${chunkBytes}`), 1 << 20), u, chunkBytes);
      const read = chunkRangeReader(s.chunks, s.manifest);
      const out = new Float32Array(n);
      for (let start = 0; start < n; start += 1000) await read(start, out.subarray(start, Math.min(n, start + 1000)));
      expect(out).toEqual(u);
      if (chunkBytes === 4000) expect(s.reads).toEqual({ readInto: s.manifest.chunks.length, get: 0 });
      // 4099-byte chunks: every chunk is cut by a window boundary, loaded once each.
      else expect(s.reads.get).toBe(s.manifest.chunks.length);
      const norm = await updateSource(s.chunks, s.manifest, 1).norm(new Float32Array(777));
      expect(Math.abs(norm - exactNorm(u))).toBeLessThanOrEqual(1e-12 * exactNorm(u));
    }
  });

  it("feeds the streaming sum from the store: the clipped sum of stored updates", async () => {
    const n = 20_000;
    const store = new ChunkStore(join(dir, "sum"), 1 << 20);
    const updates = [1, 2, 3, 4, 5].map((seed) => vector(n, seed));
    const sum = new StreamingUpdateSum(n, { clipNorm: 5, poisonNormLimit: Infinity, batchSize: 4, windowValues: 3000 });
    const sources = [];
    for (const u of updates) {
      const s = await stored(store, u, 4 * 1024);
      sources.push(updateSource(s.chunks, s.manifest, 2));
    }
    await sum.addBatch(sources.slice(0, 4));
    await sum.addBatch(sources.slice(4));
    for (let i = 0; i < n; i += 101) {
      const expected = updates.reduce((acc, u) => acc + 2 * Math.min(1, 5 / exactNorm(u)) * (u[i] as number), 0);
      expect(Math.abs((sum.sum[i] as number) - expected)).toBeLessThan(1e-5);
    }
  });
});
