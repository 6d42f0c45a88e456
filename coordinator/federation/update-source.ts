/**
 * Fills an update slot straight from the chunk store: each chunk is read from disk into its place
 * in the slot and verified there — the update is never held twice, not even one chunk of it —
 * and its squared norm is taken chunk by chunk on the way (SlotNorm).
 */
import type { Manifest } from "../../proto/index.js";
import { type ModelChunks, readChunksInto } from "./model-chunks.js";
import type { SlotNorm } from "./streaming-sum.js";

export function updateSource(chunks: ModelChunks, manifest: Manifest): (slot: Uint8Array, norm?: SlotNorm) => Promise<void> {
  return async (slot, norm) => {
    if (manifest.sizeBytes !== slot.length) throw new RangeError(`update ${manifest.sha256} has ${manifest.sizeBytes} bytes, the slot ${slot.length}`);
    // Each chunk's squares are summed right after it is read and hashed, while it is in cache.
    await readChunksInto(chunks, manifest, slot, norm ? (filled) => norm.advance(filled) : undefined);
  };
}
