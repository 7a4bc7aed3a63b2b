'use strict';
/**
 * Starts and stops the product for the benchmark: the built app (`dist/.../main.js`) as
 * child processes, each with the database and Redis prefix of this run, on loopback.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, statSync } = require('node:fs');
const net = require('node:net');
const { join, resolve } = require('node:path');
const { Client } = require('pg');

const ROOT = join(__dirname, '..', '..');
/**
 * The checkout whose build is run (its dist/ and working directory): this one unless
 * BENCH_APP_DIR names another (e.g. a worktree of the baseline commit, to measure both builds in
 * one sitting with the same bench).
 */
const APP_DIR = process.env.BENCH_APP_DIR ? resolve(process.env.BENCH_APP_DIR) : ROOT;
const PG_BASE = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/** Where `nest build api` put the entry point (depends on the compiler's rootDir). */
function builtMain() {
  const candidates = [join(APP_DIR, 'dist/apps/api/main.js'), join(APP_DIR, 'dist/apps/api/src/main.js')].filter(existsSync);
  if (candidates.length === 0) throw new Error(`${APP_DIR}/dist/apps/api/main.js not found: run \`npm run build:api\` there first`);
  return candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** The compiled library module at `libs/messaging/src/<rel>` next to the built entry point. */
function builtLib(rel) {
  const main = builtMain();
  const distRoot = main.includes('/apps/api/src/') ? main.split('/apps/api/src/')[0] : main.split('/apps/api/')[0];
  return require(join(distRoot, 'libs/messaging/src', rel));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function createDatabase(name) {
  const c = new Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return `${PG_BASE}/${name}`;
}

async function dropDatabase(name) {
  const c = new Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}

/** Limits far above what the benchmark reaches: it measures speed, not the rate limiter's refusals. */
const HIGH_LIMITS = {
  LIMIT_SEND_BURST: '1000000/10',
  LIMIT_SEND_SUSTAINED: '1000000/3600',
  LIMIT_CONVERSATIONS: '1000000/3600',
  LIMIT_REQUESTS: '1000000/86400',
  // The request-wave checks (fan-out hold, pile-on breaker) would hold or hide the bench's requests.
  FANOUT_REQUESTS: '1000000',
  PILE_ON_REQUESTS: '1000000',
  LIMIT_REGISTER_IP: '1000000/3600',
  LIMIT_LOGIN_IP: '1000000/900',
  LIMIT_SEARCH: '1000000/60',
  // Sockets per user (the app's maximum, 1000; default 10): the idle phase holds BENCH_IDLE_SOCKETS
  // sockets over the run's few dozen users, and under the default the quota would close all but
  // 10 per user as they arrive (bench/run.js idlePhase counts what the app really holds).
  MAX_SOCKETS_PER_USER: '1000',
};
const MAX_SOCKETS_PER_USER = Number(HIGH_LIMITS.MAX_SOCKETS_PER_USER);

/**
 * One app process. `roles`: 'api', 'worker' or 'api,worker'. Output goes to a log file in
 * `logDir`; `ready()` resolves once /health answers 200 (API) or the worker says it started.
 */
class AppProcess {
  constructor({ name, roles, port, databaseUrl, redisPrefix, logDir, env = {}, nodeArgs = [], ipc = false }) {
    Object.assign(this, { name, roles, port, databaseUrl, redisPrefix, logDir, env, nodeArgs, ipc });
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
    this.exited = null;
  }

  start() {
    mkdirSync(this.logDir, { recursive: true });
    this.logFile = join(this.logDir, `${this.name}.log`);
    const out = openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [...this.nodeArgs, builtMain()], {
      cwd: APP_DIR,
      stdio: this.ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        APP_ROLES: this.roles,
        DATABASE_URL: this.databaseUrl,
        REDIS_URL,
        REDIS_PREFIX: this.redisPrefix,
        LOG_LEVEL: 'warn',
        ACCESS_TOKEN_TTL_SECONDS: '7200',
        ...HIGH_LIMITS,
        ...this.env,
      },
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    return this;
  }

  get pid() {
    return this.child && this.child.pid;
  }

  logTail(lines = 30) {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async ready(timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    let dead = false;
    this.exited.then(() => (dead = true));
    while (Date.now() < deadline) {
      if (dead) throw new Error(`${this.name} exited during startup:\n${this.logTail()}`);
      if (this.roles.includes('api')) {
        const ok = await fetch(`${this.url}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return this;
      } else if (/workers started/.test(this.logTail(200))) {
        return this;
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** SIGTERM and wait (Nest's shutdown hooks run); SIGKILL if it hangs. */
  async stop(timeoutMs = 10000) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** CPU seconds a process has used so far, user and kernel, from /proc (Linux). */
function cpuSplit(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 }; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return { user: 0, sys: 0 };
  }
}

const cpuSeconds = (pid) => {
  const { user, sys } = cpuSplit(pid);
  return user + sys;
};

/** Resident set size in bytes, from /proc (Linux). */
function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The ESTABLISHED TCP connections held by process `pid` (its socket inodes in /proc/<pid>/net/tcp{,6}): [{local, remote}] ports. */
function establishedTcp(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed between the listing and the readlink
    }
  }
  const out = [];
  for (const file of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode (field 9); st 01 = ESTABLISHED
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '01' && inodes.has(f[9]))
        out.push({ local: parseInt(f[1].split(':').pop(), 16), remote: parseInt(f[2].split(':').pop(), 16) });
    }
  }
  return out;
}

/**
 * The connections process `pid` holds open on its listening `port` with any of `peerPids` (Linux,
 * /proc): an app-side ESTABLISHED socket on `port` whose remote port is the local port of a
 * peer's ESTABLISHED socket to `port`. What the server really holds, whatever its clients think,
 * and none of the bench's own HTTP connections.
 */
function heldConnections(pid, port, peerPids) {
  const peerPorts = new Set();
  for (const p of peerPids) {
    try {
      for (const c of establishedTcp(p)) if (c.remote === port) peerPorts.add(c.local);
    } catch {
      // a peer that exited holds nothing
    }
  }
  return establishedTcp(pid).filter((c) => c.local === port && peerPorts.has(c.remote)).length;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Links awaiting their verdict: unscanned occurrences, and backlog messages still pending (issue #28's link_backlog). */
const PENDING_LINKS_SQL = `/* PENDING_LINKS */ SELECT count(*)::int AS n
  FROM message m, jsonb_array_elements(m.links) l
 WHERE m.id IN (SELECT message_id FROM link_backlog
                UNION SELECT message_id FROM link_occurrence WHERE scanned_at IS NULL AND message_id IS NOT NULL)
   AND m.state = 'visible' AND l ->> 'verdict' = 'pending'`;

module.exports = {
  PENDING_LINKS_SQL,
  APP_DIR,
  AppProcess,
  MAX_SOCKETS_PER_USER,
  PG_BASE,
  REDIS_URL,
  ROOT,
  builtLib,
  builtMain,
  createDatabase,
  cpuSeconds,
  cpuSplit,
  dropDatabase,
  freePort,
  heldConnections,
  rssBytes,
  sleep,
};
