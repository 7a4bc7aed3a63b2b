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

it('a suspension made through the staff route on one API process refuses the user on another process that had just let them in, and at once on the first', async () => {
  const u = await registerUser(a.url);
  const admin = await loginStaff(a.url);
  // Process b has just answered for this user, so it holds a fresh "active" in memory.
  expect((await request(b.url).get('/v1/me').set(u.auth)).status).toBe(200);
  const act = await request(a.url)
    .post(`/admin/v1/users/${u.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 1, note: 'x' });
  expect(act.status).toBe(200);
  // On the process that made the change: the very next request.
  const here = await request(a.url).get('/v1/me').set(u.auth);
  expect(here.status).toBe(401);
  expect(here.body.code).toBe('account_suspended');
  // On the other process: polled against a deadline (how fast is the benchmark's business).
  const deadline = Date.now() + 5000;
  let there = await request(b.url).get('/v1/me').set(u.auth);
  while (there.status === 200 && Date.now() < deadline) there = await request(b.url).get('/v1/me').set(u.auth);
  expect(there.status).toBe(401);
  expect(there.body.code).toBe('account_suspended');
});
