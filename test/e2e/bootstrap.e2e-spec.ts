import { Client } from 'pg';
import { prepareDatabase } from '../../apps/api/src/bootstrap/database';
import { loadConfig } from '../../apps/api/src/config';
import { migrationsList } from '@app/messaging/migrations';
import { freshDatabase, PG_BASE } from '../support/app';

describe('start-up', () => {
  it('two processes starting at once apply the migrations exactly once and share one generated JWT secret', async () => {
    const db = await freshDatabase('boot');
    try {
      const opts = { databaseUrl: db.url, jwtSecret: null, adminEmail: 'first@example.com', adminPassword: 'first-password-1' };
      const [a, b, c] = await Promise.all([prepareDatabase(opts), prepareDatabase(opts), prepareDatabase(opts)]);
      expect([a, b, c].flatMap((r) => r.migrated).sort()).toEqual(migrationsList.map((m) => m.name).sort());
      expect(a.jwtSecret).toHaveLength(64);
      expect(b.jwtSecret).toBe(a.jwtSecret);
      expect(c.jwtSecret).toBe(a.jwtSecret);
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const staff = await client.query('SELECT email, role FROM staff');
      await client.end();
      expect(staff.rows).toEqual([{ email: 'first@example.com', role: 'admin' }]);
    } finally {
      await db.drop();
    }
  });

  it('creates the database named in DATABASE_URL when it does not exist', async () => {
    const name = `bc_missing_${Date.now().toString(36)}`;
    try {
      await prepareDatabase({ databaseUrl: `${PG_BASE}/${name}`, jwtSecret: 'x'.repeat(40), adminEmail: null, adminPassword: null });
      const client = new Client({ connectionString: `${PG_BASE}/${name}` });
      await client.connect();
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM mikro_orm_migrations`);
      await client.end();
      expect(rows[0].n).toBe(migrationsList.length);
    } finally {
      const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('a malformed variable is named in one line', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT: expected a whole number, got "eighty"');
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL:/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/^JWT_SECRET:/);
    expect(() => loadConfig({ APP_ROLES: 'api,web' })).toThrow(/^APP_ROLES:/);
    expect(() => loadConfig({ LIMIT_SEND_BURST: '20 per 10' })).toThrow(/^LIMIT_SEND_BURST:/);
  });
});
