/**
 * Fills an update slot straight from the chunk store: each chunk is read from disk into its place
 * in the slot and verified there — the update is never held twice, not even one chunk of it.
 */
import type { Manifest } from "../../proto/index.js";
import { type ModelChunks, readChunksInto } from "./model-chunks.js";

export function updateSource(chunks: ModelChunks, manifest: Manifest): (slot: Uint8Array) => Promise<void> {
  return async (slot) => {
    if (manifest.sizeBytes !== slot.length) throw new RangeError(`update ${manifest.sha256} has ${manifest.sizeBytes} bytes, the slot ${slot.length}`);
    await readChunksInto(chunks, manifest, slot);
  };
}
