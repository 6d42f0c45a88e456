/**
 * Content-addressed chunks: files cut into pieces of `tunables.chunkBytes`, each named by the
 * lower-case hex SHA-256 of its bytes, listed in a FileManifest with the whole file's SHA-256.
 * Senders build manifests here; receivers verify every chunk and the whole file here.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { basename, extname } from "node:path";
import { tunables } from "./tunables.js";

/** A manifest as plain data (the FileManifest message with every field set). */
export interface Manifest {
  name: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  chunks: { sha256: string; sizeBytes: number }[];
}

/** One chunk of a file with its place in it. */
export interface FileChunk {
  index: number;
  offsetBytes: number;
  sha256: string;
  data: Buffer;
}

/** A chunk or file whose bytes do not match its SHA-256 or its manifest. */
export class ChunkIntegrityError extends Error {
  override readonly name = "ChunkIntegrityError";
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a lower-case 64-digit hex string (how every digest in the protocol is written). */
export function isSha256Hex(text: string): boolean {
  return SHA256_HEX.test(text);
}

const MEDIA_TYPES: Record<string, string> = {
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".json": "application/json",
  ".parquet": "application/vnd.apache.parquet",
  ".html": "text/html",
  ".txt": "text/plain",
  ".log": "text/plain",
};

/** Media type from a file name's extension ("application/octet-stream" when unknown). */
export function mediaTypeForName(name: string): string {
  return MEDIA_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

/** Reads a file as consecutive chunks of `chunkBytes` (the last may be shorter). */
export async function* readFileChunks(path: string, chunkBytes: number = tunables.chunkBytes, startIndex = 0): AsyncGenerator<FileChunk> {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes > tunables.maxChunkBytes) {
    throw new RangeError(`chunkBytes must be a whole number from 1 to ${tunables.maxChunkBytes}, got ${chunkBytes}`);
  }
  const handle = await open(path, "r");
  try {
    // Files are read as they were when opened (results are immutable once written). Buffers are
    // sized to what is left, not to chunkBytes: a 10 KB result must not cost a 4 MiB allocation
    // (that churn was the node agent's largest garbage-collection cost in the service bench).
    const { size } = await handle.stat();
    let index = startIndex;
    for (;;) {
      const offsetBytes = index * chunkBytes;
      const want = Math.min(chunkBytes, size - offsetBytes);
      if (want <= 0) return;
      const data = Buffer.allocUnsafe(want);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await handle.read(data, filled, want - filled, offsetBytes + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      const piece = filled === want ? data : data.subarray(0, filled);
      yield { index, offsetBytes, sha256: sha256Hex(piece), data: piece };
      if (filled < chunkBytes) return;
      index++;
    }
  } finally {
    await handle.close();
  }
}

/** The manifest of a file on disk, in one pass (chunk digests and the whole-file digest). */
export async function manifestOfFile(path: string, options: { name?: string; mediaType?: string; chunkBytes?: number } = {}): Promise<Manifest> {
  const name = options.name ?? basename(path);
  const whole = createHash("sha256");
  const chunks: Manifest["chunks"] = [];
  let sizeBytes = 0;
  for await (const chunk of readFileChunks(path, options.chunkBytes ?? tunables.chunkBytes)) {
    whole.update(chunk.data);
    chunks.push({ sha256: chunk.sha256, sizeBytes: chunk.data.length });
    sizeBytes += chunk.data.length;
  }
  return { name, mediaType: options.mediaType ?? mediaTypeForName(name), sizeBytes, sha256: whole.digest("hex"), chunks };
}

/** The manifest and chunks of an in-memory buffer (small files, tests). */
export function chunkBuffer(data: Uint8Array, options: { name: string; mediaType?: string; chunkBytes?: number }): { manifest: Manifest; chunks: FileChunk[] } {
  const chunkBytes = options.chunkBytes ?? tunables.chunkBytes;
  const chunks: FileChunk[] = [];
  for (let offset = 0, index = 0; offset < data.length; offset += chunkBytes, index++) {
    // A view, not a copy: the caller's bytes are not changed while the chunks are in use.
    const piece = Buffer.from(data.buffer, data.byteOffset + offset, Math.min(chunkBytes, data.length - offset));
    chunks.push({ index, offsetBytes: offset, sha256: sha256Hex(piece), data: piece });
  }
  const manifest: Manifest = {
    name: options.name,
    mediaType: options.mediaType ?? mediaTypeForName(options.name),
    sizeBytes: data.length,
    // One chunk holding the whole file has the file's digest: no second pass.
    sha256: chunks.length === 1 ? chunks[0]!.sha256 : sha256Hex(data),
    chunks: chunks.map((c) => ({ sha256: c.sha256, sizeBytes: c.data.length })),
  };
  return { manifest, chunks };
}

/** Throws ChunkIntegrityError unless `data` hashes to `expectedSha256`. */
export function verifyChunk(data: Uint8Array, expectedSha256: string): void {
  const actual = sha256Hex(data);
  if (actual !== expectedSha256) {
    throw new ChunkIntegrityError(`chunk ${expectedSha256.slice(0, 12)}… arrived corrupted (its bytes hash to ${actual.slice(0, 12)}…); retry the transfer.`);
  }
}

/**
 * Checks that a manifest is well-formed: name without directories, digests in hex, sizes that
 * add up, chunks no larger than maxChunkBytes. Returns a one-line problem or undefined.
 */
export function manifestProblem(manifest: Manifest, maxChunkBytes: number = tunables.maxChunkBytes): string | undefined {
  if (manifest.name === "" || manifest.name.length > 255 || /[/\\\0]/.test(manifest.name) || manifest.name === "." || manifest.name === "..") {
    return `file name "${manifest.name}" must be 1..255 characters without "/" or "\\"`;
  }
  if (!isSha256Hex(manifest.sha256)) return `file sha256 "${manifest.sha256}" is not 64 lower-case hex digits`;
  let total = 0;
  for (const [i, chunk] of manifest.chunks.entries()) {
    if (!isSha256Hex(chunk.sha256)) return `chunk ${i} sha256 "${chunk.sha256}" is not 64 lower-case hex digits`;
    if (!Number.isInteger(chunk.sizeBytes) || chunk.sizeBytes <= 0 || chunk.sizeBytes > maxChunkBytes) {
      return `chunk ${i} size ${chunk.sizeBytes} is outside 1..${maxChunkBytes} bytes`;
    }
    total += chunk.sizeBytes;
  }
  if (total !== manifest.sizeBytes) return `chunk sizes add up to ${total} bytes but the manifest says ${manifest.sizeBytes}`;
  if (manifest.chunks.length === 0 && manifest.sha256 !== sha256Hex(new Uint8Array(0))) return "an empty file must have the SHA-256 of zero bytes";
  return undefined;
}
