import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { getQueueToken } from '@nestjs/bullmq';
import { Db } from '@app/messaging/db/db.service';
import { ExportsService } from '@app/messaging/exports/exports.service';
import { JobName, QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { expectContract, expectError } from '../support/contract';
import { registerUser, type TestUser } from '../support/factories';
import { raceRounds } from '../support/race';
import { until } from '../support/wait';

/**
 * Your data: export (API.md v1.2, issue #31). `POST /v1/me/export` → 202 pending; a job writes
 * the archive; `GET /v1/me/export/:id` gives its status and, once ready, `url`; the owner
 * downloads `{profile, settings, follows, blocks, conversations, reports, notices}`; anyone
 * else gets 404. The archive holds every message I sent, what I read where I am a member (a
 * pending request: no more than the request cap lets me read), and a left conversation up to
 * when I left, each message as the lists show it. One export a day (429 with Retry-After,
 * race-safe); archives expire after 7 days and the maintenance sweep deletes them.
 */

let t: TestApp;
let db: Db;
beforeAll(async () => {
  t = await startTestApp({ label: 'data_export', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' } });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const block = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/block`).set(a.auth).expect(204);
async function create(a: TestUser, ids: string[]): Promise<string> {
  const res = await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: ids });
  expect([200, 201]).toContain(res.status);
  return res.body.id;
}
async function send(u: TestUser, convId: string, text: string) {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
async function listed(u: TestUser, convId: string): Promise<any[]> {
  const res = await t.http().get(`/v1/conversations/${convId}/messages?limit=100`).set(u.auth).expect(200);
  return res.body.items;
}

/** Requests an export and waits for it to be ready; the archive, parsed. */
async function exportOf(u: TestUser): Promise<any> {
  const res = await t.http().post('/v1/me/export').set(u.auth);
  await expectContract(res, 'POST /v1/me/export', 202);
  const ready = await until('export ready', async () => {
    const s = await t.http().get(`/v1/me/export/${res.body.id}`).set(u.auth);
    return s.body.status === 'ready' ? s : null;
  });
  const archive = await t.http().get(ready.body.url).set(u.auth).expect(200);
  return archive.body;
}
const conversationIn = (archive: any, id: string) => archive.conversations.find((c: any) => c.id === id);

describe('shapes, ownership and what the archive holds', () => {
  it('POST answers 202 {id, status: "pending"}; the status has url null until ready, then a path on the API; the owner downloads the JSON document; another user gets 404 for both the status and the download', async () => {
    const [a, b, other] = await users(3);
    await follow(b, a);
    await follow(a, b);
    await block(a, other);
    const conv = await create(a, [b.id]);
    await send(a, conv, 'hello from a');
    await send(b, conv, 'hello from b');
    const filed = await t
      .http()
      .post('/v1/reports')
      .set(a.auth)
      .send({ subjectType: 'user', subjectId: other.id, reason: 'spam', note: 'mine' });
    expect(filed.status).toBe(201);

    const res = await t.http().post('/v1/me/export').set(a.auth);
    await expectContract(res, 'POST /v1/me/export', 202);
    expect(res.body).toMatchObject({ id: expect.any(String), status: 'pending', url: null });
    const first = await t.http().get(`/v1/me/export/${res.body.id}`).set(a.auth);
    await expectContract(first, 'GET /v1/me/export/{id}', 200);
    expect(first.body.url === null).toBe(first.body.status === 'pending');

    const ready = await until('export ready', async () => {
      const s = await t.http().get(`/v1/me/export/${res.body.id}`).set(a.auth);
      return s.body.status === 'ready' ? s : null;
    });
    await expectContract(ready, 'GET /v1/me/export/{id}', 200);
    expect(ready.body.url).toMatch(new RegExp(`^/v1/me/export/${res.body.id}/`));

    await expectError(await t.http().get(`/v1/me/export/${res.body.id}`).set(other.auth), 'GET /v1/me/export/{id}', 404, 'not_found');
    await expectError(await t.http().get(`/v1/me/export/${randomUUID()}`).set(a.auth), 'GET /v1/me/export/{id}', 404, 'not_found');
    await expectError(await t.http().get('/v1/me/export/not-an-id').set(a.auth), 'GET /v1/me/export/{id}', 404, 'not_found');
    const stolen = await t.http().get(ready.body.url).set(other.auth);
    expect(stolen.status).toBe(404);
    expect(stolen.body.code).toBe('not_found');
    expect((await t.http().get(ready.body.url)).status).toBe(401);

    const download = await t.http().get(ready.body.url).set(a.auth);
    await expectContract(download, 'GET /v1/me/export/{id}/archive', 200);
    expect(download.headers['content-type']).toMatch(/^application\/json/);
    const archive = download.body;
    expect(Object.keys(archive)).toEqual(
      expect.arrayContaining(['profile', 'settings', 'follows', 'blocks', 'conversations', 'reports', 'notices']),
    );
    expect(archive.profile).toMatchObject({ id: a.id, handle: a.handle });
    expect(archive.settings).toMatchObject({ allowIncoming: 'all', allowGroupInvites: 'all' });
    expect(archive.follows.map((f: any) => f.userId)).toEqual([b.id]);
    expect(archive.blocks.map((f: any) => f.userId)).toEqual([other.id]);
    expect(archive.reports).toEqual([
      expect.objectContaining({
        id: filed.body.id,
        subjectType: 'user',
        subjectId: other.id,
        reason: 'spam',
        note: 'mine',
        status: 'open',
      }),
    ]);
    const c = conversationIn(archive, conv);
    expect(c).toMatchObject({ id: conv, kind: 'direct' });
    expect(c.members.map((m: any) => m.userId).sort()).toEqual([a.id, b.id].sort());
    expect(c.messages).toEqual(await listed(a, conv));
    expect(c.messages.map((m: any) => m.text)).toEqual(['hello from a', 'hello from b']);
  });

  it('removed and unsent messages appear as the lists show them (state removed, removedReason, no text), reactions and replies as the reader sees them', async () => {
    const [a, b] = await users(2);
    await follow(b, a);
    const conv = await create(a, [b.id]);
    const gone = await send(a, conv, 'I take this back');
    await send(b, conv, 'kept');
    await t.http().delete(`/v1/conversations/${conv}/messages/${gone.id}`).set(a.auth).expect(200);
    await t
      .http()
      .put(`/v1/conversations/${conv}/messages/${gone.id}/reactions/${encodeURIComponent('👍')}`)
      .set(b.auth);
    const reply = await t
      .http()
      .post(`/v1/conversations/${conv}/messages`)
      .set(b.auth)
      .send({ clientId: randomUUID(), text: 'reply', replyTo: 2 });
    expect(reply.status).toBe(201);

    const archive = await exportOf(b);
    const messages = conversationIn(archive, conv).messages;
    expect(messages).toEqual(await listed(b, conv));
    expect(messages[0]).toMatchObject({ id: gone.id, state: 'removed', removedReason: 'unsent', text: null, links: [] });
    expect(messages[2].replyTo).toEqual({ seq: 2, senderId: b.id, text: 'kept' });
  });
});

describe('a large archive, written once', () => {
  it('more messages than one read batch (500) and more bytes than one chunk (1 MB): stored in several chunks, downloaded whole and in order', async () => {
    const [a, b] = await users(2);
    await follow(b, a);
    const conv = await create(a, [b.id]);
    const text = (i: number) => `${String(i).padStart(5, '0')} ${'x'.repeat(2100)}`;
    for (let i = 1; i <= 520; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, 521 - i) }, (_, k) =>
          t
            .http()
            .post(`/v1/conversations/${conv}/messages`)
            .set(a.auth)
            .send({ clientId: `c${i + k}`, text: text(i + k) }),
        ),
      );
    }
    const archive = await exportOf(a);
    const messages = conversationIn(archive, conv).messages;
    expect(messages.map((m: any) => m.seq)).toEqual(Array.from({ length: 520 }, (_, i) => i + 1));
    expect(new Set(messages.map((m: any) => m.text.slice(0, 5))).size).toBe(520);
    const [chunks] = await db.query(
      'SELECT count(*)::int AS n, max(octet_length(bytes)) AS biggest FROM data_export_chunk k JOIN data_export e ON e.id = k.export_id WHERE e.user_id = $1',
      [a.id],
    );
    expect(chunks.n).toBeGreaterThanOrEqual(2);
    expect(chunks.biggest).toBeLessThan(1024 * 1024 + 10_000);
  });
  it('the write job runs at least once: runs of the same export at once write it once, whole (a valid JSON document)', async () => {
    const [a] = await users(1);
    const res = await t.http().post('/v1/me/export').set(a.auth).expect(202);
    const exportsService = t.app.get(ExportsService);
    const runs = await Promise.all([
      exportsService.write(res.body.id),
      exportsService.write(res.body.id),
      exportsService.write(res.body.id),
    ]);
    expect(runs.filter((r) => r.written).length).toBeLessThanOrEqual(1);
    const ready = await t.http().get(`/v1/me/export/${res.body.id}`).set(a.auth).expect(200);
    expect(ready.body.status).toBe('ready');
    const archive = await t.http().get(ready.body.url).set(a.auth).expect(200);
    expect(archive.body.profile.id).toBe(a.id);
    const [stored] = await db.query(
      'SELECT size, (SELECT sum(octet_length(bytes))::int FROM data_export_chunk WHERE export_id = $1) AS bytes FROM data_export WHERE id = $1',
      [res.body.id],
    );
    expect(Number(stored.size)).toBe(stored.bytes);
  });
});

describe('which messages an export holds (the visibility policy)', () => {
  it("a pending recipient's export holds only the messages the request cap let them read; every message they sent is in the senders' exports", async () => {
    const [spammer, puppet, stranger] = await users(3);
    await follow(puppet, spammer);
    const conv = await create(spammer, [puppet.id, stranger.id]);
    for (let i = 1; i <= 3; i++) await send(spammer, conv, `spam ${i}`);
    for (let i = 1; i <= 3; i++) await send(puppet, conv, `puppet ${i}`);

    const archive = await exportOf(stranger);
    const c = conversationIn(archive, conv);
    expect(c.myState).toBe('pending');
    expect(c.messages.map((m: any) => m.seq)).toEqual([1, 2, 3]);
    expect(c.messages).toEqual(await listed(stranger, conv));

    const puppets = conversationIn(await exportOf(puppet), conv);
    expect(puppets.messages.map((m: any) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a left conversation holds what I could read up to when I left, and nothing posted after', async () => {
    const [a, b, c] = await users(3);
    await follow(b, a);
    await follow(c, a);
    const conv = await create(a, [b.id, c.id]);
    await send(a, conv, 'before 1');
    await send(c, conv, 'before 2 (mine)');
    await t
      .http()
      .delete(`/v1/conversations/${conv}/members/me`)
      .set(c.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    await send(a, conv, 'after I left');
    await send(b, conv, 'after I left, again');

    const left = conversationIn(await exportOf(c), conv);
    expect(left.myState).toBe('left');
    expect(left.messages.map((m: any) => m.text)).toEqual(['before 1', 'before 2 (mine)']);
  });

  it('a left conversation does not show who is in it now, their read markers or a title set since (GET on it is 404 for me)', async () => {
    const [a, b, c, d] = await users(4);
    for (const u of [b, c, d]) await follow(u, a);
    const conv = await create(a, [b.id, c.id]);
    await send(a, conv, 'hello all');
    await t
      .http()
      .delete(`/v1/conversations/${conv}/members/me`)
      .set(c.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    await t
      .http()
      .post(`/v1/conversations/${conv}/members`)
      .set(a.auth)
      .send({ userIds: [d.id] })
      .expect((r) => expect(r.status).toBeLessThan(300));
    await t.http().get(`/v1/conversations/${conv}`).set(c.auth).expect(404);
    const left = conversationIn(await exportOf(c), conv);
    expect(left.members).toEqual([expect.objectContaining({ userId: c.id, state: 'left' })]);
    expect(JSON.stringify(left)).not.toContain(d.id);
    expect(left.members.some((m: any) => 'readSeq' in m)).toBe(false);
  });

  it('a pending member who leaves a group keeps, in the export, no more than the request cap let them read', async () => {
    const [spammer, puppet, stranger] = await users(3);
    await follow(puppet, spammer);
    const conv = await create(spammer, [puppet.id, stranger.id]);
    await send(spammer, conv, 'spam 1');
    await send(puppet, conv, 'puppet 1');
    await t
      .http()
      .delete(`/v1/conversations/${conv}/members/me`)
      .set(stranger.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    for (let i = 2; i <= 4; i++) await send(puppet, conv, `puppet ${i}`);
    const left = conversationIn(await exportOf(stranger), conv);
    expect(left.myState).toBe('left');
    expect(left.messages.map((m: any) => m.text)).toEqual(['spam 1', 'puppet 1']);

    const [spammer2, puppet2, stranger2] = await users(3);
    await follow(puppet2, spammer2);
    const conv2 = await create(spammer2, [puppet2.id, stranger2.id]);
    for (let i = 1; i <= 3; i++) await send(spammer2, conv2, `spam ${i}`);
    for (let i = 1; i <= 3; i++) await send(puppet2, conv2, `puppet ${i}`);
    await t
      .http()
      .delete(`/v1/conversations/${conv2}/members/me`)
      .set(stranger2.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    expect(conversationIn(await exportOf(stranger2), conv2).messages.map((m: any) => m.seq)).toEqual([1, 2, 3]);
  });

  it("a former moderator's export holds the room backchannel up to when they stopped being a moderator", async () => {
    const [host, mod] = await users(2);
    const room = await t.http().post('/v1/rooms').set(host.auth).send({ title: 'export room' });
    expect(room.status).toBe(201);
    await t
      .http()
      .post(`/v1/rooms/${room.body.id}/join`)
      .set(mod.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const role = (r: string) => t.http().put(`/v1/rooms/${room.body.id}/members/${mod.id}/role`).set(host.auth).send({ role: r });
    expect((await role('moderator')).status).toBeLessThan(300);
    const bc = (await t.http().get(`/v1/rooms/${room.body.id}/backchannel`).set(host.auth).expect(200)).body.id as string;
    await send(host, bc, 'one');
    await send(mod, bc, 'two');
    expect((await role('listener')).status).toBeLessThan(300);
    await send(host, bc, 'three');
    const c = conversationIn(await exportOf(mod), bc);
    expect(c).toMatchObject({ kind: 'room', myState: 'left' });
    expect(c.messages.map((m: any) => m.text)).toEqual(['one', 'two']);
  });

  it("a declined request holds only what I sent there (nothing of the stranger who wrote to me); the stranger's export still shows me pending (the sender is not told)", async () => {
    const [stranger, me] = await users(2);
    const conv = await create(stranger, [me.id]);
    await send(stranger, conv, 'unwanted');
    await t
      .http()
      .post(`/v1/conversations/${conv}/decline`)
      .set(me.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const c = conversationIn(await exportOf(me), conv);
    expect(c.myState).toBe('declined');
    expect(c.messages).toEqual([]);
    const theirs = conversationIn(await exportOf(stranger), conv);
    expect(theirs.members.find((m: any) => m.userId === me.id).state).toBe('pending');
    expect(theirs.messages.map((m: any) => m.text)).toEqual(['unwanted']);
  });

  it('a user blocked later in a group: their later messages are not in my export, as the list does not show them; my own messages always are', async () => {
    const [a, b, c] = await users(3);
    await follow(b, a);
    await follow(c, a);
    const conv = await create(a, [b.id, c.id]);
    await send(b, conv, 'from b');
    await send(c, conv, 'from c');
    await block(a, b);
    await send(a, conv, 'from me');
    const mine = conversationIn(await exportOf(a), conv);
    expect(mine.messages).toEqual(await listed(a, conv));
    expect(mine.messages.map((m: any) => m.text)).toEqual(['from c', 'from me']);
  });
});

describe('one export a day, and expiry', () => {
  it('a second request within a day → 429 rate_limited with Retry-After (whole seconds, up to a day)', async () => {
    const [u] = await users(1);
    await expectContract(await t.http().post('/v1/me/export').set(u.auth), 'POST /v1/me/export', 202);
    const again = await t.http().post('/v1/me/export').set(u.auth);
    await expectError(again, 'POST /v1/me/export', 429, 'rate_limited');
    const retryAfter = Number(again.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(86_400 - 120);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it('parallel requests from one user create one export (race)', async () => {
    const rounds = await raceRounds(10, async () => {
      const [u] = await users(1);
      const results = await Promise.all(Array.from({ length: 6 }, () => t.http().post('/v1/me/export').set(u.auth)));
      expect(results.map((r) => r.status).sort()).toEqual([202, 429, 429, 429, 429, 429]);
      const rows = await db.query('SELECT count(*)::int AS n FROM data_export WHERE user_id = $1', [u.id]);
      expect(rows[0].n).toBe(1);
    });
    expect(rounds).toBe(10);
  });

  it('archives expire after 7 days: the maintenance sweep deletes them with their chunks, and the status is 404 after', async () => {
    const [u] = await users(1);
    await exportOf(u);
    const [row] = await db.query('SELECT id, extract(epoch FROM expires_at - created_at)::int AS ttl FROM data_export WHERE user_id = $1', [
      u.id,
    ]);
    expect(row.ttl).toBe(7 * 24 * 3600);
    await db.query(`UPDATE data_export SET expires_at = now() - interval '1 second' WHERE id = $1`, [row.id]);

    const queue = t.app.get<Queue>(getQueueToken(QueueName.Maintenance), { strict: false });
    const job = await queue.add(JobName.PurgeExpiredExports, {}, { jobId: `purge-exports-${row.id}` });
    const done = await until('purge job', async () => {
      const j = await queue.getJob(job.id!);
      return j?.finishedOn ? j : null;
    });
    expect(await done.isCompleted()).toBe(true);
    expect(done.returnvalue.purged).toBeGreaterThanOrEqual(1);
    expect(await db.query('SELECT 1 FROM data_export_chunk WHERE export_id = $1', [row.id])).toEqual([]);
    await expectError(await t.http().get(`/v1/me/export/${row.id}`).set(u.auth), 'GET /v1/me/export/{id}', 404, 'not_found');
  });
});
