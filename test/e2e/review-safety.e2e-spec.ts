import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser } from '../support/factories';

/** Review findings on the staff API: bad input that used to reach PostgreSQL and fail there. */
let t: TestApp;
let admin: { auth: Record<string, string>; staff: { id: string } };

beforeAll(async () => {
  t = await startTestApp({ label: 'review-safety', env: { LIMIT_REPORTS: '1000/3600' } });
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

/** A lone UTF-16 surrogate survives JSON.parse but cannot be stored in a jsonb column (audit log, resolution). */
const LONE = 'bad \ud800 note';

it('a staff note with a lone surrogate is 400 invalid_request on resolve, escalate, direct action and staff create, never a 500', async () => {
  const a = await registerUser(t.url);
  const b = await registerUser(t.url);
  const r = await t.http().post('/v1/reports').set(a.auth).send({ subjectType: 'user', subjectId: b.id, reason: 'other' });
  expect(r.status).toBe(201);
  const calls = [
    t.http().post(`/admin/v1/reports/${r.body.id}/resolve`).set(admin.auth).send({ action: 'warn', note: LONE }),
    t.http().post(`/admin/v1/reports/${r.body.id}/escalate`).set(admin.auth).send({ note: LONE }),
    t.http().post(`/admin/v1/users/${b.id}/actions`).set(admin.auth).send({ action: 'warn', note: LONE }),
    t
      .http()
      .post('/admin/v1/staff')
      .set(admin.auth)
      .send({ email: 'lone@example.com', displayName: LONE, password: 'staff-password-1', role: 'triage' }),
  ];
  for (const res of await Promise.all(calls)) {
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'invalid_request');
  }
  // Nothing was applied: the report is still open and b has no strike.
  const after = await t.http().get(`/admin/v1/reports/${r.body.id}`).set(admin.auth);
  expect(after.body.status).toBe('open');
  const actions = await t
    .http()
    .get(`/admin/v1/actions?filter=${encodeURIComponent(JSON.stringify({ userId: b.id }))}`)
    .set(admin.auth);
  expect(actions.body).toHaveLength(0);
});

it('triage may label a link safe or suspicious but not malicious (that takes content down for everyone: acting): 403 forbidden_role', async () => {
  const email = `tri${Date.now()}@example.com`;
  const created = await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: 'tri', password: 'staff-password-1', role: 'triage' });
  expect(created.status).toBe(201);
  const tri = await loginStaff(t.url, email, 'staff-password-1');
  const db = t.app.get(Db);
  const id = newId();
  await db.query(
    `INSERT INTO link (id, url, host, verdict, scanned_at, expires_at, seen_count) VALUES ($1, 'https://x.review.example/', 'x.review.example', 'safe', now(), now() + interval '1 day', 1)`,
    [id],
  );
  const bad = await t.http().put(`/admin/v1/links/${id}`).set(tri.auth).send({ verdict: 'malicious' });
  expect(bad.status).toBe(403);
  expectErrorShape(bad.body, 403, 'forbidden_role');
  expect(await db.one('SELECT verdict, overridden FROM link WHERE id = $1', [id])).toEqual({ verdict: 'safe', overridden: false });
  expect((await t.http().put(`/admin/v1/links/${id}`).set(tri.auth).send({ verdict: 'suspicious' })).status).toBe(200);
  expect((await t.http().put(`/admin/v1/links/${id}`).set(admin.auth).send({ verdict: 'malicious' })).status).toBe(200);
});
