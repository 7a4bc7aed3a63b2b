import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { until } from '../../../../test/support/wait';
import { RoomPresence } from './room-presence';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** RoomPresence between "processes" (each with its own Redis connections) on the real Redis. */
describe('RoomPresence', () => {
  const key = `test-presence-${randomBytes(4).toString('hex')}`;
  const clients: Redis[] = [];
  const started: RoomPresence[] = [];

  function proc(): RoomPresence {
    const pub = new Redis(REDIS_URL);
    const sub = new Redis(REDIS_URL);
    clients.push(pub, sub);
    const p = new RoomPresence();
    p.start(pub, sub, key, { graceMs: 300 });
    started.push(p);
    return p;
  }

  afterAll(async () => {
    for (const p of started) await p.stop();
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  });

  it('is careful (never local-only) until it knows every peer, then local-only exactly for users no peer holds', async () => {
    const a = proc();
    const b = proc();
    expect(b.localOnly('x')).toBe(false); // just started: careful
    await a.admit('x');
    await until('b knows a', async () => b.localOnly('y'));
    expect(b.localOnly('x')).toBe(false); // a holds x: b publishes for x
    await until('a knows b', async () => a.localOnly('x')); // only a holds x
    await b.admit('x');
    await until('a hears b joined x', async () => !a.localOnly('x'));
    b.release('x');
    await until('a hears b left x', async () => a.localOnly('x'));
    a.release('x');
    await until('b hears a left x', async () => b.localOnly('x'));
  });

  it('a peer it has no state for (a late start, a subscriber it never heard from) makes it careful', async () => {
    const a = started[0];
    await until('settled', async () => a.localOnly('z'));
    // A subscriber on the channel that announces nothing: more subscribers than known peers.
    const stranger = new Redis(REDIS_URL);
    clients.push(stranger);
    await stranger.subscribe(`${key}-presence#`);
    await until('careful while a stranger listens', async () => !a.localOnly('z'), 5000);
    await stranger.unsubscribe();
    await until('settled again', async () => a.localOnly('z'), 5000);
    // A process that starts and admits a user at once: once its admit returned, Redis has
    // already written the announcement to the others' subscriptions; they read it on their
    // next turn of the event loop (before any later reply, e.g. of a send's statement).
    const c = proc();
    await c.admit('w');
    await new Promise((r) => setTimeout(r, 20));
    expect(a.localOnly('w')).toBe(false);
    await until('c known', async () => a.localOnly('z'), 5000);
    expect(a.localOnly('w')).toBe(false);
  });
});
