import { randomBytes } from 'node:crypto';
import { Client, type QueryResultRow } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '@app/messaging/orm.config';
import { newId } from '@app/messaging/ids';
import { hashPassword } from '@app/messaging/accounts/passwords';
import { offerJwtSecret, storedJwtSecret } from '@app/messaging/accounts/app-settings.repository';
import { insertStaff, staffCount } from '@app/messaging/safety/staff/staff.repository';
import type { Queryable } from '@app/messaging/db/db.service';

const MIGRATION_LOCK_KEY = 7_302_114_001; // arbitrary, fixed: "backchannel migrations"

/** Creates the database named in the URL when it does not exist yet (developer default). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (err: any) {
    if (err?.code !== '3D000') throw err; // anything but "database does not exist" is real
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
  } catch (err: any) {
    if (err?.code !== '42P04') throw err; // another process created it first: fine
  } finally {
    await client.end();
  }
}

/**
 * Applies committed migrations under a PostgreSQL advisory lock so two processes starting
 * at once never run them twice; also makes sure the shared JWT secret and the first admin
 * exist. Returns the JWT secret every process must use.
 */
export async function prepareDatabase(opts: {
  databaseUrl: string;
  jwtSecret: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  log?: (msg: string) => void;
}): Promise<{ jwtSecret: string; migrated: string[] }> {
  const log = opts.log ?? (() => undefined);
  await ensureDatabase(opts.databaseUrl);
  const lock = new Client({ connectionString: opts.databaseUrl });
  await lock.connect();
  const orm = await MikroORM.init(ormConfig(opts.databaseUrl, 2));
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrated = (await orm.getMigrator().up()).map((m) => m.name);
    if (migrated.length) log(`applied migrations: ${migrated.join(', ')}`);

    const q: Queryable = {
      query: async <R extends QueryResultRow>(sql: string, params?: unknown[]) => (await lock.query<R>(sql, params)).rows,
    };
    let jwtSecret = opts.jwtSecret;
    if (!jwtSecret) {
      await offerJwtSecret(q, randomBytes(48).toString('base64url'));
      const stored = await storedJwtSecret(q);
      if (!stored) throw new Error('app_setting holds no jwt_secret right after storing one.');
      jwtSecret = stored;
    }

    if (opts.adminEmail && opts.adminPassword) {
      if ((await staffCount(q)) === 0) {
        const passwordHash = await hashPassword(opts.adminPassword);
        await insertStaff(q, {
          id: newId(),
          email: opts.adminEmail.toLowerCase(),
          displayName: 'Administrator',
          passwordHash,
          role: 'admin',
        });
        log(`created the first admin staff account ${opts.adminEmail}`);
      }
    }
    return { jwtSecret, migrated };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
    await orm.close(true);
  }
}

/** True when every committed migration has been applied (used by /health). */
export async function pendingMigrations(orm: MikroORM): Promise<number> {
  return (await orm.getMigrator().getPendingMigrations()).length;
}
