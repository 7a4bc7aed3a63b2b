/**
 * The fault tests run the built app as child processes: build it when dist/ is missing (a
 * fresh clone) or older than any source file. A lock directory keeps two jest runs from
 * building into dist/ at the same time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SOURCES = [join(ROOT, 'apps/api/src'), join(ROOT, 'libs/messaging/src')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  const mains = [join(ROOT, 'dist/apps/api/main.js'), join(ROOT, 'dist/apps/api/src/main.js')].filter((p) => existsSync(p));
  return Math.max(0, ...mains.map((p) => statSync(p).mtimeMs));
}

const stale = () => builtAt() < Math.max(...SOURCES.map(newestSource));

export default async function globalSetup() {
  if (!stale()) return;
  const lock = join(tmpdir(), 'backchannel-nest-build.lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another run is building; a lock older than 5 minutes belongs to a build that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`could not take ${lock}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (!stale()) return;
    const started = Date.now();
    const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'api'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // tsc emits even when it reports type errors; those fail `npm run typecheck`, not these tests.
    if (builtAt() < started - 1000) {
      throw new Error(`nest build api failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
    }
    if (res.status !== 0)
      process.stderr.write(`\n[faults] nest build api reported errors but emitted dist/:\n${(res.stdout + res.stderr).slice(0, 2000)}\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
