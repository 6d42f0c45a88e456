/**
 * Coordinate-wise median and trimmed mean (Yin, Chen, Ramchandran & Bartlett 2018) for non-DP
 * runs. They cannot be computed as a running sum: every coordinate needs all k values. So the
 * round's updates stay in the chunk store (on disk) until the round closes, and are then read
 * back in column blocks: in memory at most k chunks (one per update, ≤ 2 MiB each) and the
 * block's k × blockSize values — never k whole updates.
 */
import { upperBound } from "./sorted-search.js";

/** Reads float32 values [start, start + out.length) of one update into out. */
export type UpdateRangeReader = (startValue: number, out: Float32Array) => Promise<void>;

/** A reader over a chunked file: chunk sizes in order and a loader of one chunk's bytes. */
export function chunkedRangeReader(chunkSizes: readonly number[], loadChunk: (index: number) => Promise<Uint8Array>): UpdateRangeReader {
  const starts: number[] = [];
  let offset = 0;
  for (const size of chunkSizes) {
    starts.push(offset);
    offset += size;
  }
  let cachedIndex = -1;
  let cached: Uint8Array = new Uint8Array(0);
  return async (startValue, out) => {
    const target = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let byte = startValue * 4;
    let written = 0;
    while (written < target.length) {
      let index = cachedIndex;
      if (index < 0 || byte < (starts[index] as number) || byte >= (starts[index] as number) + (chunkSizes[index] as number)) {
        index = upperBound(starts, byte) - 1;
        if (index < 0 || index >= chunkSizes.length) throw new RangeError(`value ${byte / 4} is past the end of the update`);
        cached = await loadChunk(index);
        cachedIndex = index;
      }
      const from = byte - (starts[index] as number);
      const take = Math.min(cached.length - from, target.length - written);
      target.set(cached.subarray(from, from + take), written);
      written += take;
      byte += take;
    }
  };
}

/** Values trimmed at each end for k updates and trim fraction β: ⌊β k⌋. */
export function trimmedCount(updates: number, trimFraction: number): number {
  return Math.floor(trimFraction * updates);
}

/**
 * Coordinate-wise median (trimFraction < 0) or β-trimmed mean of the updates, block by block.
 * Unweighted, as in Yin et al.; a coordinate's median of an even count is the mean of the two
 * middle values.
 */
export async function coordinateRobustMean(
  readers: readonly UpdateRangeReader[],
  parameters: number,
  mode: { kind: "median" } | { kind: "trimmed_mean"; trimFraction: number },
  out: Float32Array,
  blockValues = 65_536,
): Promise<void> {
  const k = readers.length;
  if (k === 0) throw new RangeError("no updates to aggregate");
  const trim = mode.kind === "trimmed_mean" ? trimmedCount(k, mode.trimFraction) : 0;
  if (k - 2 * trim < 1) throw new RangeError(`trimming ${trim} of ${k} updates at each end leaves none`);
  const block = new Float32Array(k * blockValues);
  const column = new Float64Array(k);
  for (let start = 0; start < parameters; start += blockValues) {
    const width = Math.min(blockValues, parameters - start);
    for (let u = 0; u < k; u++) await (readers[u] as UpdateRangeReader)(start, block.subarray(u * width, (u + 1) * width));
    for (let j = 0; j < width; j++) {
      for (let u = 0; u < k; u++) column[u] = block[u * width + j] as number;
      column.sort();
      if (mode.kind === "median") {
        out[start + j] = k % 2 === 1 ? (column[(k - 1) / 2] as number) : ((column[k / 2 - 1] as number) + (column[k / 2] as number)) / 2;
      } else {
        let sum = 0;
        for (let u = trim; u < k - trim; u++) sum += column[u] as number;
        out[start + j] = sum / (k - 2 * trim);
      }
    }
  }
}
