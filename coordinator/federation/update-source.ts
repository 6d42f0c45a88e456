/**
 * An uploaded update as the streaming sum reads it: straight from the chunk store, one window at
 * a time (each chunk verified as it is read), never whole.
 *
 * Its norm is Σ over its chunks, in manifest order, of Σx² of each chunk's floats — the
 * decomposition the chunk store uses when it takes a chunk's squares at upload (ChunkStore.put),
 * so a kept value and one computed now from the disk are the same bits. An update with a chunk
 * that is not a whole number of floats (no holder cuts one so, but the wire allows it) is summed
 * per window instead, from the disk, whatever the store kept.
 */
import { sumSquares } from "../../kernels/index.js";
import type { Manifest } from "../../proto/index.js";
import type { ModelChunks } from "./model-chunks.js";
import type { UpdateRangeReader } from "./robust-aggregation.js";
import type { PendingUpdate } from "./streaming-sum.js";
import { upperBound } from "./sorted-search.js";

/** The norm and reader of a stored update (`weight` is the caller's). */
export function updateSource(chunks: ModelChunks, manifest: Manifest, weight: number): PendingUpdate {
  const read = chunkRangeReader(chunks, manifest);
  return {
    weight,
    read,
    norm: async (scratch) => {
      if (manifest.chunks.some((c) => c.sizeBytes % 4 !== 0)) return windowedNorm(read, manifest.sizeBytes / 4, scratch);
      let squares = 0;
      for (const chunk of manifest.chunks) {
        const kept = chunks.squareSum(chunk.sha256, chunk.sizeBytes);
        if (kept !== undefined) {
          squares += kept;
          continue;
        }
        const values = chunk.sizeBytes <= scratch.byteLength ? scratch.subarray(0, chunk.sizeBytes / 4) : new Float32Array(chunk.sizeBytes / 4);
        await chunks.readInto(chunk.sha256, new Uint8Array(values.buffer, values.byteOffset, chunk.sizeBytes));
        squares += sumSquares(values);
      }
      return Math.sqrt(squares);
    },
  };
}

async function windowedNorm(read: UpdateRangeReader, values: number, scratch: Float32Array): Promise<number> {
  if (!Number.isInteger(values)) throw new RangeError(`an update of ${values * 4} bytes is not a whole number of float32 values`);
  let squares = 0;
  for (let start = 0; start < values; start += scratch.length) {
    const window = scratch.subarray(0, Math.min(scratch.length, values - start));
    await read(start, window);
    squares += sumSquares(window);
  }
  return Math.sqrt(squares);
}

/**
 * Reads value ranges of a chunked file: a chunk wholly inside the range is read straight into
 * place (readInto: no copy); one cut by the range is loaded once and kept until the reader moves
 * past it (at most one chunk, ≤ maxChunkBytes, per reader).
 */
export function chunkRangeReader(chunks: ModelChunks, manifest: Manifest): UpdateRangeReader {
  const starts: number[] = [];
  let total = 0;
  for (const chunk of manifest.chunks) {
    starts.push(total);
    total += chunk.sizeBytes;
  }
  if (total !== manifest.sizeBytes) throw new RangeError(`file ${manifest.sha256}: chunk sizes add up to ${total}, the manifest says ${manifest.sizeBytes}`);
  let keptIndex = -1;
  let kept: Uint8Array = new Uint8Array(0);
  return async (startValue, out) => {
    const target = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const first = startValue * 4;
    const end = first + target.length;
    if (first < 0 || end > total) throw new RangeError(`bytes ${first}..${end} are outside the update (${total} bytes)`);
    let index = lastChunkStartingAtOrBefore(starts, first);
    let at = first;
    while (at < end) {
      const chunk = manifest.chunks[index] as { sha256: string; sizeBytes: number };
      const chunkStart = starts[index] as number;
      const chunkEnd = chunkStart + chunk.sizeBytes;
      if (chunkStart === at && chunkEnd <= end) {
        await chunks.readInto(chunk.sha256, target.subarray(at - first, chunkEnd - first));
      } else {
        if (keptIndex !== index) {
          kept = await chunks.get(chunk.sha256);
          keptIndex = index;
        }
        const upTo = Math.min(chunkEnd, end);
        target.set(kept.subarray(at - chunkStart, upTo - chunkStart), at - first);
      }
      at = Math.min(chunkEnd, end);
      index++;
    }
  };
}

function lastChunkStartingAtOrBefore(starts: readonly number[], byte: number): number {
  return Math.max(0, upperBound(starts, byte) - 1);
}
