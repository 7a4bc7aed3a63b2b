import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectError } from '../support/contract';
import { loginStaff, registerUser, type TestUser } from '../support/factories';

/** Operational hardening: console headers, a quiet /health, a closed /metrics, and a careful blocklist. */
let t: TestApp;
let admin: { auth: Record<string, string> };

beforeAll(async () => {
  const adminDir = mkdtempSync(join(tmpdir(), 'bc-admin-'));
  writeFileSync(join(adminDir, 'index.html'), '<!doctype html><title>console</title>');
  t = await startTestApp({
    label: 'hardening',
    env: { ADMIN_STATIC_DIR: adminDir, BLOCKLIST_RESCAN_BATCH: '10', LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '1000/3600' },
  });
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

describe('/admin console headers', () => {
  it('every /admin page carries a CSP with frame-ancestors none and X-Frame-Options DENY', async () => {
    for (const [path, status] of [
      ['/admin', 200],
      ['/admin/', 200],
      ['/admin/reports', 200],
      ['/admin/index.html', 200],
    ] as const) {
      const res = await t.http().get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });
});

describe('database sessions', () => {
  it('run without JIT whatever the server default (orm.config.ts): short prepared statements never pay a compile', async () => {
    const db = t.app.get(Db);
    // Several at once, so more than one pooled session answers; `client`: set by the app's
    // connection, not inherited from the server's configuration.
    const rows = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.query<{ setting: string; source: string }>(`SELECT setting, source FROM pg_settings WHERE name = 'jit'`),
      ),
    );
    expect(rows.map(([r]) => r)).toEqual(Array.from({ length: 4 }, () => ({ setting: 'off', source: 'client' })));
  });
});

describe('/health', () => {
  it('names the failing part with a short stable word, never the database error text', async () => {
    const ok = await t.http().get('/health');
    expect(ok.status).toBe(200);
    const root = new Client({ connectionString: t.db.url.replace(/\/[^/]+$/, '/postgres') });
    await root.connect();
    try {
      await root.query(`ALTER DATABASE ${t.db.name} ALLOW_CONNECTIONS false`);
      await root.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        t.db.name,
      ]);
      const down = await t.http().get('/health');
      expect(down.status).toBe(503);
      await expectError(down, 'GET /health', 503, 'service_unavailable');
      expect(down.body.error?.database ?? down.body.details?.database).toEqual({ status: 'down', message: 'unreachable' });
      expect(JSON.stringify(down.body)).not.toContain(t.db.name);
      expect(JSON.stringify(down.body)).not.toMatch(/terminat|connection|postgres/i);
      // Liveness checks no dependency: the process answers while the database does not.
      const live = await t.http().get('/health/live');
      expect({ status: live.status, body: live.body }).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await root.query(`ALTER DATABASE ${t.db.name} ALLOW_CONNECTIONS true`);
      await root.end();
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await t.http().get('/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});

describe('/metrics', () => {
  it('without METRICS_TOKEN: 200 for a loopback scraper, 404 for anyone else (a client behind the local proxy)', async () => {
    expect((await t.http().get('/metrics')).status).toBe(200);
    const remote = await t.http().get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expect([remote.status, remote.body.code]).toEqual([404, 'not_found']);
  });

  it('with METRICS_TOKEN: 401 without or with a wrong bearer, 200 with the right one', async () => {
    const token = `m-${randomUUID()}`;
    const m = await startTestApp({ label: 'metrics_token', env: { APP_ROLES: 'api', METRICS_TOKEN: token } });
    try {
      const none = await m.http().get('/metrics');
      expect([none.status, none.body.code]).toEqual([401, 'unauthorized']);
      expect((await m.http().get('/metrics').set('Authorization', `Bearer ${token}x`)).status).toBe(401);
      const ok = await m.http().get('/metrics').set('Authorization', `Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('http_request_duration_seconds');
    } finally {
      await m.close();
    }
  });
});

describe('blocklist', () => {
  it('refuses public suffixes (com, co.uk, github.io) with 400 invalid_request saying so; a domain under one is fine', async () => {
    for (const pattern of ['com', 'co.uk', 'github.io', '*.co.uk', 'GITHUB.IO.']) {
      const res = await t.http().post('/admin/v1/blocklist').set(admin.auth).send({ pattern, kind: 'domain' });
      expect([pattern, res.status, res.body.code]).toEqual([pattern, 400, 'invalid_request']);
      expect(res.body.message).toMatch(/public suffix/);
      const preview = await t
        .http()
        .get(`/admin/v1/blocklist/preview?kind=domain&pattern=${encodeURIComponent(pattern)}`)
        .set(admin.auth);
      expect([pattern, preview.status]).toEqual([pattern, 400]);
    }
    for (const pattern of ['evil.co.uk', 'evil.github.io']) {
      expect((await t.http().post('/admin/v1/blocklist').set(admin.auth).send({ pattern, kind: 'domain' })).status).toBe(201);
    }
  });

  it('the re-scan walks recent content in batches and the entry shows its progress until done = total; every match is removed', async () => {
    const a: TestUser = await registerUser(t.url);
    const b: TestUser = await registerUser(t.url);
    expect((await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth)).status).toBe(204);
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id] });
    expect(conv.status).toBe(201);
    const N = 25; // three batches of 10
    for (let i = 0; i < N; i++) {
      const sent = await t
        .http()
        .post(`/v1/conversations/${conv.body.id}/messages`)
        .set(a.auth)
        .send({ clientId: randomUUID(), text: `see https://p${i}.batched.example/x` });
      expect(sent.status).toBe(201);
    }
    const db = t.app.get(Db);
    const settled = async () =>
      Number(
        (await db.query(`SELECT count(*) AS n FROM link_occurrence WHERE host LIKE '%batched.example' AND scanned_at IS NOT NULL`))[0].n,
      );
    let deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await settled()) < N) await new Promise((r) => setTimeout(r, 200));
    expect(await settled()).toBe(N);

    const added = await t.http().post('/admin/v1/blocklist').set(admin.auth).send({ pattern: 'batched.example', kind: 'domain' });
    expect(added.status).toBe(201);
    expect(added.body.rescan).toBeNull();
    let entry: any;
    deadline = Date.now() + 30_000;
    do {
      entry = (await t.http().get(`/admin/v1/blocklist/${added.body.id}`).set(admin.auth)).body;
      if (entry.rescan?.done === N) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    expect(entry.rescan).toEqual({ total: N, done: N });
    const removed = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM message WHERE conversation_id = $1 AND state = 'removed'`, [conv.body.id]))[0].n);
    deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await removed()) < N) await new Promise((r) => setTimeout(r, 200));
    expect(await removed()).toBe(N);
  });
});
