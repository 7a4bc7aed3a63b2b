/**
 * Sends to one conversation take turns in this process before they reach PostgreSQL.
 *
 * Each send bumps its conversation's `last_seq`, a row lock held until commit, so concurrent
 * sends to one conversation run one after the other anyway. Without this queue each waiter
 * does so inside PostgreSQL, holding a pool connection and a lock slot: eight in flight on a
 * conversation take eight connections for the throughput of one, and starve every other
 * conversation of the pool (issue #28, N=8 slower than N=1). With it, at most one send per
 * conversation is in a statement from this process; the others wait here, in FIFO order.
 *
 * Only an optimisation: correctness (seq order = commit order, one message per clientId)
 * still comes from the database, which orders sends across processes the same way.
 */

/** A send found its conversation's queue at its bound (MessagesService answers 429 rate_limited). */
export class ConversationQueueFull extends Error {
  constructor(readonly conversationId: string) {
    super('Too many sends are waiting for this conversation.');
  }
}

interface Lane {
  /** Resolvers of the runs waiting behind the one in progress, oldest first. */
  waiting: Array<() => void>;
}

/**
 * A place taken in a conversation's queue before the send's work that precedes its statement
 * (the send budget, the screen): `run` uses it, `release` gives it back unused (idempotent; a
 * no-op once `run` took it). While held it counts against the bound as a waiting run does.
 */
export interface QueueTurn {
  run<T>(fn: () => Promise<T>): Promise<T>;
  release(): void;
}

export class ConversationQueue {
  /** A conversation has a lane exactly while one of its runs is in progress (an idle conversation costs nothing). */
  private readonly lanes = new Map<string, Lane>();
  /** Turns taken (reserve) and not yet run or released, per conversation; absent at zero. */
  private readonly reserved = new Map<string, number>();

  /** maxWaiting: how many runs may wait behind the one in progress, per conversation. */
  constructor(private readonly maxWaiting: number) {}

  /**
   * Takes a place in this conversation's queue now, synchronously, or throws
   * ConversationQueueFull when the one in progress and maxWaiting others (waiting or
   * reserved) already hold one. So a caller learns the queue is full before it spends
   * anything on the run (MessagesService: before the send budget).
   */
  reserve(conversationId: string): QueueTurn {
    const lane = this.lanes.get(conversationId);
    const held = (lane ? 1 + lane.waiting.length : 0) + (this.reserved.get(conversationId) ?? 0);
    if (held > this.maxWaiting) throw new ConversationQueueFull(conversationId);
    this.reserved.set(conversationId, (this.reserved.get(conversationId) ?? 0) + 1);
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      const n = this.reserved.get(conversationId)! - 1;
      if (n > 0) this.reserved.set(conversationId, n);
      else this.reserved.delete(conversationId);
    };
    return {
      run: <T>(fn: () => Promise<T>) => {
        if (!open) return Promise.reject(new Error('This queue turn was already used or released.'));
        release();
        return this.enter(conversationId, fn);
      },
      release,
    };
  }

  /**
   * Runs fn when the runs queued before it for this conversation have settled, one at a
   * time per conversation, first come first served. A run's failure is its own: the next
   * one starts all the same. Throws ConversationQueueFull (fn not called) when maxWaiting
   * runs already wait (reserve, then run).
   */
  async run<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.reserve(conversationId).run(fn);
  }

  /** A reserved turn enters: it runs now if nothing runs for its conversation, else waits its turn (no bound: reserve checked it). */
  private async enter<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(conversationId);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(conversationId, lane);
    } else {
      const turn = new Promise<void>((resolve) => lane!.waiting.push(resolve));
      await turn;
    }
    try {
      return await fn();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else this.lanes.delete(conversationId);
    }
  }

  /** Runs waiting (not counting the one in progress) for this conversation, reserved turns included. */
  waitingFor(conversationId: string): number {
    return (this.lanes.get(conversationId)?.waiting.length ?? 0) + (this.reserved.get(conversationId) ?? 0);
  }

  /** Conversations with a run in progress or a turn reserved. */
  get busyConversations(): number {
    let n = this.lanes.size;
    for (const id of this.reserved.keys()) if (!this.lanes.has(id)) n++;
    return n;
  }
}
