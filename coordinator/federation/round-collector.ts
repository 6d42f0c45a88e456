/**
 * One round attempt: its holders' tasks, the updates as they arrive, and their summation in a
 * fixed order. Updates are summed in holder-id order — an update that arrives before the
 * holders ahead of it waits in the chunk store (on disk, not in memory) — so the sum's float
 * rounding, hence the model, does not depend on arrival order: a restarted coordinator that sums
 * the same updates gets the same bits. At the deadline the holders still missing are stragglers:
 * dropped from the order, deterministically, and the rest is summed.
 */
import type { AcceptedUpdate } from "./round-store.js";
import type { PendingUpdate, StreamingUpdateSum, UpdateOutcome } from "./streaming-sum.js";

export type TaskState = "pending" | "leased" | "done" | "refused" | "failed" | "straggler";

export interface RoundTask {
  readonly taskId: string;
  readonly holderId: string;
  leaseId: string | null;
  state: TaskState;
  update?: AcceptedUpdate;
}

export interface CollectedRound {
  readonly summed: AcceptedUpdate[];
  readonly rejected: { update: AcceptedUpdate; reason: string }[];
  readonly stragglers: string[];
}

export class RoundCollector {
  readonly tasks: Map<string, RoundTask>;
  private readonly order: string[];
  private next = 0;
  private draining: Promise<void> = Promise.resolve();
  private readonly summed: AcceptedUpdate[] = [];
  private readonly rejected: { update: AcceptedUpdate; reason: string }[] = [];
  private settledWaiters: (() => void)[] = [];
  /** Most updates summed together (one window of each in memory at once). */
  peakInMemory = 0;

  private readonly sum: StreamingUpdateSum;
  private readonly toPending: (update: AcceptedUpdate) => PendingUpdate;

  constructor(tasks: readonly RoundTask[], sum: StreamingUpdateSum, toPending: (update: AcceptedUpdate) => PendingUpdate) {
    this.sum = sum;
    this.toPending = toPending;
    this.tasks = new Map(tasks.map((t) => [t.holderId, t]));
    this.order = tasks.map((t) => t.holderId).sort();
  }

  /** True when no task is still pending or leased. */
  get settled(): boolean {
    for (const task of this.tasks.values()) if (task.state === "pending" || task.state === "leased") return false;
    return true;
  }

  /** Records an arrived update (already persisted) and sums what is now in order. */
  arrive(update: AcceptedUpdate): Promise<void> {
    const task = this.tasks.get(update.holderId);
    if (!task || task.state === "done" || task.state === "straggler") return this.draining;
    task.state = "done";
    task.update = update;
    return this.progress();
  }

  /** A holder that refused or failed: skipped in the order. */
  skip(holderId: string, state: "refused" | "failed"): Promise<void> {
    const task = this.tasks.get(holderId);
    if (!task || task.state === "done" || task.state === "straggler") return this.draining;
    task.state = state;
    return this.progress();
  }

  /** Resolves when every task is settled (done, refused, failed). */
  whenSettled(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Deadline passed: the missing holders become stragglers; sums the rest and returns the round. */
  async close(): Promise<CollectedRound> {
    const stragglers: string[] = [];
    for (const task of this.tasks.values()) {
      if (task.state === "pending" || task.state === "leased") {
        task.state = "straggler";
        stragglers.push(task.holderId);
      }
    }
    await this.progress();
    return { summed: [...this.summed], rejected: [...this.rejected], stragglers: stragglers.sort() };
  }

  private progress(): Promise<void> {
    if (this.settled) {
      for (const resolve of this.settledWaiters.splice(0)) resolve();
    }
    this.draining = this.draining.then(() => this.drain());
    return this.draining;
  }

  /**
   * Sums the next group of the order once every holder in it is settled. Groups are fixed
   * (positions g·b … (g+1)·b − 1 of the order, b the sum's batch size), not "whatever has
   * arrived", because the kernel sums a batch in double and S in float32: the same groups give
   * the same bits.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const groupEnd = Math.min(this.order.length, this.next + this.sum.batchSize);
      if (this.next >= groupEnd) return;
      const group = this.order.slice(this.next, groupEnd).map((holderId) => this.tasks.get(holderId) as RoundTask);
      if (group.some((task) => task.state === "pending" || task.state === "leased")) return;
      this.next = groupEnd;
      const batch = group.filter((task) => task.state === "done" && task.update).map((task) => task.update as AcceptedUpdate);
      if (batch.length === 0) continue;
      this.peakInMemory = Math.max(this.peakInMemory, batch.length);
      const outcomes: UpdateOutcome[] = await this.sum.addBatch(batch.map((u) => this.toPending(u)));
      outcomes.forEach((outcome, i) => {
        const update = batch[i] as AcceptedUpdate;
        if (outcome.accepted) this.summed.push(update);
        else this.rejected.push({ update, reason: outcome.reason });
      });
    }
  }
}
