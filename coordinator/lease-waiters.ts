/**
 * Nodes blocked in LeaseTask, and whom to wake for what. Waking every waiting node for every new
 * job made each of them run a lease transaction that, for all but one, found nothing: with four
 * idle nodes that was three wasted write transactions per submit (and more per completion).
 *
 * - `offerOne()` (a new job): wakes the longest-waiting node. If it cannot place the job (it
 *   lacks a GPU, say), `passOn()` hands the wake to the next waiter, at most once around the
 *   queue, so a job some node can run reaches it, and one nobody can run stops after one round.
 * - `wakeNode(id)` (capacity freed on that node): wakes only that node's waiters.
 * - `wakeAll()` (nodes registered, leases re-queued, shutdown): wakes everyone.
 * Waiters also wake on their own timer, so a missed wake costs at most that delay, never a job.
 */
export interface LeaseWake {
  /** Further waiters this wake may still be passed to if the woken one leases nothing. */
  hops: number;
}

interface Waiter {
  nodeId: string;
  wake: (wake: LeaseWake) => void;
}

export class LeaseWaiters {
  /** Insertion order is waiting order. */
  readonly #waiters = new Set<Waiter>();

  get size(): number {
    return this.#waiters.size;
  }

  /** Waits for a wake or `timeoutMs`; resolves with the wake (hops 0 on timeout). */
  wait(nodeId: string, timeoutMs: number): Promise<LeaseWake> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        nodeId,
        wake: (wake) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(wake);
        },
      };
      const timer = setTimeout(() => waiter.wake({ hops: 0 }), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** One new unit of work: wakes the longest waiter, which may pass it round the others. */
  offerOne(): void {
    const first = this.#waiters.values().next().value;
    first?.wake({ hops: this.#waiters.size - 1 });
  }

  /** The woken waiter leased nothing: the next one tries, while hops last. */
  passOn(wake: LeaseWake): void {
    if (wake.hops <= 0) return;
    const next = this.#waiters.values().next().value;
    next?.wake({ hops: Math.min(wake.hops - 1, this.#waiters.size - 1) });
  }

  wakeNode(nodeId: string): void {
    for (const waiter of [...this.#waiters]) if (waiter.nodeId === nodeId) waiter.wake({ hops: 0 });
  }

  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake({ hops: 0 });
  }
}
