'use strict';
/**
 * The peer, ejabberd, run in the same sitting as we are, through its own scripts
 * (../shared/peers/ejabberd: setup.sh once, run.sh N SECONDS per measurement). It is stopped
 * afterwards so it takes no CPU from what is measured next. Not installed → null and a reason:
 * the benchmark then prints no ratio (never a figure from another day).
 */
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function peerDir(root) {
  const candidates = [process.env.BENCH_PEER_DIR, join(root, '../shared/peers/ejabberd'), join(root, '../../shared/peers/ejabberd')].filter(
    Boolean,
  );
  return candidates.find((d) => existsSync(join(d, 'run.sh')) && existsSync(join(d, 'setup.sh'))) || null;
}

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

function available(root) {
  if (process.env.BENCH_PEER === '0') return { ok: false, why: 'skipped (BENCH_PEER=0)' };
  const dir = peerDir(root);
  if (!dir) return { ok: false, why: 'peer scripts not found (../shared/peers/ejabberd next to the repository, or BENCH_PEER_DIR)' };
  if (!has('ejabberdctl')) return { ok: false, why: `ejabberd is not installed (run ${join(dir, 'setup.sh')} once, as root)` };
  return { ok: true, dir };
}

const running = () => spawnSync('ejabberdctl', ['status'], { stdio: 'ignore' }).status === 0;

function stop() {
  if (has('ejabberdctl') && running()) spawnSync('ejabberdctl', ['stop'], { stdio: 'ignore', timeout: 60000 });
  // ejabberdctl stop returns before the VM is gone: wait for its processes to exit.
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && ejabberdPids().length > 0) spawnSync('sleep', ['0.2']);
}

/** Processes of the ejabberd OS user (the Erlang VM, epmd). */
function ejabberdPids() {
  let uid;
  try {
    uid = execFileSync('id', ['-u', 'ejabberd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return [];
  }
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(st);
      const name = (/^Name:\s+(\S+)/m.exec(st) || [])[1];
      if (m && m[1] === uid && name !== 'epmd') pids.push(Number(d));
    } catch {
      // gone
    }
  }
  return pids;
}

/** setup.sh (idempotent: installs nothing when ejabberd is there), then run.sh N SECONDS. */
function setup(dir, log) {
  const r = spawnSync('bash', [join(dir, 'setup.sh')], { encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) throw new Error(`ejabberd setup.sh failed (${r.status}): ${(r.stdout + r.stderr).slice(-800)}`);
  log(`  ${r.stdout.trim().split('\n').pop()}`);
}

/**
 * One measured run. `cpuProbe` is a shell command load.mjs runs at the start and the end of
 * its window (CPU_PROBE); it prints the CPU seconds of ejabberd and of its PostgreSQL backends.
 */
function run(dir, n, seconds, cpuProbe) {
  const r = spawnSync('bash', [join(dir, 'run.sh'), String(n), String(seconds)], {
    encoding: 'utf8',
    timeout: (seconds + 120) * 1000,
    env: { ...process.env, ...(cpuProbe ? { CPU_PROBE: cpuProbe } : {}) },
  });
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`ejabberd run.sh ${n} ${seconds} printed no result (${r.status}): ${(r.stdout + r.stderr).slice(-800)}`);
  const out = JSON.parse(line);
  if (out.cpu0 && out.cpu1) {
    const a = JSON.parse(out.cpu0);
    const b = JSON.parse(out.cpu1);
    out.cpu = { ejabberd: b.ejabberd - a.ejabberd, postgres: b.postgres - a.postgres, machine: b.machine - a.machine, wall: b.t - a.t };
  }
  return out;
}

module.exports = { available, ejabberdPids, run, running, setup, stop };
