import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { PG_BASE, freshDatabase, startTestApp, type TestApp } from '../support/app';
import { loginStaff, uniqueHandle } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

/**
 * The audit log is tamper-evident (API.md v1.1): a SHA-256 chain over the entries, checked by
 * GET /admin/v1/audit-log/verify (admin). Tampering is done the way the table's owner could:
 * straight in PostgreSQL with the append-only triggers switched off.
 */
let t: TestApp;
let pg: Client;
let admin: { auth: Record<string, string>; staff: { id: string } };

async function staffWith(role: 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

const verify = async () => {
  const res = await t.http().get('/admin/v1/audit-log/verify').set(admin.auth);
  await expectContract(res, 'GET /admin/v1/audit-log/verify', 200);
  return res.body;
};
const count = async () => Number((await pg.query('SELECT count(*) AS n FROM audit_log')).rows[0].n);
/** Runs SQL as the owner with every trigger of audit_log off, the way a rewrite would. */
async function asOwnerWithoutTriggers(sql: string, params: unknown[] = []) {
  await pg.query('ALTER TABLE audit_log DISABLE TRIGGER ALL');
  try {
    return (await pg.query(sql, params)).rows;
  } finally {
    await pg.query('ALTER TABLE audit_log ENABLE TRIGGER ALL');
  }
}
async function rowsInOrder() {
  // created_at as text: a JS Date would drop the microseconds the hash covers.
  return (await pg.query('SELECT *, created_at::text AS created_at_text FROM audit_log ORDER BY seq')).rows;
}
async function restore(row: any) {
  await asOwnerWithoutTriggers(
    `INSERT INTO audit_log (id, staff_id, action, subject_type, subject_id, before, after, created_at, seq, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET staff_id = $2, action = $3, subject_type = $4, subject_id = $5, before = $6, after = $7,
       created_at = $8, seq = $9, prev_hash = $10, hash = $11`,
    [
      row.id,
      row.staff_id,
      row.action,
      row.subject_type,
      row.subject_id,
      row.before === null ? null : JSON.stringify(row.before),
      row.after === null ? null : JSON.stringify(row.after),
      row.created_at_text,
      row.seq,
      row.prev_hash,
      row.hash,
    ],
  );
}

beforeAll(async () => {
  t = await startTestApp({ label: 'audit_chain', env: { APP_ROLES: 'api' } });
  pg = new Client({ connectionString: t.db.url });
  await pg.connect();
  admin = await loginStaff(t.url);
  // A few entries of different shapes (logins without a transaction, actions inside one).
  const mod = await staffWith('moderator');
  for (const pattern of ['one.example', 'two.example']) {
    expect(
      (await t.http().post('/admin/v1/blocklist').set(mod.auth).send({ pattern, kind: 'domain', reason: 'tést "quotes" | pipes' })).status,
    ).toBe(201);
  }
});
afterAll(async () => {
  await pg?.end();
  await t?.close();
});

describe('the chain', () => {
  it('every entry carries seq 1..n, prevHash (64 zeros for the first) equal to the previous hash, and a SHA-256 hash; verify answers {ok: true, entries: n}', async () => {
    const list = await t
      .http()
      .get(`/admin/v1/audit-log?sort=${encodeURIComponent('["seq","ASC"]')}&range=[0,99]`)
      .set(admin.auth);
    expect(list.status).toBe(200);
    const n = await count();
    expect(list.body).toHaveLength(n);
    list.body.forEach((e: any, i: number) => {
      expect(e.seq).toBe(i + 1);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.prevHash).toBe(i === 0 ? '0'.repeat(64) : list.body[i - 1].hash);
    });
    expect(await verify()).toEqual({ ok: true, entries: n });
  });

  it('verify is admin only: moderator and triage get 403 forbidden_role, as on the other admin-only routes', async () => {
    for (const role of ['moderator', 'triage'] as const) {
      const s = await staffWith(role);
      const res = await t.http().get('/admin/v1/audit-log/verify').set(s.auth);
      expect([role, res.status, res.body.code]).toEqual([role, 403, 'forbidden_role']);
      expect((await t.http().get('/admin/v1/staff').set(s.auth)).status).toBe(403);
    }
  });
});

describe('tampering by the database owner is detected', () => {
  it('a row changed with every trigger disabled breaks the chain at that row; restoring it heals the chain', async () => {
    const rows = await rowsInOrder();
    const victim = rows[2];
    await asOwnerWithoutTriggers(`UPDATE audit_log SET after = '{"pattern":"innocent.example"}' WHERE id = $1`, [victim.id]);
    expect(await verify()).toEqual({ ok: false, entries: 2, firstBrokenId: String(victim.id), reason: 'hash_mismatch' });
    await restore(victim);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });

  it('a row changed under session_replication_role = replica and re-hashed breaks the link to the next row', async () => {
    const rows = await rowsInOrder();
    const [victim, next] = [rows[1], rows[2]];
    await pg.query('BEGIN');
    await pg.query('SET LOCAL session_replication_role = replica');
    await pg.query(`UPDATE audit_log SET action = 'staff.nothing' WHERE id = $1`, [victim.id]);
    // The forger recomputes the changed row's own hash (the formula is public)...
    await pg.query(
      `UPDATE audit_log a SET hash = encode(sha256(convert_to(concat_ws('|',
          quote_nullable(a.prev_hash), a.seq::text, a.id::text, quote_nullable(a.staff_id::text), quote_nullable(a.action),
          quote_nullable(a.subject_type), quote_nullable(a.subject_id), quote_nullable(a.before::text), quote_nullable(a.after::text),
          to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex') WHERE id = $1`,
      [victim.id],
    );
    await pg.query('COMMIT');
    // ...which the next entry's prevHash no longer matches.
    expect(await verify()).toEqual({ ok: false, entries: 2, firstBrokenId: String(next.id), reason: 'broken_link' });
    await restore(victim);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });

  it('a middle row deleted with triggers disabled: verify names the entry after the hole', async () => {
    const rows = await rowsInOrder();
    await asOwnerWithoutTriggers('DELETE FROM audit_log WHERE id = $1', [rows[1].id]);
    expect(await verify()).toEqual({ ok: false, entries: 1, firstBrokenId: String(rows[2].id), reason: 'gap' });
    await restore(rows[1]);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });

  it('the newest rows deleted (tail truncation) are detected through the head anchored outside the database', async () => {
    const rows = await rowsInOrder();
    const newest = rows[rows.length - 1];
    await asOwnerWithoutTriggers('DELETE FROM audit_log WHERE seq >= $1', [rows.length - 1]);
    expect(await verify()).toEqual({ ok: false, entries: rows.length - 2, firstBrokenId: String(newest.id), reason: 'truncated' });
    await restore(rows[rows.length - 2]);
    await restore(newest);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });

  it('the whole chain rewritten consistently from one row on is still caught by the anchor', async () => {
    const rows = await rowsInOrder();
    await asOwnerWithoutTriggers(`UPDATE audit_log SET action = 'staff.nothing' WHERE id = $1`, [rows[1].id]);
    // Re-hash every entry from there on, in order: the chain is internally consistent again.
    for (const r of rows.slice(1)) {
      await asOwnerWithoutTriggers(
        `UPDATE audit_log a SET prev_hash = coalesce((SELECT p.hash FROM audit_log p WHERE p.seq = a.seq - 1), repeat('0', 64)) WHERE id = $1`,
        [r.id],
      );
      await asOwnerWithoutTriggers(
        `UPDATE audit_log a SET hash = encode(sha256(convert_to(concat_ws('|',
            quote_nullable(a.prev_hash), a.seq::text, a.id::text, quote_nullable(a.staff_id::text), quote_nullable(a.action),
            quote_nullable(a.subject_type), quote_nullable(a.subject_id), quote_nullable(a.before::text), quote_nullable(a.after::text),
            to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex') WHERE id = $1`,
        [r.id],
      );
    }
    expect(await verify()).toEqual({
      ok: false,
      entries: rows.length,
      firstBrokenId: String(rows[rows.length - 1].id),
      reason: 'anchor_mismatch',
    });
    for (const r of rows.slice(1)) await restore(r);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });
});

it(`20 parallel staff actions all succeed and leave one valid chain with exactly 20 more entries (${RACE_ROUNDS} rounds, fresh links and patterns each)`, async () => {
  const mod = await staffWith('moderator');
  const db = t.app.get(Db);
  await expectError(
    await t.http().get('/admin/v1/audit-log/verify').set(mod.auth),
    'GET /admin/v1/audit-log/verify',
    403,
    'forbidden_role',
  );
  await raceRounds(RACE_ROUNDS, async (round) => {
    const links: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = newId();
      await db.query(`INSERT INTO link (id, url, host, verdict, rule) VALUES ($1, $2, 'par.example', 'suspicious', 'default')`, [
        id,
        `https://par.example/${round}/${i}`,
      ]);
      links.push(id);
    }
    const before = await count();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        t
          .http()
          .post('/admin/v1/blocklist')
          .set(mod.auth)
          .send({ pattern: `par${round}-${i}.example`, kind: 'domain' }),
      ),
      ...links.map((id) => t.http().put(`/admin/v1/links/${id}`).set(mod.auth).send({ verdict: 'safe' })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(201)]);
    expect(await count()).toBe(before + 20);
    expect(await verify()).toEqual({ ok: true, entries: before + 20 });
  });
});

describe('running as a role that may only INSERT and SELECT the audit log', () => {
  const role = `bc_rt_${randomBytes(4).toString('hex')}`;
  let rt: TestApp;
  let asRuntime: Client;

  beforeAll(async () => {
    const db = await freshDatabase('audit_runtime');
    const root = new Client({ connectionString: db.url });
    await root.connect();
    // README "Database roles", before the first start (default privileges cover the tables migrations create).
    await root.query(`CREATE ROLE ${role} LOGIN`);
    await root.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}`);
    await root.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await root.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
    );
    await root.query(`ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`);
    await root.end();
    rt = await startTestApp({
      db,
      env: {
        APP_ROLES: 'api',
        DATABASE_URL: `postgres://${role}@${PG_BASE.replace(/^postgres:\/\/[^@]*@/, '')}/${db.name}`,
        DATABASE_MIGRATION_URL: db.url,
      },
    });
    asRuntime = new Client({ connectionString: rt.config.databaseUrl });
    await asRuntime.connect();
  });
  afterAll(async () => {
    await asRuntime?.end();
    await rt?.close();
    // at once: the role below cannot be dropped while this database holds its grants
    await rt?.db.drop({ now: true });
    const root = new Client({ connectionString: `${PG_BASE}/postgres` });
    await root.connect();
    await root.query(`DROP ROLE IF EXISTS ${role}`);
    await root.end();
  });

  it('the app works as that role (staff actions are audited, the chain verifies), and the role cannot UPDATE, DELETE or un-trigger audit_log', async () => {
    expect(rt.config.databaseUrl).toContain(role);
    const staff = await loginStaff(rt.url);
    expect((await rt.http().post('/admin/v1/blocklist').set(staff.auth).send({ pattern: 'rt.example', kind: 'domain' })).status).toBe(201);
    expect((await rt.http().get('/health')).status).toBe(200);
    const res = await rt.http().get('/admin/v1/audit-log/verify').set(staff.auth);
    expect(res.body).toEqual({ ok: true, entries: 2 });
    expect((await asRuntime.query('SELECT current_user AS u')).rows[0].u).toBe(role);
    for (const sql of [
      `UPDATE audit_log SET action = 'x'`,
      `DELETE FROM audit_log`,
      `TRUNCATE audit_log`,
      `ALTER TABLE audit_log DISABLE TRIGGER ALL`,
    ]) {
      const err = await asRuntime.query(sql).then(
        () => null,
        (e) => e,
      );
      expect([sql, err?.code]).toEqual([sql, expect.stringMatching(/^(42501)$/)]);
    }
  });
});

it('entries written before the chain existed are chained by the migration, in id order, and verify', async () => {
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const { ormConfig } = await import('@app/messaging/orm.config');
  const db = await freshDatabase('audit_backfill');
  const orm = await MikroORM.init(ormConfig(db.url, 2));
  await orm.getMigrator().up({ to: 'Migration20261125180500_spam_limits' });
  for (const action of ['old.one', 'old.two', 'old.three']) {
    await orm.em.getConnection().execute(`INSERT INTO audit_log (action, after) VALUES ('${action}', '{"k": "v"}')`);
  }
  await orm.close(true);
  const app = await startTestApp({ db, env: { APP_ROLES: 'api' } });
  try {
    const staff = await loginStaff(app.url);
    const res = await app.http().get('/admin/v1/audit-log/verify').set(staff.auth);
    expect(res.body).toEqual({ ok: true, entries: 4 }); // three old entries and the login
    const first = await app.app.get(Db).query('SELECT action, seq FROM audit_log ORDER BY seq');
    expect(first).toEqual([
      { action: 'old.one', seq: '1' },
      { action: 'old.two', seq: '2' },
      { action: 'old.three', seq: '3' },
      { action: 'staff.login', seq: '4' },
    ]);
  } finally {
    await app.close();
    await db.drop();
  }
});
