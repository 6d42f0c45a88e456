/**
 * The node's cache of downloaded job inputs (`work-dir/inputs/<sha256>/<name>`), kept under a
 * size cap. An input is downloaded once and reused by every later task that names it (a SAMPLE
 * batch draws every job from the same model). After each new download, the least recently used
 * inputs that no running task holds are removed until the cache fits; the input just fetched
 * always stays, even if it alone is above the cap. Tasks running at once that need the same
 * input share one download (each download writes the same temporary file).
 *
 * Inputs are content-addressed and verified before they are renamed into place, so a file in
 * the cache is always whole; what was cached by an earlier run of the agent is picked up at the
 * first use, ordered by modification time.
 */
import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

interface Entry {
  bytes: number;
  lastUsedMs: number;
  /** Running tasks that use it: never removed while above 0. */
  holders: number;
}

export interface CachedInput {
  path: string;
  /** The task is done with the file (idempotent). */
  release(): void;
}

export class InputCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #log: (line: string) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #downloads = new Map<string, Promise<void>>();
  readonly #removing = new Map<string, Promise<void>>();
  #scanned: Promise<void> | undefined;
  /** Inputs removed to keep under the cap (tests and logs). */
  evictions = 0;

  constructor(dir: string, maxBytes: number, log: (line: string) => void = () => undefined) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    this.#log = log;
  }

  /** Folder an input lives in. */
  dirOf(sha256: string): string {
    return join(this.#dir, sha256);
  }

  /** Bytes the cache holds now (as far as this agent knows). */
  get bytes(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.bytes;
    return total;
  }

  /**
   * The local path of input `sha256` (file `name` in its folder), calling `download(path)` first
   * when it is not cached; `download` must leave a whole, verified file at `path` or throw. The
   * caller holds the input until it calls `release()`.
   */
  async acquire(sha256: string, name: string, download: (path: string) => Promise<void>): Promise<CachedInput> {
    await (this.#scanned ??= this.#scan());
    const path = join(this.dirOf(sha256), name);
    for (;;) {
      await this.#removing.get(sha256);
      const running = this.#downloads.get(sha256);
      if (running !== undefined) {
        // Another task is fetching it: wait, then look again (if that download failed, this task tries with its own).
        await running.catch(() => undefined);
        continue;
      }
      if (existsSync(path)) return this.#hold(sha256, path);
      break;
    }
    const fetched = download(path).then(async () => {
      const bytes = (await stat(path)).size;
      this.#entries.set(sha256, { bytes, lastUsedMs: Date.now(), holders: 0 });
    });
    this.#downloads.set(sha256, fetched);
    try {
      await fetched;
    } finally {
      this.#downloads.delete(sha256);
    }
    const held = this.#hold(sha256, path);
    await this.#evict(sha256);
    return held;
  }

  #hold(sha256: string, path: string): CachedInput {
    let entry = this.#entries.get(sha256);
    if (entry === undefined) {
      // A file this agent has not seen yet (left by another process): counted from now on.
      entry = { bytes: 0, lastUsedMs: 0, holders: 0 };
      this.#entries.set(sha256, entry);
      void stat(path).then(
        (info) => {
          if (entry !== undefined) entry.bytes = info.size;
        },
        () => undefined,
      );
    }
    entry.holders += 1;
    entry.lastUsedMs = Date.now();
    let released = false;
    const held = entry;
    return {
      path,
      release: () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        held.lastUsedMs = Date.now();
      },
    };
  }

  /** What an earlier run of the agent left: sized, and ordered by modification time. */
  async #scan(): Promise<void> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    for (const sha256 of names) {
      const dir = this.dirOf(sha256);
      try {
        let bytes = 0;
        let lastUsedMs = 0;
        for (const file of await readdir(dir)) {
          const info = await stat(join(dir, file));
          bytes += info.size;
          lastUsedMs = Math.max(lastUsedMs, info.mtimeMs);
        }
        if (!this.#entries.has(sha256)) this.#entries.set(sha256, { bytes, lastUsedMs, holders: 0 });
      } catch {
        // Not a folder, or gone meanwhile: nothing to count.
      }
    }
  }

  /** Removes least recently used, unheld inputs (never `keep`) until the cache fits. */
  async #evict(keep: string): Promise<void> {
    let total = this.bytes;
    if (total <= this.#maxBytes) return;
    const candidates = [...this.#entries.entries()]
      .filter(([sha256, entry]) => sha256 !== keep && entry.holders === 0)
      .sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs);
    for (const [sha256, entry] of candidates) {
      if (total <= this.#maxBytes) break;
      if (entry.holders > 0 || this.#downloads.has(sha256)) continue; // taken again meanwhile
      this.#entries.delete(sha256);
      total -= entry.bytes;
      this.evictions += 1;
      const removal = rm(this.dirOf(sha256), { recursive: true, force: true }).finally(() => this.#removing.delete(sha256));
      this.#removing.set(sha256, removal);
      await removal.catch((error: unknown) =>
        this.#log(`could not remove cached input ${sha256.slice(0, 12)}…: ${error instanceof Error ? error.message : String(error)}`),
      );
      this.#log(`removed cached input ${sha256.slice(0, 12)}… (${entry.bytes} bytes) to keep the input cache under ${this.#maxBytes} bytes`);
    }
  }
}
