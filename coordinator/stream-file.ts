/**
 * Streams a stored file (manifest, then its chunks, each verified on read) to a gRPC call.
 * `served`: the file is one many readers fetch (a federated round's global model), read through
 * the chunk store's cache of verified chunks (ChunkStore.getServed).
 */
import type * as grpc from "@grpc/grpc-js";
import type { Manifest } from "../proto/index.js";
import type { ChunkStore } from "./chunk-store.js";
import { InvalidArgumentError } from "./errors.js";
import { writeChunkMessage, writeMessage } from "./rpc.js";

export async function streamManifest(
  call: grpc.ServerWritableStream<unknown, { manifest?: Manifest; chunk?: { index: number; offsetBytes: number; sha256: string; data: Buffer } }>,
  chunks: ChunkStore,
  manifest: Manifest,
  startChunkIndex: number,
  onSent: (bytes: number) => void,
  options: { served?: boolean } = {},
): Promise<void> {
  if (startChunkIndex > manifest.chunks.length) {
    throw new InvalidArgumentError(
      `start_chunk_index ${startChunkIndex} is past the last chunk (${manifest.chunks.length} chunks); use 0..${manifest.chunks.length}.`,
    );
  }
  await writeMessage(call, { manifest });
  let offsetBytes = manifest.chunks.slice(0, startChunkIndex).reduce((sum, c) => sum + c.sizeBytes, 0);
  for (let index = startChunkIndex; index < manifest.chunks.length; index++) {
    if (call.cancelled) return;
    const ref = manifest.chunks[index]!;
    const data = options.served === true ? await chunks.getServed(ref.sha256, manifest.sha256) : await chunks.get(ref.sha256);
    await writeChunkMessage(call, { chunk: { index, offsetBytes, sha256: ref.sha256, data } });
    onSent(data.length);
    offsetBytes += data.length;
  }
}
