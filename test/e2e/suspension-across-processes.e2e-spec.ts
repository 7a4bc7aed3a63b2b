import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp({ label: 'suspend_multi' });
  b = await startTestApp({ db: a.db, redisPrefix: a.config.redisPrefix, env: { APP_ROLES: 'api' } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

it('a suspension made through one API process refuses the user on another process within milliseconds, although it had just let them in', async () => {
  const u = await registerUser(a.url);
  const admin = await loginStaff(a.url);
  // Process b has just answered for this user, so it holds a fresh "active" in memory.
  expect((await request(b.url).get('/v1/me').set(u.auth)).status).toBe(200);
  const act = await request(a.url).post(`/admin/v1/users/${u.id}/actions`).set(admin.auth).send({ action: 'suspend', durationHours: 1, note: 'x' });
  expect(act.status).toBe(200);
  const started = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - started < 500) {
    status = (await request(b.url).get('/v1/me').set(u.auth)).status;
  }
  expect(status).toBe(401);
  expect(Date.now() - started).toBeLessThan(500);
  // And on the process that made the change, at once.
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(401);
});
