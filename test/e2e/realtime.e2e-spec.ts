import * as jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { JWT_SECRET, STAFF_AUDIENCE, USER_AUDIENCE } from '@app/messaging/accounts/tokens.service';
import { Db } from '@app/messaging/db/db.service';
import { EventsService } from '@app/messaging/events/events.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectRefusal, connectSocket, disconnected, emitAck, Inbox } from '../support/socket';
import { singleRedis } from '../support/projects';
import { TYPING_WINDOW_MS } from '../../apps/api/src/gateway/typing-relay';

// Generous send limits: this file sends hundreds of messages on purpose.
const ENV = { LIMIT_SEND_BURST: '2000/10', LIMIT_SEND_SUSTAINED: '20000/3600' };

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'realtime', env: ENV });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

async function open(app: TestApp, user: TestUser): Promise<{ socket: Socket; inbox: Inbox }> {
  const socket = await connectSocket(app.url, user.token);
  sockets.push(socket);
  return { socket, inbox: new Inbox(socket) };
}

/** a and b in a direct conversation where both are active (b follows a, so no request). */
async function activePair(app: TestApp = t) {
  const a = await registerUser(app.url);
  const b = await registerUser(app.url);
  expect((await app.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
  const res = await app
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(res.status).toBe(201);
  expect(res.body.members.find((m: any) => m.userId === b.id).state).toBe('active');
  return { a, b, conversationId: res.body.id as string };
}

async function sendRest(app: TestApp, user: TestUser, conversationId: string, clientId: string, text: string) {
  return app.http().post(`/v1/conversations/${conversationId}/messages`).set(user.auth).send({ clientId, text });
}

/**
 * Proves silence without sleeping: a fresh stranger starts a conversation with `user`, and
 * once that request.created reached `inbox`, anything emitted to the socket before it
 * (events travel one ordered connection) has arrived too.
 */
async function barrier(app: TestApp, user: TestUser, inbox: Inbox): Promise<void> {
  const x = await registerUser(app.url);
  const res = await app
    .http()
    .post('/v1/conversations')
    .set(x.auth)
    .send({ participantIds: [user.id] });
  expect(res.status).toBe(201);
  await inbox.waitFor('request.created', (p) => p.conversation.id === res.body.id);
}

/** Suspends through the staff route, as a moderator would. */
async function suspendByStaff(app: TestApp, userId: string) {
  const admin = await loginStaff(app.url);
  const res = await app
    .http()
    .post(`/admin/v1/users/${userId}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 1, note: 'test' });
  expect(res.status).toBe(200);
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

singleRedis.describe('GET /v1/sync', () => {
  it('without a cursor returns no events and the current cursor ("from now on"), then every later event after it', async () => {
    const { a, b, conversationId } = await activePair();
    const start = await t.http().get('/v1/sync').set(b.auth);
    expect(start.status).toBe(200);
    expect(start.body).toEqual({ events: [], cursor: expect.stringMatching(/^\d+$/), hasMore: false });
    const sent = await sendRest(t, a, conversationId, 'c1', 'hello');
    expect(sent.status).toBe(201);
    const next = await t.http().get(`/v1/sync?cursor=${start.body.cursor}`).set(b.auth);
    expect(next.status).toBe(200);
    expect(next.body.hasMore).toBe(false);
    expect(next.body.events).toHaveLength(1);
    expect(next.body.events[0]).toEqual({ type: 'message.created', cursor: next.body.cursor, message: sent.body });
    expect(next.body.events[0]).not.toHaveProperty('userId');
    await expectContract(next, 'GET /v1/sync', 200);
  });

  it('refuses a cursor it never issued with 400 invalid_cursor, a limit outside 1..500 with 400 invalid_request, no token with 401', async () => {
    const u = await registerUser(t.url);
    const head = (await t.http().get('/v1/sync').set(u.auth)).body.cursor;
    for (const q of [
      `cursor=${BigInt(head) + 5n}`,
      'cursor=abc',
      'cursor=-1',
      'cursor=1e3',
      'cursor=99999999999999999999',
      'cursor=1&cursor=2',
    ]) {
      const res = await t.http().get(`/v1/sync?${q}`).set(u.auth);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_cursor');
      await expectError(res, 'GET /v1/sync', 400, 'invalid_cursor');
    }
    for (const limit of ['0', '501', 'ten', '-3', '1.5']) {
      const res = await t.http().get(`/v1/sync?cursor=${head}&limit=${limit}`).set(u.auth);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
    }
    const ok = await t.http().get(`/v1/sync?cursor=${head}&limit=500`).set(u.auth);
    expect(ok.status).toBe(200);
    const anon = await t.http().get('/v1/sync');
    expect(anon.status).toBe(401);
    expectErrorShape(anon.body, 401);
  });

  it('answers 410 cursor_expired for a cursor older than the retention window once old events are pruned', async () => {
    const { a, b, conversationId } = await activePair();
    const before = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    expect((await sendRest(t, a, conversationId, 'old-1', 'old news')).status).toBe(201);
    const mid = (await t.http().get(`/v1/sync?cursor=${before}`).set(b.auth)).body.cursor;
    expect((await sendRest(t, a, conversationId, 'new-1', 'fresh')).status).toBe(201);
    // Age b's first event past the 30-day window (no day partition is that old: the row moves
    // to the default partition), then run the scheduled job's work.
    await t.app.get(Db).query(`UPDATE event SET created_at = now() - interval '31 days' WHERE user_id = $1 AND cursor <= $2`, [b.id, mid]);
    expect((await t.app.get(EventsService).prune()).deletedFromDefault).toBeGreaterThanOrEqual(1);
    const expired = await t.http().get(`/v1/sync?cursor=${before}`).set(b.auth);
    expect(expired.status).toBe(410);
    expectErrorShape(expired.body, 410, 'cursor_expired');
    await expectError(expired, 'GET /v1/sync', 410, 'cursor_expired');
    // From the pruned boundary on, sync still works: the newer event is intact.
    const fromMid = await t.http().get(`/v1/sync?cursor=${mid}`).set(b.auth);
    expect(fromMid.status).toBe(200);
    expect(fromMid.body.events.map((e: any) => e.message.clientId)).toEqual(['new-1']);
  });
});

singleRedis.describe('socket handshake', () => {
  it('refuses a missing, malformed, expired or staff token and a suspended account at connect, with {code, message} in err.data', async () => {
    const u = await registerUser(t.url);
    const secret = t.app.get<string>(JWT_SECRET);
    const expired = jwt.sign({ exp: Math.floor(Date.now() / 1000) - 60 }, secret, {
      subject: u.id,
      audience: USER_AUDIENCE,
      issuer: 'backchannel',
    });
    const forged = jwt.sign({}, 'x'.repeat(40), { subject: u.id, audience: USER_AUDIENCE, issuer: 'backchannel', expiresIn: 600 });
    const staffAudience = jwt.sign({ role: 'admin' }, secret, {
      subject: u.id,
      audience: STAFF_AUDIENCE,
      issuer: 'backchannel',
      expiresIn: 600,
    });
    for (const token of [undefined, '', 'not-a-jwt', 42, expired, forged, staffAudience]) {
      const refusal = await connectRefusal(t.url, token);
      expect(refusal.data).toEqual({ code: 'unauthorized', message: expect.any(String) });
    }
    await suspendByStaff(t, u.id);
    const suspended = await connectRefusal(t.url, u.token);
    expect(suspended.data).toEqual({ code: 'account_suspended', message: expect.any(String) });
  });

  it('counts open sockets in the socket_connections gauge', async () => {
    const u = await registerUser(t.url);
    const { socket } = await open(t, u);
    const metrics = await t.http().get('/metrics');
    const value = Number(/^socket_connections (\d+)/m.exec(metrics.text)?.[1]);
    expect(value).toBeGreaterThanOrEqual(1);
    socket.close();
    const gauge = async () => Number(/^socket_connections (\d+)/m.exec((await t.http().get('/metrics')).text)?.[1]);
    expect(await until('the gauge to drop', gauge, (n) => n === value - 1)).toBe(value - 1);
  });
});

describe('live delivery and exactly-once sync', () => {
  it('pushes message.created exactly once to every socket of each member, named by type and shaped {type, cursor, message}', async () => {
    const { a, b, conversationId } = await activePair();
    const phone = await open(t, b);
    const laptop = await open(t, b);
    const sent = await sendRest(t, a, conversationId, 'live-1', 'are you there?');
    const after = await sendRest(t, a, conversationId, 'live-2', 'a later message');
    for (const device of [phone, laptop]) {
      await device.inbox.waitFor('message.created', (p) => p.message.id === after.body.id);
      const events = device.inbox.of('message.created', (p) => p.message.id === sent.body.id);
      expect(events).toEqual([{ type: 'message.created', cursor: expect.stringMatching(/^\d+$/), message: sent.body }]);
    }
    // The live cursor is the synced one: syncing from just before it yields that very event.
    const [live] = phone.inbox.of('message.created', (p) => p.message.id === sent.body.id);
    const synced = await t
      .http()
      .get(`/v1/sync?cursor=${BigInt(live.cursor) - 1n}`)
      .set(b.auth);
    expect(synced.body.events[0]).toEqual(live);
  });

  singleRedis.it(
    'a client that disconnects, misses 100 messages and syncs from its last cursor gets each exactly once, in order, paged with hasMore',
    async () => {
      const { a, b, conversationId } = await activePair();
      const { socket, inbox } = await open(t, b);
      const first = await sendRest(t, a, conversationId, 'm-0', 'before the tunnel');
      const [seen] = await inbox.waitFor('message.created', (p) => p.message.id === first.body.id);
      socket.close();

      // 100 sends, ten at a time in parallel: concurrent commits must still give b gap-free, ordered cursors.
      for (let batch = 0; batch < 10; batch++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => sendRest(t, a, conversationId, `m-${batch * 10 + i + 1}`, `message ${batch * 10 + i + 1}`)),
        );
        for (const r of results) expect(r.status).toBe(201);
      }
      expect(inbox.of('message.created')).toHaveLength(1);

      const received: any[] = [];
      const pages: boolean[] = [];
      let cursor = seen.cursor;
      for (let guard = 0; guard < 10; guard++) {
        const res = await t.http().get(`/v1/sync?cursor=${cursor}&limit=30`).set(b.auth);
        expect(res.status).toBe(200);
        received.push(...res.body.events);
        pages.push(res.body.hasMore);
        cursor = res.body.cursor;
        if (!res.body.hasMore) break;
      }
      expect(pages).toEqual([true, true, true, false]);
      const messages = received.filter((e) => e.type === 'message.created').map((e) => e.message);
      expect(messages).toHaveLength(100);
      expect(new Set(messages.map((m) => m.id)).size).toBe(100);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => first.body.seq + 1 + i));
      const cursors = received.map((e) => BigInt(e.cursor));
      for (let i = 1; i < cursors.length; i++) expect(cursors[i]).toBe(cursors[i - 1] + 1n);
      expect(cursor).toBe(received[received.length - 1].cursor);

      const done = await t.http().get(`/v1/sync?cursor=${cursor}`).set(b.auth);
      expect(done.body).toEqual({ events: [], cursor, hasMore: false });
    },
  );

  it('an event drained by a worker-only process (APP_ROLES=worker) reaches sockets held by an API process', async () => {
    const worker = await startTestApp({ db: t.db, redisPrefix: t.config.redisPrefix, env: { ...ENV, APP_ROLES: 'worker' } });
    try {
      const u = await registerUser(t.url);
      const { inbox } = await open(t, u);
      const events = worker.app.get(EventsService);
      const notice = { id: 'n-1', text: 'A link you sent was removed.' };
      const outboxId = await worker.app
        .get(Db)
        .tx((q) => events.append(q, [{ userId: u.id, type: 'notice.created', payload: { notice } }]));
      events.published(outboxId);
      await inbox.waitFor('notice.created');
      await barrier(t, u, inbox);
      expect(inbox.of('notice.created')).toEqual([{ type: 'notice.created', cursor: expect.stringMatching(/^\d+$/), notice }]);
    } finally {
      await worker.close();
    }
  });
});

singleRedis.describe('message.send over the socket', () => {
  it(`a send via socket and via REST with the same clientId yields one message, in either order and when racing (${RACE_ROUNDS} rounds, a fresh clientId each)`, async () => {
    const { a, b, conversationId } = await activePair();
    const { socket } = await open(t, a);
    const bInbox = (await open(t, b)).inbox;

    const viaSocket = await emitAck(socket, 'message.send', { conversationId, clientId: 'same-1', text: 'once' });
    expect(viaSocket.message).toMatchObject({ conversationId, clientId: 'same-1', text: 'once', senderId: a.id });
    const viaRest = await sendRest(t, a, conversationId, 'same-1', 'once');
    expect(viaRest.status).toBe(200);
    expect(viaRest.body).toEqual(viaSocket.message);

    const restFirst = await sendRest(t, a, conversationId, 'same-2', 'twice?');
    expect(restFirst.status).toBe(201);
    expect((await emitAck(socket, 'message.send', { conversationId, clientId: 'same-2', text: 'twice?' })).message).toEqual(restFirst.body);

    const raced: string[] = [];
    await raceRounds(RACE_ROUNDS, async (round) => {
      const clientId = `same-race-${String(round).padStart(2, '0')}`;
      raced.push(clientId);
      const [raceSocket, raceRest] = await Promise.all([
        emitAck(socket, 'message.send', { conversationId, clientId, text: 'race' }),
        sendRest(t, a, conversationId, clientId, 'race'),
      ]);
      expect([200, 201]).toContain(raceRest.status);
      expect(raceRest.body.id).toBe(raceSocket.message.id);
    });

    const rows = await t.app
      .get(Db)
      .query(`SELECT client_id, count(*)::int AS n FROM message WHERE conversation_id = $1 GROUP BY client_id ORDER BY client_id`, [
        conversationId,
      ]);
    expect(rows).toEqual(['same-1', 'same-2', ...raced].sort().map((client_id) => ({ client_id, n: 1 })));
    // b hears each message once, however many times it was submitted.
    await bInbox.waitFor('message.created', () => true, 2 + RACE_ROUNDS);
    const last = await sendRest(t, a, conversationId, 'same-4', 'barrier');
    await bInbox.waitFor('message.created', (p) => p.message.id === last.body.id);
    expect(
      bInbox
        .of('message.created')
        .map((p) => p.message.clientId)
        .sort(),
    ).toEqual(['same-1', 'same-2', 'same-4', ...raced].sort());
  });

  it('acks {error: {code, message}} with the REST codes for bad payloads and refused sends, and the socket stays usable', async () => {
    const { a, conversationId } = await activePair();
    const stranger = await activePair();
    const { socket } = await open(t, a);
    const cases: Array<[unknown, string]> = [
      ['just a string', 'invalid_request'],
      [[conversationId, 'x', 'y'], 'invalid_request'],
      [{ clientId: 'e1', text: 'no conversation' }, 'invalid_request'],
      [{ conversationId: 'not-a-uuid', clientId: 'e2', text: 'hi' }, 'not_found'],
      [{ conversationId: stranger.conversationId, clientId: 'e3', text: 'not mine' }, 'not_found'],
      [{ conversationId, clientId: 'e4', text: '   ' }, 'invalid_text'],
      [{ conversationId, clientId: 'e5', text: 'bell\u0007' }, 'invalid_text'],
      [{ conversationId, text: 'no client id' }, 'invalid_request'],
      [{ conversationId, clientId: 'e6', text: 'pic', attachments: [{ url: 'x' }] }, 'attachments_not_supported'],
    ];
    for (const [payload, code] of cases) {
      const ack = await emitAck(socket, 'message.send', payload);
      expect(ack).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    }
    expect(socket.connected).toBe(true);
    const ok = await emitAck(socket, 'message.send', { conversationId, clientId: 'e-ok', text: 'still here' });
    expect(ok.message.text).toBe('still here');
    const stored = await t.app.get(Db).query('SELECT client_id FROM message WHERE conversation_id = $1', [conversationId]);
    expect(stored.map((r: any) => r.client_id)).toEqual(['e-ok']);
  });

  it('applies the same pending-request cap as REST: the 4th socket send to a pending recipient is refused', async () => {
    const a = await registerUser(t.url);
    const stranger = await registerUser(t.url);
    const res = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [stranger.id] });
    expect(res.body.members.find((m: any) => m.userId === stranger.id).state).toBe('pending');
    const { socket } = await open(t, a);
    for (let i = 1; i <= 3; i++) {
      expect(
        (await emitAck(socket, 'message.send', { conversationId: res.body.id, clientId: `r${i}`, text: `hi ${i}` })).message,
      ).toBeDefined();
    }
    const fourth = await emitAck(socket, 'message.send', { conversationId: res.body.id, clientId: 'r4', text: 'hi 4' });
    expect(fourth.error.code).toBe('request_pending_limit');
  });
});

singleRedis.describe('typing', () => {
  it('relays typing to the other active members only: never to a pending recipient, never from one; throttled per socket', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await registerUser(t.url);
    const outsider = await registerUser(t.url);
    expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
    const group = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'plans' });
    expect(group.status).toBe(201);
    const states = Object.fromEntries(group.body.members.map((m: any) => [m.userId, m.state]));
    expect(states).toEqual({ [a.id]: 'active', [b.id]: 'active', [c.id]: 'pending' });
    const conversationId = group.body.id;
    const sa = await open(t, a);
    const sb = await open(t, b);
    const sc = await open(t, c);
    const so = await open(t, outsider);

    const typedAt = Date.now();
    expect(await emitAck(sa.socket, 'typing', { conversationId })).toEqual({ relayed: true });
    // Keystrokes inside the window are dropped, not relayed again. The next one goes at once:
    // after the barriers below it could fall outside the 2 s window on a loaded machine.
    const again = await emitAck(sa.socket, 'typing', { conversationId });
    expect(Date.now() - typedAt).toBeLessThan(TYPING_WINDOW_MS);
    expect(again).toEqual({ relayed: false });
    expect(await sb.inbox.waitFor('typing')).toEqual([{ conversationId, userId: a.id }]);
    // One broadcast reached b; a later event reaching c, the outsider and a proves they had none.
    await Promise.all([barrier(t, c, sc.inbox), barrier(t, outsider, so.inbox), barrier(t, a, sa.inbox)]);
    expect(sc.inbox.of('typing')).toEqual([]);
    expect(so.inbox.of('typing')).toEqual([]);
    expect(sa.inbox.of('typing')).toEqual([]);

    const fromPending = await emitAck(sc.socket, 'typing', { conversationId });
    expect(fromPending.error.code).toBe('forbidden');
    const fromOutsider = await emitAck(so.socket, 'typing', { conversationId });
    expect(fromOutsider.error.code).toBe('not_found');
    expect((await emitAck(sa.socket, 'typing', { conversationId: 'nope' })).error.code).toBe('not_found');
    expect((await emitAck(sa.socket, 'typing', 'garbage')).error.code).toBe('not_found');
    await Promise.all([barrier(t, b, sb.inbox), barrier(t, a, sa.inbox)]);
    expect(sb.inbox.of('typing')).toHaveLength(1);
    expect(sa.inbox.of('typing')).toEqual([]);

    // Once c accepts, c is an active member: c's typing reaches a and b.
    expect((await t.http().post(`/v1/conversations/${conversationId}/accept`).set(c.auth)).status).toBe(200);
    expect(await emitAck(sc.socket, 'typing', { conversationId })).toEqual({ relayed: true });
    await sa.inbox.waitFor('typing', (p) => p.userId === c.id);
    await sb.inbox.waitFor('typing', (p) => p.userId === c.id);
    await Promise.all([barrier(t, a, sa.inbox), barrier(t, b, sb.inbox), barrier(t, c, sc.inbox)]);
    expect(sa.inbox.of('typing', (p) => p.userId === c.id)).toHaveLength(1);
    expect(sb.inbox.of('typing', (p) => p.userId === c.id)).toHaveLength(1);
    expect(sc.inbox.of('typing')).toEqual([]);
  });
});

describe('several API processes on one database and one Redis', () => {
  let t2: TestApp;
  beforeAll(async () => {
    t2 = await startTestApp({ db: t.db, redisPrefix: t.config.redisPrefix, env: ENV });
  });
  afterAll(async () => {
    await t2?.close();
  });

  it('two clients on two processes talk in real time, both ways', async () => {
    const { a, b, conversationId } = await activePair();
    const onFirst = await open(t, a);
    const onSecond = await open(t2, b);

    const ack = await emitAck(onFirst.socket, 'message.send', { conversationId, clientId: 'x-1', text: 'from process one' });
    await onSecond.inbox.waitFor('message.created', (p) => p.message.id === ack.message.id);

    const back = await sendRest(t2, b, conversationId, 'x-2', 'from process two');
    expect(back.status).toBe(201);
    await onFirst.inbox.waitFor('message.created', (p) => p.message.id === back.body.id);
    // Each side heard each message exactly once (the later one on each socket is the barrier for the earlier).
    await onSecond.inbox.waitFor('message.created', (p) => p.message.id === back.body.id);
    expect(onSecond.inbox.of('message.created').map((p) => p.message)).toEqual([ack.message, back.body]);
    expect(onFirst.inbox.of('message.created').map((p) => p.message)).toEqual([ack.message, back.body]);

    expect(await emitAck(onSecond.socket, 'typing', { conversationId })).toEqual({ relayed: true });
    await onFirst.inbox.waitFor('typing', (p) => p.userId === b.id);
  });

  it('drops every socket of a user who gets suspended, on every process, and refuses them on reconnect', async () => {
    const u = await registerUser(t.url);
    const one = await open(t, u);
    const two = await open(t2, u);
    const drops = Promise.all([disconnected(one.socket), disconnected(two.socket)]);
    await suspendByStaff(t, u.id);
    expect(await drops).toEqual(['io server disconnect', 'io server disconnect']);
    expect((await connectRefusal(t2.url, u.token)).data?.code).toBe('account_suspended');
  });
});
