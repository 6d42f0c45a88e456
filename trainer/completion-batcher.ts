/**
 * Sends a node's task completions with at most one call in flight: a completion that finishes
 * while another call is on its way waits for it and then goes out together with every other
 * one that queued meanwhile, in one CompleteTasks call. A node running many small tasks at
 * once then pays one round trip (and one coordinator fsync) for several tasks, while a lone
 * completion goes out at once as a plain CompleteTask: no added latency when the node is quiet.
 *
 * Each completion still gets its own answer: the coordinator records them one by one, and an
 * item it refuses (ABORTED: stale lease, ...) rejects that completion's promise with an error
 * shaped like a gRPC one (`code`, `details`), so callers sort it exactly as a failed
 * CompleteTask. A coordinator without CompleteTasks (UNIMPLEMENTED) gets single calls from
 * then on.
 */
import * as grpc from "@grpc/grpc-js";
import { type CompleteTaskRequest, type CompleteTaskResponseOut, type CompleteTasksResponseOut, type TaskOut, tunables } from "../proto/index.js";
import { statusOf } from "./node-rpc.js";

export interface CompletionAnswer {
  accepted: boolean;
  nextTask: TaskOut | null;
}

export interface CompletionSender {
  /** One CompleteTask call. */
  one(request: CompleteTaskRequest): Promise<CompleteTaskResponseOut>;
  /** One CompleteTasks call. */
  many(requests: CompleteTaskRequest[]): Promise<CompleteTasksResponseOut>;
}

interface Queued {
  request: CompleteTaskRequest;
  inlineBytes: number;
  resolve: (answer: CompletionAnswer) => void;
  reject: (error: unknown) => void;
}

/** The error a refused item of a batch becomes: what CompleteTask would have thrown. */
export function batchItemError(code: number, message: string): Error {
  return Object.assign(new Error(`${grpc.status[code] ?? code}: ${message}`), { code, details: message });
}

function inlineBytesOf(request: CompleteTaskRequest): number {
  return (request.inlineChunks ?? []).reduce((sum, chunk) => sum + (chunk.data?.length ?? 0), 0);
}

export class CompletionBatcher {
  readonly #send: CompletionSender;
  readonly #maxItems: number;
  readonly #maxInlineBytes: number;
  readonly #queue: Queued[] = [];
  #inFlight = false;
  #batchesUnsupported = false;
  /** Calls made and completions sent (tests and the node's metrics read them). */
  calls = 0;
  completions = 0;

  constructor(send: CompletionSender, limits: { maxItems?: number; maxInlineBytes?: number } = {}) {
    this.#send = send;
    this.#maxItems = Math.max(1, Math.min(limits.maxItems ?? tunables.maxCompletionsPerCall, tunables.maxCompletionsPerCall));
    this.#maxInlineBytes = limits.maxInlineBytes ?? tunables.maxBatchInlineResultBytes;
  }

  /** Sends one completion (now, or with the next call) and resolves with its own answer. */
  complete(request: CompleteTaskRequest): Promise<CompletionAnswer> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, inlineBytes: inlineBytesOf(request), resolve, reject });
      this.#pump();
    });
  }

  /** The completions for the next call: in order, within the item and inline-byte limits (always at least one). */
  #takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = 0;
    const maxItems = this.#batchesUnsupported ? 1 : this.#maxItems;
    while (this.#queue.length > 0 && batch.length < maxItems) {
      const next = this.#queue[0]!;
      if (batch.length > 0 && bytes + next.inlineBytes > this.#maxInlineBytes) break;
      bytes += next.inlineBytes;
      batch.push(this.#queue.shift()!);
    }
    return batch;
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#takeBatch();
    this.#inFlight = true;
    this.calls += 1;
    this.completions += batch.length;
    const sent = batch.length === 1 ? this.#sendOne(batch[0]!) : this.#sendMany(batch);
    void sent.finally(() => {
      this.#inFlight = false;
      this.#pump();
    });
  }

  async #sendOne(item: Queued): Promise<void> {
    try {
      const response = await this.#send.one(item.request);
      item.resolve({ accepted: response.accepted, nextTask: response.nextTask });
    } catch (error) {
      item.reject(error);
    }
  }

  async #sendMany(batch: Queued[]): Promise<void> {
    let response: CompleteTasksResponseOut;
    try {
      response = await this.#send.many(batch.map((item) => item.request));
    } catch (error) {
      if (statusOf(error) === grpc.status.UNIMPLEMENTED) {
        // An older coordinator: send these again one by one, and never batch again.
        this.#batchesUnsupported = true;
        this.calls -= 1;
        this.completions -= batch.length;
        this.#queue.unshift(...batch);
        return;
      }
      for (const item of batch) item.reject(error);
      return;
    }
    for (const [i, item] of batch.entries()) {
      const outcome = response.outcomes[i];
      if (outcome === undefined)
        item.reject(batchItemError(grpc.status.INTERNAL, `the coordinator answered ${response.outcomes.length} outcomes for ${batch.length} completions`));
      else if (outcome.code !== grpc.status.OK) item.reject(batchItemError(outcome.code, outcome.message));
      else item.resolve({ accepted: outcome.response?.accepted ?? false, nextTask: outcome.response?.nextTask ?? null });
    }
  }
}
