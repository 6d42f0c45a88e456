import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { chunkBuffer, sha256Hex } from "../proto/index.js";
import { ChunkStore } from "./chunk-store.js";
import { DataLossError, FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError } from "./errors.js";
import { SmallChunkTable } from "./small-chunks.js";
import { SqliteJobStore } from "./sqlite-job-store.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-chunks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ChunkStore", () => {
  const store = new ChunkStore(join(dir, "chunks"), 64 * 1024);

  it("stores a chunk once, by content, and reads it back verified", async () => {
    const data = randomBytes(1000);
    const digest = sha256Hex(data);
    expect(await store.put(digest, data)).toEqual({ alreadyStored: false, sizeBytes: 1000 });
    const before = statSync(store.pathOf(digest));
    expect(await store.put(digest, data)).toEqual({ alreadyStored: true, sizeBytes: 1000 });
    // Not written again (a write goes to a temp file renamed over: a new inode), only marked as
    // just used for result retention.
    const after = statSync(store.pathOf(digest));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBeGreaterThanOrEqual(before.mtimeMs);
    expect((await store.get(digest)).equals(data)).toBe(true);
    expect(store.missing([digest, sha256Hex(randomBytes(8))])).toHaveLength(1);
  });

  it("rejects a wrong digest, an empty or oversize chunk", async () => {
    await expect(store.put(sha256Hex(randomBytes(10)), randomBytes(10))).rejects.toThrow(InvalidArgumentError);
    await expect(store.put("not-hex", randomBytes(10))).rejects.toThrow(InvalidArgumentError);
    await expect(store.put(sha256Hex(Buffer.alloc(0)), Buffer.alloc(0))).rejects.toThrow(InvalidArgumentError);
    const big = randomBytes(64 * 1024 + 1);
    await expect(store.put(sha256Hex(big), big)).rejects.toThrow(ResourceExhaustedError);
  });

  it("verifies a manifest: missing chunks, wrong file digest, and damage on disk", async () => {
    const content = randomBytes(200_000);
    const { manifest, chunks } = chunkBuffer(content, { name: "t.csv", chunkBytes: 50_000 });
    for (const chunk of chunks.slice(0, 3)) await store.put(chunk.sha256, chunk.data);
    await expect(store.verifyManifest(manifest, "input")).rejects.toThrow(FailedPreconditionError);
    await expect(store.verifyManifest(manifest, "input")).rejects.toThrow(/1 chunk\(s\) not uploaded/);
    await store.put(chunks[3]!.sha256, chunks[3]!.data);
    await store.verifyManifest(manifest, "input");
    await expect(store.verifyManifest({ ...manifest, sha256: sha256Hex(randomBytes(4)) }, "input")).rejects.toThrow(/hash to/);
    // Damage a stored chunk: reads now fail with DATA_LOSS instead of serving bad bytes.
    writeFileSync(store.pathOf(chunks[1]!.sha256), randomBytes(50_000));
    await expect(store.get(chunks[1]!.sha256)).rejects.toThrow(DataLossError);
  });

  it("remembers a verified manifest until a chunk is removed; a one-chunk file is its chunk", async () => {
    const content = randomBytes(120_000);
    const { manifest, chunks } = chunkBuffer(content, { name: "m.json", chunkBytes: 40_000 });
    for (const chunk of chunks) await store.put(chunk.sha256, chunk.data);
    await store.verifyManifest(manifest, "input");
    await store.verifyManifest(manifest, "input");
    // The same chunks under another file digest are not the verified manifest.
    await expect(store.verifyManifest({ ...manifest, sha256: sha256Hex(randomBytes(4)) }, "input")).rejects.toThrow(/hash to/);
    await store.remove(chunks[2]!.sha256);
    await expect(store.verifyManifest(manifest, "input")).rejects.toThrow(/1 chunk\(s\) not uploaded/);

    const small = randomBytes(3000);
    const one = chunkBuffer(small, { name: "small.csv", chunkBytes: 40_000 });
    expect(one.chunks).toHaveLength(1);
    await store.put(one.chunks[0]!.sha256, one.chunks[0]!.data);
    await store.verifyManifest(one.manifest, "result");
    await expect(store.verifyManifest({ ...one.manifest, sha256: sha256Hex(randomBytes(4)) }, "result")).rejects.toThrow(/hash to/);
    await expect(store.verifyManifest({ ...one.manifest, chunks: [{ ...one.manifest.chunks[0]!, sizeBytes: 2999 }] }, "result")).rejects.toThrow(/3000 bytes/);
  });

  it("serves a many-readers chunk from memory once verified, within its byte bound, and forgets removed chunks", async () => {
    const served = new ChunkStore(join(dir, "served"), 64 * 1024, undefined, { servedCacheBytes: 25_000 });
    const parts = [randomBytes(10_000), randomBytes(10_000), randomBytes(10_000)];
    const digests = parts.map((p) => sha256Hex(p));
    for (const [i, part] of parts.entries()) await served.put(digests[i]!, part);
    // A chunk damaged on disk before its first read is refused, as by get.
    writeFileSync(served.pathOf(digests[2]!), randomBytes(10_000));
    await expect(served.getServed(digests[2]!)).rejects.toThrow(DataLossError);
    expect(served.servedCacheHeldBytes).toBe(0);
    expect((await served.getServed(digests[0]!)).equals(parts[0]!)).toBe(true);
    // Read and verified once: later damage on disk does not reach readers of the cached copy…
    writeFileSync(served.pathOf(digests[0]!), randomBytes(10_000));
    expect((await served.getServed(digests[0]!)).equals(parts[0]!)).toBe(true);
    // …while a plain get still reads the disk and reports it.
    await expect(served.get(digests[0]!)).rejects.toThrow(DataLossError);
    writeFileSync(served.pathOf(digests[0]!), parts[0]!);
    // The bound: 25,000 bytes hold two 10,000-byte chunks; the least recently used goes.
    expect((await served.getServed(digests[1]!)).equals(parts[1]!)).toBe(true);
    expect(served.servedCacheHeldBytes).toBe(20_000);
    writeFileSync(served.pathOf(digests[2]!), parts[2]!);
    expect((await served.getServed(digests[2]!)).equals(parts[2]!)).toBe(true);
    expect(served.servedCacheHeldBytes).toBe(20_000);
    writeFileSync(served.pathOf(digests[0]!), randomBytes(10_000));
    await expect(served.getServed(digests[0]!)).rejects.toThrow(DataLossError);
    // A removed chunk is gone for readers of the cache too.
    await served.remove(digests[1]!);
    await expect(served.getServed(digests[1]!)).rejects.toThrow(/missing/);
    expect(served.servedCacheHeldBytes).toBe(10_000);
    // A chunk of another file, read from disk, drops the previous file's chunks from the cache.
    const other = randomBytes(5_000);
    await served.put(sha256Hex(other), other);
    expect((await served.getServed(sha256Hex(other), "file-b")).equals(other)).toBe(true);
    expect(served.servedCacheHeldBytes).toBe(5_000);
    writeFileSync(served.pathOf(digests[2]!), randomBytes(10_000));
    await expect(served.getServed(digests[2]!, "file-b")).rejects.toThrow(DataLossError);
    // A closing round drops the cache: the next read is from disk (and verified) again.
    served.dropServed();
    expect(served.servedCacheHeldBytes).toBe(0);
    writeFileSync(served.pathOf(sha256Hex(other)), randomBytes(5_000));
    await expect(served.getServed(sha256Hex(other), "file-b")).rejects.toThrow(DataLossError);
  });

  it("reads a chunk straight into a target and verifies it there", async () => {
    const data = randomBytes(30_000);
    const digest = sha256Hex(data);
    await store.put(digest, data);
    const target = new Uint8Array(40_000);
    await store.readInto(digest, target.subarray(5_000, 35_000));
    expect(Buffer.from(target.subarray(5_000, 35_000)).equals(data)).toBe(true);
    expect(target[0]).toBe(0);
    await expect(store.readInto(digest, new Uint8Array(29_999))).rejects.toThrow(/not 29999 bytes/);
    await expect(store.readInto(digest, new Uint8Array(30_001))).rejects.toThrow(/not 30001 bytes/);
    await expect(store.readInto(sha256Hex(randomBytes(3)), new Uint8Array(3))).rejects.toThrow(/missing/);
    writeFileSync(store.pathOf(digest), randomBytes(30_000));
    await expect(store.readInto(digest, new Uint8Array(30_000))).rejects.toThrow(/checksum mismatch/);
  });
});

describe("ChunkStore with small chunks in the job database", () => {
  const dbPath = join(dir, "small", "jobs.sqlite");
  const jobs = new SqliteJobStore(dbPath);
  let durableCalls = 0;
  const store = new ChunkStore(join(dir, "small", "chunks"), 256 * 1024, {
    table: new SmallChunkTable(jobs.db, 16 * 1024),
    durable: () => {
      durableCalls++;
      return jobs.durable();
    },
  });
  afterAll(() => jobs.close());

  it("keeps a chunk up to maxBytes as a row (no file), durably, and a larger one as a file", async () => {
    const small = randomBytes(16 * 1024);
    const digest = sha256Hex(small);
    const before = durableCalls;
    expect(await store.put(digest, small)).toEqual({ alreadyStored: false, sizeBytes: small.length });
    expect(durableCalls).toBe(before + 1);
    expect(existsSync(store.pathOf(digest))).toBe(false);
    expect(store.has(digest)).toBe(true);
    expect((await store.get(digest)).equals(small)).toBe(true);
    expect(await store.put(digest, small)).toEqual({ alreadyStored: true, sizeBytes: small.length });
    // Another connection (as after a restart) reads the committed row.
    const other = new Database(dbPath, { readonly: true });
    expect((other.prepare("SELECT data FROM small_chunks WHERE sha256 = ?").pluck().get(digest) as Buffer).equals(small)).toBe(true);
    other.close();

    const large = randomBytes(16 * 1024 + 1);
    await store.put(sha256Hex(large), large);
    expect(existsSync(store.pathOf(sha256Hex(large)))).toBe(true);
    expect(store.missing([digest, sha256Hex(large), sha256Hex(randomBytes(8))])).toHaveLength(1);
  });

  it("verifies manifests over rows and files alike, and reports damage to a row as data loss", async () => {
    const content = randomBytes(40_000);
    const { manifest, chunks } = chunkBuffer(content, { name: "mixed.csv", chunkBytes: 30_000 });
    // 30,000 bytes go to a file, the 10,000-byte tail to a row.
    for (const chunk of chunks) await store.put(chunk.sha256, chunk.data);
    expect(existsSync(store.pathOf(chunks[0]!.sha256))).toBe(true);
    expect(existsSync(store.pathOf(chunks[1]!.sha256))).toBe(false);
    await store.verifyManifest(manifest, "result");
    await expect(store.verifyManifest({ ...manifest, chunks: [manifest.chunks[0]!, { ...manifest.chunks[1]!, sizeBytes: 9_999 }] }, "result")).rejects.toThrow(
      /10000 bytes/,
    );
    jobs.db.prepare("UPDATE small_chunks SET data = ? WHERE sha256 = ?").run(randomBytes(10_000), chunks[1]!.sha256);
    await expect(store.get(chunks[1]!.sha256)).rejects.toThrow(DataLossError);
    await store.remove(chunks[1]!.sha256);
    expect(store.has(chunks[1]!.sha256)).toBe(false);
    await expect(store.verifyManifest(manifest, "result")).rejects.toThrow(/1 chunk\(s\) not uploaded/);
  });
});

describe("ChunkStore square sums", () => {
  it("keeps Σx² of each put chunk read as float32 (unaligned message buffers too) and forgets it on removal", async () => {
    const store = new ChunkStore(join(dir, "squares"), 64 * 1024);
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    let exact = 0;
    for (const v of values) exact += v * v;
    // The chunk's bytes start at an odd offset of a larger buffer, as in a decoded gRPC message.
    const message = Buffer.alloc(4001);
    message.set(new Uint8Array(values.buffer), 1);
    const data = message.subarray(1);
    const digest = sha256Hex(data);
    await store.put(digest, data);
    expect(Math.abs((store.squareSumOf(digest, 4000) as number) - exact)).toBeLessThan(1e-9 * exact);
    expect(store.squareSumOf(digest, 3996)).toBeUndefined();
    // Not a whole number of floats: nothing kept.
    const odd = randomBytes(1001);
    await store.put(sha256Hex(odd), odd);
    expect(store.squareSumOf(sha256Hex(odd), 1001)).toBeUndefined();
    await store.remove(digest);
    expect(store.squareSumOf(digest, 4000)).toBeUndefined();
  });
});

describe("ChunkStore.serveFile", () => {
  it("serves a file's chunks as views of bytes in memory until dropped, then from disk", async () => {
    const store = new ChunkStore(join(dir, "serve-file"), 64 * 1024, undefined, { servedCacheBytes: 0 });
    const bytes = new Uint8Array(randomBytes(10_000));
    const { manifest, chunks } = chunkBuffer(bytes, { name: "model.f32", chunkBytes: 4096 });
    for (const chunk of chunks) await store.put(chunk.sha256, chunk.data);
    store.serveFile(manifest, bytes);
    expect(store.servedFileSha256).toBe(manifest.sha256);
    const second = manifest.chunks[1] as { sha256: string };
    const served = await store.getServed(second.sha256, manifest.sha256);
    // A view of the caller's bytes (no copy), even with a cache bound of 0.
    expect(served.buffer).toBe(bytes.buffer);
    expect(served.equals(bytes.subarray(4096, 8192))).toBe(true);
    rmSync(store.pathOf(second.sha256));
    expect((await store.getServed(second.sha256, manifest.sha256)).equals(bytes.subarray(4096, 8192))).toBe(true);
    store.dropServed();
    expect(store.servedFileSha256).toBe("");
    await expect(store.getServed(second.sha256, manifest.sha256)).rejects.toThrow(DataLossError);
    expect(() => store.serveFile(manifest, bytes.subarray(1))).toThrow(/9999 bytes/);
  });
});
