/**
 * Loaded models (copula, CTGAN, TVAE) kept between tasks of one worker thread. Parsing and checksumming the
 * model file was 70 % of a small SAMPLE task's CPU (profile of the service bench: 16.7 s of
 * 22.8 s busy in a worker, for ~520 tasks), and every SAMPLE job of a batch reads the same model.
 * A model file is immutable once written (uploads are cached under their SHA-256; results are
 * written by temp file + rename), so an entry is keyed by path and the file's identity (inode,
 * size, mtime): a file replaced under the same path is parsed again. At most `maxEntries` models
 * stay (least recently used goes first); callers must not modify a returned model.
 */
import { statSync } from "node:fs";
import { loadSynthModel, type SynthModel } from "../generators/index.js";

interface Entry {
  identity: string;
  model: Promise<SynthModel>;
}

export class ModelCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  /** Parses done so far (tests check that a second load of the same file does none). */
  parses = 0;

  constructor(maxEntries = 4) {
    this.#maxEntries = Math.max(1, maxEntries);
  }

  async load(path: string): Promise<SynthModel> {
    const info = statSync(path);
    const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
    const cached = this.#entries.get(path);
    if (cached !== undefined && cached.identity === identity) {
      // Re-insert: Map order is the recency order.
      this.#entries.delete(path);
      this.#entries.set(path, cached);
      return cached.model;
    }
    this.parses++;
    const model = loadSynthModel(path);
    const entry: Entry = { identity, model };
    this.#entries.delete(path);
    this.#entries.set(path, entry);
    // A file that fails to load is not remembered: the next task gets the same error afresh.
    model.catch(() => {
      if (this.#entries.get(path) === entry) this.#entries.delete(path);
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return model;
  }
}
