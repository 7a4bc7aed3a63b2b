import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { until } from '../support/wait';

/**
 * The staff API as the react-admin console uses it: sign-in, simple REST lists (sort,
 * range, filter, Content-Range), GET one, roles, staff management, links and the
 * blocklist, the spam queue and the dashboard.
 */
let t: TestApp;
let db: Db;
let admin: { auth: Record<string, string>; staff: { id: string } };

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

async function staffWith(role: 'admin' | 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return { ...(await loginStaff(t.url, email, 'staff-password-1')), email };
}

beforeAll(async () => {
  t = await startTestApp({ label: 'admin', env: { LIMIT_LOGIN_HANDLE: '5/900', SPAM_SCORE_THRESHOLD: '5' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

describe('staff sign-in', () => {
  it('200 {staff: {id, email, role, displayName}, accessToken}; a wrong password is 401 invalid_credentials', async () => {
    const ok = await t.http().post('/admin/v1/auth/login').send({ email: 'ADMIN@example.com', password: 'admin-password-1' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      staff: { id: expect.any(String), email: 'admin@example.com', role: 'admin', displayName: expect.any(String) },
      accessToken: expect.any(String),
    });
    const bad = await t.http().post('/admin/v1/auth/login').send({ email: 'admin@example.com', password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expectErrorShape(bad.body, 401, 'invalid_credentials');
    await expectError(bad, 'POST /admin/v1/auth/login', 401, 'invalid_credentials');
    const nobody = await t.http().post('/admin/v1/auth/login').send({ email: 'nobody@example.com', password: 'wrong-password' });
    expect(nobody.status).toBe(401);
    expect(nobody.body.code).toBe('invalid_credentials');
    const empty = await t.http().post('/admin/v1/auth/login').send({ email: 'admin@example.com' });
    expect(empty.status).toBe(400);
  });

  it('is rate limited per email: guessing gets 429 with Retry-After, even with the right password', async () => {
    const m = await staffWith('moderator');
    for (let i = 0; i < 5; i++)
      await t
        .http()
        .post('/admin/v1/auth/login')
        .send({ email: m.email, password: `guess-${i}-xxxxxx` });
    const blocked = await t.http().post('/admin/v1/auth/login').send({ email: m.email, password: 'staff-password-1' });
    expect(blocked.status).toBe(429);
    expectErrorShape(blocked.body, 429, 'rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a missing, garbage or user-audience token is 401 on every staff route', async () => {
    const u = await registerUser(t.url);
    for (const auth of [{}, { Authorization: 'Bearer garbage' }, u.auth]) {
      const res = await t.http().get('/admin/v1/stats').set(auth);
      expect(res.status).toBe(401);
      expectErrorShape(res.body, 401);
    }
  });
});

describe('react-admin simple REST', () => {
  it('lists carry Content-Range "<resource> start-end/total" and honour range and sort', async () => {
    for (let i = 0; i < 3; i++) await registerUser(t.url, uniqueHandle('listme'));
    const all = await t
      .http()
      .get(`/admin/v1/users?filter=${q({ q: 'listme' })}`)
      .set(admin.auth);
    expect(all.status).toBe(200);
    expect(all.headers['content-range']).toBe(`users 0-2/3`);
    const page = await t
      .http()
      .get(`/admin/v1/users?sort=${q(['createdAt', 'ASC'])}&range=${q([1, 1])}&filter=${q({ q: 'listme' })}`)
      .set(admin.auth);
    expect(page.headers['content-range']).toBe('users 1-1/3');
    expect(page.body).toHaveLength(1);
    const asc = await t
      .http()
      .get(`/admin/v1/users?sort=${q(['createdAt', 'ASC'])}&filter=${q({ q: 'listme' })}`)
      .set(admin.auth);
    const desc = await t
      .http()
      .get(`/admin/v1/users?sort=${q(['createdAt', 'DESC'])}&filter=${q({ q: 'listme' })}`)
      .set(admin.auth);
    expect(desc.body.map((u: any) => u.id)).toEqual([...asc.body.map((u: any) => u.id)].reverse());
    expect(page.body[0].id).toBe(asc.body[1].id);
    expect(asc.body[0]).toEqual({
      id: expect.any(String),
      handle: expect.stringContaining('listme'),
      displayName: expect.any(String),
      externalId: null,
      status: 'active',
      restrictedUntil: null,
      suspendedUntil: null,
      dmAccessRevokedAt: null,
      strikes: 0,
      createdAt: expect.any(String),
      deletedAt: null,
      legalHold: null,
      openCaseIds: [],
    });
    // getMany: filter={"id": [...]}.
    const many = await t
      .http()
      .get(`/admin/v1/users?filter=${q({ id: [asc.body[0].id, asc.body[2].id] })}`)
      .set(admin.auth);
    expect(many.body.map((u: any) => u.id).sort()).toEqual([asc.body[0].id, asc.body[2].id].sort());
    const empty = await t
      .http()
      .get(`/admin/v1/users?range=${q([50, 74])}&filter=${q({ q: 'listme' })}`)
      .set(admin.auth);
    expect(empty.body).toEqual([]);
    expect(empty.headers['content-range']).toBe('users 50-50/3');
  });

  it('a bad sort field, bad JSON, a bad range or an unknown filter is 400 invalid_request, never a 500', async () => {
    for (const query of [
      `sort=${q(['password_hash', 'ASC'])}`,
      `sort=${q(['createdAt', 'SIDEWAYS'])}`,
      'sort=%5B%22createdAt%22',
      'range=%5B5%2C1%5D',
      'filter=%7Bnope',
      `filter=${q({ secret: 1 })}`,
      `filter=${q({ status: 'sleeping' })}`,
      `filter=${q({ q: { $gt: '' } })}`,
    ]) {
      const res = await t.http().get(`/admin/v1/users?${query}`).set(admin.auth);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
    }
    const reports = await t
      .http()
      .get(`/admin/v1/reports?sort=${q(['evidence', 'ASC'])}`)
      .set(admin.auth);
    expect(reports.status).toBe(400);
  });

  it('every resource lists with its Content-Range', async () => {
    for (const resource of ['reports', 'spam-requests', 'users', 'links', 'blocklist', 'actions', 'appeals', 'audit-log', 'staff']) {
      const res = await t.http().get(`/admin/v1/${resource}`).set(admin.auth);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.headers['content-range']).toMatch(new RegExp(`^${resource} \\d+-\\d+/\\d+$`));
    }
  });

  it('every resource lists rows of the documented shape, and answers a bad range with a documented 400 invalid_request', async () => {
    // A row in every list: a report (and its case), a warning and its appeal, a blocklist entry, a link, a spam sender.
    const [a, b] = [await registerUser(t.url), await registerUser(t.url)];
    const filed = await t.http().post('/v1/reports').set(a.auth).send({ subjectType: 'user', subjectId: b.id, reason: 'spam' }).expect(201);
    const warned = await t.http().post(`/admin/v1/users/${b.id}/actions`).set(admin.auth).send({ action: 'warn', note: 'x' }).expect(200);
    await t.http().post('/v1/appeals').set(b.auth).send({ actionId: warned.body.action.id, text: 'not me' }).expect(201);
    await t
      .http()
      .post('/admin/v1/blocklist')
      .set(admin.auth)
      .send({ pattern: 'shapes.example', kind: 'domain', reason: 'test' })
      .expect(201);
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] });
    await t
      .http()
      .post(`/v1/conversations/${conv.body.id}/messages`)
      .set(a.auth)
      .send({ clientId: 'shape-1', text: 'see https://shapes-link.example/x' })
      .expect(201);
    await db.query(
      `INSERT INTO sender_stats (sender_id, requests_sent, declined, reported, score, sample, last_at) VALUES ($1, 40, 30, 5, 9.5, '["hi"]', now())`,
      [a.id],
    );
    // The link's row is written by the scan job after the send: wait for it (bounded), not for luck.
    await until('the link scan to list shapes-link.example', async () => {
      const res = await t.http().get('/admin/v1/links').set(admin.auth);
      return res.status === 200 && (res.body as Array<{ url: string }>).some((l) => l.url.includes('shapes-link.example'));
    });
    const list = async (resource: string) => {
      const res = await t.http().get(`/admin/v1/${resource}`).set(admin.auth);
      expect([resource, res.status, res.body.length > 0]).toEqual([resource, 200, true]);
      return res;
    };
    await expectContract(await list('reports'), 'GET /admin/v1/reports', 200);
    await expectContract(await list('spam-requests'), 'GET /admin/v1/spam-requests', 200);
    await expectContract(await list('users'), 'GET /admin/v1/users', 200);
    await expectContract(await list('links'), 'GET /admin/v1/links', 200);
    await expectContract(await list('blocklist'), 'GET /admin/v1/blocklist', 200);
    await expectContract(await list('actions'), 'GET /admin/v1/actions', 200);
    await expectContract(await list('appeals'), 'GET /admin/v1/appeals', 200);
    await expectContract(await list('audit-log'), 'GET /admin/v1/audit-log', 200);
    await expectContract(await list('staff'), 'GET /admin/v1/staff', 200);
    await expectContract(await t.http().get(`/admin/v1/reports/${filed.body.id}`).set(admin.auth), 'GET /admin/v1/reports/{id}', 200);
    await expectError(await t.http().get(`/admin/v1/reports/${newId()}`).set(admin.auth), 'GET /admin/v1/reports/{id}', 404, 'not_found');
    const badRange = `range=${q([5, 1])}`;
    await expectError(await t.http().get(`/admin/v1/reports?${badRange}`).set(admin.auth), 'GET /admin/v1/reports', 400, 'invalid_request');
    await expectError(
      await t.http().get(`/admin/v1/spam-requests?${badRange}`).set(admin.auth),
      'GET /admin/v1/spam-requests',
      400,
      'invalid_request',
    );
    await expectError(await t.http().get(`/admin/v1/users?${badRange}`).set(admin.auth), 'GET /admin/v1/users', 400, 'invalid_request');
    await expectError(await t.http().get(`/admin/v1/links?${badRange}`).set(admin.auth), 'GET /admin/v1/links', 400, 'invalid_request');
    await expectError(
      await t.http().get(`/admin/v1/blocklist?${badRange}`).set(admin.auth),
      'GET /admin/v1/blocklist',
      400,
      'invalid_request',
    );
    await expectError(await t.http().get(`/admin/v1/actions?${badRange}`).set(admin.auth), 'GET /admin/v1/actions', 400, 'invalid_request');
    await expectError(await t.http().get(`/admin/v1/appeals?${badRange}`).set(admin.auth), 'GET /admin/v1/appeals', 400, 'invalid_request');
    await expectError(
      await t.http().get(`/admin/v1/audit-log?${badRange}`).set(admin.auth),
      'GET /admin/v1/audit-log',
      400,
      'invalid_request',
    );
    await expectError(await t.http().get(`/admin/v1/staff?${badRange}`).set(admin.auth), 'GET /admin/v1/staff', 400, 'invalid_request');
  });

  it('GET one is 404 not_found for unknown and malformed ids on every resource', async () => {
    for (const resource of ['reports', 'spam-requests', 'users', 'links', 'blocklist', 'actions', 'appeals', 'audit-log', 'staff']) {
      for (const id of ['0190a000-0000-7000-8000-000000000000', 'not-an-id', '99999999999', "1'%20or%201=1"]) {
        const res = await t.http().get(`/admin/v1/${resource}/${id}`).set(admin.auth);
        expect([resource, id, res.status]).toEqual([resource, id, 404]);
        expectErrorShape(res.body, 404, 'not_found');
      }
    }
    const history = await t.http().get('/admin/v1/users/nope/history').set(admin.auth);
    expect(history.status).toBe(404);
  });
});

describe('staff accounts (admins only)', () => {
  it('moderators and triage cannot see or manage staff (403 forbidden_role)', async () => {
    const m = await staffWith('moderator');
    const res = await t.http().get('/admin/v1/staff').set(m.auth);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'forbidden_role');
    await expectError(res, 'GET /admin/v1/staff', 403, 'forbidden_role');
    const create = await t
      .http()
      .post('/admin/v1/staff')
      .set(m.auth)
      .send({ email: 'x@example.com', displayName: 'x', password: 'long-enough-1', role: 'admin' });
    expect(create.status).toBe(403);
  });

  it('creates staff (409 email_taken on a duplicate), changes roles at once, and disabling signs the account out', async () => {
    const tri = await staffWith('triage');
    const dup = await t
      .http()
      .post('/admin/v1/staff')
      .set(admin.auth)
      .send({ email: tri.email.toUpperCase(), displayName: 'dup', password: 'staff-password-1', role: 'triage' });
    expect(dup.status).toBe(409);
    expectErrorShape(dup.body, 409, 'email_taken');
    const row = await t.http().get(`/admin/v1/staff/${tri.staff.id}`).set(admin.auth);
    expect(row.body).toEqual({
      id: tri.staff.id,
      email: tri.email,
      displayName: 'A triage',
      role: 'triage',
      disabled: false,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(row.body)).not.toMatch(/password/i);
    expect((await t.http().post('/admin/v1/blocklist').set(tri.auth).send({ pattern: 'promo.example', kind: 'domain' })).status).toBe(403);
    const promoted = await t
      .http()
      .put(`/admin/v1/staff/${tri.staff.id}`)
      .set(admin.auth)
      .send({ role: 'moderator', displayName: 'Promoted' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'moderator', displayName: 'Promoted' });
    // The same token now carries the new role (roles are read on each request).
    const made = await t.http().post('/admin/v1/blocklist').set(tri.auth).send({ pattern: 'promo.example', kind: 'domain' });
    expect(made.status).toBe(201);
    const disabled = await t.http().put(`/admin/v1/staff/${tri.staff.id}`).set(admin.auth).send({ disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await t.http().get('/admin/v1/reports').set(tri.auth)).status).toBe(401);
    expect((await t.http().post('/admin/v1/auth/login').send({ email: tri.email, password: 'staff-password-1' })).status).toBe(401);
    const audit = await t
      .http()
      .get(`/admin/v1/audit-log?filter=${q({ subjectId: tri.staff.id })}`)
      .set(admin.auth);
    expect(audit.body.map((a: any) => a.action)).toEqual(expect.arrayContaining(['staff.create', 'staff.update']));
    expect(audit.body[0].staffEmail).toBe('admin@example.com');
  });

  it('the last enabled admin cannot demote or disable themselves (422)', async () => {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM staff WHERE role = 'admin' AND NOT disabled`);
    expect(n).toBe(1);
    const res = await t.http().put(`/admin/v1/staff/${admin.staff.id}`).set(admin.auth).send({ role: 'triage' });
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 422);
    const off = await t.http().put(`/admin/v1/staff/${admin.staff.id}`).set(admin.auth).send({ disabled: true });
    expect(off.status).toBe(422);
  });
});

describe('links and the blocklist', () => {
  async function seedLink(url: string, host: string, verdict = 'safe') {
    const id = newId();
    await db.query(
      `INSERT INTO link (id, url, host, verdict, scanned_at, expires_at, seen_count) VALUES ($1, $2, $3, $4, now(), now() + interval '1 day', 1)`,
      [id, url, host, verdict],
    );
    await db.query(`INSERT INTO link_occurrence (url, host) VALUES ($1, $2)`, [url, host]);
    return id;
  }

  it('a blocklist entry is normalised, unique (409), previewable, audited, and re-scans recent links', async () => {
    const m = await staffWith('moderator');
    await seedLink('https://shop.badstore.example/deal', 'shop.badstore.example');
    await seedLink('https://badstore.example/', 'badstore.example');
    await seedLink('https://notbadstore.example/', 'notbadstore.example');
    const preview = await t
      .http()
      .get(`/admin/v1/blocklist/preview?pattern=${encodeURIComponent('*.BadStore.Example.')}&kind=domain`)
      .set(m.auth);
    expect(preview.status).toBe(200);
    expect(preview.body.matches).toBe(2);
    expect(preview.body.sample.sort()).toEqual(['https://badstore.example/', 'https://shop.badstore.example/deal']);
    const created = await t
      .http()
      .post('/admin/v1/blocklist')
      .set(m.auth)
      .send({ pattern: '*.BadStore.Example.', kind: 'domain', reason: 'fraud shop' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      pattern: 'badstore.example',
      kind: 'domain',
      reason: 'fraud shop',
      createdBy: m.staff.id,
      createdByName: 'A moderator',
      createdAt: expect.any(String),
      rescan: null,
    });
    const dup = await t.http().post('/admin/v1/blocklist').set(m.auth).send({ pattern: 'badstore.example', kind: 'domain' });
    expect(dup.status).toBe(409);
    await expectError(dup, 'POST /admin/v1/blocklist', 409, 'conflict');
    const url = await t.http().post('/admin/v1/blocklist').set(m.auth).send({ pattern: 'HTTPS://Evil.Example/Path#frag', kind: 'url' });
    expect(url.body.pattern).toBe('https://evil.example/Path');
    for (const bad of [
      { pattern: 'not a domain', kind: 'domain' },
      { pattern: 'javascript:alert(1)', kind: 'url' },
      { pattern: 'x.example', kind: 'regex' },
    ]) {
      const res = await t.http().post('/admin/v1/blocklist').set(m.auth).send(bad);
      expect(res.status).toBe(400);
      await expectError(res, 'POST /admin/v1/blocklist', 400, 'invalid_request');
    }
    // The re-scan job (run by the workers after commit) makes matching links malicious.
    const deadline = Date.now() + 8000;
    let verdicts: any[] = [];
    while (Date.now() < deadline) {
      verdicts = await db.query(`SELECT host, verdict FROM link WHERE host LIKE '%badstore.example' ORDER BY host`);
      if (verdicts.filter((v) => v.verdict === 'malicious').length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(verdicts).toEqual([
      { host: 'badstore.example', verdict: 'malicious' },
      { host: 'notbadstore.example', verdict: 'safe' },
      { host: 'shop.badstore.example', verdict: 'malicious' },
    ]);
    const listed = await t
      .http()
      .get(`/admin/v1/blocklist?filter=${q({ kind: 'domain', pattern: 'badstore' })}`)
      .set(m.auth);
    expect(listed.body.map((e: any) => e.id)).toEqual([created.body.id]);
    const removed = await t.http().delete(`/admin/v1/blocklist/${created.body.id}`).set(m.auth);
    expect(removed.status).toBe(200);
    expect((await t.http().get(`/admin/v1/blocklist/${created.body.id}`).set(m.auth)).status).toBe(404);
    const audit = await db.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [created.body.id]);
    expect(audit.map((a) => a.action)).toEqual(['blocklist.create', 'blocklist.delete']);
  });

  it('staff label a link (triage may label): the verdict sticks as an override and is audited', async () => {
    const tri = await staffWith('triage');
    const id = await seedLink('https://fine.example/page', 'fine.example');
    const res = await t.http().put(`/admin/v1/links/${id}`).set(tri.auth).send({ verdict: 'suspicious', reason: 'lookalike' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      url: 'https://fine.example/page',
      host: 'fine.example',
      verdict: 'suspicious',
      reason: 'lookalike',
      rule: 'staff',
      overridden: true,
      seenCount: 1,
    });
    expect(res.body.lastSeenAt).toEqual(expect.any(String));
    const listed = await t
      .http()
      .get(`/admin/v1/links?filter=${q({ verdict: 'suspicious', overridden: true })}`)
      .set(tri.auth);
    expect(listed.body.map((l: any) => l.id)).toContain(id);
    const bad = await t.http().put(`/admin/v1/links/${id}`).set(tri.auth).send({ verdict: 'evil' });
    expect(bad.status).toBe(400);
    const [a] = await db.query(`SELECT staff_id, before, after FROM audit_log WHERE action = 'link.label' AND subject_id = $1`, [id]);
    expect(a).toMatchObject({ staff_id: tri.staff.id, before: { verdict: 'safe' }, after: { verdict: 'suspicious', overridden: true } });
  });
});

describe('end-user reports are rate limited', () => {
  it('past the hourly budget a new report is 429 with Retry-After; re-filing a known report costs nothing', async () => {
    const reporter = await registerUser(t.url);
    const budget = t.config.limits.reportsPerHour.points;
    const ids = Array.from({ length: budget + 1 }, () => newId());
    await db.query(
      `INSERT INTO app_user (id, handle, display_name, password_hash) SELECT id, 'rl_' || substr(md5(id::text), 1, 20), 'x', 'x' FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    for (const id of ids.slice(0, budget)) {
      await t.http().post('/v1/reports').set(reporter.auth).send({ subjectType: 'user', subjectId: id, reason: 'spam' }).expect(201);
    }
    const again = await t.http().post('/v1/reports').set(reporter.auth).send({ subjectType: 'user', subjectId: ids[0], reason: 'spam' });
    expect(again.status).toBe(200);
    const over = await t
      .http()
      .post('/v1/reports')
      .set(reporter.auth)
      .send({ subjectType: 'user', subjectId: ids[budget], reason: 'spam' });
    expect(over.status).toBe(429);
    expectErrorShape(over.body, 429, 'rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('spam queue and dashboard', () => {
  it('spam-requests lists senders at or above the score threshold, filterable by senderId; reads are audited', async () => {
    const spammer = await registerUser(t.url);
    const quiet = await registerUser(t.url);
    await db.query(
      `INSERT INTO sender_stats (sender_id, requests_sent, declined, reported, score, sample, last_at)
       VALUES ($1, 40, 30, 5, 9.5, '["win a prize", "click here"]', now()), ($2, 2, 0, 0, 0.5, '[]', now())`,
      [spammer.id, quiet.id],
    );
    const list = await t.http().get('/admin/v1/spam-requests').set(admin.auth);
    expect(list.status).toBe(200);
    expect(list.body.map((r: any) => r.senderId)).toContain(spammer.id);
    expect(list.body.map((r: any) => r.senderId)).not.toContain(quiet.id);
    const one = await t
      .http()
      .get(`/admin/v1/spam-requests?filter=${q({ senderId: spammer.id })}`)
      .set(admin.auth);
    expect(one.headers['content-range']).toBe('spam-requests 0-0/1');
    expect(one.body[0]).toMatchObject({
      id: spammer.id,
      senderId: spammer.id,
      senderHandle: spammer.handle,
      requestsSent: 40,
      declined: 30,
      reported: 5,
      score: 9.5,
      sample: ['win a prize', 'click here'],
      lastAt: expect.any(String),
    });
    expect((await t.http().get(`/admin/v1/spam-requests/${quiet.id}`).set(admin.auth)).status).toBe(404);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'spam_requests.read'`);
    expect(n).toBeGreaterThanOrEqual(2);
    const stats = await t.http().get('/admin/v1/stats').set(admin.auth);
    expect(stats.body.topSpamSenders).toEqual(expect.arrayContaining([{ senderId: spammer.id, handle: spammer.handle, score: 9.5 }]));
  });

  it('GET /admin/v1/stats has the dashboard shape', async () => {
    const a = await registerUser(t.url);
    const b = await registerUser(t.url);
    await t.http().post('/v1/reports').set(b.auth).send({ subjectType: 'user', subjectId: a.id, reason: 'hate' }).expect(201);
    const res = await t.http().get('/admin/v1/stats').set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      openByReason: expect.arrayContaining([{ reason: 'hate', count: expect.any(Number) }]),
      overdue: expect.any(Number),
      medianFirstResponseMinutes: null,
      medianResolutionMinutes: null,
      topSpamSenders: expect.any(Array),
      linkVerdictsPerDay: expect.any(Array),
      pileOnTripsPerDay: expect.any(Array),
    });
    expect(res.body.linkVerdictsPerDay).toHaveLength(14);
    expect(res.body.pileOnTripsPerDay).toHaveLength(14);
    expect(res.body.pileOnTripsPerDay[13]).toEqual({ day: new Date().toISOString().slice(0, 10), trips: 0 });
    expect(res.body.linkVerdictsPerDay[13]).toEqual({
      day: new Date().toISOString().slice(0, 10),
      safe: expect.any(Number),
      suspicious: expect.any(Number),
      malicious: expect.any(Number),
    });
  });
});
