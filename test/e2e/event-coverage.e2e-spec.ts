import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';

/**
 * The contract's events, each proven live (exactly once on the socket) and in sync (exactly
 * once after the cursor taken before the action), for the actions that emit them:
 * request.created on create and on add; conversation.updated on accept, add and leave;
 * message.updated on unsend. API.md names "title" among conversation.updated's causes, but
 * has no route that changes a conversation's title (only `title?` on create), so there is no
 * title change to test.
 */
let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'events' });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

async function live(u: TestUser): Promise<Inbox> {
  const socket = await connectSocket(t.url, u.token);
  sockets.push(socket);
  return new Inbox(socket);
}

const head = async (u: TestUser): Promise<string> => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor;

async function syncAfter(u: TestUser, cursor: string): Promise<any[]> {
  const res = await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200);
  return res.body.events;
}

/**
 * A later event to `u` (a stranger's request) has arrived on the socket: everything emitted
 * to it before has arrived too, so counts taken now are final.
 */
async function barrier(u: TestUser, inbox: Inbox): Promise<void> {
  const x = await registerUser(t.url);
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(x.auth)
    .send({ participantIds: [u.id] });
  expect(res.status).toBe(201);
  await inbox.waitFor('request.created', (p) => p.conversation.id === res.body.id);
}

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const about = (id: string) => (e: any) => (e.conversation?.id ?? e.message?.conversationId) === id;

/** Exactly one event of `type` about `conversationId`, live and in sync, the same object in both. */
async function exactlyOne(u: TestUser, inbox: Inbox, cursor: string, type: string, conversationId: string): Promise<any> {
  await inbox.waitFor(type, about(conversationId));
  await barrier(u, inbox);
  // Only what came after the cursor the test started from: a push of an earlier event (the
  // conversation's creation) may still reach a socket that connected right after it, and a
  // client skips it by its cursor, as docs/API.md says.
  const seen = inbox.of(type, about(conversationId)).filter((e: any) => BigInt(e.cursor) > BigInt(cursor));
  expect(seen).toHaveLength(1);
  const synced = (await syncAfter(u, cursor)).filter((e) => e.type === type && about(conversationId)(e));
  expect(synced).toEqual(seen);
  return seen[0];
}

describe('request.created', () => {
  it('a stranger’s new conversation gives the recipient exactly one request.created {type, cursor, conversation} showing them pending, and the creator no request.created', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const [ia, ib] = [await live(a), await live(b)];
    const [ca, cb] = [await head(a), await head(b)];
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201);
    const event = await exactlyOne(b, ib, cb, 'request.created', conv.body.id);
    expect(event).toEqual({
      type: 'request.created',
      cursor: expect.stringMatching(/^\d+$/),
      conversation: expect.objectContaining({ id: conv.body.id, myState: 'pending' }),
    });
    await barrier(a, ia);
    expect(ia.of('request.created', about(conv.body.id))).toEqual([]);
    expect((await syncAfter(a, ca)).filter((e) => e.type === 'request.created' && about(conv.body.id)(e))).toEqual([]);
  });

  it('a stranger added to a group gets exactly one request.created showing them pending', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await registerUser(t.url);
    const d = await registerUser(t.url);
    await follow(b, a);
    await follow(c, a);
    const g = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'group' })
      .expect(201);
    const inboxD = await live(d);
    const cd = await head(d);
    await t
      .http()
      .post(`/v1/conversations/${g.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [d.id] })
      .expect(200);
    const event = await exactlyOne(d, inboxD, cd, 'request.created', g.body.id);
    expect(event.conversation).toMatchObject({ id: g.body.id, kind: 'group', myState: 'pending' });
  });
});

describe('conversation.updated', () => {
  it('accept: the creator gets exactly one conversation.updated showing the recipient active', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201);
    const ia = await live(a);
    const ca = await head(a);
    await t.http().post(`/v1/conversations/${conv.body.id}/accept`).set(b.auth).expect(200);
    const event = await exactlyOne(a, ia, ca, 'conversation.updated', conv.body.id);
    expect(event.conversation.members.find((m: any) => m.userId === b.id).state).toBe('active');
  });

  it('add: every active member gets exactly one conversation.updated listing the new member', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await registerUser(t.url);
    const d = await registerUser(t.url);
    await follow(b, a);
    await follow(c, a);
    await follow(d, a);
    const g = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'group' })
      .expect(201);
    const members = [a, b, c];
    const inboxes = await Promise.all(members.map(live));
    const cursors = await Promise.all(members.map(head));
    await t
      .http()
      .post(`/v1/conversations/${g.body.id}/members`)
      .set(a.auth)
      .send({ userIds: [d.id] })
      .expect(200);
    for (const [i, u] of members.entries()) {
      const event = await exactlyOne(u, inboxes[i], cursors[i], 'conversation.updated', g.body.id);
      expect(event.conversation.members.find((m: any) => m.userId === d.id).state).toBe('active');
    }
  });

  it('leave: every remaining member gets exactly one conversation.updated showing the leaver left', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const c = await registerUser(t.url);
    await follow(b, a);
    await follow(c, a);
    const g = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id], title: 'group' })
      .expect(201);
    const stay = [a, b];
    const inboxes = await Promise.all(stay.map(live));
    const cursors = await Promise.all(stay.map(head));
    await t.http().delete(`/v1/conversations/${g.body.id}/members/me`).set(c.auth).expect(204);
    for (const [i, u] of stay.entries()) {
      const event = await exactlyOne(u, inboxes[i], cursors[i], 'conversation.updated', g.body.id);
      expect(event.conversation.members.find((m: any) => m.userId === c.id).state).toBe('left');
    }
  });
});

describe('message.updated', () => {
  it('unsend: every member gets exactly one message.updated with the message removed (text and links gone), live and in sync', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    await follow(b, a);
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] })
      .expect(201);
    const sent = await t
      .http()
      .post(`/v1/conversations/${conv.body.id}/messages`)
      .set(a.auth)
      .send({ clientId: 'u1', text: 'oops' })
      .expect(201);
    const members = [a, b];
    const inboxes = await Promise.all(members.map(live));
    const cursors = await Promise.all(members.map(head));
    const un = await t.http().delete(`/v1/conversations/${conv.body.id}/messages/${sent.body.id}`).set(a.auth).expect(200);
    for (const [i, u] of members.entries()) {
      const event = await exactlyOne(u, inboxes[i], cursors[i], 'message.updated', conv.body.id);
      expect(event).toEqual({ type: 'message.updated', cursor: expect.stringMatching(/^\d+$/), message: un.body });
      expect(event.message).toMatchObject({
        id: sent.body.id,
        seq: sent.body.seq,
        state: 'removed',
        removedReason: 'unsent',
        text: null,
        links: [],
      });
    }
  });
});

describe('access-token lifetime', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ label: 'ttl', env: { ACCESS_TOKEN_TTL_SECONDS: '5' } });
  });
  afterAll(async () => {
    await short?.close();
  });

  it('an expired access token on REST is 401 with the error shape; a refreshed one works again', async () => {
    const u = await registerUser(short.url);
    expect((await short.http().get('/v1/me').set(u.auth)).status).toBe(200);
    // Polled against a deadline past the 5 s lifetime (plus clock-skew leeway), not slept.
    const deadline = Date.now() + 20_000;
    let res = await short.http().get('/v1/me').set(u.auth);
    while (res.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      res = await short.http().get('/v1/me').set(u.auth);
    }
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 401, 'unauthorized');
    const refreshed = await short.http().post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(200);
    expect((await short.http().get('/v1/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`)).status).toBe(200);
  });
});
