/**
 * Content-addressed chunk storage on disk: `<dataDir>/chunks/ab/abcdef…` holds the bytes whose
 * SHA-256 is `abcdef…`. Written once (temp file, fsync, rename), so a re-sent chunk costs no
 * write and a crash never leaves a half chunk under its name; verified again on every read from
 * disk. Chunks served to many readers (a federated round's global model, downloaded by every
 * holder) are kept, once read and verified, in a bounded in-memory cache (getServed), so the
 * coordinator reads and hashes them once per round rather than once per holder.
 * Chunks up to `small.table.maxBytes` go to the job database instead (small-chunks.ts), made
 * durable by its group commit; readers see one store either way.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, statSync, utimesSync } from "node:fs";
import { open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { sumSquares } from "../kernels/index.js";
import { isSha256Hex, type Manifest, makePrivateDir, sha256Hex } from "../proto/index.js";
import { DataLossError, FailedPreconditionError, InvalidArgumentError, ResourceExhaustedError } from "./errors.js";
import type { SmallChunkTable } from "./small-chunks.js";

export interface SmallChunkOptions {
  table: SmallChunkTable;
  /** Resolves once every committed database change is on stable storage (the job store's group commit). */
  durable: () => Promise<void>;
}

/**
 * Owner key under which the job store records the chunks a client uploaded. Bytes are stored
 * once for everyone, but a client may reference (FindMissingChunks, SubmitJob) only chunks it
 * uploaded itself or that its own jobs produced: knowing a digest grants nothing.
 */
export function clientChunkOwner(client: string): string {
  return `client:${client}`;
}

/** Verified manifests remembered at most (a bound on memory; the set starts over when full). */
const MAX_VERIFIED_MANIFESTS = 4096;

/**
 * Per-chunk Σx² kept at most (the oldest go first): 16,384 chunks are 400 updates of 40 MB, the
 * updates of a few rounds in flight; about 2 MB of memory.
 */
const MAX_SQUARE_SUMS = 16_384;

/** Default bound of the served-chunk cache: a 10M-parameter float32 model (40 MB) fits. */
export const DEFAULT_SERVED_CACHE_BYTES = 64 * 1024 * 1024;

export interface ChunkStoreOptions {
  /** Most bytes of verified chunks kept in memory for getServed (least recently used go first); 0 = none. */
  servedCacheBytes?: number;
}

export class ChunkStore {
  readonly dir: string;
  readonly maxChunkBytes: number;
  private readonly madeDirs = new Set<string>();
  /**
   * Manifests already verified (file digest + chunk list). Chunks are immutable under their
   * names, so a manifest that checked out once checks out again: every SAMPLE job of a batch
   * names the same model, and re-reading and re-hashing it on each SubmitJob was a top item of
   * the coordinator's profile. `remove()` forgets them all.
   */
  private readonly verifiedManifests = new Set<string>();

  private readonly small: SmallChunkOptions | undefined;
  /** Chunks being removed by retention: absent to readers; a put waits and stores them anew. */
  private readonly deleting = new Map<string, Promise<void>>();
  /**
   * Verified chunks kept for getServed, in least-recently-used order (Map iteration order).
   * Chunks are immutable under their names, so a cached copy is as good as the disk's; it is
   * dropped when the chunk is removed.
   */
  private readonly served = new Map<string, Buffer>();
  private servedBytes = 0;
  /**
   * The file whose chunks the cache holds (the latest one served): a federated job serves one
   * global model per round, and the previous round's model must not linger beside the new one.
   */
  private servedFile = "";
  readonly servedCacheBytes: number;
  /**
   * Σx² of each recently put chunk's bytes read as float32 (chunks of a whole number of floats):
   * taken while put hashes the chunk, so a federated update's norm needs no second read of it
   * (coordinator/federation/update-source.ts). Keyed by digest: the bytes are fixed by it.
   */
  private readonly squareSums = new Map<string, { sizeBytes: number; squares: number }>();
  /** A 4-byte-aligned copy for chunks whose bytes start unaligned in their message buffer. */
  private alignedScratch: Float32Array | undefined;

  constructor(dir: string, maxChunkBytes: number, small?: SmallChunkOptions, options: ChunkStoreOptions = {}) {
    this.dir = dir;
    this.maxChunkBytes = maxChunkBytes;
    this.small = small;
    this.servedCacheBytes = options.servedCacheBytes ?? DEFAULT_SERVED_CACHE_BYTES;
    if (!Number.isFinite(this.servedCacheBytes) || this.servedCacheBytes < 0)
      throw new RangeError(`servedCacheBytes must be a number of bytes >= 0, got ${this.servedCacheBytes}`);
    makePrivateDir(dir);
  }

  /** Bytes held by the served-chunk cache now. */
  get servedCacheHeldBytes(): number {
    return this.servedBytes;
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return isSha256Hex(sha256) && !this.deleting.has(sha256) && (this.small?.table.has(sha256) === true || existsSync(this.pathOf(sha256)));
  }

  /**
   * Marks stored chunks as just used (a re-sent chunk, or one FindMissingChunks found present and
   * a caller will now reference): retention keeps a chunk at least its grace period after that.
   */
  touch(digests: readonly string[]): void {
    const now = Date.now();
    for (const sha256 of digests) {
      if (this.small?.table.has(sha256)) {
        this.small.table.touch(sha256, now);
        continue;
      }
      try {
        utimesSync(this.pathOf(sha256), now / 1000, now / 1000);
      } catch {
        // Not stored (or just removed): nothing to keep.
      }
    }
  }

  /** Chunk files not written or touched since `cutoffMs` (retention candidates). */
  async fileChunksOlderThan(cutoffMs: number): Promise<string[]> {
    const old: string[] = [];
    for (const prefix of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(this.dir, prefix)).catch(() => [] as string[])) {
        if (!isSha256Hex(name)) continue; // temp files of writes in progress
        const info = await stat(join(this.dir, prefix, name)).catch(() => undefined);
        if (info !== undefined && info.mtimeMs < cutoffMs) old.push(name);
      }
    }
    return old;
  }

  /**
   * Removes the chunks retention may remove: small chunks and the given chunk files that are
   * not `referenced` and were not written or touched since `cutoffMs`. The decision is made
   * synchronously (no job, upload or completion can slip in between reading the references and
   * choosing); chunk files are unlinked afterwards, and a put of one of them meanwhile waits for
   * its removal and stores it anew. Resolves with what went once the files are gone.
   */
  async removeUnreferenced(
    fileCandidates: readonly string[],
    referenced: (sha256: string) => boolean,
    cutoffMs: number,
  ): Promise<{ chunks: number; bytes: number }> {
    const small = (this.small?.table.olderThan(cutoffMs) ?? []).filter((chunk) => !referenced(chunk.sha256));
    this.small?.table.removeMany(small.map((chunk) => chunk.sha256));
    const files: { sha256: string; bytes: number }[] = [];
    for (const sha256 of fileCandidates) {
      if (referenced(sha256) || this.deleting.has(sha256)) continue;
      try {
        const info = statSync(this.pathOf(sha256));
        if (info.mtimeMs < cutoffMs) files.push({ sha256, bytes: info.size });
      } catch {
        // Gone already.
      }
    }
    const removals = files.map(({ sha256 }) => {
      const removal = rm(this.pathOf(sha256), { force: true }).finally(() => this.deleting.delete(sha256));
      this.deleting.set(sha256, removal);
      return removal;
    });
    if (small.length > 0 || files.length > 0) this.verifiedManifests.clear();
    for (const chunk of small) this.forgetServed(chunk.sha256);
    for (const file of files) this.forgetServed(file.sha256);
    for (const sha256 of [...small.map((c) => c.sha256), ...files.map((f) => f.sha256)]) this.squareSums.delete(sha256);
    await Promise.allSettled(removals);
    return { chunks: small.length + files.length, bytes: small.reduce((sum, c) => sum + c.sizeBytes, 0) + files.reduce((sum, f) => sum + f.bytes, 0) };
  }

  /**
   * Stores `data` under its digest; `alreadyStored` when it was there (nothing written). Resolves
   * once the chunk is durable, unless `durableLater` (the caller then awaits the job store's
   * durable() itself before acknowledging anything that depends on the chunk).
   */
  async put(sha256: string, data: Uint8Array, options: { durableLater?: boolean } = {}): Promise<{ alreadyStored: boolean; sizeBytes: number }> {
    if (!isSha256Hex(sha256)) throw new InvalidArgumentError(`sha256 "${sha256.slice(0, 80)}" must be 64 lower-case hex digits.`);
    if (data.length === 0) throw new InvalidArgumentError("a chunk must hold at least one byte.");
    if (data.length > this.maxChunkBytes)
      throw new ResourceExhaustedError(
        `chunk of ${data.length} bytes is above the ${this.maxChunkBytes}-byte limit; cut files into chunks of tunables.chunkBytes.`,
      );
    const actual = sha256Hex(data);
    if (actual !== sha256)
      throw new InvalidArgumentError(`chunk bytes hash to ${actual}, not the sha256 sent (${sha256}); the chunk was corrupted in transit, send it again.`);
    this.keepSquareSum(sha256, data);
    const removal = this.deleting.get(sha256);
    if (removal !== undefined) await removal.catch(() => undefined);
    if (this.small !== undefined && data.length <= this.small.table.maxBytes) {
      if (existsSync(this.pathOf(sha256))) {
        this.touch([sha256]);
        return { alreadyStored: true, sizeBytes: data.length };
      }
      const stored = this.small.table.put(sha256, data);
      if (!stored) this.small.table.touch(sha256);
      // Acknowledged only once durable, like a chunk file (the fsync is shared with other commits).
      if (options.durableLater !== true) await this.small.durable();
      return { alreadyStored: !stored, sizeBytes: data.length };
    }
    const path = this.pathOf(sha256);
    if (existsSync(path)) {
      this.touch([sha256]);
      return { alreadyStored: true, sizeBytes: data.length };
    }
    const prefix = sha256.slice(0, 2);
    if (!this.madeDirs.has(prefix)) {
      makePrivateDir(join(this.dir, prefix));
      this.madeDirs.add(prefix);
    }
    const temp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
    const handle = await open(temp, "w", 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return { alreadyStored: false, sizeBytes: data.length };
  }

  /** Σx² of a put chunk's float32 values, if still kept (undefined: read the chunk and sum it). */
  squareSumOf(sha256: string, sizeBytes: number): number | undefined {
    const kept = this.squareSums.get(sha256);
    return kept !== undefined && kept.sizeBytes === sizeBytes && !this.deleting.has(sha256) ? kept.squares : undefined;
  }

  private keepSquareSum(sha256: string, data: Uint8Array): void {
    if (data.length % 4 !== 0 || this.squareSums.has(sha256)) return;
    let values: Float32Array;
    if (data.byteOffset % 4 === 0) values = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
    else {
      if (this.alignedScratch === undefined || this.alignedScratch.byteLength < data.length)
        this.alignedScratch = new Float32Array(Math.ceil(this.maxChunkBytes / 4));
      values = this.alignedScratch.subarray(0, data.length / 4);
      new Uint8Array(values.buffer, 0, data.length).set(data);
    }
    let squares: number;
    try {
      squares = sumSquares(values);
    } catch {
      return; // no kernel library here: a federated norm then reads the chunk from disk
    }
    this.squareSums.set(sha256, { sizeBytes: data.length, squares });
    for (const oldest of this.squareSums.keys()) {
      if (this.squareSums.size <= MAX_SQUARE_SUMS) break;
      this.squareSums.delete(oldest);
    }
  }

  /** The chunk's bytes, verified against its name (DataLossError if the disk copy is damaged). */
  async get(sha256: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = this.small?.table.get(sha256) ?? (await readFile(this.pathOf(sha256)));
    } catch {
      throw new DataLossError(`stored chunk ${sha256} is missing from ${this.dir}; the result must be produced again.`);
    }
    if (sha256Hex(data) !== sha256)
      throw new DataLossError(`stored chunk ${sha256} is damaged on disk (checksum mismatch); the result must be produced again.`);
    return data;
  }

  /**
   * Like get, for chunks of a file many readers fetch (DownloadInput of a federated round's global
   * model, `fileSha256` its digest): the first read is verified as by get and kept in the bounded
   * cache; later reads are served from memory without touching the disk or hashing again. The
   * cache holds one file's chunks: serving another file drops the previous one's (two jobs served
   * at once then read from disk, as without a cache). Callers must not modify the bytes.
   */
  async getServed(sha256: string, fileSha256 = ""): Promise<Buffer> {
    const cached = this.served.get(sha256);
    if (cached !== undefined && !this.deleting.has(sha256)) {
      // Most recently used: move to the end of the iteration order.
      this.served.delete(sha256);
      this.served.set(sha256, cached);
      return cached;
    }
    const data = await this.get(sha256);
    if (fileSha256 !== this.servedFile) {
      this.served.clear();
      this.servedBytes = 0;
      this.servedFile = fileSha256;
    }
    if (data.length <= this.servedCacheBytes && !this.served.has(sha256)) {
      this.served.set(sha256, data);
      this.servedBytes += data.length;
      for (const [oldest, bytes] of this.served) {
        if (this.servedBytes <= this.servedCacheBytes) break;
        this.served.delete(oldest);
        this.servedBytes -= bytes.length;
      }
    }
    return data;
  }

  /** The file whose chunks the served cache holds ("" none). */
  get servedFileSha256(): string {
    return this.servedFile;
  }

  /**
   * Serves a file from bytes already in memory (a federated job's global model): the cache then
   * holds views of `bytes`, one per chunk — no copy, no read, so not bounded by servedCacheBytes.
   * `bytes` must be the file the manifest was made from (the caller stored them or read them
   * verified) and stay unchanged until the cache is dropped (dropServed, or another file served).
   */
  serveFile(manifest: Manifest, bytes: Uint8Array): void {
    if (bytes.length !== manifest.sizeBytes) throw new RangeError(`serving ${manifest.sha256}: ${bytes.length} bytes, the manifest says ${manifest.sizeBytes}`);
    this.dropServed();
    let offset = 0;
    for (const chunk of manifest.chunks) {
      this.served.set(chunk.sha256, Buffer.from(bytes.buffer, bytes.byteOffset + offset, chunk.sizeBytes));
      offset += chunk.sizeBytes;
    }
    if (offset !== bytes.length) {
      this.dropServed();
      throw new RangeError(`serving ${manifest.sha256}: chunk sizes add up to ${offset}, the file has ${bytes.length} bytes`);
    }
    this.servedFile = manifest.sha256;
  }

  /** Empties the served-chunk cache (a federated round is closing: its model's downloads are over). */
  dropServed(): void {
    this.served.clear();
    this.servedBytes = 0;
    this.servedFile = "";
  }

  private forgetServed(sha256: string): void {
    const cached = this.served.get(sha256);
    if (cached === undefined) return;
    this.served.delete(sha256);
    this.servedBytes -= cached.length;
  }

  /**
   * Reads a chunk straight into `target` (which must be exactly its size) and verifies it there:
   * no intermediate buffer for a model-sized file read chunk by chunk into one array.
   */
  async readInto(sha256: string, target: Uint8Array): Promise<void> {
    const row = this.small?.table.get(sha256);
    if (row !== undefined) {
      if (row.length !== target.length) throw new DataLossError(`stored chunk ${sha256} holds ${row.length} bytes, expected ${target.length}.`);
      target.set(row);
    } else {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(this.pathOf(sha256), "r");
      } catch {
        throw new DataLossError(`stored chunk ${sha256} is missing from ${this.dir}; the result must be produced again.`);
      }
      try {
        let filled = 0;
        while (filled < target.length) {
          const { bytesRead } = await handle.read(target, filled, target.length - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        const extra = await handle.read(Buffer.alloc(1), 0, 1, filled);
        if (filled !== target.length || extra.bytesRead !== 0)
          throw new DataLossError(`stored chunk ${sha256} is damaged on disk (not ${target.length} bytes); the result must be produced again.`);
      } finally {
        await handle.close();
      }
    }
    if (createHash("sha256").update(target).digest("hex") !== sha256)
      throw new DataLossError(`stored chunk ${sha256} is damaged on disk (checksum mismatch); the result must be produced again.`);
  }

  missing(digests: readonly string[]): string[] {
    return digests.filter((d) => !this.has(d));
  }

  /**
   * Checks that every chunk of a manifest is stored with the declared size and that together
   * they hash to the file's SHA-256. FailedPrecondition names what is missing or wrong.
   */
  async verifyManifest(manifest: Manifest, what: string): Promise<void> {
    const key = `${manifest.sha256}/${manifest.chunks.map((c) => `${c.sha256}:${c.sizeBytes}`).join(",")}`;
    if (this.verifiedManifests.has(key)) return;
    await this.verifyManifestOnDisk(manifest, what);
    if (this.verifiedManifests.size >= MAX_VERIFIED_MANIFESTS) this.verifiedManifests.clear();
    this.verifiedManifests.add(key);
  }

  private async verifyManifestOnDisk(manifest: Manifest, what: string): Promise<void> {
    const missing = this.missing(manifest.chunks.map((c) => c.sha256));
    if (missing.length > 0) {
      throw new FailedPreconditionError(
        `${what} "${manifest.name}" has ${missing.length} chunk(s) not uploaded yet (first: ${missing[0]}); upload them with UploadChunk (FindMissingChunks lists them) and retry.`,
      );
    }
    for (const [i, chunk] of manifest.chunks.entries()) {
      const size = this.small?.table.sizeOf(chunk.sha256) ?? (await stat(this.pathOf(chunk.sha256))).size;
      if (size !== chunk.sizeBytes)
        throw new FailedPreconditionError(
          `${what} "${manifest.name}" chunk ${i} is ${size} bytes, the manifest says ${chunk.sizeBytes}; rebuild the manifest.`,
        );
    }
    // A one-chunk file is its chunk: the chunk's name (checked against its bytes when stored)
    // is the file's digest, so there is nothing to re-read (most small results).
    if (manifest.chunks.length === 1 && manifest.chunks[0]?.sha256 === manifest.sha256) return;
    const whole = createHash("sha256");
    for (const chunk of manifest.chunks) whole.update(await this.get(chunk.sha256));
    const digest = whole.digest("hex");
    if (digest !== manifest.sha256) {
      throw new FailedPreconditionError(
        `${what} "${manifest.name}" chunks hash to ${digest}, not the file sha256 ${manifest.sha256}; rebuild the manifest from the file.`,
      );
    }
  }

  /** Removes a chunk (tests simulating damage; garbage collection). */
  async remove(sha256: string): Promise<void> {
    this.verifiedManifests.clear();
    this.forgetServed(sha256);
    this.squareSums.delete(sha256);
    this.small?.table.remove(sha256);
    await rm(this.pathOf(sha256), { force: true });
  }
}
