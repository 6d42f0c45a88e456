import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { ChunkIntegrityError, chunkBuffer } from "./chunks.js";
import { type ChunkStreamMessage, downloadFile } from "./transfer.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-transfer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const content = randomBytes(10_000);
const { manifest, chunks } = chunkBuffer(content, { name: "t.bin", chunkBytes: 1000 });

/** A fake server stream: the manifest, chunks from `start`, then an optional error after `breakAfter` chunks. */
function fakeStream(start: number, options: { breakAfter?: number; corruptIndex?: number } = {}): grpc.ClientReadableStream<ChunkStreamMessage> {
  async function* messages() {
    yield { manifest: { ...manifest } };
    let sent = 0;
    for (let index = start; index < chunks.length; index++) {
      if (options.breakAfter !== undefined && sent === options.breakAfter) {
        throw Object.assign(new Error("14 UNAVAILABLE: connection reset"), { code: grpc.status.UNAVAILABLE });
      }
      const chunk = chunks[index]!;
      const data = index === options.corruptIndex ? Buffer.from(chunk.data).fill(0) : chunk.data;
      yield { chunk: { index, offsetBytes: chunk.offsetBytes, sha256: chunk.sha256, data } };
      sent++;
    }
  }
  return Readable.from(messages()) as unknown as grpc.ClientReadableStream<ChunkStreamMessage>;
}

describe("downloadFile", () => {
  it("resumes from the next chunk after a broken stream and verifies the whole file", async () => {
    const starts: number[] = [];
    const dest = join(dir, "resumed.bin");
    await downloadFile((start) => {
      starts.push(start);
      return fakeStream(start, starts.length < 3 ? { breakAfter: 4 } : {});
    }, dest);
    expect(starts).toEqual([0, 4, 8]);
    expect(readFileSync(dest).equals(content)).toBe(true);
  });

  it("leaves nothing behind when a chunk is corrupted", async () => {
    const dest = join(dir, "corrupt.bin");
    await expect(downloadFile((start) => fakeStream(start, { corruptIndex: 3 }), dest)).rejects.toThrow(ChunkIntegrityError);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.partial-${process.pid}`)).toBe(false);
  });

  it("gives up after maxResumes", async () => {
    const dest = join(dir, "never.bin");
    await expect(downloadFile((start) => fakeStream(start, { breakAfter: 0 }), dest, { maxResumes: 2 })).rejects.toThrow(/UNAVAILABLE/);
    expect(existsSync(dest)).toBe(false);
  });
});
