/**
 * Runs the holder's rounds in a worker thread (trainer/holder/round-worker.ts) so the sidecar's
 * event loop keeps heartbeating while a round trains; the rows are sent to the worker once.
 * `inline: true` trains on the calling thread instead (tests, tiny data).
 */
import { Worker } from "node:worker_threads";
import type { FromRoundWorker, ToRoundWorker } from "./round-worker.js";
import { type LocalData, type RoundSettings, RoundTrainer, type RoundUpdate } from "./train-round.js";

export class RoundRunner {
  readonly #worker: Worker | undefined;
  readonly #inline: RoundTrainer | undefined;
  readonly #pending = new Map<number, { resolve: (u: RoundUpdate) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(data: LocalData, options: { inline?: boolean; workerUrl?: URL } = {}) {
    if (options.inline) {
      this.#inline = new RoundTrainer(data);
      return;
    }
    this.#worker = new Worker(options.workerUrl ?? new URL("./round-worker.js", import.meta.url));
    this.#worker.on("message", (message: FromRoundWorker) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.type === "done") pending.resolve(message.update);
      else pending.reject(Object.defineProperty(new Error(message.message), "name", { value: message.name }));
    });
    this.#worker.on("error", (error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
    this.#worker.postMessage({ type: "load", data } satisfies ToRoundWorker);
  }

  /** Trains one round. */
  train = (settings: RoundSettings): Promise<RoundUpdate> => {
    if (this.#inline) {
      try {
        return Promise.resolve(this.#inline.train(settings));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker?.postMessage({ type: "train", id, settings } satisfies ToRoundWorker);
    });
  };

  async close(): Promise<void> {
    this.#inline?.dispose();
    if (this.#worker) await this.#worker.terminate();
  }
}
