import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';

/**
 * What a member reads of a group's history:
 * - (v1.1) a member added to a group reads from the moment they were added (re-added: from
 *   the re-add); the room backchannel shows its whole history to every current moderator;
 * - a pending member reads at most the first 3 messages posted since they were added, from
 *   whoever sends them; the rest once they accept (the request cap holds through puppets).
 */

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'group_history', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const create = (a: TestUser, ids: string[]) => t.http().post('/v1/conversations').set(a.auth).send({ participantIds: ids });
const add = (a: TestUser, convId: string, ids: string[]) =>
  t.http().post(`/v1/conversations/${convId}/members`).set(a.auth).send({ userIds: ids });
const sendRaw = (u: TestUser, convId: string, text: string) =>
  t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
async function send(u: TestUser, convId: string, text: string) {
  const res = await sendRaw(u, convId, text);
  expect(res.status).toBe(201);
  return res.body;
}
async function seqsOf(u: TestUser, convId: string, query = ''): Promise<number[]> {
  const res = await t.http().get(`/v1/conversations/${convId}/messages${query}`).set(u.auth);
  expect(res.status).toBe(200);
  return (res.body.items as any[]).map((m) => m.seq);
}
const view = async (u: TestUser, convId: string) => (await t.http().get(`/v1/conversations/${convId}`).set(u.auth).expect(200)).body;
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) =>
  (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events as any[];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('pending members and the request cap', () => {
  it('a puppet sending 10 messages reaches a pending stranger with only the first 3 (list, lastMessage, unreadCount, message.created live and in sync for those 3 only); the rest after accepting', async () => {
    const [spammer, puppet, stranger] = await users(3);
    await follow(puppet, spammer);
    const strangerSocket = await connectSocket(t.url, stranger.token);
    sockets.push(strangerSocket);
    const strangerInbox = new Inbox(strangerSocket);
    const strangerHead = await head(stranger);

    const created = await create(spammer, [puppet.id, stranger.id]);
    expect(created.status).toBe(201);
    const conv = created.body.id as string;
    expect(created.body.members.find((m: any) => m.userId === stranger.id).state).toBe('pending');
    for (let i = 1; i <= 10; i++) await send(puppet, conv, `puppet spam ${i}`);
    // The contract's creator cap still holds.
    for (let i = 1; i <= 3; i++) await send(spammer, conv, `spammer ${i}`);
    const fourth = await sendRaw(spammer, conv, 'spammer 4');
    expect(fourth.status).toBe(403);
    expectErrorShape(fourth.body, 403, 'request_pending_limit');

    expect(await seqsOf(stranger, conv)).toEqual([1, 2, 3]);
    expect(await seqsOf(stranger, conv, '?afterSeq=3')).toEqual([]);
    expect(await seqsOf(stranger, conv, '?beforeSeq=100')).toEqual([1, 2, 3]);
    const pendingView = await view(stranger, conv);
    expect(pendingView.lastMessage.seq).toBe(3);
    expect(pendingView.unreadCount).toBe(3);
    const request = (await t.http().get('/v1/conversations?folder=requests').set(stranger.auth).expect(200)).body.items.find(
      (c: any) => c.id === conv,
    );
    expect(request.lastMessage.seq).toBe(3);
    expect(request.unreadCount).toBe(3);
    const synced = await syncFrom(stranger, strangerHead);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created', 'message.created', 'message.created']);
    expect(synced.slice(1).map((e) => e.message.seq)).toEqual([1, 2, 3]);
    await strangerInbox.waitFor('message.created', () => true, 3);
    expect(strangerInbox.of('message.created').map((p) => p.message.seq)).toEqual([1, 2, 3]);
    // The other active members chat freely.
    expect(await seqsOf(spammer, conv)).toEqual(range(1, 13));
    expect(await seqsOf(puppet, conv)).toEqual(range(1, 13));

    expect((await t.http().post(`/v1/conversations/${conv}/accept`).set(stranger.auth)).status).toBe(200);
    expect(await seqsOf(stranger, conv)).toEqual(range(1, 13));
    const accepted = await view(stranger, conv);
    expect(accepted.lastMessage.seq).toBe(13);
    expect(accepted.unreadCount).toBe(13);
  });

  it('a stranger added later as pending reads at most the first 3 messages posted since they were added', async () => {
    const [owner, friend, stranger] = await users(3);
    await follow(friend, owner);
    const conv = (await create(owner, [friend.id, (await registerUser(t.url)).id])).body.id as string;
    for (let i = 1; i <= 2; i++) await send(friend, conv, `before ${i}`);
    expect((await add(owner, conv, [stranger.id])).status).toBe(200);
    for (let i = 1; i <= 5; i++) await send(friend, conv, `after ${i}`);
    expect(await seqsOf(stranger, conv)).toEqual([3, 4, 5]);
    const v = await view(stranger, conv);
    expect(v.myState).toBe('pending');
    expect(v.lastMessage.seq).toBe(5);
    expect(v.unreadCount).toBe(3);
  });
});

describe('members added to a group read from the moment they were added', () => {
  it('an added member sees no earlier message (list, lastMessage, unreadCount, read marker), sees later ones, and after leaving and being re-added reads from the re-add', async () => {
    const [a, b, e, c] = await users(4);
    for (const u of [b, e, c]) await follow(u, a);
    const conv = (await create(a, [b.id, e.id])).body.id as string;
    for (let i = 1; i <= 5; i++) await send(b, conv, `history ${i}`);

    expect((await add(a, conv, [c.id])).status).toBe(200);
    expect(await seqsOf(c, conv)).toEqual([]);
    expect(await seqsOf(c, conv, '?beforeSeq=6')).toEqual([]);
    let v = await view(c, conv);
    expect(v).toMatchObject({ myState: 'active', lastMessage: null, unreadCount: 0 });
    expect(v.readSeq).toBe(5);
    // A read marker cannot point before the join either.
    const read = await t.http().post(`/v1/conversations/${conv}/read`).set(c.auth).send({ seq: 2 });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ readSeq: 5, unreadCount: 0 });
    const inbox = (await t.http().get('/v1/conversations?folder=inbox').set(c.auth).expect(200)).body.items.find((x: any) => x.id === conv);
    expect(inbox).toMatchObject({ lastMessage: null, unreadCount: 0 });

    await send(b, conv, 'welcome c');
    await send(b, conv, 'second');
    expect(await seqsOf(c, conv)).toEqual([6, 7]);
    v = await view(c, conv);
    expect(v.lastMessage.seq).toBe(7);
    expect(v.unreadCount).toBe(2);
    expect(await seqsOf(b, conv)).toEqual(range(1, 7));

    expect((await t.http().delete(`/v1/conversations/${conv}/members/me`).set(c.auth)).status).toBe(204);
    await send(b, conv, 'while c is away');
    expect((await add(a, conv, [c.id])).status).toBe(200);
    expect(await seqsOf(c, conv)).toEqual([]);
    expect((await view(c, conv)).unreadCount).toBe(0);
    await send(b, conv, 'welcome back');
    expect(await seqsOf(c, conv)).toEqual([9]);
  });

  it('the room backchannel shows its whole history to every current moderator, however late they became one', async () => {
    const [host, mod] = await users(2);
    const room = (await t.http().post('/v1/rooms').set(host.auth).send({ title: 'History room' }).expect(201)).body;
    const bc = (await t.http().get(`/v1/rooms/${room.id}/backchannel`).set(host.auth).expect(200)).body;
    for (let i = 1; i <= 3; i++) await send(host, bc.id, `mods only ${i}`);
    expect((await t.http().post(`/v1/rooms/${room.id}/join`).set(mod.auth)).status).toBe(200);
    const setRole = (role: string) => t.http().put(`/v1/rooms/${room.id}/members/${mod.id}/role`).set(host.auth).send({ role }).expect(200);
    await setRole('moderator');
    expect(await seqsOf(mod, bc.id)).toEqual([1, 2, 3]);
    expect((await view(mod, bc.id)).lastMessage.seq).toBe(3);
    await setRole('listener');
    await send(host, bc.id, 'while mod was demoted');
    await setRole('moderator');
    expect(await seqsOf(mod, bc.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('a member who left reads nothing more of the group', () => {
  it("sync from a cursor before they left renders the group's messages as the list does (404: no text), so an edit made after they left never reaches them", async () => {
    const [owner, a, b] = await users(3);
    await follow(a, owner);
    await follow(b, owner);
    const created = await create(owner, [a.id, b.id]);
    expect(created.status).toBe(201);
    const conv = created.body.id as string;
    const bHead = await head(b);
    const m = await send(a, conv, 'the plan, before b left');
    const before = (await syncFrom(b, bHead)).find((e) => e.type === 'message.created' && e.message.id === m.id);
    expect(before.message.text).toBe('the plan, before b left');

    expect((await t.http().delete(`/v1/conversations/${conv}/members/me`).set(b.auth)).status).toBe(204);
    const edited = await t
      .http()
      .patch(`/v1/conversations/${conv}/messages/${m.id}`)
      .set(a.auth)
      .send({ text: 'the new plan, after b left' });
    expect(edited.status).toBe(200);
    expect((await t.http().get(`/v1/conversations/${conv}/messages`).set(b.auth)).status).toBe(404);

    const synced = await syncFrom(b, bHead);
    expect(JSON.stringify(synced)).not.toContain('the new plan');
    expect(JSON.stringify(synced)).not.toContain('the plan, before b left');
    // The event is still there (cursors stay consecutive); what it says is withheld.
    const messageEvents = synced.filter((e) => e.type.startsWith('message.'));
    expect(messageEvents.map((e) => [e.type, e.message.id])).toEqual([['message.created', m.id]]);
    expect(messageEvents[0].message).toMatchObject({
      id: m.id,
      seq: m.seq,
      state: 'held',
      text: null,
      links: [],
      reactions: [],
      editedAt: null,
    });
  });
});

describe('conversation events show their lastMessage as the lists do now', () => {
  it("sync from an old cursor never replays an unsent message's text through the lastMessage of a conversation.updated written before the unsend", async () => {
    const [owner, a, b, c] = await users(4);
    for (const u of [a, b, c]) await follow(u, owner);
    const created = await create(owner, [a.id, b.id]);
    expect(created.status).toBe(201);
    const conv = created.body.id as string;
    const bHead = await head(b);
    const m = await send(a, conv, 'a secret meant for nobody');
    expect((await add(owner, conv, [c.id])).status).toBe(200);
    const updated = (await syncFrom(b, bHead)).find((e) => e.type === 'conversation.updated');
    expect(updated.conversation.lastMessage).toMatchObject({ id: m.id, text: 'a secret meant for nobody' });

    expect((await t.http().delete(`/v1/conversations/${conv}/messages/${m.id}`).set(a.auth)).status).toBe(200);
    const synced = await syncFrom(b, bHead);
    expect(JSON.stringify(synced)).not.toContain('a secret meant for nobody');
    expect(synced.find((e) => e.type === 'conversation.updated').conversation.lastMessage).toMatchObject({
      id: m.id,
      state: 'removed',
      text: null,
    });
    expect((await view(b, conv)).lastMessage).toMatchObject({ id: m.id, state: 'removed', text: null });

    // And once b has left, the same event shows it withheld, as their 404 list would.
    expect((await t.http().delete(`/v1/conversations/${conv}/members/me`).set(b.auth)).status).toBe(204);
    const m2 = await send(a, conv, 'after b left');
    const again = await syncFrom(b, bHead);
    expect(JSON.stringify(again)).not.toContain('after b left');
    expect(again.find((e) => e.type === 'conversation.updated').conversation.lastMessage).toMatchObject({
      id: m.id,
      state: 'removed',
      text: null,
    });
    expect(m2.seq).toBe(2);
  });
});
