#!/usr/bin/env node
'use strict';
/**
 * A developer's probe of the send path's cost, for a shared and noisy machine: where the
 * full bench reports rates (which move with other people's load), this reports what a
 * message COSTS, which moves much less: per delivered message, the app's CPU (user and
 * kernel), its read and write system calls (/proc/<pid>/io syscr/syscw: exact counts), its
 * context switches, the PostgreSQL backends' CPU, and the Redis commands issued (INFO
 * commandstats of the shared server: others' commands leak in, read them as a bound).
 * Optionally a V8 profile of each phase (PROBE_PROFILE=1), summarised like the bench's.
 *
 *   npm run build:api && node bench/probe.js
 *   PROBE_PHASES (socket1,rest1,scan)  socket1 | socket8 | rest1 | rest8 | group | scan
 *   PROBE_MSGS (3000)                  messages per peer phase (a fixed count, not a duration)
 *   PROBE_SCAN_JOBS (1000)             messages with new URLs for the scan phase
 *   PROBE_REPEAT (1)                   each phase this many times (the best and the median are printed)
 *   PROBE_PROFILE (0)                  1: a V8 CPU profile per phase, top functions printed
 *   PROBE_PERF (0)                     1: `perf record -e cpu-clock` of the app per phase (on-CPU time only,
 *                                      kernel included, JS names from --perf-basic-prof): top symbols
 *   PROBE_TEXT                         another text (the bench's peer text by default)
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, readFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { Client } = require('pg');
const IORedis = require('ioredis');
const { Queue } = require('bullmq');
const { AppProcess, PENDING_LINKS_SQL, REDIS_URL, createDatabase, cpuSplit, dropDatabase, freePort, sleep } = require('./lib/product');
const { JsonClient } = require('./lib/http');
const { connect, follow, conversation, group, inBatches, registerUsers } = require('./lib/workload');
const { PeerTracker, PEER_TEXT } = require('./lib/peer');
const { summarise } = require('./lib/cpu-profile');
const { summarisePerf } = require('./lib/perf-summary');

const num = (name, def) => (process.env[name] ? Number(process.env[name]) : def);
const CFG = {
  phases: (process.env.PROBE_PHASES || 'socket1,rest1,scan').split(','),
  msgs: num('PROBE_MSGS', 3000),
  scanJobs: num('PROBE_SCAN_JOBS', 1000),
  repeat: num('PROBE_REPEAT', 1),
  profile: process.env.PROBE_PROFILE === '1',
  perf: process.env.PROBE_PERF === '1',
  text: process.env.PROBE_TEXT || PEER_TEXT,
  pairs: 16,
};
const log = (...a) => process.stderr.write(`[probe ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

function procIo(pid) {
  const io = Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/:\s+/))
      .map(([k, v]) => [k, Number(v)]),
  );
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const ctx = (k) => Number((new RegExp(`${k}:\\s+(\\d+)`).exec(st) || [])[1] || 0);
  return { syscr: io.syscr, syscw: io.syscw, vcs: ctx('voluntary_ctxt_switches'), ivcs: ctx('nonvoluntary_ctxt_switches') };
}

async function redisCalls(r) {
  const info = await r.info('commandstats');
  let calls = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  return calls;
}

class Meter {
  constructor(ctx) {
    this.ctx = ctx;
  }
  async snap() {
    const { rows } = await this.ctx.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      this.ctx.dbName,
    ]);
    const pg = new Map(rows.map((r) => [r.pid, cpuSplit(r.pid)]));
    return {
      t: performance.now(),
      app: cpuSplit(this.ctx.app.pid),
      io: procIo(this.ctx.app.pid),
      pg,
      redis: await redisCalls(this.ctx.redis),
    };
  }
  async start() {
    this.a = await this.snap();
  }
  async stop(msgs) {
    const b = await this.snap();
    const a = this.a;
    let pg = 0;
    for (const [pid, c] of b.pg) {
      const o = a.pg.get(pid) || { user: 0, sys: 0 };
      pg += c.user + c.sys - o.user - o.sys;
    }
    const per = (x) => (1e6 * x) / msgs; // µs per message
    return {
      msgs,
      wall: (b.t - a.t) / 1000,
      appUser: per(b.app.user - a.app.user),
      appSys: per(b.app.sys - a.app.sys),
      app: per(b.app.user + b.app.sys - a.app.user - a.app.sys),
      pg: per(pg),
      syscr: (b.io.syscr - a.io.syscr) / msgs,
      syscw: (b.io.syscw - a.io.syscw) / msgs,
      vcs: (b.io.vcs - a.io.vcs) / msgs,
      ivcs: (b.io.ivcs - a.io.ivcs) / msgs,
      redisCalls: (b.redis - a.redis - 2) / msgs, // minus the two INFO calls
      load: os.loadavg()[0],
    };
  }
}

/** Closed loop on delivery with N in flight per lane, until `total` messages were received. */
async function fixedLoad({ mode, url, lanes, tracker, n, total, tag, text }) {
  tracker.reset();
  const clients = mode === 'rest' ? lanes.map(() => new JsonClient(url, n)) : [];
  let issued = 0;
  const errors = {};
  const t0 = performance.now();
  await Promise.all(
    lanes.map(async (lane, i) => {
      const s = { inFlight: 0, received: 0, failed: 0, waiter: null, httpOpen: new Set(), early: new Set() };
      s.wake = () => {
        const w = s.waiter;
        s.waiter = null;
        if (w) w();
      };
      s.release = (clientId) => {
        if (s.httpOpen.has(clientId)) return s.early.add(clientId);
        s.inFlight--;
        s.wake();
      };
      for (let k = 0; issued < total; k++) {
        while (s.inFlight >= n) await new Promise((r) => (s.waiter = r) && setTimeout(r, 2000));
        if (issued >= total) break;
        issued++;
        const clientId = `${tag}-${i}-${k}`;
        s.inFlight++;
        tracker.expect(clientId, s, lane.recipients);
        if (mode === 'socket') {
          lane.socket.emit('message.send', { conversationId: lane.conversationId, clientId, text }, (ack) => {
            if (!(ack && ack.message)) {
              errors[(ack && ack.error && ack.error.code) || 'no_ack'] = (errors.x || 0) + 1;
              tracker.cancel(clientId);
            }
          });
        } else {
          s.httpOpen.add(clientId);
          clients[i].post(`/v1/conversations/${lane.conversationId}/messages`, { clientId, text }, lane.sender.token).then((res) => {
            s.httpOpen.delete(clientId);
            if (res.status !== 201) {
              errors[res.status] = (errors[res.status] || 0) + 1;
              tracker.cancel(clientId);
            } else if (s.early.delete(clientId)) {
              s.inFlight--;
              s.wake();
            }
          });
        }
      }
      while (s.inFlight > 0) await new Promise((r) => (s.waiter = r) && setTimeout(r, 200));
    }),
  );
  for (const c of clients) c.close();
  return {
    received: tracker.messages,
    duplicates: tracker.duplicates,
    errors,
    seconds: (performance.now() - t0) / 1000,
    latency: tracker.latency,
  };
}

function ipc(proc, msg, until, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${until}`)), timeoutMs);
    const on = (m) => {
      if (m && (m.profile === until || m.profile === 'error')) {
        clearTimeout(t);
        proc.child.off('message', on);
        if (m.profile === 'error') reject(new Error(m.message));
        else resolve(m);
      }
    };
    proc.child.on('message', on);
    proc.child.send(msg);
  });
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const line = (name, m, extra = '') =>
  `${name.padEnd(10)} app ${f1(m.app).padStart(6)} µs (user ${f1(m.appUser)}, sys ${f1(m.appSys)})  pg ${f1(m.pg).padStart(6)} µs  syscw ${f2(m.syscw)}  syscr ${f2(m.syscr)}  cs ${f2(m.vcs)}+${f2(m.ivcs)}  redis cmds ${f2(m.redisCalls)}  ${extra} load ${m.load.toFixed(1)}`;

async function main() {
  const runId = randomBytes(4).toString('hex');
  const ctx = { runId, logDir: mkdtempSync(join(os.tmpdir(), `probe-${runId}-`)) };
  ctx.dbName = `probe_${runId}`;
  ctx.databaseUrl = await createDatabase(ctx.dbName);
  ctx.redisPrefix = `probe${runId}:`;
  ctx.redis = new IORedis(REDIS_URL);
  const app = new AppProcess({
    name: 'app',
    roles: 'api,worker',
    port: await freePort(),
    databaseUrl: ctx.databaseUrl,
    redisPrefix: ctx.redisPrefix,
    logDir: ctx.logDir,
    nodeArgs: ['--expose-gc', ...(CFG.perf ? ['--perf-basic-prof-only-functions'] : []), '-r', join(__dirname, 'lib/profile-hook.js')],
    ipc: true,
  }).start();
  const sockets = [];
  const http = new JsonClient(`http://127.0.0.1:${app.port}`, 64);
  try {
    await app.ready();
    ctx.app = app;
    ctx.admin = new Client({ connectionString: ctx.databaseUrl });
    await ctx.admin.connect();
    log(`app pid ${app.pid}, db ${ctx.dbName}, logs ${ctx.logDir}`);
    const meter = new Meter(ctx);
    const tracker = new PeerTracker();
    const prefix = `p${runId}`;
    const users = await registerUsers(http, `${prefix}p`, 2 * CFG.pairs);
    const lanes = [];
    await inBatches(
      Array.from({ length: CFG.pairs }, (_, i) => i),
      4,
      async (i) => {
        const sender = users[i];
        const receiver = users[CFG.pairs + i];
        await follow(http, sender, receiver);
        await follow(http, receiver, sender);
        lanes[i] = { sender, receiver, conversationId: await conversation(http, sender, [receiver]), recipients: [receiver.id] };
      },
    );
    for (const lane of lanes) {
      lane.socket = await connect(app.url, lane.sender.token);
      tracker.attach(lane.socket, lane.sender.id);
      lane.receiverSocket = await connect(app.url, lane.receiver.token);
      tracker.attach(lane.receiverSocket, lane.receiver.id);
      sockets.push(lane.socket, lane.receiverSocket);
    }
    let groupLanes = null;
    if (CFG.phases.includes('group')) {
      const grp = await group(http, prefix, 15);
      groupLanes = [];
      for (const m of grp.members) {
        const s = await connect(app.url, m.token);
        sockets.push(s);
        tracker.attach(s, m.id);
        groupLanes.push({
          sender: m,
          socket: s,
          conversationId: grp.id,
          recipients: grp.members.filter((x) => x.id !== m.id).map((x) => x.id),
        });
      }
    }
    const pending = async () => (await ctx.admin.query(PENDING_LINKS_SQL)).rows[0].n;
    const drain = async () => {
      const t0 = performance.now();
      while ((await pending()) > 0 && performance.now() - t0 < 60000) await sleep(10);
    };
    // warm-up: JIT, pools, the link cache
    await fixedLoad({ mode: 'socket', url: app.url, lanes, tracker, n: 1, total: 1500, tag: 'w', text: CFG.text });
    await fixedLoad({ mode: 'rest', url: app.url, lanes, tracker, n: 1, total: 500, tag: 'wr', text: CFG.text });
    await drain();
    let scanRound = 0;
    for (const phase of CFG.phases) {
      const results = [];
      for (let rep = 0; rep < CFG.repeat; rep++) {
        const profFile = join(ctx.logDir, `${phase}-${rep}.cpuprofile`);
        const perfFile = join(ctx.logDir, `${phase}-${rep}.perf.data`);
        let perf = null;
        const record = async () => {
          if (CFG.profile) await ipc(app, { profile: 'start' }, 'started');
          perf = CFG.perf
            ? spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(app.pid), '-o', perfFile], {
                stdio: 'ignore',
              })
            : null;
          if (perf) await sleep(300);
        };
        let m;
        let extra = '';
        if (phase === 'scan') {
          const n = CFG.scanJobs;
          const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
          const q = new Queue('link-scan', { connection, prefix: `${ctx.redisPrefix}bull` });
          await q.pause();
          const round = scanRound++;
          await Promise.all(
            lanes.map(async (lane, i) => {
              for (let k = i; k < n; k += lanes.length) {
                const res = await http.post(
                  `/v1/conversations/${lane.conversationId}/messages`,
                  { clientId: `ls-${round}-${k}`, text: `have a look at https://s${round}x${k % 997}.example.org/a/${k}?ref=probe` },
                  lane.sender.token,
                );
                if (res.status !== 201) throw new Error(`link send ${res.status}`);
              }
            }),
          );
          for (;;) {
            const c = await q.getJobCounts('wait', 'paused', 'prioritized');
            if (c.wait + c.paused + c.prioritized >= n) break;
            await sleep(50);
          }
          await record();
          await meter.start();
          const t0 = performance.now();
          await q.resume();
          await drain();
          const secs = (performance.now() - t0) / 1000;
          m = await meter.stop(n);
          extra = `${Math.round(n / secs)} jobs/s`;
          await q.close();
          connection.disconnect();
        } else {
          const mode = phase.startsWith('rest') ? 'rest' : 'socket';
          const n = phase === 'group' ? 1 : Number(phase.replace(/\D/g, '')) || 1;
          await record();
          await meter.start();
          const r = await fixedLoad({
            mode,
            url: app.url,
            lanes: phase === 'group' ? groupLanes : lanes,
            tracker,
            n,
            total: CFG.msgs,
            tag: `${phase}${rep}`,
            text: CFG.text,
          });
          await drain();
          m = await meter.stop(r.received);
          extra = `${Math.round(r.received / r.seconds)} msgs/s p99 ${f1(r.latency.pct(99))} ms dup ${r.duplicates} err ${JSON.stringify(r.errors)}`;
        }
        if (perf) {
          perf.kill('SIGINT');
          await new Promise((r) => perf.once('exit', r));
          m.perfFile = perfFile;
        }
        if (CFG.profile) {
          await ipc(app, { profile: 'stop', file: profFile }, 'written');
          const s = summarise(profFile, 25);
          m.profile = s;
        }
        results.push(m);
        log(line(phase, m, extra));
      }
      const sorted = [...results].sort((a, b) => a.app - b.app);
      const med = sorted[Math.floor(sorted.length / 2)];
      process.stdout.write(`${line(`${phase}*`, med)}  (median of ${results.length}; best app ${f1(sorted[0].app)} µs)\n`);
      if (CFG.perf) {
        const p = summarisePerf(med.perfFile, { top: 30 });
        const us = (ns) => f1(ns / 1000 / med.msgs).padStart(7);
        process.stdout.write(
          `  perf ${phase}: ${us(p.totalNs)} µs on CPU per message, kernel ${us(p.kernelNs)}; self time by the nearest JS function:\n`,
        );
        for (const r of p.functions) process.stdout.write(`    ${us(r.ns)} µs  ${r.name.slice(0, 140)}\n`);
        process.stdout.write('  inclusive by area:\n');
        for (const r of p.areas) process.stdout.write(`    ${us(r.ns)} µs  ${r.name}\n`);
      }
      if (CFG.profile) {
        const p = med.profile;
        const per = (ms) => ((1000 * ms) / med.msgs).toFixed(1);
        process.stdout.write(`  profile ${phase}: busy ${Math.round(p.busyMs ?? 0)} ms\n`);
        for (const row of p.topFunctions.slice(0, 25)) process.stdout.write(`    ${per(row.ms).padStart(7)} µs  ${row.name}\n`);
        for (const row of p.areasInclusive.slice(0, 25)) process.stdout.write(`    incl ${per(row.ms).padStart(7)} µs  ${row.name}\n`);
      }
    }
  } finally {
    for (const s of sockets) s.close();
    http.close();
    await app.stop().catch(() => undefined);
    if (ctx.admin) await ctx.admin.end().catch(() => undefined);
    await dropDatabase(ctx.dbName).catch(() => undefined);
    const keys = await ctx.redis.keys(`${ctx.redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 500) await ctx.redis.del(...keys.slice(i, i + 500));
    ctx.redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
