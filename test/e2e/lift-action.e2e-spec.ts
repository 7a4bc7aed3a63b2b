import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

/**
 * POST /admin/v1/actions/:id/lift (contract v1.1): staff end a restriction, suspension or
 * ban early. The account is restored at once on every API process, the person gets a
 * notice, the audit log records it; lifting twice is 409 already_lifted.
 */
let a: TestApp;
let b: TestApp;
let admin: { auth: Record<string, string>; staff: { id: string } };

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

async function staffWith(role: 'admin' | 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await request(a.url)
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(a.url, email, 'staff-password-1');
}

async function act(u: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await request(a.url).post(`/admin/v1/users/${u.id}/actions`).set(admin.auth).send(body);
  expect(res.status).toBe(200);
  return res.body.action.id;
}

const lift = (actionId: string, auth: Record<string, string> = admin.auth, note = 'lifted early') =>
  request(a.url).post(`/admin/v1/actions/${actionId}/lift`).set(auth).send({ note });

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  a = await startTestApp({ label: 'lift' });
  b = await startTestApp({ db: a.db, redisPrefix: a.config.redisPrefix, env: { APP_ROLES: 'api' } });
  admin = await loginStaff(a.url);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

it('lifting a suspension lets the user in again at once on both API processes, sends a notice (and notice.created) and is audited', async () => {
  const u = await registerUser(a.url);
  const cursor = (await request(a.url).get('/v1/sync').set(u.auth)).body.cursor;
  const actionId = await act(u, { action: 'suspend', durationHours: 48, note: 'x' });
  // Both processes have just refused this user, so each may hold "suspended" in memory.
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(401);
  expect((await request(b.url).get('/v1/me').set(u.auth)).status).toBe(401);

  const res = await lift(actionId, admin.auth, 'mistaken identity');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id: actionId,
    action: 'suspend',
    active: false,
    liftedAt: expect.any(String),
    liftedReason: 'staff_lift',
  });

  const started = Date.now();
  const onB = await until(
    () => request(b.url).get('/v1/me').set(u.auth),
    (r) => r.status === 200,
    500,
  );
  expect(onB.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(500);
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(200);

  const notices = await request(a.url).get('/v1/notices').set(u.auth);
  const lifted = notices.body.items.filter((n: any) => n.kind === 'action_lifted');
  expect(lifted).toHaveLength(1);
  expect(lifted[0]).toMatchObject({ data: { actionId, action: 'suspend' } });
  expect(lifted[0].text).toMatch(/lifted the suspension/i);
  expect(JSON.stringify(lifted[0])).not.toMatch(/mistaken identity/);
  const sync = await until(
    () => request(a.url).get(`/v1/sync?cursor=${cursor}`).set(u.auth),
    (r) => r.body.events?.some((e: any) => e.type === 'notice.created' && e.notice.kind === 'action_lifted'),
  );
  expect(sync.body.events.filter((e: any) => e.type === 'notice.created' && e.notice.kind === 'action_lifted')).toHaveLength(1);

  const audit = await request(a.url)
    .get(`/admin/v1/audit-log?filter=${q({ subjectId: u.id, action: 'action.lift' })}`)
    .set(admin.auth);
  expect(audit.status).toBe(200);
  expect(audit.body).toHaveLength(1);
  expect(audit.body[0]).toMatchObject({
    staffId: admin.staff.id,
    subjectType: 'user',
    subjectId: u.id,
    before: { status: 'suspended' },
    after: { status: 'active', actionId, note: 'mistaken identity' },
  });
});

it('lifting a restriction lets the user send again at once', async () => {
  const u = await registerUser(a.url);
  const v = await registerUser(a.url);
  const actionId = await act(u, { action: 'restrict_messaging', durationHours: 24 });
  const refused = await request(a.url)
    .post('/v1/conversations')
    .set(u.auth)
    .send({ participantIds: [v.id] });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('messaging_restricted');
  expect((await lift(actionId)).status).toBe(200);
  expect(
    (
      await request(a.url)
        .post('/v1/conversations')
        .set(u.auth)
        .send({ participantIds: [v.id] })
    ).status,
  ).toBe(201);
});

it('lifting a ban restores the account', async () => {
  const u = await registerUser(a.url);
  const actionId = await act(u, { action: 'ban', note: 'x' });
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(401);
  expect((await lift(actionId)).status).toBe(200);
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(200);
  const user = await request(a.url).get(`/admin/v1/users/${u.id}`).set(admin.auth);
  expect(user.body.status).toBe('active');
});

it(`lifting twice (even in parallel) succeeds exactly once; the other is 409 already_lifted (${RACE_ROUNDS} rounds, a fresh action each)`, async () => {
  const u = await registerUser(a.url);
  await raceRounds(RACE_ROUNDS, async (round) => {
    const actionId = await act(u, { action: 'suspend', durationHours: 5 });
    const results = await Promise.all([lift(actionId), lift(actionId), lift(actionId)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    await expectContract(
      results.find((r) => r.status === 200)!,
      'POST /admin/v1/actions/{id}/lift',
      200,
    );
    for (const r of results.filter((x) => x.status === 409))
      await expectError(r, 'POST /admin/v1/actions/{id}/lift', 409, 'already_lifted');
    // One notice per lifted action: this round's is the only new one.
    const [{ n }] = await a.app
      .get(Db)
      .query(`SELECT count(*)::int AS n FROM notice WHERE user_id = $1 AND kind = 'action_lifted'`, [u.id]);
    expect(n).toBe(round);
    const again = await lift(actionId);
    expectErrorShape(again.body, 409, 'already_lifted');
  });
  const notices = await request(a.url).get('/v1/notices?limit=100').set(u.auth);
  expect(notices.body.items.filter((n: any) => n.kind === 'action_lifted')).toHaveLength(RACE_ROUNDS);
});

it('of two overlapping suspensions, lifting one keeps the other in force (the account stays suspended until it ends)', async () => {
  const u = await registerUser(a.url);
  const longer = await act(u, { action: 'suspend', durationHours: 72 });
  const shorter = await act(u, { action: 'suspend', durationHours: 24 });
  expect((await lift(longer)).status).toBe(200);
  const user = await request(a.url).get(`/admin/v1/users/${u.id}`).set(admin.auth);
  expect(user.body.status).toBe('suspended');
  const until24 = Date.parse(user.body.suspendedUntil) - Date.now();
  expect(until24).toBeGreaterThan(23 * 3600_000);
  expect(until24).toBeLessThan(25 * 3600_000);
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(401);
  expect((await lift(shorter)).status).toBe(200);
  expect((await request(a.url).get('/v1/me').set(u.auth)).status).toBe(200);
});

it('(v1.2) a warning can be lifted: its strikes stop counting and the person is told; a removal cannot be lifted: 422 not_liftable', async () => {
  const u = await registerUser(a.url);
  const actionId = await act(u, { action: 'warn', policy: 'harassment', severity: 'medium' });
  const standing = async () => (await request(a.url).get(`/admin/v1/users/${u.id}/standing`).set(admin.auth)).body;
  expect((await standing()).activeStrikes).toBe(2);
  const res = await lift(actionId);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ id: actionId, action: 'warn', liftedAt: expect.any(String) });
  expect(await standing()).toMatchObject({ activeStrikes: 0, strikes: [], suggestedAction: { action: 'warn' } });
  const notices = (await request(a.url).get('/v1/notices').set(u.auth)).body.items;
  expect(notices[0]).toMatchObject({ kind: 'action_lifted', text: expect.stringMatching(/lifted the warning.*no longer counts/) });
  expectErrorShape((await lift(actionId)).body, 409, 'already_lifted');

  // A removal has nothing left to lift.
  const removal = '0190a000-0000-7000-8000-00000000beef';
  await a.app
    .get(Db)
    .query(
      `INSERT INTO moderation_action (id, user_id, action, policy, severity, strikes) VALUES ($1, $2, 'remove_content', 'spam', 'low', 0)`,
      [removal, u.id],
    );
  const refused = await lift(removal);
  expectErrorShape(refused.body, 422, 'not_liftable');
  await expectError(refused, 'POST /admin/v1/actions/{id}/lift', 422, 'not_liftable');
});

it('triage may not lift (403 forbidden_role); a moderator may', async () => {
  const u = await registerUser(a.url);
  const actionId = await act(u, { action: 'suspend', durationHours: 5 });
  const triage = await staffWith('triage');
  expectErrorShape((await lift(actionId, triage.auth)).body, 403, 'forbidden_role');
  const moderator = await staffWith('moderator');
  expect((await lift(actionId, moderator.auth)).status).toBe(200);
});

it('an unknown or malformed action id is 404 not_found', async () => {
  expectErrorShape((await lift('00000000-0000-4000-8000-000000000000')).body, 404, 'not_found');
  expectErrorShape((await lift('not-a-uuid')).body, 404, 'not_found');
  await expectError(await lift('not-a-uuid'), 'POST /admin/v1/actions/{id}/lift', 404, 'not_found');
});

it('a note longer than 2000 characters is 400 invalid_request', async () => {
  const u = await registerUser(a.url);
  const actionId = await act(u, { action: 'suspend', durationHours: 5 });
  expectErrorShape((await lift(actionId, admin.auth, 'x'.repeat(2001))).body, 400, 'invalid_request');
});

it('the suggested next step accounts for what is in force: nothing harsher while banned, and no suspension while suspended', async () => {
  const u = await registerUser(a.url);
  await act(u, { action: 'warn' });
  await act(u, { action: 'suspend', durationHours: 24 });
  let h = await request(a.url).get(`/admin/v1/users/${u.id}/history`).set(admin.auth);
  expect(h.body.strikes).toBe(2);
  expect(h.body.suggestedAction).toMatchObject({ action: 'warn', because: expect.stringMatching(/already suspended/i) });
  const ban = await act(u, { action: 'ban' });
  h = await request(a.url).get(`/admin/v1/users/${u.id}/history`).set(admin.auth);
  expect(h.body.suggestedAction).toMatchObject({ action: 'none', because: expect.stringMatching(/already banned/i) });
  expect((await lift(ban)).status).toBe(200);
  h = await request(a.url).get(`/admin/v1/users/${u.id}/history`).set(admin.auth);
  expect(h.body.suggestedAction).toMatchObject({ action: 'warn' });
});
