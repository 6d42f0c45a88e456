import { describe, expect, it } from "vitest";
import { type LeaseWake, LeaseWaiters } from "./lease-waiters.js";

/** Resolves to what each waiter got, or "pending" if it is still waiting. */
async function states(waits: Promise<LeaseWake>[]): Promise<(LeaseWake | "pending")[]> {
  return Promise.all(waits.map((wait) => Promise.race([wait, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))])));
}

describe("LeaseWaiters", () => {
  it("offerOne wakes only the longest waiter, with the rest of the queue as hops", async () => {
    const waiters = new LeaseWaiters();
    const waits = ["a", "b", "c"].map((id) => waiters.wait(id, 60_000));
    waiters.offerOne();
    expect(await states(waits)).toEqual([{ hops: 2 }, "pending", "pending"]);
    expect(waiters.size).toBe(2);
    waiters.wakeAll();
  });

  it("a wake passed on goes round the queue once and then stops", async () => {
    const waiters = new LeaseWaiters();
    const woken: string[] = [];
    let stopped = false;
    // Nodes that can never place the job: when woken, each passes the wake on and waits again (as leaseTask does).
    const node = async (id: string) => {
      for (;;) {
        const wake = await waiters.wait(id, 60_000);
        if (stopped) return;
        woken.push(id);
        waiters.passOn(wake);
      }
    };
    const nodes = ["a", "b", "c"].map(node);
    waiters.offerOne();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toEqual(["a", "b", "c"]);
    stopped = true;
    waiters.wakeAll();
    await Promise.all(nodes);
  });

  it("wakeNode wakes that node's waiters only; wakeAll wakes everyone", async () => {
    const waiters = new LeaseWaiters();
    const waits = [waiters.wait("a", 60_000), waiters.wait("b", 60_000), waiters.wait("a", 60_000)];
    waiters.wakeNode("a");
    expect(await states(waits)).toEqual([{ hops: 0 }, "pending", { hops: 0 }]);
    waiters.wakeAll();
    expect(await states(waits)).toEqual([{ hops: 0 }, { hops: 0 }, { hops: 0 }]);
    expect(waiters.size).toBe(0);
  });

  it("a waiter nobody wakes returns on its own timer", async () => {
    const waiters = new LeaseWaiters();
    const started = performance.now();
    expect(await waiters.wait("a", 30)).toEqual({ hops: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(waiters.size).toBe(0);
  });
});
