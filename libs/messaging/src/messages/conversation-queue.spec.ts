import { ConversationQueue, ConversationQueueFull } from './conversation-queue';

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
});
