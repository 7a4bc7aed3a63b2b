import { ConversationQueue, ConversationQueueFull, type Batcher } from './conversation-queue';

/** A promise the test settles by hand. */
function gate<T = void>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('ConversationQueue', () => {
  it('runs one send per conversation at a time, in arrival order, while other conversations run alongside', async () => {
    const q = new ConversationQueue(100);
    let inFlight = 0;
    let maxInFlight = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 8 }, () => gate());
    const runs = gates.map((g, i) =>
      q.run('c1', async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        order.push(i);
        await g.promise;
        inFlight--;
        return i;
      }),
    );
    const other = gate();
    let otherStarted = false;
    const otherRun = q.run('c2', async () => {
      otherStarted = true;
      await other.promise;
    });
    await ticks();
    expect(order).toEqual([0]);
    expect(otherStarted).toBe(true);
    expect(q.waitingFor('c1')).toBe(7);
    // Opened in reverse: still run (and so finish) one after the other, first come first served.
    for (let i = gates.length - 1; i >= 0; i--) gates[i].open();
    other.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await otherRun;
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maxInFlight).toBe(1);
  });

  it("a send's failure is its own: the ones queued behind it run and succeed", async () => {
    const q = new ConversationQueue(100);
    const first = gate<string>();
    const a = q.run('c', () => first.promise);
    const b = q.run('c', async () => {
      throw new Error('b failed');
    });
    const c = q.run('c', async () => 'c');
    first.fail(new Error('a failed'));
    await expect(a).rejects.toThrow('a failed');
    await expect(b).rejects.toThrow('b failed');
    await expect(c).resolves.toBe('c');
  });

  it('refuses a send with ConversationQueueFull when maxWaiting wait already, without running it; room again once one moves on', async () => {
    const q = new ConversationQueue(2);
    const head = gate();
    const runs = [q.run('c', () => head.promise), q.run('c', async () => 1), q.run('c', async () => 2)];
    const refused = jest.fn(async () => 3);
    await expect(q.run('c', refused)).rejects.toBeInstanceOf(ConversationQueueFull);
    expect(refused).not.toHaveBeenCalled();
    // Another conversation has its own bound.
    await expect(q.run('other', async () => 'ok')).resolves.toBe('ok');
    head.open();
    await Promise.all(runs);
    await expect(q.run('c', async () => 4)).resolves.toBe(4);
  });

  it('a reserved turn holds its place against the bound before it runs; released unused, the place is free again', async () => {
    const q = new ConversationQueue(1);
    const head = gate();
    const first = q.run('c', () => head.promise);
    const turn = q.reserve('c');
    expect(q.waitingFor('c')).toBe(1);
    // The bound is met by the reservation alone: the next one is refused at once, nothing runs.
    expect(() => q.reserve('c')).toThrow(ConversationQueueFull);
    turn.release();
    turn.release(); // idempotent
    expect(q.waitingFor('c')).toBe(0);
    const again = q.reserve('c');
    const ran = again.run(async () => 'ran');
    again.release(); // after run: a no-op, the run keeps its place
    expect(q.waitingFor('c')).toBe(1);
    await expect(again.run(async () => 'twice')).rejects.toThrow('already used');
    head.open();
    await first;
    await expect(ran).resolves.toBe('ran');
    expect(q.busyConversations).toBe(0);
  });

  it('forgets a conversation once its last send settled (memory follows the sends in flight, not the conversations seen)', async () => {
    const q = new ConversationQueue(10);
    await Promise.all(Array.from({ length: 50 }, (_, i) => q.run(`c${i % 5}`, async () => i)));
    await q.run('x', async () => Promise.reject(new Error('no'))).catch(() => undefined);
    expect(q.busyConversations).toBe(0);
  });
  describe('runBatched', () => {
    /** A batcher that records each batch and answers item × 10, or a rejection for a negative item. */
    function recordingBatcher(maxBatch: number, head?: Promise<unknown>) {
      const batches: number[][] = [];
      const batcher: Batcher<number, number> = {
        maxBatch,
        run: async (items) => {
          batches.push(items);
          if (batches.length === 1 && head) await head;
          return items.map((i) =>
            i < 0
              ? { status: 'rejected' as const, reason: new Error(`item ${i} refused`) }
              : { status: 'fulfilled' as const, value: i * 10 },
          );
        },
      };
      return { batcher, batches };
    }

    it('the runs that waited behind the one in progress are taken as one batch, in queue order, each answered its own outcome', async () => {
      const q = new ConversationQueue(100);
      const head = gate();
      const { batcher, batches } = recordingBatcher(8, head.promise);
      const runs = [1, 2, -3, 4, 5].map((i) => q.reserve('c').runBatched(i, batcher));
      await ticks();
      expect(batches).toEqual([[1]]);
      expect(q.waitingFor('c')).toBe(4);
      head.open();
      await expect(runs[0]).resolves.toBe(10);
      await expect(runs[1]).resolves.toBe(20);
      await expect(runs[2]).rejects.toThrow('item -3 refused');
      await expect(runs[3]).resolves.toBe(40);
      await expect(runs[4]).resolves.toBe(50);
      expect(batches).toEqual([[1], [2, -3, 4, 5]]);
      expect(q.busyConversations).toBe(0);
    });

    it('a batch holds at most maxBatch runs; the rest form the next batch, still in order', async () => {
      const q = new ConversationQueue(100);
      const head = gate();
      const { batcher, batches } = recordingBatcher(3, head.promise);
      const runs = [1, 2, 3, 4, 5, 6, 7].map((i) => q.reserve('c').runBatched(i, batcher));
      head.open();
      expect(await Promise.all(runs)).toEqual([10, 20, 30, 40, 50, 60, 70]);
      expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    });

    it('a plain run queued between batchable ones ends the batch and runs in its place in the order', async () => {
      const q = new ConversationQueue(100);
      const head = gate();
      const order: string[] = [];
      const { batcher, batches } = recordingBatcher(8, head.promise);
      const first = q.reserve('c').runBatched(1, batcher);
      const second = q.reserve('c').runBatched(2, batcher);
      const plain = q.run('c', async () => {
        order.push(`plain after ${batches.length} batches`);
        return 'plain';
      });
      const third = q.reserve('c').runBatched(3, batcher);
      head.open();
      expect(await Promise.all([first, second, plain, third])).toEqual([10, 20, 'plain', 30]);
      expect(batches).toEqual([[1], [2], [3]]);
      expect(order).toEqual(['plain after 2 batches']);
    });

    it('a batcher that throws fails every run of that batch, and the runs behind it still run', async () => {
      const q = new ConversationQueue(100);
      const head = gate();
      let calls = 0;
      const batcher: Batcher<number, number> = {
        maxBatch: 8,
        run: async (items) => {
          calls++;
          if (calls === 1) await head.promise;
          if (calls === 2) throw new Error('the batch failed');
          return items.map((i) => ({ status: 'fulfilled' as const, value: i }));
        },
      };
      const a = q.reserve('c').runBatched(1, batcher);
      const b = q.reserve('c').runBatched(2, batcher);
      const c = q.reserve('c').runBatched(3, batcher);
      await ticks();
      head.open();
      await expect(a).resolves.toBe(1);
      await expect(b).rejects.toThrow('the batch failed');
      await expect(c).rejects.toThrow('the batch failed');
      await expect(q.reserve('c').runBatched(4, batcher)).resolves.toBe(4);
      expect(q.busyConversations).toBe(0);
    });
  });
});
