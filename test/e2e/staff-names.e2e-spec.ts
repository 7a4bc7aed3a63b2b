import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';

/**
 * The console shows names, not ids: report, action, audit-log and blocklist rows carry the
 * handles and names beside the ids (the ids keep their field names).
 */
let t: TestApp;
let admin: { auth: Record<string, string>; staff: { id: string; displayName: string } };
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

beforeAll(async () => {
  t = await startTestApp({ label: 'names' });
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

it('report, action, audit-log and blocklist rows name their users and staff beside the ids', async () => {
  const offender = await registerUser(t.url);
  const victim = await registerUser(t.url);
  const rep = await request(t.url)
    .post('/v1/reports')
    .set(victim.auth)
    .send({ subjectType: 'user', subjectId: offender.id, reason: 'spam' });
  expect(rep.status).toBe(201);
  const reports = await request(t.url)
    .get(`/admin/v1/reports?filter=${q({ id: rep.body.id })}`)
    .set(admin.auth);
  expect(reports.body).toHaveLength(1);
  expect(reports.body[0]).toMatchObject({
    subjectUserId: offender.id,
    subjectHandle: offender.handle,
    subjectDisplayName: offender.handle,
    reporterId: victim.id,
    reporterHandle: victim.handle,
  });
  const one = await request(t.url).get(`/admin/v1/reports/${rep.body.id}`).set(admin.auth);
  expect(one.body).toMatchObject({ subjectHandle: offender.handle, reporterHandle: victim.handle });

  const act = await request(t.url).post(`/admin/v1/users/${offender.id}/actions`).set(admin.auth).send({ action: 'warn' });
  expect(act.status).toBe(200);
  expect(act.body.action).toMatchObject({
    userId: offender.id,
    userHandle: offender.handle,
    staffId: admin.staff.id,
    staffName: admin.staff.displayName,
  });
  const actions = await request(t.url)
    .get(`/admin/v1/actions?filter=${q({ userQ: offender.handle })}`)
    .set(admin.auth);
  expect(actions.body).toHaveLength(1);
  expect(actions.body[0]).toMatchObject({
    id: act.body.action.id,
    userHandle: offender.handle,
    userDisplayName: offender.handle,
    staffName: admin.staff.displayName,
  });

  const audit = await request(t.url)
    .get(`/admin/v1/audit-log?filter=${q({ subjectId: offender.id, action: 'user.warn' })}`)
    .set(admin.auth);
  expect(audit.body).toHaveLength(1);
  expect(audit.body[0]).toMatchObject({ staffName: admin.staff.displayName, subjectHandle: offender.handle, subjectName: offender.handle });
  const byStaffName = await request(t.url)
    .get(`/admin/v1/audit-log?filter=${q({ staffQ: admin.staff.displayName.toUpperCase(), action: 'user.warn', subjectId: offender.id })}`)
    .set(admin.auth);
  expect(byStaffName.body.map((r: any) => r.id)).toEqual([audit.body[0].id]);
  const noOne = await request(t.url)
    .get(`/admin/v1/audit-log?filter=${q({ staffQ: 'nobody-by-this-name' })}`)
    .set(admin.auth);
  expect(noOne.body).toEqual([]);

  const entry = await request(t.url)
    .post('/admin/v1/blocklist')
    .set(admin.auth)
    .send({ pattern: 'names-test.example', kind: 'domain', reason: 'test' });
  expect(entry.status).toBe(201);
  const blocklist = await request(t.url).get(`/admin/v1/blocklist/${entry.body.id}`).set(admin.auth);
  expect(blocklist.body).toMatchObject({ createdBy: admin.staff.id, createdByName: admin.staff.displayName });
});

it('appeal rows name the appellant and the deciding staff member beside their ids', async () => {
  const offender = await registerUser(t.url);
  const act = await request(t.url).post(`/admin/v1/users/${offender.id}/actions`).set(admin.auth).send({ action: 'warn' });
  expect(act.status).toBe(200);
  const appeal = await request(t.url).post('/v1/appeals').set(offender.auth).send({ actionId: act.body.action.id, text: 'It was not me.' });
  expect(appeal.status).toBe(201);
  expect(appeal.body).toMatchObject({ action: 'warn', actionCreatedAt: act.body.action.createdAt });
  const open = await request(t.url)
    .get(`/admin/v1/appeals?filter=${q({ userId: offender.id })}`)
    .set(admin.auth);
  expect(open.status).toBe(200);
  expect(open.body).toHaveLength(1);
  expect(open.body[0]).toMatchObject({
    id: appeal.body.id,
    userId: offender.id,
    userHandle: offender.handle,
    userDisplayName: offender.handle,
    decidedByName: null,
    action: 'warn',
    actionCreatedAt: act.body.action.createdAt,
  });
  const decided = await request(t.url)
    .post(`/admin/v1/appeals/${appeal.body.id}/decide`)
    .set(admin.auth)
    .send({ decision: 'denied', note: 'stands' });
  expect(decided.status).toBe(200);
  const one = await request(t.url).get(`/admin/v1/appeals/${appeal.body.id}`).set(admin.auth);
  expect(one.body).toMatchObject({ userHandle: offender.handle, decidedBy: admin.staff.id, decidedByName: admin.staff.displayName });
  // The appellant's own view is unchanged: no staff names in /v1/appeals.
  const mine = await request(t.url).get('/v1/appeals').set(offender.auth);
  expect(mine.status).toBe(200);
  expect(JSON.stringify(mine.body)).not.toContain('decidedByName');
});

it('audit entries about things, not people, name them in words (subjectLabel): a rule, a report, an action, a blocklist entry', async () => {
  const offender = await registerUser(t.url);
  const victim = await registerUser(t.url);
  const rule = await request(t.url)
    .post('/admin/v1/rules')
    .set(admin.auth)
    .send({ name: 'names test words', kind: 'keyword', patterns: ['zzqq'], action: 'flag', appliesTo: ['direct'], reason: 'Not here.' });
  expect(rule.status).toBe(201);
  const rep = await request(t.url)
    .post('/v1/reports')
    .set(victim.auth)
    .send({ subjectType: 'user', subjectId: offender.id, reason: 'harassment' });
  expect(rep.status).toBe(201);
  const resolved = await request(t.url)
    .post(`/admin/v1/reports/${rep.body.id}/resolve`)
    .set(admin.auth)
    .send({ action: 'warn', note: 'n' });
  expect(resolved.status).toBe(200);
  const entry = await request(t.url)
    .post('/admin/v1/blocklist')
    .set(admin.auth)
    .send({ pattern: 'names-label.example', kind: 'domain', reason: 'test' });
  expect(entry.status).toBe(201);

  const labelOf = async (subjectId: string) => {
    const res = await request(t.url)
      .get(`/admin/v1/audit-log?filter=${q({ subjectId })}`)
      .set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    return res.body[0].subjectLabel;
  };
  expect(await labelOf(rule.body.id)).toBe('Rule "names test words"');
  expect(await labelOf(rep.body.id)).toBe(`Harassment report about @${offender.handle}`);
  expect(await labelOf(entry.body.id)).toBe('Blocklist entry names-label.example');
  // A person is named by handle and name, not by a label.
  const aboutUser = await request(t.url)
    .get(`/admin/v1/audit-log?filter=${q({ subjectId: offender.id })}`)
    .set(admin.auth);
  expect(aboutUser.body[0]).toMatchObject({ subjectHandle: offender.handle, subjectLabel: null });
});
