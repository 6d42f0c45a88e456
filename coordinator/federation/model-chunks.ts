/**
 * Models and updates as content-addressed chunks in the coordinator's chunk store: the global
 * model of each round is stored like any file (1 MiB chunks named by SHA-256), so holders fetch
 * it with DownloadInput and a restart finds it again.
 */
import { chunkBuffer, type Manifest } from "../../proto/index.js";
import { parametersToBytes } from "./model-layout.js";

/** The chunk store calls federation uses (ChunkStore implements them). */
export interface ChunkAccess {
  put(sha256: string, data: Uint8Array): Promise<unknown>;
  get(sha256: string): Promise<Uint8Array>;
  /** Reads and verifies a chunk straight into `target` (its exact size); without it, get + copy. */
  readInto?(sha256: string, target: Uint8Array): Promise<void>;
  has(sha256: string): boolean;
  remove(sha256: string): Promise<void>;
  verifyManifest(manifest: Manifest, what: string): Promise<void>;
  /** Empties the cache of served chunks (ChunkStore.getServed), if the store keeps one. */
  dropServed?(): void;
  /** Σx² of a stored chunk's float32 values, if the store kept it at upload (ChunkStore.put). */
  squareSumOf?(sha256: string, sizeBytes: number): number | undefined;
  /** Serves a file's chunks as views of `bytes` (ChunkStore.serveFile); without it, served from disk. */
  serveFile?(manifest: Manifest, bytes: Uint8Array): void;
  /** The file the served cache holds now ("" none). */
  readonly servedFileSha256?: string;
}

export interface ModelChunks {
  storeBytes(data: Uint8Array, name: string): Promise<Manifest>;
  get(sha256: string): Promise<Uint8Array>;
  /** Reads a chunk (verified) into `target`, which must be exactly the chunk's size. */
  readInto(sha256: string, target: Uint8Array): Promise<void>;
  verify(manifest: Manifest, what: string): Promise<void>;
  /** Drops the chunks of these files unless a digest is still referenced. */
  release(manifests: readonly Manifest[], stillReferenced: readonly string[]): Promise<void>;
  /** Frees the cached copy of the model being served (a round's downloads are over). */
  dropServed(): void;
  /** Σx² of a chunk's float32 values when the store kept it at upload; undefined otherwise. */
  squareSum(sha256: string, sizeBytes: number): number | undefined;
  /**
   * Serves the model being downloaded from `params` itself (no copy); the caller must not change
   * them until dropServed().
   */
  serve(manifest: Manifest, params: Float32Array): void;
  /** The file being served from memory ("" none). */
  servedFile(): string;
}

export function modelChunks(store: ChunkAccess): ModelChunks {
  return {
    async storeBytes(data, name) {
      const { manifest, chunks } = chunkBuffer(data, { name, mediaType: name.endsWith(".json") ? "application/json" : "application/octet-stream" });
      for (const chunk of chunks) await store.put(chunk.sha256, chunk.data);
      return manifest;
    },
    get: (sha256) => store.get(sha256),
    dropServed: () => store.dropServed?.(),
    squareSum: (sha256, sizeBytes) => store.squareSumOf?.(sha256, sizeBytes),
    serve: (manifest, params) => store.serveFile?.(manifest, parametersToBytes(params)),
    servedFile: () => store.servedFileSha256 ?? "",
    async readInto(sha256, target) {
      if (store.readInto) return store.readInto(sha256, target);
      const data = await store.get(sha256);
      if (data.length !== target.length) throw new RangeError(`chunk ${sha256} holds ${data.length} bytes, the manifest says ${target.length}`);
      target.set(data);
    },
    async verify(manifest, what) {
      const missing = manifest.chunks.filter((c) => !store.has(c.sha256));
      if (missing.length > 0)
        throw new RangeError(`${what}: ${missing.length} chunk(s) not uploaded (first ${missing[0]?.sha256}); upload them with UploadChunk first.`);
      let total = 0;
      for (const c of manifest.chunks) total += c.sizeBytes;
      if (total !== manifest.sizeBytes) throw new RangeError(`${what}: chunk sizes add up to ${total}, the manifest says ${manifest.sizeBytes}.`);
    },
    async release(manifests, stillReferenced) {
      const keep = new Set(stillReferenced);
      for (const manifest of manifests) {
        for (const chunk of manifest.chunks) {
          if (keep.has(chunk.sha256)) continue;
          keep.add(chunk.sha256);
          await store.remove(chunk.sha256).catch(() => undefined);
        }
      }
    },
  };
}

/** Stores a parameter vector as a chunked file. */
export function storeModel(chunks: ModelChunks, params: Float32Array, name: string): Promise<Manifest> {
  return chunks.storeBytes(parametersToBytes(params), name);
}

/** Reads a stored parameter vector (chunk by chunk, straight into one array). */
export async function readModel(chunks: ModelChunks, manifest: Manifest, parameters: number): Promise<Float32Array> {
  if (manifest.sizeBytes !== parameters * 4) throw new RangeError(`model file has ${manifest.sizeBytes} bytes, expected ${parameters * 4}`);
  const out = new Float32Array(parameters);
  await readChunksInto(chunks, manifest, new Uint8Array(out.buffer));
  return out;
}

/**
 * Reads a file's chunks, each verified, straight into `target` (exactly the file's size);
 * `onChunk(bytes filled so far)` after each, while that chunk is still in cache.
 */
export async function readChunksInto(chunks: ModelChunks, manifest: Manifest, target: Uint8Array, onChunk?: (filledBytes: number) => void): Promise<void> {
  let total = 0;
  for (const chunk of manifest.chunks) total += chunk.sizeBytes;
  if (total !== target.length || manifest.sizeBytes !== target.length)
    throw new RangeError(`file ${manifest.sha256} has ${manifest.sizeBytes} bytes (chunks: ${total}), the target ${target.length}`);
  let offset = 0;
  for (const chunk of manifest.chunks) {
    await chunks.readInto(chunk.sha256, target.subarray(offset, offset + chunk.sizeBytes));
    offset += chunk.sizeBytes;
    onChunk?.(offset);
  }
}
