import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * The positions stream (docs/ARCHITECTURE.md "The event stream", issue #28) delivers what the
 * per-user stream delivers: under concurrent senders in a group and a direct conversation,
 * every user gets the same events from both, each exactly once, a conversation's messages in
 * seq order, whatever the page size, and whether read while the sends are still committing or
 * after. A socket in positions mode gets the same events live, with the same positions.
 */

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'event_stream', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
async function send(u: TestUser, conversationId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}

/** One page of either stream. */
async function page(u: TestUser, cursor: string, limit: number) {
  const res = await t.http().get(`/v1/sync`).query({ cursor, limit }).set(u.auth);
  expect(res.status).toBe(200);
  return res.body as { events: any[]; cursor: string; hasMore: boolean };
}
async function syncAll(u: TestUser, cursor: string, limit: number): Promise<{ events: any[]; cursor: string }> {
  const out: any[] = [];
  for (;;) {
    const p = await page(u, cursor, limit);
    out.push(...p.events);
    cursor = p.cursor;
    if (!p.hasMore) return { events: out, cursor };
  }
}
const v1Head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const positionsHead = async (u: TestUser) =>
  (await t.http().get('/v1/sync').query({ stream: 'positions' }).set(u.auth).expect(200)).body.cursor as string;

/**
 * Whether a live event's cursor (positions: p1.<tx>.<id>) is past `head`, a cursor of the same
 * stream taken after the socket connected. A push of an event written before (the base sends,
 * the conversation's creation) may still reach a socket that connected right after it: the
 * outbox drains after commit. A client skips it by its cursor; so do these tests.
 */
const pastHead = (head: string) => {
  const at = (c: string) => c.split('.').slice(1).map(BigInt);
  const [htx, hid] = at(head);
  return (e: { payload?: any }) => {
    if (!e.payload?.cursor) return false;
    const [tx, id] = at(e.payload.cursor);
    return tx > htx || (tx === htx && id > hid);
  };
};

/** What an event is, whichever stream carried it. */
const identity = (e: any) => `${e.type}:${e.message?.id ?? `${e.conversationId}/${e.userId}/${e.seq}`}`;

/** Exactly once, and each conversation's message.created in seq order. */
function expectOnceInSeqOrder(events: any[]) {
  const ids = events.map(identity);
  expect(new Set(ids).size).toBe(ids.length);
  const lastSeq = new Map<string, number>();
  for (const e of events.filter((x) => x.type === 'message.created')) {
    expect(e.message.seq).toBeGreaterThan(lastSeq.get(e.message.conversationId) ?? 0);
    lastSeq.set(e.message.conversationId, e.message.seq);
  }
}

it('positions cursors are opaque strings; a malformed one or an unknown stream is a 400', async () => {
  const a = await registerUser(t.url);
  const head = await positionsHead(a);
  expect(head).toMatch(/^p1\.\d+\.0$/);
  expect((await t.http().get('/v1/sync').query({ cursor: 'p1.12x.3' }).set(a.auth)).body.code).toBe('invalid_cursor');
  expect((await t.http().get('/v1/sync').query({ cursor: '5', stream: 'positions' }).set(a.auth)).body.code).toBe('invalid_cursor');
  expect(
    (
      await t
        .http()
        .get('/v1/sync')
        .query({ cursor: `p1.${2n ** 63n}.0` })
        .set(a.auth)
    ).body.code,
  ).toBe('invalid_cursor');
  expect((await t.http().get('/v1/sync').query({ stream: 'p2' }).set(a.auth)).status).toBe(400);
  // A page with nothing new ends at a horizon: never behind the cursor it was given.
  const again = await page(a, head, 10);
  expect(again.events).toEqual([]);
  const [, htx] = head.split('.');
  expect(BigInt(again.cursor.split('.')[1]) >= BigInt(htx)).toBe(true);
});

it('a message acknowledged before a sync starts is in that sync (read your writes)', async () => {
  const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
  await follow(b, a);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  const head = await positionsHead(b);
  for (let i = 0; i < 5; i++) {
    const m = await send(a, conv.id, `ryw ${i}`);
    const { events } = await syncAll(b, head, 500);
    expect(events.map((e) => e.message?.id)).toContain(m.id);
  }
});

it('a transaction of ANOTHER database on the server does not hold the horizon: the sync that ends a catch-up answers at once, with the write acknowledged before it', async () => {
  const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
  await follow(b, a);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  const head = await positionsHead(b);
  // A writer of another database (another application, a CREATE DATABASE) holding an xid for
  // longer than the read's wait bound: it can never write a row of this stream.
  const elsewhere = new Client(t.db.url.replace(/\/[^/]+$/, '/postgres'));
  await elsewhere.connect();
  try {
    await elsewhere.query('BEGIN');
    await elsewhere.query('SELECT pg_current_xact_id()');
    for (let i = 0; i < 3; i++) {
      const m = await send(a, conv.id, `beside another database ${i}`);
      // Held to its bound (1 s) by the other database's transaction, the read would answer
      // below that transaction, without this message.
      const { events, cursor } = await syncAll(b, head, 500);
      expect(events.map((e) => e.message?.id)).toContain(m.id);
      // And the cursor it ended at is past that transaction: nothing is positioned between.
      const [, tx] = cursor.split('.');
      const [{ x }] = (await elsewhere.query('SELECT pg_current_xact_id()::text AS x')).rows;
      expect(BigInt(tx) > BigInt(x)).toBe(true);
    }
  } finally {
    await elsewhere.query('ROLLBACK').catch(() => undefined);
    await elsewhere.end();
  }
});

it('a full page is served below the current horizon without waiting for an open transaction; the page that ends the catch-up waits, and holds a write acknowledged before it', async () => {
  const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
  await follow(b, a);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  const head = await positionsHead(b);
  const before = [];
  for (let i = 0; i < 3; i++) before.push((await send(a, conv.id, `before ${i}`)).id);
  // A transaction of this database that holds an xid (any writer elsewhere): the horizon stays
  // at it while it runs, and the message sent now is above it.
  const blocker = new Client(t.db.url);
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT pg_current_xact_id()');
    const acked = (await send(a, conv.id, 'acknowledged while a transaction is open')).id;

    // Full pages: final below the horizon as it is, returned without waiting for the open
    // transaction (the wait is bounded by 1 s; these come back while it still runs).
    const started = Date.now();
    const first = await page(b, head, 2);
    expect(first.events.map((e) => e.message.id)).toEqual(before.slice(0, 2));
    expect(first.hasMore).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);

    // The rest is a short page: it waits for every transaction running when it arrived (the
    // blocker, which ends meanwhile) and then holds the acknowledged message too.
    const ends = new Promise((r) => setTimeout(r, 300)).then(() => blocker.query('COMMIT'));
    const rest = await page(b, first.cursor, 500);
    await ends;
    expect(rest.events.map((e) => e.message.id)).toEqual([before[2], acked]);
    expect(rest.hasMore).toBe(false);
    expect((await page(b, rest.cursor, 500)).events).toEqual([]);
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end();
  }
});

it('a short page that waited goes on after its last row: page sizes that end inside the newly committed rows stay exactly-once', async () => {
  const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
  await follow(b, a);
  const conv = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201)
  ).body;
  const head = await positionsHead(b);
  const sent = [(await send(a, conv.id, 'below')).id];
  const blocker = new Client(t.db.url);
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT pg_current_xact_id()');
    for (let i = 0; i < 3; i++) sent.push((await send(a, conv.id, `above ${i}`)).id);
    // Limit 2: one row below the arrival horizon, a short read; after the wait, the read after
    // it fills the page with one of the three above, and says there is more.
    const ends = new Promise((r) => setTimeout(r, 200)).then(() => blocker.query('COMMIT'));
    const first = await page(b, head, 2);
    await ends;
    expect(first.events.map((e) => e.message.id)).toEqual(sent.slice(0, 2));
    expect(first.hasMore).toBe(true);
    const { events } = await syncAll(b, first.cursor, 2);
    expect(events.map((e) => e.message.id)).toEqual(sent.slice(2));
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end();
  }
});

it('concurrent senders in a group and a direct conversation: both streams give every user the same events, once each, in seq order, for page sizes 1, 7 and 500, live included', async () => {
  const [a, b, c, d] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
  const users = [a, b, c, d];
  await follow(b, a);
  await follow(c, a);
  await follow(d, a);
  const group = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id] })
      .expect(201)
  ).body;
  const direct = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [d.id] })
      .expect(201)
  ).body;

  const heads = new Map<string, { v1: string; p: string }>();
  const inboxes = new Map<string, Inbox>();
  for (const u of users) {
    const s = await connectSocket(t.url, u.token, { stream: 'positions' });
    sockets.push(s);
    inboxes.set(u.id, new Inbox(s));
    heads.set(u.id, { v1: await v1Head(u), p: await positionsHead(u) });
  }

  // A reader that follows b's positions stream while the sends commit, a page of 7 at a time.
  let sending = true;
  const during: any[] = [];
  const follower = (async () => {
    let cursor = heads.get(b.id)!.p;
    while (sending) {
      const p = await page(b, cursor, 7);
      during.push(...p.events);
      cursor = p.cursor;
    }
    const rest = await syncAll(b, cursor, 7);
    during.push(...rest.events);
  })();

  const N = 12;
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < N; i++) {
    for (const u of [a, b, c]) sends.push(send(u, group.id, `group ${u.handle} ${i}`));
    for (const u of [a, d]) sends.push(send(u, direct.id, `direct ${u.handle} ${i}`));
  }
  await Promise.all(sends);
  // Another event kind, written per user: read markers.
  await t.http().post(`/v1/conversations/${group.id}/read`).set(c.auth).send({ seq: N }).expect(200);
  sending = false;
  await follower;

  const expected = new Map<string, number>([
    [a.id, 5 * N],
    [b.id, 3 * N],
    [c.id, 3 * N],
    [d.id, 2 * N],
  ]);
  for (const u of users) {
    const v1 = (await syncAll(u, heads.get(u.id)!.v1, 500)).events;
    expect(v1.filter((e) => e.type === 'message.created')).toHaveLength(expected.get(u.id)!);
    expectOnceInSeqOrder(v1);
    for (const limit of [1, 7, 500]) {
      const positions = (await syncAll(u, heads.get(u.id)!.p, limit)).events;
      expectOnceInSeqOrder(positions);
      // The same events (sorted: the two streams order different conversations differently).
      expect(positions.map(identity).sort()).toEqual(v1.map(identity).sort());
      for (const e of positions) expect(e.cursor).toMatch(/^p1\.\d+\.\d+$/);
      // Positions strictly increase.
      const pos = positions.map((e) => e.cursor.split('.').slice(1).map(BigInt));
      for (let i = 1; i < pos.length; i++) {
        expect(pos[i][0] > pos[i - 1][0] || (pos[i][0] === pos[i - 1][0] && pos[i][1] > pos[i - 1][1])).toBe(true);
      }
    }
  }
  // Read while the sends were committing: the same, once each.
  const bAfter = (await syncAll(b, heads.get(b.id)!.p, 500)).events;
  expectOnceInSeqOrder(during);
  expect(during.map((e) => e.cursor)).toEqual(bAfter.map((e) => e.cursor));

  // Live, positions mode: the same events with the same positions as that user's sync.
  for (const u of users) {
    const synced = (await syncAll(u, heads.get(u.id)!.p, 500)).events;
    const inbox = inboxes.get(u.id)!;
    const since = pastHead(heads.get(u.id)!.p);
    await until('live caught up', async () => inbox.events.filter(since).length >= synced.length);
    const live = inbox.events.filter(since).map((e) => e.payload);
    expect(live.map((e) => `${identity(e)}@${e.cursor}`).sort()).toEqual(synced.map((e) => `${identity(e)}@${e.cursor}`).sort());
  }
});

describe('member rows only for users with a v1 client (user_cursor.v1_seen_at)', () => {
  const memberRows = async (messageId: string) =>
    (
      await t.app
        .get(Db)
        .query(`SELECT user_id FROM event WHERE type = 'message.created' AND message_id = $1 ORDER BY user_id`, [messageId])
    ).map((r: any) => r.user_id as string);

  it('a user whose clients all read positions costs the send no member row, and still gets each message once, live and in sync', async () => {
    const [a, p] = [await registerUser(t.url), await registerUser(t.url)];
    await follow(p, a);
    await v1Head(a); // a has a v1 client
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [p.id] })
        .expect(201)
    ).body;
    const head = await positionsHead(p);
    const s = await connectSocket(t.url, p.token, { stream: 'positions' });
    sockets.push(s);
    const inbox = new Inbox(s);
    const m = await send(a, conv.id, 'no member row for p');
    expect(await memberRows(m.id)).toEqual([a.id]);
    const [live] = await inbox.waitFor('message.created');
    const { events } = await syncAll(p, head, 500);
    expect(events.filter((e) => e.type === 'message.created')).toEqual([live]);
    expect(live.message.id).toBe(m.id);
  });

  it('a first v1 contact after messages were sent copies them into member rows: the v1 stream has each once while sends race in', async () => {
    const [a, q] = [await registerUser(t.url), await registerUser(t.url)];
    await follow(q, a);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [q.id] })
        .expect(201)
    ).body;
    for (let i = 0; i < 5; i++) await send(a, conv.id, `before ${i}`);
    const first = (await t.http().get('/v1/sync').query({ cursor: '0' }).set(q.auth)).body;
    expect(first.events.filter((e: any) => e.type === 'message.created').map((e: any) => e.message.seq)).toEqual([1, 2, 3, 4, 5]);
    // Once more from a fresh account, with sends racing the first contact (a v1 socket's connect).
    const r = await registerUser(t.url);
    await follow(r, a);
    const conv2 = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [r.id] })
        .expect(201)
    ).body;
    for (let i = 0; i < 3; i++) await send(a, conv2.id, `early ${i}`);
    const racing = Array.from({ length: 12 }, (_, i) => send(a, conv2.id, `racing ${i}`));
    const socket = connectSocket(t.url, r.token);
    await Promise.all(racing);
    sockets.push(await socket);
    const { events } = await syncAll(r, '0', 7);
    // Each once. (A send that raced the mark and saw it wrote its row before the copies of
    // those that did not: the order across them is not seq order, EventsService.v1Contact.)
    const seqs = events.filter((e) => e.type === 'message.created').map((e) => e.message.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // A second contact finds the mark fresh: nothing copied twice.
    await v1Head(r);
    expect((await syncAll(r, '0', 500)).events.filter((e) => e.type === 'message.created')).toHaveLength(15);
  });

  it('a lapsed v1 client catches up every event type it missed (edits, reactions, unsend, read markers), each once, as a positions client gets them', async () => {
    const [a, b, v] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await follow(b, a);
    await follow(v, a);
    const group = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, v.id] })
        .expect(201)
    ).body;
    const msgUrl = (id: string) => `/v1/conversations/${group.id}/messages/${id}`;
    const v1From = await v1Head(v); // v has a v1 client (marked)
    const posFrom = await positionsHead(v);
    // While v's mark is live: a message, and an edit of it (member rows written by the writers).
    const m1 = await send(a, group.id, 'before the lapse');
    await t.http().patch(msgUrl(m1.id)).set(a.auth).send({ text: 'edited while live' }).expect(200);
    // v's mark lapses (its last v1 contact was longer ago than EVENT_RETENTION_DAYS).
    await t.app.get(Db).query(`UPDATE user_cursor SET v1_seen_at = now() - interval '40 days' WHERE user_id = $1`, [v.id]);
    // While lapsed: m1 edited again and reacted to, a new message sent, read by b, then unsent.
    await t.http().patch(msgUrl(m1.id)).set(a.auth).send({ text: 'edited while lapsed' }).expect(200);
    await t
      .http()
      .put(`${msgUrl(m1.id)}/reactions/${encodeURIComponent('🎉')}`)
      .set(b.auth)
      .expect(204);
    const m2 = await send(a, group.id, 'sent while lapsed');
    await t.http().post(`/v1/conversations/${group.id}/read`).set(b.auth).send({ seq: m2.seq }).expect(200);
    await t.http().delete(msgUrl(m2.id)).set(a.auth).expect(200);
    const db = t.app.get(Db);
    const lapsedRows = await db.query(`SELECT type FROM event WHERE user_id = $1 AND tx IS NULL`, [v.id]);
    expect(lapsedRows.map((r: any) => r.type).sort()).toEqual(['message.created', 'message.updated']); // m1 and its first edit only

    // The v1 client syncs from its old cursor (its first contact after the lapse: the catch-up).
    // The conversation's events (the per-user conversation.updated of the group's creation can
    // fall either side of a head taken while another run on this server holds the horizon back).
    const ofConversation = (es: any[]) => es.filter((e) => e.type !== 'conversation.updated');
    const v1 = ofConversation((await syncAll(v, v1From, 500)).events);
    // The positions stream up to the unsend (a read past the horizon wait may stop short of it).
    const positions = await until('the positions stream to reach the unsend', async () => {
      const es = ofConversation((await syncAll(v, posFrom, 500)).events);
      return es.some((e) => e.type === 'message.updated' && e.message?.id === m2.id) && es;
    });
    const what = (e: any) => {
      const { cursor: _cursor, ...rest } = e;
      return JSON.stringify(rest);
    };
    // Every event once, in the same order, with the same (final) payloads as the positions stream.
    const kinds = (es: any[]) => es.map((e) => `${e.type}:${e.message?.id ?? `${e.userId}/${e.seq}`}`);
    expect(kinds(v1)).toEqual(kinds(positions));
    expect(v1.map(what)).toEqual(positions.map(what));
    expect(kinds(v1)).toEqual([
      `message.created:${m1.id}`,
      `message.updated:${m1.id}`, // edit while live
      `message.updated:${m1.id}`, // edit while lapsed
      `message.updated:${m1.id}`, // reaction
      `message.created:${m2.id}`,
      `read.updated:${b.id}/${m2.seq}`,
      `message.updated:${m2.id}`, // unsend
    ]);
    const last = v1[v1.length - 1];
    expect(last.message).toMatchObject({ id: m2.id, state: 'removed', removedReason: 'unsent' });
    expect(v1.map((e) => BigInt(e.cursor))).toEqual(v1.map((_, i) => BigInt(v1From) + BigInt(i + 1))); // consecutive
    // A later contact (mark fresh) copies nothing again, and live rows resume.
    await v1Head(v);
    await t.http().patch(msgUrl(m1.id)).set(a.auth).send({ text: 'edited after the catch-up' }).expect(200);
    const again = ofConversation((await syncAll(v, v1From, 500)).events);
    expect(kinds(again)).toEqual([...kinds(v1), `message.updated:${m1.id}`]);
  });
  it('a lapsed v1 client whose first contact races edits, reactions, read markers and sends gets each event once, as the positions stream has them', async () => {
    const [a, b, v] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await follow(b, a);
    await follow(v, a);
    const group = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, v.id] })
        .expect(201)
    ).body;
    const msgUrl = (id: string) => `/v1/conversations/${group.id}/messages/${id}`;
    const v1From = await v1Head(v);
    const posFrom = await positionsHead(v);
    const base = [];
    for (let i = 0; i < 3; i++) base.push(await send(a, group.id, `base ${i}`));
    await t.app.get(Db).query(`UPDATE user_cursor SET v1_seen_at = now() - interval '40 days' WHERE user_id = $1`, [v.id]);
    const EMOJI = ['👍', '🎉', '😂', '🔥', '👀', '🙏'];
    const chains = [
      (async () => {
        for (let i = 0; i < 6; i++)
          await t
            .http()
            .patch(msgUrl(base[i % 3].id))
            .set(a.auth)
            .send({ text: `edit ${i}` })
            .expect(200);
      })(),
      (async () => {
        for (let i = 0; i < 6; i++)
          await t
            .http()
            .put(`${msgUrl(base[i % 3].id)}/reactions/${encodeURIComponent(EMOJI[i])}`)
            .set(b.auth)
            .expect(204);
      })(),
      (async () => {
        for (let i = 0; i < 6; i++) {
          const m = await send(b, group.id, `racing ${i}`);
          await t.http().post(`/v1/conversations/${group.id}/read`).set(a.auth).send({ seq: m.seq }).expect(200);
        }
      })(),
    ];
    // v's v1 socket connects (its first contact after the lapse: the catch-up) while they run.
    await new Promise((r) => setTimeout(r, 30));
    sockets.push(await connectSocket(t.url, v.token));
    await Promise.all(chains);
    const ofConversation = (es: any[]) => es.filter((e) => e.type !== 'conversation.updated');
    const kinds = (es: any[]) => es.map((e) => `${e.type}:${e.message?.id ?? `${e.userId}/${e.seq}`}`).sort();
    const v1 = ofConversation((await syncAll(v, v1From, 7)).events);
    // 3 sends, 6 edits, 6 reactions, 6 sends and 6 read markers of a (v hears them).
    expect(v1).toHaveLength(27);
    const positions = await until('the positions stream to reach every event', async () => {
      const es = ofConversation((await syncAll(v, posFrom, 500)).events);
      return es.length >= 27 && es;
    });
    expect(kinds(v1)).toEqual(kinds(positions));
    expect(v1.map((e) => BigInt(e.cursor))).toEqual(v1.map((_, i) => BigInt(v1From) + BigInt(i + 1)));
    // Each conversation event has exactly one member row of v: none twice, none missing.
    const rows = await t.app.get(Db).query(
      `SELECT ce.id, (SELECT count(*)::int FROM event e WHERE e.user_id = $1 AND (e.pos = ce.id OR (ce.type = 'message.created' AND e.type = ce.type AND e.message_id = ce.message_id))) AS n
           FROM conversation_event ce WHERE ce.conversation_id = $2 AND $1::uuid = ANY (ce.audience)`,
      [v.id, group.id],
    );
    expect(rows).toHaveLength(27);
    expect(rows.every((r: any) => r.n === 1)).toBe(true);
  });
});

describe('message.updated and read.updated are stored once (conversation_event) and positioned as sends are', () => {
  const conversationEvents = async (type: string, messageId: string) =>
    t.app.get(Db).query(`SELECT audience FROM conversation_event WHERE type = $1 AND message_id = $2`, [type, messageId]) as Promise<
      Array<{ audience: string[] }>
    >;
  const memberRows = async (type: string, messageId: string) =>
    (await t.app.get(Db).query(`SELECT user_id FROM event WHERE type = $1 AND message_id = $2`, [type, messageId])).map(
      (r: any) => r.user_id as string,
    );

  it('concurrent edits, reactions and read markers racing sends: each user gets each event once, in position order, the same live and in sync (page sizes 1, 7, 500), and v1 gets the same', async () => {
    const [a, b, c] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    const users = [a, b, c];
    await follow(b, a);
    await follow(c, a);
    const group = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, c.id] })
        .expect(201)
    ).body;
    // Messages to edit and react to, and seqs for the read markers to move over.
    const base: Record<string, any[]> = {};
    for (const u of users) {
      base[u.id] = [];
      for (let i = 0; i < 4; i++) base[u.id].push(await send(u, group.id, `base ${u.handle} ${i}`));
    }
    const heads = new Map<string, { v1: string; p: string }>();
    const inboxes = new Map<string, Inbox>();
    for (const u of users) {
      const s = await connectSocket(t.url, u.token, { stream: 'positions' });
      sockets.push(s);
      inboxes.set(u.id, new Inbox(s));
      heads.set(u.id, { v1: await v1Head(u), p: await positionsHead(u) });
    }

    const N = 4;
    const EMOJI = ['👍', '🎉', '😂'];
    const work: Array<Promise<unknown>> = [];
    for (const [k, u] of users.entries()) {
      // sends
      work.push(
        (async () => {
          for (let i = 0; i < N; i++) await send(u, group.id, `racing ${u.handle} ${i}`);
        })(),
      );
      // edits of own messages (each a new text: each one event)
      work.push(
        (async () => {
          for (let i = 0; i < N; i++) {
            await t
              .http()
              .patch(`/v1/conversations/${group.id}/messages/${base[u.id][i % 2].id}`)
              .set(u.auth)
              .send({ text: `edited ${u.handle} ${i}` })
              .expect(200);
          }
        })(),
      );
      // reactions on everyone's messages (each adds one that was not there: each one event)
      work.push(
        (async () => {
          for (const other of users) {
            for (const m of base[other.id].slice(2)) {
              await t
                .http()
                .put(`/v1/conversations/${group.id}/messages/${m.id}/reactions/${encodeURIComponent(EMOJI[k])}`)
                .set(u.auth)
                .expect(204);
            }
          }
        })(),
      );
      // read markers, each one further (each one event)
      work.push(
        (async () => {
          for (let seq = 1; seq <= N; seq++) {
            const r = await t.http().post(`/v1/conversations/${group.id}/read`).set(u.auth).send({ seq }).expect(200);
            expect(r.body.readSeq).toBe(seq);
          }
        })(),
      );
    }
    await Promise.all(work);

    const expected = {
      created: users.length * N,
      edits: users.length * N,
      reactions: users.length * users.length * 2,
      reads: users.length * N,
    };
    for (const u of users) {
      const v1 = (await syncAll(u, heads.get(u.id)!.v1, 500)).events;
      const count = (evs: any[], type: string) => evs.filter((e) => e.type === type).length;
      expect(count(v1, 'message.created')).toBe(expected.created);
      expect(count(v1, 'message.updated')).toBe(expected.edits + expected.reactions);
      expect(count(v1, 'read.updated')).toBe(expected.reads);
      let first: any[] | null = null;
      for (const limit of [1, 7, 500]) {
        const positions = (await syncAll(u, heads.get(u.id)!.p, limit)).events;
        // Once each: every position once, and the same events as the v1 stream (as a multiset).
        const cursors = positions.map((e) => e.cursor);
        expect(new Set(cursors).size).toBe(cursors.length);
        expect(positions.map(identity).sort()).toEqual(v1.map(identity).sort());
        // In position order, and a conversation's messages in seq order.
        const pos = cursors.map((x) => x.split('.').slice(1).map(BigInt));
        for (let i = 1; i < pos.length; i++) {
          expect(pos[i][0] > pos[i - 1][0] || (pos[i][0] === pos[i - 1][0] && pos[i][1] > pos[i - 1][1])).toBe(true);
        }
        const created = positions.filter((e) => e.type === 'message.created').map((e) => e.message.seq);
        expect(created).toEqual([...created].sort((x, y) => x - y));
        if (first) expect(cursors).toEqual(first.map((e) => e.cursor));
        else first = positions;
      }
      // Live (positions mode): the same events at the same positions.
      const inbox = inboxes.get(u.id)!;
      const since = pastHead(heads.get(u.id)!.p);
      await until('live caught up', async () => inbox.events.filter(since).length >= first!.length);
      const live = inbox.events.filter(since).map((e) => e.payload);
      expect(live.map((e) => `${identity(e)}@${e.cursor}`).sort()).toEqual(first!.map((e) => `${identity(e)}@${e.cursor}`).sort());
    }
    // Each edit's event is one conversation_event row whose audience is every member.
    const edited = await conversationEvents('message.updated', base[a.id][0].id);
    expect(edited.length).toBeGreaterThan(0);
    for (const row of edited) expect([...row.audience].sort()).toEqual(users.map((u) => u.id).sort());
  });

  it('a user whose clients all read positions gets no member row for an edit, a reaction or a read marker, and each once live and in sync', async () => {
    const [a, p] = [await registerUser(t.url), await registerUser(t.url)];
    await follow(p, a);
    await v1Head(a); // a has a v1 client, p does not
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [p.id] })
        .expect(201)
    ).body;
    const m = await send(a, conv.id, 'before the changes');
    const head = await positionsHead(p);
    const s = await connectSocket(t.url, p.token, { stream: 'positions' });
    sockets.push(s);
    const inbox = new Inbox(s);
    await t.http().patch(`/v1/conversations/${conv.id}/messages/${m.id}`).set(a.auth).send({ text: 'after an edit' }).expect(200);
    await t
      .http()
      .put(`/v1/conversations/${conv.id}/messages/${m.id}/reactions/${encodeURIComponent('👍')}`)
      .set(p.auth)
      .expect(204);
    await t.http().post(`/v1/conversations/${conv.id}/read`).set(a.auth).send({ seq: 1 }).expect(200);
    expect((await memberRows('message.updated', m.id)).sort()).toEqual([a.id, a.id]);
    const readRows = await t.app
      .get(Db)
      .query(`SELECT user_id FROM event WHERE type = 'read.updated' AND payload ->> 'conversationId' = $1`, [conv.id]);
    expect(readRows.map((r: any) => r.user_id)).toEqual([a.id]);
    const { events } = await syncAll(p, head, 500);
    expect(events.map((e) => e.type)).toEqual(['message.updated', 'message.updated', 'read.updated']);
    expect(events[0].message.text).toBe('after an edit');
    expect(events[2]).toMatchObject({ conversationId: conv.id, userId: a.id, seq: 1 });
    await until('live caught up', async () => inbox.events.filter(pastHead(head)).length >= 3);
    expect(inbox.events.filter(pastHead(head)).map((e) => e.payload.cursor)).toEqual(events.map((e) => e.cursor));
  });
});
