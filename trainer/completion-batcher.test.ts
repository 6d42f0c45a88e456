import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { CompleteTaskRequest, CompleteTaskResponseOut, CompleteTasksResponseOut, TaskOut } from "../proto/index.js";
import { CompletionBatcher, type CompletionSender } from "./completion-batcher.js";
import { statusOf } from "./node-rpc.js";

/** A sender whose calls stay open until the test answers them. */
class FakeSender implements CompletionSender {
  readonly calls: { kind: "one" | "many"; taskIds: string[]; settle: (answer: unknown, error?: unknown) => void }[] = [];

  one(request: CompleteTaskRequest): Promise<CompleteTaskResponseOut> {
    return new Promise((resolve, reject) => {
      this.calls.push({
        kind: "one",
        taskIds: [request.taskId!],
        settle: (answer, error) => (error ? reject(error) : resolve(answer as CompleteTaskResponseOut)),
      });
    });
  }

  many(requests: CompleteTaskRequest[]): Promise<CompleteTasksResponseOut> {
    return new Promise((resolve, reject) => {
      this.calls.push({
        kind: "many",
        taskIds: requests.map((r) => r.taskId!),
        settle: (answer, error) => (error ? reject(error) : resolve(answer as CompleteTasksResponseOut)),
      });
    });
  }
}

const request = (taskId: string, inlineBytes = 0): CompleteTaskRequest => ({
  taskId,
  leaseId: "l",
  leaseNext: true,
  inlineChunks: inlineBytes > 0 ? [{ sha256: "x", data: Buffer.alloc(inlineBytes) }] : [],
});
const task = (jobId: string) => ({ jobId, taskId: `${jobId}/n`, leaseId: "n" }) as TaskOut;
const ok = (nextTask: TaskOut | null = null) => ({ code: grpc.status.OK, message: "", response: { accepted: true, nextTask } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** t1 goes alone and is answered; t2 and t3 queue behind it, and their batch call fails with `code`. */
async function batchCallFailing(code: grpc.status) {
  const sender = new FakeSender();
  const batcher = new CompletionBatcher(sender);
  const first = batcher.complete(request("t1"));
  const batch = [batcher.complete(request("t2")), batcher.complete(request("t3"))];
  sender.calls[0]!.settle({ accepted: true, nextTask: null });
  await first;
  await tick();
  sender.calls[1]!.settle(undefined, Object.assign(new Error(grpc.status[code]), { code }));
  return { sender, batcher, batch };
}

describe("CompletionBatcher", () => {
  it("sends a lone completion at once as CompleteTask", async () => {
    const sender = new FakeSender();
    const batcher = new CompletionBatcher(sender);
    const answer = batcher.complete(request("t1"));
    expect(sender.calls.map((c) => [c.kind, c.taskIds])).toEqual([["one", ["t1"]]]);
    sender.calls[0]!.settle({ accepted: true, nextTask: task("j9") });
    await expect(answer).resolves.toEqual({ accepted: true, nextTask: task("j9") });
  });

  it("sends the completions that finish during a call together when it returns, each with its own answer", async () => {
    const sender = new FakeSender();
    const batcher = new CompletionBatcher(sender);
    const first = batcher.complete(request("t1"));
    const rest = ["t2", "t3", "t4"].map((id) => batcher.complete(request(id)));
    expect(sender.calls).toHaveLength(1); // one call at a time
    sender.calls[0]!.settle({ accepted: true, nextTask: null });
    await first;
    await tick();
    expect(sender.calls.map((c) => [c.kind, c.taskIds])).toEqual([
      ["one", ["t1"]],
      ["many", ["t2", "t3", "t4"]],
    ]);
    // t3's lease was gone: only its promise fails, with the code CompleteTask would have had.
    sender.calls[1]!.settle({ outcomes: [ok(task("j5")), { code: grpc.status.ABORTED, message: "lease expired", response: null }, ok()] });
    const settled = await Promise.allSettled(rest);
    expect(settled[0]).toEqual({ status: "fulfilled", value: { accepted: true, nextTask: task("j5") } });
    expect(settled[2]).toEqual({ status: "fulfilled", value: { accepted: true, nextTask: null } });
    const refused = settled[1] as PromiseRejectedResult;
    expect(statusOf(refused.reason)).toBe(grpc.status.ABORTED);
    expect((refused.reason as { details: string }).details).toBe("lease expired");
    expect({ calls: batcher.calls, completions: batcher.completions }).toEqual({ calls: 2, completions: 4 });
  });

  it("keeps each call within the item and inline-byte limits, in order", async () => {
    const sender = new FakeSender();
    const batcher = new CompletionBatcher(sender, { maxItems: 3, maxInlineBytes: 1000 });
    const answers = [batcher.complete(request("t0"))];
    for (let i = 1; i <= 7; i++) answers.push(batcher.complete(request(`t${i}`, i === 5 ? 950 : 100)));
    // Answer each call as it comes; every new call starts only once the previous one returned.
    for (let answered = 0; answered < sender.calls.length; answered++) {
      const call = sender.calls[answered]!;
      call.settle(call.kind === "one" ? { accepted: true, nextTask: null } : { outcomes: call.taskIds.map(() => ok()) });
      await tick();
    }
    await Promise.all(answers);
    // t1..t3 (3 items), t4 alone (with t5's 950 bytes it would be 1,050), t5 alone (likewise with t6), then t6 and t7.
    expect(sender.calls.map((c) => c.taskIds)).toEqual([["t0"], ["t1", "t2", "t3"], ["t4"], ["t5"], ["t6", "t7"]]);
  });

  it("rejects every completion of a batch whose call failed, and goes on with the next", async () => {
    const { sender, batcher, batch } = await batchCallFailing(grpc.status.UNAVAILABLE);
    for (const answer of await Promise.allSettled(batch)) expect(statusOf((answer as PromiseRejectedResult).reason)).toBe(grpc.status.UNAVAILABLE);
    const later = batcher.complete(request("t4"));
    expect(sender.calls.at(-1)!.taskIds).toEqual(["t4"]);
    sender.calls.at(-1)!.settle({ accepted: true, nextTask: null });
    await expect(later).resolves.toEqual({ accepted: true, nextTask: null });
  });

  it("falls back to one CompleteTask per completion for a coordinator without CompleteTasks", async () => {
    const { sender, batcher, batch } = await batchCallFailing(grpc.status.UNIMPLEMENTED);
    await tick();
    expect(sender.calls.slice(2).map((c) => [c.kind, c.taskIds])).toEqual([["one", ["t2"]]]);
    sender.calls[2]!.settle({ accepted: true, nextTask: task("j7") });
    await tick();
    expect(sender.calls.slice(3).map((c) => [c.kind, c.taskIds])).toEqual([["one", ["t3"]]]);
    // Queued behind t3 now: still sent alone, never batched again.
    const t4 = batcher.complete(request("t4"));
    sender.calls[3]!.settle({ accepted: true, nextTask: null });
    await tick();
    expect(sender.calls.slice(4).map((c) => [c.kind, c.taskIds])).toEqual([["one", ["t4"]]]);
    sender.calls[4]!.settle({ accepted: true, nextTask: null });
    expect(await Promise.all([...batch, t4])).toEqual([
      { accepted: true, nextTask: task("j7") },
      { accepted: true, nextTask: null },
      { accepted: true, nextTask: null },
    ]);
  });
});
