import { randomUUID } from 'node:crypto';
import { BackchannelClient, MemoryStorage, unwrap, type ServerEvent } from '@backchannel/client';
import { Db } from '@app/messaging/db/db.service';
import { EventsService } from '@app/messaging/events/events.service';
import { horizonSql } from '@app/messaging/events/events.repository';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';

/**
 * Retention of the positions stream (docs/ARCHITECTURE.md "The event stream"): the maintenance
 * job marks the horizon hourly (stream_mark), raises the bound below which a `p1.` cursor is
 * expired to the first mark at or after EVENT_RETENTION_DAYS ago, and deletes the
 * conversation_event rows below it in batches. A cursor below the bound gets 410
 * `cursor_expired` (docs/API.md §6, step 4) and the SDK starts again from scratch.
 */
let t: TestApp;
let db: Db;
const clients: BackchannelClient[] = [];
beforeAll(async () => {
  t = await startTestApp({ label: 'stream_retention' });
  db = t.app.get(Db);
});
afterAll(async () => {
  for (const c of clients) c.stop();
  await t?.close();
});

const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
async function send(u: TestUser, conversationId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
const positionsHead = async (u: TestUser) =>
  (await t.http().get('/v1/sync').query({ stream: 'positions' }).set(u.auth).expect(200)).body.cursor as string;
// The stream's own horizon (this database's transactions only): another database's open
// transaction (another test file's CREATE DATABASE) must not hold it below this file's events.
const horizon = async () => (await db.query(`SELECT ${horizonSql('s')}::text AS h FROM pg_current_snapshot() s`))[0].h as string;
/** A mark as the hourly job would have written it `ago` (an SQL interval) ago, with horizon `h`. */
const markAgo = (ago: string, h: string) => db.query(`INSERT INTO stream_mark (at, h) VALUES (now() - $1::interval, $2::xid8)`, [ago, h]);

it('old events go and an older p1. cursor gets 410 cursor_expired; newer cursors read on, nothing newer is lost; the SDK starts again from scratch', async () => {
  const events = t.app.get(EventsService);
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
  const old = await positionsHead(b);
  const before = [await send(a, conv.id, 'old 1'), await send(a, conv.id, 'old 2'), await send(a, conv.id, 'old 3')];
  await t.http().patch(`/v1/conversations/${conv.id}/messages/${before[0].id}`).set(a.auth).send({ text: 'old 1, edited' }).expect(200);

  // The stream's history does not reach back past the cutoff yet (only the migration's mark): nothing goes.
  expect(await events.pruneStream()).toEqual({ prunedBelow: null, deleted: 0 });
  expect((await t.http().get('/v1/sync').query({ cursor: old }).set(b.auth)).status).toBe(200);

  // As if all that had been written 31 days ago and the job had run for 40 days: a mark from
  // then, and one just after the cutoff (30 days ago) that saw everything above committed.
  const h = await horizon();
  await db.query(`UPDATE conversation_event SET created_at = now() - interval '31 days' WHERE conversation_id = $1`, [conv.id]);
  await markAgo('40 days', '1');
  await markAgo('30 days - 2 hours', h);
  const pruned = await events.pruneStream();
  expect(pruned.prunedBelow).toBe(`p1.${h}.0`);
  expect(pruned.deleted).toBeGreaterThanOrEqual(before.length + 1);
  const left = await db.query(`SELECT count(*)::int AS n FROM conversation_event WHERE conversation_id = $1`, [conv.id]);
  expect(left[0].n).toBe(0);
  // Marks older than the one in use are gone but the newest of them (the history still reaches back past the cutoff).
  expect((await db.query(`SELECT count(*)::int AS n FROM stream_mark WHERE at < now() - interval '31 days'`))[0].n).toBe(1);

  // A cursor below the bound: 410 with the stable code, whatever page size.
  for (const limit of [1, 500]) {
    const expired = await t.http().get('/v1/sync').query({ cursor: old, limit }).set(b.auth);
    expectErrorShape(expired.body, 410, 'cursor_expired');
  }
  // At the bound: fine, and what comes after is there, once.
  const later = await send(a, conv.id, 'after retention');
  const page = (await t.http().get('/v1/sync').query({ cursor: pruned.prunedBelow }).set(b.auth).expect(200)).body;
  expect(page.events.filter((e: any) => e.type === 'message.created').map((e: any) => e.message.id)).toEqual([later.id]);
  // Running again changes nothing: the bound only grows, nothing newer goes.
  const again = await events.pruneStream();
  expect(again).toEqual({ prunedBelow: pruned.prunedBelow, deleted: 0 });
  expect((await t.http().get('/v1/sync').query({ cursor: pruned.prunedBelow }).set(b.auth).expect(200)).body.events).toHaveLength(
    page.events.length,
  );

  // The SDK (positions by default) with an expired stored cursor: `reset`, then from now on.
  const storage = new MemoryStorage();
  const c = new BackchannelClient({ baseUrl: t.url, storage, reconnectDelayMs: 100 });
  clients.push(c);
  const handle = `ret_${randomUUID().slice(0, 8)}`;
  const me = await c.signUp({ handle, displayName: 'R', password: 'sdk-password-1' });
  await unwrap(c.api.PUT('/v1/users/{id}/follow', { params: { path: { id: a.id } } }));
  await storage.set('positions', { cursor: old, seen: [] });
  const resets: unknown[] = [];
  c.on('reset', (e) => resets.push(e));
  const seen: ServerEvent[] = [];
  c.on('event', (e) => seen.push(e));
  await c.start();
  await until('reset', async () => resets.length === 1);
  expect(resets[0]).toEqual({ reason: 'cursor_expired' });
  await until('a new cursor', async () => /^p1\.\d+\.0$/.test(c.cursor ?? '') && c.cursor !== old);
  expect(BigInt(c.cursor!.split('.')[1]) >= BigInt(h)).toBe(true);
  await until('connected', async () => c.socket?.connected);
  const dm = (
    await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [me.id] })
      .expect(201)
  ).body;
  const fresh = await send(a, dm.id, 'after the reset');
  await until('the new message', async () => seen.some((e) => e.type === 'message.created'));
  expect(seen.filter((e) => e.type === 'message.created').map((e: any) => e.message.id)).toEqual([fresh.id]);
  expect(seen.every((e) => e.cursor.startsWith('p1.'))).toBe(true);
});
