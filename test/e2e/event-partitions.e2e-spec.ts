import * as argon2 from 'argon2';
import { ARGON2_TEST_OPTIONS } from '@app/messaging/accounts/passwords';
import { Db } from '@app/messaging/db/db.service';
import { EVENT_PARTITIONS_AHEAD, EventsService } from '@app/messaging/events/events.service';
import { SYNC_RECENT_SQL } from '@app/messaging/events/events.repository';
import { newId } from '@app/messaging/ids';
import { freshDatabase, startTestApp, type TestApp, type TestDatabase } from '../support/app';
import { expectErrorShape, uniqueHandle } from '../support/factories';

/**
 * Events partitioned by day (issue #18). The database is first filled through the migrations
 * before this one (the old, unpartitioned `event`), then the app boots and converts it: every
 * event is still there, sync works across old and new days, whole days are dropped past the
 * retention, and the time-bounded sync query prunes partitions without ever hiding an event.
 */
const PREVIOUS = 'Migration20261126171000_hidden_words';
const PASSWORD = 'partition test password';

let db: TestDatabase;
let t: TestApp;
const alice = { id: newId(), handle: uniqueHandle('pa'), token: '' };
const bob = { id: newId(), handle: uniqueHandle('pb'), token: '' };
let before: any[];

const dayName = (offsetDays: number) => {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `event_p${d.toISOString().slice(0, 10).replace(/-/g, '')}`;
};

async function syncPage(user: { token: string }, cursor: string | number, limit = 500) {
  return t
    .http()
    .get(`/v1/sync?cursor=${cursor}&limit=${limit}`)
    .set({ Authorization: `Bearer ${user.token}` });
}

async function syncAll(user: { token: string }, cursor: string | number, limit = 100): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const res = await syncPage(user, cursor, limit);
    expect(res.status).toBe(200);
    out.push(...res.body.events);
    cursor = res.body.cursor;
    if (!res.body.hasMore) return out;
  }
}

beforeAll(async () => {
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const { ormConfig } = await import('@app/messaging/orm.config');
  db = await freshDatabase('partitions');
  const orm = await MikroORM.init(ormConfig(db.url, 2));
  await orm.getMigrator().up({ to: PREVIOUS });
  const conn = orm.em.getConnection();
  const hash = await argon2.hash(PASSWORD, ARGON2_TEST_OPTIONS);
  for (const u of [alice, bob]) {
    await conn.execute(`INSERT INTO app_user (id, handle, display_name, password_hash) VALUES (?, ?, ?, ?)`, [
      u.id,
      u.handle,
      u.handle,
      hash,
    ]);
  }
  // Alice: 300 events over 100 days; the first 5 older than the 90 days the migration gives
  // partitions to, the rest spread over the last 10 days, created_at slightly out of cursor
  // order (the old default was the transaction's start time). Bob: 50 events of today.
  await conn.execute(`INSERT INTO user_cursor (user_id, last) VALUES (?, 300), (?, 50)`, [alice.id, bob.id]);
  await conn.execute(
    `INSERT INTO event (user_id, cursor, type, payload, created_at)
     SELECT ?, c, 'notice.created', jsonb_build_object('n', c),
            CASE WHEN c <= 5 THEN now() - interval '100 days'
                 ELSE now() - (300 - c) * interval '48 minutes' + (c % 3) * interval '20 seconds' END
       FROM generate_series(1, 300) c`,
    [alice.id],
  );
  await conn.execute(
    `INSERT INTO event (user_id, cursor, type, payload, created_at)
     SELECT ?, c, 'read.updated', jsonb_build_object('n', c), now() - (50 - c) * interval '1 second' FROM generate_series(1, 50) c`,
    [bob.id],
  );
  before = await conn.execute(`SELECT user_id, cursor::text, type, payload, created_at, message_id FROM event ORDER BY user_id, cursor`);
  await orm.close(true);

  t = await startTestApp({ db, env: { APP_ROLES: 'api' } }); // applies the partitioning migration
  for (const u of [alice, bob]) {
    const res = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: PASSWORD });
    expect(res.status).toBe(200);
    u.token = res.body.accessToken;
  }
});

afterAll(async () => {
  await t?.close();
  await db?.drop();
});

const q = (sql: string, params: unknown[] = []) => t.app.get(Db).query(sql, params);

it('the migration converts the old table: every event kept as it was, in day partitions made 7 days ahead', async () => {
  const after = await q(`SELECT user_id, cursor::text, type, payload, created_at, message_id FROM event ORDER BY user_id, cursor`);
  expect(after).toHaveLength(350);
  expect(after).toEqual(before);
  expect((await q(`SELECT relkind FROM pg_class WHERE relname = 'event'`))[0].relkind).toBe('p');
  const parts = (
    await q(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'event'::regclass`)
  ).map((r) => r.relname);
  for (let d = -9; d <= EVENT_PARTITIONS_AHEAD; d++) expect(parts).toContain(dayName(d));
  // Rows older than the 90 days given partitions wait in the default partition.
  expect((await q(`SELECT count(*)::int AS n FROM event_default`))[0].n).toBe(5);
});

it('sync after the conversion returns every event once, in order, across old days and today', async () => {
  const events = await syncAll(alice, 0);
  expect(events.map((e) => Number(e.cursor))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  expect(events.every((e, i) => e.type === 'notice.created' && e.n === i + 1)).toBe(true);
  const recent = await syncPage(bob, 40);
  expect(recent.body.events.map((e: any) => Number(e.cursor))).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
});

it('new events are written to the partition of the day they are inserted, with created_at at insert time', async () => {
  await q(`UPDATE user_cursor SET last = last + 1 WHERE user_id = $1`, [bob.id]);
  const [row] = await q(
    `INSERT INTO event (user_id, cursor, type, payload) VALUES ($1, 51, 'read.updated', '{}') RETURNING tableoid::regclass::text AS part, created_at`,
    [bob.id],
  );
  expect(row.part).toBe(dayName(0));
});

it('the recent-sync query scans only the last day or two of partitions', async () => {
  const plan = await t.app.get(Db).withClient(async (c) => {
    await c.query(`PREPARE recent_probe(uuid, bigint, int) AS ${SYNC_RECENT_SQL}`);
    await c.query(`SET plan_cache_mode = force_generic_plan`);
    try {
      return (await c.query(`EXPLAIN EXECUTE recent_probe('${bob.id}', 40, 10)`)).rows.map((r: any) => r['QUERY PLAN']).join('\n');
    } finally {
      await c.query(`RESET plan_cache_mode`);
      await c.query(`DEALLOCATE recent_probe`);
    }
  });
  const scanned = new Set(plan.match(/event_p\d{8}/g) ?? []);
  const total = (await q(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'event'::regclass`))[0].n;
  expect(total).toBeGreaterThan(15);
  expect(plan).toMatch(/Subplans Removed: \d+/);
  expect(scanned.has(dayName(-5))).toBe(false);
  expect(scanned.size).toBeLessThanOrEqual(2 + EVENT_PARTITIONS_AHEAD); // today, yesterday and the empty days ahead
});

it('an event older than the recent window right after the cursor (a late commit) is not skipped: sync falls back to all partitions', async () => {
  // Cursor 52 stamped three days ago, 53 now: the bounded query sees 53 only, a gap after 51.
  await q(`UPDATE user_cursor SET last = last + 2 WHERE user_id = $1`, [bob.id]);
  await q(
    `INSERT INTO event (user_id, cursor, type, payload, created_at) VALUES ($1, 52, 'read.updated', '{"late": true}', now() - interval '3 days')`,
    [bob.id],
  );
  await q(`INSERT INTO event (user_id, cursor, type, payload) VALUES ($1, 53, 'read.updated', '{}')`, [bob.id]);
  const res = await syncPage(bob, 51);
  expect(res.body.events.map((e: any) => Number(e.cursor))).toEqual([52, 53]);
  expect(res.body.events[0].late).toBe(true);
});

it('rows in the default partition move into the day partition when it is created', async () => {
  const far = await q(`SELECT (now() + interval '10 days') AS at`);
  await q(`UPDATE user_cursor SET last = last + 1 WHERE user_id = $1`, [bob.id]);
  await q(`INSERT INTO event (user_id, cursor, type, payload, created_at) VALUES ($1, 54, 'read.updated', '{"future": true}', $2)`, [
    bob.id,
    far[0].at,
  ]);
  expect((await q(`SELECT count(*)::int AS n FROM event_default WHERE user_id = $1`, [bob.id]))[0].n).toBe(1);
  const [{ r }] = await q(`SELECT event_partitions_maintain(12, 3650) AS r`);
  expect(r.created).toContain(dayName(10));
  expect(r.dropped).toEqual([]);
  const [row] = await q(`SELECT tableoid::regclass::text AS part FROM event WHERE user_id = $1 AND cursor = 54`, [bob.id]);
  expect(row.part).toBe(dayName(10));
  expect((await syncPage(bob, 53)).body.events.map((e: any) => e.future)).toEqual([true]);
});

it('the maintenance job drops whole days past the retention (no DELETE) and older cursors then get 410', async () => {
  const retention = 5;
  const oldDays = (
    await q(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                              WHERE i.inhparent = 'event'::regclass AND c.relname ~ '^event_p' ORDER BY 1`)
  )
    .map((r) => r.relname)
    .filter((n) => n < dayName(-retention));
  expect(oldDays.length).toBeGreaterThan(3);
  const expectedPruned = (
    await q(`SELECT max(cursor)::int AS m FROM event WHERE user_id = $1 AND (created_at < now() - make_interval(days => $2))`, [
      alice.id,
      retention,
    ])
  )[0].m;
  const [{ r }] = await q(`SELECT event_partitions_maintain($1, $2) AS r`, [EVENT_PARTITIONS_AHEAD, retention]);
  expect(r.dropped.sort()).toEqual(oldDays.filter((n) => n < dayName(-retention)).sort());
  expect(r.deletedFromDefault).toBe(5);
  for (const name of r.dropped) expect((await q(`SELECT to_regclass($1) AS c`, [name]))[0].c).toBeNull();
  // Alice's cursors up to the last one dropped are expired; from there on sync is intact.
  const [{ pruned_below }] = await q(`SELECT pruned_below::int FROM user_cursor WHERE user_id = $1`, [alice.id]);
  expect(pruned_below).toBeGreaterThan(5);
  expect(pruned_below).toBeLessThanOrEqual(expectedPruned);
  const expired = await syncPage(alice, pruned_below - 1);
  expect(expired.status).toBe(410);
  expectErrorShape(expired.body, 410, 'cursor_expired');
  const rest = await syncAll(alice, pruned_below);
  expect(rest.map((e) => Number(e.cursor))).toEqual(Array.from({ length: 300 - pruned_below }, (_, i) => pruned_below + 1 + i));
  // The job as the worker runs it: nothing left to drop, nothing to create.
  expect(await t.app.get(EventsService).prune()).toEqual({ created: [], dropped: [], deletedFromDefault: 0 });
});
