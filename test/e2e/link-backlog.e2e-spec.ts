import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { LinkScannerService } from '@app/messaging/links/link-scanner.service';
import { JobName, QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';
import { SAFE_OFFLINE } from '../support/link-verdicts';

/**
 * Links off the synchronous write (issue #28): a send writes its message and one
 * `link_backlog` row, the scanner's queue; the backlog scan takes the rows in batches, scans
 * the links left pending, and writes the occurrences and sightings in the same transaction.
 * An API-only app: no worker scans behind the test's back, so every window between the send
 * and the scanner is held open on purpose.
 */
let t: TestApp;
let db: Db;
let scanner: LinkScannerService;

beforeAll(async () => {
  t = await startTestApp({ label: 'link_backlog', env: { APP_ROLES: 'api' } });
  db = t.app.get(Db);
  scanner = t.app.get(LinkScannerService);
});
afterAll(async () => {
  await t?.close();
});

async function pair(): Promise<{ a: TestUser; b: TestUser; conversationId: string }> {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
  const res = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(res.status).toBe(201);
  return { a, b, conversationId: res.body.id };
}

async function send(u: TestUser, conversationId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}

const cacheSafe = (url: string) =>
  db.query(
    `INSERT INTO link (id, url, host, verdict, reason, rule, sources, scanned_at, expires_at, seen_count)
     VALUES ($1, $2, $3, 'safe', $4, 'default', $5, now(), now() + interval '1 hour', 1)`,
    [newId(), url, new URL(url).hostname, SAFE_OFFLINE.reason, JSON.stringify(SAFE_OFFLINE.sources)],
  );
const occurrencesOf = (messageId: string) =>
  db.query('SELECT url, host, scanned_at IS NOT NULL AS scanned FROM link_occurrence WHERE message_id = $1 ORDER BY id', [messageId]);
const stateOf = async (messageId: string) => (await db.query('SELECT state, removed_reason FROM message WHERE id = $1', [messageId]))[0];

it('a send writes no occurrence and no sighting, one backlog row; the backlog scan settles the new link and writes both, stamped', async () => {
  const { a, conversationId } = await pair();
  await cacheSafe('https://known.backlog.example/a');
  const sent = await send(a, conversationId, 'https://known.backlog.example/a and https://new.backlog.example/b');
  expect(sent.links).toEqual([
    { url: 'https://known.backlog.example/a', verdict: 'safe', ...SAFE_OFFLINE },
    { url: 'https://new.backlog.example/b', verdict: 'pending' },
  ]);
  const plain = await send(a, conversationId, 'no link here');
  expect(await occurrencesOf(sent.id)).toEqual([]);
  expect(await db.query('SELECT message_id FROM link_backlog WHERE message_id = ANY($1::uuid[])', [[sent.id, plain.id]])).toEqual([
    { message_id: sent.id },
  ]);

  expect(await scanner.scanBacklog()).toBeGreaterThanOrEqual(1);
  expect(await occurrencesOf(sent.id)).toEqual([
    { url: 'https://known.backlog.example/a', host: 'known.backlog.example', scanned: true },
    { url: 'https://new.backlog.example/b', host: 'new.backlog.example', scanned: true },
  ]);
  expect(await db.query('SELECT count(*)::int AS n FROM link_backlog')).toEqual([{ n: 0 }]);
  expect(await db.query(`SELECT url, seen_count FROM link WHERE url LIKE 'https://%.backlog.example/_' ORDER BY url`)).toEqual([
    { url: 'https://known.backlog.example/a', seen_count: 2 },
    { url: 'https://new.backlog.example/b', seen_count: 1 },
  ]);
  const [stored] = await db.query('SELECT links FROM message WHERE id = $1', [sent.id]);
  expect(stored.links).toEqual([
    { url: 'https://known.backlog.example/a', verdict: 'safe', ...SAFE_OFFLINE },
    { url: 'https://new.backlog.example/b', verdict: 'safe', ...SAFE_OFFLINE },
  ]);
  // Its reader heard of the verdict (one conversation_event, the sender and the reader its
  // audience); a second scan (a retry) writes and emits nothing.
  const updates = () =>
    db
      .query(
        `SELECT count(*)::int AS n FROM conversation_event ce CROSS JOIN unnest(ce.audience) AS u(user_id)
          WHERE ce.message_id = $1 AND ce.type = 'message.updated'`,
        [sent.id],
      )
      .then((r) => r[0].n);
  const heard = await updates();
  expect(heard).toBe(2);
  expect(await scanner.scanMessage(sent.id)).toBe('unchanged');
  await scanner.scanBacklog();
  expect(await updates()).toBe(heard);
  expect(await db.query(`SELECT seen_count FROM link WHERE url = 'https://new.backlog.example/b'`)).toEqual([{ seen_count: 1 }]);
});

const seenOf = (conversationId: string, url: string) =>
  db.query('SELECT first_seq, last_seq, n, folded FROM link_seen WHERE conversation_id = $1 AND url = $2', [conversationId, url]);
const seenCount = async (url: string) => (await db.query('SELECT seen_count FROM link WHERE url = $1', [url]))[0].seen_count as number;

it('a send whose every link is cached writes no backlog row and no occurrence: one link_seen row counts it, folded into the link once', async () => {
  const { a, b, conversationId } = await pair();
  await scanner.scanBacklog();
  const url = 'https://cached-only.backlog.example/x';
  await cacheSafe(url);
  const first = await send(a, conversationId, `see ${url}`);
  await send(a, conversationId, 'no link here');
  const third = await send(a, conversationId, `again ${url} and ${url}`);
  expect(third.links).toEqual([{ url, verdict: 'safe', ...SAFE_OFFLINE }]); // a URL twice is one link
  expect(await db.query('SELECT count(*)::int AS n FROM link_backlog WHERE message_id = ANY($1::uuid[])', [[first.id, third.id]])).toEqual([
    { n: 0 },
  ]);
  // One row per conversation, sender and URL: the seq range of its messages, two sightings, none counted yet.
  expect(await seenOf(conversationId, url)).toEqual([{ first_seq: String(first.seq), last_seq: String(third.seq), n: 2, folded: 0 }]);
  expect(await seenCount(url)).toBe(1);
  // The other member's send is its own row.
  await send(b, conversationId, url);
  expect(await scanner.scanBacklog()).toBe(0);
  expect(await seenCount(url)).toBe(4);
  expect(await occurrencesOf(first.id)).toEqual([]);
  expect((await seenOf(conversationId, url))[0]).toMatchObject({ n: 2, folded: 2 });
  // Folded once: another fold counts nothing.
  expect(await scanner.foldSightings()).toBe(0);
  expect(await seenCount(url)).toBe(4);
  expect(await db.query('SELECT count(*)::int AS n FROM link_seen_dirty')).toEqual([{ n: 0 }]);
});

it('sightings counted while folds run alongside the sends: each counted exactly once', async () => {
  const { a, conversationId } = await pair();
  const url = 'https://fold-race.backlog.example/';
  await cacheSafe(url);
  await scanner.foldSightings(); // what earlier tests left
  let sending = true;
  const folds = (async () => {
    let n = 0;
    while (sending) n += await scanner.foldSightings();
    return n;
  })();
  const sends = [];
  for (let i = 0; i < 20; i++) sends.push(send(a, conversationId, `${url} #${i}`));
  await Promise.all(sends);
  sending = false;
  const counted = (await folds) + (await scanner.foldSightings());
  expect(counted).toBe(20);
  expect(await seenCount(url)).toBe(21);
  expect((await seenOf(conversationId, url))[0]).toMatchObject({ n: 20, folded: 20 });
});

it('a fold never waits on a row a send holds (no deadlock with a batch of sends): it gives its rows back at once and folds them when the row is free', async () => {
  const { a, conversationId } = await pair();
  const url = 'https://fold-yields.backlog.example/';
  await cacheSafe(url);
  await scanner.foldSightings(); // what earlier tests left
  await send(a, conversationId, `${url} 1`);
  // A transaction holding the sender's link_seen row, as a batch of a conversation's sends
  // does until it commits (and may next want a row the fold took first).
  const holder = new Client(t.db.url);
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM link_seen WHERE conversation_id = $1 AND url = $2 FOR NO KEY UPDATE', [conversationId, url]);
    const started = Date.now();
    expect(await scanner.foldSightings()).toBe(0);
    // Well under deadlock_timeout (1 s), the wait a deadlock would have cost the send.
    expect(Date.now() - started).toBeLessThan(900);
    expect(await db.query('SELECT count(*)::int AS n FROM link_seen_dirty WHERE conversation_id = $1', [conversationId])).toEqual([
      { n: 1 },
    ]);
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
  expect(await scanner.foldSightings()).toBe(1);
  expect((await seenOf(conversationId, url))[0]).toMatchObject({ n: 1, folded: 1 });
});

it('blocklisting a URL re-judges every message that carried it while its verdict was cached, in every conversation', async () => {
  const one = await pair();
  const two = await pair();
  const url = 'https://cached-then-bad.backlog.example/deal';
  await cacheSafe(url);
  const carried = [
    await send(one.a, one.conversationId, `deal ${url}`),
    await send(one.b, one.conversationId, `re: ${url}`),
    await send(two.a, two.conversationId, url),
  ];
  const between = await send(one.a, one.conversationId, 'nothing to see');
  carried.push(await send(one.a, one.conversationId, `still ${url}`));
  const other = await send(two.a, two.conversationId, 'https://other.backlog.example/');
  await scanner.scanBacklog();
  for (const m of carried) expect(await occurrencesOf(m.id)).toEqual([]);

  const staff = await loginStaff(t.url);
  // The preview counts them, and a staff reader of the link finds them (no occurrence row yet).
  const preview = await t
    .http()
    .get(`/admin/v1/blocklist/preview?pattern=${encodeURIComponent(url)}&kind=url`)
    .set(staff.auth);
  expect(preview.status).toBe(200);
  expect(preview.body.matches).toBe(4);
  const added = await t.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: url, kind: 'url' });
  expect(added.status).toBe(201);
  const pass = await scanner.rescanBlocklist(added.body.id, true);
  expect(pass.subjects).toBe(4);
  const [entry] = await db.query('SELECT rescan_total, rescan_done FROM blocklist_entry WHERE id = $1', [added.body.id]);
  expect(entry).toEqual({ rescan_total: 4, rescan_done: 4 });
  // Their occurrences now exist (stamped: the verdict came from the cache), one per message.
  for (const m of carried) expect(await occurrencesOf(m.id)).toEqual([{ url, host: 'cached-then-bad.backlog.example', scanned: true }]);
  expect(await scanner.scanMessages(carried.map((m) => m.id))).toEqual({ removed: 4 });
  for (const m of carried) expect(await stateOf(m.id)).toEqual({ state: 'removed', removed_reason: 'malicious_link' });
  expect(await stateOf(between.id)).toEqual({ state: 'visible', removed_reason: null });
  expect(await stateOf(other.id)).toEqual({ state: 'visible', removed_reason: null });
  // The follow-up pass finds nothing new to write.
  expect((await scanner.rescanBlocklist(added.body.id, false)).subjects).toBe(0);
});

it('a message scanned before the backlog scan (an edit, a retry) gets its occurrences already stamped and no second update', async () => {
  const { a, conversationId } = await pair();
  const sent = await send(a, conversationId, 'https://scanned-first.backlog.example/');
  expect(await scanner.scanMessage(sent.id)).toBe('updated');
  await scanner.scanBacklog();
  expect(await occurrencesOf(sent.id)).toEqual([
    { url: 'https://scanned-first.backlog.example/', host: 'scanned-first.backlog.example', scanned: true },
  ]);
});

it('a blocklist entry added between the send and the scanner still finds and removes the message (cached link and new link)', async () => {
  const { a, conversationId } = await pair();
  await cacheSafe('https://shop.window-bad.example/deal');
  const cached = await send(a, conversationId, 'deal at https://shop.window-bad.example/deal');
  expect(cached.links).toEqual([{ url: 'https://shop.window-bad.example/deal', verdict: 'safe', ...SAFE_OFFLINE }]);
  const fresh = await send(a, conversationId, 'and https://cdn.window-bad.example/new');
  expect(fresh.links).toEqual([{ url: 'https://cdn.window-bad.example/new', verdict: 'pending' }]);
  // Nothing has written their occurrences yet: the window is open.
  expect(await occurrencesOf(cached.id)).toEqual([]);

  const staff = await loginStaff(t.url);
  const preview = await t.http().get(`/admin/v1/blocklist/preview?pattern=window-bad.example&kind=domain`).set(staff.auth);
  expect(preview.status).toBe(200);
  expect(preview.body.matches).toBe(2);
  const added = await t.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: 'window-bad.example', kind: 'domain' });
  expect(added.status).toBe(201);

  // The re-scan job's first pass, run here (no worker in this app): it scans the backlog against
  // the list with the entry in it first (the new link is condemned and its message removed there),
  // then re-scans what matches (the cached link's message).
  const pass = await scanner.rescanBlocklist(added.body.id, true);
  expect(await stateOf(fresh.id)).toEqual({ state: 'removed', removed_reason: 'malicious_link' });
  expect(pass.subjects).toBe(1);
  expect(await db.query(`SELECT verdict, rule FROM link WHERE url = 'https://shop.window-bad.example/deal'`)).toEqual([
    { verdict: 'malicious', rule: 'blocklist' },
  ]);
  const [entry] = await db.query('SELECT rescan_total, rescan_done FROM blocklist_entry WHERE id = $1', [added.body.id]);
  expect(entry).toEqual({ rescan_total: 2, rescan_done: 2 });
  // The scan it enqueued removes the other.
  expect(await scanner.scanMessages([cached.id])).toEqual({ removed: 1 });
  expect(await stateOf(cached.id)).toEqual({ state: 'removed', removed_reason: 'malicious_link' });
  expect(await stateOf(fresh.id)).toEqual({ state: 'removed', removed_reason: 'malicious_link' });
});

it('a staff label re-scans messages still in the backlog', async () => {
  const { a, conversationId } = await pair();
  await cacheSafe('https://label.backlog.example/x');
  const sent = await send(a, conversationId, 'https://label.backlog.example/x');
  const staff = await loginStaff(t.url);
  const [link] = await db.query(`SELECT id FROM link WHERE url = 'https://label.backlog.example/x'`);
  const res = await t
    .http()
    .put(`/admin/v1/links/${link.id}`)
    .set(staff.auth)
    .send({ verdict: 'malicious', reason: 'staff_found_phishing' });
  expect(res.status).toBeLessThan(300);
  const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
  const job = await until("the label's scan job", async () =>
    (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).find((j) => JSON.stringify(j.data).includes(sent.id)),
  );
  expect(job).toBeDefined();
});

it('a send whose wake was lost (its process died after the commit) is scanned by the pending sweep', async () => {
  const { a, conversationId } = await pair();
  const sent = await send(a, conversationId, 'https://lost.backlog.example/');
  await scanner.sweepPending(0);
  expect(await occurrencesOf(sent.id)).toEqual([{ url: 'https://lost.backlog.example/', host: 'lost.backlog.example', scanned: true }]);
  expect((await db.query('SELECT links FROM message WHERE id = $1', [sent.id]))[0].links).toEqual([
    { url: 'https://lost.backlog.example/', verdict: 'safe', ...SAFE_OFFLINE },
  ]);
});

it('an occurrence left unscanned while an overlapping scan settled its message is stamped by the pending sweep', async () => {
  const { a, conversationId } = await pair();
  const sent = await send(a, conversationId, 'https://overlap.backlog.example/');
  // As an overlap leaves it: the backlog scan read the link pending, the other scan's stamp did not see the occurrence.
  await db.query(
    `INSERT INTO link_occurrence (url, host, message_id, conversation_id) VALUES ('https://overlap.backlog.example/', 'overlap.backlog.example', $1, $2)`,
    [sent.id, conversationId],
  );
  await db.query(`DELETE FROM link_backlog WHERE message_id = $1`, [sent.id]);
  await db.query(`UPDATE message SET links = '[{"url": "https://overlap.backlog.example/", "verdict": "safe"}]' WHERE id = $1`, [sent.id]);
  await scanner.sweepPending(3600);
  expect(await occurrencesOf(sent.id)).toEqual([
    { url: 'https://overlap.backlog.example/', host: 'overlap.backlog.example', scanned: true },
  ]);
});

it('a backlog scan that waits (the blocklist re-scan) waits for rows another scanner holds, then goes on to every other row', async () => {
  const { a, conversationId } = await pair();
  await scanner.scanBacklog();
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push(await send(a, conversationId, `https://wait${i}.backlog.example/`));
  let taken!: () => void;
  const tookIt = new Promise<void>((r) => (taken = r));
  // Another scanner: it holds the row a scan of the backlog finds first, and commits later.
  const other = db.tx(async (q) => {
    const [first] = await q.query('SELECT ctid::text AS c FROM link_backlog LIMIT 1 FOR UPDATE');
    await q.query('DELETE FROM link_backlog WHERE ctid = $1::tid', [first.c]);
    taken();
    await new Promise((r) => setTimeout(r, 500));
  });
  await tookIt;
  let otherCommitted = false;
  void other.then(() => (otherCommitted = true));
  const flushed = scanner.scanBacklog({ wait: true, batch: 1 }).then((n) => ({ n, otherCommitted }));
  await other;
  // It waited for the other scanner's commit (whose occurrences the re-scan then reads), and took the rest.
  expect(await flushed).toEqual({ n: 2, otherCommitted: true });
  expect(await db.query('SELECT count(*)::int AS n FROM link_backlog')).toEqual([{ n: 0 }]);
  const written = await db.query('SELECT count(*)::int AS n FROM link_occurrence WHERE message_id = ANY($1::uuid[])', [
    sent.map((m) => m.id),
  ]);
  expect(written).toEqual([{ n: 2 }]);
});

it('two scanner processes on one backlog scan each send once: one verdict write, one message.updated per reader, one occurrence each', async () => {
  const second = await startTestApp({
    label: 'link_backlog_second',
    db: t.db,
    redisPrefix: t.config.redisPrefix,
    env: { APP_ROLES: 'api' },
  });
  try {
    const { a, conversationId } = await pair();
    await scanner.scanBacklog();
    const sent = [];
    for (let i = 0; i < 12; i++)
      sent.push(await send(a, conversationId, `https://race${i}.backlog.example/ and https://race-shared.backlog.example/`));
    const ids = sent.map((m) => m.id);
    // Both processes, several batches each at once (batch 3: each claims, skips what the other holds, claims again).
    const taken = await Promise.all([scanner.scanBacklog({ batch: 3 }), second.app.get(LinkScannerService).scanBacklog({ batch: 3 })]);
    expect(taken[0] + taken[1]).toBe(12);
    const stored = await db.query(`SELECT links FROM message WHERE id = ANY($1::uuid[])`, [ids]);
    expect(stored.flatMap((m: { links: Array<{ verdict: string }> }) => m.links.map((l) => l.verdict))).toEqual(Array(24).fill('safe'));
    const [updated] = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT (u.user_id, ce.message_id))::int AS distinct_n
         FROM conversation_event ce CROSS JOIN unnest(ce.audience) AS u(user_id)
        WHERE ce.message_id = ANY($1::uuid[]) AND ce.type = 'message.updated'`,
      [ids],
    );
    expect(updated).toEqual({ n: 24, distinct_n: 24 }); // the sender and the reader, once per message
    const [occ] = await db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE scanned_at IS NULL)::int AS unscanned FROM link_occurrence WHERE message_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(occ).toEqual({ n: 24, unscanned: 0 });
    // Each URL seen as often as it was sent, whichever process counted it.
    expect(await db.query(`SELECT seen_count FROM link WHERE url = 'https://race-shared.backlog.example/'`)).toEqual([{ seen_count: 12 }]);
  } finally {
    await second.close();
  }
});

it('an API-only process wakes the workers with a scan-backlog job added after the send, one per burst', async () => {
  const { a, conversationId } = await pair();
  const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
  const before = (await queue.getJobs(['waiting'])).filter((j) => j.name === JobName.ScanBacklog).length;
  for (let i = 0; i < 5; i++) await send(a, conversationId, `https://wake${i}.backlog.example/`);
  const after = await until('the wake jobs', async () => {
    const n = (await queue.getJobs(['waiting'])).filter((j) => j.name === JobName.ScanBacklog).length;
    return n > before ? n : undefined;
  });
  // Throttled: at most one per WAKE_JOB_MS plus the trailing one, not one per send.
  expect(after - before).toBeGreaterThanOrEqual(1);
  expect(after - before).toBeLessThanOrEqual(5);
  // What the job runs: the whole backlog.
  expect(await scanner.scanBacklog()).toBeGreaterThanOrEqual(5);
});

it('an edit that commits while the backlog scan of its message waits on the message leaves one occurrence per link and one verdict', async () => {
  const { a, b, conversationId } = await pair();
  await scanner.scanBacklog();
  const url = 'https://edited-while-queued.backlog.example/';
  const sent = await send(a, conversationId, `look ${url}`);
  expect(sent.links).toEqual([{ url, verdict: 'pending' }]);
  const holder = new Client({ connectionString: t.db.url });
  const observer = new Client({ connectionString: t.db.url });
  await Promise.all([holder.connect(), observer.connect()]);
  const lockWaiters = async () =>
    (
      await observer.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`,
      )
    ).rows[0].n as number;
  try {
    // The message row is held, so the edit (which locks it first) and then the backlog scan
    // (whose statement locks it to settle the verdict) both queue behind it, in that order.
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM message WHERE id = $1 FOR UPDATE', [sent.id]);
    const edit = t
      .http()
      .patch(`/v1/conversations/${conversationId}/messages/${sent.id}`)
      .set(a.auth)
      .send({ text: `look again ${url}` });
    const edited = edit.then((r) => r);
    await until('the edit waiting on the message', async () => (await lockWaiters()) >= 1);
    const scanned = scanner.scanBacklog();
    await until('the backlog scan waiting on the message', async () => (await lockWaiters()) >= 2);
    await holder.query('ROLLBACK');
    expect((await edited).status).toBe(200);
    await scanned;
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await Promise.all([holder.end(), observer.end()]);
  }
  // The edit's scan job (no worker in this app) and the pending sweep settle what is left.
  await scanner.scanMessage(sent.id);
  await scanner.sweepPending(3600);
  expect(await occurrencesOf(sent.id)).toEqual([{ url, host: 'edited-while-queued.backlog.example', scanned: true }]);
  expect(await db.query('SELECT count(*)::int AS n FROM link_backlog WHERE message_id = $1', [sent.id])).toEqual([{ n: 0 }]);
  const [stored] = await db.query('SELECT text, links FROM message WHERE id = $1', [sent.id]);
  expect(stored.text).toBe(`look again ${url}`);
  expect(stored.links).toEqual([{ url, verdict: 'safe', ...SAFE_OFFLINE }]);
  // One verdict: the reader heard the edit and then the link's verdict once.
  const updates = await db.query(
    `SELECT count(*)::int AS n FROM conversation_event ce WHERE ce.message_id = $1 AND ce.type = 'message.updated' AND $2::uuid = ANY (ce.audience)`,
    [sent.id, b.id],
  );
  expect(updates).toEqual([{ n: 2 }]);
});
