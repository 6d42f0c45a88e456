/**
 * Fills an update slot straight from the chunk store: chunk by chunk into the slot's bytes, each
 * chunk dropped as soon as it is copied — the update is never held twice.
 */
import type { Manifest } from "../../proto/index.js";
import type { ModelChunks } from "./model-chunks.js";

export function updateSource(chunks: ModelChunks, manifest: Manifest): (slot: Uint8Array) => Promise<void> {
  return async (slot) => {
    if (manifest.sizeBytes !== slot.length) throw new RangeError(`update ${manifest.sha256} has ${manifest.sizeBytes} bytes, the slot ${slot.length}`);
    let offset = 0;
    for (const chunk of manifest.chunks) {
      const data = await chunks.get(chunk.sha256);
      slot.set(data, offset);
      offset += data.length;
    }
  };
}
