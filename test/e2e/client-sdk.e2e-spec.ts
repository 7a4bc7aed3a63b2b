import { randomUUID } from 'node:crypto';
import {
  BackchannelClient,
  MemoryStorage,
  NotFoundError,
  RuleError,
  ValidationError,
  tokenExpiry,
  unwrap,
  type ServerEvent,
} from '@backchannel/client';
import { startTestApp, type TestApp } from '../support/app';
import { until } from '../support/wait';

/**
 * The SDK against the real app: errors are classes with the contract's code; a token is
 * refreshed before it expires and the socket reopens with the new one; a live event that
 * skips a cursor makes the client sync instead of applying it, so the app still sees every
 * event once, in cursor order; a new client on the same storage resumes from the cursor.
 */
let t: TestApp;
const clients: BackchannelClient[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'sdk', env: { ACCESS_TOKEN_TTL_SECONDS: '6' } });
});
afterAll(async () => {
  for (const c of clients) c.stop();
  await t?.close();
});

const handle = (p: string) => `${p}_${randomUUID().slice(0, 8)}`;

/** Every test runs in both of the SDK's modes (docs/API.md §6: rule 2, per-user cursors; rule 2b, stream positions). */
describe.each(['v1', 'positions'] as const)('stream %s', (stream) => {
  const newClient = (storage = new MemoryStorage()) => {
    const c = new BackchannelClient({ baseUrl: t.url, storage, reconnectDelayMs: 100, reconnectDelayMaxMs: 500, stream });
    clients.push(c);
    return c;
  };
  /** Cursors in the order the app saw them: v1's are consecutive, positions only increase. */
  function expectInOrder(cursors: string[]) {
    if (stream === 'v1') {
      cursors.forEach((c, i) => i > 0 && expect(BigInt(c)).toBe(BigInt(cursors[i - 1]) + 1n));
      return;
    }
    const pos = cursors.map((c) => c.split('.').slice(1).map(BigInt));
    pos.forEach((p, i) => i > 0 && expect(p[0] > pos[i - 1][0] || (p[0] === pos[i - 1][0] && p[1] > pos[i - 1][1])).toBe(true));
  }

  it('refused calls throw the error class for their code; a refused send leaves the outbox', async () => {
    const a = newClient();
    const b = newClient();
    await a.signUp({ handle: handle('err_a'), displayName: 'A', password: 'sdk-password-1' });
    const bob = await b.signUp({ handle: handle('err_b'), displayName: 'B', password: 'sdk-password-1' });
    await expect(a.signUp({ handle: bob.handle, displayName: 'x', password: 'sdk-password-1' })).rejects.toMatchObject({
      constructor: RuleError,
      status: 409,
      code: 'handle_taken',
    });
    await expect(unwrap(a.api.GET('/v1/conversations/{id}', { params: { path: { id: randomUUID() } } }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await a.start();
    const conv = await unwrap(a.api.POST('/v1/conversations', { body: { participantIds: [bob.id] } }));
    for (let i = 0; i < 3; i++) await a.send(conv.id, `request ${i}`);
    const failed = new Promise((r) => a.on('send.failed', r));
    await expect(a.send(conv.id, 'a fourth before accept')).rejects.toMatchObject({
      constructor: RuleError,
      status: 403,
      code: 'request_pending_limit',
    });
    await failed;
    await expect(a.send(conv.id, '\u0001')).rejects.toBeInstanceOf(ValidationError);
    expect(a.pending()).toEqual([]);
  });

  it('refreshes the access token before it expires and reopens the socket with the new one', async () => {
    const a = newClient();
    await a.signUp({ handle: handle('ttl'), displayName: 'T', password: 'sdk-password-1' });
    const first = a.session.accessToken!;
    const states: string[] = [];
    a.on('connection', (c) => states.push(c.state));
    await a.start();
    await until('connected', async () => a.socket?.connected);
    // 6 s tokens: refreshed ahead of expiry, so the socket never has to be refused.
    await until('a refreshed token', async () => a.session.accessToken !== first, 15000);
    expect(tokenExpiry(a.session.accessToken!)! > tokenExpiry(first)!).toBe(true);
    await until('reconnected with it', async () => a.socket?.connected && states.filter((s) => s === 'connected').length >= 2, 10000);
    // Past the first token's life the client still works, REST and socket.
    await until('the first token expired', async () => Date.now() > tokenExpiry(first)! * 1000 + 1000, 15000);
    expect((await unwrap(a.api.GET('/v1/me'))).id).toBe(a.user!.id);
    // A busy machine may be mid-reconnect at this instant: connected again within seconds.
    await until('the socket is connected past the first token', async () => a.socket?.connected, 5000);
  });

  it('a live event past a gap is not applied: the client syncs, and the app sees every event once in cursor order', async () => {
    const storage = new MemoryStorage();
    const a = newClient();
    const b = newClient(storage);
    const alice = await a.signUp({ handle: handle('gap_a'), displayName: 'A', password: 'sdk-password-1' });
    const bob = await b.signUp({ handle: handle('gap_b'), displayName: 'B', password: 'sdk-password-1' });
    await unwrap(b.api.PUT('/v1/users/{id}/follow', { params: { path: { id: alice.id } } }));
    const seen: ServerEvent[] = [];
    b.on('event', (e) => seen.push(e));
    await b.start();
    await until('connected', async () => b.socket?.connected);
    await a.start();
    const conv = await unwrap(a.api.POST('/v1/conversations', { body: { participantIds: [bob.id] } }));
    await a.send(conv.id, 'one');
    await until('one', async () => seen.some((e) => e.type === 'message.created'));

    // Hold back the next live message.created from the app's socket and deliver a later one
    // first, as two server processes pushing a few ms apart can.
    const socket = b.socket!;
    const handlers = socket.listeners('message.created');
    socket.off('message.created');
    const held: any[] = [];
    socket.on('message.created', (e: any) => held.push(e));
    await a.send(conv.id, 'two');
    await a.send(conv.id, 'three');
    await until('two live pushes held', async () => held.length === 2);
    for (const h of handlers) socket.on('message.created', h);
    const synced = new Promise((r) => b.on('synced', r));
    for (const h of handlers) h(held[1]); // "three" first: a gap, so a sync fills it
    await synced;
    // Positions: the sync brings them once they are below the horizon (a busy shared server can
    // hold it past the read's 1 s wait; the client then syncs again shortly).
    await until('two and three applied', async () => seen.filter((e) => e.type === 'message.created').length === 3);
    for (const h of handlers) h(held[0]); // "two" late: a repeat by now
    const texts = seen.filter((e) => e.type === 'message.created').map((e: any) => e.message.text);
    expect(texts).toEqual(['one', 'two', 'three']);
    expectInOrder(seen.map((e) => e.cursor));

    // A new client on the same storage resumes after the stored cursor: only what came since.
    b.stop();
    await a.send(conv.id, 'four, while b was away');
    const again = newClient(storage);
    expect(await again.restore()).toBe(true);
    const later: ServerEvent[] = [];
    again.on('event', (e) => later.push(e));
    await again.start();
    await until('four', async () => later.some((e) => e.type === 'message.created'));
    expect(later.filter((e) => e.type === 'message.created').map((e: any) => e.message.text)).toEqual(['four, while b was away']);
    expectInOrder([...seen, ...later].map((e) => e.cursor));
    if (stream === 'v1') expect(BigInt(later[0].cursor)).toBe(BigInt(seen[seen.length - 1].cursor) + 1n);
  });

  it('message.updated is applied once each, and a stale copy that arrives after a newer one never overwrites it: the client syncs', async () => {
    const a = newClient();
    const b = newClient();
    const alice = await a.signUp({ handle: handle('upd_a'), displayName: 'A', password: 'sdk-password-1' });
    const bob = await b.signUp({ handle: handle('upd_b'), displayName: 'B', password: 'sdk-password-1' });
    await unwrap(b.api.PUT('/v1/users/{id}/follow', { params: { path: { id: alice.id } } }));
    const seen: ServerEvent[] = [];
    b.on('event', (e) => seen.push(e));
    await b.start();
    await until('connected', async () => b.socket?.connected);
    await a.start();
    const conv = await unwrap(a.api.POST('/v1/conversations', { body: { participantIds: [bob.id] } }));
    const m = await a.send(conv.id, 'first text');
    await until('created', async () => seen.some((e) => e.type === 'message.created'));

    // Two edits; their live pushes reach the app newest first, as two processes can deliver them.
    const socket = b.socket!;
    const handlers = socket.listeners('message.updated');
    socket.off('message.updated');
    const held: any[] = [];
    socket.on('message.updated', (e: any) => held.push(e));
    const edit = (text: string) =>
      unwrap(
        a.api.PATCH('/v1/conversations/{id}/messages/{messageId}', { params: { path: { id: conv.id, messageId: m.id } }, body: { text } }),
      );
    await edit('second text');
    await edit('third text');
    await until('two live pushes held', async () => held.length === 2);
    for (const h of handlers) socket.on('message.updated', h);
    for (const h of handlers) h(held[1]);
    for (const h of handlers) h(held[0]); // stale: older than the change applied
    await until('both updates applied', async () => seen.filter((e) => e.type === 'message.updated').length === 2, 10000);
    for (const h of handlers) h(held[0]); // and again: a repeat
    for (const h of handlers) h(held[1]);
    await new Promise((r) => setTimeout(r, 300));
    const updates = seen.filter((e) => e.type === 'message.updated') as any[];
    expect(updates).toHaveLength(2);
    expect(new Set(updates.map((e) => e.cursor)).size).toBe(2);
    // What the app shows last is the message as it is now.
    expect(updates[updates.length - 1].message.text).toBe('third text');
  });
});
