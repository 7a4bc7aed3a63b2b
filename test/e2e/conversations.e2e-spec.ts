import request from 'supertest';
import { Client } from 'pg';
import { Db } from '@app/messaging/db/db.service';
import type { ConversationQueue } from '@app/messaging/messages/conversation-queue';
import { MAX_WAITING_SENDS_PER_CONVERSATION, MessagesService } from '@app/messaging/messages/messages.service';
import Redis from 'ioredis';
import { REDIS_URL, startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { until } from '../support/wait';

let t: TestApp;
let db: Db;
beforeAll(async () => {
  t = await startTestApp({ label: 'conversations', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
});

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const create = (a: TestUser, ids: string[], extra: Record<string, unknown> = {}) =>
  t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: ids, ...extra });
const send = (a: TestUser, convId: string, text: string, clientId = `c-${Math.random()}`) =>
  t.http().post(`/v1/conversations/${convId}/messages`).set(a.auth).send({ clientId, text });

/** Two users where b follows a, so a's conversations land in b's inbox. */
async function friends() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await follow(b, a);
  await follow(a, b);
  const c = await create(a, [b.id]);
  await expectContract(c, 'POST /v1/conversations', 201);
  return { a, b, conv: c.body };
}

describe('direct conversations', () => {
  it('one other participant gives the direct conversation of the pair: 201 new, 200 existing, never two', async () => {
    const { a, b, conv } = await friends();
    expect(conv.kind).toBe('direct');
    expect(conv.members.map((m: any) => m.userId).sort()).toEqual([a.id, b.id].sort());
    const again = await create(a, [b.id]);
    expect(again.status).toBe(200);
    await expectContract(again, 'POST /v1/conversations', 200);
    expect(again.body.id).toBe(conv.id);
    const reverse = await create(b, [a.id]);
    expect(reverse.status).toBe(200);
    expect(reverse.body.id).toBe(conv.id);
  });

  it(`10 parallel creates of the same pair (from both sides) give one conversation (${RACE_ROUNDS} rounds, a fresh pair each)`, async () => {
    await raceRounds(RACE_ROUNDS, async () => {
      const a = await registerUser(t.url);
      const b = await registerUser(t.url);
      await follow(b, a);
      await follow(a, b);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? create(a, [b.id]) : create(b, [a.id]))));
      expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM conversation WHERE direct_key = $1`, [[a.id, b.id].sort().join(':')]);
      expect(n).toBe(1);
    });
  });

  it('refuses bad participant lists: 400 for wrong types, 404 for unknown users, 422 for only yourself', async () => {
    const a = await registerUser(t.url);
    for (const bad of [undefined, 'x', [], [1, 2], { $ne: null }]) {
      const r = await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: bad });
      expect(r.status).toBe(400);
      expectErrorShape(r.body, 400, 'invalid_request');
    }
    expect((await create(a, ['00000000-0000-7000-8000-000000000000'])).status).toBe(404);
    await expectError(await create(a, ['00000000-0000-7000-8000-000000000000']), 'POST /v1/conversations', 404, 'not_found');
    await expectError(
      await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: 'x' }),
      'POST /v1/conversations',
      400,
      'invalid_request',
    );
    expect((await create(a, ['nope'])).status).toBe(404);
    expect((await create(a, [a.id])).status).toBe(422);
  });
});

describe('groups', () => {
  it('at most 15 members in all, creator included: 422 group_too_large on create and on add', async () => {
    const a = await registerUser(t.url);
    const others = await Promise.all(Array.from({ length: 15 }, () => registerUser(t.url)));
    const tooMany = await create(
      a,
      others.map((u) => u.id),
    );
    expect(tooMany.status).toBe(422);
    expectErrorShape(tooMany.body, 422, 'group_too_large');
    await expectError(tooMany, 'POST /v1/conversations', 422, 'group_too_large');
    const ok = await create(
      a,
      others.slice(0, 14).map((u) => u.id),
      { title: 'Fourteen friends' },
    );
    expect(ok.status).toBe(201);
    expect(ok.body.kind).toBe('group');
    expect(ok.body.title).toBe('Fourteen friends');
    expect(ok.body.members).toHaveLength(15);
    const add = await t
      .http()
      .post(`/v1/conversations/${ok.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [others[14].id] });
    expect(add.status).toBe(422);
    expect(add.body.code).toBe('group_too_large');
    await expectError(add, 'POST /v1/conversations/{id}/members', 422, 'group_too_large');
  });

  it(`parallel adds cannot push a group past 15 (${RACE_ROUNDS} rounds, a fresh group by a fresh creator each)`, async () => {
    const first = await Promise.all(Array.from({ length: 12 }, () => registerUser(t.url)));
    const extra = await Promise.all(Array.from({ length: 6 }, () => registerUser(t.url)));
    await raceRounds(RACE_ROUNDS, async () => {
      // A fresh creator each round: one person making 20 groups in a few seconds meets the create limit.
      const a = await registerUser(t.url);
      const g = await create(
        a,
        first.map((u) => u.id),
      );
      expect(g.status).toBe(201);
      const results = await Promise.all(
        extra.map((u) =>
          t
            .http()
            .post(`/v1/conversations/${g.body.id}/members`)
            .set(a.auth)
            .send({ userIds: [u.id] }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 422, 422, 422, 422]);
      await expectContract(
        results.find((r) => r.status === 200)!,
        'POST /v1/conversations/{id}/members',
        200,
      );
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM conversation_member WHERE conversation_id = $1 AND state IN ('active','pending')`,
        [g.body.id],
      );
      expect(n).toBe(15);
    });
  });

  it('only members add members; adding to a direct conversation is 422; leaving removes you', async () => {
    const { a, b, conv } = await friends();
    const c = await registerUser(t.url);
    const outsider = await registerUser(t.url);
    expect(
      (
        await t
          .http()
          .post(`/v1/conversations/${conv.id}/members`)
          .set(a.auth)
          .send({ userIds: [c.id] })
      ).status,
    ).toBe(422);
    await expectError(
      await t
        .http()
        .post(`/v1/conversations/${conv.id}/members`)
        .set(a.auth)
        .send({ userIds: [c.id] }),
      'POST /v1/conversations/{id}/members',
      422,
      'not_a_group',
    );
    await expectError(
      await t.http().delete(`/v1/conversations/${conv.id}/members/me`).set(a.auth),
      'DELETE /v1/conversations/{id}/members/me',
      422,
      'not_a_group',
    );
    const g = await create(a, [b.id, c.id]);
    expect(
      (
        await t
          .http()
          .post(`/v1/conversations/${g.body.id}/members`)
          .set(outsider.auth)
          .send({ userIds: [outsider.id] })
      ).status,
    ).toBe(404);
    await follow(c, a);
    await expectContract(
      await t.http().delete(`/v1/conversations/${g.body.id}/members/me`).set(b.auth),
      'DELETE /v1/conversations/{id}/members/me',
      204,
    );
    expect((await t.http().get(`/v1/conversations/${g.body.id}`).set(b.auth)).status).toBe(404);
    const view = await t.http().get(`/v1/conversations/${g.body.id}`).set(a.auth);
    expect(view.body.members.find((m: any) => m.userId === b.id).state).toBe('left');
    await expectContract(view, 'GET /v1/conversations/{id}', 200);
  });
});

describe('message requests', () => {
  it('a stranger’s conversation waits in the requests folder; accept moves it to the inbox', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await create(a, [b.id]);
    expect(c.status).toBe(201);
    expect(c.body.members.find((m: any) => m.userId === b.id).state).toBe('pending');
    await send(a, c.body.id, 'hello there').expect(201);
    const requests = await t.http().get('/v1/conversations?folder=requests').set(b.auth);
    expect(requests.body.items.map((x: any) => x.id)).toEqual([c.body.id]);
    await expectContract(requests, 'GET /v1/conversations', 200);
    expect(requests.body.items[0]).toMatchObject({ myState: 'pending', unreadCount: 1 });
    expect(requests.body.items[0].lastMessage.text).toBe('hello there');
    expect((await t.http().get('/v1/conversations?folder=inbox').set(b.auth)).body.items).toHaveLength(0);
    const acc = await t.http().post(`/v1/conversations/${c.body.id}/accept`).set(b.auth);
    expect(acc.status).toBe(200);
    await expectContract(acc, 'POST /v1/conversations/{id}/accept', 200);
    expect(acc.body.myState).toBe('active');
    expect((await t.http().get('/v1/conversations?folder=inbox').set(b.auth)).body.items.map((x: any) => x.id)).toEqual([c.body.id]);
    expect((await t.http().get('/v1/conversations?folder=requests').set(b.auth)).body.items).toHaveLength(0);
  });

  it(`the creator may send 3 messages while pending; the 4th is 403 request_pending_limit, even in parallel (${RACE_ROUNDS} rounds, a fresh recipient each)`, async () => {
    const a = await registerUser(t.url);
    await raceRounds(RACE_ROUNDS, async () => {
      const b = await registerUser(t.url);
      const c = await create(a, [b.id]);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(a, c.body.id, `msg ${i}`)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      const refused = results.filter((r) => r.status === 403);
      expect(refused).toHaveLength(5);
      await expectError(refused[0], 'POST /v1/conversations/{id}/messages', 403, 'request_pending_limit');
      const seqs = results
        .filter((r) => r.status === 201)
        .map((r) => r.body.seq)
        .sort();
      expect(seqs).toEqual([1, 2, 3]);
    });
  });

  it('a pending recipient who replies has accepted, and the creator is no longer capped', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await create(a, [b.id]);
    for (let i = 0; i < 3; i++) await send(a, c.body.id, `m${i}`).expect(201);
    await send(b, c.body.id, 'hi back').expect(201);
    expect((await t.http().get(`/v1/conversations/${c.body.id}`).set(b.auth)).body.myState).toBe('active');
    await send(a, c.body.id, 'now free').expect(201);
  });

  it('decline is silent: the decliner never sees it again, and neither the sender’s view nor the sender’s sync changes', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const bHead = (await t.http().get('/v1/sync').set(b.auth).expect(200)).body.cursor;
    const c = await create(a, [b.id]);
    const first = await send(a, c.body.id, 'first').expect(201);
    const before = await t.http().get(`/v1/conversations/${c.body.id}`).set(a.auth);
    const aHead = (await t.http().get('/v1/sync').set(a.auth).expect(200)).body.cursor;
    const beforeDecline = (await t.http().get('/v1/sync').set(b.auth).expect(200)).body.cursor;
    await expectContract(
      await t.http().post(`/v1/conversations/${c.body.id}/decline`).set(b.auth),
      'POST /v1/conversations/{id}/decline',
      200,
    );
    await expectError(
      await t.http().post(`/v1/conversations/${c.body.id}/decline`).set(a.auth),
      'POST /v1/conversations/{id}/decline',
      422,
      'not_pending',
    );
    expect((await t.http().get(`/v1/conversations/${c.body.id}`).set(b.auth)).status).toBe(404);
    expect((await t.http().get('/v1/conversations?folder=requests').set(b.auth)).body.items).toHaveLength(0);
    const second = await send(a, c.body.id, 'second').expect(201);
    expect((await t.http().get(`/v1/conversations/${c.body.id}/messages`).set(b.auth)).status).toBe(404);
    const after = await t.http().get(`/v1/conversations/${c.body.id}`).set(a.auth);
    expect(after.body.members).toEqual(before.body.members);
    expect(after.body.members.find((m: any) => m.userId === b.id).state).toBe('pending');
    // While pending, b had the request and its preview; after declining, nothing at all: a
    // sync from before shows those events as the (404) lists would, the preview's text withheld.
    const bSync = await t.http().get(`/v1/sync?cursor=${bHead}`).set(b.auth).expect(200);
    expect(bSync.body.events.map((e: any) => `${e.type}:${e.message?.state ?? ''}:${e.message?.text ?? ''}`)).toEqual([
      'request.created::',
      'message.created:held:',
    ]);
    expect(first.body.seq).toBe(1);
    expect((await t.http().get(`/v1/sync?cursor=${beforeDecline}`).set(b.auth).expect(200)).body.events).toEqual([]);
    // The sender's sync after the decline holds exactly their own second message: nothing tells them.
    const aSync = await t.http().get(`/v1/sync?cursor=${aHead}`).set(a.auth).expect(200);
    expect(aSync.body.events.map((e: any) => [e.type, e.message?.id])).toEqual([['message.created', second.body.id]]);
  });

  it('a decliner re-added to a group stays declined and hears nothing; they still count toward the 15', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const others = await Promise.all(Array.from({ length: 13 }, () => registerUser(t.url)));
    const g = await create(a, [b.id, ...others.map((u) => u.id)]);
    expect(g.body.members).toHaveLength(15);
    await t.http().post(`/v1/conversations/${g.body.id}/decline`).set(b.auth).expect(200);
    const head = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    const before = await t.http().get(`/v1/conversations/${g.body.id}`).set(a.auth);
    // The sender still sees b as pending, so b is still one of the 15.
    const late = await registerUser(t.url);
    const full = await t
      .http()
      .post(`/v1/conversations/${g.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [late.id] });
    expect(full.status).toBe(422);
    expect(full.body.code).toBe('group_too_large');
    // Adding b again is a no-op: b is already a member as far as the sender knows.
    const again = await t
      .http()
      .post(`/v1/conversations/${g.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [b.id] });
    expect(again.status).toBe(200);
    expect(again.body.members).toEqual(before.body.members);
    expect((await t.http().get(`/v1/conversations/${g.body.id}`).set(b.auth)).status).toBe(404);
    expect((await t.http().get('/v1/conversations?folder=requests').set(b.auth)).body.items).toHaveLength(0);
    const sync = await t.http().get(`/v1/sync?cursor=${head}`).set(b.auth).expect(200);
    expect(sync.body.events).toEqual([]);
  });

  it('allowIncoming following/none refuse with 403 recipient_not_accepting', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    await t.http().patch('/v1/me/settings').set(b.auth).send({ allowIncoming: 'following' }).expect(200);
    const r = await create(a, [b.id]);
    expect(r.status).toBe(403);
    expectErrorShape(r.body, 403, 'recipient_not_accepting');
    await expectError(r, 'POST /v1/conversations', 403, 'recipient_not_accepting');
    await follow(b, a);
    expect((await create(a, [b.id])).status).toBe(201);
    const c = await registerUser(t.url);
    await t.http().patch('/v1/me/settings').set(c.auth).send({ allowIncoming: 'none' }).expect(200);
    await follow(c, a);
    expect((await create(a, [c.id])).body.code).toBe('recipient_not_accepting');
  });

  it('blocks in either direction refuse create, add and send with 403 blocked', async () => {
    const { a, b, conv } = await friends();
    const c = await registerUser(t.url);
    await t.http().put(`/v1/users/${a.id}/block`).set(b.auth).expect(204);
    expect((await send(a, conv.id, 'hey')).body.code).toBe('blocked');
    await expectError(await send(a, conv.id, 'hey'), 'POST /v1/conversations/{id}/messages', 403, 'blocked');
    expect((await send(b, conv.id, 'hey')).body.code).toBe('blocked');
    expect((await create(a, [b.id])).status).toBe(403);
    await t.http().put(`/v1/users/${c.id}/block`).set(a.auth).expect(204);
    expect((await create(c, [a.id])).body.code).toBe('blocked');
    const d = await registerUser(t.url);
    const g = await create(a, [d.id, (await registerUser(t.url)).id]);
    const add = await t
      .http()
      .post(`/v1/conversations/${g.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [c.id] });
    expect(add.status).toBe(403);
    expect(add.body.code).toBe('blocked');
    await expectError(add, 'POST /v1/conversations/{id}/members', 403, 'blocked');
  });
});

describe('messages', () => {
  it('50 parallel sends from 2 members give seqs exactly 1..50', async () => {
    const { a, b, conv } = await friends();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i % 2 ? a : b, conv.id, `m${i}`)));
    expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
    expect(results.map((r) => r.body.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const page = await t.http().get(`/v1/conversations/${conv.id}/messages?limit=100`).set(a.auth);
    expect(page.body.items.map((m: any) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it(`10 parallel sends with the same clientId give one message (201 once, 200 for the rest) (${RACE_ROUNDS} rounds, a fresh clientId each)`, async () => {
    const { a, conv } = await friends();
    await raceRounds(RACE_ROUNDS, async (round) => {
      const results = await Promise.all(Array.from({ length: 10 }, () => send(a, conv.id, 'once', `same-client-id-${round}`)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(9);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      await expectContract(
        results.find((r) => r.status === 201)!,
        'POST /v1/conversations/{id}/messages',
        201,
      );
      await expectContract(
        results.find((r) => r.status === 200)!,
        'POST /v1/conversations/{id}/messages',
        200,
      );
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND client_id = $2`, [
        conv.id,
        `same-client-id-${round}`,
      ]);
      expect(n).toBe(1);
      // The seqs stay gapless: round r's message is seq 2r - 1, and the send after it 2r.
      expect(results[0].body.seq).toBe(2 * round - 1);
      const next = await send(a, conv.id, 'after');
      expect(next.body.seq).toBe(2 * round);
    });
  });

  it('8 sends in flight on one conversation wait in the process, not on its row lock: one statement at a time, the others and other conversations unharmed, all stored in seq order', async () => {
    const { a, b, conv } = await friends();
    const other = await friends();
    // Hold the conversation's row lock from outside the app, as a send from another process would.
    const holder = new Client({ connectionString: t.db.url });
    // Outside any transaction: a transaction reads pg_stat_activity once and keeps that snapshot.
    const observer = new Client({ connectionString: t.db.url });
    await Promise.all([holder.connect(), observer.connect()]);
    const lockWaiters = async () =>
      (
        await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`,
        )
      ).rows[0].n;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM conversation WHERE id = $1 FOR UPDATE', [conv.id]);
      const burst = Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 2 ? a : b, conv.id, `queued ${i}`)));
      await until('the first send waiting on the row lock', async () => (await lockWaiters()) >= 1);
      // Time for all eight to reach the database if they were going to (without the queue: 8 waiters).
      await new Promise((r) => setTimeout(r, 1000));
      expect(await lockWaiters()).toBe(1);
      // Another conversation is not held up by this one.
      expect((await send(other.a, other.conv.id, 'elsewhere')).status).toBe(201);
      await holder.query('ROLLBACK');
      const results = await burst;
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(results.map((r) => r.body.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await Promise.all([holder.end(), observer.end()]);
    }
  });

  it(`at most ${MAX_WAITING_SENDS_PER_CONVERSATION} sends wait for one conversation in a process: one more is 429 rate_limited, a retry of a stored clientId is still answered, the queued ones are all stored`, async () => {
    const { a, b, conv } = await friends();
    const stored = await send(a, conv.id, 'stored before', 'stored-before').expect(201);
    const turns = (t.app.get(MessagesService) as any).sendTurns as ConversationQueue;
    const holder = new Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM conversation WHERE id = $1 FOR UPDATE', [conv.id]);
      // One in its statement (waiting on the lock held here) and the bound's worth behind it.
      const burst = Promise.all(
        Array.from({ length: MAX_WAITING_SENDS_PER_CONVERSATION + 1 }, (_, i) => send(i % 2 ? a : b, conv.id, `queued ${i}`)),
      );
      await until('the queue to fill', async () => turns.waitingFor(conv.id) === MAX_WAITING_SENDS_PER_CONVERSATION);
      const refused = await send(a, conv.id, 'one too many');
      await expectError(refused, 'POST /v1/conversations/{id}/messages', 429, 'rate_limited');
      expect(refused.headers['retry-after']).toBe('1');
      const replay = await send(a, conv.id, 'stored before', 'stored-before');
      expect(replay.status).toBe(200);
      expect(replay.body.id).toBe(stored.body.id);
      await holder.query('ROLLBACK');
      const results = await burst;
      expect(results.filter((r) => r.status !== 201)).toEqual([]);
      expect(results.map((r) => r.body.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: MAX_WAITING_SENDS_PER_CONVERSATION + 1 }, (_, i) => i + 2),
      );
      expect(turns.busyConversations).toBe(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it("a send refused because its conversation's queue is full (429) spends none of the sender's send budget, burst or sustained", async () => {
    const { a, b, conv } = await friends();
    const turns = (t.app.get(MessagesService) as any).sendTurns as ConversationQueue;
    const redis = new Redis(REDIS_URL);
    const spent = async (who: TestUser) =>
      Promise.all([
        redis.get(`${t.config.redisPrefix}rl:sendBurst:{${who.id}}`),
        redis.get(`${t.config.redisPrefix}rl:sendSustained:{${who.id}}`),
      ]);
    const holder = new Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM conversation WHERE id = $1 FOR UPDATE', [conv.id]);
      // b fills the queue (one in its statement, the bound's worth behind it); a only knocks.
      const burst = Promise.all(Array.from({ length: MAX_WAITING_SENDS_PER_CONVERSATION + 1 }, (_, i) => send(b, conv.id, `queued ${i}`)));
      await until('the queue to fill', async () => turns.waitingFor(conv.id) === MAX_WAITING_SENDS_PER_CONVERSATION);
      const before = await spent(a);
      for (let i = 0; i < 3; i++) {
        const refused = await send(a, conv.id, `refused ${i}`);
        await expectError(refused, 'POST /v1/conversations/{id}/messages', 429, 'rate_limited');
      }
      expect(await spent(a)).toEqual(before);
      await holder.query('ROLLBACK');
      expect((await burst).filter((r) => r.status !== 201)).toEqual([]);
      // Once the queue drained, a's next send passes and spends exactly one point of each budget.
      expect((await send(a, conv.id, 'after the wave')).status).toBe(201);
      expect(await spent(a)).toEqual(before.map((n) => String(Number(n ?? 0) + 1)));
      expect(turns.busyConversations).toBe(0);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      redis.disconnect();
    }
  });

  it('text rules: trimmed 1..4000, control characters 400 invalid_text, media fields 422', async () => {
    const { a, conv } = await friends();
    const ok = await send(a, conv.id, '  padded  ');
    expect(ok.body.text).toBe('padded');
    expect((await send(a, conv.id, 'x'.repeat(4000))).status).toBe(201);
    for (const bad of ['', '   ', 'x'.repeat(4001), 'bell\u0007', 'nul\u0000']) {
      const r = await send(a, conv.id, bad);
      expect(r.status).toBe(400);
      expectErrorShape(r.body, 400, 'invalid_text');
      await expectError(r, 'POST /v1/conversations/{id}/messages', 400, 'invalid_text');
    }
    for (const field of ['attachments', 'image', 'video', 'media']) {
      const r = await t
        .http()
        .post(`/v1/conversations/${conv.id}/messages`)
        .set(a.auth)
        .send({ clientId: `m-${field}`, text: 'hi', [field]: 'https://x/y.png' });
      expect(r.status).toBe(422);
      expectErrorShape(r.body, 422, 'attachments_not_supported');
      await expectError(r, 'POST /v1/conversations/{id}/messages', 422, 'attachments_not_supported');
    }
    const noClient = await t.http().post(`/v1/conversations/${conv.id}/messages`).set(a.auth).send({ text: 'hi' });
    expect(noClient.status).toBe(400);
  });

  it('links are extracted, normalised and start pending', async () => {
    const { a, conv } = await friends();
    const r = await send(a, conv.id, 'see HTTP://Example.COM:80/a#frag and docs.example.org/x');
    expect(r.status).toBe(201);
    expect(r.body.links.map((l: any) => l.url)).toEqual(['http://example.com/a', 'http://docs.example.org/x']);
    expect(r.body.links.map((l: any) => l.verdict)).toEqual(['pending', 'pending']);
  });

  it('unsend: own messages only; text and links gone for everyone; the seq stays', async () => {
    const { a, b, conv } = await friends();
    const m = await send(a, conv.id, 'oops example.com');
    await send(b, conv.id, 'reply').expect(201);
    await expectError(
      await t.http().delete(`/v1/conversations/${conv.id}/messages/${m.body.id}`).set(b.auth),
      'DELETE /v1/conversations/{id}/messages/{messageId}',
      403,
      'forbidden',
    );
    const un = await t.http().delete(`/v1/conversations/${conv.id}/messages/${m.body.id}`).set(a.auth);
    expect(un.status).toBe(200);
    expect(un.body).toMatchObject({ state: 'removed', removedReason: 'unsent', text: null, links: [], seq: 1 });
    await expectContract(un, 'DELETE /v1/conversations/{id}/messages/{messageId}', 200);
    const seen = await t.http().get(`/v1/conversations/${conv.id}/messages`).set(b.auth);
    expect(seen.body.items[0]).toMatchObject({ seq: 1, state: 'removed', text: null });
    expect(seen.body.items[1].seq).toBe(2);
  });

  it('paging: afterSeq, beforeSeq, limit; invalid values are 400', async () => {
    const { a, conv } = await friends();
    for (let i = 1; i <= 7; i++) await send(a, conv.id, `n${i}`).expect(201);
    const p1 = await t.http().get(`/v1/conversations/${conv.id}/messages?limit=3`).set(a.auth);
    expect(p1.body.items.map((m: any) => m.seq)).toEqual([1, 2, 3]);
    expect(p1.body.nextCursor).toBe('3');
    await expectContract(p1, 'GET /v1/conversations/{id}/messages', 200);
    const p2 = await t.http().get(`/v1/conversations/${conv.id}/messages?afterSeq=3&limit=3`).set(a.auth);
    expect(p2.body.items.map((m: any) => m.seq)).toEqual([4, 5, 6]);
    const before = await t.http().get(`/v1/conversations/${conv.id}/messages?beforeSeq=7&limit=2`).set(a.auth);
    expect(before.body.items.map((m: any) => m.seq)).toEqual([5, 6]);
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'afterSeq=-1', 'beforeSeq=1.5', 'afterSeq=1&afterSeq=2']) {
      const r = await t.http().get(`/v1/conversations/${conv.id}/messages?${q}`).set(a.auth);
      expect(r.status).toBe(400);
      expectErrorShape(r.body, 400);
      await expectError(r, 'GET /v1/conversations/{id}/messages', 400, 'invalid_request');
    }
  });

  it('following nextCursor pages on in the same direction, backwards from beforeSeq as forwards from afterSeq', async () => {
    const { a, conv } = await friends();
    for (let i = 1; i <= 7; i++) await send(a, conv.id, `p${i}`).expect(201);
    const url = `/v1/conversations/${conv.id}/messages`;
    const back1 = await t.http().get(`${url}?beforeSeq=7&limit=2`).set(a.auth).expect(200);
    expect(back1.body.items.map((m: any) => m.seq)).toEqual([5, 6]);
    const back2 = await t.http().get(`${url}?beforeSeq=7&limit=2&cursor=${back1.body.nextCursor}`).set(a.auth).expect(200);
    expect(back2.body.items.map((m: any) => m.seq)).toEqual([3, 4]);
    const back3 = await t.http().get(`${url}?limit=2&cursor=${back2.body.nextCursor}`).set(a.auth).expect(200);
    expect(back3.body.items.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(back3.body.nextCursor).toBeNull();
    const fwd1 = await t.http().get(`${url}?afterSeq=1&limit=2`).set(a.auth).expect(200);
    expect(fwd1.body.items.map((m: any) => m.seq)).toEqual([2, 3]);
    const fwd2 = await t.http().get(`${url}?afterSeq=1&limit=2&cursor=${fwd1.body.nextCursor}`).set(a.auth).expect(200);
    expect(fwd2.body.items.map((m: any) => m.seq)).toEqual([4, 5]);
  });

  it('read markers move forward only and unreadCount follows', async () => {
    const { a, b, conv } = await friends();
    for (let i = 0; i < 5; i++) await send(a, conv.id, `u${i}`).expect(201);
    expect((await t.http().get(`/v1/conversations/${conv.id}`).set(b.auth)).body.unreadCount).toBe(5);
    const r = await t.http().post(`/v1/conversations/${conv.id}/read`).set(b.auth).send({ seq: 3 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ readSeq: 3, unreadCount: 2 });
    await expectContract(r, 'POST /v1/conversations/{id}/read', 200);
    const back = await t.http().post(`/v1/conversations/${conv.id}/read`).set(b.auth).send({ seq: 1 });
    expect(back.body.readSeq).toBe(3);
    await expectError(
      await t.http().post(`/v1/conversations/${conv.id}/read`).set(b.auth).send({ seq: 'x' }),
      'POST /v1/conversations/{id}/read',
      400,
      'invalid_request',
    );
    expect((await t.http().get(`/v1/conversations/${conv.id}`).set(b.auth)).body.unreadCount).toBe(2);
  });

  it('inbox lists newest activity first with cursor pagination', async () => {
    const a = await registerUser(t.url);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await registerUser(t.url);
      await follow(u, a);
      ids.push((await create(a, [u.id])).body.id);
    }
    await send(a, ids[0], 'bump').expect(201);
    const p1 = await t.http().get('/v1/conversations?folder=inbox&limit=2').set(a.auth);
    expect(p1.body.items.map((c: any) => c.id)).toEqual([ids[0], ids[2]]);
    const p2 = await t.http().get(`/v1/conversations?folder=inbox&limit=2&cursor=${p1.body.nextCursor}`).set(a.auth);
    expect(p2.body.items.map((c: any) => c.id)).toEqual([ids[1]]);
    expect(p2.body.nextCursor).toBeNull();
    await expectError(await t.http().get('/v1/conversations?folder=spam').set(a.auth), 'GET /v1/conversations', 400, 'invalid_request');
    expect((await t.http().get('/v1/conversations?cursor=garbage').set(a.auth)).status).toBe(400);
  });
});

describe('non-members get 404 on every conversation and message route', () => {
  it.each([
    ['GET', (c: string) => `/v1/conversations/${c}`, undefined],
    ['POST', (c: string) => `/v1/conversations/${c}/accept`, {}],
    ['POST', (c: string) => `/v1/conversations/${c}/decline`, {}],
    ['POST', (c: string) => `/v1/conversations/${c}/members`, { userIds: [] as string[] }],
    ['DELETE', (c: string) => `/v1/conversations/${c}/members/me`, undefined],
    ['POST', (c: string) => `/v1/conversations/${c}/read`, { seq: 1 }],
    ['POST', (c: string) => `/v1/conversations/${c}/messages`, { clientId: 'x', text: 'intruder' }],
    ['GET', (c: string) => `/v1/conversations/${c}/messages`, undefined],
    ['DELETE', (c: string) => `/v1/conversations/${c}/messages/MSG`, undefined],
  ] as const)('%s %s', async (method, path, body) => {
    const { a, conv } = await friends();
    const m = await send(a, conv.id, 'private');
    const outsider = await registerUser(t.url);
    for (const id of [conv.id, '00000000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const url = path(id).replace('MSG', m.body.id);
      let req = (request(t.url) as any)[method.toLowerCase()](url).set(outsider.auth);
      if (body) req = req.send((body as any).userIds ? { userIds: [outsider.id] } : body);
      const r = await req;
      expect(r.status).toBe(404);
      expectErrorShape(r.body, 404, 'not_found');
    }
  });
});

it('a conversation, its messages, its members and its read marker are 404 not_found to a non-member, as documented', async () => {
  const { a, conv } = await friends();
  const m = await send(a, conv.id, 'private');
  const outsider = await registerUser(t.url);
  const as = (r: request.Test) => r.set(outsider.auth);
  await expectError(await as(t.http().get(`/v1/conversations/${conv.id}`)), 'GET /v1/conversations/{id}', 404, 'not_found');
  await expectError(await as(t.http().post(`/v1/conversations/${conv.id}/accept`)), 'POST /v1/conversations/{id}/accept', 404, 'not_found');
  await expectError(
    await as(t.http().post(`/v1/conversations/${conv.id}/decline`)),
    'POST /v1/conversations/{id}/decline',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().post(`/v1/conversations/${conv.id}/members`)).send({ userIds: [outsider.id] }),
    'POST /v1/conversations/{id}/members',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().delete(`/v1/conversations/${conv.id}/members/me`)),
    'DELETE /v1/conversations/{id}/members/me',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().post(`/v1/conversations/${conv.id}/read`)).send({ seq: 1 }),
    'POST /v1/conversations/{id}/read',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().post(`/v1/conversations/${conv.id}/messages`)).send({ clientId: 'x', text: 'intruder' }),
    'POST /v1/conversations/{id}/messages',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().get(`/v1/conversations/${conv.id}/messages`)),
    'GET /v1/conversations/{id}/messages',
    404,
    'not_found',
  );
  await expectError(
    await as(t.http().delete(`/v1/conversations/${conv.id}/messages/${m.body.id}`)),
    'DELETE /v1/conversations/{id}/messages/{messageId}',
    404,
    'not_found',
  );
});
