import { randomUUID } from 'node:crypto';
import { validateStatement } from '@app/messaging/safety/dsa/statement-validator';
import { startTestApp, type TestApp } from '../support/app';
import { expectContract, expectError } from '../support/contract';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';

/**
 * API.md v1.2 "Trusted flaggers and reporters who misuse reporting" (DSA Art. 22, 23):
 * designating a trusted flagger, what their reports get (source, deadline, the front of the
 * queue, SOURCE_TRUSTED_FLAGGER in the statement), and a reporter's precision.
 */
let t: TestApp;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
let triage: Staff;

async function staffMember(role: string): Promise<Staff> {
  const email = `${uniqueHandle(role)}@example.com`;
  await t.http().post('/admin/v1/staff').set(admin.auth).send({ email, displayName: role, password: 'staff-password-1', role }).expect(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

beforeAll(async () => {
  t = await startTestApp({ label: 'trusted_flaggers', env: { LIMIT_REPORTS: '1000/3600' } });
  admin = await loginStaff(t.url);
  moderator = await staffMember('moderator');
  triage = await staffMember('triage');
});
afterAll(async () => {
  await t?.close();
});

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const report = async (u: TestUser, body: Record<string, unknown>) => {
  const res = await t.http().post('/v1/reports').set(u.auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const reportRow = async (id: string) => (await t.http().get(`/admin/v1/reports/${id}`).set(moderator.auth).expect(200)).body;
const hoursToDue = (r: any) => (Date.parse(r.dueAt) - Date.parse(r.createdAt)) / 3600_000;
const openCases = async () =>
  (
    await t
      .http()
      .get(`/admin/v1/cases?filter=${q({ status: 'open' })}&range=${q([0, 499])}`)
      .set(moderator.auth)
      .expect(200)
  ).body as any[];

describe('trusted flaggers (PUT / DELETE /admin/v1/trusted-flaggers/:userId)', () => {
  it('admins designate one; their reports get source trusted_flagger, a quarter of the deadline, and their case goes first', async () => {
    const flagger = await registerUser(t.url);
    const ordinary = await registerUser(t.url);

    await expectError(
      await t.http().put(`/admin/v1/trusted-flaggers/${flagger.id}`).set(moderator.auth).send({ name: 'Hotline' }),
      'PUT /admin/v1/trusted-flaggers/{}',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().put(`/admin/v1/trusted-flaggers/${randomUUID()}`).set(admin.auth).send({ name: 'Hotline' }),
      'PUT /admin/v1/trusted-flaggers/{}',
      404,
      'not_found',
    );
    await expectError(
      await t.http().put(`/admin/v1/trusted-flaggers/${flagger.id}`).set(admin.auth).send({ name: '' }),
      'PUT /admin/v1/trusted-flaggers/{}',
      400,
      'invalid_request',
    );
    const put = await t.http().put(`/admin/v1/trusted-flaggers/${flagger.id}`).set(admin.auth).send({ name: 'Safer Internet Hotline' });
    await expectContract(put, 'PUT /admin/v1/trusted-flaggers/{}', 200);
    expect(put.body).toMatchObject({ userId: flagger.id, name: 'Safer Internet Hotline' });

    // Strong ordinary cases: self-harm and violence, corroborated by several people.
    const strong: string[] = [];
    for (const reason of ['self_harm', 'violence']) {
      const subject = await registerUser(t.url);
      strong.push(subject.id);
      for (let i = 0; i < 6; i++) await report(await registerUser(t.url), { subjectType: 'user', subjectId: subject.id, reason });
    }
    // The trusted flagger's mildest report, and the same report by an ordinary person.
    const [tfSubject, plainSubject] = [await registerUser(t.url), await registerUser(t.url)];
    const tfReport = await reportRow(await report(flagger, { subjectType: 'user', subjectId: tfSubject.id, reason: 'spam' }));
    const plainReport = await reportRow(await report(ordinary, { subjectType: 'user', subjectId: plainSubject.id, reason: 'spam' }));
    expect(tfReport.source).toBe('trusted_flagger');
    expect(plainReport.source).toBe('user');
    expect(hoursToDue(tfReport)).toBeCloseTo(hoursToDue(plainReport) / 4, 2);

    // The console's default sort (priority, highest first) puts the trusted flagger's case before every other open case.
    const cases = await openCases();
    const tfCase = cases.find((c) => c.subjectUserId === tfSubject.id);
    expect(tfCase.trustedFlagger).toBe(true);
    for (const c of cases.filter((x) => x.id !== tfCase.id)) expect(tfCase.priority).toBeGreaterThan(c.priority);
    expect(cases[0].id).toBe(tfCase.id);
    expect(cases.filter((c) => strong.includes(c.subjectUserId))).toHaveLength(2);

    // The decision on it is a statement with SOURCE_TRUSTED_FLAGGER that the EU database takes.
    const from = new Date(Date.now() - 60_000).toISOString();
    await t.http().post(`/admin/v1/cases/${tfCase.id}/resolve`).set(moderator.auth).send({ action: 'warn' }).expect(200);
    const to = new Date(Date.now() + 60_000).toISOString();
    const { statements } = (await t.http().get(`/admin/v1/transparency/statements?from=${from}&to=${to}`).set(admin.auth).expect(200)).body;
    expect(statements).toHaveLength(1);
    expect(statements[0].source_type).toBe('SOURCE_TRUSTED_FLAGGER');
    expect(validateStatement(statements[0]).errors).toEqual({});
    expect(JSON.stringify(statements)).not.toContain('Safer Internet Hotline');

    // Ending the designation: later reports are ordinary; what was filed stays a trusted flagger's.
    await expectContract(
      await t.http().delete(`/admin/v1/trusted-flaggers/${flagger.id}`).set(admin.auth),
      'DELETE /admin/v1/trusted-flaggers/{}',
      204,
    );
    const later = await reportRow(await report(flagger, { subjectType: 'user', subjectId: plainSubject.id, reason: 'spam' }));
    expect(later.source).toBe('user');
    expect((await reportRow(tfReport.id)).source).toBe('trusted_flagger');
    await expectError(
      await t.http().delete(`/admin/v1/trusted-flaggers/${flagger.id}`).set(admin.auth),
      'DELETE /admin/v1/trusted-flaggers/{}',
      404,
      'not_found',
    );
    await expectError(
      await t.http().delete(`/admin/v1/trusted-flaggers/${flagger.id}`).set(moderator.auth),
      'DELETE /admin/v1/trusted-flaggers/{}',
      403,
      'forbidden_role',
    );
  });

  it('designating twice at once ends in one designation, each answer 200, and the audit log has the change', async () => {
    const flagger = await registerUser(t.url);
    const results = await Promise.all(
      ['Hotline A', 'Hotline B'].map((name) => t.http().put(`/admin/v1/trusted-flaggers/${flagger.id}`).set(admin.auth).send({ name })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0].body.since).toBe(results[1].body.since);
    const audit = (
      await t
        .http()
        .get(`/admin/v1/audit-log?filter=${q({ subjectId: flagger.id })}`)
        .set(admin.auth)
        .expect(200)
    ).body as any[];
    expect(audit.filter((e) => e.action === 'user.trusted_flagger')).toHaveLength(2);
  });
});

describe("a reporter's precision (GET /admin/v1/reporters/:userId)", () => {
  it('counts reports, upheld and dismissed ones; precision is null before any closed report', async () => {
    const reporter = await registerUser(t.url);
    const first = await t.http().get(`/admin/v1/reporters/${reporter.id}`).set(moderator.auth);
    await expectContract(first, 'GET /admin/v1/reporters/{}', 200);
    expect(first.body).toEqual({ reports: 0, upheld: 0, dismissed: 0, precision: null });

    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await report(reporter, { subjectType: 'user', subjectId: (await registerUser(t.url)).id, reason: 'harassment' }));
    expect((await t.http().get(`/admin/v1/reporters/${reporter.id}`).set(moderator.auth).expect(200)).body).toEqual({
      reports: 4,
      upheld: 0,
      dismissed: 0,
      precision: null,
    });
    for (const [id, action] of [
      [ids[0], 'warn'],
      [ids[1], 'dismiss'],
      [ids[2], 'suspend'],
    ])
      await t.http().post(`/admin/v1/reports/${id}/resolve`).set(moderator.auth).send({ action, durationHours: 1 }).expect(200);
    expect((await t.http().get(`/admin/v1/reporters/${reporter.id}`).set(moderator.auth).expect(200)).body).toEqual({
      reports: 4,
      upheld: 2,
      dismissed: 1,
      precision: 2 / 3,
    });

    await expectError(
      await t.http().get(`/admin/v1/reporters/${reporter.id}`).set(triage.auth),
      'GET /admin/v1/reporters/{}',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().get(`/admin/v1/reporters/${randomUUID()}`).set(moderator.auth),
      'GET /admin/v1/reporters/{}',
      404,
      'not_found',
    );
    await expectError(await t.http().get('/admin/v1/reporters/nope').set(moderator.auth), 'GET /admin/v1/reporters/{}', 404, 'not_found');
  });
});

describe('a reporting suspension (POST /admin/v1/users/:id/reporting-suspension)', () => {
  it('needs a standing warning under unfounded_reports; then gives a notice with a statement, and POST /v1/reports answers 403 reporting_suspended', async () => {
    const noisy = await registerUser(t.url);
    const target = await registerUser(t.url);
    const route = '/admin/v1/users/' + noisy.id + '/reporting-suspension';
    const body = { days: 30, note: 'Dozens of dismissed reports', policy: 'unfounded_reports', severity: 'high' };

    await expectError(
      await t.http().post(route).set(moderator.auth).send(body),
      'POST /admin/v1/users/{}/reporting-suspension',
      409,
      'warning_required',
    );
    // A warning under another policy, or one that was lifted, is not the warning it needs.
    await t
      .http()
      .post(`/admin/v1/users/${noisy.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'warn', note: 'spam', policy: 'spam' })
      .expect(200);
    const warned = await t
      .http()
      .post(`/admin/v1/users/${noisy.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'warn', note: 'unfounded reports', policy: 'unfounded_reports' });
    expect(warned.status).toBe(200);
    await t.http().post(`/admin/v1/actions/${warned.body.action.id}/lift`).set(moderator.auth).send({ note: 'too early' }).expect(200);
    await expectError(
      await t.http().post(route).set(moderator.auth).send(body),
      'POST /admin/v1/users/{}/reporting-suspension',
      409,
      'warning_required',
    );
    await t
      .http()
      .post(`/admin/v1/users/${noisy.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'warn', note: 'unfounded reports', policy: 'unfounded_reports' })
      .expect(200);

    await expectError(
      await t.http().post(route).set(triage.auth).send(body),
      'POST /admin/v1/users/{}/reporting-suspension',
      403,
      'forbidden_role',
    );
    await expectError(
      await t
        .http()
        .post(route)
        .set(moderator.auth)
        .send({ ...body, days: 0 }),
      'POST /admin/v1/users/{}/reporting-suspension',
      400,
      'invalid_request',
    );
    await expectError(
      await t
        .http()
        .post(route)
        .set(moderator.auth)
        .send({ ...body, policy: 'no_such_policy' }),
      'POST /admin/v1/users/{}/reporting-suspension',
      400,
      'invalid_request',
    );
    await expectError(
      await t.http().post(`/admin/v1/users/${randomUUID()}/reporting-suspension`).set(moderator.auth).send(body),
      'POST /admin/v1/users/{}/reporting-suspension',
      404,
      'not_found',
    );

    const from = new Date(Date.now() - 1000).toISOString();
    const res = await t.http().post(route).set(moderator.auth).send(body);
    await expectContract(res, 'POST /admin/v1/users/{}/reporting-suspension', 200);
    expect(res.body.action).toMatchObject({ action: 'suspend_reporting', userId: noisy.id, policy: 'unfounded_reports', severity: 'high' });
    expect(Date.parse(res.body.action.expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86400_000);

    // Their notice carries the statement of reasons; their account is otherwise as before.
    const notices = (await t.http().get('/v1/notices').set(noisy.auth).expect(200)).body.items as any[];
    const notice = notices.find((n) => n.data?.actionId === res.body.action.id);
    expect(notice.text).toMatch(/can't file reports until/);
    expect(notice.statement).toMatchObject({ action: 'suspend_reporting', endsAt: res.body.action.expiresAt });
    expect(notice.statement.appeal.possible).toBe(true);

    // While it lasts, filing a report is refused, a repeat of an old report too.
    await expectError(
      await t.http().post('/v1/reports').set(noisy.auth).send({ subjectType: 'user', subjectId: target.id, reason: 'spam' }),
      'POST /v1/reports',
      403,
      'reporting_suspended',
    );
    await t.http().get('/v1/me').set(noisy.auth).expect(200);

    // It is a statement for the EU database like the others: a partial suspension of the service, with its end.
    const to = new Date(Date.now() + 60_000).toISOString();
    const { statements } = (await t.http().get(`/admin/v1/transparency/statements?from=${from}&to=${to}`).set(admin.auth).expect(200)).body;
    const s = statements.find((x: any) => x.puid === `backchannel-action-${res.body.action.id}`);
    expect(s).toMatchObject({
      decision_provision: 'DECISION_PROVISION_PARTIAL_SUSPENSION',
      end_date_service_restriction: res.body.action.expiresAt.slice(0, 10),
      source_type: 'SOURCE_VOLUNTARY',
      category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    });
    expect(validateStatement(s).errors).toEqual({});

    // An upheld appeal lifts it, and reporting works again.
    const appeal = await t
      .http()
      .post('/v1/appeals')
      .set(noisy.auth)
      .send({ actionId: res.body.action.id, text: 'My reports were honest.' });
    expect(appeal.status).toBe(201);
    await t.http().post(`/admin/v1/appeals/${appeal.body.id}/decide`).set(moderator.auth).send({ decision: 'upheld' }).expect(200);
    expect(
      (await t.http().post('/v1/reports').set(noisy.auth).send({ subjectType: 'user', subjectId: target.id, reason: 'spam' })).status,
    ).toBe(201);
  });
});
