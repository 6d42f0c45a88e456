import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chunkBuffer, sha256Hex } from "../proto/index.js";
import { ChunkStore } from "./chunk-store.js";
import { DataLossError, FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError } from "./errors.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-chunks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ChunkStore", () => {
  const store = new ChunkStore(join(dir, "chunks"), 64 * 1024);

  it("stores a chunk once, by content, and reads it back verified", async () => {
    const data = randomBytes(1000);
    const digest = sha256Hex(data);
    expect(await store.put(digest, data)).toEqual({ alreadyStored: false, sizeBytes: 1000 });
    const mtime = statSync(store.pathOf(digest)).mtimeMs;
    expect(await store.put(digest, data)).toEqual({ alreadyStored: true, sizeBytes: 1000 });
    expect(statSync(store.pathOf(digest)).mtimeMs).toBe(mtime);
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
