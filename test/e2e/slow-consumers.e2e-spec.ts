import type { Socket as ServerSocket } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { RealtimeGateway } from '../../apps/api/src/gateway/realtime.gateway';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * A recipient whose connection stops taking data must not make the server buffer without
 * bound: past SOCKET_MAX_BUFFERED_BYTES or SOCKET_MAX_BUFFERED_MESSAGES held for one socket,
 * the server closes it, and the client, syncing from its cursor, loses nothing.
 * Small bounds here, so that a few hundred sends pass them.
 */
const MAX_BYTES = 128 * 1024;
const MAX_MESSAGES = 100;
const ENV = {
  LIMIT_SEND_BURST: '100000/10',
  LIMIT_SEND_SUSTAINED: '100000/3600',
  SOCKET_MAX_BUFFERED_BYTES: String(MAX_BYTES),
  SOCKET_MAX_BUFFERED_MESSAGES: String(MAX_MESSAGES),
};
/** The longest text there is: 4,000 four-byte characters, 16 KB on the wire. */
const LONGEST = '😀'.repeat(4000);

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'slowconsumers', env: ENV });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

/** a and b in a direct conversation where both are active (b follows a, so no request). */
async function activePair() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(res.status).toBe(201);
  return { a, b, conversationId: res.body.id as string };
}

async function cursorNow(user: TestUser): Promise<string> {
  const res = await t.http().get('/v1/sync').set(user.auth);
  expect(res.status).toBe(200);
  return res.body.cursor;
}

/** Every event after `cursor`, paging while hasMore. */
async function syncFrom(user: TestUser, cursor: string): Promise<any[]> {
  const events: any[] = [];
  for (;;) {
    const res = await t.http().get(`/v1/sync?cursor=${cursor}&limit=500`).set(user.auth);
    expect(res.status).toBe(200);
    events.push(...res.body.events);
    cursor = res.body.cursor;
    if (!res.body.hasMore) return events;
  }
}

/**
 * What a client does (docs/API.md, "Reconnect and sync"): applies live events while each is
 * the next cursor, stops at a gap, then syncs from the last cursor it stored. Returns the
 * message ids it applied, in order.
 */
async function applyThenResync(user: TestUser, from: string, live: any[]): Promise<string[]> {
  const applied: string[] = [];
  let stored = BigInt(from);
  for (const e of live) {
    const c = BigInt(e.cursor);
    if (c <= stored) continue;
    if (c !== stored + 1n) break;
    stored = c;
    if (e.type === 'message.created') applied.push(e.message.id);
  }
  for (const e of await syncFrom(user, stored.toString())) {
    expect(BigInt(e.cursor)).toBe(stored + 1n);
    stored = BigInt(e.cursor);
    if (e.type === 'message.created') applied.push(e.message.id);
  }
  return applied;
}

/** The server's side of a user's sockets (this process). */
function serverSockets(userId: string): ServerSocket[] {
  const io = t.app.get(RealtimeGateway).server;
  return [...io.of('/').sockets.values()].filter((s) => s.data.userId === userId);
}

/**
 * What the server holds for one socket, measured here independently of the server's own
 * accounting: the packets in engine.io's write buffer and, on a websocket, the bytes waiting
 * in the TCP socket's userland buffer (what the kernel would not take).
 */
function heldFor(socket: ServerSocket): { bytes: number; packets: number } {
  const conn = socket.conn as any;
  let bytes = 0;
  for (const p of conn.writeBuffer) bytes += typeof p.data === 'string' ? Buffer.byteLength(p.data) : (p.data?.byteLength ?? 0);
  bytes += conn.transport?.socket?._socket?.writableLength ?? 0;
  return { bytes, packets: conn.writeBuffer.length };
}

async function disconnectsMetric(transport: string): Promise<number> {
  const res = await t.http().get('/metrics');
  expect(res.status).toBe(200);
  const m = new RegExp(`^socket_slow_consumer_disconnects_total\\{transport="${transport}"\\} (\\d+)`, 'm').exec(res.text);
  return m ? Number(m[1]) : 0;
}

/**
 * Sends from `a`, `parallel` at a time, until `stop()` or `max` messages, measuring after
 * each batch (once its pushes left) the most the server held for `watched`.
 */
async function flood(
  a: TestUser,
  conversationId: string,
  opts: { text: string; max: number; parallel: number; stop: () => boolean; watched: ServerSocket; label: string },
): Promise<{ ids: string[]; maxHeld: { bytes: number; packets: number } }> {
  const ids: string[] = [];
  const maxHeld = { bytes: 0, packets: 0 };
  while (ids.length < opts.max && !opts.stop()) {
    const batch = await Promise.all(
      Array.from({ length: opts.parallel }, (_, i) =>
        t
          .http()
          .post(`/v1/conversations/${conversationId}/messages`)
          .set(a.auth)
          .send({ clientId: `${opts.label}-${ids.length + i}`, text: opts.text }),
      ),
    );
    for (const r of batch) {
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    // The outbox drain pushes a send's events a tick after its commit.
    await new Promise((r) => setImmediate(r));
    const held = heldFor(opts.watched);
    maxHeld.bytes = Math.max(maxHeld.bytes, held.bytes);
    maxHeld.packets = Math.max(maxHeld.packets, held.packets);
  }
  return { ids, maxHeld };
}

/**
 * An engine.io long-polling client by hand (protocol 4): it opens a session, connects to the
 * default namespace with its token, reads the connect answer, then polls only when told, so
 * a test can make it stop polling.
 */
class PollingClient {
  private constructor(
    private readonly base: string,
    readonly sid: string,
  ) {}

  static async open(url: string, token: string): Promise<PollingClient> {
    const base = `${url}/socket.io/?EIO=4&transport=polling`;
    const open = await fetch(base);
    const text = await open.text();
    expect(text.startsWith('0')).toBe(true);
    const client = new PollingClient(base, JSON.parse(text.slice(1)).sid);
    const post = await fetch(`${base}&sid=${client.sid}`, { method: 'POST', body: `40${JSON.stringify({ token })}` });
    expect(await post.text()).toBe('ok');
    const ack = await client.poll();
    expect(ack.status).toBe(200);
    expect(ack.body).toMatch(/^40\{"sid":/);
    return client;
  }

  async poll(): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.base}&sid=${this.sid}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text() };
  }
}

describe('a socket that stops reading', () => {
  it('a websocket whose TCP stops reading is closed before the server holds more than SOCKET_MAX_BUFFERED_BYTES for it, and its client, syncing from its cursor, gets every message exactly once', async () => {
    const { a, b, conversationId } = await activePair();
    const before = await disconnectsMetric('websocket');
    const client = await connectSocket(t.url, b.token);
    sockets.push(client);
    const inbox = new Inbox(client);
    const from = await cursorNow(b);
    const [server] = serverSockets(b.id);
    expect(server).toBeDefined();
    const lost = new Promise<string>((resolve) => client.once('disconnect', resolve));

    // The phone stops reading: its receive window fills, then the server's kernel send buffer
    // (a few MB on loopback), then whatever the server process holds.
    const tcp = (client.io.engine.transport as any).ws._socket;
    tcp.pause();
    const { ids, maxHeld } = await flood(a, conversationId, {
      text: LONGEST,
      max: 1000,
      parallel: 4,
      stop: () => !server.connected,
      watched: server,
      label: 'ws',
    });
    expect(server.connected).toBe(false);
    expect(serverSockets(b.id)).toHaveLength(0);
    expect(await disconnectsMetric('websocket')).toBe(before + 1);
    // Never more than the bound (plus ws frame headers, a few bytes a packet).
    expect(maxHeld.bytes).toBeLessThanOrEqual(MAX_BYTES + 1024);
    expect(maxHeld.bytes).toBeGreaterThan(0); // the kernel buffers had filled: the bound was what held it

    // The phone reads again: what reached its kernel before the cut arrives, then the connection ends.
    tcp.resume();
    expect(await lost).toBe('transport close');
    const live = inbox.of('message.created').length;
    expect(live).toBeGreaterThan(0); // what the kernel buffers held came live...
    expect(live).toBeLessThan(ids.length); // ...the rest only through sync
    const applied = await applyThenResync(
      b,
      from,
      inbox.events.map((e) => e.payload),
    );
    expect(applied).toHaveLength(ids.length); // none twice
    expect([...applied].sort()).toEqual([...ids].sort()); // none lost
  });

  it('a polling client that stops polling is closed once its queue passes SOCKET_MAX_BUFFERED_BYTES, its session is gone, and sync from its cursor has every message once', async () => {
    const { a, b, conversationId } = await activePair();
    const before = await disconnectsMetric('polling');
    const from = await cursorNow(b);
    const client = await PollingClient.open(t.url, b.token);
    const [server] = serverSockets(b.id);
    expect(server.conn.transport.name).toBe('polling');

    const { ids, maxHeld } = await flood(a, conversationId, {
      text: LONGEST,
      max: 60,
      parallel: 2,
      stop: () => !server.connected,
      watched: server,
      label: 'pb',
    });
    expect(server.connected).toBe(false);
    expect(await disconnectsMetric('polling')).toBe(before + 1);
    expect(maxHeld.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(maxHeld.bytes).toBeGreaterThan(MAX_BYTES - 2 * 17 * 1024); // it was the bytes that cut it
    const late = await client.poll();
    expect(late.status).toBe(400); // the session is closed: the client starts a new one and syncs
    const applied = await applyThenResync(b, from, []);
    expect(applied).toHaveLength(ids.length);
    expect([...applied].sort()).toEqual([...ids].sort());
  });

  it('a polling client that stops polling is closed once SOCKET_MAX_BUFFERED_MESSAGES packets wait for it, however small', async () => {
    const { a, b, conversationId } = await activePair();
    const before = await disconnectsMetric('polling');
    const from = await cursorNow(b);
    await PollingClient.open(t.url, b.token);
    const [server] = serverSockets(b.id);

    const { ids, maxHeld } = await flood(a, conversationId, {
      text: 'hi',
      max: 3 * MAX_MESSAGES,
      parallel: 10,
      stop: () => !server.connected,
      watched: server,
      label: 'pm',
    });
    expect(server.connected).toBe(false);
    expect(await disconnectsMetric('polling')).toBe(before + 1);
    expect(maxHeld.packets).toBeLessThanOrEqual(MAX_MESSAGES);
    expect(maxHeld.bytes).toBeLessThan(MAX_BYTES / 2); // it was the count that cut it
    expect(ids.length).toBeLessThanOrEqual(MAX_MESSAGES + 10);
    const applied = await applyThenResync(b, from, []);
    expect([...applied].sort()).toEqual([...ids].sort());
  });

  it('a client that keeps reading keeps its socket, however much it is sent in all', async () => {
    const { a, b, conversationId } = await activePair();
    const client = await connectSocket(t.url, b.token);
    sockets.push(client);
    const inbox = new Inbox(client);
    const [server] = serverSockets(b.id);
    // 3 MB and 200 messages in all, far past both bounds, in bursts within them.
    const { ids } = await flood(a, conversationId, {
      text: LONGEST,
      max: 200,
      parallel: 4,
      stop: () => false,
      watched: server,
      label: 'ok',
    });
    await until('every message to arrive', async () => inbox.of('message.created').length >= ids.length);
    expect(server.connected).toBe(true);
    expect(client.connected).toBe(true);
    expect(
      inbox
        .of('message.created')
        .map((e) => e.message.id)
        .sort(),
    ).toEqual([...ids].sort());
  });
});
