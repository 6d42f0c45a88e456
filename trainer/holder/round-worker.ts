/**
 * Worker-thread side of the holder's round runner: keeps the holder's encoded rows on the
 * device and trains one round per message, off the sidecar's event loop (a round is synchronous
 * native work that would otherwise starve heartbeats and lease renewals).
 */
import { parentPort } from "node:worker_threads";
import { type LocalData, type RoundSettings, RoundTrainer, type RoundUpdate } from "./train-round.js";

export type ToRoundWorker = { type: "load"; data: LocalData } | { type: "train"; id: number; settings: RoundSettings };
export type FromRoundWorker = { type: "done"; id: number; update: RoundUpdate } | { type: "error"; id: number; name: string; message: string };

const port = parentPort;
if (port === null) throw new Error("trainer/holder/round-worker.js runs only as a worker thread of the holder sidecar");

let trainer: RoundTrainer | undefined;

port.on("message", (message: ToRoundWorker) => {
  if (message.type === "load") {
    trainer?.dispose();
    trainer = new RoundTrainer(message.data);
    return;
  }
  try {
    if (!trainer) throw new Error("the round worker was asked to train before the data was loaded");
    const update = trainer.train(message.settings);
    port.postMessage({ type: "done", id: message.id, update } satisfies FromRoundWorker, [update.update.buffer as ArrayBuffer]);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: "error", id: message.id, name: failure.name, message: failure.message } satisfies FromRoundWorker);
  }
});
