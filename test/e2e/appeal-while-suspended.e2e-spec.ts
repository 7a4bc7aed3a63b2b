import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'appeal_suspended' });
});
afterAll(async () => {
  await t?.close();
});

it('a suspended account signs in to an appeal-only token, appeals, and an upheld appeal lets it back in', async () => {
  const u = await registerUser(t.url);
  const admin = await loginStaff(t.url);
  const act = await t
    .http()
    .post(`/admin/v1/users/${u.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 72, note: 'spam run' });
  expect(act.status).toBe(200);
  const actionId = act.body.action.id;

  const login = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
  expect(login.status).toBe(401);
  expectErrorShape(login.body, 401, 'account_suspended');
  const appealToken = login.body.details.appealToken as string;
  expect(typeof appealToken).toBe('string');
  const appealAuth = { Authorization: `Bearer ${appealToken}` };
  // What keeps them out and why (API.md v1.2), in words for people.
  // The documented {id, action, endsAt}, and the policy, severity and strikes the decision was taken
  // under (a direct action without a report: policy other at its first severity, one strike).
  expect(login.body.details.action).toEqual({
    id: actionId,
    action: 'suspend',
    endsAt: act.body.action.expiresAt,
    policy: 'other',
    policyTitle: 'Other breaches of the Community Guidelines',
    severity: 'low',
    strikes: 1,
    strikesExpireAt: act.body.action.strikesExpireAt,
  });
  expect(login.body.details.action.strikesExpireAt).toEqual(expect.any(String));
  expect(login.body.details.statement).toMatchObject({ action: 'suspend', endsAt: act.body.action.expiresAt, appeal: { possible: true } });
  expect(login.body.message).toMatch(/^This account is suspended until .+\. You can read why and appeal the decision\.$/);
  expect(login.body.message).not.toMatch(/details|POST|\/v1/);

  // The appeal token opens the notices (to read why) and the appeal routes, and nothing else.
  const notices = await t.http().get('/v1/notices').set(appealAuth);
  expect(notices.status).toBe(200);
  expect(notices.body.items.find((n: any) => n.data?.actionId === actionId).statement).toEqual(login.body.details.statement);
  expect((await t.http().post(`/v1/notices/${notices.body.items[0].id}/reply`).set(appealAuth).send({ text: 'hi' })).status).toBe(401);
  expect((await t.http().get('/v1/me').set(appealAuth)).status).toBe(401);
  expect((await t.http().get('/v1/conversations').set(appealAuth)).status).toBe(401);
  expect((await t.http().get('/admin/v1/reports').set(appealAuth)).status).toBe(401);
  // A wrong password never yields one.
  const wrong = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'not the password' });
  expect(wrong.status).toBe(401);
  expect(wrong.body.code).toBe('invalid_credentials');
  expect(wrong.body.details).toBeUndefined();

  const appeal = await t.http().post('/v1/appeals').set(appealAuth).send({ actionId, text: 'It was a misunderstanding.' });
  expect(appeal.status).toBe(201);
  expect((await t.http().get('/v1/appeals').set(appealAuth)).body.items).toHaveLength(1);
  expect((await t.http().post('/v1/appeals').set(appealAuth).send({ actionId, text: 'again' })).status).toBe(409);

  const decided = await t
    .http()
    .post(`/admin/v1/appeals/${appeal.body.id}/decide`)
    .set(admin.auth)
    .send({ decision: 'upheld', note: 'fair' });
  expect(decided.status).toBe(200);
  const back = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
  expect(back.status).toBe(200);
  expect(
    (
      await t
        .http()
        .get('/v1/me')
        .set({ Authorization: `Bearer ${back.body.accessToken}` })
    ).status,
  ).toBe(200);
});

it('a banned account is told it is banned, with the ban and its statement', async () => {
  const u = await registerUser(t.url);
  const admin = await loginStaff(t.url);
  const act = await t.http().post(`/admin/v1/users/${u.id}/actions`).set(admin.auth).send({ action: 'ban', note: 'scam ring' });
  expect(act.status).toBe(200);
  const login = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
  expectErrorShape(login.body, 401, 'account_suspended');
  expect(login.body.message).toBe('This account is banned. You can read why and appeal the decision.');
  expect(login.body.details).toMatchObject({
    action: { id: act.body.action.id, action: 'ban', endsAt: null },
    statement: { action: 'ban' },
  });
  expect(JSON.stringify(login.body)).not.toContain('scam ring');
});
