import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type AppConfig } from '../../apps/api/src/config';
import { createApp } from '../../apps/api/src/app.factory';
import { clearClusterPrefix } from './redis-cluster';
import { deferDrop } from './deferred-drops';

export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Set by the `cluster` jest project (test/cluster/env.ts): apps run on that Redis Cluster. */
export const REDIS_CLUSTER_NODES = process.env.TEST_REDIS_CLUSTER_NODES ?? '';

export interface TestDatabase {
  name: string;
  url: string;
  /** `now`: drop it at once (e.g. before dropping a role that owns or was granted objects in it), not at the end of the run. */
  drop(opts?: { now?: boolean }): Promise<void>;
}

/**
 * A database with every committed migration applied, copied by each startTestApp instead of
 * migrating ~100 fresh databases one by one. Named by a digest of the migrations folder, so a
 * changed or new migration makes a new one; made once under an advisory lock (jest workers
 * and parallel runs share it), tables only: each app still adds its JWT secret and admin.
 */
let template: Promise<string> | null = null;
export function migratedTemplate(): Promise<string> {
  return (template ??= (async () => {
    const dir = join(__dirname, '../../libs/messaging/src/migrations');
    const digest = createHash('sha256');
    for (const f of readdirSync(dir).sort()) digest.update(f).update(readFileSync(join(dir, f)));
    const name = `bc_tpl_${digest.digest('hex').slice(0, 16)}`;
    const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
    await admin.connect();
    try {
      await admin.query('SELECT pg_advisory_lock(7302114002)');
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_build`;
        await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${building}`);
        const { MikroORM } = await import('@mikro-orm/postgresql');
        const { ormConfig } = await import('@app/messaging/orm.config');
        const orm = await MikroORM.init(ormConfig(`${PG_BASE}/${building}`, 2));
        try {
          await orm.getMigrator().up();
        } finally {
          await orm.close(true);
        }
        await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock(7302114002)').catch(() => undefined);
      await admin.end();
    }
    return name;
  })());
}

/**
 * A fresh database per test file: created here, dropped by drop() (in a jest run, at its end:
 * deferred-drops.ts). Empty, or with `migrated: true` a copy of migratedTemplate().
 */
export async function freshDatabase(label = 'e2e', opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `bc_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const from = opts.migrated ? ` TEMPLATE ${await migratedTemplate()}` : '';
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${from}`);
  await admin.end();
  return {
    name,
    url: `${PG_BASE}/${name}`,
    async drop(opts: { now?: boolean } = {}) {
      // In a jest run: dropped with the others when it ends (a DROP waits for a checkpoint).
      if (!opts.now && deferDrop(PG_BASE, name)) return;
      const c = new Client({ connectionString: `${PG_BASE}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function clearRedisPrefix(prefix: string): Promise<void> {
  if (REDIS_CLUSTER_NODES) return clearClusterPrefix(REDIS_CLUSTER_NODES, prefix);
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  db: TestDatabase;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a database (a second process on the same data); otherwise a fresh one. */
  db?: TestDatabase;
  redisPrefix?: string;
  label?: string;
}

/** Boots the real app (all roles unless APP_ROLES is given) on a random port. */
export async function startTestApp(opts: StartOptions = {}): Promise<TestApp> {
  const db = opts.db ?? (await freshDatabase(opts.label, { migrated: true }));
  const redisPrefix = opts.redisPrefix ?? `t${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PASSWORD_HASH_COST: 'test',
    DATABASE_URL: db.url,
    REDIS_URL,
    ...(REDIS_CLUSTER_NODES ? { REDIS_CLUSTER_NODES } : {}),
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'error',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'admin-password-1',
    HOST: '127.0.0.1',
    PORT: '0',
    ...opts.env,
  });
  const app = await createApp(config, { log: () => undefined });
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${addr.port}`;
  let closed = false;
  return {
    app,
    url,
    config,
    db,
    http: () => request(url),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (!opts.db) await db.drop();
      if (!opts.redisPrefix) await clearRedisPrefix(redisPrefix);
    },
  };
}
