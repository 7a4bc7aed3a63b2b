'use strict';
/**
 * What ONE send costs, in figures that do not move with the machine's load (issue #28): a
 * fixed number of sends of the peer's workload against the built app (`npm run build:api`
 * first) on a fresh database, and per delivered message
 *   - PostgreSQL: statements, plan + execution time (pg_stat_statements, with
 *     `track_planning` on for this database only), buffers hit and dirtied, WAL records and
 *     bytes, and the CPU of the database's backends (/proc);
 *   - the app: its process's CPU (/proc: user + kernel) over the same sends;
 *   - per statement: calls per send, plan and execution µs per call, buffers, WAL.
 * Wall-clock rates are printed too, for orientation only: on a shared machine they drift.
 *
 *   node bench/send-cost.js                       # socket N=1, the peer's text (cached link)
 *   SEND_COST_MODES=socket,newlink,n8,rest node bench/send-cost.js
 *   SEND_COST_MODES=nolink,socket,nolink,socket node bench/send-cost.js   # A/B: what the cached link adds
 *
 * Knobs: SEND_COST_SENDS (2000 per mode), SEND_COST_WARMUP (300, unmeasured, before each
 * mode), SEND_COST_MODES (socket | nolink | newlink | n8 | rest), SEND_COST_TOP (10 statements),
 * BENCH_STREAM (positions by default here: the sockets connect in the positions stream mode,
 * so a send writes no per-member rows; `v1` for per-user cursors), SEND_COST_JSON=1 (one JSON
 * line per mode on stdout instead of the table), SEND_COST_KEEP=1 (keep the database afterwards),
 * SEND_COST_PROFILE=1 (V8 CPU profile of the app over the measured sends: self time per send by
 * area and function, inclusive time by package; the profiler adds its own overhead to the CPU).
 */
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { Client } = require('pg');
const { AppProcess, PENDING_LINKS_SQL, createDatabase, cpuSplit, dropDatabase, freePort, sleep } = require('./lib/product');
const { JsonClient } = require('./lib/http');
const { connect, directPairs } = require('./lib/workload');
const { PEER_TEXT, NO_LINK_TEXT, newLinkText } = require('./lib/peer');
const { summarise } = require('./lib/cpu-profile');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

process.env.BENCH_STREAM = process.env.BENCH_STREAM || 'positions';
const SENDS = Number(process.env.SEND_COST_SENDS || 2000);
const WARMUP = Number(process.env.SEND_COST_WARMUP || 300);
const MODES = (process.env.SEND_COST_MODES || 'socket').split(',').map((s) => s.trim());
const TOP = Number(process.env.SEND_COST_TOP || 10);
const PAIRS = 16;
const PROFILE = process.env.SEND_COST_PROFILE === '1';

/** Asks the app's profile hook (bench/lib/profile-hook.js) and waits for its answer. */
function askApp(app, msg, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && m[key] !== undefined) {
        app.child.off('message', on);
        resolve(m);
      }
    };
    app.child.on('message', on);
    app.child.send(msg);
  });
}
const log = (...a) => process.stderr.write(`[send-cost] ${a.join(' ')}\n`);

const MODE = {
  socket: { transport: 'socket', n: 1, text: () => PEER_TEXT, what: 'socket N=1, the peer text (cached link)' },
  newlink: { transport: 'socket', n: 1, text: null, what: 'socket N=1, a new link in every message' },
  nolink: { transport: 'socket', n: 1, text: () => NO_LINK_TEXT, what: 'socket N=1, the peer text without its link' },
  n8: { transport: 'socket', n: 8, text: () => PEER_TEXT, what: 'socket N=8, the peer text' },
  rest: { transport: 'rest', n: 1, text: () => PEER_TEXT, what: 'REST, 16 connections, the peer text' },
};

/** `count` sends over the lanes, at most `n` unreceived per lane; resolves when all were received (or 30 s passed). */
async function run({ lanes, transport, n, count, text, tag, url }) {
  const clients = transport === 'rest' ? lanes.map(() => new JsonClient(url, n)) : [];
  let issued = 0;
  let received = 0;
  let failed = 0;
  const errors = {};
  const pending = new Map();
  let done;
  const finished = new Promise((r) => (done = r));
  const check = () => received + failed >= count && done();
  const lanesState = lanes.map((lane, i) => ({ lane, i, inFlight: 0, k: 0, httpOpen: new Set(), early: new Set() }));
  const next = (s) => {
    while (s.inFlight < n && issued < count) {
      issued++;
      s.inFlight++;
      const clientId = `${tag}-${s.i}-${s.k++}`;
      const body = text(issued);
      pending.set(clientId, s);
      const fail = (code) => {
        errors[code] = (errors[code] || 0) + 1;
        pending.delete(clientId);
        failed++;
        s.inFlight--;
        check();
        next(s);
      };
      if (transport === 'socket') {
        s.lane.socket.emit('message.send', { conversationId: s.lane.conversationId, clientId, text: body }, (ack) => {
          if (!(ack && ack.message)) fail((ack && ack.error && ack.error.code) || 'no_ack');
        });
      } else {
        s.httpOpen.add(clientId);
        clients[s.i].post(`/v1/conversations/${s.lane.conversationId}/messages`, { clientId, text: body }, s.lane.sender.token).then(
          (res) => {
            s.httpOpen.delete(clientId);
            if (res.status !== 201) return fail(res.status);
            if (s.early.delete(clientId)) {
              s.inFlight--;
              next(s);
            }
          },
          (err) => fail(err.code || 'network'),
        );
      }
    }
  };
  for (const s of lanesState) {
    s.lane.recipientSocket.removeAllListeners('message.created');
    s.lane.recipientSocket.on('message.created', (p) => {
      const m = p && p.message;
      const st = m && pending.get(m.clientId);
      if (!st) return;
      pending.delete(m.clientId);
      received++;
      // Over REST a slot frees once the response came back too (the connection is busy until then).
      if (st.httpOpen.has(m.clientId)) st.early.add(m.clientId);
      else {
        st.inFlight--;
        next(st);
      }
      check();
    });
  }
  const t0 = performance.now();
  for (const s of lanesState) next(s);
  await Promise.race([finished, sleep(Math.max(30000, count * 50))]);
  const seconds = (performance.now() - t0) / 1000;
  for (const c of clients) c.close();
  return { received, failed, errors, seconds };
}

async function backendPids(admin, dbName) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
  return rows.map((r) => r.pid);
}

const cpuOf = (pid) => {
  const { user, sys } = cpuSplit(pid);
  return user + sys;
};

async function pgSnapshot(db) {
  const { rows } = await db.query(
    `SELECT query, calls::float8 AS calls, total_plan_time::float8 AS plan_ms, plans::float8 AS plans, total_exec_time::float8 AS exec_ms,
            shared_blks_hit::float8 AS hit, shared_blks_read::float8 AS read, shared_blks_dirtied::float8 AS dirtied,
            wal_records::float8 AS wal, wal_bytes::float8 AS wal_bytes, wal_fpi::float8 AS fpi
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0`,
  );
  return rows.filter((r) => !/pg_stat_statements|PENDING_LINKS|pg_database|pg_stat_activity/.test(r.query));
}

function statementName(q) {
  const s = q.replace(/\s+/g, ' ').trim();
  if (/^WITH turn AS/.test(s) || /INSERT INTO message \(id, conversation_id, seq/.test(s)) return 'SEND_SQL';
  return s.length > 72 ? `${s.slice(0, 72)}…` : s;
}

async function measure(ctx, modeName) {
  const m = MODE[modeName];
  if (!m) throw new Error(`unknown mode ${modeName} (${Object.keys(MODE).join(', ')})`);
  const runId = randomBytes(3).toString('hex');
  const text = m.text || newLinkText(runId);
  log(`${m.what}: warm-up ${WARMUP}`);
  await run({ ...ctx, transport: m.transport, n: m.n, count: WARMUP, text: m.text ? m.text : newLinkText(`w${runId}`), tag: `w${runId}` });
  await drain(ctx);
  await ctx.db.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
  const pids = await backendPids(ctx.admin, ctx.dbName);
  const pgBefore = new Map(pids.map((p) => [p, cpuOf(p)]));
  if (PROFILE) await askApp(ctx.app, { profile: 'start', intervalUs: 500 }, 'profile');
  const appBefore = cpuSplit(ctx.app.pid);
  log(`${m.what}: ${SENDS} sends`);
  const r = await run({ ...ctx, transport: m.transport, n: m.n, count: SENDS, text, tag: `m${runId}` });
  await drain(ctx);
  const appAfter = cpuSplit(ctx.app.pid);
  let profile = null;
  if (PROFILE) {
    const file = join(tmpdir(), `send-cost-${runId}.cpuprofile`);
    await askApp(ctx.app, { profile: 'stop', file }, 'profile');
    profile = summarise(file, 25);
  }
  let pgCpu = 0;
  for (const p of await backendPids(ctx.admin, ctx.dbName)) pgCpu += cpuOf(p) - (pgBefore.get(p) || 0);
  const stmts = await pgSnapshot(ctx.db);
  const msgs = r.received;
  const sum = (k) => stmts.reduce((a, s) => a + s[k], 0);
  const per = (x) => x / msgs;
  const out = {
    mode: modeName,
    what: m.what,
    stream: process.env.BENCH_STREAM,
    sends: SENDS,
    received: msgs,
    failed: r.failed,
    errors: r.errors,
    wallRate: msgs / r.seconds,
    appCpuMs: per(1000 * (appAfter.user + appAfter.sys - appBefore.user - appBefore.sys)),
    pgCpuMs: per(1000 * pgCpu),
    statements: per(sum('calls')),
    planMs: per(sum('plan_ms')),
    execMs: per(sum('exec_ms')),
    plans: per(sum('plans')),
    blksHit: per(sum('hit') + sum('read')),
    blksDirtied: per(sum('dirtied')),
    walRecords: per(sum('wal')),
    walBytes: per(sum('wal_bytes')),
    walFpi: per(sum('fpi')),
    top: stmts
      .sort((a, b) => b.plan_ms + b.exec_ms - (a.plan_ms + a.exec_ms))
      .slice(0, TOP)
      .map((s) => ({
        statement: statementName(s.query),
        callsPerSend: s.calls / msgs,
        plansPerCall: s.plans / s.calls,
        planUs: (1000 * s.plan_ms) / s.calls,
        execUs: (1000 * s.exec_ms) / s.calls,
        blks: (s.hit + s.read) / s.calls,
        dirtied: s.dirtied / s.calls,
        wal: s.wal / s.calls,
        walBytes: s.wal_bytes / s.calls,
      })),
    profile: profile && {
      areasSelf: profile.areasSelf.map((a) => ({ name: a.name, usPerSend: (1000 * a.ms) / msgs })),
      areasInclusive: profile.areasInclusive.map((a) => ({ name: a.name, usPerSend: (1000 * a.ms) / msgs })),
      topFunctions: profile.topFunctions.map((a) => ({ name: a.name, usPerSend: (1000 * a.ms) / msgs })),
    },
  };
  return out;
}

/** Until no link of this run awaits its verdict (bounded: 60 s). */
async function drain(ctx) {
  const until = Date.now() + 60000;
  while (Date.now() < until) {
    const { rows } = await ctx.db.query(PENDING_LINKS_SQL);
    if (rows[0].n === 0) return;
    await sleep(20);
  }
  log('link backlog not drained after 60 s');
}

function print(o) {
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = [
    `## ${o.what} (stream ${o.stream}): ${o.received} received of ${o.sends}${o.failed ? `, ${o.failed} failed ${JSON.stringify(o.errors)}` : ''}`,
    `per send: app CPU ${f(o.appCpuMs, 3)} ms · PostgreSQL backends CPU ${f(o.pgCpuMs, 3)} ms · statements ${f(o.statements)} ` +
      `(plans ${f(o.plans)}) · plan ${f(o.planMs, 3)} ms + exec ${f(o.execMs, 3)} ms · buffers ${f(o.blksHit, 1)} (dirtied ${f(o.blksDirtied, 1)}) · ` +
      `WAL ${f(o.walRecords, 1)} records, ${f(o.walBytes, 0)} bytes (${f(o.walFpi, 2)} FPI) · wall ${f(o.wallRate, 0)} msgs/s (noisy)`,
    '| statement | calls/send | plans/call | plan µs | exec µs | µs/send | buffers | dirtied | WAL rec | WAL rec/send | WAL bytes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...o.top.map(
      (s) =>
        `| ${s.statement.replace(/\|/g, '\\|')} | ${f(s.callsPerSend, 3)} | ${f(s.plansPerCall)} | ${f(s.planUs, 0)} | ${f(s.execUs, 0)} | ${f(s.callsPerSend * (s.planUs + s.execUs), 0)} | ${f(s.blks, 1)} | ${f(s.dirtied, 1)} | ${f(s.wal, 1)} | ${f(s.callsPerSend * s.wal, 2)} | ${f(s.walBytes, 0)} |`,
    ),
    '',
  ];
  if (o.profile) {
    const list = (xs) => xs.map((a) => `${a.name} ${f(a.usPerSend, 0)}`).join(' · ');
    lines.push(`app self µs/send by area: ${list(o.profile.areasSelf)}`, `app inclusive µs/send: ${list(o.profile.areasInclusive)}`);
    lines.push('app top functions (self µs/send):', ...o.profile.topFunctions.map((a) => `  ${f(a.usPerSend, 1)}  ${a.name}`), '');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main() {
  const dbName = `bench_sc_${randomBytes(4).toString('hex')}`;
  const databaseUrl = await createDatabase(dbName);
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  let app = null;
  try {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Plan time too, for this database's sessions only (set before the app connects).
    await admin.query(`ALTER DATABASE ${dbName} SET pg_stat_statements.track_planning = on`);
    const port = await freePort();
    app = new AppProcess({
      name: 'send-cost',
      roles: 'api,worker',
      port,
      databaseUrl,
      redisPrefix: `sc${randomBytes(3).toString('hex')}:`,
      logDir: '/tmp/send-cost-logs',
      ...(PROFILE ? { nodeArgs: ['--expose-gc', '-r', join(__dirname, 'lib/profile-hook.js')], ipc: true } : {}),
    }).start();
    await app.ready();
    const http = new JsonClient(app.url, 16);
    const pairs = await directPairs(http, `sc${randomBytes(2).toString('hex')}`, PAIRS, 1);
    const lanes = [];
    for (const p of pairs) {
      const c = p.conversations[0];
      lanes.push({
        sender: p.sender,
        conversationId: c.id,
        socket: await connect(app.url, p.sender.token),
        recipientSocket: await connect(app.url, c.recipient.token),
      });
    }
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const ctx = { lanes, url: app.url, db, admin, dbName, app };
    const results = [];
    for (const mode of MODES) {
      const o = await measure(ctx, mode);
      results.push(o);
      if (process.env.SEND_COST_JSON === '1') process.stdout.write(JSON.stringify(o) + '\n');
      else print(o);
    }
    for (const l of lanes) {
      l.socket.close();
      l.recipientSocket.close();
    }
    http.close();
    await db.end();
  } finally {
    if (app) await app.stop();
    await admin.end();
    // SEND_COST_KEEP=1: keep the database (its name on stderr) to EXPLAIN what was measured.
    if (process.env.SEND_COST_KEEP === '1') log(`kept database ${dbName}`);
    else await dropDatabase(dbName);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
