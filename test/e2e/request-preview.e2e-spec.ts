import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * A request shows what it says (issue #20, item 4): a pending recipient receives
 * `message.created`, live and in sync, for exactly the messages they may read (the first 3
 * posted since they joined, whoever sent them), and their requests list carries the preview
 * as `lastMessage`. Nothing past the cap reaches them, not even from a puppet.
 */

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'request_preview', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const sendRaw = (u: TestUser, convId: string, text: string) =>
  t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
async function send(u: TestUser, convId: string, text: string) {
  const res = await sendRaw(u, convId, text);
  expect(res.status).toBe(201);
  return res.body;
}
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) =>
  (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events as any[];
const requestsOf = async (u: TestUser) =>
  (await t.http().get('/v1/conversations?folder=requests').set(u.auth).expect(200)).body.items as any[];
async function listen(u: TestUser): Promise<Inbox> {
  const s = await connectSocket(t.url, u.token);
  sockets.push(s);
  return new Inbox(s);
}

describe('a request shows what it says', () => {
  it("a stranger's first message reaches the pending recipient as message.created, live and in sync, and the requests list shows it as lastMessage", async () => {
    const [stranger, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    const inbox = await listen(recipient);
    const cursor = await head(recipient);

    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(stranger.auth)
        .send({ participantIds: [recipient.id] })
        .expect(201)
    ).body;
    expect(conv.members.find((m: any) => m.userId === recipient.id).state).toBe('pending');
    const [request] = await inbox.waitFor('request.created');
    expect(request.conversation).toMatchObject({ id: conv.id, myState: 'pending', lastMessage: null });

    const sent = await send(stranger, conv.id, 'hi, we met in the design room');
    const [live] = await inbox.waitFor('message.created');
    expect(live.message).toEqual(sent);

    const synced = await syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created']);
    expect(synced[1]).toEqual(live);

    const listed = (await requestsOf(recipient)).filter((c) => c.id === conv.id);
    expect(listed).toHaveLength(1);
    expect(listed[0].lastMessage).toEqual(sent);
    expect(listed[0].unreadCount).toBe(1);
    const messages = (await t.http().get(`/v1/conversations/${conv.id}/messages`).set(recipient.auth).expect(200)).body.items;
    expect(messages).toEqual([sent]);
  });

  it('a pending recipient gets message.created for exactly the first 3 messages; a 4th sent by a puppet never reaches them (live, sync, list, lastMessage)', async () => {
    const [spammer, puppet, recipient] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await follow(puppet, spammer);
    const inbox = await listen(recipient);
    const cursor = await head(recipient);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(spammer.auth)
        .send({ participantIds: [puppet.id, recipient.id] })
        .expect(201)
    ).body;

    const first = [await send(spammer, conv.id, 'spam 1'), await send(spammer, conv.id, 'spam 2'), await send(spammer, conv.id, 'spam 3')];
    const capped = await sendRaw(spammer, conv.id, 'spam 4 (capped)');
    expect(capped.status).toBe(403);
    expectErrorShape(capped.body, 403, 'request_pending_limit');
    const fourth = await send(puppet, conv.id, 'spam 4 through the puppet');
    expect(fourth.seq).toBe(4);
    // The puppet's own copy arrives: the send wrote everyone's events in one statement, so
    // once the sender's event is here, the recipient's (if any) was written too.
    const puppetView = (await t.http().get(`/v1/conversations/${conv.id}/messages`).set(puppet.auth).expect(200)).body.items;
    expect(puppetView.map((m: any) => m.seq)).toEqual([1, 2, 3, 4]);

    await inbox.waitFor('message.created', () => true, 3);
    const synced = await syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created', 'message.created', 'message.created']);
    expect(synced.slice(1).map((e) => e.message)).toEqual(first);
    await until('live caught up', async () => inbox.events.length >= synced.length);
    expect(inbox.of('message.created').map((p) => p.message.seq)).toEqual([1, 2, 3]);
    expect(JSON.stringify(inbox.events)).not.toContain('through the puppet');
    expect(JSON.stringify(synced)).not.toContain('through the puppet');

    const listed = (await requestsOf(recipient)).find((c) => c.id === conv.id);
    expect(listed.lastMessage).toEqual(first[2]);
    expect(listed.unreadCount).toBe(3);
    const messages = (await t.http().get(`/v1/conversations/${conv.id}/messages`).set(recipient.auth).expect(200)).body.items;
    expect(messages.map((m: any) => m.seq)).toEqual([1, 2, 3]);
  });

  it('unsending a previewed message reaches the pending recipient as message.updated (removed, no text), live and in sync', async () => {
    const [stranger, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    const inbox = await listen(recipient);
    const cursor = await head(recipient);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(stranger.auth)
        .send({ participantIds: [recipient.id] })
        .expect(201)
    ).body;
    const sent = await send(stranger, conv.id, 'oops, wrong person');
    await inbox.waitFor('message.created');
    expect((await t.http().delete(`/v1/conversations/${conv.id}/messages/${sent.id}`).set(stranger.auth)).status).toBe(200);

    const [updated] = await inbox.waitFor('message.updated');
    expect(updated.message).toMatchObject({ id: sent.id, state: 'removed', removedReason: 'unsent', text: null, links: [] });
    const synced = await syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created', 'message.updated']);
    // Sync from an old cursor replays the removed version, never the text.
    expect(JSON.stringify(synced)).not.toContain('wrong person');
    expect((await requestsOf(recipient)).find((c) => c.id === conv.id).lastMessage).toMatchObject({
      id: sent.id,
      state: 'removed',
      text: null,
    });
  });

  it('after a decline, sync from an old cursor renders the request as the lists do (no text): an edit made after the decline never reaches the decliner', async () => {
    const [stranger, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    const cursor = await head(recipient);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(stranger.auth)
        .send({ participantIds: [recipient.id] })
        .expect(201)
    ).body;
    const sent = await send(stranger, conv.id, 'are you the one from the talk?');
    expect((await syncFrom(recipient, cursor)).find((e) => e.type === 'message.created').message.text).toBe(
      'are you the one from the talk?',
    );

    expect((await t.http().post(`/v1/conversations/${conv.id}/decline`).set(recipient.auth)).status).toBe(200);
    const edited = await t
      .http()
      .patch(`/v1/conversations/${conv.id}/messages/${sent.id}`)
      .set(stranger.auth)
      .send({ text: 'fine, then pay me: https://example.com/pay' });
    expect(edited.status).toBe(200);
    expect((await t.http().get(`/v1/conversations/${conv.id}/messages`).set(recipient.auth)).status).toBe(404);

    const synced = await syncFrom(recipient, cursor);
    expect(JSON.stringify(synced)).not.toContain('pay me');
    expect(JSON.stringify(synced)).not.toContain('example.com/pay');
    const created = synced.filter((e) => e.type === 'message.created');
    expect(created.map((e) => e.message)).toEqual([expect.objectContaining({ id: sent.id, state: 'held', text: null, links: [] })]);
  });
});
