import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TokensService } from '@app/messaging/accounts/tokens.service';
import { Db } from '@app/messaging/db/db.service';
import { usePasswordHashCost } from '@app/messaging/accounts/passwords';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, uniqueHandle } from '../support/factories';
import { expectContract, expectError } from '../support/contract';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'accounts' });
});
afterAll(async () => {
  await t?.close();
});

describe('register, login, refresh', () => {
  it('registers with 201 {user, accessToken, refreshToken} and refuses a taken handle with 409 handle_taken', async () => {
    const handle = uniqueHandle('reg');
    const res = await t.http().post('/v1/auth/register').send({ handle, displayName: 'Reg', password: 'long enough pw' });
    expect(res.status).toBe(201);
    await expectContract(res, 'POST /v1/auth/register', 201);
    expect(res.body.user).toMatchObject({ handle, displayName: 'Reg', allowIncoming: 'all' });
    expect(typeof res.body.accessToken).toBe('string');
    expect(typeof res.body.refreshToken).toBe('string');
    expect(JSON.stringify(res.body)).not.toContain('password');
    const again = await t.http().post('/v1/auth/register').send({ handle, displayName: 'Reg', password: 'long enough pw' });
    expect(again.status).toBe(409);
    expectErrorShape(again.body, 409, 'handle_taken');
    await expectError(again, 'POST /v1/auth/register', 409, 'handle_taken');
  });

  it('validates handle pattern and password length with 400 invalid_request and details', async () => {
    for (const body of [
      { handle: 'AB', displayName: 'x', password: 'long enough pw' },
      { handle: 'Upper_Case', displayName: 'x', password: 'long enough pw' },
      { handle: uniqueHandle(), displayName: 'x', password: 'short' },
      { handle: ['a', 'b'], displayName: 'x', password: 'long enough pw' },
    ]) {
      const res = await t.http().post('/v1/auth/register').send(body);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
      expect(Array.isArray(res.body.details)).toBe(true);
    }
  });

  it('logs in with 200 and refuses a wrong password with 401 invalid_credentials', async () => {
    const u = await registerUser(t.url);
    const ok = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' });
    expect(ok.status).toBe(200);
    await expectContract(ok, 'POST /v1/auth/login', 200);
    expect(ok.body.user.id).toBe(u.id);
    const bad = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'wrong password!' });
    expect(bad.status).toBe(401);
    expectErrorShape(bad.body, 401, 'invalid_credentials');
    await expectError(bad, 'POST /v1/auth/login', 401, 'invalid_credentials');
    const nobody = await t.http().post('/v1/auth/login').send({ handle: 'nobody_here', password: 'wrong password!' });
    expect(nobody.status).toBe(401);
    expect(nobody.body.code).toBe('invalid_credentials');
  });

  it('rotates refresh tokens; reusing an old one revokes the whole family', async () => {
    const u = await registerUser(t.url);
    const r1 = await t.http().post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expect(r1.status).toBe(200);
    await expectContract(r1, 'POST /v1/auth/refresh', 200);
    expect(r1.body.refreshToken).not.toBe(u.refreshToken);
    const me = await t.http().get('/v1/me').set('Authorization', `Bearer ${r1.body.accessToken}`);
    expect(me.status).toBe(200);
    await expectContract(me, 'GET /v1/me', 200);
    const reuse = await t.http().post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expect(reuse.status).toBe(401);
    expectErrorShape(reuse.body, 401);
    // The token issued by the legitimate rotation is dead too.
    const after = await t.http().post('/v1/auth/refresh').send({ refreshToken: r1.body.refreshToken });
    expect(after.status).toBe(401);
  });

  it('simultaneous refreshes with one token, 20 rounds: exactly one claims the token; the rest are reuse, and no token of the family refreshes again', async () => {
    const u = await registerUser(t.url);
    let token = u.refreshToken;
    for (let round = 0; round < 20; round++) {
      // Each round starts from a fresh family (a new sign-in), since the last one ended revoked.
      if (round > 0)
        token = (await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'correct horse battery' }).expect(200)).body
          .refreshToken;
      const results = await Promise.all([0, 1, 2, 3].map(() => request(t.url).post('/v1/auth/refresh').send({ refreshToken: token })));
      expect({ round, statuses: results.map((r) => r.status).filter((s) => s !== 200 && s !== 401) }).toEqual({ round, statuses: [] });
      // The claim (used_at set once) has one winner: at most one new pair, never two. Whether
      // the winner's pair survives depends on whether a loser's reuse revoked the family first.
      const ok = results.filter((r) => r.status === 200);
      expect(ok.length).toBeLessThanOrEqual(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(4 - ok.length);
      const [{ used }] = await t.app.get(Db).query(
        `SELECT count(*)::int AS used FROM refresh_token
          WHERE used_at IS NOT NULL AND family_id = (SELECT family_id FROM refresh_token WHERE token_hash = $1)`,
        [TokensService.hashRefresh(token)],
      );
      expect({ round, used }).toEqual({ round, used: 1 });
      const next = await Promise.all(ok.map((r) => request(t.url).post('/v1/auth/refresh').send({ refreshToken: r.body.refreshToken })));
      expect(next.map((r) => r.status)).toEqual(ok.map(() => 401));
    }
  });

  it('refuses a garbage refresh token with 401', async () => {
    const res = await t.http().post('/v1/auth/refresh').send({ refreshToken: 'garbage' });
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 401, 'invalid_refresh_token');
    await expectError(res, 'POST /v1/auth/refresh', 401, 'invalid_refresh_token');
  });

  it('limits failed logins per handle with 429 rate_limited and Retry-After: 10 wrong passwords are 401, the 11th is 429', async () => {
    const u = await registerUser(t.url);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'wrong password!' })).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const last = await t.http().post('/v1/auth/login').send({ handle: u.handle, password: 'wrong password!' });
    expectErrorShape(last.body, 429, 'rate_limited');
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('me, users, follow, block', () => {
  it('GET /v1/me needs a token: 401 without, with garbage, and with a staff token', async () => {
    expect((await t.http().get('/v1/me')).status).toBe(401);
    const garbage = await t.http().get('/v1/me').set('Authorization', 'Bearer nope');
    expect(garbage.status).toBe(401);
    expectErrorShape(garbage.body, 401);
    await expectError(garbage, 'GET /v1/me', 401, 'unauthorized');
    const staff = await t.http().post('/admin/v1/auth/login').send({ email: 'admin@example.com', password: 'admin-password-1' });
    expect(staff.status).toBe(200);
    await expectContract(staff, 'POST /admin/v1/auth/login', 200);
    expect(staff.body.accessToken).toEqual(expect.any(String));
    const res = await t.http().get('/v1/me').set('Authorization', `Bearer ${staff.body.accessToken}`);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 401);
  });

  it('PATCH /v1/me/settings sets allowIncoming and rejects other values', async () => {
    const u = await registerUser(t.url);
    const ok = await t.http().patch('/v1/me/settings').set(u.auth).send({ allowIncoming: 'following' });
    expect(ok.status).toBe(200);
    await expectContract(ok, 'PATCH /v1/me/settings', 200);
    expect(ok.body.allowIncoming).toBe('following');
    expect((await t.http().get('/v1/me').set(u.auth)).body.allowIncoming).toBe('following');
    const bad = await t.http().patch('/v1/me/settings').set(u.auth).send({ allowIncoming: 'everyone' });
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 400, 'invalid_request');
    await expectError(bad, 'PATCH /v1/me/settings', 400, 'invalid_request');
  });

  it('GET /v1/users/:id returns the public profile only; unknown or malformed id is 404', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    const res = await t.http().get(`/v1/users/${b.id}`).set(a.auth);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'displayName', 'handle', 'id']);
    await expectContract(res, 'GET /v1/users/{id}', 200);
    expect((await t.http().get('/v1/users/00000000-0000-7000-8000-000000000000').set(a.auth)).status).toBe(404);
    const malformed = await t.http().get("/v1/users/1' OR '1'='1").set(a.auth);
    expect(malformed.status).toBe(404);
    expectErrorShape(malformed.body, 404, 'not_found');
    await expectError(malformed, 'GET /v1/users/{id}', 404, 'not_found');
  });

  it('follow and block are idempotent 204s; self-targeting is 422 cannot_target_self; unknown ids 404; block removes follows both ways; unfollow removes the follow', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    for (let i = 0; i < 2; i++) expect((await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth)).status).toBe(204);
    expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
    const self = await t.http().put(`/v1/users/${a.id}/follow`).set(a.auth);
    expect(self.status).toBe(422);
    expectErrorShape(self.body, 422);
    await expectError(self, 'PUT /v1/users/{id}/follow', 422, 'cannot_target_self');
    await expectContract(await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth), 'PUT /v1/users/{id}/follow', 204);
    expect((await t.http().put(`/v1/users/${a.id}/block`).set(a.auth)).status).toBe(422);
    await expectError(await t.http().put(`/v1/users/${a.id}/block`).set(a.auth), 'PUT /v1/users/{id}/block', 422, 'cannot_target_self');
    await expectError(await t.http().put(`/v1/users/${randomUUID()}/block`).set(a.auth), 'PUT /v1/users/{id}/block', 404, 'not_found');
    for (let i = 0; i < 2; i++) expect((await t.http().put(`/v1/users/${b.id}/block`).set(a.auth)).status).toBe(204);
    await expectContract(await t.http().put(`/v1/users/${b.id}/block`).set(a.auth), 'PUT /v1/users/{id}/block', 204);
    const rows = await t.app
      .get(Db)
      .query<{ n: number }>(
        'SELECT count(*)::int AS n FROM follow WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)',
        [a.id, b.id],
      );
    expect(rows[0].n).toBe(0);
    for (let i = 0; i < 2; i++)
      await expectContract(await t.http().delete(`/v1/users/${b.id}/block`).set(a.auth), 'DELETE /v1/users/{id}/block', 204);
    await expectError(
      await t.http().delete(`/v1/users/${a.id}/block`).set(a.auth),
      'DELETE /v1/users/{id}/block',
      422,
      'cannot_target_self',
    );
    // Unfollow really removes the follow (and stays a 204 when there is none left).
    const follows = async () =>
      (await t.app.get(Db).query('SELECT count(*)::int AS n FROM follow WHERE follower_id = $1 AND followee_id = $2', [a.id, b.id]))[0].n;
    await expectContract(await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth), 'PUT /v1/users/{id}/follow', 204);
    expect(await follows()).toBe(1);
    for (let i = 0; i < 2; i++)
      await expectContract(await t.http().delete(`/v1/users/${b.id}/follow`).set(a.auth), 'DELETE /v1/users/{id}/follow', 204);
    expect(await follows()).toBe(0);
    await expectError(
      await t.http().delete(`/v1/users/${a.id}/follow`).set(a.auth),
      'DELETE /v1/users/{id}/follow',
      422,
      'cannot_target_self',
    );
    await expectError(
      await t.http().delete(`/v1/users/${randomUUID()}/follow`).set(a.auth),
      'DELETE /v1/users/{id}/follow',
      404,
      'not_found',
    );
    expect((await t.http().put('/v1/users/not-a-uuid/follow').set(a.auth)).status).toBe(404);
    await expectError(await t.http().put('/v1/users/not-a-uuid/follow').set(a.auth), 'PUT /v1/users/{id}/follow', 404, 'not_found');
  });
});

describe('conventions', () => {
  it('unknown route is 404 not_found; malformed JSON is 400; a body over 64 KiB is 413', async () => {
    const nf = await t.http().get('/v1/nope');
    expect(nf.status).toBe(404);
    expectErrorShape(nf.body, 404, 'not_found');
    const bad = await t.http().post('/v1/auth/login').set('Content-Type', 'application/json').send('{"handle": ');
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 400);
    const big = await t
      .http()
      .post('/v1/auth/login')
      .send({ handle: 'x', password: 'y'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expectErrorShape(big.body, 413, 'payload_too_large');
  });

  it('GET /health is 200 with database and redis up; /docs-json and /metrics are served', async () => {
    const h = await t.http().get('/health');
    expect(h.status).toBe(200);
    expect(h.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    await expectContract(h, 'GET /health', 200);
    const docs = await t.http().get('/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body.paths['/v1/auth/register']).toBeDefined();
    const m = await t.http().get('/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toContain('http_request_duration_seconds');
  });
});

describe('password hashing cost', () => {
  const storedHash = async (app: TestApp, handle: string) => {
    const rows = await app.app.get(Db).query<{ password_hash: string }>('SELECT password_hash FROM app_user WHERE handle = $1', [handle]);
    const [, type, , params] = rows[0].password_hash.split('$');
    return { type, ...Object.fromEntries(params.split(',').map((kv) => kv.split('='))) };
  };

  it("an app booted without PASSWORD_HASH_COST hashes at the production argon2id cost (m=19456, t=2, p=1); the suite's cheap cost is test-only", async () => {
    const cheap = uniqueHandle('cost');
    expect((await t.http().post('/v1/auth/register').send({ handle: cheap, displayName: 'C', password: 'long enough pw' })).status).toBe(
      201,
    );
    expect(await storedHash(t, cheap)).toEqual({ type: 'argon2id', m: '1024', t: '1', p: '1' });
    // The cost is process-wide (one app per process in production): this app sets it back at close.
    const prod = await startTestApp({ label: 'argon-prod', env: { PASSWORD_HASH_COST: 'production' } });
    try {
      const handle = uniqueHandle('cost');
      const reg = await prod.http().post('/v1/auth/register').send({ handle, displayName: 'Cost', password: 'long enough pw' });
      expect(reg.status).toBe(201);
      expect(await storedHash(prod, handle)).toEqual({ type: 'argon2id', m: '19456', t: '2', p: '1' });
      const login = await prod.http().post('/v1/auth/login').send({ handle, password: 'long enough pw' });
      expect(login.status).toBe(200);
    } finally {
      await prod.close();
      usePasswordHashCost('test');
    }
  });
});
