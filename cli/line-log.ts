/**
 * Log lines for long-running commands (`datalab node`), written in batches: lines gather for at
 * most `flushMs` (or `maxBytes`) and go out in one write. A busy node logs two lines per task;
 * at hundreds of small tasks a second, one write per line was a visible share of its CPU.
 * Everything buffered is written when the process exits (normally or by process.exit), so only
 * a kill -9 can lose the last `flushMs` of lines.
 */
export class LineLog {
  readonly #write: (text: string) => void;
  readonly #flushMs: number;
  readonly #maxBytes: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onExit = () => this.flush();

  constructor(options: { write?: (text: string) => void; flushMs?: number; maxBytes?: number } = {}) {
    this.#write = options.write ?? ((text) => process.stderr.write(text));
    this.#flushMs = options.flushMs ?? 50;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
    process.on("exit", this.#onExit);
  }

  /** Queues one line (a newline is added). */
  line(text: string): void {
    const line = `${text}\n`;
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= this.#maxBytes) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#flushMs);
      // A pending flush must not keep the process alive: the exit hook writes what is left.
      this.#timer.unref();
    }
  }

  /** Writes everything queued now. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#write(text);
  }

  /** Flushes and stops listening for the process exit. */
  close(): void {
    this.flush();
    process.off("exit", this.#onExit);
  }
}
