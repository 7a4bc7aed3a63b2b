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
 * Runs that wait may also be taken together (runBatched): the run that gets the lane takes
 * the batchable runs waiting right behind it along, and one call stores them all (one
 * transaction, one commit: MessagesService.storeSends). Their order inside the batch is
 * their queue order.
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

/**
 * How runs that wait together are stored together (runBatched): `run` gets the items in queue
 * order and answers one outcome per item, in the same order, so one item's failure is its own.
 * If `run` throws, every item of the batch fails with that error.
 */
export interface Batcher<I, R> {
  /** At most this many runs in one batch (the first that got the lane included). */
  readonly maxBatch: number;
  run(items: I[]): Promise<Array<PromiseSettledResult<R>>>;
}

/** A run waiting for its conversation's lane. */
interface Waiter {
  /** It got the lane: it runs now. */
  start(): void;
  /** A batchable run (runBatched): a run of the same batcher that gets the lane first may take it along and settle it. */
  batch?: { batcher: Batcher<unknown, unknown>; item: unknown; settle(outcome: PromiseSettledResult<unknown>): void };
}

interface Lane {
  /** The runs waiting behind the one in progress, oldest first. */
  waiting: Waiter[];
}

/**
 * A place taken in a conversation's queue before the send's work that precedes its statement
 * (the send budget, the screen): `run` uses it, `release` gives it back unused (idempotent; a
 * no-op once `run` took it). While held it counts against the bound as a waiting run does.
 */
export interface QueueTurn {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** As run, for an item the batcher stores: taken along by (or taking along) the batchable runs of its batcher queued next to it. */
  runBatched<I, R>(item: I, batcher: Batcher<I, R>): Promise<R>;
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
    const used = () => Promise.reject(new Error('This queue turn was already used or released.'));
    return {
      run: <T>(fn: () => Promise<T>) => {
        if (!open) return used();
        release();
        return this.enter(conversationId, fn);
      },
      runBatched: <I, R>(item: I, batcher: Batcher<I, R>) => {
        if (!open) return used();
        release();
        return this.enterBatched(conversationId, item, batcher);
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
      const waiting = lane.waiting;
      await new Promise<void>((start) => waiting.push({ start }));
    }
    try {
      return await fn();
    } finally {
      this.next(conversationId, lane);
    }
  }

  /**
   * A batchable run enters: when it gets the lane it takes along the batchable runs of the same
   * batcher waiting right behind it (up to maxBatch in all; a run of another kind ends the
   * batch), runs them as one and settles each; while it waits, an earlier run may take it along.
   */
  private async enterBatched<I, R>(conversationId: string, item: I, batcher: Batcher<I, R>): Promise<R> {
    let lane = this.lanes.get(conversationId);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(conversationId, lane);
    } else {
      const waiting = lane.waiting;
      const taken = await new Promise<PromiseSettledResult<unknown> | null>((resolve) =>
        waiting.push({
          start: () => resolve(null),
          batch: { batcher: batcher as Batcher<unknown, unknown>, item, settle: resolve },
        }),
      );
      if (taken) return outcome(taken) as R;
    }
    const items: I[] = [item];
    const settles: Array<(o: PromiseSettledResult<unknown>) => void> = [];
    while (items.length < batcher.maxBatch && lane.waiting[0]?.batch?.batcher === batcher) {
      const { batch } = lane.waiting.shift()!;
      items.push(batch!.item as I);
      settles.push(batch!.settle);
    }
    let outcomes: Array<PromiseSettledResult<R>>;
    try {
      outcomes = await batcher.run(items);
      if (outcomes.length !== items.length) throw new Error(`A batcher answered ${outcomes.length} outcomes for ${items.length} items.`);
    } catch (reason: unknown) {
      outcomes = items.map(() => ({ status: 'rejected', reason }));
    } finally {
      this.next(conversationId, lane);
    }
    settles.forEach((settle, i) => settle(outcomes[i + 1]));
    return outcome(outcomes[0]);
  }

  /** The run in progress ended: the next one waiting gets the lane, or the conversation is idle. */
  private next(conversationId: string, lane: Lane): void {
    const next = lane.waiting.shift();
    if (next) next.start();
    else this.lanes.delete(conversationId);
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

function outcome<T>(o: PromiseSettledResult<T>): T {
  if (o.status === 'fulfilled') return o.value;
  throw o.reason;
}
