import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { expectContract, expectError } from '../support/contract';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'findpeople' });
});
afterAll(async () => {
  await t?.close();
});

describe('GET /v1/users?handle= (v1.1): finding people by handle', () => {
  it('answers {items: [profile]} for the exact handle, ignoring case, and no item otherwise', async () => {
    const me = await registerUser(t.url);
    const handle = uniqueHandle('findme');
    const other = await registerUser(t.url, handle);

    const exact = await t.http().get('/v1/users').query({ handle }).set(me.auth);
    expect(exact.status).toBe(200);
    expect(exact.body.items).toEqual([{ id: other.id, handle, displayName: handle, createdAt: expect.any(String) }]);
    expect(exact.body.nextCursor).toBeNull();
    await expectContract(exact, 'GET /v1/users', 200);

    const upper = await t.http().get('/v1/users').query({ handle: handle.toUpperCase() }).set(me.auth);
    expect(upper.status).toBe(200);
    expect(upper.body.items.map((u: any) => u.id)).toEqual([other.id]);

    // A prefix is not the handle: exactly that handle or nothing.
    const prefix = await t
      .http()
      .get('/v1/users')
      .query({ handle: handle.slice(0, -1) })
      .set(me.auth);
    expect(prefix.status).toBe(200);
    expect(prefix.body.items).toEqual([]);

    // A string that cannot be a handle finds nobody (it is not an error to look).
    for (const handle of ['no such handle!', 'nul\u0000byte', '\ud800', 'ab']) {
      const impossible = await t.http().get('/v1/users').query({ handle }).set(me.auth);
      expect(impossible.status).toBe(200);
      expect(impossible.body.items).toEqual([]);
    }
  });

  it('needs a handle: missing, empty, repeated or overlong → 400 invalid_request', async () => {
    const me = await registerUser(t.url);
    for (const qs of ['', '?handle=', '?handle=a&handle=b', `?handle=${'a'.repeat(101)}`]) {
      const res = await t.http().get(`/v1/users${qs}`).set(me.auth);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
      await expectError(res, 'GET /v1/users', 400, 'invalid_request');
    }
  });

  it('does not show someone who blocks me, and needs a user token (401 without, 401 for staff)', async () => {
    const me = await registerUser(t.url);
    const blocker = await registerUser(t.url);
    expect((await t.http().put(`/v1/users/${me.id}/block`).set(blocker.auth)).status).toBe(204);
    const res = await t.http().get('/v1/users').query({ handle: blocker.handle }).set(me.auth);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    // The blocker can still find the person they blocked (to unblock them).
    const back = await t.http().get('/v1/users').query({ handle: me.handle }).set(blocker.auth);
    expect(back.body.items.map((u: any) => u.id)).toEqual([me.id]);

    expect((await t.http().get('/v1/users').query({ handle: me.handle })).status).toBe(401);
    const staff = await loginStaff(t.url);
    expect((await t.http().get('/v1/users').query({ handle: me.handle }).set(staff.auth)).status).toBe(401);
  });
});

describe('GET /v1/me shows the account standing', () => {
  it('restrictedUntil and suspendedUntil are null for an account in good standing and set by a restriction', async () => {
    const me = await registerUser(t.url);
    const fresh = await t.http().get('/v1/me').set(me.auth);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ id: me.id, status: 'active', restrictedUntil: null, suspendedUntil: null });

    // A moderator restricts messaging through the staff route (a report, resolved with the action).
    const reporter = await registerUser(t.url);
    const rep = await t.http().post('/v1/reports').set(reporter.auth).send({ subjectType: 'user', subjectId: me.id, reason: 'spam' });
    expect(rep.status).toBe(201);
    const staff = await loginStaff(t.url);
    const resolved = await t
      .http()
      .post(`/admin/v1/reports/${rep.body.id}/resolve`)
      .set(staff.auth)
      .send({ action: 'restrict_messaging', durationHours: 24, note: 'test' });
    expect(resolved.status).toBe(200);

    const after = await t.http().get('/v1/me').set(me.auth);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('active');
    const until = Date.parse(after.body.restrictedUntil);
    expect(until).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(until).toBeLessThan(Date.now() + 25 * 3600_000);
    expect(after.body.suspendedUntil).toBeNull();
  });
});
