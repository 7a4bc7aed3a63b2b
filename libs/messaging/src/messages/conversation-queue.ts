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

export class ConversationQueue {
  /** A conversation has a lane exactly while one of its runs is in progress (an idle conversation costs nothing). */
  private readonly lanes = new Map<string, Lane>();

  /** maxWaiting: how many runs may wait behind the one in progress, per conversation. */
  constructor(private readonly maxWaiting: number) {}

  /**
   * Runs fn when the runs queued before it for this conversation have settled, one at a
   * time per conversation, first come first served. A run's failure is its own: the next
   * one starts all the same. Throws ConversationQueueFull (fn not called) when maxWaiting
   * runs already wait.
   */
  async run<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(conversationId);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(conversationId, lane);
    } else {
      if (lane.waiting.length >= this.maxWaiting) throw new ConversationQueueFull(conversationId);
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

  /** Runs waiting (not counting the one in progress) for this conversation. */
  waitingFor(conversationId: string): number {
    return this.lanes.get(conversationId)?.waiting.length ?? 0;
  }

  /** Conversations with a run in progress. */
  get busyConversations(): number {
    return this.lanes.size;
  }
}
