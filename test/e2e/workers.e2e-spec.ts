import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { LinkScannerService } from '@app/messaging/links/link-scanner.service';
import { JobsService, safeJobId } from '@app/messaging/queues.module';
import { OutboxRelay } from '@app/messaging/events/outbox-relay';
import { JobName, QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, type TestUser } from '../support/factories';
import { until } from '../support/wait';
import { singleRedis } from '../support/projects';
import { OFFLINE_SOURCES, SAFE_OFFLINE } from '../support/link-verdicts';

let t: TestApp;
let db: Db;

const BLOCKED_DOMAIN = 'phish-kit.com';
const BLOCKED_URL = 'https://docs.example.net/share/evil-form';

beforeAll(async () => {
  // A 1 s sweep so the "lost job" case resolves within the test's patience.
  t = await startTestApp({ label: 'workers', env: { LINK_PENDING_SWEEP_SECONDS: '1' } });
  db = t.app.get(Db);
  // Entries exist before the first scan loads the blocklist cache.
  await db.query(
    `INSERT INTO blocklist_entry (id, pattern, kind, reason) VALUES ($1, $2, 'domain', 'phishing kit'), ($3, $4, 'url', 'credential form')`,
    [newId(), BLOCKED_DOMAIN, newId(), BLOCKED_URL],
  );
});
afterAll(async () => {
  await t?.close();
});

/** A direct conversation in which `b` follows `a`, so both are active members. */
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

const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) => (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth)).body.events as any[];

async function messageOf(u: TestUser, conversationId: string, messageId: string) {
  const res = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(u.auth);
  return (res.body.items as any[]).find((m) => m.id === messageId);
}

const scanned = (m: any) => m && (m.state === 'removed' || m.links.every((l: any) => l.verdict !== 'pending')) && m;

describe('link scanning', () => {
  it('plain links become safe within seconds and every member gets message.updated with the verdicts', async () => {
    const { a, b, conversationId } = await pair();
    const [ca, cb] = [await head(a), await head(b)];
    const sent = await send(a, conversationId, 'notes at https://example.com/notes and example.org/agenda');
    expect(sent.links).toEqual([
      { url: 'https://example.com/notes', verdict: 'pending' },
      { url: 'http://example.org/agenda', verdict: 'pending' },
    ]);

    const m = await until('verdicts', async () => scanned(await messageOf(b, conversationId, sent.id)));
    expect(m.links).toEqual([
      { url: 'https://example.com/notes', verdict: 'safe', ...SAFE_OFFLINE },
      { url: 'http://example.org/agenda', verdict: 'safe', ...SAFE_OFFLINE },
    ]);
    expect(m.state).toBe('visible');
    for (const [u, c] of [
      [a, ca],
      [b, cb],
    ] as const) {
      const updates = await until('message.updated', async () => {
        const evs = (await syncFrom(u, c)).filter((e) => e.type === 'message.updated' && e.message.id === sent.id);
        return evs.length ? evs : null;
      });
      expect(updates).toHaveLength(1);
      expect(updates[0].message.links.map((l: any) => l.verdict)).toEqual(['safe', 'safe']);
    }
    const cache = await db.query(
      `SELECT url, verdict, rule, seen_count, expires_at > now() AS fresh FROM link WHERE url = ANY($1) ORDER BY url`,
      [['https://example.com/notes', 'http://example.org/agenda']],
    );
    expect(cache).toEqual([
      { url: 'http://example.org/agenda', verdict: 'safe', rule: 'default', seen_count: 1, fresh: true },
      { url: 'https://example.com/notes', verdict: 'safe', rule: 'default', seen_count: 1, fresh: true },
    ]);
    const pending = await db.query('SELECT count(*)::int AS n FROM link_occurrence WHERE message_id = $1 AND scanned_at IS NULL', [
      sent.id,
    ]);
    expect(pending[0].n).toBe(0);
  });

  singleRedis.it('every heuristic marks its link suspicious with its reason, and the message stays visible', async () => {
    const { a, b, conversationId } = await pair();
    const cases: Array<[string, string]> = [
      ['http://3232235777/', 'ip_literal'], // decimal IPv4
      ['http://0177.0.0.1/', 'ip_literal'], // octal IPv4
      ['http://0x0A.0x00.0x00.0x01/', 'ip_literal'], // hex IPv4
      ['http://[::ffff:192.168.0.1]/', 'ip_literal'], // IPv6-mapped IPv4
      ['http://admin:hunter2@example.com/', 'credentials_in_url'],
      ['https://xn--pypal-4ve.com/login', 'brand_lookalike'], // pаypal with a Cyrillic а
      ['https://xn--tst-shop-c8g.com/', 'punycode_mixed_script'], // tеst-shop with a Cyrillic е: mixed, imitates no brand
      ['https://bit.ly/3xYz', 'url_shortener'],
      ['ftp://files.example.com/setup.exe', 'non_http_scheme'],
      [`https://${'a'.repeat(60)}.${'b'.repeat(50)}.com/`, 'long_host'],
      ['https://a.b.c.d.e.example.com/', 'deep_subdomains'],
    ];
    const sent = await send(a, conversationId, `look: ${cases.map(([u]) => u).join(' ')}`);
    expect(sent.links).toHaveLength(cases.length);

    const m = await until('verdicts', async () => scanned(await messageOf(b, conversationId, sent.id)));
    expect(m.state).toBe('visible');
    expect(m.links.map((l: any) => [l.verdict, l.reason])).toEqual(cases.map(([, reason]) => ['suspicious', reason]));
  });

  it('a link on a subdomain of a blocklisted domain removes the message for everyone, notifies the sender and opens one system report', async () => {
    const { a, b, conversationId } = await pair();
    const [ca, cb] = [await head(a), await head(b)];
    const sent = await send(a, conversationId, `free gift at https://login.secure.${BLOCKED_DOMAIN}/claim and https://example.com/ok`);

    const m = await until('removal', async () => scanned(await messageOf(b, conversationId, sent.id)));
    expect(m).toMatchObject({ id: sent.id, state: 'removed', removedReason: 'malicious_link', text: null, links: [] });
    expect((await messageOf(a, conversationId, sent.id)).state).toBe('removed');

    const removedFor = async (u: TestUser, c: string) =>
      until('removal event', async () =>
        (await syncFrom(u, c)).find((e) => e.type === 'message.updated' && e.message.id === sent.id && e.message.state === 'removed'),
      );
    expect((await removedFor(b, cb)).message).toMatchObject({ removedReason: 'malicious_link', text: null, links: [] });
    await removedFor(a, ca);

    const notice = await until('notice', async () => (await syncFrom(a, ca)).find((e) => e.type === 'notice.created'));
    expect(notice.notice).toMatchObject({
      kind: 'content_removed',
      data: { subjectType: 'message', subjectId: sent.id, reason: 'malicious_link' },
    });
    expect((await syncFrom(b, cb)).some((e) => e.type === 'notice.created')).toBe(false);

    const reports = await db.query(
      `SELECT subject_type, subject_user_id, source, reason, status, reporter_id, evidence FROM report WHERE subject_id = $1`,
      [sent.id],
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      subject_type: 'message',
      subject_user_id: a.id,
      source: 'system',
      reason: 'scam',
      status: 'open',
      reporter_id: null,
    });
    // The evidence keeps what the removal blanked: the text and the verdicts.
    const frozen = reports[0].evidence.messages.find((x: any) => x.id === sent.id);
    expect(frozen).toMatchObject({ senderId: a.id, text: expect.stringContaining('free gift') });
    expect(frozen.links).toEqual([
      expect.objectContaining({ url: `https://login.secure.${BLOCKED_DOMAIN}/claim`, verdict: 'malicious', reason: 'blocklisted_domain' }),
      expect.objectContaining({ url: 'https://example.com/ok', verdict: 'safe' }),
    ]);
  });

  singleRedis.it('an exact blocklisted URL is malicious, while another path on the same host is safe', async () => {
    const { a, b, conversationId } = await pair();
    const bad = await send(a, conversationId, `fill in ${BLOCKED_URL}`);
    const fine = await send(a, conversationId, 'see https://docs.example.net/share/agenda');
    expect((await until('bad', async () => scanned(await messageOf(b, conversationId, bad.id)))).removedReason).toBe('malicious_link');
    expect((await until('fine', async () => scanned(await messageOf(b, conversationId, fine.id)))).links[0].verdict).toBe('safe');
  });

  it('a scan run twice at once, 20 rounds: exactly one writes the verdict, and each member gets exactly one message.updated', async () => {
    const { a, b, conversationId } = await pair();
    const scanner = t.app.get(LinkScannerService);
    for (let round = 0; round < 20; round++) {
      const url = `https://twice-${round}.example.com/`;
      // Written as the send does it, but with no job: the scans below are the only ones.
      const id = newId();
      await db.tx(async (q) => {
        await q.query('UPDATE conversation SET last_seq = last_seq + 1 WHERE id = $1', [conversationId]);
        await q.query(
          `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links)
           SELECT $1, $2, last_seq, $3, $5, $6, $4::jsonb FROM conversation WHERE id = $2`,
          [id, conversationId, a.id, JSON.stringify([{ url, verdict: 'pending' }]), `twice-${round}`, `see ${url}`],
        );
        await q.query(`INSERT INTO link_occurrence (url, host, message_id, conversation_id) VALUES ($1, $2, $3, $4)`, [
          url,
          new URL(url).host,
          id,
          conversationId,
        ]);
      });
      const cb = await head(b);
      const outcomes = await Promise.all([scanner.scanMessage(id), scanner.scanMessage(id)]);
      expect({ round, outcomes: outcomes.sort() }).toEqual({ round, outcomes: ['unchanged', 'updated'] });
      expect(await scanner.scanMessage(id)).toBe('unchanged');
      const [link] = await db.query(`SELECT verdict, seen_count FROM link WHERE url = $1`, [url]);
      expect(link).toEqual({ verdict: 'safe', seen_count: 1 });
      // Events are written in the scan's own transaction: once scanMessage returned, sync has them.
      const updates = (await syncFrom(b, cb)).filter((e) => e.type === 'message.updated' && e.message.id === id);
      expect({ round, updates: updates.length }).toEqual({ round, updates: 1 });
    }
  });

  it('the same job delivered twice through the queue changes nothing the second time', async () => {
    const { a, b, conversationId } = await pair();
    const sent = await send(a, conversationId, 'https://redelivered.example.com/');
    await until('first scan', async () => scanned(await messageOf(b, conversationId, sent.id)));
    const cb = await head(b);
    const [before] = await db.query(`SELECT seen_count, scanned_at FROM link WHERE url = 'https://redelivered.example.com/'`);

    const jobs = t.app.get(JobsService);
    await jobs.enqueue([{ name: JobName.ScanMessage, data: { messageId: sent.id }, jobId: `again-${sent.id}` }]);
    const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
    const job = await until('redelivered job done', async () => {
      const j = await queue.getJob(`again-${sent.id}`);
      return j?.finishedOn ? j : null;
    });
    expect(job.returnvalue).toBe('unchanged');
    const [after] = await db.query(`SELECT seen_count, scanned_at FROM link WHERE url = 'https://redelivered.example.com/'`);
    expect(after).toEqual(before);
    expect((await syncFrom(b, cb)).filter((e) => e.message?.id === sent.id)).toEqual([]);
  });

  it('a scan-messages job scans many messages together: plain ones become safe (one message.updated each), a malicious one is removed and reported, a deleted one is gone; run again, it changes nothing', async () => {
    const { a, b, conversationId } = await pair();
    // Written as the send does it, but with no job: the batch below is the only scan.
    const store = async (tag: string, url: string) => {
      const id = newId();
      await db.tx(async (q) => {
        await q.query('UPDATE conversation SET last_seq = last_seq + 1 WHERE id = $1', [conversationId]);
        await q.query(
          `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links)
           SELECT $1, $2, last_seq, $3, $5, $6, $4::jsonb FROM conversation WHERE id = $2`,
          [id, conversationId, a.id, JSON.stringify([{ url, verdict: 'pending' }]), tag, `see ${url}`],
        );
        await q.query(`INSERT INTO link_occurrence (url, host, message_id, conversation_id) VALUES ($1, $2, $3, $4)`, [
          url,
          new URL(url).host,
          id,
          conversationId,
        ]);
      });
      return id;
    };
    const shared = 'https://batch-shared.example.com/page';
    const one = await store('batch-1', shared);
    const two = await store('batch-2', shared);
    const other = await store('batch-3', 'https://batch-other.example.org/');
    const bad = await store('batch-bad', `https://login.${BLOCKED_DOMAIN}/batch`);
    const gone = newId();
    const cb = await head(b);

    await t.app
      .get(JobsService)
      .enqueue([{ name: JobName.ScanMessages, data: { messageIds: [one, two, other, bad, gone] }, jobId: `batch-${one}` }]);
    const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
    const job = await until('batch job done', async () => {
      const j = await queue.getJob(`batch-${one}`);
      return j?.finishedOn ? j : null;
    });
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toEqual({ updated: 3, removed: 1, gone: 1 });

    for (const id of [one, two])
      expect((await messageOf(b, conversationId, id)).links).toEqual([{ url: shared, verdict: 'safe', ...SAFE_OFFLINE }]);
    expect((await messageOf(b, conversationId, other)).links).toEqual([
      { url: 'https://batch-other.example.org/', verdict: 'safe', ...SAFE_OFFLINE },
    ]);
    expect(await messageOf(b, conversationId, bad)).toMatchObject({ state: 'removed', removedReason: 'malicious_link', links: [] });
    expect(await db.query(`SELECT source FROM report WHERE subject_id = $1`, [bad])).toEqual([{ source: 'system' }]);
    // Two first sightings of the shared URL in one statement count twice.
    expect(await db.query(`SELECT verdict, seen_count FROM link WHERE url = $1`, [shared])).toEqual([{ verdict: 'safe', seen_count: 2 }]);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM link_occurrence WHERE message_id = ANY($1::uuid[]) AND scanned_at IS NULL`, [
        [one, two, other, bad],
      ]),
    ).toEqual([{ n: 0 }]);
    const updates = (await syncFrom(b, cb)).filter((e) => e.type === 'message.updated');
    expect(updates.map((e) => e.message.id).sort()).toEqual([one, two, other, bad].sort());

    // Idempotent: the same messages again write nothing and tell nobody.
    const cb2 = await head(b);
    expect(await t.app.get(LinkScannerService).scanMessages([one, two, other, bad, gone])).toEqual({ unchanged: 3, skipped: 1, gone: 1 });
    expect(await db.query(`SELECT seen_count FROM link WHERE url = $1`, [shared])).toEqual([{ seen_count: 2 }]);
    expect(await syncFrom(b, cb2)).toEqual([]);
  });

  singleRedis.it('a message whose scan job was lost is picked up by the pending-link sweep', async () => {
    const { a, b, conversationId } = await pair();
    const id = newId();
    await db.tx(async (q) => {
      await q.query('UPDATE conversation SET last_seq = last_seq + 1 WHERE id = $1', [conversationId]);
      await q.query(
        `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links)
         SELECT $1, $2, last_seq, $3, 'lost', 'https://lost-job.example.com/', $4::jsonb FROM conversation WHERE id = $2`,
        [id, conversationId, a.id, JSON.stringify([{ url: 'https://lost-job.example.com/', verdict: 'pending' }])],
      );
      await q.query(
        `INSERT INTO link_occurrence (url, host, message_id, conversation_id) VALUES ('https://lost-job.example.com/', 'lost-job.example.com', $1, $2)`,
        [id, conversationId],
      );
    });
    const m = await until('sweep', async () => scanned(await messageOf(b, conversationId, id)), 15_000);
    expect(m.links).toEqual([{ url: 'https://lost-job.example.com/', verdict: 'safe', ...SAFE_OFFLINE }]);
    const [occ] = await db.query('SELECT scanned_at FROM link_occurrence WHERE message_id = $1', [id]);
    expect(occ.scanned_at).not.toBeNull();
  });

  singleRedis.it(
    'a new blocklist entry (staff route) re-scans links seen in the last 7 days and removes the messages that now match, older ones stay',
    async () => {
      const { a, b, conversationId } = await pair();
      const recent = await send(a, conversationId, 'https://cdn.turned-bad.com/file');
      await until('recent scanned', async () => scanned(await messageOf(b, conversationId, recent.id)));
      const old = await send(a, conversationId, 'https://www.turned-bad.com/old');
      await until('old scanned', async () => scanned(await messageOf(b, conversationId, old.id)));
      // Its occurrence is written by the scanner after the send (the backlog flush): age it once it is there.
      await until(
        'old occurrence written',
        async () => (await db.query(`SELECT 1 FROM link_occurrence WHERE message_id = $1`, [old.id]))[0],
      );
      await db.query(`UPDATE link_occurrence SET created_at = now() - interval '8 days' WHERE message_id = $1`, [old.id]);
      await db.query(`UPDATE link SET last_seen_at = now() - interval '8 days' WHERE url = 'https://www.turned-bad.com/old'`);
      expect((await messageOf(b, conversationId, recent.id)).links[0].verdict).toBe('safe');

      const staff = await loginStaff(t.url);
      const added = await t
        .http()
        .post('/admin/v1/blocklist')
        .set(staff.auth)
        .send({ pattern: 'turned-bad.com', kind: 'domain', reason: 'now hosting malware' });
      expect(added.status).toBe(201);

      const m = await until('rescan removal', async () => {
        const x = await messageOf(b, conversationId, recent.id);
        return x.state === 'removed' && x;
      });
      expect(m.removedReason).toBe('malicious_link');
      const [link] = await db.query(`SELECT verdict, reason, rule FROM link WHERE url = 'https://cdn.turned-bad.com/file'`);
      expect(link).toEqual({ verdict: 'malicious', reason: 'blocklisted_domain', rule: 'blocklist' });
      expect((await messageOf(b, conversationId, old.id)).state).toBe('visible');
      const reports = await db.query(`SELECT source FROM report WHERE subject_id = $1`, [recent.id]);
      expect(reports).toEqual([{ source: 'system' }]);
    },
  );

  singleRedis.it(
    'a link whose verdict is cached and fresh is settled inside the send: verdict at once, no scan job, no message.updated, no occurrence, the sighting counted by the fold',
    async () => {
      const { a, b, conversationId } = await pair();
      const first = await send(a, conversationId, 'see https://known-verdict.example.com/page');
      await until('first scan', async () => scanned(await messageOf(b, conversationId, first.id)));
      const cb = await head(b);

      const second = await send(a, conversationId, 'again https://known-verdict.example.com/page');
      expect(second.links).toEqual([{ url: 'https://known-verdict.example.com/page', verdict: 'safe', ...SAFE_OFFLINE }]);
      // No backlog row and no occurrence: its sighting is its sender's link_seen row in this
      // conversation (readers find the message from its seq range), counted by the fold.
      expect(await db.query('SELECT count(*)::int AS n FROM link_backlog WHERE message_id = $1', [second.id])).toEqual([{ n: 0 }]);
      expect(await db.query('SELECT count(*)::int AS n FROM link_occurrence WHERE message_id = $1', [second.id])).toEqual([{ n: 0 }]);
      expect(
        await db.query('SELECT first_seq, last_seq, n FROM link_seen WHERE conversation_id = $1 AND url = $2', [
          conversationId,
          'https://known-verdict.example.com/page',
        ]),
      ).toEqual([{ first_seq: String(second.seq), last_seq: String(second.seq), n: 1 }]);
      await t.app.get(OutboxRelay).flush();
      const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
      expect(await queue.getJob(safeJobId(`scan-message-${second.id}`))).toBeUndefined();
      // A later message with an unknown link is scanned after it: by then any update of the second would be there too.
      const later = await send(a, conversationId, 'https://unknown-later.example.com/');
      await until('later scan', async () => scanned(await messageOf(b, conversationId, later.id)));
      const evs = (await syncFrom(b, cb)).filter((e) => e.message?.id === second.id);
      expect(evs.map((e) => [e.type, e.message.links])).toEqual([
        ['message.created', [{ url: 'https://known-verdict.example.com/page', verdict: 'safe', ...SAFE_OFFLINE }]],
      ]);

      const sightings = await until('sighting counted', async () => {
        const [l] = await db.query(`SELECT seen_count FROM link WHERE url = 'https://known-verdict.example.com/page'`);
        return l.seen_count === 2 ? l : null;
      });
      expect(sightings).toEqual({ seen_count: 2 });
    },
  );

  singleRedis.it(
    'a message with a known and an unknown link: the known one is settled in the send, the scan settles the other',
    async () => {
      const { a, b, conversationId } = await pair();
      const first = await send(a, conversationId, 'https://mixed-known.example.com/');
      await until('first scan', async () => scanned(await messageOf(b, conversationId, first.id)));
      const sent = await send(a, conversationId, 'https://mixed-known.example.com/ and https://bit.ly/mixed-new');
      expect(sent.links).toEqual([
        { url: 'https://mixed-known.example.com/', verdict: 'safe', ...SAFE_OFFLINE },
        { url: 'https://bit.ly/mixed-new', verdict: 'pending' },
      ]);
      const m = await until('scan', async () => scanned(await messageOf(b, conversationId, sent.id)));
      expect(m.links).toEqual([
        { url: 'https://mixed-known.example.com/', verdict: 'safe', ...SAFE_OFFLINE },
        { url: 'https://bit.ly/mixed-new', verdict: 'suspicious', reason: 'url_shortener', sources: OFFLINE_SOURCES },
      ]);
    },
  );

  singleRedis.it(
    'a cached safe verdict does not outlive a blocklist entry: the send leaves the link pending and the scan removes the message',
    async () => {
      const { a, b, conversationId } = await pair();
      await db.query(
        `INSERT INTO link (id, url, host, verdict, rule, scanned_at, expires_at) VALUES ($1, 'https://cached.phish-kit.com/login', 'cached.phish-kit.com', 'safe', 'default', now(), now() + interval '1 hour')`,
        [newId()],
      );
      const sent = await send(a, conversationId, 'https://cached.phish-kit.com/login');
      expect(sent.links).toEqual([{ url: 'https://cached.phish-kit.com/login', verdict: 'pending' }]);
      const m = await until('removal', async () => scanned(await messageOf(b, conversationId, sent.id)));
      expect(m.removedReason).toBe('malicious_link');
    },
  );

  singleRedis.it('a staff override of a verdict beats the rules', async () => {
    const { a, b, conversationId } = await pair();
    await db.query(
      `INSERT INTO link (id, url, host, verdict, reason, rule, sources, overridden, scanned_at)
       VALUES ($1, 'https://bit.ly/company-handbook', 'bit.ly', 'safe', NULL, 'override', '["staff"]', true, now())`,
      [newId()],
    );
    const sent = await send(a, conversationId, 'https://bit.ly/company-handbook');
    const m = await until('verdict', async () => scanned(await messageOf(b, conversationId, sent.id)));
    expect(m.links).toEqual([{ url: 'https://bit.ly/company-handbook', verdict: 'safe', sources: ['staff'] }]);
  });

  singleRedis.it('questions are scanned too: a malicious link removes the question and reports it, a plain one becomes safe', async () => {
    const host = await registerUser(t.url);
    const asker = await registerUser(t.url);
    const room = (await t.http().post('/v1/rooms').set(host.auth).send({ title: 'Links AMA' })).body;
    expect((await t.http().post(`/v1/rooms/${room.id}/join`).set(asker.auth)).status).toBe(200);
    const plain = (
      await t.http().post(`/v1/rooms/${room.id}/questions`).set(asker.auth).send({ text: 'thoughts on https://example.com/post ?' })
    ).body;
    const bad = (
      await t
        .http()
        .post(`/v1/rooms/${room.id}/questions`)
        .set(asker.auth)
        .send({ text: `win at https://x.${BLOCKED_DOMAIN}/` })
    ).body;
    const questionOf = async (id: string) =>
      ((await t.http().get(`/v1/rooms/${room.id}/questions`).set(host.auth)).body.items as any[]).find((q) => q.id === id);

    const p = await until('plain question', async () => scanned(await questionOf(plain.id)));
    expect(p.links).toEqual([{ url: 'https://example.com/post', verdict: 'safe', ...SAFE_OFFLINE }]);
    const r = await until('bad question', async () => scanned(await questionOf(bad.id)));
    expect(r).toMatchObject({ state: 'removed', removedReason: 'malicious_link', text: null, links: [] });
    const reports = await db.query(`SELECT subject_type, source, reason, subject_user_id FROM report WHERE subject_id = $1`, [bad.id]);
    expect(reports).toEqual([{ subject_type: 'question', source: 'system', reason: 'scam', subject_user_id: asker.id }]);
    const notices = await db.query(`SELECT kind FROM notice WHERE user_id = $1`, [asker.id]);
    expect(notices).toEqual([{ kind: 'content_removed' }]);
  });
});

describe('queues', () => {
  it('exposes queue depth per queue and state on /metrics', async () => {
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/bullmq_queue_jobs\{queue="link-scan",state="completed"\} [1-9]\d*/);
    expect(res.text).toMatch(/bullmq_queue_jobs\{queue="spam-score",state="waiting"\} \d+/);
  });

  it('the worker role registers its job schedulers (pending-link sweep, outbox sweep, event pruning, retained-text purge, held-link release, expired-export purge)', async () => {
    const ids = new Set<string>();
    for (const name of [QueueName.LinkScan, QueueName.Maintenance]) {
      const queue = t.app.get<Queue>(getQueueToken(name), { strict: false });
      for (const s of await queue.getJobSchedulers()) ids.add(String(s.key ?? s.name));
    }
    expect([...ids].sort()).toEqual(
      [
        JobName.PruneEvents,
        JobName.PurgeRetainedMessages,
        JobName.ReleaseHeldLinks,
        JobName.SweepOutbox,
        JobName.SweepPendingLinks,
        JobName.PurgeExpiredExports,
      ].sort(),
    );
  });

  singleRedis.it('a scan-messages job with a malformed id list fails for good', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
    const job = await queue.add(JobName.ScanMessages, { messageIds: [newId(), 'not-a-uuid'] }, { jobId: 'malformed-batch-1' });
    const done = await until('failed', async () => {
      const j = await queue.getJob(job.id!);
      return j?.finishedOn ? j : null;
    });
    expect(await done.isFailed()).toBe(true);
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/messageIds must be 1 to 1000 UUIDs/);
  });

  singleRedis.it('a malformed job payload fails for good instead of being retried', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.LinkScan), { strict: false });
    const job = await queue.add(JobName.ScanMessage, { messageId: 'not-a-uuid' }, { jobId: 'malformed-1' });
    const done = await until('failed', async () => {
      const j = await queue.getJob(job.id!);
      return j?.finishedOn ? j : null;
    });
    expect(await done.isFailed()).toBe(true);
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/messageId must be a UUID/);
  });
});
