import type { Queue } from 'bullmq';
import { getQueueToken } from '@nestjs/bullmq';
import { ConfigError, loadConfig } from '@app/messaging/config';
import { Db } from '@app/messaging/db/db.service';
import { JobName, QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, type TestUser } from '../support/factories';

/**
 * Unsend cannot erase evidence (issue #12, item 5): the text of an unsent message is gone
 * for every end user at once, kept for staff for UNSENT_RETENTION_DAYS, still reportable by
 * a member who received it, frozen into a report even when the unsend races the report,
 * and purged by the maintenance job after the retention period.
 */
let t: TestApp;
let db: Db;
let admin: { auth: { Authorization: string } };

beforeAll(async () => {
  t = await startTestApp({
    label: 'unsent',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', LIMIT_REPORTS: '1000/3600' },
  });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

const send = async (u: TestUser, conversationId: string, text: string) => {
  const res = await t
    .http()
    .post(`/v1/conversations/${conversationId}/messages`)
    .set(u.auth)
    .send({ clientId: `c-${Math.random()}`, text });
  expect(res.status).toBe(201);
  return res.body as { id: string; seq: number; createdAt: string };
};
const unsend = (u: TestUser, conversationId: string, messageId: string) =>
  t.http().delete(`/v1/conversations/${conversationId}/messages/${messageId}`).set(u.auth);
const report = (u: TestUser, messageId: string) =>
  t.http().post('/v1/reports').set(u.auth).send({ subjectType: 'message', subjectId: messageId, reason: 'harassment' });
const evidenceOf = async (reportId: string) => {
  const res = await t.http().get(`/admin/v1/reports/${reportId}`).set(admin.auth);
  expect(res.status).toBe(200);
  return res.body.evidence;
};

/** Two users who follow each other, in an active direct conversation. */
async function chat() {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(c.status).toBe(201);
  return { a, b, conversationId: c.body.id as string };
}

/** A creator and `n` members who follow them, in an active group. */
async function group(n: number) {
  const a = await registerUser(t.url);
  const members: TestUser[] = [];
  for (let i = 0; i < n; i++) {
    const u = await registerUser(t.url);
    await t.http().put(`/v1/users/${a.id}/follow`).set(u.auth).expect(204);
    members.push(u);
  }
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: members.map((u) => u.id), title: 'g' });
  expect(c.status).toBe(201);
  expect(c.body.kind).toBe('group');
  return { a, members, conversationId: c.body.id as string };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the real maintenance job through its queue and waits for it to finish. */
async function runMaintenance(name: JobName, jobId: string) {
  const queue = t.app.get<Queue>(getQueueToken(QueueName.Maintenance), { strict: false });
  const job = await queue.add(name, {}, { jobId });
  const done = await until(`${name} job`, async () => {
    const j = await queue.getJob(job.id!);
    return j?.finishedOn ? j : null;
  });
  expect(await done.isCompleted()).toBe(true);
  return done.returnvalue;
}

describe('unsent messages as evidence', () => {
  it('a member who received an unsent message can still report it, and the evidence holds its text and links, marked unsent', async () => {
    const { a, b, conversationId } = await chat();
    await send(a, conversationId, 'before');
    const m = await send(a, conversationId, 'you will regret this https://threat.example.com/x');
    await send(b, conversationId, 'after');
    expect((await unsend(a, conversationId, m.id)).status).toBe(200);

    const filed = await report(b, m.id);
    expect(filed.status).toBe(201);
    const ev = await evidenceOf(filed.body.id);
    expect(ev.subject.message).toMatchObject({
      id: m.id,
      text: 'you will regret this https://threat.example.com/x',
      state: 'removed',
      removedReason: 'unsent',
      retained: true,
      reported: true,
      senderId: a.id,
      createdAt: m.createdAt,
    });
    expect(ev.subject.message.links).toEqual([expect.objectContaining({ url: 'https://threat.example.com/x' })]);
    expect(ev.messages.map((x: any) => x.text)).toEqual(['before', 'you will regret this https://threat.example.com/x', 'after']);
    // Reading retained text is a staff read of message content: audited.
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.read' AND subject_id = $1`, [
      filed.body.id,
    ]);
    expect(audit).toEqual([{ n: 1 }]);
  });

  it('after unsend the text is gone for every end user: message lists, sync from before it, and the unsend answer', async () => {
    const { a, b, conversationId } = await chat();
    const cursorA = (await t.http().get('/v1/sync').set(a.auth).expect(200)).body.cursor;
    const cursorB = (await t.http().get('/v1/sync').set(b.auth).expect(200)).body.cursor;
    const secret = `secret-${Math.random().toString(36).slice(2)}`;
    const m = await send(a, conversationId, `${secret} see https://${secret}.example.com/p`);
    const un = await unsend(a, conversationId, m.id);
    expect(un.body).toMatchObject({ state: 'removed', removedReason: 'unsent', text: null, links: [] });
    expect(JSON.stringify(un.body)).not.toContain(secret);

    for (const [u, cursor] of [
      [a, cursorA],
      [b, cursorB],
    ] as const) {
      const list = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(u.auth).expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: m.id, state: 'removed', removedReason: 'unsent', text: null, links: [] }),
      ]);
      const sync = await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200);
      const about = sync.body.events.filter((e: any) => e.message?.id === m.id);
      // Created, then updated: the unsend last (a link verdict may land in between, as another update).
      expect(about[0].type).toBe('message.created');
      expect(about.slice(1).map((e: any) => e.type)).toEqual(Array(about.length - 1).fill('message.updated'));
      expect(about.length).toBeGreaterThanOrEqual(2);
      expect(about.every((e: any) => e.message.state === 'removed' && e.message.text === null)).toBe(true);
      expect(JSON.stringify(sync.body)).not.toContain(secret);
      expect(JSON.stringify(list.body)).not.toContain(secret);
    }
    // Still kept for staff, outside the message row.
    const [row] = await db.query('SELECT text FROM message WHERE id = $1', [m.id]);
    expect(row.text).toBeNull();
  });

  it('a non-member, and a member added after it was sent, get 404 reporting the unsent message', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'only for b');
    expect((await unsend(a, conversationId, m.id)).status).toBe(200);
    const outsider = await registerUser(t.url);
    const r1 = await report(outsider, m.id);
    expect(r1.status).toBe(404);
    expectErrorShape(r1.body, 404, 'not_found');

    // A group: c is added after the message was sent (and unsent); b was there.
    const {
      a: owner,
      members: [gb],
      conversationId: groupId,
    } = await group(2);
    const gm = await send(owner, groupId, 'group words');
    expect((await unsend(owner, groupId, gm.id)).status).toBe(200);
    const c = await registerUser(t.url);
    await t.http().put(`/v1/users/${owner.id}/follow`).set(c.auth).expect(204);
    expect(
      (
        await t
          .http()
          .post(`/v1/conversations/${groupId}/members`)
          .set(owner.auth)
          .send({ userIds: [c.id] })
      ).status,
    ).toBe(200);
    const r2 = await report(c, gm.id);
    expect(r2.status).toBe(404);
    expectErrorShape(r2.body, 404, 'not_found');
    expect((await report(gb, gm.id)).status).toBe(201);
    expect(b.id).not.toBe(gb.id);
  });

  it('report and unsend racing, 20 rounds: every report freezes the text, whichever commits first', async () => {
    const { a, b, conversationId } = await chat();
    for (let round = 0; round < 20; round++) {
      const text = `round ${round} nasty words`;
      const m = await send(a, conversationId, text);
      const [filed, un] = await Promise.all([report(b, m.id), unsend(a, conversationId, m.id)]);
      expect(filed.status).toBe(201);
      expect(un.status).toBe(200);
      const ev = await evidenceOf(filed.body.id);
      expect(ev.subject.message).toMatchObject({ id: m.id, text });
    }
  });

  it('a message removed by staff keeps its text for a later report, too', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'moderated words');
    const first = await report(b, m.id);
    expect(first.status).toBe(201);
    expect(
      (await t.http().post(`/admin/v1/reports/${first.body.id}/resolve`).set(admin.auth).send({ action: 'remove_content' })).status,
    ).toBe(200);
    const list = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(b.auth).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: m.id, state: 'removed', removedReason: 'moderation', text: null })]);
    const [kept] = await db.query('SELECT text, reason FROM message_retained WHERE message_id = $1', [m.id]);
    expect(kept).toEqual({ text: 'moderated words', reason: 'moderation' });
  });

  it('the maintenance job purges retained text past UNSENT_RETENTION_DAYS and keeps newer copies; frozen evidence stays', async () => {
    const {
      a,
      members: [b, c],
      conversationId,
    } = await group(2);
    const old = await send(a, conversationId, 'old unsent words');
    const fresh = await send(a, conversationId, 'fresh unsent words');
    const before = await report(b, old.id);
    expect(before.status).toBe(201);
    expect((await unsend(a, conversationId, old.id)).status).toBe(200);
    expect((await unsend(a, conversationId, fresh.id)).status).toBe(200);
    await db.query(`UPDATE message_retained SET retained_at = now() - make_interval(days => $2, mins => 1) WHERE message_id = $1`, [
      old.id,
      t.config.unsentRetentionDays,
    ]);

    const result = await runMaintenance(JobName.PurgeRetainedMessages, `purge-${Math.random().toString(36).slice(2)}`);
    // The same sweep also ends deleted accounts' evidence and handle holds (none here).
    expect(result).toEqual({ purged: 1, evidence: 0, handleHolds: 0 });
    expect(await db.query('SELECT message_id FROM message_retained WHERE message_id = ANY($1::uuid[])', [[old.id, fresh.id]])).toEqual([
      { message_id: fresh.id },
    ]);

    // Reported after the purge: nothing left to freeze. Frozen before it: the copy stays.
    const after = await report(c, old.id);
    expect(after.status).toBe(201);
    expect((await evidenceOf(after.body.id)).subject.message).toMatchObject({
      id: old.id,
      text: null,
      removedReason: 'unsent',
      retained: false,
    });
    expect((await evidenceOf(before.body.id)).subject.message.text).toBe('old unsent words');
    const newer = await report(c, fresh.id);
    expect(newer.status).toBe(201);
    expect((await evidenceOf(newer.body.id)).subject.message.text).toBe('fresh unsent words');
  });

  it('UNSENT_RETENTION_DAYS defaults to 30 and a malformed value stops the boot naming it', () => {
    expect(loadConfig({}).unsentRetentionDays).toBe(30);
    expect(loadConfig({ UNSENT_RETENTION_DAYS: '7' }).unsentRetentionDays).toBe(7);
    for (const bad of ['0', 'ten', '-1', '1.5']) {
      expect(() => loadConfig({ UNSENT_RETENTION_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ UNSENT_RETENTION_DAYS: bad })).toThrow(/UNSENT_RETENTION_DAYS/);
    }
  });
});
