import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';
import { raceRounds } from '../support/race';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * Sends that wait in their conversation's queue are stored together, one transaction for the
 * batch (issue #28; MessagesService.storeSends). Under 8 parallel sends in each of 16
 * conversations, round after round: every message is stored once, each conversation's seqs
 * are gapless, a retried clientId racing its original gets the one message, a non-member's
 * send in the same burst fails alone (404) without costing the others anything, and each
 * user's live events are exactly its positions sync, once each, in seq order.
 */

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'send_batches', env: { LIMIT_SEND_BURST: '10000/10', LIMIT_SEND_SUSTAINED: '50000/3600' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const sendRaw = (u: TestUser, conversationId: string, clientId: string, text: string) =>
  t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId, text });

async function syncAll(u: TestUser, cursor: string): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const res = await t.http().get('/v1/sync').query({ cursor, limit: 500 }).set(u.auth);
    expect(res.status).toBe(200);
    out.push(...res.body.events);
    cursor = res.body.cursor;
    if (!res.body.hasMore) return out;
  }
}

it('8 parallel sends in each of 16 conversations, repeated: each message stored once, seqs gapless, a racing retry gets the one message, a refused send fails alone, live equals sync', async () => {
  const CONVERSATIONS = 16;
  const PARALLEL = 8;
  const outsider = await registerUser(t.url);
  const pairs: Array<{ a: TestUser; b: TestUser; conversationId: string }> = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
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
    pairs.push({ a, b, conversationId: conv.id });
  }
  const users = pairs.flatMap((p) => [p.a, p.b]);
  const inboxes = new Map<string, Inbox>();
  const heads = new Map<string, string>();
  for (const u of users) {
    const s = await connectSocket(t.url, u.token, { stream: 'positions' });
    sockets.push(s);
    inboxes.set(u.id, new Inbox(s));
    heads.set(u.id, (await t.http().get('/v1/sync').query({ stream: 'positions' }).set(u.auth).expect(200)).body.cursor);
  }

  const stored = new Map<string, Set<string>>(pairs.map((p) => [p.conversationId, new Set<string>()]));
  const rounds = await raceRounds(4, async (round) => {
    await Promise.all(
      pairs.map(async ({ a, b, conversationId }) => {
        const clientIds = Array.from({ length: PARALLEL }, () => randomUUID());
        const burst = [
          ...clientIds.map((clientId, k) => sendRaw(k % 2 ? b : a, conversationId, clientId, `round ${round} send ${k}`)),
          // A retry of the first send racing it (same sender, same clientId): the same message, stored once.
          sendRaw(a, conversationId, clientIds[0], `round ${round} send 0`),
          // Not a member: refused alone, the burst around it is stored.
          sendRaw(outsider, conversationId, randomUUID(), `round ${round} intruder`),
        ];
        const answers = await Promise.all(burst);
        for (const res of answers.slice(0, PARALLEL)) expect(res.status).toBe(201);
        const [first, retry, intruder] = [answers[0], answers[PARALLEL], answers[PARALLEL + 1]];
        expect([200, 201]).toContain(retry.status);
        expect(retry.body.id).toBe(first.body.id);
        expect(intruder.status).toBe(404);
        const ids = answers.slice(0, PARALLEL).map((r) => r.body.id as string);
        expect(new Set(ids).size).toBe(PARALLEL);
        for (const id of ids) stored.get(conversationId)!.add(id);
      }),
    );
  });

  const db = t.app.get(Db);
  for (const { conversationId } of pairs) {
    const rows = await db.query<{ id: string; seq: string }>(`SELECT id, seq FROM message WHERE conversation_id = $1 ORDER BY seq`, [
      conversationId,
    ]);
    // Once each (the retries stored nothing), numbered 1..n without a gap.
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rounds * PARALLEL }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.id))).toEqual(stored.get(conversationId));
    const [conv] = await db.query(`SELECT last_seq FROM conversation WHERE id = $1`, [conversationId]);
    expect(Number(conv.last_seq)).toBe(rounds * PARALLEL);
  }
  // The bursts did go through the batch path: some messages share their transaction.
  const [shared] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT xmin::text FROM message WHERE conversation_id = ANY ($1::uuid[]) GROUP BY 1 HAVING count(*) > 1) x`,
    [pairs.map((p) => p.conversationId)],
  );
  expect(shared.n).toBeGreaterThan(0);

  for (const u of users) {
    const synced = (await syncAll(u, heads.get(u.id)!)).filter((e) => e.type === 'message.created');
    const conversationId = pairs.find((p) => p.a.id === u.id || p.b.id === u.id)!.conversationId;
    // Every message of the conversation once, in seq order, at increasing positions.
    expect(synced.map((e) => e.message.seq)).toEqual(Array.from({ length: rounds * PARALLEL }, (_, i) => i + 1));
    expect(new Set(synced.map((e) => e.message.id))).toEqual(stored.get(conversationId));
    const pos = synced.map((e) => e.cursor.split('.').slice(1).map(BigInt));
    for (let i = 1; i < pos.length; i++) {
      expect(pos[i][0] > pos[i - 1][0] || (pos[i][0] === pos[i - 1][0] && pos[i][1] > pos[i - 1][1])).toBe(true);
    }
    // Live: the same events at the same positions, each once, pushed in seq order.
    const inbox = inboxes.get(u.id)!;
    const live = () => inbox.of('message.created', (p) => p?.cursor);
    await until('live caught up', async () => live().length >= synced.length);
    expect(live().map((e) => `${e.message.id}@${e.cursor}`)).toEqual(synced.map((e) => `${e.message.id}@${e.cursor}`));
  }
});
