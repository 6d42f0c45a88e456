/**
 * Chunked, resumable file transfer over the datalab services, for both sides of the wire:
 * `uploadFile` (client input or node result: asks which chunks are missing, sends only those)
 * and `downloadFile` (DownloadResult / DownloadInput streams: verifies every chunk and the whole
 * file, writes a temp file and renames, resumes from the next chunk after a broken stream).
 */
import { createHash } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import { deadlineAfterSeconds, unaryCall } from "./calls.js";
import { ChunkIntegrityError, type Manifest, manifestOfFile, manifestProblem, readFileChunks, verifyChunk } from "./chunks.js";
import { PRIVATE_FILE_MODE } from "./private-folder.js";
import { tunables } from "./tunables.js";
import type {
  DataChunkOut,
  FileManifestOut,
  FindMissingChunksRequest,
  FindMissingChunksResponseOut,
  UploadChunkRequest,
  UploadChunkResponseOut,
} from "./types.js";

/** What uploadFile needs of a client: JobServiceClient and NodeServiceClient both fit. */
export interface ChunkUploader {
  uploadChunk(
    request: UploadChunkRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<UploadChunkResponseOut>,
  ): grpc.ClientUnaryCall;
  findMissingChunks(
    request: FindMissingChunksRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<FindMissingChunksResponseOut>,
  ): grpc.ClientUnaryCall;
}

export interface UploadReport {
  manifest: Manifest;
  /** Chunks actually sent (the rest were already stored). */
  sentChunks: number;
  sentBytes: number;
}

/**
 * Uploads a file's chunks that the coordinator lacks and returns the manifest to reference in
 * SubmitJob (InputRef.upload) or CompleteTask (ResultFile.file). Safe to call again after an
 * interruption: stored chunks are skipped.
 */
export async function uploadFile(
  uploader: ChunkUploader,
  path: string,
  options: { name?: string; mediaType?: string; chunkBytes?: number; deadlineSeconds?: number; onChunk?: (sentBytes: number) => void } = {},
): Promise<UploadReport> {
  const chunkBytes = options.chunkBytes ?? tunables.chunkBytes;
  const deadlineSeconds = options.deadlineSeconds ?? tunables.unaryDeadlineSeconds;
  const manifestOptions: { name?: string; mediaType?: string; chunkBytes: number } = { chunkBytes };
  if (options.name !== undefined) manifestOptions.name = options.name;
  if (options.mediaType !== undefined) manifestOptions.mediaType = options.mediaType;
  const manifest = await manifestOfFile(path, manifestOptions);
  const missing = new Set<string>();
  const digests = [...new Set(manifest.chunks.map((c) => c.sha256))];
  for (let i = 0; i < digests.length; i += tunables.maxFindMissingDigests) {
    const response = await unaryCall(
      uploader.findMissingChunks.bind(uploader),
      { sha256: digests.slice(i, i + tunables.maxFindMissingDigests) },
      deadlineSeconds,
    );
    for (const digest of response.missingSha256) missing.add(digest);
  }
  let sentChunks = 0;
  let sentBytes = 0;
  for await (const chunk of readFileChunks(path, chunkBytes)) {
    if (!missing.has(chunk.sha256)) continue;
    missing.delete(chunk.sha256); // a chunk repeated inside the file is sent once
    await unaryCall(uploader.uploadChunk.bind(uploader), { sha256: chunk.sha256, data: chunk.data }, deadlineSeconds);
    sentChunks++;
    sentBytes += chunk.data.length;
    options.onChunk?.(sentBytes);
  }
  return { manifest, sentChunks, sentBytes };
}

/** A message of DownloadResult / DownloadInput: the manifest first, then chunks. */
export interface ChunkStreamMessage {
  manifest?: FileManifestOut | null;
  chunk?: DataChunkOut | null;
}

/** Opens the stream again from a chunk index (for resume). */
export type OpenChunkStream = (startChunkIndex: number, deadline: Date) => grpc.ClientReadableStream<ChunkStreamMessage>;

const RESUMABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN]);

/**
 * Downloads a file to `destPath` through a chunk stream, verifying each chunk and the whole
 * file, resuming after a broken stream up to `maxResumes` times. Nothing is left at destPath
 * unless the whole file verified.
 */
export async function downloadFile(
  openStream: OpenChunkStream,
  destPath: string,
  options: { maxResumes?: number; deadlineSeconds?: number; onChunk?: (receivedBytes: number) => void } = {},
): Promise<Manifest> {
  const tempPath = `${destPath}.partial-${process.pid}`;
  // Downloads are data (a node's cached inputs, a client's results): owner-only.
  const handle = await open(tempPath, "w", PRIVATE_FILE_MODE);
  const whole = createHash("sha256");
  let manifest: Manifest | undefined;
  let nextIndex = 0;
  let receivedBytes = 0;
  let resumes = 0;
  try {
    for (;;) {
      const stream = openStream(nextIndex, deadlineAfterSeconds(options.deadlineSeconds ?? tunables.downloadDeadlineSeconds));
      try {
        for await (const message of stream as AsyncIterable<ChunkStreamMessage>) {
          if (message.manifest) {
            const received = toManifest(message.manifest);
            if (manifest === undefined) {
              const problem = manifestProblem(received);
              if (problem !== undefined) throw new ChunkIntegrityError(`the server sent a bad manifest: ${problem}`);
              manifest = received;
            } else if (received.sha256 !== manifest.sha256) {
              throw new ChunkIntegrityError("the file changed on the server during the download; download it again.");
            }
          } else if (message.chunk) {
            const chunk = message.chunk;
            if (manifest === undefined) throw new ChunkIntegrityError("the server sent a chunk before the manifest");
            const expected = manifest.chunks[chunk.index];
            if (chunk.index !== nextIndex || expected === undefined)
              throw new ChunkIntegrityError(`chunk ${chunk.index} arrived out of order (expected ${nextIndex})`);
            verifyChunk(chunk.data, expected.sha256);
            await handle.write(chunk.data, 0, chunk.data.length, receivedBytes);
            whole.update(chunk.data);
            receivedBytes += chunk.data.length;
            nextIndex++;
            options.onChunk?.(receivedBytes);
          }
        }
        break;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (error instanceof ChunkIntegrityError || code === undefined || !RESUMABLE.has(code) || resumes >= (options.maxResumes ?? 5)) throw error;
        resumes++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** resumes, 5000)));
      }
    }
    if (manifest === undefined) throw new ChunkIntegrityError("the stream ended without a manifest");
    if (nextIndex !== manifest.chunks.length)
      throw new ChunkIntegrityError(`the stream ended after ${nextIndex} of ${manifest.chunks.length} chunks; download it again.`);
    const digest = whole.digest("hex");
    if (digest !== manifest.sha256)
      throw new ChunkIntegrityError(`the downloaded file hashes to ${digest.slice(0, 12)}…, not ${manifest.sha256.slice(0, 12)}…; download it again.`);
    await handle.sync();
    await handle.close();
    await rename(tempPath, destPath);
    return manifest;
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tempPath, { force: true });
    throw error;
  }
}

/** The plain-data manifest of a received FileManifest message. */
export function toManifest(message: FileManifestOut): Manifest {
  return {
    name: message.name,
    mediaType: message.mediaType,
    sizeBytes: message.sizeBytes,
    sha256: message.sha256,
    chunks: message.chunks.map((c) => ({ sha256: c.sha256, sizeBytes: c.sizeBytes })),
  };
}
