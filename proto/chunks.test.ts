import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChunkIntegrityError, chunkBuffer, manifestOfFile, manifestProblem, readFileChunks, sha256Hex, verifyChunk } from "./chunks.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-chunks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Reference: node's own SHA-256 over the whole buffer, computed independently of the chunker.
const reference = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("chunking", () => {
  // Sizes around the chunk boundary (exact multiple, one byte over/under) and empty.
  const chunkBytes = 4096;
  for (const size of [0, 1, chunkBytes - 1, chunkBytes, chunkBytes + 1, 3 * chunkBytes, 3 * chunkBytes + 17]) {
    it(`splits and reassembles ${size} random bytes`, async () => {
      const data = randomBytes(size);
      const path = join(dir, `f-${size}.bin`);
      writeFileSync(path, data);
      const fromFile = await manifestOfFile(path, { chunkBytes, name: "f.bin" });
      const fromBuffer = chunkBuffer(data, { name: "f.bin", chunkBytes });
      expect(fromFile).toEqual(fromBuffer.manifest);
      expect(fromFile.sha256).toBe(reference(data));
      expect(fromFile.sizeBytes).toBe(size);
      expect(fromFile.chunks.length).toBe(Math.ceil(size / chunkBytes));
      const parts: Buffer[] = [];
      for await (const chunk of readFileChunks(path, chunkBytes)) {
        expect(chunk.offsetBytes).toBe(chunk.index * chunkBytes);
        expect(chunk.sha256).toBe(reference(chunk.data));
        parts.push(chunk.data);
      }
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      expect(manifestProblem(fromFile, chunkBytes)).toBeUndefined();
    });
  }

  it("resumes reading from a chunk index", async () => {
    const data = randomBytes(5 * 1000 + 3);
    const path = join(dir, "resume.bin");
    writeFileSync(path, data);
    const tail: Buffer[] = [];
    for await (const chunk of readFileChunks(path, 1000, 3)) tail.push(chunk.data);
    expect(Buffer.concat(tail).equals(data.subarray(3000))).toBe(true);
  });

  it("rejects a corrupted chunk and a bad manifest", () => {
    const data = randomBytes(100);
    const digest = sha256Hex(data);
    verifyChunk(data, digest);
    const corrupted = Buffer.from(data);
    corrupted[7] = (corrupted[7]! + 1) % 256;
    expect(() => verifyChunk(corrupted, digest)).toThrow(ChunkIntegrityError);
    const { manifest } = chunkBuffer(data, { name: "x.csv", chunkBytes: 30 });
    expect(manifest.mediaType).toBe("text/csv");
    expect(manifestProblem({ ...manifest, name: "../etc/passwd" })).toMatch(/file name/);
    expect(manifestProblem({ ...manifest, sizeBytes: 99 })).toMatch(/add up/);
    expect(manifestProblem({ ...manifest, sha256: "XYZ" })).toMatch(/hex/);
    expect(manifestProblem(manifest, 10)).toMatch(/outside/);
  });
});
