import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser } from '../support/factories';

/**
 * An app whose sign-in ends because the account was suspended learns why from its refresh
 * (401 account_suspended), so it can say so and lead to sign-in, where the reasons and the
 * appeal token are given (API.md v1.2). Only a token the suspension revoked says so.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'refresh_suspended' });
});
afterAll(async () => {
  await t?.close();
});

it('refreshing a sign-in a suspension ended answers account_suspended, with no appeal token; after the lift, a logged-out token stays invalid', async () => {
  const u = await registerUser(t.url);
  const loggedOut = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
  expect(loggedOut.status).toBe(200);
  await t.http().post('/v1/auth/logout').send({ refreshToken: loggedOut.body.refreshToken }).expect(204);
  const admin = await loginStaff(t.url);
  const act = await t
    .http()
    .post(`/admin/v1/users/${u.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 24, note: 'x' });
  expect(act.status).toBe(200);

  const refused = await t.http().post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
  expectErrorShape(refused.body, 401, 'account_suspended');
  expect(refused.body.message).toBe('This account is suspended. Sign in to read why and appeal the decision.');
  // The reasons and the appeal token need the password (sign-in), not a refresh token.
  expect(refused.body.details).toBeUndefined();
  // A token nobody ever issued says nothing about anyone.
  expectErrorShape((await t.http().post('/v1/auth/refresh').send({ refreshToken: 'not-a-token' })).body, 401, 'invalid_refresh_token');

  await t.http().post(`/admin/v1/actions/${act.body.action.id}/lift`).set(admin.auth).send({ note: 'mistake' }).expect(200);
  // Lifted: the sign-ins the suspension ended stay ended (sign in again), and say so plainly.
  expectErrorShape((await t.http().post('/v1/auth/refresh').send({ refreshToken: u.refreshToken })).body, 401, 'invalid_refresh_token');
  expectErrorShape(
    (await t.http().post('/v1/auth/refresh').send({ refreshToken: loggedOut.body.refreshToken })).body,
    401,
    'invalid_refresh_token',
  );
});
