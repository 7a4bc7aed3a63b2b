/**
 * `npm start` is how people run the product, and how supervisors stop it: a SIGTERM or
 * SIGINT to the npm process must end the server (npm execs node, which drains and exits),
 * not leave node re-parented and still serving. Runs `npm start --ignore-scripts` (the
 * prestart build is skipped: globalSetup already built dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { clearRedisPrefix, freePort, freshDatabase, ROOT, SHARED_REDIS_URL, waitFor, type Database } from './support/cluster';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** Every process whose parent is `pid` (from /proc), recursively. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const parents = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('fault: stopping `npm start` with a signal', () => {
  let db: Database;
  const prefix = `npmsig${randomBytes(3).toString('hex')}:`;
  let npm: ChildProcess | null = null;
  /** Whatever npm started: killed in afterAll if a test failed and left it running. */
  let started: number[] = [];

  beforeAll(async () => {
    db = await freshDatabase('npmsig');
  });
  afterAll(async () => {
    if (npm && npm.exitCode === null) npm.kill('SIGKILL');
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    npm?.stdout?.destroy();
    npm?.stderr?.destroy();
    await clearRedisPrefix(SHARED_REDIS_URL, prefix);
    await db?.drop();
  });

  it('one Ctrl-C in a terminal (SIGINT to the whole process group, which npm forwards again) drains and exits 0; start-up shows no framework wiring lines at info', async () => {
    const port = await freePort();
    let output = '';
    // detached: npm leads its own process group, as a shell's foreground job does; a
    // terminal's Ctrl-C signals every process of that group (npm, and node under it).
    npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PASSWORD_HASH_COST: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: db.url,
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: prefix,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'pretty',
      },
    });
    npm.stdout!.on('data', (b) => (output += b));
    npm.stderr!.on('data', (b) => (output += b));
    const npmExit = new Promise<number | null>((r) => npm!.once('exit', (code) => r(code)));
    await waitFor(
      'the server behind npm start to answer /health',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        return res?.status === 200;
      },
      60_000,
    );
    await waitFor('the where-everything-is lines', async () => /listening on http/.test(output), 10_000);
    const tree = descendants(npm.pid!);
    started = tree;

    const beforeListening = output.slice(0, output.indexOf('listening on http'));
    expect(beforeListening).not.toMatch(/RouterExplorer|RoutesResolver|InstanceLoader|Mapped \{/);
    expect(beforeListening.split('\n').filter((l) => l.trim()).length).toBeLessThan(15);

    process.kill(-npm.pid!, 'SIGINT');
    const code = await npmExit;
    await waitFor('every process npm started to exit', async () => tree.every((pid) => !alive(pid)), 30_000);
    expect(await portOpen(port)).toBe(false);
    await waitFor('the drain to be logged', async () => /drained and stopped in \d+ ms/.test(output), 5_000);
    expect(output).not.toContain('SIGINT again');
    expect(code).toBe(0);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm ends the server: the port closes, no node is left, the drain is logged`, async () => {
      const port = await freePort();
      let output = '';
      npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          PASSWORD_HASH_COST: 'test',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: db.url,
          REDIS_URL: SHARED_REDIS_URL,
          REDIS_PREFIX: prefix,
          LOG_LEVEL: 'warn',
        },
      });
      npm.stdout!.on('data', (b) => (output += b));
      npm.stderr!.on('data', (b) => (output += b));
      const npmExit = new Promise<void>((r) => npm!.once('exit', () => r()));

      await waitFor(
        'the server behind npm start to answer /health',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
          return res?.status === 200;
        },
        60_000,
      );
      const tree = descendants(npm.pid!);
      started = tree;
      expect(tree.length).toBeGreaterThan(0); // the server runs under npm

      npm.kill(signal);
      await npmExit;
      await waitFor('every process npm started to exit', async () => tree.every((pid) => !alive(pid)), 30_000);
      expect(await portOpen(port)).toBe(false);
      await waitFor('the drain to be logged', async () => /drained and stopped in \d+ ms/.test(output), 5_000);
      expect(output).toContain(`${signal}: closing the port`);
    });
  }
});
