import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectSocket, emitAck, Inbox } from '../support/socket';

/**
 * API.md (v1.1): blocks hold in groups too. No conversation may contain two people of whom
 * one blocks the other (403 blocked for create and add, whoever does it), and a block made
 * later hides the blocked member's messages from the blocker (lists, sync and live).
 */

let t: TestApp;
let db: Db;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'blocks_groups', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  db = t.app.get(Db);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const block = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/block`).set(a.auth).expect(204);
const unblock = (a: TestUser, b: TestUser) => t.http().delete(`/v1/users/${b.id}/block`).set(a.auth).expect(204);
const create = (a: TestUser, ids: string[]) => t.http().post('/v1/conversations').set(a.auth).send({ participantIds: ids });
const add = (a: TestUser, convId: string, ids: string[]) =>
  t.http().post(`/v1/conversations/${convId}/members`).set(a.auth).send({ userIds: ids });
async function send(u: TestUser, convId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
const messages = async (u: TestUser, convId: string) => {
  const res = await t.http().get(`/v1/conversations/${convId}/messages`).set(u.auth);
  expect(res.status).toBe(200);
  return res.body.items as any[];
};
const view = async (u: TestUser, convId: string) => (await t.http().get(`/v1/conversations/${convId}`).set(u.auth).expect(200)).body;
const conversationsOf = async (u: TestUser) =>
  (await db.query(`SELECT count(*)::int AS n FROM conversation_member WHERE user_id = $1`, [u.id]))[0].n as number;
async function syncAll(u: TestUser, cursor: string): Promise<any[]> {
  const res = await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200);
  return res.body.events;
}
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth)).body.cursor as string;

/** A group created by `owner` in which every listed member is active (they follow the owner). */
async function activeGroup(owner: TestUser, members: TestUser[]) {
  for (const m of members) await follow(m, owner);
  const res = await create(
    owner,
    members.map((m) => m.id),
  );
  expect(res.status).toBe(201);
  expect(res.body.members.every((m: any) => m.state === 'active')).toBe(true);
  return res.body.id as string;
}

describe('blocks hold when a conversation is created', () => {
  it('a group with two participants of whom one blocks the other is refused with 403 blocked, whoever creates it, and nothing is stored', async () => {
    const [a, c, d, e] = await users(4);
    await block(c, a);
    for (const [creator, ids] of [
      [d, [a.id, c.id]], // among the other participants
      [a, [c.id, e.id]], // the creator is blocked by a participant
      [c, [a.id, e.id]], // the creator blocks a participant
    ] as Array<[TestUser, string[]]>) {
      const res = await create(creator, ids);
      expect(res.status).toBe(403);
      expectErrorShape(res.body, 403, 'blocked');
    }
    for (const u of [a, c, d, e]) expect(await conversationsOf(u)).toBe(0);
  });
});

describe('blocks hold when members are added', () => {
  it('adding is refused with 403 blocked for adder vs added, added vs an existing member, and between two added; the membership is unchanged', async () => {
    const [owner, a, c, e, f] = await users(5);
    const conv = await activeGroup(owner, [a, e]);
    await block(c, a);
    const before = (await view(owner, conv)).members.map((m: any) => m.userId).sort();

    // added (c) vs an existing member (a), by someone neither blocks
    let res = await add(owner, conv, [c.id]);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'blocked');
    // adder (a) vs added (c)
    res = await add(a, conv, [c.id]);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'blocked');
    // between two people added together
    const conv2 = await activeGroup(owner, [e, f]);
    res = await add(owner, conv2, [a.id, c.id]);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'blocked');

    expect((await view(owner, conv)).members.map((m: any) => m.userId).sort()).toEqual(before);
    expect((await view(owner, conv2)).members).toHaveLength(3);
    expect(await conversationsOf(c)).toBe(0);
    // Someone nobody blocks is still added.
    expect((await add(owner, conv2, [a.id])).status).toBe(200);
  });

  it('a pending member who declined still counts: adding someone who blocks them is refused', async () => {
    const [owner, a, c, e] = await users(4);
    await follow(e, owner);
    const created = await create(owner, [a.id, e.id]);
    expect(created.status).toBe(201);
    expect((await t.http().post(`/v1/conversations/${created.body.id}/decline`).set(a.auth)).status).toBe(200);
    await block(c, a);
    const res = await add(owner, created.body.id, [c.id]);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'blocked');
  });
});

describe('a block made later inside a group', () => {
  it("hides the blocked member's messages from the blocker: no live or synced message.created or message.updated, not in the list, lastMessage or unreadCount; others see everything; unblock shows them in lists again", async () => {
    const [owner, a, c] = await users(3);
    const conv = await activeGroup(owner, [a, c]);
    const earlier = await send(a, conv, 'before the block');

    const cSocket = await connectSocket(t.url, c.token);
    sockets.push(cSocket);
    const cInbox = new Inbox(cSocket);
    const ownerSocket = await connectSocket(t.url, owner.token);
    sockets.push(ownerSocket);
    const ownerInbox = new Inbox(ownerSocket);
    const [cHead, ownerHead] = [await head(c), await head(owner)];

    await block(c, a);
    const fromOwner = await send(owner, conv, 'owner speaking');
    const fromA = await send(a, conv, 'a after the block'); // a group send by the blocked member is still accepted
    expect((await t.http().delete(`/v1/conversations/${conv}/messages/${fromA.id}`).set(a.auth)).status).toBe(200);
    const last = await send(a, conv, 'a again');

    // The owner hears all of it (same outbox rows as c's would be), so c has had its chance.
    await ownerInbox.waitFor('message.created', (p) => p.message.id === last.id);
    await ownerInbox.waitFor('message.updated', (p) => p.message.id === fromA.id);
    await cInbox.waitFor('message.created', (p) => p.message.id === fromOwner.id);
    expect(cInbox.of('message.created').map((p) => p.message.id)).toEqual([fromOwner.id]);
    expect(cInbox.of('message.updated')).toHaveLength(0);
    const cSynced = (await syncAll(c, cHead)).filter((e) => e.type.startsWith('message.'));
    expect(cSynced.map((e) => [e.type, e.message.id])).toEqual([['message.created', fromOwner.id]]);
    expect((await syncAll(owner, ownerHead)).filter((e) => e.type === 'message.created').map((e) => e.message.id)).toEqual([
      fromOwner.id,
      fromA.id,
      last.id,
    ]);

    // Lists: c no longer reads a's messages, earlier ones included, while the block stands.
    expect((await messages(c, conv)).map((m) => m.id)).toEqual([fromOwner.id]);
    const cView = await view(c, conv);
    expect(cView.lastMessage.id).toBe(fromOwner.id);
    expect(cView.unreadCount).toBe(1);
    const inbox = (await t.http().get('/v1/conversations?folder=inbox').set(c.auth).expect(200)).body.items.find((x: any) => x.id === conv);
    expect(inbox.lastMessage.id).toBe(fromOwner.id);
    expect(inbox.unreadCount).toBe(1);
    expect((await messages(owner, conv)).map((m) => m.id)).toEqual([earlier.id, fromOwner.id, fromA.id, last.id]);
    expect((await view(owner, conv)).unreadCount).toBe(2);

    // Unblock: the list shows them again (nothing is replayed live or in sync).
    const cHead2 = await head(c);
    await unblock(c, a);
    expect((await messages(c, conv)).map((m) => m.id)).toEqual([earlier.id, fromOwner.id, fromA.id, last.id]);
    expect((await view(c, conv)).lastMessage.id).toBe(last.id);
    expect(await syncAll(c, cHead2)).toEqual([]);
  });
});

describe('a block made later inside a group: presence (read markers and typing)', () => {
  it('neither the blocker nor the blocked member learns that the other reads (read.updated live and in sync, members[].readSeq) or types; the others hear both; unblock restores', async () => {
    const [owner, a, c] = await users(3);
    const conv = await activeGroup(owner, [a, c]);
    await send(owner, conv, 'one');
    const [sOwner, sA, sC] = await Promise.all([owner, a, c].map((u) => connectSocket(t.url, u.token)));
    sockets.push(sOwner, sA, sC);
    const [iOwner, iA, iC] = [sOwner, sA, sC].map((s) => new Inbox(s));
    const [aHead, cHead] = [await head(a), await head(c)];
    await block(c, a);

    const read = (u: TestUser, seq: number) => t.http().post(`/v1/conversations/${conv}/read`).set(u.auth).send({ seq }).expect(200);
    // Both directions: the blocked member's marker and the blocker's.
    await read(a, 1);
    await read(c, 1);
    await iOwner.waitFor('read.updated', (p) => p.userId === a.id && p.seq === 1);
    await iOwner.waitFor('read.updated', (p) => p.userId === c.id && p.seq === 1);
    // Each reader's own devices still hear their marker.
    await iA.waitFor('read.updated', (p) => p.userId === a.id);
    await iC.waitFor('read.updated', (p) => p.userId === c.id);
    // A later event to each: had the other's marker been delivered, it would have come first.
    const later = await send(owner, conv, 'two');
    await iA.waitFor('message.created', (p) => p.message.id === later.id);
    await iC.waitFor('message.created', (p) => p.message.id === later.id);
    expect(iA.of('read.updated', (p) => p.userId === c.id)).toEqual([]);
    expect(iC.of('read.updated', (p) => p.userId === a.id)).toEqual([]);
    const markers = (events: any[], of: TestUser) => events.filter((e) => e.type === 'read.updated' && e.userId === of.id);
    expect(markers(await syncAll(a, aHead), c)).toEqual([]);
    expect(markers(await syncAll(c, cHead), a)).toEqual([]);
    expect(markers(await syncAll(a, aHead), a)).toHaveLength(1);
    // Views: each one's readSeq is hidden from the other, shown to the owner and to themselves.
    const readSeqIn = async (viewer: TestUser, of: TestUser) =>
      (await view(viewer, conv)).members.find((m: any) => m.userId === of.id).readSeq;
    expect(await readSeqIn(a, c)).toBeUndefined();
    expect(await readSeqIn(c, a)).toBeUndefined();
    expect(await readSeqIn(owner, a)).toBe(1);
    expect(await readSeqIn(owner, c)).toBe(1);
    expect(await readSeqIn(a, a)).toBe(1);
    expect(await readSeqIn(c, c)).toBe(1);
    const listed = (await t.http().get('/v1/conversations?folder=inbox').set(a.auth).expect(200)).body.items.find(
      (x: any) => x.id === conv,
    );
    expect(listed.members.find((m: any) => m.userId === c.id).readSeq).toBeUndefined();

    // Typing, both directions: relayed to the owner only.
    expect(await emitAck(sA, 'typing', { conversationId: conv })).toEqual({ relayed: true });
    expect(await emitAck(sC, 'typing', { conversationId: conv })).toEqual({ relayed: true });
    await iOwner.waitFor('typing', (p) => p.userId === a.id);
    await iOwner.waitFor('typing', (p) => p.userId === c.id);
    // The owner's typing reaches both after theirs would have (one socket keeps the server's order).
    expect(await emitAck(sOwner, 'typing', { conversationId: conv })).toEqual({ relayed: true });
    await iA.waitFor('typing', (p) => p.userId === owner.id);
    await iC.waitFor('typing', (p) => p.userId === owner.id);
    expect(iA.of('typing', (p) => p.userId === c.id)).toEqual([]);
    expect(iC.of('typing', (p) => p.userId === a.id)).toEqual([]);

    // Unblock: the markers show in views again, and the next one is heard.
    await unblock(c, a);
    expect(await readSeqIn(a, c)).toBe(1);
    expect(await readSeqIn(c, a)).toBe(1);
    await read(a, 2);
    await iC.waitFor('read.updated', (p) => p.userId === a.id && p.seq === 2);
  });
});

describe('a block made later, seen through sync from an old cursor', () => {
  it("renders the blocked member's earlier messages as the list does while the block stands (no text, not even an edit made after the block); after unblocking, their current text", async () => {
    const [owner, a, c] = await users(3);
    const conv = await activeGroup(owner, [a, c]);
    const cHead = await head(c);
    const m = await send(a, conv, 'before the block');
    expect((await syncAll(c, cHead)).find((e) => e.type === 'message.created').message.text).toBe('before the block');

    await block(c, a);
    const edited = await t
      .http()
      .patch(`/v1/conversations/${conv}/messages/${m.id}`)
      .set(a.auth)
      .send({ text: 'after the block: gossip about c' });
    expect(edited.status).toBe(200);
    expect((await messages(c, conv)).map((x) => x.id)).toEqual([]);

    const synced = await syncAll(c, cHead);
    expect(JSON.stringify(synced)).not.toContain('gossip');
    expect(JSON.stringify(synced)).not.toContain('before the block');
    expect(synced.map((e) => [e.type, e.message?.id])).toEqual([['message.created', m.id]]);
    expect(synced[0].message).toMatchObject({ id: m.id, senderId: a.id, state: 'held', text: null, links: [] });

    // Decided at read time, as the lists are: unblocking shows the message as it is now.
    await unblock(c, a);
    const again = await syncAll(c, cHead);
    expect(again.map((e) => e.cursor)).toEqual(synced.map((e) => e.cursor));
    expect(again[0].message).toMatchObject({ id: m.id, state: 'visible', text: 'after the block: gossip about c' });
    expect((await messages(c, conv)).map((x) => x.text)).toEqual(['after the block: gossip about c']);
  });
});

describe('a block made while the blocked person is being added', () => {
  it(`whichever commits first, the blocker never reads the blocked member there: the add is refused, or the block acts as a later block (${RACE_ROUNDS} rounds, a fresh group each)`, async () => {
    const [owner, other] = await users(2);
    await raceRounds(RACE_ROUNDS, async (round) => {
      const [a, c] = await users(2);
      await follow(c, owner);
      const conv = await activeGroup(owner, [a, other]);
      const cHead = await head(c);
      const [blocked, added] = await Promise.all([t.http().put(`/v1/users/${a.id}/block`).set(c.auth), add(owner, conv, [c.id])]);
      expect(blocked.status).toBe(204);
      expect([200, 403]).toContain(added.status);
      const fromA = await send(a, conv, `round ${round}`);
      const fromOwner = await send(owner, conv, `owner round ${round}`);
      // c reads nothing of a's: not in sync, not in the list (404 when the add was refused).
      const list = await t.http().get(`/v1/conversations/${conv}/messages`).set(c.auth);
      expect([200, 404]).toContain(list.status);
      const readable = list.status === 200 ? (list.body.items as any[]) : [];
      expect(readable.filter((m) => m.senderId === a.id)).toEqual([]);
      const synced = (await syncAll(c, cHead)).filter((e) => e.type === 'message.created').map((e) => e.message.id);
      expect(synced).not.toContain(fromA.id);
      expect(synced.filter((id: string) => id !== fromOwner.id)).toEqual([]);
    });
  });
});
