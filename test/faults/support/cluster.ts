/**
 * Fault tests run the BUILT app as separate processes (the only way to SIGKILL one), each
 * test with its own PostgreSQL database and Redis key prefix. global-setup.ts builds dist/
 * when it is missing or older than the sources.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The entry point `nest build api` wrote (its place depends on the compiler's rootDir). */
export function builtMain(): string {
  const found = [join(ROOT, 'dist/apps/api/main.js'), join(ROOT, 'dist/apps/api/src/main.js')].filter((p) => existsSync(p));
  if (found.length === 0) throw new Error('dist/apps/api/main.js is missing: the faults globalSetup builds it (npx nest build api)');
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface Database {
  name: string;
  url: string;
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database (the app migrates it on boot) with an admin connection for assertions. */
export async function freshDatabase(label: string, base = PG_BASE): Promise<Database> {
  const name = `bc_fault_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `${base}/${name}`;
  // The admin connection survives a server restart (a private cluster stopped by a test):
  // a connection that died is replaced on the next query.
  let broken = false;
  const open = async () => {
    const c = new Client({ connectionString: url });
    c.on('error', () => (broken = true));
    await c.connect();
    broken = false;
    return c;
  };
  let client = await open();
  return {
    name,
    url,
    query: async (sql, params = []) => {
      if (broken) {
        await client.end().catch(() => undefined);
        client = await open();
      }
      return (await client.query(sql, params)).rows;
    },
    async drop() {
      await client.end().catch(() => undefined);
      const c = new Client({ connectionString: `${base}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } catch {
    // a private Redis that is already gone: nothing to clear
  } finally {
    r.disconnect();
  }
}

const logRoot = () => {
  const dir = join(tmpdir(), 'backchannel-faults');
  mkdirSync(dir, { recursive: true });
  return dir;
};

export interface AppOptions {
  name: string;
  roles: 'api' | 'worker' | 'api,worker';
  db: Database;
  redisPrefix: string;
  redisUrl?: string;
  port?: number;
  env?: Record<string, string>;
}

/** One process of the built app. `kill('SIGKILL')` is a crash; `start()` again is a restart. */
export class AppProcess {
  child: ChildProcess | null = null;
  port = 0;
  private exited: Promise<void> = Promise.resolve();
  private logFile = '';

  constructor(readonly opts: AppOptions) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<this> {
    if (this.alive) throw new Error(`${this.opts.name} is already running`);
    if (!this.port) this.port = this.opts.port ?? (await freePort());
    this.logFile = join(logRoot(), `${this.opts.db.name}-${this.opts.name}.log`);
    const out = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [builtMain()], {
      cwd: ROOT,
      stdio: ['ignore', out, out],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PASSWORD_HASH_COST: 'test',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        APP_ROLES: this.opts.roles,
        DATABASE_URL: this.opts.db.url,
        REDIS_URL: this.opts.redisUrl ?? SHARED_REDIS_URL,
        REDIS_PREFIX: this.opts.redisPrefix,
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
        LIMIT_SEND_BURST: '100000/10',
        LIMIT_SEND_SUSTAINED: '100000/3600',
        LIMIT_CONVERSATIONS: '100000/3600',
        LIMIT_REQUESTS: '100000/86400',
        FANOUT_REQUESTS: '100000',
        PILE_ON_REQUESTS: '100000',
        LIMIT_REGISTER_IP: '100000/3600',
        ...this.opts.env,
      },
    });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    await this.ready();
    return this;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private async ready(timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.opts.name} exited during startup:\n${this.logTail()}`);
      if (this.opts.roles.includes('api')) {
        const ok = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
      } else if (/workers started/.test(this.logTail(400))) {
        return;
      }
      await sleep(100);
    }
    throw new Error(`${this.opts.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Delivers `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    this.child!.kill(signal);
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 10000);
    await this.kill('SIGTERM');
    clearTimeout(t);
  }
}

/**
 * A private redis-server on a free port, so a test can stop and restart it without touching
 * the Redis other tests share. No persistence: a restart comes back empty.
 */
export class PrivateRedis {
  child: ChildProcess | null = null;
  port = 0;
  private exited: Promise<void> = Promise.resolve();
  private dir = mkdtempSync(join(tmpdir(), 'bc-redis-'));

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    await waitFor(
      'the private redis-server',
      async () => {
        const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      },
      10000,
      50,
    );
    return this;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  async dispose() {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ the public API, as a client

export interface User {
  id: string;
  handle: string;
  token: string;
}

export interface Res {
  status: number;
  body: any;
}

/** fetch with a deadline; a network failure (refused, reset, timeout) is status 0. */
export async function call(url: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 15000): Promise<Res> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch (err: any) {
    return { status: 0, body: { error: String(err?.cause?.code ?? err?.name ?? err) } };
  }
}

let handles = 0;
export async function register(url: string, base = 'f'): Promise<User> {
  const handle = `${base}_${(++handles).toString(36)}${randomBytes(3).toString('hex')}`.slice(0, 30);
  const res = await call(url, 'POST', '/v1/auth/register', undefined, { handle, displayName: handle, password: 'fault-test-password' });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, handle, token: res.body.accessToken };
}

export async function follow(url: string, who: User, whom: User) {
  const res = await call(url, 'PUT', `/v1/users/${whom.id}/follow`, who.token);
  if (res.status !== 204) throw new Error(`follow: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A conversation where every member is active (they follow the creator). */
export async function conversation(url: string, creator: User, others: User[]): Promise<string> {
  for (const o of others) await follow(url, o, creator);
  const res = await call(url, 'POST', '/v1/conversations', creator.token, { participantIds: others.map((o) => o.id) });
  if (res.status !== 201 && res.status !== 200) throw new Error(`conversation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export function send(url: string, user: User, conversationId: string, clientId: string, text: string, timeoutMs = 15000): Promise<Res> {
  return call(url, 'POST', `/v1/conversations/${conversationId}/messages`, user.token, { clientId, text }, timeoutMs);
}

export async function syncCursor(url: string, user: User): Promise<string> {
  const res = await call(url, 'GET', '/v1/sync', user.token);
  if (res.status !== 200) throw new Error(`sync: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.cursor;
}

/** Every event after `cursor`, following hasMore; fails on a cursor that goes backwards. */
export async function syncAll(url: string, user: User, cursor: string): Promise<any[]> {
  const events: any[] = [];
  let prev = BigInt(cursor);
  for (;;) {
    const res = await call(url, 'GET', `/v1/sync?cursor=${cursor}`, user.token);
    if (res.status !== 200) throw new Error(`sync: ${res.status} ${JSON.stringify(res.body)}`);
    for (const e of res.body.events) {
      if (BigInt(e.cursor) <= prev) throw new Error(`sync cursor went backwards at ${e.cursor}`);
      prev = BigInt(e.cursor);
      events.push(e);
    }
    cursor = res.body.cursor;
    if (!res.body.hasMore) return events;
  }
}

/** Occurrences of each value (to assert "exactly once"). */
export function tally(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

export const newPrefix = (label: string) => `f${label}${randomBytes(3).toString('hex')}:`;

/**
 * A private PostgreSQL cluster (initdb in a temp dir, its own port, trust auth), so a test can
 * stop and start the database without touching the one other tests share. Built from the
 * installed server binaries (/usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as
 * root, so when the test runs as root the cluster runs as the `postgres` OS user (runuser).
 */
export class PrivatePostgres {
  port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'bc-pg-'));
  private readonly data = join(this.dir, 'data');
  private readonly bin = PrivatePostgres.binDir();

  static binDir(): string {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
    if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
    return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
  }

  get base() {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private run(tool: string, args: string[]): void {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args]] : [join(this.bin, tool), args];
    const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60000 });
    if (res.status !== 0)
      throw new Error(`${tool} ${args.join(' ')} failed (${res.status}): ${res.stdout}${res.stderr}\n${this.logTail()}`);
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  async init(): Promise<this> {
    if (typeof process.getuid === 'function' && process.getuid() === 0) spawnSync('chown', ['-R', 'postgres:', this.dir]);
    this.port = await freePort();
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    return this.start();
  }

  /** Starts the server (same port, same data) and waits until it accepts connections. */
  async start(): Promise<this> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB -c max_connections=100`;
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
    return this;
  }

  /** Fast shutdown: open sessions are ended and new connections refused until start(). */
  async stop(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async dispose(): Promise<void> {
    try {
      if (existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
