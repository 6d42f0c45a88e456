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
