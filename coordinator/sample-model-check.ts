/**
 * A SAMPLE job's input must be a sound model file: the coordinator parses and validates it at
 * SubmitJob (generators' parseModel: format, version, checksum, and the structural rules of
 * model-structure.ts, each named by its JSON path), so a hand-edited or foreign file is refused
 * with INVALID_ARGUMENT there instead of failing, or sampling nonsense, on a node later. A model
 * that passed is remembered by its SHA-256 (every SAMPLE job of a batch names the same model;
 * re-reading it per submit was a top item of the coordinator's profile, see chunk-store.ts).
 */
import { readFile } from "node:fs/promises";
import { ModelFileError, parseSynthModel } from "../generators/index.js";
import type { Manifest } from "../proto/index.js";
import type { ChunkStore } from "./chunk-store.js";
import { InvalidArgumentError } from "./errors.js";

/** Models remembered at most (a bound on memory; the set starts over when full). */
const MAX_REMEMBERED_MODELS = 4096;

export class SampleModelCheck {
  readonly #chunks: ChunkStore;
  readonly #valid = new Set<string>();

  constructor(chunks: ChunkStore) {
    this.#chunks = chunks;
  }

  /** Checks an uploaded model (its chunks already verified against the manifest). */
  async checkUpload(manifest: Manifest): Promise<void> {
    if (this.#valid.has(manifest.sha256)) return;
    const parts: Buffer[] = [];
    for (const chunk of manifest.chunks) parts.push(await this.#chunks.get(chunk.sha256));
    this.#parse(Buffer.concat(parts).toString("utf8"), `uploaded model "${manifest.name}"`, "spec.input.upload");
    this.#remember(manifest.sha256);
  }

  /** Checks a bundled input named as a SAMPLE job's model (bundled inputs are tables, so this refuses them with the reason). */
  async checkBundled(uri: string, path: string): Promise<void> {
    this.#parse(await readFile(path, "utf8"), `bundled input "${uri}"`, "spec.input.bundled_uri");
  }

  #parse(text: string, name: string, field: string): void {
    try {
      // Any model a node samples (trainer/model-cache.ts loads copula, MST, AIM, CTGAN and TVAE files alike).
      parseSynthModel(text, name);
    } catch (error) {
      if (error instanceof ModelFileError)
        throw new InvalidArgumentError(`${field}: a SAMPLE job needs a datalab model file: ${error.message}`, { cause: error });
      throw error;
    }
  }

  #remember(sha256: string): void {
    if (this.#valid.size >= MAX_REMEMBERED_MODELS) this.#valid.clear();
    this.#valid.add(sha256);
  }
}
