import { Client } from 'pg';
import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { EnforcementService } from '@app/messaging/safety/enforcement/enforcement.service';
import { ReportsService } from '@app/messaging/safety/reports/reports.service';
import { JobsService } from '@app/messaging/queues.module';
import { JobName, QueueName } from '@app/messaging/queues';
import { SpamScoreService } from '@app/messaging/limits/spam-score.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectRefusal, connectSocket } from '../support/socket';

/**
 * End users report and appeal; staff work the report to a real enforcement. Every rule of
 * the Reports and Staff API sections, through HTTP (and a socket), against the real app.
 */
let t: TestApp;
let db: Db;
let admin: { auth: { Authorization: string }; staff: { id: string } };
let moderator: { auth: { Authorization: string }; staff: { id: string } };
let moderator2: { auth: { Authorization: string }; staff: { id: string } };
let triage: { auth: { Authorization: string }; staff: { id: string } };

async function staffWith(role: 'admin' | 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t.http().post('/admin/v1/staff').set(admin.auth).send({ email, displayName: role, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

beforeAll(async () => {
  t = await startTestApp({
    label: 'safety',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', LIMIT_REPORTS: '1000/3600' },
  });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
  [moderator, moderator2, triage] = await Promise.all([staffWith('moderator'), staffWith('moderator'), staffWith('triage')]);
});
afterAll(async () => {
  await t?.close();
});

const send = (u: TestUser, convId: string, text: string) =>
  t
    .http()
    .post(`/v1/conversations/${convId}/messages`)
    .set(u.auth)
    .send({ clientId: `c-${Math.random()}`, text });
const report = (u: TestUser, body: Record<string, unknown>) => t.http().post('/v1/reports').set(u.auth).send(body);
const resolve = (staff: { auth: Record<string, string> }, id: string, body: Record<string, unknown>) =>
  t.http().post(`/admin/v1/reports/${id}/resolve`).set(staff.auth).send(body);

/** a writes to b, a stranger: b's side is a pending message request. */
async function request2(a: TestUser, b: TestUser, ...texts: string[]) {
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect(c.status).toBe(201);
  const messages = [];
  for (const text of texts) {
    const m = await send(a, c.body.id, text);
    expect(m.status).toBe(201);
    messages.push(m.body);
  }
  // A request's message with a link reaches its recipient once the link is scanned (a batch,
  // moments after the send): wait until every message is in the recipient's list, so the
  // tests report what the recipient can see.
  for (let deadline = Date.now() + 10_000; ;) {
    const seen = await t.http().get(`/v1/conversations/${c.body.id}/messages`).set(b.auth);
    const ids = new Set((seen.body.items ?? []).map((m: any) => m.id));
    if (messages.every((m) => ids.has(m.id))) break;
    if (Date.now() > deadline) throw new Error('the request messages never reached their recipient');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { conversationId: c.body.id as string, messages };
}

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

async function reportAndGet(reporter: TestUser, body: Record<string, unknown>) {
  const r = await report(reporter, body);
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function notices(u: TestUser) {
  const res = await t.http().get('/v1/notices').set(u.auth);
  expect(res.status).toBe(200);
  return res.body.items as Array<{ kind: string; text: string; data: any }>;
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('token audiences', () => {
  it('a user token never opens /admin/v1 and a staff token never acts on /v1 (401 both ways)', async () => {
    const u = await registerUser(t.url);
    const asUser = await t.http().get('/admin/v1/reports').set(u.auth);
    expect(asUser.status).toBe(401);
    expectErrorShape(asUser.body, 401);
    const asStaff = await t.http().get('/v1/me').set(admin.auth);
    expect(asStaff.status).toBe(401);
    expectErrorShape(asStaff.body, 401);
    const staffReports = await t.http().post('/v1/reports').set(admin.auth).send({ subjectType: 'user', subjectId: u.id, reason: 'spam' });
    expect(staffReports.status).toBe(401);
  });
});

describe('POST /v1/reports', () => {
  it(`201 {id}; the same reporter on the same subject again gets 200 and the same id, also when racing (${RACE_ROUNDS} rounds, a fresh message each)`, async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'you are awful');
    const first = await report(b, { subjectType: 'message', subjectId: m.body.id, reason: 'harassment', note: 'rude' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(String) });
    const again = await report(b, { subjectType: 'message', subjectId: m.body.id, reason: 'spam' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    await raceRounds(RACE_ROUNDS, async (round) => {
      const m2 = await send(a, conversationId, `again awful ${round}`);
      const racing = await Promise.all(
        Array.from({ length: 6 }, () =>
          request(t.url).post('/v1/reports').set(b.auth).send({ subjectType: 'message', subjectId: m2.body.id, reason: 'harassment' }),
        ),
      );
      expect(racing.filter((r) => r.status === 201)).toHaveLength(1);
      expect(racing.every((r) => r.status === 201 || r.status === 200)).toBe(true);
      expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    });
  });

  it('only what you can see: 404 for a message or conversation you are not in, unknown and malformed ids', async () => {
    const { a, conversationId } = await chat();
    const m = await send(a, conversationId, 'private words');
    const outsider = await registerUser(t.url);
    for (const body of [
      { subjectType: 'message', subjectId: m.body.id, reason: 'spam' },
      { subjectType: 'conversation', subjectId: conversationId, reason: 'spam' },
      { subjectType: 'user', subjectId: '0190a000-0000-7000-8000-000000000000', reason: 'spam' },
      { subjectType: 'message', subjectId: 'not-a-uuid', reason: 'spam' },
      { subjectType: 'question', subjectId: '0190a000-0000-7000-8000-000000000000', reason: 'spam' },
    ]) {
      const res = await report(outsider, body);
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404, 'not_found');
    }
  });

  it('reporting yourself or your own message is 422; a bad body is 400 invalid_request', async () => {
    const { a, conversationId } = await chat();
    const m = await send(a, conversationId, 'mine');
    const own = await report(a, { subjectType: 'message', subjectId: m.body.id, reason: 'spam' });
    expect(own.status).toBe(422);
    expectErrorShape(own.body, 422);
    const self = await report(a, { subjectType: 'user', subjectId: a.id, reason: 'spam' });
    expect(self.status).toBe(422);
    for (const body of [
      {},
      { subjectType: 'photo', subjectId: a.id, reason: 'spam' },
      { subjectType: 'user', subjectId: a.id, reason: 'boring' },
      { subjectType: 'user', subjectId: 5, reason: 'spam' },
    ]) {
      const bad = await report(a, body);
      expect(bad.status).toBe(400);
      expectErrorShape(bad.body, 400, 'invalid_request');
    }
  });

  it('a scorer that counted while a spam report was declining the request never stores its older counts over the decline', async () => {
    const scorer = t.app.get(SpamScoreService);
    const spammer = await registerUser(t.url);
    const target = await registerUser(t.url);
    const { messages } = await request2(spammer, target, 'buy cheap followers today');
    await db.query('INSERT INTO sender_stats (sender_id) VALUES ($1) ON CONFLICT DO NOTHING', [spammer.id]);
    const waiting = async (n: number) => {
      for (let deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
        const [{ c }] = await db.query(
          `SELECT count(*)::int AS c FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        if (c >= n) return;
      }
      throw new Error(`fewer than ${n} sessions waiting on a lock`);
    };
    // Hold the sender's stats row: the report's transaction (decline + counters) waits on it
    // uncommitted, then the scorer starts, then the row is let go.
    const holder = new Client(t.db.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM sender_stats WHERE sender_id = $1 FOR UPDATE', [spammer.id]);
      const reported = reportAndGet(target, { subjectType: 'message', subjectId: messages[0].id, reason: 'spam' });
      await waiting(1);
      const scored = scorer.score(spammer.id);
      await waiting(2);
      await holder.query('COMMIT');
      await Promise.all([reported, scored]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const [stats] = await db.query('SELECT reported, declined FROM sender_stats WHERE sender_id = $1', [spammer.id]);
    expect(stats).toMatchObject({ reported: 1, declined: 1 });
  });

  it('reporting a pending request as spam declines it silently and fills the spam signals', async () => {
    const spammer = await registerUser(t.url);
    const target = await registerUser(t.url);
    const { conversationId, messages } = await request2(spammer, target, 'buy cheap followers at example.com');
    const before = await t.http().get('/v1/conversations?folder=requests').set(target.auth);
    expect(before.body.items.map((c: any) => c.id)).toContain(conversationId);
    await reportAndGet(target, { subjectType: 'message', subjectId: messages[0].id, reason: 'spam' });
    const after = await t.http().get('/v1/conversations?folder=requests').set(target.auth);
    expect(after.body.items.map((c: any) => c.id)).not.toContain(conversationId);
    const [member] = await db.query('SELECT state FROM conversation_member WHERE conversation_id = $1 AND user_id = $2', [
      conversationId,
      target.id,
    ]);
    expect(member.state).toBe('declined');
    const [stats] = await db.query('SELECT reported, declined FROM sender_stats WHERE sender_id = $1', [spammer.id]);
    expect(stats.reported).toBeGreaterThanOrEqual(1);
    expect(stats.declined).toBeGreaterThanOrEqual(1);
    // The sender's own view did not change.
    const senderView = await t.http().get(`/v1/conversations/${conversationId}`).set(spammer.auth);
    expect(senderView.body.myState).toBe('active');
  });

  it('questions: reportable when visible in the room (pinned, or as a moderator); your own is 422', async () => {
    const host = await registerUser(t.url);
    const listener = await registerUser(t.url);
    const asker = await registerUser(t.url);
    const room = await t.http().post('/v1/rooms').set(host.auth).send({ title: 'Open mic' });
    expect(room.status).toBe(201);
    await t
      .http()
      .post(`/v1/rooms/${room.body.id}/join`)
      .set(listener.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    await t
      .http()
      .post(`/v1/rooms/${room.body.id}/join`)
      .set(asker.auth)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const qn = await t.http().post(`/v1/rooms/${room.body.id}/questions`).set(asker.auth).send({ text: 'a nasty question' });
    expect(qn.status).toBe(201);
    const hidden = await report(listener, { subjectType: 'question', subjectId: qn.body.id, reason: 'hate' });
    expect(hidden.status).toBe(404);
    const own = await report(asker, { subjectType: 'question', subjectId: qn.body.id, reason: 'hate' });
    expect(own.status).toBe(422);
    const byHost = await report(host, { subjectType: 'question', subjectId: qn.body.id, reason: 'hate' });
    expect(byHost.status).toBe(201);
    const staffView = await t.http().get(`/admin/v1/reports/${byHost.body.id}`).set(moderator.auth);
    expect(staffView.body.evidence.subject).toMatchObject({ type: 'question', text: 'a nasty question', authorId: asker.id });
    expect(staffView.body.evidence.room).toMatchObject({ id: room.body.id, title: 'Open mic' });
    // remove_content takes the question down for everyone.
    expect((await resolve(moderator, byHost.body.id, { action: 'remove_content', note: 'hate' })).status).toBe(200);
    const [row] = await db.query('SELECT state, text FROM question WHERE id = $1', [qn.body.id]);
    expect(row).toEqual({ state: 'removed', text: null });
  });
});

describe('case snapshot', () => {
  it('freezes the message, its links, sender, time, context either side and participants; unsend never touches it', async () => {
    const sender = await registerUser(t.url);
    const target = await registerUser(t.url);
    const { conversationId, messages } = await request2(
      sender,
      target,
      'hello there',
      'claim your prize at https://prize.example.com/win now',
      'hurry',
    );
    const reported = messages[1];
    const id = await reportAndGet(target, { subjectType: 'message', subjectId: reported.id, reason: 'scam', note: 'phishing' });

    const unsent = await t.http().delete(`/v1/conversations/${conversationId}/messages/${reported.id}`).set(sender.auth);
    expect(unsent.status).toBeLessThan(300);
    const list = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(target.auth);
    expect(list.body.items.find((m: any) => m.id === reported.id)).toMatchObject({ state: 'removed', text: null });

    const res = await t.http().get(`/admin/v1/reports/${id}`).set(triage.auth);
    expect(res.status).toBe(200);
    const ev = res.body.evidence;
    const frozen = ev.messages.find((m: any) => m.id === reported.id);
    expect(frozen).toMatchObject({
      text: 'claim your prize at https://prize.example.com/win now',
      senderId: sender.id,
      senderHandle: sender.handle,
      reported: true,
      createdAt: reported.createdAt,
      state: 'visible',
    });
    expect(frozen.links).toEqual([expect.objectContaining({ url: 'https://prize.example.com/win', verdict: expect.any(String) })]);
    expect(ev.messages.map((m: any) => m.text)).toEqual(['hello there', 'claim your prize at https://prize.example.com/win now', 'hurry']);
    expect(ev.participants.map((p: any) => p.userId).sort()).toEqual([sender.id, target.id].sort());
    expect(ev.conversation).toMatchObject({ id: conversationId, wasRequest: true, reporterState: 'pending' });
    expect(res.body).toMatchObject({
      subjectType: 'message',
      subjectId: reported.id,
      subjectUserId: sender.id,
      reporterId: target.id,
      source: 'user',
      status: 'open',
      reason: 'scam',
      note: 'phishing',
    });
    // The read of message content is in the audit log.
    const audit = await t
      .http()
      .get(`/admin/v1/audit-log?filter=${encodeURIComponent(JSON.stringify({ subjectId: id, action: 'report.read' }))}`)
      .set(admin.auth);
    expect(audit.body.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps at most ten messages either side of the reported one', async () => {
    const { a, b, conversationId } = await chat();
    const sent = [];
    for (let i = 1; i <= 25; i++) sent.push((await send(a, conversationId, `m${i}`)).body);
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: sent[12].id, reason: 'other' });
    const res = await t.http().get(`/admin/v1/reports/${id}`).set(admin.auth);
    expect(res.body.evidence.messages.map((m: any) => m.text)).toEqual(Array.from({ length: 21 }, (_, i) => `m${i + 3}`));
  });
});

describe('staff roles and the queue', () => {
  it('triage reads and escalates but cannot act: 403 forbidden_role on claim and resolve', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'mean');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'harassment' });
    expect((await t.http().get(`/admin/v1/reports/${id}`).set(triage.auth)).status).toBe(200);
    const claim = await t.http().post(`/admin/v1/reports/${id}/claim`).set(triage.auth);
    expect(claim.status).toBe(403);
    expectErrorShape(claim.body, 403, 'forbidden_role');
    const res = await resolve(triage, id, { action: 'dismiss', note: '' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden_role');
    const act = await t.http().post(`/admin/v1/users/${a.id}/actions`).set(triage.auth).send({ action: 'ban', note: 'x' });
    expect(act.status).toBe(403);
    const esc = await t.http().post(`/admin/v1/reports/${id}/escalate`).set(triage.auth).send({ note: 'needs a senior look' });
    expect(esc.status).toBe(200);
    // The contract's status stays open|resolved; the review state says escalated.
    expect(esc.body).toMatchObject({
      id,
      status: 'open',
      reviewState: 'escalated',
      escalated: true,
      escalationNote: 'needs a senior look',
    });
    expect(esc.body.firstResponseAt).not.toBeNull();
    const open = await t
      .http()
      .get('/admin/v1/reports')
      .set(triage.auth)
      .query({ filter: JSON.stringify({ status: 'open', subjectId: m.body.id }) });
    expect(open.body.map((r: any) => r.id)).toContain(id);
    const escalated = await t
      .http()
      .get('/admin/v1/reports')
      .set(triage.auth)
      .query({ filter: JSON.stringify({ reviewState: 'escalated', subjectId: m.body.id }) });
    expect(escalated.body.map((r: any) => r.id)).toEqual([id]);
    expect(
      (
        await t
          .http()
          .get('/admin/v1/reports')
          .set(triage.auth)
          .query({ filter: JSON.stringify({ status: 'escalated' }) })
      ).status,
    ).toBe(400);
  });

  it('racing claims by two moderators have exactly one winner, 20 rounds out of 20; the loser gets 409 already_claimed', async () => {
    const { a, b, conversationId } = await chat();
    for (let round = 0; round < 20; round++) {
      const m = await send(a, conversationId, `threat ${round}`);
      const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'violence' });
      const results = await Promise.all(
        [moderator, moderator2].map((who) => request(t.url).post(`/admin/v1/reports/${id}/claim`).set(who.auth)),
      );
      expect({ round, statuses: results.map((r) => r.status).sort() }).toEqual({ round, statuses: [200, 409] });
      expectErrorShape(results.find((r) => r.status === 409)!.body, 409, 'already_claimed');
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.claim' AND subject_id = $1`, [id]);
      expect({ round, claims: n }).toEqual({ round, claims: 1 });
    }
  });

  it('a second moderator claiming gets 409 already_claimed; claiming again is idempotent for the holder; the other cannot resolve', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'threat');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'violence' });
    const [r1, r2] = await Promise.all([
      request(t.url).post(`/admin/v1/reports/${id}/claim`).set(moderator.auth),
      request(t.url).post(`/admin/v1/reports/${id}/claim`).set(moderator2.auth),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const loser = r1.status === 409 ? r1 : r2;
    expectErrorShape(loser.body, 409, 'already_claimed');
    const winner = r1.status === 200 ? moderator : moderator2;
    const other = winner === moderator ? moderator2 : moderator;
    const again = await t.http().post(`/admin/v1/reports/${id}/claim`).set(winner.auth);
    expect(again.status).toBe(200);
    expect(again.body.assigneeId).toBe(winner.staff.id);
    // The other moderator cannot resolve someone else's claim either.
    const res = await resolve(other, id, { action: 'dismiss' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already_claimed');
    const claims = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.claim' AND subject_id = $1`, [id]);
    expect(claims[0].n).toBe(1);
  });

  it('orders the queue by severity, then by how many people reported the subject', async () => {
    const victim = await registerUser(t.url);
    const spammy = await chat();
    const spamMsg = await send(spammy.a, spammy.conversationId, 'spam spam');
    const spamId = await reportAndGet(spammy.b, { subjectType: 'message', subjectId: spamMsg.body.id, reason: 'spam' });
    const urgent = await chat();
    const sh = await send(urgent.a, urgent.conversationId, 'worrying words');
    const shId = await reportAndGet(urgent.b, { subjectType: 'message', subjectId: sh.body.id, reason: 'self_harm' });
    const list = await t
      .http()
      .get(`/admin/v1/reports?filter=${encodeURIComponent(JSON.stringify({ id: [spamId, shId] }))}`)
      .set(moderator.auth);
    expect(list.body.map((r: any) => r.id)).toEqual([shId, spamId]);
    // Corroboration: three more people report the same user; the report's priority grows.
    const lone = await reportAndGet(victim, { subjectType: 'user', subjectId: spammy.a.id, reason: 'harassment' });
    const p0 = (await t.http().get(`/admin/v1/reports/${lone}`).set(moderator.auth)).body.priority;
    for (let i = 0; i < 3; i++)
      await reportAndGet(await registerUser(t.url), { subjectType: 'user', subjectId: spammy.a.id, reason: 'harassment' });
    const p1 = (await t.http().get(`/admin/v1/reports/${lone}`).set(moderator.auth)).body.priority;
    expect(p1).toBeGreaterThan(p0 + 20);
  });

  it('a report enqueues its deadline job in the real queue, delayed until its first-response deadline; when it runs on an unanswered report the report is overdue', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'late');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'other' });
    const fresh = await t.http().get(`/admin/v1/reports/${id}`).set(moderator.auth);
    expect(fresh.body.overdue).toBe(false);
    const windowMs = t.config.reportFirstResponseHours * 3600_000;
    expect(new Date(fresh.body.dueAt).getTime() - new Date(fresh.body.createdAt).getTime()).toBe(windowMs);
    // The job is in BullMQ (written with the report, enqueued by the outbox relay after commit).
    const queue = t.app.get(JobsService).queue(QueueName.Deadlines);
    const job = await until(
      () => queue.getJob(`report-deadline-${id}`),
      (j) => !!j,
    );
    expect(job).toMatchObject({ name: JobName.ReportDeadline, data: { reportId: id } });
    expect(await job!.getState()).toBe('delayed');
    // Its delay runs to the deadline: measured from when it was added, it ends at dueAt (within a second).
    const delay = job!.opts.delay ?? job!.delay;
    expect(delay).toBeGreaterThan(windowMs - 60_000);
    expect(delay).toBeLessThanOrEqual(windowMs);
    expect(Math.abs(job!.timestamp + delay - new Date(fresh.body.dueAt).getTime())).toBeLessThan(1000);
    // Time passes (the deadline moved into the past) and the delayed job comes due: the real worker flags it.
    await db.query(`UPDATE report SET due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    await job!.promote();
    const row = await until(
      async () => (await db.query('SELECT overdue FROM report WHERE id = $1', [id]))[0],
      (r) => r.overdue === true,
      10_000,
    );
    expect(row.overdue).toBe(true);
    const overdue = await t
      .http()
      .get(`/admin/v1/reports?filter=${encodeURIComponent(JSON.stringify({ overdue: true, id: [id] }))}`)
      .set(moderator.auth);
    expect(overdue.body.map((r: any) => r.id)).toEqual([id]);
  });
});

describe('enforcement', () => {
  it('remove_content removes the message for everyone; the reporter is told "took action" without naming it', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'hateful words');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'hate' });
    const cursor = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    const res = await resolve(moderator, id, { action: 'remove_content', note: 'clear hate' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'resolved', resolution: expect.objectContaining({ action: 'remove_content' }) });
    expect(res.body.resolvedAt).not.toBeNull();
    for (const u of [a, b]) {
      const list = await t.http().get(`/v1/conversations/${conversationId}/messages`).set(u.auth);
      expect(list.body.items.find((x: any) => x.id === m.body.id)).toMatchObject({
        state: 'removed',
        removedReason: 'moderation',
        text: null,
      });
    }
    const outcome = (await notices(b)).find((n) => n.kind === 'report_outcome');
    expect(outcome?.text).toMatch(/took action/);
    expect(JSON.stringify(outcome)).not.toMatch(/remove_content|removed/);
    const sync = await until(
      () => t.http().get(`/v1/sync?cursor=${cursor}`).set(b.auth),
      (r) => r.body.events.some((e: any) => e.type === 'notice.created'),
    );
    expect(sync.body.events.find((e: any) => e.type === 'notice.created').notice.kind).toBe('report_outcome');
    const again = await resolve(moderator, id, { action: 'dismiss' });
    expect(again.status).toBe(409);
    // Every step is in the audit log.
    const audit = await db.query(`SELECT action FROM audit_log WHERE subject_id IN ($1, $2) ORDER BY id`, [id, a.id]);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['report.resolve', 'user.remove_content']));
  });

  it('dismiss tells the reporter "no violation" and gives no strike', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'fine words');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'other' });
    expect((await resolve(moderator, id, { action: 'dismiss', note: 'fine' })).status).toBe(200);
    expect((await notices(b)).find((n) => n.kind === 'report_outcome')?.text).toMatch(/no violation/);
    const h = await t.http().get(`/admin/v1/users/${a.id}/history`).set(moderator.auth);
    expect(h.body.strikes).toBe(0);
  });

  it('restrict_messaging refuses sends and new conversations with 403 messaging_restricted', async () => {
    const { a, b, conversationId } = await chat();
    const m = await send(a, conversationId, 'pushy');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'harassment' });
    const res = await resolve(moderator, id, { action: 'restrict_messaging', durationHours: 24, note: 'cool down' });
    expect(res.status).toBe(200);
    const blocked = await send(a, conversationId, 'more');
    expect(blocked.status).toBe(403);
    expectErrorShape(blocked.body, 403, 'messaging_restricted');
    const other = await registerUser(t.url);
    const created = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [other.id] });
    expect(created.status).toBe(403);
    expect(created.body.code).toBe('messaging_restricted');
    // The rest of the account works, and the person was told.
    expect((await t.http().get('/v1/me').set(a.auth)).status).toBe(200);
    expect((await notices(a)).find((n) => n.kind === 'enforcement')?.data).toMatchObject({ action: 'restrict_messaging' });
    expect((await send(b, conversationId, 'b still talks')).status).toBe(201);
  });

  it('suspend locks out REST and the socket at once (401 account_suspended) and ends by itself', async () => {
    const { a, b, conversationId } = await chat();
    const socket = await connectSocket(t.url, a.token);
    const disconnected = new Promise<void>((r) => socket.once('disconnect', () => r()));
    const m = await send(a, conversationId, 'abuse');
    const id = await reportAndGet(b, { subjectType: 'message', subjectId: m.body.id, reason: 'harassment' });
    const res = await resolve(moderator, id, { action: 'suspend', durationHours: 0.001, note: 'short' }); // 3.6 s
    expect(res.status).toBe(200);
    const me = await t.http().get('/v1/me').set(a.auth);
    expect(me.status).toBe(401);
    expectErrorShape(me.body, 401, 'account_suspended');
    const refresh = await t.http().post('/v1/auth/refresh').send({ refreshToken: a.refreshToken });
    expect(refresh.status).toBe(401);
    await disconnected;
    const refused = await connectRefusal(t.url, a.token);
    expect(refused.data?.code ?? refused.message).toMatch(/account_suspended|suspended/);
    const [{ status, action_id }] = await db.query(
      `SELECT u.status, a.id AS action_id FROM app_user u JOIN moderation_action a ON a.user_id = u.id WHERE u.id = $1`,
      [a.id],
    );
    expect(status).toBe('suspended');
    // Time runs out: the token works again (the refresh tokens stay revoked), and the
    // delayed expiry job puts the stored status back.
    const back = await until(
      () => t.http().get('/v1/me').set(a.auth),
      (r) => r.status === 200,
      10_000,
    );
    expect(back.status).toBe(200);
    const after = await until(
      async () => (await db.query('SELECT status, suspended_until FROM app_user WHERE id = $1', [a.id]))[0],
      (row) => row.status === 'active',
      10_000,
    );
    expect(after).toEqual({ status: 'active', suspended_until: null });
    // The job is idempotent: running it again changes nothing.
    expect(await t.app.get(EnforcementService).expireAction(action_id)).toBe(false);
  });

  it('ban: every token fails at once with 401 account_suspended and login is refused', async () => {
    const u = await registerUser(t.url);
    const res = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'ban', note: 'spam ring' });
    expect(res.status).toBe(200);
    expect(res.body.action).toMatchObject({ userId: u.id, action: 'ban', expiresAt: null });
    const me = await t.http().get('/v1/me').set(u.auth);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('account_suspended');
    const login = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
    expect(login.status).toBe(401);
    const user = await t.http().get(`/admin/v1/users/${u.id}`).set(triage.auth);
    expect(user.body).toMatchObject({ id: u.id, status: 'banned', strikes: 1 });
  });

  it('bulk resolve: many reports about one message, one decision, one strike, every reporter told', async () => {
    const { a, b, conversationId } = await chat();
    const c = await registerUser(t.url);
    const d = await registerUser(t.url);
    const g = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id, c.id, d.id], title: 'group' });
    expect(g.status).toBe(201);
    for (const u of [c, d]) await t.http().post(`/v1/conversations/${g.body.id}/accept`).set(u.auth);
    const m = await send(a, g.body.id, 'scam link');
    const ids = [];
    for (const u of [b, c, d]) ids.push(await reportAndGet(u, { subjectType: 'message', subjectId: m.body.id, reason: 'scam' }));
    const listed = await t
      .http()
      .get(`/admin/v1/reports?filter=${encodeURIComponent(JSON.stringify({ subjectId: m.body.id }))}`)
      .set(moderator.auth);
    expect(listed.body.map((r: any) => r.id).sort()).toEqual([...ids].sort());
    const res = await t
      .http()
      .post('/admin/v1/reports/bulk-resolve')
      .set(moderator.auth)
      .send({ ids: [...ids, '0190a000-0000-7000-8000-000000000000'], action: 'remove_content', note: 'scam' });
    expect(res.status).toBe(200);
    expect(res.body.succeeded.sort()).toEqual([...ids].sort());
    expect(res.body.failed).toEqual([expect.objectContaining({ id: '0190a000-0000-7000-8000-000000000000', code: 'not_found' })]);
    expect(res.body.actionIds).toHaveLength(1);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM moderation_action WHERE user_id = $1`, [a.id]);
    expect(n).toBe(1);
    for (const u of [b, c, d]) expect((await notices(u)).some((x) => x.kind === 'report_outcome')).toBe(true);
    const [msg] = await db.query('SELECT state FROM message WHERE id = $1', [m.body.id]);
    expect(msg.state).toBe('removed');
    void conversationId;
  });

  it("strikes climb the ladder: warn, restrict 24h, suspend 72h, ban (each default decision gives its policy's first severity: one strike)", async () => {
    const u = await registerUser(t.url);
    const suggested = async () => (await t.http().get(`/admin/v1/users/${u.id}/history`).set(moderator.auth)).body.suggestedAction;
    expect(await suggested()).toEqual({ action: 'warn' });
    await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn', note: '1' }).expect(200);
    expect((await notices(u)).find((n) => n.kind === 'warning')).toBeDefined();
    expect(await suggested()).toEqual({ action: 'restrict_messaging', durationHours: 24 });
    await t
      .http()
      .post(`/admin/v1/users/${u.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'restrict_messaging', durationHours: 1, note: '2' })
      .expect(200);
    expect(await suggested()).toEqual({ action: 'suspend', durationHours: 72 });
    // Strikes past their expiry no longer count (this one gave 3, which would mean a ban).
    await db.query(
      `INSERT INTO moderation_action (id, user_id, action, created_at, policy, severity, strikes, strikes_expire_at)
         VALUES ('0190a000-0000-7000-8000-00000000abcd', $1, 'warn', now() - interval '91 days', 'other', 'high', 3, now() - interval '1 day')`,
      [u.id],
    );
    const h = await t.http().get(`/admin/v1/users/${u.id}/history`).set(moderator.auth);
    expect(h.body.strikes).toBe(2);
    expect(await suggested()).toEqual({ action: 'suspend', durationHours: 72 });
    // A third strike: the ladder suggests a ban.
    await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn', note: '3' }).expect(200);
    expect(await suggested()).toEqual({ action: 'ban' });
    expect(h.body.actions).toHaveLength(3);
    expect(h.body.actions.map((x: { policy: string; strikes: number }) => [x.policy, x.strikes])).toEqual(
      expect.arrayContaining([
        ['other', 1],
        ['other', 1],
      ]),
    );
    expect(h.body.user).toMatchObject({ id: u.id, handle: u.handle, status: 'active' });
  });
});

describe('appeals', () => {
  it('the actioned user appeals once; an upheld appeal lifts the restriction and the strike', async () => {
    const { a, b, conversationId } = await chat();
    const act = await t
      .http()
      .post(`/admin/v1/users/${a.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'restrict_messaging', durationHours: 48, note: 'x' });
    const actionId = act.body.action.id;
    expect((await send(a, conversationId, 'blocked?')).status).toBe(403);
    const stranger = await t.http().post('/v1/appeals').set(b.auth).send({ actionId, text: 'not mine' });
    expect(stranger.status).toBe(404);
    const appeal = await t.http().post('/v1/appeals').set(a.auth).send({ actionId, text: 'I was quoting someone' });
    expect(appeal.status).toBe(201);
    expect(appeal.body).toMatchObject({ actionId, userId: a.id, status: 'open' });
    const twice = await t.http().post('/v1/appeals').set(a.auth).send({ actionId, text: 'again' });
    expect(twice.status).toBe(409);
    expectErrorShape(twice.body, 409, 'already_appealed');
    const byTriage = await t
      .http()
      .post(`/admin/v1/appeals/${appeal.body.id}/decide`)
      .set(triage.auth)
      .send({ decision: 'upheld', note: '' });
    expect(byTriage.status).toBe(403);
    const decided = await t
      .http()
      .post(`/admin/v1/appeals/${appeal.body.id}/decide`)
      .set(moderator.auth)
      .send({ decision: 'upheld', note: 'fair' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'upheld', decidedBy: moderator.staff.id });
    expect((await send(a, conversationId, 'free again')).status).toBe(201);
    const action = await t.http().get(`/admin/v1/actions/${actionId}`).set(moderator.auth);
    expect(action.body.liftedAt).not.toBeNull();
    expect((await t.http().get(`/admin/v1/users/${a.id}`).set(moderator.auth)).body).toMatchObject({ strikes: 0, restrictedUntil: null });
    expect((await notices(a)).find((n) => n.kind === 'appeal_decision')?.data).toMatchObject({ decision: 'upheld' });
    const redo = await t.http().post(`/admin/v1/appeals/${appeal.body.id}/decide`).set(moderator.auth).send({ decision: 'denied' });
    expect(redo.status).toBe(409);
  });

  it('upholding an appeal against a suspension lets the person back in at once', async () => {
    const u = await registerUser(t.url);
    const act = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'suspend', durationHours: 72 });
    expect((await t.http().get('/v1/me').set(u.auth)).status).toBe(401);
    // The person appealed (rows by SQL: a suspended account cannot call /v1 until it is over).
    const [ap] = await db.query(
      `INSERT INTO appeal (id, action_id, user_id, text) VALUES ('0190a000-0000-7000-8000-0000000000ee', $1, $2, 'please') RETURNING id`,
      [act.body.action.id, u.id],
    );
    const decided = await t.http().post(`/admin/v1/appeals/${ap.id}/decide`).set(admin.auth).send({ decision: 'upheld' });
    expect(decided.status).toBe(200);
    expect((await t.http().get('/v1/me').set(u.auth)).status).toBe(200);
  });
});

describe('system reports', () => {
  it('openSystemReport is idempotent on subject and reason and freezes evidence itself', async () => {
    const { a, conversationId } = await chat();
    const m = await send(a, conversationId, 'bad link https://evil.example/x');
    const reports = t.app.get(ReportsService);
    const input = { subjectType: 'message' as const, subjectId: m.body.id, subjectUserId: a.id, reason: 'malicious_link', note: 'scanner' };
    const [one, two] = [await db.tx((q) => reports.openSystemReport(q, input)), await db.tx((q) => reports.openSystemReport(q, input))];
    expect(one.created).toBe(true);
    expect(two).toMatchObject({ id: one.id, created: false });
    const res = await t.http().get(`/admin/v1/reports/${one.id}`).set(moderator.auth);
    expect(res.body).toMatchObject({ source: 'system', reporterId: null, subjectUserId: a.id });
    expect(res.body.evidence.messages.find((x: any) => x.reported).text).toBe('bad link https://evil.example/x');
  });
});

describe('audit log', () => {
  it('the database refuses UPDATE and DELETE on audit_log, even issued directly in SQL', async () => {
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM audit_log');
    expect(n).toBeGreaterThan(0);
    await expect(db.query(`UPDATE audit_log SET action = 'rewritten'`)).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    const [{ n: after }] = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'rewritten'`);
    expect(after).toBe(0);
  });

  it('no route edits or deletes it, admins included (every attempt is 405 method_not_allowed)', async () => {
    const [row] = await db.query('SELECT id FROM audit_log ORDER BY id LIMIT 1');
    for (const [method, path] of [
      ['post', '/admin/v1/audit-log'],
      ['put', `/admin/v1/audit-log/${row.id}`],
      ['patch', `/admin/v1/audit-log/${row.id}`],
      ['delete', `/admin/v1/audit-log/${row.id}`],
      ['delete', '/admin/v1/audit-log'],
    ] as const) {
      const res = await (t.http() as any)[method](path).set(admin.auth).send({ action: 'x' });
      expect([method, path, res.status]).toEqual([method, path, 405]);
      expectErrorShape(res.body, 405, 'method_not_allowed');
    }
    const one = await t.http().get(`/admin/v1/audit-log/${row.id}`).set(admin.auth);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: String(row.id), action: expect.any(String), createdAt: expect.any(String) });
  });
});
