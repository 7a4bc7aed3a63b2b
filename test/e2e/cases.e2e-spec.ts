import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { EnforcementService } from '@app/messaging/safety/enforcement/enforcement.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { until } from '../support/wait';

/**
 * Issue #15: cases (the queue by subject user), statements of reasons on every action path,
 * the appeal window, notice templates, mod mail, reporter receipts, outcomes and standing,
 * and the transparency counts reconciled with the audit log.
 */
let t: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
let moderator2: Staff;
let triage: Staff;
const STARTED = new Date(Date.now() - 60_000).toISOString();
const BLOCKED_DOMAIN = 'cases-phish.com';
const UNKNOWN = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91';

async function staffWith(role: 'admin' | 'moderator' | 'triage', displayName = `A ${role}`): Promise<Staff> {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t.http().post('/admin/v1/staff').set(admin.auth).send({ email, displayName, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

beforeAll(async () => {
  t = await startTestApp({
    label: 'cases',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', LIMIT_REPORTS: '1000/3600' },
  });
  db = t.app.get(Db);
  await db.query(`INSERT INTO blocklist_entry (id, pattern, kind, reason) VALUES ($1, $2, 'domain', 'phishing kit')`, [
    newId(),
    BLOCKED_DOMAIN,
  ]);
  admin = await loginStaff(t.url);
  [moderator, moderator2, triage] = await Promise.all([
    staffWith('moderator', 'Morgan Secretname'),
    staffWith('moderator'),
    staffWith('triage'),
  ]);
});
afterAll(async () => {
  await t?.close();
});

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const send = (u: TestUser, convId: string, text: string) =>
  t
    .http()
    .post(`/v1/conversations/${convId}/messages`)
    .set(u.auth)
    .send({ clientId: `c-${Math.random()}`, text });
const report = (u: TestUser, body: Record<string, unknown>) => t.http().post('/v1/reports').set(u.auth).send(body);
const caseOf = async (userId: string, status = 'open') => {
  const res = await t
    .http()
    .get(`/admin/v1/cases?filter=${q({ subjectUserId: userId, status })}`)
    .set(moderator.auth);
  expect(res.status).toBe(200);
  return res.body as any[];
};
const notices = async (u: TestUser) => (await t.http().get('/v1/notices').set(u.auth).expect(200)).body.items as any[];
const resolveCase = (s: Staff, id: string, body: Record<string, unknown>) =>
  t.http().post(`/admin/v1/cases/${id}/resolve`).set(s.auth).send(body);

/** Two users who follow each other, in an active direct conversation. */
async function chat(a: TestUser, b: TestUser) {
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect([200, 201]).toContain(c.status);
  return c.body.id as string;
}

/** A subject reported by `n` people about their account, in parallel; the open case. */
async function reportedUser(n: number, reason = 'harassment') {
  const subject = await registerUser(t.url);
  const reporters = await Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
  const res = await Promise.all(reporters.map((r) => report(r, { subjectType: 'user', subjectId: subject.id, reason })));
  for (const r of res) expect(r.status).toBe(201);
  const [c] = await caseOf(subject.id);
  return { subject, reporters, reportIds: res.map((r) => r.body.id as string), case: c };
}

describe('cases: one open case per subject user', () => {
  it('message, conversation, user and question reports about one person, filed at the same moment, make exactly one case', async () => {
    const subject = await registerUser(t.url);
    const [r1, r2, r3, r4] = await Promise.all([1, 2, 3, 4].map(() => registerUser(t.url)));
    const conv1 = await chat(subject, r1);
    const conv2 = await chat(subject, r2);
    const m = await send(subject, conv1, 'you are the worst');
    expect(m.status).toBe(201);
    // r4 hosts a live room; the subject asks a question there (r4 sees it: a moderator).
    const room = (await t.http().post('/v1/rooms').set(r4.auth).send({ title: 'Open mic' }).expect(201)).body;
    await t
      .http()
      .post(`/v1/rooms/${room.id}/join`)
      .set(subject.auth)
      .expect((res) => expect(res.status).toBeLessThan(300));
    const question = (await t.http().post(`/v1/rooms/${room.id}/questions`).set(subject.auth).send({ text: 'why so boring' }).expect(201))
      .body;
    // The subject hosts a live room of their own.
    await t.http().post('/v1/rooms').set(subject.auth).send({ title: 'My show' }).expect(201);

    const filed = await Promise.all([
      report(r1, { subjectType: 'message', subjectId: m.body.id, reason: 'harassment' }),
      report(r2, { subjectType: 'conversation', subjectId: conv2, reason: 'spam' }),
      report(r3, { subjectType: 'user', subjectId: subject.id, reason: 'hate' }),
      report(r4, { subjectType: 'question', subjectId: question.id, reason: 'other' }),
    ]);
    for (const f of filed) expect(f.status).toBe(201);
    const ids = filed.map((f) => f.body.id).sort();

    const cases = await caseOf(subject.id);
    expect(cases).toHaveLength(1);
    expect([...cases[0].reportIds].sort()).toEqual(ids);
    expect(cases[0]).toMatchObject({
      subjectUserId: subject.id,
      reportCount: 4,
      status: 'open',
      assigneeId: null,
      reasons: ['harassment', 'hate', 'other', 'spam'],
      reporterCount: 4,
      hostingLiveRoom: true,
      trustedFlagger: false,
    });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM moderation_case WHERE subject_user_id = $1`, [subject.id]);
    expect(n).toBe(1);
    // Every report names its case; the reports resource still lists them.
    const reports = await t
      .http()
      .get(`/admin/v1/reports?filter=${q({ caseId: cases[0].id })}`)
      .set(moderator.auth);
    expect(reports.body.map((r: any) => r.id).sort()).toEqual(ids);
    // GET one carries the reports inside the case.
    const one = await t.http().get(`/admin/v1/cases/${cases[0].id}`).set(triage.auth);
    expect(one.status).toBe(200);
    expect(one.body.reports.map((r: any) => r.id).sort()).toEqual(ids);
    expect(one.body.reports.every((r: any) => r.evidence === null)).toBe(true);
  });

  it(`twelve people reporting the same user at once make one case holding all twelve reports (${RACE_ROUNDS} rounds, a fresh subject each)`, async () => {
    const reporters = await Promise.all(Array.from({ length: 12 }, () => registerUser(t.url)));
    await raceRounds(RACE_ROUNDS, async () => {
      const subject = await registerUser(t.url);
      const res = await Promise.all(reporters.map((r) => report(r, { subjectType: 'user', subjectId: subject.id, reason: 'spam' })));
      expect(res.map((r) => r.status)).toEqual(reporters.map(() => 201));
      await expectContract(res[0], 'POST /v1/reports', 201);
      const cases = await caseOf(subject.id);
      expect(cases).toHaveLength(1);
      expect([...cases[0].reportIds].sort()).toEqual(res.map((r) => r.body.id).sort());
      expect(cases[0].reportCount).toBe(12);
    });
  });

  it('react-admin list conventions: Content-Range, sort, range, filter; bad filters are 400', async () => {
    await reportedUser(1);
    const res = await t
      .http()
      .get(`/admin/v1/cases?sort=${q(['priority', 'DESC'])}&range=${q([0, 1])}&filter=${q({ status: 'open' })}`)
      .set(moderator.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toMatch(/^cases 0-1\/\d+$/);
    expect(res.body).toHaveLength(2);
    expect(res.body[0].priority).toBeGreaterThanOrEqual(res.body[1].priority);
    await expectContract(res, 'GET /admin/v1/cases', 200);
    const bad = await t
      .http()
      .get(`/admin/v1/cases?filter=${q({ nope: 1 })}`)
      .set(moderator.auth);
    expectErrorShape(bad.body, 400, 'invalid_request');
    await expectError(bad, 'GET /admin/v1/cases', 400, 'invalid_request');
  });

  it('unknown or malformed case ids are 404 on every case route', async () => {
    for (const id of [UNKNOWN, 'not-a-uuid']) {
      expect((await t.http().get(`/admin/v1/cases/${id}`).set(moderator.auth)).status).toBe(404);
      expect((await t.http().post(`/admin/v1/cases/${id}/claim`).set(moderator.auth)).status).toBe(404);
      await expectError(await resolveCase(moderator, id, { action: 'dismiss' }), 'POST /admin/v1/cases/{id}/resolve', 404, 'not_found');
      expect(
        (await t.http().post(`/admin/v1/cases/${id}/messages`).set(moderator.auth).send({ recipientId: UNKNOWN, text: 'hi' })).status,
      ).toBe(404);
      expect((await t.http().get(`/admin/v1/cases/${id}/messages`).set(moderator.auth)).status).toBe(404);
      const notice = await t
        .http()
        .post(`/v1/notices/${id}/reply`)
        .set((await registerUser(t.url)).auth)
        .send({ text: 'x' });
      expectErrorShape(notice.body, 404, 'not_found');
    }
  });
});

describe('cases: claim, assign, resolve', () => {
  it('triage reads cases but every write is 403 forbidden_role', async () => {
    const { case: c, subject } = await reportedUser(1);
    expect((await t.http().get('/admin/v1/cases').set(triage.auth)).status).toBe(200);
    for (const res of [
      await t.http().post(`/admin/v1/cases/${c.id}/claim`).set(triage.auth),
      await t.http().post(`/admin/v1/cases/${c.id}/assign`).set(triage.auth).send({ assigneeId: null }),
      await resolveCase(triage, c.id, { action: 'dismiss' }),
      await t.http().post(`/admin/v1/cases/${c.id}/messages`).set(triage.auth).send({ recipientId: subject.id, text: 'hi' }),
      await t.http().put(`/admin/v1/users/${subject.id}/reporter`).set(triage.auth).send({ muted: true }),
    ])
      expectErrorShape(res.body, 403, 'forbidden_role');
  });

  it(`racing claims of one case by two moderators have exactly one winner, whom every report of the case follows (${RACE_ROUNDS} rounds, a fresh case each)`, async () => {
    const reporters = await Promise.all([1, 2].map(() => registerUser(t.url)));
    await raceRounds(RACE_ROUNDS, async () => {
      const subject = await registerUser(t.url);
      for (const r of reporters) expect((await report(r, { subjectType: 'user', subjectId: subject.id, reason: 'spam' })).status).toBe(201);
      const [c] = await caseOf(subject.id);
      const claims = await Promise.all([moderator, moderator2].map((s) => t.http().post(`/admin/v1/cases/${c.id}/claim`).set(s.auth)));
      expect(claims.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(claims.find((r) => r.status === 409)!.body.code).toBe('already_claimed');
      const winner = claims[0].status === 200 ? moderator : moderator2;
      expect(await db.query('SELECT DISTINCT assignee_id FROM report WHERE case_id = $1', [c.id])).toEqual([
        { assignee_id: winner.staff.id },
      ]);
      const audit = await db.query(`SELECT action FROM audit_log WHERE subject_type = 'case' AND subject_id = $1`, [c.id]);
      expect(audit.map((a) => a.action)).toEqual(['case.claim']);
    });
  });

  it('claim is exclusive (409 already_claimed for another moderator), assign hands it on, and the reports follow the case', async () => {
    const { case: c } = await reportedUser(2);
    const claims = await Promise.all([moderator, moderator2].map((s) => t.http().post(`/admin/v1/cases/${c.id}/claim`).set(s.auth)));
    expect(claims.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = claims[0].status === 200 ? moderator : moderator2;
    const loser = winner === moderator ? moderator2 : moderator;
    expect(claims.find((r) => r.status === 409)!.body.code).toBe('already_claimed');
    expect((await resolveCase(loser, c.id, { action: 'dismiss' })).body.code).toBe('already_claimed');
    await expectError(await resolveCase(loser, c.id, { action: 'dismiss' }), 'POST /admin/v1/cases/{id}/resolve', 409, 'already_claimed');
    const reports = await db.query('SELECT DISTINCT assignee_id FROM report WHERE case_id = $1', [c.id]);
    expect(reports).toEqual([{ assignee_id: winner.staff.id }]);

    expectErrorShape(
      (await t.http().post(`/admin/v1/cases/${c.id}/assign`).set(winner.auth).send({ assigneeId: triage.staff.id })).body,
      422,
      'unprocessable',
    );
    const handed = await t.http().post(`/admin/v1/cases/${c.id}/assign`).set(winner.auth).send({ assigneeId: loser.staff.id });
    expect(handed.status).toBe(200);
    expect(handed.body.assigneeId).toBe(loser.staff.id);
    const audit = await db.query(`SELECT action FROM audit_log WHERE subject_type = 'case' AND subject_id = $1 ORDER BY seq`, [c.id]);
    expect(audit.map((a) => a.action)).toEqual(['case.claim', 'case.assign']);
  });

  it('resolving a case resolves every report with one action, one audit entry per report, a statement to the subject and an outcome to each reporter', async () => {
    const { subject, reporters, reportIds, case: c } = await reportedUser(3, 'hate');
    const res = await resolveCase(moderator, c.id, { action: 'suspend', durationHours: 24, note: 'internal: clear hate' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: c.id,
      status: 'resolved',
      resolution: expect.objectContaining({ action: 'suspend', durationHours: 24 }),
    });
    expect([...res.body.reportIds].sort()).toEqual([...reportIds].sort());

    const reports = await db.query('SELECT status, resolution FROM report WHERE id = ANY($1::uuid[])', [reportIds]);
    expect(reports.every((r) => r.status === 'resolved' && r.resolution.action === 'suspend' && r.resolution.caseId === c.id)).toBe(true);
    const actions = await db.query(`SELECT id, action, automated FROM moderation_action WHERE user_id = $1`, [subject.id]);
    expect(actions).toEqual([{ id: expect.any(String), action: 'suspend', automated: false }]);
    const audit = await db.query(
      `SELECT action, subject_id FROM audit_log WHERE (subject_type = 'report' AND subject_id = ANY($1::text[]) AND action = 'report.resolve')
          OR (subject_id = $2 AND action = 'user.suspend') OR (subject_id = $3 AND action = 'case.resolve')`,
      [reportIds, subject.id, c.id],
    );
    expect(
      audit
        .filter((a) => a.action === 'report.resolve')
        .map((a) => a.subject_id)
        .sort(),
    ).toEqual([...reportIds].sort());
    expect(audit.filter((a) => a.action === 'user.suspend')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'case.resolve')).toHaveLength(1);

    // The subject's statement of reasons (read from the database: a suspended account cannot sign in).
    const [n] = await db.query(`SELECT kind, text, statement FROM notice WHERE user_id = $1 AND kind = 'enforcement'`, [subject.id]);
    expect(n.statement).toMatchObject({
      action: 'suspend',
      automated: false,
      // v1.2: the ground names the policy (the reports' reason's: hate), with its description.
      ground: expect.stringMatching(/^Community Guidelines: Hateful conduct\. Attacking or dehumanising people/),
      endsAt: expect.any(String),
      appeal: { possible: true, until: expect.any(String) },
    });
    expect(n.statement.facts).toMatch(/3 reports about your account/);
    const days = (Date.parse(n.statement.appeal.until) - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(179);
    expect(days).toBeLessThan(181);
    expect(JSON.stringify(n)).not.toMatch(/internal: clear hate/);

    // Reporters: a receipt at filing, then the outcome without the action; accuracy updated.
    for (const r of reporters) {
      const mine = await notices(r);
      expect(mine.map((x) => x.kind).sort()).toEqual(['report_outcome', 'report_received']);
      const outcome = mine.find((x) => x.kind === 'report_outcome');
      expect(outcome.text).toMatch(/took action/);
      expect(JSON.stringify(outcome)).not.toMatch(/suspend/);
      expect(outcome.statement).toBeNull();
      const standing = await t.http().get(`/admin/v1/users/${r.id}/reporter`).set(triage.auth);
      expect(standing.body).toMatchObject({ judged: 1, founded: 1, accuracy: 0.667, trustedFlagger: false, muted: false });
    }

    // Resolved: a second resolve is 409; the next report about the subject opens a new case.
    expectErrorShape((await resolveCase(moderator, c.id, { action: 'dismiss' })).body, 409, 'conflict');
    const later = await registerUser(t.url);
    expect((await report(later, { subjectType: 'user', subjectId: subject.id, reason: 'spam' })).status).toBe(201);
    const [fresh] = await caseOf(subject.id);
    expect(fresh.id).not.toBe(c.id);
    expect(fresh.reportCount).toBe(1);
  });

  it(`reports filed while the case is being resolved land in the resolved case or in one new open case, never in a closed one (${RACE_ROUNDS} rounds, a fresh subject each)`, async () => {
    const first = await registerUser(t.url);
    const late = await Promise.all([1, 2, 3, 4, 5].map(() => registerUser(t.url)));
    await raceRounds(RACE_ROUNDS, async () => {
      const subject = await registerUser(t.url);
      expect((await report(first, { subjectType: 'user', subjectId: subject.id, reason: 'spam' })).status).toBe(201);
      const [c] = await caseOf(subject.id);
      const [resolved, ...filed] = await Promise.all([
        resolveCase(moderator, c.id, { action: 'warn' }),
        ...late.map((u) => report(u, { subjectType: 'user', subjectId: subject.id, reason: 'harassment' })),
      ]);
      expect(resolved.status).toBe(200);
      for (const f of filed) expect(f.status).toBe(201);
      const rows = await db.query(
        `SELECT r.status, r.case_id, c.status AS case_status FROM report r JOIN moderation_case c ON c.id = r.case_id WHERE r.subject_user_id = $1`,
        [subject.id],
      );
      expect(rows).toHaveLength(6);
      // Every report is either resolved with its case, or open in an open case.
      for (const r of rows) expect([r.status === 'resolved' ? 'resolved' : 'open', r.case_status]).toEqual([r.case_status, r.case_status]);
      const open = await db.query(`SELECT id FROM moderation_case WHERE subject_user_id = $1 AND status = 'open'`, [subject.id]);
      // One open case exactly when some report is still open, else none.
      expect(open.length).toBe(rows.some((r) => r.status !== 'resolved') ? 1 : 0);
    });
  });

  it('a dismissed case counts against each reporter: judged, not founded', async () => {
    const { reporters, case: c } = await reportedUser(1, 'spam');
    await expectContract(await resolveCase(moderator, c.id, { action: 'dismiss' }), 'POST /admin/v1/cases/{id}/resolve', 200);
    const standing = await t.http().get(`/admin/v1/users/${reporters[0].id}/reporter`).set(moderator.auth);
    expect(standing.body).toMatchObject({ judged: 1, founded: 0 });
    expect((await notices(reporters[0])).find((n) => n.kind === 'report_outcome').text).toMatch(/no violation/);
  });

  it('resolving the last open report through the reports route closes the case', async () => {
    const { reportIds, case: c } = await reportedUser(1);
    await expectContract(
      await t.http().post(`/admin/v1/reports/${reportIds[0]}/resolve`).set(moderator.auth).send({ action: 'dismiss' }),
      'POST /admin/v1/reports/{id}/resolve',
      200,
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${reportIds[0]}/resolve`).set(moderator.auth).send({ action: 'dismiss' }),
      'POST /admin/v1/reports/{id}/resolve',
      409,
      'conflict',
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${UNKNOWN}/resolve`).set(moderator.auth).send({ action: 'dismiss' }),
      'POST /admin/v1/reports/{id}/resolve',
      404,
      'not_found',
    );
    const one = await t.http().get(`/admin/v1/cases/${c.id}`).set(moderator.auth);
    expect(one.body.status).toBe('resolved');
  });
});

describe('statements of reasons on every action path', () => {
  it('a direct staff action (warn) and a lift give the user a notice with a statement', async () => {
    const u = await registerUser(t.url);
    const warn = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn', note: 'x' });
    expect(warn.status).toBe(200);
    await expectContract(warn, 'POST /admin/v1/users/{id}/actions', 200);
    await expectError(
      await t.http().post(`/admin/v1/users/${UNKNOWN}/actions`).set(moderator.auth).send({ action: 'warn' }),
      'POST /admin/v1/users/{id}/actions',
      404,
      'not_found',
    );
    await expectError(
      await t.http().post(`/admin/v1/users/${u.id}/actions`).set(triage.auth).send({ action: 'warn' }),
      'POST /admin/v1/users/{id}/actions',
      403,
      'forbidden_role',
    );
    const restrict = await t
      .http()
      .post(`/admin/v1/users/${u.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'restrict_messaging', durationHours: 5 });
    const lifted = await t.http().post(`/admin/v1/actions/${restrict.body.action.id}/lift`).set(moderator.auth).send({ note: 'mistake' });
    expect(lifted.status).toBe(200);
    await expectContract(lifted, 'POST /admin/v1/actions/{id}/lift', 200);
    const mine = await notices(u);
    const warning = mine.find((n) => n.kind === 'warning');
    expect(warning.statement).toMatchObject({
      action: 'warn',
      automated: false,
      endsAt: null,
      appeal: { possible: true, until: warning.data.expiresAt ?? expect.any(String) },
    });
    const restriction = mine.find((n) => n.kind === 'enforcement');
    expect(restriction.statement).toMatchObject({
      action: 'restrict_messaging',
      endsAt: restrict.body.action.expiresAt,
      appeal: { possible: true },
    });
    expect(restriction.statement.appeal.until).toBe(restrict.body.action.appealUntil);
    const lift = mine.find((n) => n.kind === 'action_lifted');
    expect(lift.statement).toMatchObject({ action: 'lift', automated: false, endsAt: null, appeal: { possible: false, until: null } });
  });

  it('a timed suspension that runs its course tells the user, once, with an automated statement', async () => {
    const u = await registerUser(t.url);
    const act = await t
      .http()
      .post(`/admin/v1/users/${u.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'suspend', durationHours: 0.001 });
    expect(act.status).toBe(200);
    const ended = await until(
      'action_ended notice',
      async () => (await db.query(`SELECT kind, text, statement FROM notice WHERE user_id = $1 AND kind = 'action_ended'`, [u.id]))[0],
      20_000,
    );
    expect(ended.statement).toEqual({
      action: 'expire',
      facts: ended.text,
      ground: 'Community Guidelines',
      automated: true,
      endsAt: null,
      appeal: { possible: false, until: null },
    });
    expect((await t.http().get('/v1/me').set(u.auth)).status).toBe(200);
    // The sweep running again changes nothing and sends nothing more.
    await t.app.get(EnforcementService).expireDue();
    expect(await db.query(`SELECT id FROM notice WHERE user_id = $1 AND kind = 'action_ended'`, [u.id])).toHaveLength(1);
  });

  it("a malicious link removal is an automated remove_content action: statement (automated), audit entry without staff, appealable, joins the sender's case, under policy scam with its first severity's strike", async () => {
    const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
    const conv = await chat(a, b);
    const sent = await send(a, conv, `claim it at https://login.${BLOCKED_DOMAIN}/gift`);
    expect(sent.status).toBe(201);
    const notice = await until('removal notice', async () => (await notices(a)).find((n) => n.kind === 'content_removed'));
    expect(notice.data).toMatchObject({
      subjectType: 'message',
      subjectId: sent.body.id,
      reason: 'malicious_link',
      actionId: expect.any(String),
    });
    expect(notice.statement).toMatchObject({
      action: 'remove_content',
      automated: true,
      endsAt: null,
      // v1.2: malicious-link removals fall under the `scam` policy.
      ground: expect.stringMatching(/^Community Guidelines: Scams and fraud\. /),
      appeal: { possible: true, until: expect.any(String) },
    });
    expect(notice.statement.facts).toMatch(new RegExp(BLOCKED_DOMAIN));
    const [action] = await db.query('SELECT action, automated, staff_id, policy, severity, strikes FROM moderation_action WHERE id = $1', [
      notice.data.actionId,
    ]);
    expect(action).toEqual({ action: 'remove_content', automated: true, staff_id: null, policy: 'scam', severity: 'low', strikes: 1 });
    const audit = await db.query(`SELECT staff_id, after FROM audit_log WHERE action = 'user.remove_content' AND subject_id = $1`, [a.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ staff_id: null, after: { automated: true, actionId: notice.data.actionId } });
    // The system report is in the sender's case.
    const c = await until('case', async () => (await caseOf(a.id))[0]);
    expect(c).toMatchObject({ systemReports: 1, reasons: ['scam'] });
    // v1.2: every action gives its severity's strikes, automated ones too (scam's first severity: one).
    const user = await t.http().get(`/admin/v1/users/${a.id}`).set(moderator.auth);
    expect(user.body.strikes).toBe(1);
    const appeal = await t.http().post('/v1/appeals').set(a.auth).send({ actionId: notice.data.actionId, text: 'It was my own shop.' });
    expect(appeal.status).toBe(201);
  });
});

describe('appeal window', () => {
  it('an appeal within the stated window is accepted; after it, 422 appeal_window_passed', async () => {
    const u = await registerUser(t.url);
    const first = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn' });
    const second = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn' });
    await expectContract(
      await t.http().post('/v1/appeals').set(u.auth).send({ actionId: first.body.action.id, text: 'please' }),
      'POST /v1/appeals',
      201,
    );
    await expectError(
      await t.http().post('/v1/appeals').set(u.auth).send({ actionId: first.body.action.id, text: 'again' }),
      'POST /v1/appeals',
      409,
      'already_appealed',
    );
    await expectContract(await t.http().get('/v1/appeals').set(u.auth), 'GET /v1/appeals', 200);
    await expectError(await t.http().get('/v1/appeals'), 'GET /v1/appeals', 401, 'unauthorized');
    await expectContract(await t.http().get('/v1/notices').set(u.auth), 'GET /v1/notices', 200);
    await expectError(await t.http().get('/v1/notices?limit=0').set(u.auth), 'GET /v1/notices', 400, 'invalid_request');
    await db.query(`UPDATE moderation_action SET appeal_until = now() - interval '1 minute' WHERE id = $1`, [second.body.action.id]);
    const late = await t.http().post('/v1/appeals').set(u.auth).send({ actionId: second.body.action.id, text: 'please' });
    expectErrorShape(late.body, 422, 'appeal_window_passed');
    await expectError(late, 'POST /v1/appeals', 422, 'appeal_window_passed');
  });
});

describe('templates', () => {
  it('admins write templates (audited), moderators and triage read them, unknown variables are refused', async () => {
    const created = await t
      .http()
      .post('/admin/v1/templates')
      .set(admin.auth)
      .send({ name: 'Suspension', body: 'Hi {{handle}}, {{action}} until {{endsAt}} for {{reason}}.' });
    expect(created.status).toBe(201);
    expect(created.body.variables).toEqual(['handle', 'action', 'endsAt', 'reason']);
    expectErrorShape(
      (await t.http().post('/admin/v1/templates').set(moderator.auth).send({ name: 'x', body: 'y' })).body,
      403,
      'forbidden_role',
    );
    expectErrorShape(
      (await t.http().put(`/admin/v1/templates/${created.body.id}`).set(moderator.auth).send({ body: 'y' })).body,
      403,
      'forbidden_role',
    );
    expectErrorShape(
      (await t.http().post('/admin/v1/templates').set(admin.auth).send({ name: 'x', body: '{{nope}}' })).body,
      422,
      'template_variable_unknown',
    );
    const list = await t.http().get('/admin/v1/templates').set(triage.auth);
    expect(list.status).toBe(200);
    expect(list.headers['content-range']).toMatch(/^templates /);
    const edited = await t.http().put(`/admin/v1/templates/${created.body.id}`).set(admin.auth).send({ name: 'Suspension v2' });
    expect(edited.body.name).toBe('Suspension v2');
    const audit = await db.query(
      `SELECT action, before, after FROM audit_log WHERE subject_type = 'template' AND subject_id = $1 ORDER BY seq`,
      [created.body.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['template.create', 'template.update']);
    expect(audit[1].before.name).toBe('Suspension');
    expect(audit[1].after.name).toBe('Suspension v2');
    expect((await t.http().get(`/admin/v1/templates/${UNKNOWN}`).set(admin.auth)).status).toBe(404);
  });

  it('a template leaving a variable unfilled cannot be sent (422 template_variable_missing, nothing changes); filled, it words the notice', async () => {
    const tpl = (
      await t
        .http()
        .post('/admin/v1/templates')
        .set(admin.auth)
        .send({ name: 'Timed', body: 'Hi {{handle}}: {{action}} until {{endsAt}}, for {{reason}}.' })
    ).body;
    const { subject, case: c } = await reportedUser(1, 'spam');
    const missing = await resolveCase(moderator, c.id, { action: 'warn', templateId: tpl.id });
    expectErrorShape(missing.body, 422, 'template_variable_missing');
    expect(missing.body.details).toEqual({ missing: ['endsAt'] });
    expect((await caseOf(subject.id))[0].status).toBe('open');
    expect(await db.query('SELECT id FROM moderation_action WHERE user_id = $1', [subject.id])).toEqual([]);
    expectErrorShape((await resolveCase(moderator, c.id, { action: 'warn', templateId: UNKNOWN })).body, 422, 'unprocessable');

    const ok = await resolveCase(moderator, c.id, { action: 'restrict_messaging', durationHours: 2, templateId: tpl.id });
    expect(ok.status).toBe(200);
    const n = (await notices(subject)).find((x) => x.kind === 'enforcement');
    expect(n.text).toMatch(new RegExp(`^Hi ${subject.handle}: a messaging restriction until .+ GMT, for spam\\.$`));
    expect(n.data.templateId).toBe(tpl.id);
    expect(n.statement.action).toBe('restrict_messaging');
  });
});

describe('mod mail', () => {
  it('staff write to the subject and a reporter from the team identity; each answers once (409 after, racing too); all on the case and in the audit log', async () => {
    const { subject, reporters, case: c } = await reportedUser(1);
    const stranger = await registerUser(t.url);
    expectErrorShape(
      (await t.http().post(`/admin/v1/cases/${c.id}/messages`).set(moderator.auth).send({ recipientId: stranger.id, text: 'hi' })).body,
      422,
      'not_in_case',
    );
    const toSubject = await t
      .http()
      .post(`/admin/v1/cases/${c.id}/messages`)
      .set(moderator.auth)
      .send({ recipientId: subject.id, text: 'Tell us what happened.' });
    expect(toSubject.status).toBe(201);
    expect(toSubject.body).toMatchObject({ recipientRole: 'subject', staffName: 'Morgan Secretname', reply: null });
    const toReporter = await t
      .http()
      .post(`/admin/v1/cases/${c.id}/messages`)
      .set(moderator.auth)
      .send({ recipientId: reporters[0].id, text: 'Any screenshots?' });
    expect(toReporter.body.recipientRole).toBe('reporter');

    const seen = (await notices(subject)).find((n) => n.kind === 'case_message');
    expect(seen).toMatchObject({
      text: 'Tell us what happened.',
      replyable: true,
      reply: null,
      data: { from: 'Backchannel Trust & Safety' },
    });
    expect(JSON.stringify(seen)).not.toMatch(/Morgan|Secretname/);
    // Someone else cannot answer it.
    expect((await t.http().post(`/v1/notices/${seen.id}/reply`).set(stranger.auth).send({ text: 'me' })).status).toBe(404);
    const answer = await t.http().post(`/v1/notices/${seen.id}/reply`).set(subject.auth).send({ text: 'It was a joke.' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: seen.id, replyable: false, reply: { text: 'It was a joke.' } });
    expectErrorShape(
      (await t.http().post(`/v1/notices/${seen.id}/reply`).set(subject.auth).send({ text: 'again' })).body,
      409,
      'already_replied',
    );

    const reporterNotice = (await notices(reporters[0])).find((n) => n.kind === 'case_message');
    const racing = await Promise.all(
      [1, 2, 3].map((i) =>
        t
          .http()
          .post(`/v1/notices/${reporterNotice.id}/reply`)
          .set(reporters[0].auth)
          .send({ text: `answer ${i}` }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    // Only a staff message can be answered.
    const receipt = (await notices(reporters[0])).find((n) => n.kind === 'report_received');
    expectErrorShape(
      (await t.http().post(`/v1/notices/${receipt.id}/reply`).set(reporters[0].auth).send({ text: 'x' })).body,
      422,
      'unprocessable',
    );

    const thread = await t.http().get(`/admin/v1/cases/${c.id}/messages`).set(triage.auth);
    expect(thread.body.items.map((m: any) => [m.recipientRole, m.reply])).toEqual([
      ['subject', 'It was a joke.'],
      ['reporter', expect.stringMatching(/^answer \d$/)],
    ]);
    const audit = await db.query(`SELECT action, staff_id FROM audit_log WHERE subject_type = 'case' AND subject_id = $1 ORDER BY seq`, [
      c.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['case.message', 'case.message', 'case.reply', 'case.reply', 'case.messages.read']);
    expect(audit.filter((a) => a.action === 'case.reply').every((a) => a.staff_id === null)).toBe(true);
  });
});

describe('mod mail reads', () => {
  it("every staff read of a case's mod mail (users' private answers) is one audit entry naming the reader and what was read", async () => {
    const { subject, case: c } = await reportedUser(1);
    const sent = await t
      .http()
      .post(`/admin/v1/cases/${c.id}/messages`)
      .set(moderator.auth)
      .send({ recipientId: subject.id, text: 'What happened?' });
    expect(sent.status).toBe(201);
    const seen = (await notices(subject)).find((n) => n.kind === 'case_message');
    expect((await t.http().post(`/v1/notices/${seen.id}/reply`).set(subject.auth).send({ text: 'my private side of it' })).status).toBe(
      200,
    );
    const reads = () =>
      db.query(`SELECT staff_id, after FROM audit_log WHERE action = 'case.messages.read' AND subject_id = $1 ORDER BY seq`, [c.id]);
    expect(await reads()).toEqual([]);

    // Every staff role reads it (as every role reads a report's evidence), and each read is recorded.
    for (const reader of [triage, moderator, admin]) {
      const thread = await t.http().get(`/admin/v1/cases/${c.id}/messages`).set(reader.auth);
      expect(thread.status).toBe(200);
      expect(thread.body.items.map((m: any) => m.reply)).toEqual(['my private side of it']);
    }
    const entries = await reads();
    expect(entries.map((e) => e.staff_id)).toEqual([triage.staff.id, moderator.staff.id, admin.staff.id]);
    expect(entries[0].after).toEqual({ messageIds: [sent.body.id], replies: 1 });
    // An unknown case reads nothing and records nothing.
    expect((await t.http().get(`/admin/v1/cases/${UNKNOWN}/messages`).set(triage.auth)).status).toBe(404);
    expect(await db.query(`SELECT 1 FROM audit_log WHERE action = 'case.messages.read' AND subject_id = $1`, [UNKNOWN])).toEqual([]);
  });
});

describe('reporters: trusted flaggers and muted reporters', () => {
  it("only admins make a trusted flagger; a trusted flagger's case goes ahead of an older identical one; a muted reporter's goes last", async () => {
    const trusted = await registerUser(t.url);
    const muted = await registerUser(t.url);
    expectErrorShape(
      (await t.http().put(`/admin/v1/users/${trusted.id}/reporter`).set(moderator.auth).send({ trustedFlagger: true })).body,
      403,
      'forbidden_role',
    );
    expect(
      (await t.http().put(`/admin/v1/users/${trusted.id}/reporter`).set(admin.auth).send({ trustedFlagger: true })).body.trustedFlagger,
    ).toBe(true);
    expect((await t.http().put(`/admin/v1/users/${muted.id}/reporter`).set(moderator.auth).send({ muted: true })).body.muted).toBe(true);
    expect((await t.http().put(`/admin/v1/users/${UNKNOWN}/reporter`).set(moderator.auth).send({ muted: true })).status).toBe(404);

    const [older, newer, mutedSubject] = [await registerUser(t.url), await registerUser(t.url), await registerUser(t.url)];
    const plain = await registerUser(t.url);
    expect((await report(plain, { subjectType: 'user', subjectId: older.id, reason: 'spam' })).status).toBe(201);
    expect((await report(trusted, { subjectType: 'user', subjectId: newer.id, reason: 'spam' })).status).toBe(201);
    expect((await report(muted, { subjectType: 'user', subjectId: mutedSubject.id, reason: 'spam' })).status).toBe(201);
    const queue = await t
      .http()
      .get(`/admin/v1/cases?filter=${q({ subjectUserId: [older.id, newer.id, mutedSubject.id] })}&sort=${q(['priority', 'DESC'])}`)
      .set(moderator.auth);
    expect(queue.body.map((c: any) => c.subjectUserId)).toEqual([newer.id, older.id, mutedSubject.id]);
    expect(queue.body[0].trustedFlagger).toBe(true);
    expect(queue.body[2].reporterCount).toBe(0);
    // Muted reporters still get their receipt.
    expect((await notices(muted)).some((n) => n.kind === 'report_received')).toBe(true);
    const audit = await db.query(`SELECT action FROM audit_log WHERE action = 'user.reporter_standing' AND subject_id = ANY($1::text[])`, [
      [trusted.id, muted.id],
    ]);
    expect(audit).toHaveLength(2);
  });
});

describe('transparency', () => {
  it('admin only; bad periods are 400', async () => {
    expectErrorShape((await t.http().get('/admin/v1/transparency').set(moderator.auth)).body, 403, 'forbidden_role');
    await expectError(
      await t.http().get('/admin/v1/transparency').set(moderator.auth),
      'GET /admin/v1/transparency',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().get('/admin/v1/transparency?from=yesterday').set(admin.auth),
      'GET /admin/v1/transparency',
      400,
      'invalid_request',
    );
    expectErrorShape((await t.http().get('/admin/v1/transparency?from=yesterday').set(admin.auth)).body, 400, 'invalid_request');
    expectErrorShape(
      (await t.http().get('/admin/v1/transparency?from=2026-02-01&to=2026-01-01').set(admin.auth)).body,
      400,
      'invalid_request',
    );
    const empty = await t.http().get('/admin/v1/transparency?from=2020-01-01&to=2020-02-01').set(admin.auth);
    expect(empty.body).toEqual({
      from: '2020-01-01T00:00:00.000Z',
      to: '2020-02-01T00:00:00.000Z',
      reports: { total: 0, byReason: {}, bySource: {} },
      actions: { total: 0, byAction: {}, automated: 0 },
      appeals: { total: 0, upheld: 0, rejected: 0 },
      medianHoursToAction: null,
    });
    await expectContract(empty, 'GET /admin/v1/transparency', 200);
  });

  it('the counts of the period reconcile with the audit log', async () => {
    // Seed a few more decisions: an upheld and a denied appeal, a ban.
    const u = await registerUser(t.url);
    const w1 = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn' });
    const w2 = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send({ action: 'warn' });
    const ap1 = await t.http().post('/v1/appeals').set(u.auth).send({ actionId: w1.body.action.id, text: 'a' });
    const ap2 = await t.http().post('/v1/appeals').set(u.auth).send({ actionId: w2.body.action.id, text: 'b' });
    expect((await t.http().post(`/admin/v1/appeals/${ap1.body.id}/decide`).set(moderator.auth).send({ decision: 'upheld' })).status).toBe(
      200,
    );
    expect((await t.http().post(`/admin/v1/appeals/${ap2.body.id}/decide`).set(moderator.auth).send({ decision: 'denied' })).status).toBe(
      200,
    );
    const { case: c } = await reportedUser(2, 'violence');
    expect((await resolveCase(moderator, c.id, { action: 'ban' })).status).toBe(200);

    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await t.http().get(`/admin/v1/transparency?from=${STARTED}&to=${to}`).set(admin.auth);
    expect(res.status).toBe(200);
    const body = res.body;

    // The audit log, read through its own route, page by page.
    const entries: any[] = [];
    for (let start = 0; ; start += 500) {
      const page = await t
        .http()
        .get(`/admin/v1/audit-log?sort=${q(['seq', 'ASC'])}&range=${q([start, start + 499])}`)
        .set(admin.auth);
      entries.push(...page.body);
      if (page.body.length < 500) break;
    }
    const inPeriod = entries.filter((e) => e.createdAt >= STARTED && e.createdAt < to);
    const tally = (rows: any[], f: (e: any) => string) =>
      rows.reduce((acc: Record<string, number>, e) => ({ ...acc, [f(e)]: (acc[f(e)] ?? 0) + 1 }), {});
    const ACTIONS = ['user.warn', 'user.remove_content', 'user.restrict_messaging', 'user.suspend', 'user.ban'];
    const filed = inPeriod.filter((e) => e.action === 'report.create');
    const acted = inPeriod.filter((e) => ACTIONS.includes(e.action));
    expect(body.reports).toEqual({
      total: filed.length,
      byReason: tally(filed, (e) => e.after.reason),
      bySource: tally(filed, (e) => e.after.source),
    });
    expect(body.actions).toEqual({
      total: acted.length,
      byAction: tally(acted, (e) => e.action.slice('user.'.length)),
      automated: acted.filter((e) => e.staffId === null).length,
    });
    expect(body.appeals).toEqual({
      total: inPeriod.filter((e) => e.action === 'appeal.create').length,
      upheld: inPeriod.filter((e) => e.action === 'appeal.uphold').length,
      rejected: inPeriod.filter((e) => e.action === 'appeal.deny').length,
    });
    // Not vacuous: this file took actions of several kinds, some automated, and decided appeals both ways.
    expect(body.reports.bySource.system).toBeGreaterThanOrEqual(1);
    expect(body.actions.automated).toBeGreaterThanOrEqual(1);
    expect(body.actions.byAction.ban).toBeGreaterThanOrEqual(1);
    expect(body.appeals.upheld).toBeGreaterThanOrEqual(1);
    expect(body.appeals.rejected).toBeGreaterThanOrEqual(1);
    expect(typeof body.medianHoursToAction).toBe('number');
    // The audit chain is intact after all of it.
    expect((await t.http().get('/admin/v1/audit-log/verify').set(admin.auth)).body).toMatchObject({ ok: true });
  });
});
