import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { QueueName } from '@app/messaging/queues';
import { HeldLinks } from '@app/messaging/messages/held-links';
import { LinkScannerService } from '@app/messaging/links/link-scanner.service';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';
import { SAFE_OFFLINE } from '../support/link-verdicts';

/**
 * A message with an unscanned link from a stranger is not shown before its verdict (issue
 * #20, item 5). For a `pending` member a message whose links await their verdict is held:
 * no event, not in lists, not lastMessage. The verdict releases it as `message.created`
 * (with the verdicts in it), a malicious one never reaches them at all, and a verdict that
 * takes longer than HELD_LINK_MAX_SECONDS is not waited for: the held-link sweep releases
 * the message with its links still `pending`. Active members get it at once, as before.
 */

const PHISH_DOMAIN = 'held-links-phish.com';
const sockets: Socket[] = [];
const withCursor = (inbox: Inbox) => inbox.events.filter((e) => e.payload && typeof e.payload === 'object' && 'cursor' in e.payload);

function helpers(t: () => TestApp) {
  const follow = (a: TestUser, b: TestUser) => t().http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  async function send(u: TestUser, convId: string, text: string) {
    const res = await t().http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
    expect(res.status).toBe(201);
    return res.body;
  }
  const head = async (u: TestUser) => (await t().http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
  const syncFrom = async (u: TestUser, cursor: string) =>
    (await t().http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events as any[];
  const list = async (u: TestUser, convId: string) =>
    (await t().http().get(`/v1/conversations/${convId}/messages`).set(u.auth).expect(200)).body.items as any[];
  const view = async (u: TestUser, convId: string) => (await t().http().get(`/v1/conversations/${convId}`).set(u.auth).expect(200)).body;
  const edit = async (u: TestUser, convId: string, messageId: string, text: string) =>
    (await t().http().patch(`/v1/conversations/${convId}/messages/${messageId}`).set(u.auth).send({ text }).expect(200)).body;
  async function listen(u: TestUser): Promise<Inbox> {
    const s = await connectSocket(t().url, u.token);
    sockets.push(s);
    return new Inbox(s);
  }
  /** A stranger's direct request to a recipient who is listening; the request.created has arrived. */
  async function request() {
    const [stranger, recipient] = [await registerUser(t().url), await registerUser(t().url)];
    const inbox = await listen(recipient);
    const cursor = await head(recipient);
    const conv = (
      await t()
        .http()
        .post('/v1/conversations')
        .set(stranger.auth)
        .send({ participantIds: [recipient.id] })
        .expect(201)
    ).body;
    expect(conv.members.find((m: any) => m.userId === recipient.id).state).toBe('pending');
    await inbox.waitFor('request.created');
    return { stranger, recipient, inbox, cursor, convId: conv.id as string };
  }
  return { follow, send, head, syncFrom, list, view, edit, listen, request };
}

afterAll(() => {
  for (const s of sockets) s.close();
});

describe('held links (scanner running, default bound)', () => {
  let t: TestApp;
  let queue: Queue;
  const h = helpers(() => t);
  beforeAll(async () => {
    t = await startTestApp({ label: 'held_links' });
    queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
    const staff = await loginStaff(t.url);
    expect(
      (await t.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: PHISH_DOMAIN, kind: 'domain', reason: 'test phishing' }))
        .status,
    ).toBe(201);
  });
  // A test that pauses the scanner never leaves it paused for the next one.
  afterEach(async () => {
    await queue?.resume();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a phishing link from a stranger never reaches the pending recipient: not live, not in sync, not in the list, not as lastMessage, not reportable', async () => {
    const { stranger, recipient, inbox, cursor, convId } = await h.request();
    const strangerCursor = await h.head(stranger);
    const phish = `your parcel is waiting: https://login.${PHISH_DOMAIN}/track`;
    const sent = await h.send(stranger, convId, phish);
    expect(sent.links).toEqual([{ url: `https://login.${PHISH_DOMAIN}/track`, verdict: 'pending' }]);

    // The verdict lands: the sender sees the removal and is told.
    await until('removal', async () => (await h.list(stranger, convId)).find((m) => m.id === sent.id)?.state === 'removed');
    await until('notice', async () => (await h.syncFrom(stranger, strangerCursor)).some((e) => e.type === 'notice.created'));
    // A later plain message is delivered, so everything before it has been pushed too.
    const after = await h.send(stranger, convId, 'hello?');
    await inbox.waitFor('message.created', (p) => p.message.id === after.id);

    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created']);
    expect(synced[1].message.id).toBe(after.id);
    expect(withCursor(inbox).map((e) => e.name)).toEqual(['request.created', 'message.created']);
    for (const everything of [JSON.stringify(inbox.events), JSON.stringify(synced)]) {
      expect(everything).not.toContain(sent.id);
      expect(everything).not.toContain(PHISH_DOMAIN);
    }
    expect((await h.list(recipient, convId)).map((m) => m.id)).toEqual([after.id]);
    const v = await h.view(recipient, convId);
    expect(v.lastMessage.id).toBe(after.id);
    expect(v.unreadCount).toBe(1);
    // They never saw it, so there is nothing for them to report.
    const report = await t
      .http()
      .post('/v1/reports')
      .set(recipient.auth)
      .send({ subjectType: 'message', subjectId: sent.id, reason: 'scam' });
    expect(report.status).toBe(404);
  });

  it('a safe link from a stranger reaches the pending recipient only after its verdict: one message.created carrying the verdict, no earlier event', async () => {
    const { stranger, recipient, inbox, cursor, convId } = await h.request();
    const sent = await h.send(stranger, convId, 'the slides: https://example.com/held-slides');
    expect(sent.links).toEqual([{ url: 'https://example.com/held-slides', verdict: 'pending' }]);

    const [created] = await inbox.waitFor('message.created');
    expect(created.message).toMatchObject({ id: sent.id, text: sent.text, state: 'visible' });
    // Written after the verdict: the first and only event carries it.
    expect(created.message.links).toEqual([{ url: 'https://example.com/held-slides', verdict: 'safe', ...SAFE_OFFLINE }]);
    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created']);
    expect(synced[1]).toEqual(created);
    const after = await h.send(stranger, convId, 'did you get it?');
    await inbox.waitFor('message.created', (p) => p.message.id === after.id);
    expect(inbox.of('message.created').map((p) => p.message.id)).toEqual([sent.id, after.id]);
    expect(inbox.of('message.updated')).toHaveLength(0);
    expect((await h.list(recipient, convId)).map((m) => m.links)).toEqual([
      [{ url: 'https://example.com/held-slides', verdict: 'safe', ...SAFE_OFFLINE }],
      [],
    ]);
  });

  it('an edit that adds an unscanned link to a request hides the message from the pending recipient as the list does (list, lastMessage, live, and sync from before the edit: no text); after the verdict they get the new text once, as message.updated', async () => {
    const { stranger, recipient, inbox, cursor, convId } = await h.request();
    const sent = await h.send(stranger, convId, 'hi, we met at the talk');
    await inbox.waitFor('message.created', (p) => p.message.id === sent.id);

    await queue.pause();
    const phish = 'confirm your seat at https://example.com/edited-in-link';
    const edited = await h.edit(stranger, convId, sent.id, phish);
    expect(edited.links).toEqual([{ url: 'https://example.com/edited-in-link', verdict: 'pending' }]);

    // Held: the list, lastMessage and unreadCount show nothing...
    expect(await h.list(recipient, convId)).toEqual([]);
    const v = await h.view(recipient, convId);
    expect(v.lastMessage).toBeNull();
    expect(v.unreadCount).toBe(0);
    // ...and neither does sync from before the edit: the event stays (cursors are consecutive,
    // and it is the one message.created of this message), its content is withheld.
    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.map((e) => e.type)).toEqual(['request.created', 'message.created']);
    expect(synced[1].message).toMatchObject({
      id: sent.id,
      seq: sent.seq,
      senderId: stranger.id,
      state: 'held',
      text: null,
      links: [],
      reactions: [],
      replyTo: null,
    });
    expect(JSON.stringify(synced)).not.toContain('edited-in-link');
    expect(JSON.stringify(synced)).not.toContain('we met at the talk');

    // The verdict releases it: the recipient already had its message.created, so the new text comes as message.updated.
    await queue.resume();
    const [updated] = await inbox.waitFor('message.updated', (p) => p.message.id === sent.id, 1, 15_000);
    expect(updated.message).toMatchObject({
      id: sent.id,
      text: phish,
      state: 'visible',
      links: [{ url: 'https://example.com/edited-in-link', verdict: 'safe', ...SAFE_OFFLINE }],
    });
    expect(inbox.of('message.created').filter((p) => p.message.id === sent.id)).toHaveLength(1);
    const after = await h.syncFrom(recipient, cursor);
    expect(after.map((e) => `${e.type}:${e.message?.id === sent.id}`)).toEqual([
      'request.created:false',
      'message.created:true',
      'message.updated:true',
    ]);
    expect(after[1].message).toMatchObject({ text: phish, state: 'visible' });
    expect(after[2]).toEqual(updated);
    expect((await h.list(recipient, convId)).map((m) => m.text)).toEqual([phish]);
  });

  it('an accepted conversation is not held: the active recipient gets the message at once with its links pending, then the verdict as message.updated', async () => {
    const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
    await h.follow(b, a);
    const inbox = await h.listen(b);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id] })
        .expect(201)
    ).body;
    expect(conv.members.find((m: any) => m.userId === b.id).state).toBe('active');
    const sent = await h.send(a, conv.id, 'https://example.com/not-held');
    const [created] = await inbox.waitFor('message.created', (p) => p.message.id === sent.id);
    expect(created.message.links).toEqual([{ url: 'https://example.com/not-held', verdict: 'pending' }]);
    const [updated] = await inbox.waitFor('message.updated', (p) => p.message.id === sent.id);
    expect(updated.message.links).toEqual([{ url: 'https://example.com/not-held', verdict: 'safe', ...SAFE_OFFLINE }]);
  });
});

describe('held links (scanner paused, HELD_LINK_MAX_SECONDS=2)', () => {
  let t: TestApp;
  let queue: Queue;
  const h = helpers(() => t);
  beforeAll(async () => {
    t = await startTestApp({ label: 'held_links_bound', env: { HELD_LINK_MAX_SECONDS: '2' } });
    queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
  });
  afterAll(async () => {
    await queue?.resume();
    await t?.close();
  });

  it('with no verdict within the bound the sweep releases the held message (links still pending); holding never lets a message past the first 3 by seq in', async () => {
    const [spammer, puppet, recipient] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await h.follow(puppet, spammer);
    const inbox = await h.listen(recipient);
    const cursor = await h.head(recipient);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(spammer.auth)
        .send({ participantIds: [puppet.id, recipient.id] })
        .expect(201)
    ).body;
    await inbox.waitFor('request.created');

    await queue.pause();
    const sentAt = Date.now();
    const held = await h.send(spammer, conv.id, 'look https://example.com/slow-verdict');
    const second = await h.send(spammer, conv.id, 'two');
    const third = await h.send(spammer, conv.id, 'three');
    const fourth = await h.send(puppet, conv.id, 'four, past the cap');
    expect([held.seq, second.seq, third.seq, fourth.seq]).toEqual([1, 2, 3, 4]);

    // At once: the plain messages within the cap; not the held one, never the 4th.
    await inbox.waitFor('message.created', () => true, 2);
    expect(inbox.of('message.created').map((p) => p.message.seq)).toEqual([2, 3]);
    expect((await h.list(recipient, conv.id)).map((m) => m.seq)).toEqual([2, 3]);
    expect((await h.view(recipient, conv.id)).unreadCount).toBe(2);

    // After the bound the sweep releases it, its verdict still pending.
    const [released] = await inbox.waitFor('message.created', (p) => p.message.id === held.id, 1, 15_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2000);
    expect(released.message).toMatchObject({
      id: held.id,
      seq: 1,
      text: held.text,
      links: [{ url: 'https://example.com/slow-verdict', verdict: 'pending' }],
    });
    expect((await h.list(recipient, conv.id)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect((await h.view(recipient, conv.id)).unreadCount).toBe(3);

    // The scanner comes back: the verdict follows as message.updated, as for any reader.
    await queue.resume();
    const [updated] = await inbox.waitFor('message.updated', (p) => p.message.id === held.id, 1, 15_000);
    expect(updated.message.links).toEqual([{ url: 'https://example.com/slow-verdict', verdict: 'safe', ...SAFE_OFFLINE }]);

    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.map((e) => `${e.type}:${e.message?.seq ?? ''}`)).toEqual([
      'request.created:',
      'message.created:2',
      'message.created:3',
      'message.created:1',
      'message.updated:1',
    ]);
    expect(withCursor(inbox).map((e) => e.payload.cursor)).toEqual(synced.map((e) => e.cursor));
    expect(JSON.stringify(synced)).not.toContain('past the cap');
    expect((await h.list(recipient, conv.id)).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('an edit that adds a link to a message older than the bound holds it for the bound counted from the edit, not from the send; the pending recipient then gets it once more only as message.updated', async () => {
    const { stranger, recipient, inbox, cursor, convId } = await h.request();
    const sent = await h.send(stranger, convId, 'hello from the hallway');
    await inbox.waitFor('message.created', (p) => p.message.id === sent.id);
    // Sent long before the bound (the edit window is 15 minutes).
    await t.app.get(Db).query(`UPDATE message SET created_at = now() - interval '5 minutes' WHERE id = $1`, [sent.id]);

    await queue.pause();
    const text = 'the photos: https://example.com/late-link';
    const edited = await h.edit(stranger, convId, sent.id, text);
    // A sweep right after the edit finds nothing overdue: the edited text has waited no time yet.
    expect(await t.app.get(HeldLinks).releaseOverdue()).toBe(0);
    expect(await h.list(recipient, convId)).toEqual([]);

    const [updated] = await inbox.waitFor('message.updated', (p) => p.message.id === sent.id, 1, 15_000);
    expect(Date.now() - Date.parse(edited.editedAt)).toBeGreaterThanOrEqual(2000);
    expect(updated.message).toMatchObject({ id: sent.id, text, links: [{ url: 'https://example.com/late-link', verdict: 'pending' }] });
    expect(inbox.of('message.created').filter((p) => p.message.id === sent.id)).toHaveLength(1);
    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.filter((e) => e.type === 'message.created' && e.message.id === sent.id)).toHaveLength(1);
    expect(withCursor(inbox).map((e) => e.payload.cursor)).toEqual(synced.map((e) => e.cursor));
    await queue.resume();
  });

  it('the verdict and the sweep racing to release a held message deliver it to the pending recipient exactly once', async () => {
    const { stranger, recipient, inbox, cursor, convId } = await h.request();
    await queue.pause();
    const sent = await h.send(stranger, convId, 'racing https://example.com/held-race');
    // Past the bound, every releaser at once: sweeps (ours and the scheduled one) and scans.
    await until('past the bound', async () => Date.now() - Date.parse(sent.createdAt) > 2100);
    const held = t.app.get(HeldLinks);
    const scanner = t.app.get(LinkScannerService);
    await Promise.all([
      held.releaseOverdue(),
      held.releaseOverdue(),
      scanner.scanMessage(sent.id),
      scanner.scanMessage(sent.id),
      held.releaseOverdue(),
    ]);
    await queue.resume();
    await inbox.waitFor('message.created', (p) => p.message.id === sent.id);
    // A later message is delivered, so anything written before it has been pushed.
    const after = await h.send(stranger, convId, 'after the race');
    await inbox.waitFor('message.created', (p) => p.message.id === after.id);
    const synced = await h.syncFrom(recipient, cursor);
    expect(synced.filter((e) => e.type === 'message.created').map((e) => e.message.id)).toEqual([sent.id, after.id]);
    expect(inbox.of('message.created').map((p) => p.message.id)).toEqual([sent.id, after.id]);
  });
});
