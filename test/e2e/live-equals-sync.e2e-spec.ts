import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { EVENT_TYPES } from '@app/messaging/events/event-types';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';
import { SAFE_OFFLINE } from '../support/link-verdicts';

/**
 * The real-time promise (API.md): each user receives each event once, with that user's own
 * cursor, live and in sync alike. Checked as a property over a run that produces every event
 * type: for every user, the live events (with a cursor) are exactly the sync events.
 */

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'live_sync', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const BAD_DOMAIN = 'live-sync-phish.com';

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
async function send(u: TestUser, conversationId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
async function syncAll(u: TestUser, cursor: string): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const res = await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth);
    expect(res.status).toBe(200);
    out.push(...res.body.events);
    cursor = res.body.cursor;
    if (!res.body.hasMore) return out;
  }
}
const liveEvents = (inbox: Inbox) => inbox.events.filter((e) => e.payload && typeof e.payload === 'object' && 'cursor' in e.payload);

describe('live equals sync', () => {
  it("read.updated in a 3-member group reaches each member exactly once, with that member's own cursor and the reader as userId", async () => {
    const [a, b, c] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await follow(b, a);
    await follow(c, a);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, c.id] })
        .expect(201)
    ).body;
    await send(a, conv.id, 'hello group');
    const inboxes = new Map<string, Inbox>();
    const heads = new Map<string, string>();
    for (const u of [a, b, c]) {
      const s = await connectSocket(t.url, u.token);
      sockets.push(s);
      inboxes.set(u.id, new Inbox(s));
      heads.set(u.id, (await t.http().get('/v1/sync').set(u.auth)).body.cursor);
    }
    expect((await t.http().post(`/v1/conversations/${conv.id}/read`).set(a.auth).send({ seq: 1 })).status).toBe(200);
    for (const u of [a, b, c]) {
      const [live] = await inboxes.get(u.id)!.waitFor('read.updated');
      const synced = (await syncAll(u, heads.get(u.id)!)).filter((e) => e.type === 'read.updated');
      expect(synced).toHaveLength(1);
      expect(synced[0]).toMatchObject({ type: 'read.updated', conversationId: conv.id, userId: a.id, seq: 1 });
      expect(live).toEqual(synced[0]);
    }
    // No duplicates arrived while we looked.
    await until('settled', async () => [a, b, c].every((u) => inboxes.get(u.id)!.of('read.updated').length === 1));
    for (const u of [a, b, c]) expect(inboxes.get(u.id)!.of('read.updated')).toHaveLength(1);
  });

  it('a message event stores a reference to the message, not a copy per member, and sync renders the message as it is now', async () => {
    const [a, b, c] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    await follow(b, a);
    await follow(c, a);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(a.auth)
        .send({ participantIds: [b.id, c.id] })
        .expect(201)
    ).body;
    const head = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    // Member rows are written for users with a v1 client (one that synced or connected): a and c too.
    for (const u of [a, c]) await t.http().get('/v1/sync').set(u.auth).expect(200);
    const m = await send(a, conv.id, 'stored once');
    const rows = await t.app
      .get(Db)
      .query(`SELECT user_id, payload, message_id FROM event WHERE type = 'message.created' AND message_id = $1 ORDER BY user_id`, [m.id]);
    expect(rows).toEqual([a.id, b.id, c.id].sort().map((user_id) => ({ user_id, payload: {}, message_id: m.id })));
    expect((await syncAll(b, head)).filter((e) => e.type === 'message.created')).toEqual([
      { type: 'message.created', cursor: expect.any(String), message: m },
    ]);
  });

  // Both streams (docs/API.md §6): per-user cursors (v1) and stream positions (sockets with auth.stream "positions").
  describe.each(['v1', 'positions'] as const)('stream %s', (stream) => {
    const socketAuth = stream === 'positions' ? { stream } : {};
    // Per stream, so the second run's links are new (scanned, not cached) and its blocklist entry too.
    const badDomain = `${stream}-${BAD_DOMAIN}`;
    const headQuery = stream === 'positions' ? { stream } : {};
    /** Cursor order: v1 cursors are integers, positions `p1.<tx>.<id>` compare by (tx, id). */
    const order = (x: string, y: string) => {
      if (stream === 'v1') return Number(BigInt(x) - BigInt(y));
      const [p, q] = [x, y].map((c) => c.split('.').slice(1).map(BigInt));
      return p[0] !== q[0] ? (p[0] < q[0] ? -1 : 1) : p[1] === q[1] ? 0 : p[1] < q[1] ? -1 : 1;
    };
    it("for every user, every event received live has the same type, cursor and payload as in that user's sync, over a run producing every event type", async () => {
      const staff = await loginStaff(t.url);
      expect(
        (await t.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: badDomain, kind: 'domain', reason: 'test phishing' }))
          .status,
      ).toBe(201);

      const [a, b, c, d, e] = [
        await registerUser(t.url),
        await registerUser(t.url),
        await registerUser(t.url),
        await registerUser(t.url),
        await registerUser(t.url),
      ];
      const users = [a, b, c, d, e];
      await follow(b, a);
      await follow(c, a);
      const inboxes = new Map<string, Inbox>();
      const heads = new Map<string, string>();
      for (const u of users) {
        const s = await connectSocket(t.url, u.token, socketAuth);
        sockets.push(s);
        inboxes.set(u.id, new Inbox(s));
        heads.set(u.id, (await t.http().get('/v1/sync').query(headQuery).set(u.auth)).body.cursor);
      }

      // conversation.updated (create), request.created (a stranger added as a pending member)
      const conv = (
        await t
          .http()
          .post('/v1/conversations')
          .set(a.auth)
          .send({ participantIds: [b.id, c.id], title: 'all events' })
          .expect(201)
      ).body;
      expect(
        (
          await t
            .http()
            .post(`/v1/conversations/${conv.id}/members`)
            .set(a.auth)
            .send({ userIds: [d.id] })
        ).status,
      ).toBe(200);
      // message.created from everyone active; message.updated by unsend
      const m1 = await send(a, conv.id, 'one');
      const m2 = await send(b, conv.id, 'two, to be unsent');
      await send(c, conv.id, 'three');
      expect((await t.http().delete(`/v1/conversations/${conv.id}/messages/${m2.id}`).set(b.auth)).status).toBe(200);
      // message.updated by a link verdict (safe), and by a malicious link (removal + notice.created to the author)
      const safe = await send(a, conv.id, `see https://example.com/live-sync-${stream}`);
      const bad = await send(a, conv.id, `prize at https://x.${badDomain}/claim`);
      // e stays a pending recipient of a's request: the preview (message.created for a plain
      // message, and for a safe link once its verdict releases it), never the phishing one.
      const req = (
        await t
          .http()
          .post('/v1/conversations')
          .set(a.auth)
          .send({ participantIds: [e.id] })
          .expect(201)
      ).body;
      await send(a, req.id, 'hello stranger');
      const reqSafe = await send(a, req.id, `my portfolio https://example.com/live-sync-portfolio-${stream}`);
      const reqBad = await send(a, req.id, `claim at https://y.${badDomain}/win`);
      // read.updated from two readers
      expect((await t.http().post(`/v1/conversations/${conv.id}/read`).set(b.auth).send({ seq: m1.seq })).status).toBe(200);
      expect((await t.http().post(`/v1/conversations/${conv.id}/read`).set(c.auth).send({ seq: m2.seq })).status).toBe(200);
      // the pending member accepts: conversation.updated to every active member
      expect((await t.http().post(`/v1/conversations/${conv.id}/accept`).set(d.auth)).status).toBe(200);
      await send(d, conv.id, 'hi all');
      // question.created and question.updated
      const room = (await t.http().post('/v1/rooms').set(a.auth).send({ title: 'Live room' }).expect(201)).body;
      expect((await t.http().post(`/v1/rooms/${room.id}/join`).set(b.auth)).status).toBe(200);
      const question = (await t.http().post(`/v1/rooms/${room.id}/questions`).set(b.auth).send({ text: 'a question?' }).expect(201)).body;
      expect((await t.http().patch(`/v1/rooms/${room.id}/questions/${question.id}`).set(a.auth).send({ status: 'pinned' })).status).toBe(
        200,
      );

      // Wait for the background scans to finish (both messages settled for a reader).
      await until('scans', async () => {
        const items = (await t.http().get(`/v1/conversations/${conv.id}/messages`).set(b.auth)).body.items as any[];
        const s = items.find((x) => x.id === safe.id);
        const r = items.find((x) => x.id === bad.id);
        return s?.links.every((l: any) => l.verdict !== 'pending') && r?.state === 'removed';
      });
      await until('request scans', async () => {
        const items = (await t.http().get(`/v1/conversations/${req.id}/messages`).set(a.auth)).body.items as any[];
        return (
          items.find((x) => x.id === reqSafe.id)?.links.every((l: any) => l.verdict !== 'pending') &&
          items.find((x) => x.id === reqBad.id)?.state === 'removed'
        );
      });
      await until('notice', async () => (await syncAll(a, heads.get(a.id)!)).filter((e) => e.type === 'notice.created').length === 2);

      // Property: live == sync per user (once everything written has been pushed).
      const key = (e: any) => `${e.type}@${e.cursor}`;
      await until('live caught up with sync', async () => {
        for (const u of users) {
          const synced = (await syncAll(u, heads.get(u.id)!)).map(key);
          const live = liveEvents(inboxes.get(u.id)!).map((e) => key(e.payload));
          if (live.length < synced.length) return false;
        }
        return true;
      });
      const seen = new Set<string>();
      for (const u of users) {
        const synced = await syncAll(u, heads.get(u.id)!);
        // Live pushes leave from more than one place (the sending process, the worker's relay),
        // so two events can arrive a few milliseconds out of cursor order. Cursors are
        // consecutive per user, which is what lets a client notice that and fill the gap from
        // sync (docs/API.md, "Reconnect and sync"); what must hold is that live and sync carry
        // the same events, each once, with the same cursors.
        const live = liveEvents(inboxes.get(u.id)!).sort((x, y) => order(x.payload.cursor, y.payload.cursor));
        // The socket event name is the type; the payload is the whole wire object, equal to the synced one.
        for (const e of live) expect(e.name).toBe(e.payload.type);
        expect(live.map((e) => key(e.payload))).toEqual(synced.map(key));
        // v1: consecutive, no cursor is skipped or repeated in a user's log.
        if (stream === 'v1') synced.forEach((e, i) => i > 0 && expect(BigInt(e.cursor)).toBe(BigInt(synced[i - 1].cursor) + 1n));
        // Payloads are equal too, except for message events: a stored message.* event references
        // its message and sync renders the message as it is now (a message removed later is never
        // replayed with its text, a scanned link shows its verdict), while the live push carried
        // the message as it was then. So message events are compared by identity, and every
        // synced copy must be the message's current state: the last version pushed live.
        // The same holds for a conversation event's conversation.lastMessage: sync renders that
        // message's current row too (events.repository.ts), so a removal that lands between the
        // push and the sync shows in the synced copy only.
        const messageIdentity = (m: any) => ({ id: m.id, seq: m.seq, conversationId: m.conversationId, senderId: m.senderId });
        const identity = (p: any) =>
          p.message
            ? { ...p, message: messageIdentity(p.message) }
            : p.conversation?.lastMessage
              ? { ...p, conversation: { ...p.conversation, lastMessage: messageIdentity(p.conversation.lastMessage) } }
              : p;
        expect(live.map((e) => identity(e.payload))).toEqual(synced.map(identity));
        const latestLive = new Map<string, any>();
        for (const e of live) if (e.payload.message) latestLive.set(e.payload.message.id, e.payload.message);
        const syncedMessages = synced.filter((e) => e.message);
        for (const e of syncedMessages) expect(e.message).toEqual(latestLive.get(e.message.id));
        // A synced lastMessage is that message as it is now: its last live version, when one was pushed.
        for (const e of synced.filter((x) => x.conversation?.lastMessage && latestLive.has(x.conversation.lastMessage.id))) {
          expect(e.conversation.lastMessage).toEqual(latestLive.get(e.conversation.lastMessage.id));
        }
        for (const e of syncedMessages.filter((x) => x.message.id === m2.id || x.message.id === bad.id)) {
          expect(e.message).toMatchObject({ state: 'removed', text: null, links: [] });
        }
        // Cursors are the user's own: strictly increasing, never repeated.
        const cursors = synced.map((e) => e.cursor as string);
        for (let i = 1; i < cursors.length; i++) expect(order(cursors[i], cursors[i - 1])).toBeGreaterThan(0);
        for (const e of synced) {
          expect(e).not.toHaveProperty('recipientId');
          seen.add(e.type);
        }
      }
      // The pending recipient's part: the request, then exactly the plain and the released safe
      // message (with its verdict); nothing of the phishing one.
      const pendingSide = (await syncAll(e, heads.get(e.id)!)).filter(
        (x) => x.conversation?.id === req.id || x.message?.conversationId === req.id,
      );
      expect(pendingSide.map((x) => x.type)).toEqual(['request.created', 'message.created', 'message.created']);
      expect(pendingSide[2].message).toMatchObject({
        id: reqSafe.id,
        links: [{ url: `https://example.com/live-sync-portfolio-${stream}`, verdict: 'safe', ...SAFE_OFFLINE }],
      });
      expect(JSON.stringify(pendingSide)).not.toContain(reqBad.id);
      // The run covered every event type there is.
      expect([...seen].sort()).toEqual([...EVENT_TYPES].sort());
      // read.updated carries the reader, not the recipient.
      const readsSeenByA = (await syncAll(a, heads.get(a.id)!)).filter((e) => e.type === 'read.updated');
      expect(readsSeenByA.map((e) => [e.userId, e.seq]).sort()).toEqual(
        [
          [b.id, m1.seq],
          [c.id, m2.seq],
        ].sort(),
      );
    });
  });
});
