import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectSocket, emitAck, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * API.md v1.1 recipient controls (issue #14): restrict / unrestrict, decline-all, and
 * report-and-block.
 */

let t: TestApp;
let db: Db;
const sockets: Socket[] = [];
beforeAll(async () => {
  // The decline-all race sends one person 60 requests in a minute: past the pile-on breaker's
  // threshold, which would switch Limits on and refuse the later ones (request-protection tests it).
  t = await startTestApp({
    label: 'recipient_controls',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', PILE_ON_REQUESTS: '100000' },
  });
  db = t.app.get(Db);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const restrict = (a: TestUser, id: string) => t.http().put(`/v1/users/${id}/restrict`).set(a.auth);
const unrestrict = (a: TestUser, id: string) => t.http().delete(`/v1/users/${id}/restrict`).set(a.auth);
const create = (a: TestUser, ids: string[]) => t.http().post('/v1/conversations').set(a.auth).send({ participantIds: ids });
async function send(u: TestUser, convId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
const read = (u: TestUser, convId: string, seq: number) =>
  t.http().post(`/v1/conversations/${convId}/read`).set(u.auth).send({ seq }).expect(200);
const view = async (u: TestUser, convId: string) => (await t.http().get(`/v1/conversations/${convId}`).set(u.auth).expect(200)).body;
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) =>
  (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events as any[];
async function open(u: TestUser) {
  const socket = await connectSocket(t.url, u.token);
  sockets.push(socket);
  return { socket, inbox: new Inbox(socket) };
}
const stateOf = (conv: any, u: TestUser) => conv.members.find((m: any) => m.userId === u.id).state;

describe('restrict', () => {
  it('PUT and DELETE /restrict are idempotent 204s; malformed or unknown id → 404 not_found; self → 422 cannot_target_self', async () => {
    const [a, b] = await users(2);
    expect((await restrict(a, b.id)).status).toBe(204);
    await expectContract(await restrict(a, b.id), 'PUT /v1/users/{id}/restrict', 204);
    expect((await db.query('SELECT count(*)::int AS n FROM restrict WHERE restrictor_id = $1', [a.id]))[0].n).toBe(1);
    expect((await unrestrict(a, b.id)).status).toBe(204);
    await expectContract(await unrestrict(a, b.id), 'DELETE /v1/users/{id}/restrict', 204);
    expect((await db.query('SELECT count(*)::int AS n FROM restrict WHERE restrictor_id = $1', [a.id]))[0].n).toBe(0);
    for (const req of [restrict, unrestrict]) {
      expectErrorShape((await req(a, 'not-a-uuid')).body, 404, 'not_found');
      expectErrorShape((await req(a, randomUUID())).body, 404, 'not_found');
      expectErrorShape((await req(a, a.id)).body, 422, 'cannot_target_self');
    }
    await expectError(await restrict(a, a.id), 'PUT /v1/users/{id}/restrict', 422, 'cannot_target_self');
    await expectError(await unrestrict(a, randomUUID()), 'DELETE /v1/users/{id}/restrict', 404, 'not_found');
  });

  it('a conversation the restricted user starts with me begins as a request even though I follow them; unrestrict restores', async () => {
    const [me, them, other] = await users(3);
    await follow(me, them);
    await follow(other, them);
    expect((await restrict(me, them.id)).status).toBe(204);
    const direct = await create(them, [me.id]);
    expect(direct.status).toBe(201);
    expect(stateOf(direct.body, me)).toBe('pending');
    const group = await create(them, [me.id, other.id]);
    expect(group.status).toBe(201);
    expect(stateOf(group.body, me)).toBe('pending');
    expect(stateOf(group.body, other)).toBe('active');

    expect((await unrestrict(me, them.id)).status).toBe(204);
    const after = await create(them, [me.id, other.id]);
    expect(after.status).toBe(201);
    expect(stateOf(after.body, me)).toBe('active');
  });

  it('the restricted user gets no read.updated of mine, live or in sync, and my readSeq is hidden from their view; unrestrict restores', async () => {
    const [me, them] = await users(2);
    await follow(me, them);
    await follow(them, me);
    const conv = (await create(them, [me.id])).body;
    expect(stateOf(conv, me)).toBe('active');
    expect((await restrict(me, them.id)).status).toBe(204);
    const sThem = await open(them);
    const sMe = await open(me);
    const cursor = await head(them);

    await send(them, conv.id, 'one');
    await read(me, conv.id, 1);
    await sMe.inbox.waitFor('read.updated', (p) => p.userId === me.id && p.seq === 1);
    // A later event to them: had the read marker been delivered, it would have come first.
    await send(me, conv.id, 'after my read');
    await sThem.inbox.waitFor('message.created', (p) => p.message?.text === 'after my read');
    expect(sThem.inbox.of('read.updated')).toEqual([]);
    const synced = await syncFrom(them, cursor);
    expect(synced.filter((e) => e.type === 'message.created')).toHaveLength(2);
    expect(synced.filter((e) => e.type === 'read.updated')).toEqual([]);
    const theirView = await view(them, conv.id);
    expect(theirView.members.find((m: any) => m.userId === me.id).readSeq).toBeUndefined();
    // I still see their marker (restrict is one-way), and my own view shows mine.
    expect((await view(me, conv.id)).members.find((m: any) => m.userId === me.id).readSeq).toBe(1);

    expect((await unrestrict(me, them.id)).status).toBe(204);
    await send(them, conv.id, 'three');
    await read(me, conv.id, 3);
    const live = await sThem.inbox.waitFor('read.updated', (p) => p.userId === me.id && p.seq === 3);
    expect(live).toHaveLength(1);
    expect((await view(them, conv.id)).members.find((m: any) => m.userId === me.id).readSeq).toBe(3);
  });

  it('my typing is not relayed to a user I restrict, while others still hear it; unrestrict restores', async () => {
    const [me, them, other] = await users(3);
    await follow(them, me);
    await follow(other, me);
    const group = (await create(me, [them.id, other.id])).body;
    expect(group.members.every((m: any) => m.state === 'active')).toBe(true);
    expect((await restrict(me, them.id)).status).toBe(204);
    const sMe = await open(me);
    const sThem = await open(them);
    const sOther = await open(other);

    expect(await emitAck(sMe.socket, 'typing', { conversationId: group.id })).toEqual({ relayed: true });
    expect(await sOther.inbox.waitFor('typing', (p) => p.userId === me.id)).toHaveLength(1);
    // other's typing reaches them after mine would have (one socket keeps the server's order).
    expect(await emitAck(sOther.socket, 'typing', { conversationId: group.id })).toEqual({ relayed: true });
    await sThem.inbox.waitFor('typing', (p) => p.userId === other.id);
    expect(sThem.inbox.of('typing', (p) => p.userId === me.id)).toEqual([]);
    // They may still type to me: restrict silences only my side.
    expect(await emitAck(sThem.socket, 'typing', { conversationId: group.id })).toEqual({ relayed: true });
    expect(await sMe.inbox.waitFor('typing', (p) => p.userId === them.id)).toHaveLength(1);

    expect((await unrestrict(me, them.id)).status).toBe(204);
    // The first relay after the throttle window (2 s) reaches them again.
    await until(
      'my typing is relayed again',
      async () => (await emitAck(sMe.socket, 'typing', { conversationId: group.id })).relayed === true,
      10_000,
      250,
    );
    await sThem.inbox.waitFor('typing', (p) => p.userId === me.id);
    expect(sThem.inbox.of('typing', (p) => p.userId === me.id)).toHaveLength(1);
  });
});

describe('decline-all', () => {
  it("declines exactly the sender's pending requests to me, silently; other senders' requests and my own conversations are untouched", async () => {
    const [me, sender, otherSender, bystander] = await users(4);
    const r1 = (await create(sender, [me.id])).body;
    const r2 = (await create(sender, [me.id, bystander.id])).body;
    const r3 = (await create(otherSender, [me.id])).body;
    const toBystander = (await create(sender, [bystander.id])).body;
    const mine = (await create(me, [sender.id, bystander.id])).body;
    for (const c of [r1, r2, r3]) expect(stateOf(c, me)).toBe('pending');
    expect(stateOf(mine, sender)).toBe('pending');
    const senderView = await view(sender, r1.id);
    const sSender = await open(sender);
    const senderCursor = await head(sender);

    const res = await t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: sender.id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ declined: 2 });
    await expectContract(res, 'POST /v1/requests/decline-all', 200);

    const states = await db.query(
      `SELECT conversation_id, user_id, state FROM conversation_member WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, user_id`,
      [[r1.id, r2.id, r3.id, toBystander.id, mine.id]],
    );
    const stateIn = (convId: string, u: TestUser) => states.find((s: any) => s.conversation_id === convId && s.user_id === u.id).state;
    expect(stateIn(r1.id, me)).toBe('declined');
    expect(stateIn(r2.id, me)).toBe('declined');
    expect(stateIn(r2.id, bystander)).toBe('pending');
    expect(stateIn(r3.id, me)).toBe('pending');
    expect(stateIn(toBystander.id, bystander)).toBe('pending');
    expect(stateIn(mine.id, me)).toBe('active');
    expect(stateIn(mine.id, sender)).toBe('pending');
    // Silent: the sender's view is as before, and nothing reached them.
    expect(await view(sender, r1.id)).toEqual(senderView);
    await send(sender, r1.id, 'still there?');
    await sSender.inbox.waitFor('message.created', (p) => p.message?.text === 'still there?');
    // Only what came after the cursor taken when the socket opened: the push of an earlier event
    // (the request.created of `mine`, written before) may still reach a socket that connected
    // right after it (the outbox drains after commit); a client skips it by its cursor.
    const sinceCursor = sSender.inbox.events.filter((e) => !(e.payload?.cursor && BigInt(e.payload.cursor) <= BigInt(senderCursor)));
    expect(sinceCursor.map((e) => e.name)).toEqual(['message.created']);
    expect((await syncFrom(sender, senderCursor)).map((e) => e.type)).toEqual(['message.created']);

    // Again: nothing left to decline.
    expect((await t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: sender.id })).body).toEqual({ declined: 0 });
  });

  it(`parallel decline-alls each answer 200 and decline every request exactly once (${RACE_ROUNDS} rounds, a fresh sender each)`, async () => {
    const [me, other] = await users(2);
    await raceRounds(RACE_ROUNDS, async () => {
      const [sender] = await users(1);
      const created = [await create(sender, [me.id]), await create(sender, [me.id, other.id]), await create(sender, [me.id, other.id])];
      expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
      const convs = created.map((r) => r.body);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: sender.id })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(results.reduce((n, r) => n + r.body.declined, 0)).toBe(3);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM conversation_member WHERE user_id = $1 AND state = 'declined' AND conversation_id = ANY($2::uuid[])`,
        [me.id, convs.map((c) => c.id)],
      );
      expect(n).toBe(3);
    });
  });

  it('an unknown sender → 200 {declined: 0}; a senderId that is not a uuid → 400 invalid_request', async () => {
    const [me] = await users(1);
    const unknown = await t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: randomUUID() });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ declined: 0 });
    for (const body of [{ senderId: 'nope' }, { senderId: 42 }, {}]) {
      expectErrorShape((await t.http().post('/v1/requests/decline-all').set(me.auth).send(body)).body, 400, 'invalid_request');
    }
    await expectError(
      await t.http().post('/v1/requests/decline-all').set(me.auth).send({ senderId: 'nope' }),
      'POST /v1/requests/decline-all',
      400,
      'invalid_request',
    );
  });
});

describe('report-and-block', () => {
  const blocks = async (a: TestUser, b: TestUser) =>
    (await db.query('SELECT count(*)::int AS n FROM block WHERE blocker_id = $1 AND blocked_id = $2', [a.id, b.id]))[0].n as number;
  const report = (u: TestUser, body: Record<string, unknown>) =>
    t
      .http()
      .post('/v1/reports')
      .set(u.auth)
      .send({ reason: 'harassment', ...body });

  it('block: true on a message blocks its sender and removes follows both ways', async () => {
    const [me, them] = await users(2);
    await follow(me, them);
    await follow(them, me);
    const conv = (await create(them, [me.id])).body;
    const msg = await send(them, conv.id, 'rude');
    const res = await report(me, { subjectType: 'message', subjectId: msg.id, block: true });
    expect(res.status).toBe(201);
    expect(await blocks(me, them)).toBe(1);
    const [{ n }] = await db.query(
      'SELECT count(*)::int AS n FROM follow WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)',
      [me.id, them.id],
    );
    expect(n).toBe(0);
    expectErrorShape((await send403(them, conv.id)).body, 403, 'blocked');
  });

  it('block: true on a user or a direct conversation blocks that user; on a group conversation nobody; without block nobody', async () => {
    const [me, a, b, c, d] = await users(5);
    expect((await report(me, { subjectType: 'user', subjectId: a.id, block: true })).status).toBe(201);
    expect(await blocks(me, a)).toBe(1);
    const direct = (await create(b, [me.id])).body;
    expect((await report(me, { subjectType: 'conversation', subjectId: direct.id, block: true })).status).toBe(201);
    expect(await blocks(me, b)).toBe(1);
    const group = (await create(c, [me.id, d.id])).body;
    expect((await report(me, { subjectType: 'conversation', subjectId: group.id, block: true })).status).toBe(201);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM block WHERE blocker_id = $1', [me.id]);
    expect(n).toBe(2);
    expect((await report(me, { subjectType: 'user', subjectId: d.id })).status).toBe(201);
    expect(await blocks(me, d)).toBe(0);
    // Reporting the same subject again with block: true blocks (the same report, 200).
    const again = await report(me, { subjectType: 'user', subjectId: d.id, block: true });
    expect(again.status).toBe(200);
    await expectContract(again, 'POST /v1/reports', 200);
    expect(await blocks(me, d)).toBe(1);
  });

  it('a request reported with block: true (not as spam) leaves Requests for good; an unblock lists it again', async () => {
    const [me, them] = await users(2);
    const conv = (await create(them, [me.id])).body;
    await send(them, conv.id, 'are you there?');
    const listed = async () =>
      ((await t.http().get('/v1/conversations?folder=requests').set(me.auth).expect(200)).body.items as any[]).map((c) => c.id);
    expect(await listed()).toContain(conv.id);
    expect((await report(me, { subjectType: 'conversation', subjectId: conv.id, block: true })).status).toBe(201);
    expect(await listed()).not.toContain(conv.id);
    expect(
      ((await t.http().get('/v1/conversations?folder=hidden').set(me.auth).expect(200)).body.items as any[]).map((c) => c.id),
    ).not.toContain(conv.id);
    await t.http().delete(`/v1/users/${them.id}/block`).set(me.auth).expect(204);
    expect(await listed()).toContain(conv.id);
  });

  it('a block that is not a boolean → 400 invalid_request, and nothing is filed', async () => {
    const [me, a] = await users(2);
    for (const block of ['yes', 1, 'true']) {
      expectErrorShape((await report(me, { subjectType: 'user', subjectId: a.id, block })).body, 400, 'invalid_request');
    }
    await expectError(await report(me, { subjectType: 'user', subjectId: me.id }), 'POST /v1/reports', 422, 'cannot_target_self');
    await expectError(await report(me, { subjectType: 'user', subjectId: randomUUID() }), 'POST /v1/reports', 404, 'not_found');
    expect((await db.query('SELECT count(*)::int AS n FROM report WHERE reporter_id = $1', [me.id]))[0].n).toBe(0);
    expect(await blocks(me, a)).toBe(0);
  });
});

const send403 = (u: TestUser, convId: string) =>
  t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text: 'hello?' });
