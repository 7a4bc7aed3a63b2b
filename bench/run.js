#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the product as `npm start` runs it (ONE process, APP_ROLES=api,worker, the
 * built dist/apps/api/src/main.js, NODE_ENV=production) on loopback with a fresh database and
 * Redis prefix, measured against the peer (ejabberd, run in the same sitting when installed)
 * on the peer's workload (../shared/peers/ejabberd/README.md), messages carrying a link.
 * Prints one report and writes it between the markers in docs/BENCHMARKS.md. Bounded: every
 * phase has a fixed duration or a fixed count, and progress lines go to stderr.
 *
 *   BENCH_SECONDS (15)         seconds per peer-workload phase (ejabberd's, every socket/REST/group phase of ours)
 *   BENCH_N (1,8)              in-flight values N of the peer workload: ejabberd and our socket (cached link) at each;
 *                              the new-link, no-link and REST (16 connections) phases run at N=1
 *   BENCH_WARMUP (15)          one unmeasured socket N=1 run before the first measured phase of ours (steady state: the app's JIT, the pool's sessions and plans)
 *   BENCH_FLOOR_SECONDS (5)    seconds per floor shape (after 1 s warm-up)
 *   BENCH_SCAN_JOBS (2000)     messages with new URLs for the link-scan rate (and as many no-op jobs)
 *   BENCH_IDLE_SOCKETS (10000) idle sockets held open on the API process (BENCH_IDLE_PROCS generator processes, 4);
 *                              the phase counts what the app holds and fails if it is fewer
 *   BENCH_APP_DIR (this one)   the checkout whose dist/ is run (e.g. a worktree of the baseline commit)
 *   BENCH_PROFILE (always)     always | never: CPU-profile the app under socket N=1 (BENCH_PROFILE_SECONDS, 5)
 *   BENCH_PEER (1)             0: do not run ejabberd (no ratios then); BENCH_PEER_DIR: where its scripts are
 *   BENCH_RULES (200)          live staff rules for the "send with rules" phase (socket N=1 again; 0 skips it)
 *   BENCH_DRAIN_BOUND (60)     seconds a phase waits at most for its link backlog to drain
 *   BENCH_WRITE (1)            0: print only, leave docs/BENCHMARKS.md alone
 *   BENCH_STREAM (positions)   the socket clients connect with auth.stream "positions" as the SDK does (no member
 *                              rows); v1: per-user cursors, the old mode
 *   BENCH_TEXT                 another message text for the cached-link phases (socket, REST, group; e.g. one without
 *                              a link); their targets then read n/a
 *   BENCH_SEARCH (1)           0: skip the search phase (1M messages loaded in bulk, p99 of GET /v1/search;
 *                              its own knobs in bench/lib/search.js)
 *   BENCH_PHASES (all)         a comma-separated subset (setup always runs): ejabberd, socket (cached link, each N),
 *                              newLinks, noLink, rest, group, rules, floor, sync, linkScan, profile, search, idle, export (a 100,000-message data export: wall time and the app's peak RSS; BENCH_EXPORT_MESSAGES);
 *                              `peer` stands for ejabberd,socket,newLinks,noLink,rest,group
 *   BENCH_QUICK (0)            1: a short run while developing: defaults become BENCH_SECONDS=3, BENCH_WARMUP=1,
 *                              BENCH_FLOOR_SECONDS=1, BENCH_SCAN_JOBS=300, BENCH_IDLE_SOCKETS=2000,
 *                              BENCH_PROFILE_SECONDS=2, BENCH_SEARCH=0, BENCH_WRITE=0 (each still settable)
 *   BENCH_SCAN_PROFILE (0)     1: CPU-profile the app during the link scan (top functions printed)
 *   BENCH_SYNC_PROFILE (0)     1: CPU-profile the app during each sync catch-up, and print the statements it ran
 *                              (pg_stat_statements; the measured rate then includes the profiler's cost)
 *   BENCH_ONLY                 `search`: run only the search phase (its own database and app), print, write nothing
 *                              (BENCH_KEEP_DB=1 keeps its database, to EXPLAIN the searches afterwards; in a full
 *                              run it keeps the run's database too)
 * Quick run: BENCH_QUICK=1 npm run bench   (or e.g. BENCH_QUICK=1 BENCH_PHASES=ejabberd,newLinks npm run bench)
 */

const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { Client } = require('pg');
const IORedis = require('ioredis');
const { Queue } = require('bullmq');
const {
  AppProcess,
  PENDING_LINKS_SQL,
  REDIS_URL,
  ROOT,
  builtMain,
  createDatabase,
  cpuSeconds,
  cpuSplit,
  dropDatabase,
  freePort,
  heldConnections,
  MAX_SOCKETS_PER_USER,
  rssBytes,
  sleep,
} = require('./lib/product');
const { JsonClient, expectStatus } = require('./lib/http');
const { connect, follow, conversation, group, inBatches, registerUsers } = require('./lib/workload');
const { exportPhase } = require('./lib/export');
const { NO_LINK_TEXT, PeerTracker, newLinkText, peerLoad, PEER_TEXT } = require('./lib/peer');
const { countScanJobs } = require('./lib/scan-jobs');
const ejabberd = require('./lib/ejabberd');
const { floor } = require('./lib/floor');
const { searchPhase, TARGET_P99_MS: SEARCH_P99_MS } = require('./lib/search');
const { seedRules, clearRules } = require('./lib/rules');
const { summarise } = require('./lib/cpu-profile');
const { pgStatementsStart, pgStatementsRead, pgStatementsTotals } = require('./lib/pg-statements');
const { cmd, fmt, machine, machineJiffies, table } = require('./lib/stats');

const PHASES = [
  'ejabberd',
  'socket',
  'newLinks',
  'noLink',
  'rest',
  'group',
  'rules',
  'floor',
  'sync',
  'linkScan',
  'profile',
  'search',
  'idle',
  'export',
];
const PHASE_ALIASES = { peer: ['ejabberd', 'socket', 'newLinks', 'noLink', 'rest', 'group'] };
function phaseSet(list) {
  const out = new Set();
  for (const name of list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const names = PHASE_ALIASES[name] || [name];
    for (const n of names) {
      if (!PHASES.includes(n))
        throw new Error(`BENCH_PHASES: unknown phase ${n} (known: ${[...PHASES, ...Object.keys(PHASE_ALIASES)].join(', ')})`);
      out.add(n);
    }
  }
  return out;
}
const QUICK = process.env.BENCH_QUICK === '1';
const num = (name, def, quick = def) => (process.env[name] ? Number(process.env[name]) : QUICK ? quick : def);
const CFG = {
  quick: QUICK,
  seconds: num('BENCH_SECONDS', 15, 3),
  ns: (process.env.BENCH_N || '1,8').split(',').map(Number),
  warmup: num('BENCH_WARMUP', 15, 1),
  floorSeconds: num('BENCH_FLOOR_SECONDS', 5, 1),
  pairs: 16,
  groupSize: 15,
  syncEvents: 10000,
  scanJobs: num('BENCH_SCAN_JOBS', 2000, 300),
  scanConcurrency: 32, // the link-scan processor's @Processor concurrency (apps/api/src/worker/link-scan.processor.ts)
  idleSockets: num('BENCH_IDLE_SOCKETS', 10000, 2000),
  idleProcs: num('BENCH_IDLE_PROCS', 4),
  profile: process.env.BENCH_PROFILE || 'always',
  profileSeconds: num('BENCH_PROFILE_SECONDS', 5, 2),
  drainBoundMs: 1000 * num('BENCH_DRAIN_BOUND', 60),
  write: process.env.BENCH_WRITE ? process.env.BENCH_WRITE !== '0' : !QUICK,
  text: process.env.BENCH_TEXT || PEER_TEXT,
  search: process.env.BENCH_SEARCH ? process.env.BENCH_SEARCH !== '0' : !QUICK,
  only: process.env.BENCH_ONLY || '',
  rules: num('BENCH_RULES', 200),
  // A comma-separated subset (see the header); `peer` stands for the peer-workload phases.
  phases: process.env.BENCH_PHASES ? phaseSet(process.env.BENCH_PHASES) : null,
  scanProfile: process.env.BENCH_SCAN_PROFILE === '1',
  syncProfile: process.env.BENCH_SYNC_PROFILE === '1',
};
/** Whether BENCH_PHASES (unset: all) includes this phase. */
const phase = (name) => !CFG.phases || CFG.phases.has(name);
/**
 * The targets, each a ratio to something measured in the same run: issue #28's (against
 * ejabberd at the same N, or our own N=1), and the earlier issues' that still hold.
 */
const TARGETS = {
  socketOverPeer: 1.0, // socket N=1 (cached link) ÷ ejabberd N=1, and p99 ≤ ejabberd's
  newLinkOverPeer: 0.6, // socket N=1, a new link in every message ÷ ejabberd N=1
  newLinkCostOverCached: 1.6, // a new link costs at most ~1.6× a cached one: new-link rate ≥ cached ÷ 1.6
  backlogDrainMs: 1000, // the link backlog drained within 1 s of the end of the load
  socket8OverSocket1: 1.0, // our N=8 ≥ our N=1
  socket8OverPeer8: 1.0, // our N=8 ≥ ejabberd N=8
  restOverPeer: 0.7, // REST, 16 connections ÷ ejabberd N=1
  groupOverDirect: 1.0, // issue #13
  scanOverNoop: 0.5, // issue #13
  apiOverFloor: 0.5, // kept, context only
  rulesOverNone: 0.9, // issue #14
};
/**
 * "No worse than now" (issue #28) for the group, sync and idle sockets: the last full run before
 * the issue (bench/baseline.json). Rates are compared as ratios to ejabberd N=1 of their own run,
 * because sittings drift by ±30%; memory per socket is compared as it is.
 */
const BASELINE = JSON.parse(readFileSync(join(__dirname, 'baseline.json'), 'utf8'));

const log = (...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

/** CPU seconds by component, to say where the machine's two cores went during a phase. */
class CpuMeter {
  constructor(ctx) {
    this.ctx = ctx;
  }
  async pgBackends() {
    if (!this.ctx.admin) return new Map();
    const { rows } = await this.ctx.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      this.ctx.dbName,
    ]);
    return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
  }
  async snap() {
    const procs = {};
    for (const [name, p] of Object.entries(this.ctx.procs)) if (p && p.pid) procs[name] = cpuSplit(p.pid);
    return {
      t: performance.now(),
      procs,
      pg: await this.pgBackends(),
      pgOwn: this.ctx.admin ? cpuSeconds(this.ctx.adminPid) : 0,
      redis: this.ctx.redisPid ? cpuSeconds(this.ctx.redisPid) : 0,
      gen: process.cpuUsage(),
      machine: machineJiffies(),
    };
  }
  async start() {
    this.a = await this.snap();
    this.since = this.ctx.admin ? (await this.ctx.admin.query('SELECT now() AS t')).rows[0].t : null;
  }
  async stop() {
    const b = await this.snap();
    const a = this.a;
    const wall = (b.t - a.t) / 1000;
    const out = { wall };
    const kernel = {};
    for (const name of Object.keys(b.procs)) {
      const before = a.procs[name] || { user: 0, sys: 0 };
      out[name] = b.procs[name].user + b.procs[name].sys - before.user - before.sys;
      kernel[name] = b.procs[name].sys - before.sys;
    }
    let pg = 0;
    for (const [pid, cpu] of b.pg) pg += cpu - (a.pg.get(pid) || 0);
    out.postgres = pg;
    out.redis = b.redis - a.redis;
    out.generator = (b.gen.user - a.gen.user + b.gen.system - a.gen.system) / 1e6;
    out.machine = b.machine.busy - a.machine.busy;
    const ours = Object.entries(out)
      .filter(([k]) => !['wall', 'machine'].includes(k))
      .reduce((s, [, v]) => s + v, 0);
    out.other = Math.max(0, out.machine - ours);
    Object.defineProperty(out, 'kernel', { value: kernel, enumerable: false });
    // Connections PostgreSQL had to fork during the phase (a pool growing under a burst).
    const fresh = this.since
      ? Number(
          (
            await this.ctx.admin.query(
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_start > $2 AND pid <> pg_backend_pid()',
              [this.ctx.dbName, this.since],
            )
          ).rows[0].n,
        )
      : null;
    Object.defineProperty(out, 'newConnections', { value: fresh, enumerable: false });
    return out;
  }
}

function cpuLine(cpu, msgs) {
  const per = (s) => (msgs > 0 ? `${((1000 * s) / msgs).toFixed(3)}` : 'n/a');
  const parts = Object.entries(cpu)
    .filter(([k]) => !['wall', 'machine'].includes(k))
    .map(([k, v]) => {
      const sys = cpu.kernel && cpu.kernel[k] !== undefined && v > 0 ? `, ${Math.round((100 * cpu.kernel[k]) / v)}% kernel` : '';
      return `${k} ${(v / cpu.wall).toFixed(2)} cores (${per(v)} ms/msg${sys})`;
    });
  const ours = Object.entries(cpu)
    .filter(([k]) => !['wall', 'machine', 'other'].includes(k))
    .reduce((sum, [, v]) => sum + v, 0);
  const bound =
    msgs > 0
      ? ` → all of ours ${per(ours)} ms/msg, at most ${fmt.int((os.cpus().length * msgs) / ours)} msg/s on ${os.cpus().length} cores`
      : '';
  const conns = cpu.newConnections ? `; ${cpu.newConnections} new PostgreSQL connection(s) opened` : '';
  return `${parts.join(', ')}; machine busy ${(cpu.machine / cpu.wall).toFixed(2)} of ${os.cpus().length} cores${bound}${conns}`;
}

/** BENCH_ONLY=search: the search phase alone, on its own database and app process; prints its figures. */
async function searchOnly() {
  const runId = randomBytes(4).toString('hex');
  const ctx = { procs: {}, runId, logDir: mkdtempSync(join(os.tmpdir(), `bench-${runId}-`)) };
  ctx.dbName = `bench_${runId}`;
  ctx.databaseUrl = await createDatabase(ctx.dbName);
  ctx.redisPrefix = `bench${runId}:`;
  const app = new AppProcess({
    name: 'app',
    roles: 'api,worker',
    port: await freePort(),
    databaseUrl: ctx.databaseUrl,
    redisPrefix: ctx.redisPrefix,
    logDir: ctx.logDir,
  }).start();
  const http = new JsonClient(await app.ready().then(() => app.url), 8);
  try {
    ctx.admin = new Client({ connectionString: ctx.databaseUrl });
    await ctx.admin.connect();
    const [searcher] = await registerUsers(http, `b${runId}q`, 1);
    const r = await searchPhase(ctx, http, searcher, log);
    process.stdout.write(
      `search over ${fmt.int(r.messages)} messages in ${fmt.int(r.conversations)} conversations, one user active in ${r.mine}: ` +
        `p50 ${fmt.ms(r.latency.pct(50))} ms, p99 ${fmt.ms(r.latency.pct(99))} ms over ${r.searches} searches (target ≤ ${SEARCH_P99_MS} ms); ` +
        `load ${r.loadSeconds.toFixed(0)} s, index build ${r.indexSeconds.toFixed(0)} s (${r.indexSize})\n` +
        Object.entries(r.byKind)
          .map(([k, v]) => `  ${k}: p50 ${fmt.ms(v.p50)} ms, p99 ${fmt.ms(v.p99)} ms`)
          .join('\n') +
        `\n  plan: ${r.plan}\n`,
    );
  } finally {
    http.close();
    await app.stop().catch(() => undefined);
    if (ctx.admin) await ctx.admin.end().catch(() => undefined);
    if (process.env.BENCH_KEEP_DB === '1') log(`kept database ${ctx.dbName} (BENCH_KEEP_DB=1): drop it when done`);
    else await dropDatabase(ctx.dbName).catch((err) => log(`drop ${ctx.dbName}: ${err.message}`));
    await clearPrefix(ctx.redisPrefix).catch(() => undefined);
  }
}

async function main() {
  const runId = randomBytes(4).toString('hex');
  const ctx = { procs: {}, runId, logDir: mkdtempSync(join(os.tmpdir(), `bench-${runId}-`)) };
  const results = { phases: {}, peer: {}, notes: [], profiles: {} };
  const started = new Date();
  const pgv = cmd('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'SHOW server_version']);
  let redisVersion = null;
  {
    const r = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    const info = await r.info('server');
    redisVersion = (/redis_version:(\S+)/.exec(info) || [])[1] || null;
    ctx.redisPid = Number((/process_id:(\d+)/.exec(info) || [])[1]) || null;
    r.disconnect();
  }
  results.machine = machine(pgv, redisVersion);
  log(
    `machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, load ${results.machine.loadAvg.map((l) => l.toFixed(2)).join(' ')}`,
  );

  // The peer must not compete with anything we measure: stopped unless it is its turn.
  const peer = phase('ejabberd') ? ejabberd.available(ROOT) : { ok: false, why: 'not selected (BENCH_PHASES)' };
  if (ejabberd.available(ROOT).ok && ejabberd.running()) {
    log('stopping ejabberd (it was running) ...');
    ejabberd.stop();
  }

  ctx.dbName = `bench_${runId}`;
  ctx.databaseUrl = await createDatabase(ctx.dbName);
  ctx.redisPrefix = `bench${runId}:`;
  const app = new AppProcess({
    name: 'app',
    roles: 'api,worker', // as `npm start` runs it
    port: await freePort(),
    databaseUrl: ctx.databaseUrl,
    redisPrefix: ctx.redisPrefix,
    logDir: ctx.logDir,
    nodeArgs: ['--expose-gc', '-r', join(__dirname, 'lib/profile-hook.js')],
    ipc: true,
  }).start();
  await app.ready();
  ctx.procs.app = app;
  ctx.url = app.url;
  log(
    `app (api,worker) pid ${app.pid} on ${app.url}: node ${builtMain().replace(`${ROOT}/`, '')}; database ${ctx.dbName}; logs in ${ctx.logDir}`,
  );
  ctx.admin = new Client({ connectionString: ctx.databaseUrl });
  await ctx.admin.connect();
  ctx.adminPid = (await ctx.admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const meter = new CpuMeter(ctx);
  const http = new JsonClient(ctx.url, 64);
  const sockets = [];
  const tracker = new PeerTracker();
  // The link occurrences written since `afterId` (a phase's own: the id is a bigserial, so the
  // count reads the primary key's range only), and how many of them are not yet scanned.
  // Since the link_seen change a send whose links all have a cached verdict writes no
  // occurrence: its links are recorded as sightings (link_seen.n), which count here too.
  const lastOccurrence = async () =>
    (
      await ctx.admin.query(
        'SELECT (SELECT coalesce(max(id), 0) FROM link_occurrence)::text AS id, (SELECT coalesce(sum(n), 0) FROM link_seen)::int AS seen',
      )
    ).rows[0];
  // Since issue #28 a send writes its links into link_backlog (one row a message) and the
  // scanner turns them into occurrences in batches: what a phase stored is its occurrences plus
  // the links still in the backlog, and what is pending is an unscanned occurrence or a backlog
  // message whose links still await their verdict.
  const occurrencesSince = async (first) =>
    (
      await ctx.admin.query(
        `SELECT (SELECT count(*) FROM link_occurrence WHERE id > $1)::int
              + (SELECT coalesce(sum(jsonb_array_length(links)), 0) FROM link_backlog)::int
              + (SELECT coalesce(sum(n), 0) FROM link_seen)::int - $2::int AS total,
                (SELECT count(*) FROM link_occurrence WHERE id > $1 AND scanned_at IS NULL)::int
              + (SELECT count(*) FROM link_backlog b JOIN message m ON m.id = b.message_id, jsonb_array_elements(m.links) l
                  WHERE m.state = 'visible' AND l ->> 'verdict' = 'pending')::int AS pending`,
        [first.id, first.seen],
      )
    ).rows[0];
  // The polls (every 10-20 ms while a backlog drains) count only what the partial index on
  // unscanned occurrences holds: counting every occurrence each time cost PostgreSQL more CPU
  // than a scan job as the table grew, and was billed to the phase being measured.
  const pendingLinks = async () => ({
    pending: (await ctx.admin.query(PENDING_LINKS_SQL)).rows[0].n,
  });
  try {
    // ---- setup, through the public API: 16 pairs who follow each other, a group (the sync phase makes its own users) ----
    const t = performance.now();
    const prefix = `b${runId}`;
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
    const grp = await group(http, prefix, CFG.groupSize);
    log(
      `setup: ${users.length + CFG.groupSize} users, ${CFG.pairs} pairs, a ${CFG.groupSize}-member group in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    // ejabberd's phases and ours each start from a CHECKPOINT (before ejabberd's first phase, and
    // before our unmeasured warm-up): ours do not pay for the dirty pages ejabberd's archive
    // left, and the warm-up, not the first measured phase, pays the full-page images of the
    // pages first touched after it. (A checkpoint before every phase was tried: every 15 s phase
    // then paid those images for every page it touched, far more than a server between two
    // checkpoints minutes apart does.)
    const checkpoint = () => ctx.admin.query('CHECKPOINT');

    // ---- the peer, same workload, same sitting; stopped before we are measured ----
    if (peer.ok) {
      try {
        log(`ejabberd: setup.sh (idempotent) in ${peer.dir} ...`);
        ejabberd.setup(peer.dir, log);
        for (const n of CFG.ns) {
          log(`ejabberd N=${n}, ${CFG.seconds} s ...`);
          if (n === CFG.ns[0]) await checkpoint();
          const probe = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(__dirname, 'lib/cpu-probe.js'))}`;
          const r = ejabberd.run(peer.dir, n, CFG.seconds, probe);
          results.peer[n] = r;
          log(
            `  delivered ${fmt.int(r.deliveredPerSec)} msgs/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, sent ${r.sent}, lost ${r.lost}, dup ${r.duplicates}${r.cpu ? `; cpu ejabberd ${(r.cpu.ejabberd / r.cpu.wall).toFixed(2)}, PostgreSQL ${(r.cpu.postgres / r.cpu.wall).toFixed(2)} cores` : ''}`,
          );
        }
      } catch (err) {
        results.peer = {};
        results.peerMissing = `ejabberd failed in this run: ${String(err.message).split('\n')[0]}`;
        log(results.peerMissing);
      } finally {
        log('stopping ejabberd ...');
        ejabberd.stop();
      }
    } else {
      results.peerMissing = peer.why;
      log(`ejabberd: ${peer.why}; no ratios to the peer in this run`);
    }

    // ---- our sockets, connected after the peer ran (its scripts block this process) ----
    for (const lane of lanes) {
      lane.socket = await connect(ctx.url, lane.sender.token);
      tracker.attach(lane.socket, lane.sender.id);
      lane.receiverSocket = await connect(ctx.url, lane.receiver.token);
      tracker.attach(lane.receiverSocket, lane.receiver.id);
      sockets.push(lane.socket, lane.receiverSocket);
      lane.conversations = [{ id: lane.conversationId, recipients: lane.recipients }]; // the floor's shape
    }
    const groupLanes = [];
    for (const m of grp.members) {
      const s = await connect(ctx.url, m.token);
      sockets.push(s);
      tracker.attach(s, m.id);
      groupLanes.push({
        sender: m,
        socket: s,
        conversationId: grp.id,
        recipients: grp.members.filter((x) => x.id !== m.id).map((x) => x.id),
      });
    }
    log(`${sockets.length} sockets connected`);

    // ---- the peer workload against us ----
    const drainLinks = async (boundMs = CFG.drainBoundMs) => {
      const t0 = performance.now();
      while ((await pendingLinks()).pending > 0 && performance.now() - t0 < boundMs) await sleep(20);
    };
    if (CFG.warmup > 0 && ['socket', 'newLinks', 'noLink', 'rest', 'group', 'rules'].some(phase)) {
      await checkpoint();
      log(`warm-up: socket N=1 for ${CFG.warmup} s (not measured) ...`);
      await peerLoad({ mode: 'socket', url: ctx.url, lanes, tracker, n: 1, seconds: CFG.warmup, tag: 'w', text: CFG.text });
      await drainLinks();
    }
    // The phase's own messages as stored: how many, their links, and how many still have a
    // link whose verdict is pending (read from message.links, whatever writes the occurrences).
    const storedMessages = async (tag, phaseLanes) =>
      (
        await ctx.admin.query(
          `SELECT count(*)::int AS messages, coalesce(sum(jsonb_array_length(links)), 0)::int AS links,
                  count(*) FILTER (WHERE links @> '[{"verdict":"pending"}]')::int AS pending
             FROM message WHERE sender_id = ANY($1::uuid[]) AND left(client_id, length($2)) = $2`,
          [[...new Set(phaseLanes.map((l) => l.sender.id))], `${tag}-`],
        )
      ).rows[0];
    /**
     * One phase of the peer workload against us. `text`: a string or a function of a number
     * unique per message; `linksPerMessage`: the links each message carries (the backlog is
     * drained when every accepted send's occurrences exist and none is unscanned).
     */
    const peerPhase = async (name, { mode, n, phaseLanes = lanes, text = CFG.text, linksPerMessage = 1, label }) => {
      log(`${name}: ${mode} N=${n}, ${phaseLanes.length} senders, ${CFG.seconds} s ...`);
      const down = sockets.filter((s) => !s.connected).length;
      if (down) throw new Error(`${down} of the workload's sockets are disconnected`);
      await drainLinks();
      const firstId = await lastOccurrence();
      const jobs = await countScanJobs(REDIS_URL, `${ctx.redisPrefix}bull`);
      const pgs = await pgStatementsStart(ctx.admin);
      if (!pgs.ok && !results.pgStatementsMissing) results.pgStatementsMissing = pgs.why;
      await meter.start();
      let backlog = null;
      const r = await peerLoad({
        mode,
        url: ctx.url,
        lanes: phaseLanes,
        tracker,
        n,
        seconds: CFG.seconds,
        tag: name,
        text,
        // The moment sending stops: the accepted sends' links not yet scanned, then the time
        // until every one exists and none is pending (polled every 10 ms, bounded).
        onEnd: ({ sent }) =>
          (backlog = (async () => {
            const t0 = performance.now();
            // Links of the accepted sends not yet scanned: pending occurrences, and the links of
            // sends still in flight (not stored yet). Read in full only when the cheap count of
            // pending occurrences (the partial index) is 0, and once at the end of the load.
            const unscanned = async () => {
              const o = await occurrencesSince(firstId);
              return Math.max(o.pending, linksPerMessage * sent() - (o.total - o.pending));
            };
            const atEnd = await unscanned();
            let drainedMs = atEnd === 0 ? 0 : null;
            while (drainedMs === null && performance.now() - t0 < CFG.drainBoundMs) {
              await sleep(10);
              if ((await pendingLinks()).pending === 0 && (await unscanned()) === 0) drainedMs = performance.now() - t0;
            }
            return { atEnd, drainedMs }; // null: still pending at the bound
          })()),
      });
      r.backlog = await backlog;
      r.cpu = await meter.stop();
      r.scan = await jobs.stop();
      const occ = await occurrencesSince(firstId);
      const stored = await storedMessages(name, phaseLanes);
      r.links = { occurrences: occ.total, pending: occ.pending, expected: linksPerMessage * r.sent, perMessage: linksPerMessage, stored };
      // Every link scanned: every accepted send stored with its links, none of them pending,
      // and as many occurrences, none unscanned.
      r.scan.links = r.scan.messages * linksPerMessage; // each message of the phase carries linksPerMessage links
      r.links.allScanned =
        stored.messages >= r.sent &&
        stored.links >= r.links.expected &&
        stored.pending === 0 &&
        occ.total >= r.links.expected &&
        occ.pending === 0;
      r.cpuPerMsg = perMessage(r.cpu, r.received);
      r.label = label;
      if (pgs.ok) {
        r.pgStatements = await pgStatementsRead(ctx.admin, r.received);
        r.pgTotals = await pgStatementsTotals(ctx.admin, r.received);
      }
      results.phases[name] = r;
      log(
        `  delivered ${fmt.int(r.rate)} msgs/s${r.recipientsPer > 1 ? ` (${fmt.int(r.deliveriesPerSecond)} deliveries/s)` : ''}, p50 ${fmt.ms(r.latency.pct(50))} ms, p99 ${fmt.ms(r.latency.pct(99))} ms, sent ${r.sent}, lost ${r.lost}, dup ${r.duplicates}, errors ${JSON.stringify(r.errors)}`,
      );
      log(
        `  links: ${r.links.occurrences} recorded (occurrences + cached sightings; ${r.links.pending} unscanned) for ${r.links.expected} expected; stored ${stored.messages} msgs, ${stored.links} links, ${stored.pending} msgs with a pending link; backlog at end ${r.backlog.atEnd}, drained after ${r.backlog.drainedMs === null ? 'never' : `${fmt.int(r.backlog.drainedMs)} ms`}; scan jobs ${r.scan.jobs} (${r.scan.backlogJobs} scan-backlog, ${r.scan.batchJobs} scan-messages, ${r.scan.singleJobs} scan-message) carrying ${r.scan.messages} msgs, ${r.scan.links} links ${JSON.stringify(r.scan.outcomes)}, ${r.scan.failed} failed`,
      );
      log(`  cpu: ${cpuLine(r.cpu, r.received)}`);
      if (r.pgTotals) {
        const t = r.pgTotals;
        const scanKinds = Object.entries(t.scan)
          .map(([k, v]) => `${k} ${fmt.int(v.calls)} calls / ${fmt.int(v.rows)} rows`)
          .join(', ');
        log(
          `  PostgreSQL per msg: ${t.statementsPerMsg.toFixed(2)} statements, ${fmt.int(t.execUsPerMsg)} µs exec, ${t.walRecordsPerMsg.toFixed(1)} WAL records (${fmt.int(t.walBytesPerMsg)} B), ${fmt.int(t.buffersPerMsg)} buffers; scan side: ${scanKinds || 'none'}`,
        );
        for (const x of r.pgStatements)
          log(
            `    ${x.callsPerMsg.toFixed(3)}/msg ${fmt.int(x.execUsPerMsg)} µs/msg, ${x.walRecordsPerCall.toFixed(1)} WAL, ${fmt.int(x.buffersPerCall)} buffers per call: ${x.statement}`,
          );
      }
      return r;
    };
    // Names are BENCH_PHASES names (socket, newLinks, noLink, rest, group) and result keys.
    for (const n of phase('socket') ? CFG.ns : [])
      await peerPhase(`socket${n}`, {
        mode: 'socket',
        n,
        label: `socket.io message.send, N=${n}, the same link in every message (verdict cached)`,
      });
    if (phase('noLink'))
      await peerPhase('noLink', {
        mode: 'socket',
        n: 1,
        text: NO_LINK_TEXT,
        linksPerMessage: 0,
        label: 'socket.io message.send, N=1, no link',
      });
    if (phase('rest'))
      await peerPhase('rest', {
        mode: 'rest',
        n: 1,
        label: `REST POST …/messages, ${CFG.pairs} connections (one keep-alive connection per sender, N=1)`,
      });
    if (phase('group'))
      await peerPhase('group', {
        mode: 'socket',
        n: 1,
        phaseLanes: groupLanes,
        label: `${CFG.groupSize}-member group, socket, N=1 per member (received = by all ${CFG.groupSize - 1})`,
      });

    // ---- issue #14: the same socket N=1 send with 200 live staff rules (none matching) ----
    if (CFG.rules > 0 && phase('rules')) {
      const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        await seedRules(ctx.admin, redis, ctx.redisPrefix, CFG.rules);
        await sleep(1000); // the API process recompiles within its 250 ms poll
        await peerPhase('socket1Rules', {
          mode: 'socket',
          n: 1,
          label: `socket.io message.send, N=1, with ${CFG.rules} live staff rules (keywords, regexes, domains; none matching)`,
        });
      } finally {
        await clearRules(ctx.admin, redis, ctx.redisPrefix).catch((err) => log(`clear rules: ${err.message}`));
        redis.disconnect();
        await sleep(1000);
      }
    }

    // The new-link phase runs after every cached-link phase: it leaves the most behind (a new
    // link row, occurrence and scan per message) and the vacuum PostgreSQL then owes would land
    // in whichever phase came next. That debt is paid here, outside any measured phase, and its
    // time printed: it is part of what a new link costs.
    if (phase('newLinks'))
      await peerPhase('newLinks', {
        mode: 'socket',
        n: 1,
        text: newLinkText(runId),
        label: 'socket.io message.send, N=1, a NEW link in every message (shop<k>-<run>.example.net/deal/<k>)',
      });
    if (phase('newLinks')) {
      const t = performance.now();
      await ctx.admin.query('VACUUM (ANALYZE)');
      log(`  vacuum after the new-link phase: ${fmt.int(performance.now() - t)} ms`);
    }

    // ---- the floors: our own SQL alone, so they move with our design (see the notes) ----
    for (const [i, shape] of (phase('floor') ? ['send', 'send-unprepared', 'context+send', 'five'] : []).entries()) {
      log(`floor ${shape}, ${CFG.floorSeconds} s ...`);
      const r = await floor({ databaseUrl: ctx.databaseUrl, lanes, shape, tag: `f${i}`, warmup: 1, seconds: CFG.floorSeconds, meter });
      results.phases[`floor:${shape}`] = r;
      log(`  ${fmt.int(r.rate)} statements/s, p50 ${fmt.ms(r.latency.pct(50))} ms, p99 ${fmt.ms(r.latency.pct(99))} ms`);
      // The floor writes outbox rows nobody drains (no process published them): clear them.
      await ctx.admin.query('DELETE FROM outbox');
    }

    // ---- sync of 10,000 missed events ----
    if (phase('sync')) results.phases.sync = await syncPhase(ctx, http, prefix);

    // ---- link scan of new URLs against a no-op BullMQ worker ----
    if (phase('linkScan')) results.phases.linkScan = await linkScanPhase(ctx, http, lanes, meter, pendingLinks);

    // ---- where the app's CPU goes per message (socket N=1) ----
    if (CFG.profile !== 'never' && phase('profile')) {
      const file = join(ctx.logDir, 'app-socket1.cpuprofile');
      log(`profile: app under socket N=1 for ${CFG.profileSeconds} s ...`);
      await ipc(app, { profile: 'start' }, 'started');
      const r = await peerLoad({
        mode: 'socket',
        url: ctx.url,
        lanes,
        tracker,
        n: 1,
        seconds: CFG.profileSeconds,
        tag: 'prof',
        text: CFG.text,
      });
      await ipc(app, { profile: 'stop', file }, 'written');
      await drainLinks();
      results.profiles.socket1 = { file, rate: r.rate, received: r.received, ...summarise(file, 15) };
    }

    // ---- full-text search over 1M messages (loaded in bulk with SQL) ----
    if (CFG.search && phase('search')) {
      const [searcher] = await registerUsers(http, `${prefix}q`, 1);
      results.phases.search = await searchPhase(ctx, http, searcher, log);
    }

    // ---- a 100,000-message data export, with the app's memory sampled (issue #31) ----
    if (phase('export')) results.phases.export = await exportPhase({ ...ctx, runId: prefix }, http, app.pid, log);

    // ---- 10,000 idle sockets on the one API process ----
    for (const s of sockets.splice(0)) s.close();
    if (phase('idle')) results.phases.idle = await idlePhase(ctx, app, [...users, ...grp.members]);
  } finally {
    for (const s of sockets) s.close();
    http.close();
    for (const p of Object.values(ctx.procs)) if (p) await p.stop().catch(() => undefined);
    if (ctx.admin) await ctx.admin.end().catch(() => undefined);
    if (process.env.BENCH_KEEP_DB === '1') log(`kept database ${ctx.dbName} (BENCH_KEEP_DB=1): drop it when done`);
    else await dropDatabase(ctx.dbName).catch((err) => log(`drop ${ctx.dbName}: ${err.message}`));
    await clearPrefix(ctx.redisPrefix).catch(() => undefined);
  }
  results.finished = new Date();
  results.started = started;
  const report = render(results);
  process.stdout.write(`${report.text}\n`);
  if (CFG.write) {
    writeDoc(report.md);
    log('wrote docs/BENCHMARKS.md');
  }
  log(`done in ${((results.finished - started) / 1000).toFixed(0)} s`);
}

/** CPU ms per delivered message, by process. */
function perMessage(cpu, msgs) {
  const out = {};
  for (const [k, v] of Object.entries(cpu)) if (!['wall', 'machine'].includes(k)) out[k] = msgs > 0 ? (1000 * v) / msgs : NaN;
  out.ours = ['app', 'postgres', 'redis'].reduce((s, k) => s + (out[k] || 0), 0);
  return out;
}

/**
 * Link scan of new URLs: `n` messages, each with a URL never seen before, are sent through the
 * API while the scan is held (by a lock the backlog batches wait for); then it is released and
 * the clock runs until no link is left unscanned, in the same app process as everything else. The same number of jobs then go through a no-op BullMQ worker.
 * The ratio is messages scanned per second over no-op jobs per second: since issue #13's
 * batching a scan job carries many messages (the outbox relay groups the scans of one drain),
 * so messages, not jobs, are what the scan side counts (its job count is reported too).
 */
async function linkScanPhase(ctx, http, lanes, meter, links) {
  const n = CFG.scanJobs;
  log(`link scan: ${n} messages with new URLs, then as many no-op jobs ...`);
  const bullPrefix = `${ctx.redisPrefix}bull`;
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const scanQueue = new Queue('link-scan', { connection, prefix: bullPrefix });
  // The sends' backlog is scanned in the app process (no job per send): it is held by a SHARE
  // lock on link_occurrence, which every backlog batch writes before it takes anything the
  // sends wait for (it claims its first rows, then waits; the sends go on), and released at t0.
  // Not by pausing the queue: the paused scan would look again only every 500 ms after resume.
  const hold = new Client({ connectionString: ctx.databaseUrl });
  await hold.connect();
  try {
    await hold.query('BEGIN');
    await hold.query('LOCK TABLE link_occurrence IN SHARE MODE');
    const pendingBefore = (await links()).pending;
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (let k = i; k < n; k += lanes.length) {
          const res = await http.post(
            `/v1/conversations/${lane.conversationId}/messages`,
            { clientId: `ls-${k}`, text: `have a look at https://site${k % 997}.example.org/articles/${k}?ref=bench` },
            lane.sender.token,
          );
          if (res.status !== 201) throw new Error(`link send ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    // Held means: all n links wait (in the backlog, or as unscanned occurrences) and the outbox
    // relay has moved every row with jobs into the (paused) queue (a send writes none now; a job
    // would carry many messages, so jobs are counted, not awaited).
    const deadline = Date.now() + 30000;
    let queued;
    for (;;) {
      const pending = (await links()).pending - pendingBefore;
      const outbox = (await ctx.admin.query(`SELECT count(*)::int AS n FROM outbox WHERE jobs <> '[]'::jsonb`)).rows[0].n;
      queued = await scanQueue.getJobCounts('wait', 'paused', 'prioritized');
      if (pending >= n && outbox === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `only ${pending} of ${n} occurrences pending, ${outbox} outbox rows with jobs left, jobs ${JSON.stringify(queued)}`,
        );
      await sleep(50);
    }
    const jobCount = queued.wait + queued.paused + queued.prioritized;
    const profileFile = join(ctx.logDir, 'app-linkscan.cpuprofile');
    // BENCH_SCAN_PROFILE=1: statements of this database during the scan (pg_stat_statements, diffed, not reset).
    const stmts = () => statementsNow(ctx);
    const stmtsBefore = CFG.scanProfile ? await stmts() : null;
    if (CFG.scanProfile) await ipc(ctx.procs.app, { profile: 'start' }, 'started');
    await meter.start();
    const t0 = performance.now();
    await hold.query('COMMIT');
    while ((await links()).pending > 0) {
      if (performance.now() - t0 > 120000) throw new Error('link scans did not finish in 120 s');
      await sleep(20);
    }
    const scanMs = performance.now() - t0;
    const cpu = await meter.stop();
    if (CFG.scanProfile) {
      await ipc(ctx.procs.app, { profile: 'stop', file: profileFile }, 'written');
      logProfile('scan', profileFile);
      const stmtsAfter = stmtsBefore && (await stmts());
      if (stmtsAfter)
        logStatements('during the scan', stmtsBefore, stmtsAfter, /pg_stat_statements|PENDING_LINKS|link_backlog b JOIN message m/);
    }
    const verdicts = (await ctx.admin.query(`SELECT verdict, count(*)::int AS n FROM link GROUP BY verdict ORDER BY verdict`)).rows;

    // The no-op reference: same Redis, same prefix, same job options, same concurrency.
    const { DEFAULT_JOB_OPTIONS } = require('./lib/product').builtLib('queues.module.js');
    const noopQueue = new Queue('bench-noop', { connection, prefix: bullPrefix });
    const out = openSync(join(ctx.logDir, 'noop-worker.log'), 'a');
    const noop = spawn(process.execPath, [join(__dirname, 'lib/noop-worker.js')], {
      stdio: ['ignore', 'pipe', out],
      env: { ...process.env, REDIS_URL, BULL_PREFIX: bullPrefix, QUEUE: 'bench-noop', CONCURRENCY: String(CFG.scanConcurrency) },
    });
    ctx.procs.noop = { pid: noop.pid, stop: async () => noop.kill('SIGTERM') };
    await new Promise((resolve, reject) => {
      noop.stdout.on('data', (d) => /ready/.test(String(d)) && resolve());
      noop.once('exit', () => reject(new Error('no-op worker exited')));
    });
    await noopQueue.pause();
    for (let i = 0; i < n; i += 500) {
      await noopQueue.addBulk(
        Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
          name: 'scan-message',
          data: { messageId: `noop-${i + j}` },
          opts: { ...DEFAULT_JOB_OPTIONS, jobId: `noop-${i + j}` },
        })),
      );
    }
    const n0 = performance.now();
    await noopQueue.resume();
    for (;;) {
      const c = await noopQueue.getJobCounts('wait', 'paused', 'active', 'delayed', 'prioritized');
      if (c.wait + c.paused + c.active + c.delayed + c.prioritized === 0) break;
      if (performance.now() - n0 > 60000) throw new Error('no-op jobs did not finish in 60 s');
      await sleep(20);
    }
    const noopMs = performance.now() - n0;
    noop.kill('SIGTERM');
    delete ctx.procs.noop;
    await noopQueue.obliterate({ force: true }).catch(() => undefined);
    await noopQueue.close();
    const r = {
      jobs: n,
      scanJobs: jobCount,
      scanPerSecond: (n * 1000) / scanMs,
      noopPerSecond: (n * 1000) / noopMs,
      verdicts,
      cpu,
      cpuPerMsg: perMessage(cpu, n),
    };
    r.ratio = r.scanPerSecond / r.noopPerSecond;
    log(
      `  scan ${fmt.int(r.scanPerSecond)} messages/s (${fmt.int(jobCount)} jobs), no-op ${fmt.int(r.noopPerSecond)} jobs/s, ratio ${fmt.ratio(r.ratio)}; verdicts ${JSON.stringify(verdicts)}`,
    );
    log(`  cpu: ${cpuLine(cpu, n)}`);
    return r;
  } finally {
    await hold.end().catch(() => undefined);
    await scanQueue.close().catch(() => undefined);
    connection.disconnect();
  }
}

/**
 * `CFG.idleSockets` idle sockets on the one API process, opened by `CFG.idleProcs` generator
 * processes (each with `ulimit -n` raised to its hard limit) over the run's users, round-robin
 * (the bench's app allows MAX_SOCKETS_PER_USER=1000 each, bench/lib/product.js, so the quota
 * closes none). Once all are connected, the app's RSS and JS heap (after a full GC) and the
 * connections it really holds with the generators (heldConnections, from /proc) are read; the phase fails
 * if it holds fewer than asked, and the memory is divided by the sockets held. Bounded: 120 s.
 */
async function idlePhase(ctx, app, users) {
  const total = CFG.idleSockets;
  const port = Number(new URL(app.url).port);
  if (total > users.length * MAX_SOCKETS_PER_USER)
    throw new Error(`idle: ${total} sockets over ${users.length} users exceeds MAX_SOCKETS_PER_USER=${MAX_SOCKETS_PER_USER} each`);
  log(`idle sockets: ${fmt.int(total)} from ${CFG.idleProcs} processes over ${users.length} users ...`);
  const measure = async () => {
    await sleep(1000);
    const m = await ipc(app, { memory: true }, 'memory');
    return { rss: rssBytes(app.pid), heapUsed: m.memory.heapUsed };
  };
  const before = await measure();
  const tokens = JSON.stringify(users.map((u) => u.token));
  const procs = [];
  const t0 = performance.now();
  let connected = 0;
  let failed = 0;
  let dropped = 0;
  try {
    await Promise.all(
      Array.from({ length: CFG.idleProcs }, (_, i) => {
        const count = Math.floor(total / CFG.idleProcs) + (i < total % CFG.idleProcs ? 1 : 0);
        const child = spawn(
          'sh',
          ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$1"', process.execPath, join(__dirname, 'lib/idle-client.js')],
          {
            stdio: ['pipe', 'pipe', openSync(join(ctx.logDir, `idle-${i}.log`), 'a')],
            env: { ...process.env, URL: ctx.url, TOKENS: tokens, COUNT: String(count), BATCH: '50', OFFSET: String(i) },
          },
        );
        procs.push(child);
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`idle-socket process ${i} did not finish connecting in 120 s`)), 120000);
          child.stdout.on('data', (d) => {
            const m = /connected (\d+) failed (\d+) dropped (\d+)/.exec(String(d));
            if (!m) return;
            clearTimeout(t);
            connected += Number(m[1]);
            failed += Number(m[2]);
            dropped += Number(m[3]);
            resolve();
          });
          child.once('exit', (code) => {
            clearTimeout(t);
            reject(new Error(`idle-socket process ${i} exited (${code})`));
          });
        });
      }),
    );
    const connectMs = performance.now() - t0;
    const after = await measure();
    const cpu = cpuSeconds(app.pid);
    // What the app holds now with the generator processes (not the bench's own HTTP connections).
    const generators = procs.map((c) => c.pid);
    const held = heldConnections(app.pid, port, generators);
    const r = {
      asked: total,
      sockets: held,
      clientConnected: connected,
      dropped,
      failed,
      connectMs,
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssPerSocket: held > 0 ? (after.rss - before.rss) / held : NaN,
      heapPerSocket: held > 0 ? (after.heapUsed - before.heapUsed) / held : NaN,
    };
    // Idle means idle: what the app spends holding them for 3 s (socket.io pings every 25 s).
    await sleep(3000);
    r.idleCores = (cpuSeconds(app.pid) - cpu) / 3;
    r.heldAfterIdle = heldConnections(app.pid, port, generators);
    log(
      `  server holds ${fmt.int(held)} of ${fmt.int(total)} asked (${fmt.int(r.heldAfterIdle)} after 3 s idle; clients: ${fmt.int(connected)} connected, ${dropped} closed by the server, ${failed} refused) in ${fmt.int(connectMs)} ms; app RSS ${fmt.int(before.rss / 2 ** 20)} → ${fmt.int(after.rss / 2 ** 20)} MiB (${(r.rssPerSocket / 1024).toFixed(1)} KiB/held socket), heap ${(r.heapPerSocket / 1024).toFixed(2)} KiB/held socket; idle CPU ${r.idleCores.toFixed(2)} cores`,
    );
    if (held < total || r.heldAfterIdle < total)
      throw new Error(
        `idle: the app holds ${held} (${r.heldAfterIdle} after 3 s) of the ${total} sockets asked (clients: ${connected} connected, ${dropped} closed by the server, ${failed} refused): memory per socket would not be per held socket`,
      );
    return r;
  } finally {
    for (const c of procs) c.kill('SIGTERM');
  }
}

function ipc(proc, msg, until, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${until} from ${proc.name}`)), timeoutMs);
    const on = (m) => {
      if (m && m.profile === 'error') {
        clearTimeout(t);
        proc.child.off('message', on);
        reject(new Error(m.message));
      } else if (
        m &&
        (m.profile === until ||
          (until === 'memory' && m.memory) ||
          (until === 'loopDelay' && m.loopDelay && m.loopDelay !== 'started') ||
          (until === 'loopStarted' && m.loopDelay === 'started'))
      ) {
        clearTimeout(t);
        proc.child.off('message', on);
        resolve(m);
      }
    };
    proc.child.on('message', on);
    proc.child.send(msg);
  });
}

/** Logs a .cpuprofile's top functions (self time) and areas (inclusive). */
function logProfile(what, file) {
  const prof = summarise(file, 25);
  log(
    `  ${what} profile (${file}): top self ${prof.topFunctions
      .slice(0, 12)
      .map((f) => `${f.name} ${f.ms.toFixed(0)}ms`)
      .join('; ')}`,
  );
  log(
    `  areas inclusive: ${prof.areasInclusive
      .slice(0, 14)
      .map((f) => `${f.name} ${f.ms.toFixed(0)}ms`)
      .join('; ')}; busy ${prof.busyMs.toFixed(0)} of ${prof.totalMs.toFixed(0)} ms`,
  );
}

/** pg_stat_statements of the run's database now, by query id (null when the extension is unavailable). */
async function statementsNow(ctx) {
  try {
    await ctx.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const r = await ctx.admin.query(
      `SELECT queryid::text AS id, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q, calls::int, total_exec_time AS ms, total_plan_time AS plan, rows::int
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return new Map(r.rows.map((x) => [x.id, x]));
  } catch (err) {
    log(`  pg_stat_statements unavailable: ${err.message}`);
    return null;
  }
}

/** Logs the statements run between two statementsNow() snapshots (diffed, not reset), the costliest first. */
function logStatements(what, before, after, skip) {
  const d = [...after.values()]
    .map((a) => {
      const b = before.get(a.id) || { calls: 0, ms: 0, plan: 0, rows: 0 };
      return { q: a.q, calls: a.calls - b.calls, ms: a.ms - b.ms, plan: a.plan - b.plan, rows: a.rows - b.rows };
    })
    .filter((x) => x.calls > 0 && !skip.test(x.q))
    .sort((x, y) => y.ms - x.ms);
  log(`  statements ${what}: ${d.reduce((s, x) => s + x.calls, 0)} calls, ${d.reduce((s, x) => s + x.ms, 0).toFixed(0)} ms exec`);
  for (const x of d.slice(0, 12))
    log(
      `    ${String(x.calls).padStart(6)} calls ${x.ms.toFixed(0).padStart(6)} ms exec ${x.plan.toFixed(0).padStart(4)} ms plan ${String(x.rows).padStart(6)} rows  ${x.q}`,
    );
}

/**
 * Sync of CFG.syncEvents missed events, self-contained: a sync user and a partner who follow
 * each other and share a conversation; the partner sends one message through the API (the run's
 * message text, a link), whose stored row the missed events copy: CFG.syncEvents messages appended
 * to the conversation in one transaction (own id, seq and clientId), each with the rows a send
 * writes for a reader of each stream: a conversation_event (the positions stream, audience both
 * members) and a per-user event row with no position (the v1 stream, as a send writes it for a
 * v1 reader). Both cursors are taken before the insert; the user then catches up on each stream
 * from its cursor, page by page: first v1 (per-user cursors, what the baseline measured, as it
 * measured it: the run's first sync), then positions (`?stream=positions`, p1. cursors: what the
 * SDK, the web app and the bench's sockets use).
 * Each must return every event once, in order.
 */
async function syncPhase(ctx, http, prefix) {
  log(`sync: ${CFG.syncEvents} missed events, v1 then positions ...`);
  const [user, partner] = await registerUsers(http, `${prefix}s`, 2);
  await follow(http, user, partner);
  await follow(http, partner, user);
  const conversationId = await conversation(http, partner, [user]);
  expectStatus(
    await http.post(`/v1/conversations/${conversationId}/messages`, { clientId: `sync-${prefix}`, text: CFG.text }, partner.token),
    201,
    200,
  );
  // Its link's verdict first (a message.updated of its own), so the cursors come after all of its events.
  for (const t0 = performance.now(); performance.now() - t0 < 10000; await sleep(20)) {
    const { rows } = await ctx.admin.query(
      `SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND links @> '[{"verdict":"pending"}]'`,
      [conversationId],
    );
    if (rows[0].n === 0) break;
  }
  const v1From = expectStatus(await http.get('/v1/sync', user.token), 200).cursor;
  const posFrom = expectStatus(await http.get('/v1/sync?stream=positions', user.token), 200).cursor;
  const tpl = (await ctx.admin.query('SELECT * FROM message WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 1', [conversationId]))
    .rows[0];
  if (!tpl) throw new Error("sync: the partner's message was not stored");
  const payload = { message: { id: tpl.id, text: tpl.text, links: tpl.links } };
  await ctx.admin.query('BEGIN');
  await ctx.admin.query(
    `WITH c AS (UPDATE conversation SET last_seq = last_seq + $3 WHERE id = $2 RETURNING last_seq - $3 AS base),
     msgs AS (
       INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links)
       SELECT gen_random_uuid(), $2, c.base + g, $4, 'sync-' || gen_random_uuid(), $5, $6::jsonb
         FROM c, generate_series(1, $3::int) AS g
       RETURNING id, seq),
     ce AS (
       INSERT INTO conversation_event (conversation_id, type, message_id, audience)
       SELECT $2, 'message.created', msgs.id, ARRAY[$1, $4]::uuid[] FROM msgs ORDER BY msgs.seq)
     INSERT INTO event (user_id, cursor, type, payload, message_id, tx, pos)
     SELECT $1, uc.last + (msgs.seq - c.base), 'message.created', '{}'::jsonb, msgs.id, NULL, NULL
       FROM user_cursor uc, msgs, c WHERE uc.user_id = $1`,
    [user.id, conversationId, CFG.syncEvents, partner.id, tpl.text, JSON.stringify(tpl.links)],
  );
  await ctx.admin.query('UPDATE user_cursor SET last = last + $2 WHERE user_id = $1', [user.id, CFG.syncEvents]);
  await ctx.admin.query('COMMIT');
  await ctx.admin.query('ANALYZE event');
  await ctx.admin.query('ANALYZE conversation_event');
  // p1.<a>.<b>: ordered by a, then b (docs/API.md §6, rule 2b); a v1 cursor is one integer.
  const key = (c) => (String(c).startsWith('p1.') ? String(c).slice(3).split('.').map(BigInt) : [BigInt(c)]);
  const after = (x, y) => (x[0] !== y[0] ? x[0] > y[0] : (x[1] ?? 0n) > (y[1] ?? 0n));
  const catchUp = async (from, stream) => {
    // BENCH_SYNC_PROFILE=1: the app's CPU profile and this database's statements during the catch-up.
    const profileFile = join(ctx.logDir, `app-sync-${stream}.cpuprofile`);
    const stmtsBefore = CFG.syncProfile ? await statementsNow(ctx) : null;
    if (CFG.syncProfile) await ipc(ctx.procs.app, { profile: 'start', intervalUs: 250 }, 'started');
    const t0 = performance.now();
    let cursor = from;
    let pages = 0;
    let count = 0;
    let prev = key(from);
    let own = 0;
    const ids = new Set();
    for (;;) {
      const res = await http.get(
        `/v1/sync?cursor=${encodeURIComponent(cursor)}${stream === 'positions' ? '&stream=positions' : ''}`,
        user.token,
      );
      if (res.status !== 200) throw new Error(`sync (${stream}) ${res.status} ${JSON.stringify(res.body)}`);
      pages++;
      for (const e of res.body.events) {
        // A positions cursor taken "now" may stand below the partner's send (the stream is served
        // up to the oldest open transaction): its events are not among the missed ones.
        if (e.message && e.message.id === tpl.id) {
          own++;
          continue;
        }
        const c = key(e.cursor);
        if (!after(c, prev)) throw new Error(`sync (${stream}) out of order at ${e.cursor}`);
        prev = c;
        ids.add(e.message.id);
        count++;
      }
      cursor = res.body.cursor;
      if (!res.body.hasMore) break;
    }
    const ms = performance.now() - t0;
    if (CFG.syncProfile) {
      await ipc(ctx.procs.app, { profile: 'stop', file: profileFile }, 'written');
      logProfile(`sync ${stream}`, profileFile);
      const stmtsAfter = stmtsBefore && (await statementsNow(ctx));
      if (stmtsAfter) logStatements(`during the ${stream} catch-up`, stmtsBefore, stmtsAfter, /pg_stat_statements/);
    }
    if (count !== CFG.syncEvents || ids.size !== CFG.syncEvents)
      throw new Error(`sync (${stream}) returned ${count} events (${ids.size} distinct), expected ${CFG.syncEvents}`);
    const r = { stream, events: count, pages, ms, perSecond: (count * 1000) / ms, templateEvents: own };
    log(
      `  ${stream}: ${count} events in ${pages} pages, ${fmt.int(ms)} ms (${fmt.int(r.perSecond)} events/s)${own ? `; and ${own} of the partner's own message, skipped` : ''}`,
    );
    return r;
  };
  // v1 first, as the baseline measured it (the first sync of the run); positions then runs on the
  // sync code v1 warmed.
  const v1 = await catchUp(v1From, 'v1');
  const positions = await catchUp(posFrom, 'positions');
  return { ...positions, v1, bytesPerEvent: JSON.stringify(payload).length };
}

async function clearPrefix(prefix) {
  const r = new IORedis(REDIS_URL);
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

// ---------------------------------------------------------------- report

function render(res) {
  const P = res.phases;
  const m = res.machine;
  const peerOk = Object.keys(res.peer).length > 0;
  const ej = (n) => res.peer[n];
  const floorRate = P['floor:send'] && P['floor:send'].rate;
  const peerText = CFG.text === PEER_TEXT;
  // A target on a cached-link phase only holds with the peer's text (BENCH_TEXT is an experiment).
  const verdict = (ok, textDependent = true) =>
    textDependent && !peerText ? 'n/a (BENCH_TEXT)' : ok === null || ok === undefined ? 'n/a' : ok ? 'met' : 'not met';
  const ms = (v) => (v === null || v === undefined ? 'never' : `${fmt.int(v)} ms`);
  const backlogText = (r) =>
    r.backlog
      ? r.backlog.drainedMs === null
        ? `${fmt.int(r.backlog.atEnd)}, still pending ${CFG.drainBoundMs / 1000} s later`
        : `${fmt.int(r.backlog.atEnd)} → 0 in ${ms(r.backlog.drainedMs)}`
      : '';
  // The scan side in jobs AND in the statements that did the work (a batch job is not a no-op
  // job): BullMQ jobs the link-scan queue completed, and the scan's write statements
  // (pg_stat_statements: backlog batches, settle statements, backlog flushes) with the messages
  // they carried (the phase's messages, each scanned once).
  const scanWrites = (r) => {
    const k = (r.pgTotals && r.pgTotals.scan) || {};
    return ['BACKLOG_SCAN_SQL', 'SCAN_SETTLE_SQL', 'flushBacklog'].reduce((a, n) => a + (k[n] ? k[n].calls : 0), 0);
  };
  const scanText = (r) => {
    if (!r.scan) return '';
    const jobs = `${fmt.int(r.scan.jobs)} jobs${r.scan.failed ? ` (${r.scan.failed} failed)` : ''}`;
    const w = scanWrites(r);
    return r.pgTotals ? `${jobs}; ${fmt.int(w)} write batches (${w ? (r.received / w).toFixed(1) : 'n/a'} msgs each)` : jobs;
  };
  const pgPerMsgText = (r) =>
    r.pgTotals
      ? `${r.pgTotals.statementsPerMsg.toFixed(2)} / ${r.pgTotals.walRecordsPerMsg.toFixed(1)} / ${fmt.int(r.pgTotals.buffersPerMsg)}`
      : '';
  // Our phases in the order of the report; [key, ejabberd N to compare with (null: none)].
  const ours = [
    ...CFG.ns.filter((n) => n === 1).map((n) => [`socket${n}`, n]),
    ['newLinks', 1],
    ['noLink', 1],
    ...CFG.ns.filter((n) => n !== 1).map((n) => [`socket${n}`, n]),
    ['rest', 1],
    ['group', null],
    ['socket1Rules', 1],
  ].filter(([k]) => P[k]);

  // ---- every workload of the run in detail, the peer next to us ----
  const rows = [];
  for (const n of CFG.ns) {
    const e = ej(n);
    if (!e) continue;
    const cpu = e.cpu
      ? `${fmt.ms((1000 * e.cpu.ejabberd) / (e.deliveredPerSec * e.seconds))} / ${fmt.ms((1000 * e.cpu.postgres) / (e.deliveredPerSec * e.seconds))} / –`
      : '';
    rows.push([
      `ejabberd, XMPP, N=${n}`,
      fmt.int(e.deliveredPerSec),
      '',
      fmt.ms(e.p50ms),
      fmt.ms(e.p99ms),
      fmt.int(e.sent),
      fmt.int(e.lost),
      fmt.int(e.duplicates),
      'no link scanning',
      '',
      '', // PG per msg: ours only (pg_stat_statements of our database)
      cpu,
      '1.00',
      '',
    ]);
  }
  for (const [key, n] of ours) {
    const r = P[key];
    const e = n && ej(n);
    const cpu = r.cpuPerMsg ? `${fmt.ms(r.cpuPerMsg.app)} / ${fmt.ms(r.cpuPerMsg.postgres)} / ${fmt.ms(r.cpuPerMsg.redis)}` : '';
    rows.push([
      r.label || key,
      fmt.int(r.rate),
      r.recipientsPer > 1 ? fmt.int(r.deliveriesPerSecond) : '',
      fmt.ms(r.latency.pct(50)),
      fmt.ms(r.latency.pct(99)),
      fmt.int(r.sent),
      fmt.int(r.lost),
      fmt.int(r.duplicates),
      backlogText(r),
      scanText(r),
      pgPerMsgText(r),
      cpu,
      e && r.recipientsPer === 1 ? fmt.ratio(r.rate / e.deliveredPerSec) : '',
      floorRate && r.recipientsPer === 1 ? fmt.ratio(r.rate / floorRate) : '',
    ]);
  }
  const main = table(
    [
      'workload (16 pairs)',
      'delivered msgs/s',
      'deliveries/s',
      'p50 ms',
      'p99 ms',
      'sent',
      'lost',
      'dup',
      'links unscanned at end → drained',
      'scan: jobs; write batches (msgs each)',
      'PG per msg: statements / WAL records / buffers',
      'CPU ms/msg server / PG / Redis',
      '÷ ejabberd (same N)',
      '÷ floor',
    ],
    rows,
  );

  // ---- issue #28's table: every target of the issue, each against this run ----
  const e1 = ej(1);
  const e8 = ej(8);
  const s1 = P.socket1;
  const s8 = P.socket8;
  const nl = P.newLinks;
  const rest = P.rest;
  const noPeer = 'n/a (no peer)';
  const x = (v, e) => (e && Number.isFinite(v) ? fmt.ratio(v / e.deliveredPerSec) : '');
  const h = [];
  for (const [n, e] of [
    [1, e1],
    [8, e8],
  ])
    if (e)
      h.push([
        `ejabberd N=${n} (XMPP, archiving in PostgreSQL)`,
        fmt.int(e.deliveredPerSec),
        fmt.ms(e.p99ms),
        '1.00',
        'the anchor',
        '',
        '',
      ]);
  if (s1) {
    const rateOk = e1 ? s1.rate >= TARGETS.socketOverPeer * e1.deliveredPerSec : null;
    const p99Ok = e1 ? s1.latency.pct(99) <= e1.p99ms : null;
    h.push([
      'ours, socket N=1, the same link in every message (verdict cached)',
      fmt.int(s1.rate),
      fmt.ms(s1.latency.pct(99)),
      x(s1.rate, e1),
      e1
        ? `≥ ${TARGETS.socketOverPeer.toFixed(1)}× ejabberd N=1 (${fmt.int(TARGETS.socketOverPeer * e1.deliveredPerSec)}), p99 ≤ ${fmt.ms(e1.p99ms)} ms`
        : `≥ ${TARGETS.socketOverPeer.toFixed(1)}× ejabberd N=1, p99 ≤ its p99`,
      `rate ${verdict(rateOk)}, p99 ${verdict(p99Ok)}`,
      e1 ? verdict(rateOk && p99Ok) : noPeer,
    ]);
  }
  if (nl) {
    const rateOk = e1 ? nl.rate >= TARGETS.newLinkOverPeer * e1.deliveredPerSec : null;
    const drainOk = nl.backlog.drainedMs !== null && nl.backlog.drainedMs <= TARGETS.backlogDrainMs;
    const s = nl.scan;
    h.push([
      'ours, socket N=1, a NEW link in every message (each needs a scan)',
      fmt.int(nl.rate),
      fmt.ms(nl.latency.pct(99)),
      x(nl.rate, e1),
      `≥ ${TARGETS.newLinkOverPeer}× ejabberd N=1${e1 ? ` (${fmt.int(TARGETS.newLinkOverPeer * e1.deliveredPerSec)})` : ''}, every link scanned, backlog drained ≤ ${fmt.int(TARGETS.backlogDrainMs)} ms`,
      `${fmt.int(nl.links.stored.links)} links in ${fmt.int(nl.links.stored.messages)} msgs, ${fmt.int(nl.links.stored.pending + nl.links.pending)} unscanned after the drain (${verdict(nl.links.allScanned, false)}); ` +
        `backlog ${backlogText(nl)} (${verdict(drainOk, false)}); scan: ${scanText(nl)}` +
        (s.jobs
          ? ` (jobs: ${s.backlogJobs} scan-backlog, ${s.batchJobs} scan-messages, ${s.singleJobs} scan-message; they carried ${fmt.int(s.messages)} msgs)`
          : '') +
        (s1 ? `; ÷ cached link ${fmt.ratio(nl.rate / s1.rate)}` : ''),
      e1
        ? verdict(rateOk && nl.links.allScanned && drainOk, false)
        : `${noPeer}; scanned and drained: ${verdict(nl.links.allScanned && drainOk, false)}`,
    ]);
  }
  if (P.noLink)
    h.push([
      'ours, socket N=1, no link',
      fmt.int(P.noLink.rate),
      fmt.ms(P.noLink.latency.pct(99)),
      x(P.noLink.rate, e1),
      'context: no target',
      '',
      '',
    ]);
  if (s8) {
    const overOurs = s1 ? s8.rate >= TARGETS.socket8OverSocket1 * s1.rate : null;
    const overPeer = e8 ? s8.rate >= TARGETS.socket8OverPeer8 * e8.deliveredPerSec : null;
    h.push([
      'ours, socket N=8 (the same link, cached)',
      fmt.int(s8.rate),
      fmt.ms(s8.latency.pct(99)),
      e8 ? `${x(s8.rate, e8)} (÷ N=8)` : '',
      `≥ our N=1${s1 ? ` (${fmt.int(s1.rate)})` : ''} and ≥ ejabberd N=8${e8 ? ` (${fmt.int(e8.deliveredPerSec)})` : ''}`,
      `÷ our N=1 ${s1 ? fmt.ratio(s8.rate / s1.rate) : 'n/a'} (${verdict(overOurs)}); ÷ ejabberd N=8 ${e8 ? fmt.ratio(s8.rate / e8.deliveredPerSec) : 'n/a'} (${e8 ? verdict(overPeer) : noPeer})`,
      s1 && e8 ? verdict(overOurs && overPeer) : verdict(null),
    ]);
  }
  if (rest) {
    const ok = e1 ? rest.rate >= TARGETS.restOverPeer * e1.deliveredPerSec : null;
    h.push([
      `ours, REST, ${CFG.pairs} connections (N=1 each)`,
      fmt.int(rest.rate),
      fmt.ms(rest.latency.pct(99)),
      x(rest.rate, e1),
      `≥ ${TARGETS.restOverPeer}× ejabberd N=1${e1 ? ` (${fmt.int(TARGETS.restOverPeer * e1.deliveredPerSec)})` : ''}`,
      s1 ? `÷ our socket N=1 ${fmt.ratio(rest.rate / s1.rate)}` : '',
      e1 ? verdict(ok) : noPeer,
    ]);
  }
  const B = BASELINE;
  const then = (v) => v / B.ejabberdN1MsgsPerSec; // a baseline rate as a ratio to its run's ejabberd N=1
  if (P.group) {
    const g = P.group;
    const ok = e1 ? g.deliveriesPerSecond / e1.deliveredPerSec >= then(B.groupDeliveriesPerSec) : null;
    h.push([
      `ours, ${CFG.groupSize}-member group (deliveries/s: × ${CFG.groupSize - 1})`,
      `${fmt.int(g.rate)} (${fmt.int(g.deliveriesPerSecond)} deliveries/s)`,
      fmt.ms(g.latency.pct(99)),
      e1 ? `${x(g.deliveriesPerSecond, e1)} (deliveries)` : '',
      `no worse than before #28: deliveries/s ≥ ${fmt.ratio(then(B.groupDeliveriesPerSec))}× ejabberd N=1${e1 ? ` (${fmt.int(then(B.groupDeliveriesPerSec) * e1.deliveredPerSec)})` : ''}`,
      '',
      e1 ? verdict(ok) : noPeer,
    ]);
  }
  if (P.sync) {
    // The positions stream is what clients use; the #28 target stays on v1, the stream the baseline measured.
    const v = P.sync.v1;
    const ok = e1 ? v.perSecond / e1.deliveredPerSec >= then(B.syncEventsPerSec) : null;
    h.push([
      `ours, sync of ${fmt.int(P.sync.events)} missed events, positions stream (GET /v1/sync?stream=positions, p1. cursors; what the SDK uses)`,
      `${fmt.int(P.sync.perSecond)} events/s`,
      `${fmt.int(P.sync.ms)} (all)`,
      e1 ? `${x(P.sync.perSecond, e1)} (events)` : '',
      'none of its own (the baseline predates this stream; the target is judged on v1, next row)',
      `${P.sync.pages} pages, in order, none twice`,
      'measured',
    ]);
    h.push([
      `ours, sync of ${fmt.int(v.events)} missed events, v1 stream (GET /v1/sync, per-user cursors; the stream the baseline measured)`,
      `${fmt.int(v.perSecond)} events/s`,
      `${fmt.int(v.ms)} (all)`,
      e1 ? `${x(v.perSecond, e1)} (events)` : '',
      `no worse than before #28 (v1, as measured then): events/s ≥ ${fmt.ratio(then(B.syncEventsPerSec))}× ejabberd N=1${e1 ? ` (${fmt.int(then(B.syncEventsPerSec) * e1.deliveredPerSec)})` : ''}`,
      `${v.pages} pages, in order, none twice`,
      e1 ? verdict(ok, false) : noPeer,
    ]);
  }
  if (P.export) {
    const e = P.export;
    h.push([
      `ours, data export of ${fmt.int(e.messages)} messages (POST /v1/me/export until ready)`,
      `${fmt.int(e.messages / (e.ms / 1000))} messages/s`,
      `${fmt.int(e.ms)} (all)`,
      '',
      'bounded memory: the worker streams the archive in batches',
      `archive ${e.archiveMb.toFixed(1)} MB; app RSS ${fmt.int(e.baseRssMb)} → peak ${fmt.int(e.peakRssMb)} MB (+${fmt.int(e.peakRssMb - e.baseRssMb)} MB)`,
      'measured',
    ]);
  }
  if (P.idle) {
    const i = P.idle;
    const rssKiB = i.rssPerSocket / 1024;
    const heapKiB = i.heapPerSocket / 1024;
    // Per HELD socket (the phase fails if the app holds fewer than asked); only comparable at the
    // baseline's socket count (fixed costs spread over fewer sockets), and only once the baseline
    // was measured the same way (bench/baseline.json idleHeld*).
    const measuredThen = B.idleRssKiBPerHeldSocket !== null && B.idleRssKiBPerHeldSocket !== undefined;
    const comparable = measuredThen && CFG.idleSockets === B.idleHeldSockets;
    const allIn = i.sockets >= CFG.idleSockets;
    const ok = allIn && comparable ? rssKiB <= B.idleRssKiBPerHeldSocket && heapKiB <= B.idleHeapKiBPerHeldSocket : allIn ? null : false;
    h.push([
      `ours, ${fmt.int(CFG.idleSockets)} idle sockets held by one API process`,
      '',
      '',
      '',
      comparable
        ? `no worse than before #28: all held, ≤ ${B.idleRssKiBPerHeldSocket} KiB RSS and ≤ ${B.idleHeapKiBPerHeldSocket} KiB JS heap per held socket`
        : measuredThen
          ? `all held (memory per held socket is compared with before #28 at ${fmt.int(B.idleHeldSockets)} sockets only)`
          : 'all held; no worse than before #28: n/a until the baseline is measured per held socket (bench/baseline.json)',
      `${fmt.int(i.sockets)} held by the app (of ${fmt.int(i.asked)} asked; ${i.dropped} closed by it, ${i.failed} refused); ${rssKiB.toFixed(1)} KiB RSS, ${heapKiB.toFixed(2)} KiB heap per held socket; idle CPU ${i.idleCores.toFixed(2)} cores`,
      verdict(ok, false),
    ]);
  }
  const lostDup = Object.entries(P)
    .filter(([, r]) => r && r.lost !== undefined)
    .reduce((a, [, r]) => ({ lost: a.lost + r.lost, dup: a.dup + r.duplicates }), { lost: 0, dup: 0 });
  h.push([
    'ours, every phase: lost / duplicated',
    '',
    '',
    '',
    '0 lost, 0 duplicated',
    `${fmt.int(lostDup.lost)} lost, ${fmt.int(lostDup.dup)} duplicated`,
    verdict(lostDup.lost === 0 && lostDup.dup === 0, false),
  ]);
  const headline = table(
    ['issue #28 (16 pairs, N in flight, closed loop on delivery)', 'msgs/s', 'p99 ms', '÷ ejabberd N=1', 'target', 'measured', 'verdict'],
    h,
  );

  // ---- the earlier issues' targets that still hold, each against this run ----
  const t = [];
  if (nl && s1)
    t.push([
      `a new link costs ≤ ${TARGETS.newLinkCostOverCached}× a cached one (issue #28's design direction): new-link msgs/s ≥ cached ÷ ${TARGETS.newLinkCostOverCached}`,
      `≥ ${fmt.int(s1.rate / TARGETS.newLinkCostOverCached)}`,
      `${fmt.int(nl.rate)} (cached ÷ new ${fmt.ratio(s1.rate / nl.rate)})` +
        (nl.pgTotals && s1.pgTotals
          ? `; PostgreSQL per msg new ÷ cached: WAL records ${fmt.ratio(nl.pgTotals.walRecordsPerMsg / s1.pgTotals.walRecordsPerMsg)}, buffers ${fmt.ratio(nl.pgTotals.buffersPerMsg / s1.pgTotals.buffersPerMsg)}, statements ${fmt.ratio(nl.pgTotals.statementsPerMsg / s1.pgTotals.statementsPerMsg)}`
          : ''),
      verdict(nl.rate * TARGETS.newLinkCostOverCached >= s1.rate),
    ]);
  if (s1) {
    const linksOk = s1.links.allScanned;
    const drainOk = s1.backlog.drainedMs !== null && s1.backlog.drainedMs <= TARGETS.backlogDrainMs;
    t.push([
      'socket N=1, cached link: links all scanned, backlog drained within 1 s of the end of the load (issue #13)',
      `0 unscanned, ≤ ${TARGETS.backlogDrainMs} ms`,
      `${s1.links.occurrences} links for ${s1.sent} msgs, ${s1.links.pending + s1.links.stored.pending} unscanned; ${backlogText(s1)}`,
      verdict(linksOk && drainOk),
    ]);
  }
  if (P.group && s1)
    t.push([
      `${CFG.groupSize}-member group deliveries/s ≥ 1.0 × 1:1 socket N=1 delivered msgs/s (issue #13)`,
      `≥ ${fmt.int(s1.rate)}`,
      `${fmt.int(P.group.deliveriesPerSecond)} (${fmt.ratio(P.group.deliveriesPerSecond / s1.rate)}×), p99 ${fmt.ms(P.group.latency.pct(99))} ms`,
      s1.rate > 0 ? verdict(P.group.deliveriesPerSecond >= TARGETS.groupOverDirect * s1.rate) : 'n/a',
    ]);
  if (P.socket1Rules && s1)
    t.push([
      `send with ${CFG.rules} live rules ≥ 0.9 × send with none (socket N=1, issue #14)`,
      `≥ ${fmt.int(TARGETS.rulesOverNone * s1.rate)}`,
      `${fmt.int(P.socket1Rules.rate)} (${fmt.ratio(P.socket1Rules.rate / s1.rate)}×)`,
      s1.rate > 0 ? verdict(P.socket1Rules.rate >= TARGETS.rulesOverNone * s1.rate) : 'n/a',
    ]);
  if (P.linkScan)
    t.push([
      'link scan of new URLs ≥ 0.5 × a no-op BullMQ worker (issue #13)',
      `≥ ${fmt.int(TARGETS.scanOverNoop * P.linkScan.noopPerSecond)} messages/s`,
      `${fmt.int(P.linkScan.scanPerSecond)} messages/s (${fmt.ratio(P.linkScan.ratio)}×)`,
      verdict(P.linkScan.ratio >= TARGETS.scanOverNoop, false),
    ]);
  if (P.search)
    t.push([
      `search p99 over ${fmt.int(P.search.messages)} messages (one user in ${P.search.mine} conversations, issue #16)`,
      `≤ ${SEARCH_P99_MS} ms`,
      `${fmt.ms(P.search.latency.pct(99))} ms (p50 ${fmt.ms(P.search.latency.pct(50))} ms, ${P.search.searches} searches)`,
      verdict(P.search.latency.pct(99) <= SEARCH_P99_MS, false),
    ]);
  if (floorRate && s1)
    t.push([
      '(kept) socket N=1 ÷ floor ≥ 0.5 — the floor is our own SQL: it moves with our design',
      `≥ ${fmt.int(TARGETS.apiOverFloor * floorRate)}`,
      `${fmt.ratio(s1.rate / floorRate)}`,
      verdict(s1.rate / floorRate >= TARGETS.apiOverFloor),
    ]);
  if (floorRate && rest)
    t.push([
      '(kept) REST ÷ floor ≥ 0.5 — same caveat',
      `≥ ${fmt.int(TARGETS.apiOverFloor * floorRate)}`,
      `${fmt.ratio(rest.rate / floorRate)}`,
      verdict(rest.rate / floorRate >= TARGETS.apiOverFloor),
    ]);
  const targets = table(['other target', 'required (this run)', 'measured', 'verdict'], t);

  // ---- CPU by process per delivered message ----
  const cpuRows = [];
  const cpuRow = (name, c, msgs, wall) => {
    const per = (v) => (msgs > 0 && Number.isFinite(v) ? `${fmt.ms((1000 * v) / msgs)} (${(v / wall).toFixed(2)})` : '');
    cpuRows.push([name, fmt.int(msgs), per(c.app), per(c.ejabberd), per(c.postgres), per(c.redis), per(c.generator), per(c.other)]);
  };
  for (const n of CFG.ns) {
    const e = ej(n);
    if (e && e.cpu)
      cpuRow(
        `ejabberd N=${n} (load window; other includes its load generator)`,
        { ejabberd: e.cpu.ejabberd, postgres: e.cpu.postgres, other: Math.max(0, e.cpu.machine - e.cpu.ejabberd - e.cpu.postgres) },
        e.deliveredPerSec * e.seconds,
        e.cpu.wall,
      );
  }
  const cpuNames = {
    socket1Rules: `socket N=1, ${CFG.rules} rules`,
    newLinks: 'new link N=1',
    noLink: 'no link N=1',
    rest: `REST, ${CFG.pairs} connections`,
  };
  for (const [key] of ours) {
    const r = P[key];
    const name =
      key === 'group'
        ? `group (per message; ×${CFG.groupSize - 1} deliveries)`
        : cpuNames[key] || key.replace(/^socket(\d+)$/, 'socket N=$1');
    cpuRow(name, r.cpu, r.received, r.cpu.wall);
  }
  if (P.linkScan) cpuRow('link scan of new URLs (per message)', P.linkScan.cpu, P.linkScan.jobs, P.linkScan.cpu.wall);
  const cpuTable = table(
    ['phase', 'messages', 'app (API+worker)', 'ejabberd', 'PostgreSQL', 'Redis', 'load generator', 'other (not ours)'],
    cpuRows,
  );

  // ---- floors, sync, link scan, memory ----
  const fRows = [];
  for (const [shape, label] of [
    ['send', 'SEND_SQL via pg, prepared as the API does'],
    ['send-unprepared', 'SEND_SQL planned on every call'],
    ['context+send', 'CONTEXT_SQL + SEND_SQL (two round trips)'],
    ['five', 'five statements in a transaction (less work than ours)'],
  ]) {
    const r = P[`floor:${shape}`];
    if (r)
      fRows.push([
        label,
        fmt.int(r.rate),
        fmt.ms(r.latency.pct(50)),
        fmt.ms(r.latency.pct(99)),
        r.cpu ? `${fmt.ms((1000 * r.cpu.postgres) / r.ok)}` : '',
      ]);
  }
  const floors = table(
    ['floor: our own SQL alone, 16 pg clients, text without a link', 'statements/s', 'p50 ms', 'p99 ms', 'PostgreSQL CPU ms each'],
    fRows,
  );
  const oRows = [];
  if (P.sync)
    oRows.push(
      [
        `sync: catch up ${fmt.int(P.sync.events)} missed events, positions stream (GET /v1/sync?stream=positions)`,
        `${fmt.int(P.sync.ms)} ms`,
        `${fmt.int(P.sync.perSecond)} events/s, ${P.sync.pages} pages`,
      ],
      [
        `sync: the same ${fmt.int(P.sync.v1.events)} events, v1 stream (GET /v1/sync)`,
        `${fmt.int(P.sync.v1.ms)} ms`,
        `${fmt.int(P.sync.v1.perSecond)} events/s, ${P.sync.v1.pages} pages`,
      ],
    );
  if (P.linkScan)
    oRows.push([
      `link scan: ${fmt.int(P.linkScan.jobs)} messages with new URLs${P.linkScan.scanJobs ? ` in ${fmt.int(P.linkScan.scanJobs)} jobs` : ''}, concurrency ${CFG.scanConcurrency}, in the app process`,
      `${fmt.int(P.linkScan.scanPerSecond)} messages/s`,
      `no-op BullMQ worker ${fmt.int(P.linkScan.noopPerSecond)} jobs/s → ${fmt.ratio(P.linkScan.ratio)}×; verdicts ${P.linkScan.verdicts.map((v) => `${v.verdict} ${v.n}`).join(', ')}`,
    ]);
  if (P.idle)
    oRows.push([
      `idle sockets: ${fmt.int(P.idle.sockets)} held by the one app process (counted in /proc; ${CFG.idleProcs} generator processes)`,
      `${(P.idle.rssPerSocket / 1024).toFixed(1)} KiB RSS per held socket`,
      `${(P.idle.heapPerSocket / 1024).toFixed(2)} KiB JS heap per held socket (after GC); RSS ${fmt.int(P.idle.rssBefore / 2 ** 20)} → ${fmt.int(P.idle.rssAfter / 2 ** 20)} MiB; connected in ${fmt.int(P.idle.connectMs)} ms; holding them idle: ${P.idle.idleCores.toFixed(2)} cores`,
    ]);
  const other = table(['other', 'figure', 'detail'], oRows);

  // PostgreSQL by statement (pg_stat_statements) under socket N=1: where the database's time goes.
  let pgText = '';
  let pgMd = '';
  if (P.socket1 && P.socket1.pgStatements) {
    const pgRows = P.socket1.pgStatements.map((x) => [
      x.statement,
      x.callsPerMsg.toFixed(2),
      fmt.int(x.execUsPerMsg),
      x.execMsPerCall.toFixed(3),
      x.walRecordsPerCall.toFixed(1),
      fmt.int(x.walBytesPerCall),
      x.buffersPerCall.toFixed(1),
    ]);
    const pgTable = table(
      [
        'PostgreSQL by statement, socket N=1 (pg_stat_statements)',
        'calls per msg',
        'exec µs per msg',
        'exec ms per call',
        'WAL records per call',
        'WAL bytes per call',
        'buffers per call',
      ],
      pgRows,
    );
    pgText = `\n${pgTable.text}\n`;
    pgMd = `\n${pgTable.md}\n\nExecution time excludes parsing, binding and the commit's WAL flush; WAL records and buffers are counts (they do not move with the machine's load).\n`;
  } else if (res.pgStatementsMissing) {
    pgText =
      pgMd = `\nPostgreSQL by statement: not measured (pg_stat_statements: ${res.pgStatementsMissing}; add it to shared_preload_libraries and restart PostgreSQL to see it).\n`;
  }

  let profileText = '';
  let profileMd = '';
  for (const [name, p] of Object.entries(res.profiles || {})) {
    const msgs = p.received;
    const perMsg = (msAll) => (msgs > 0 ? fmt.ms((1000 * msAll) / msgs) : 'n/a'); // µs per message
    const head = `App CPU profile under ${name} (${fmt.int(p.rate)} msgs/s while profiled, ${fmt.int(msgs)} messages; the main thread was busy ${fmt.pct((100 * p.busyMs) / p.totalMs)} of ${fmt.int(p.totalMs)} ms)`;
    const areas = table(
      ['area (self time)', 'ms', 'µs per message', '% of busy'],
      p.areasSelf.slice(0, 12).map((a) => [a.name, fmt.int(a.ms), perMsg(a.ms), fmt.pct(a.pctBusy)]),
    );
    const incl = table(
      ['area (inclusive: on the stack)', 'ms', 'µs per message', '% of busy'],
      p.areasInclusive.slice(0, 12).map((a) => [a.name, fmt.int(a.ms), perMsg(a.ms), fmt.pct(a.pctBusy)]),
    );
    const fns = table(
      ['top functions (self time)', 'ms', 'µs per message', '% of busy'],
      p.topFunctions.slice(0, 15).map((a) => [a.name, fmt.int(a.ms), perMsg(a.ms), fmt.pct(a.pctBusy)]),
    );
    profileText += `\n${head}\n${areas.text}\n\n${incl.text}\n\n${fns.text}\n`;
    profileMd += `\n#### ${head}\n\n${areas.md}\n\n${incl.md}\n\n${fns.md}\n`;
  }

  const notes = [
    `The peer is the anchor: ejabberd ran ${peerOk ? 'in this run, just before us, on the same machine and workload, and was stopped before we were measured' : `NOT in this run (${res.peerMissing}); no ratio to it is printed, and none is taken from another day`}.`,
    'The floors are our own SQL (SEND_SQL and variants) issued straight through pg: they move with our design (a heavier statement lowers the floor and flatters the ÷ floor ratio), so they are kept for context and for the next engineer, not as a goal that proves speed.',
    `Workload: ${CFG.pairs} pairs who follow each other, each sender and each receiver on its own socket; every sender keeps at most N messages its receiver has not yet received (REST: and whose HTTP response has not come back); text "${CFG.text}"${peerText ? " (the peer's: the same link in every message, its verdict cached after the first scan)" : " — NOT the peer's text (BENCH_TEXT): an experiment, the cached-link targets read n/a"}; the new-link phase puts a URL never seen before in the same text (shop<k>-<run>.example.net/deal/<k>, k unique per message), the no-link phase uses "${NO_LINK_TEXT}"; latency send → receive in the generator; lost = sent − received after a drain of up to 10 s; every message has its own clientId, duplicates are a second arrival of a clientId at a recipient. CPU per message counts from the start of the load until the link backlog is drained, per message received.`,
    `One app process (APP_ROLES=api,worker, node ${builtMain().replace(`${ROOT}/`, '')}, NODE_ENV=production, as \`npm start\` runs it; send limits raised so the rate limiter never refuses), PostgreSQL, Redis and the load generator share the machine's ${m.cores} cores; the ejabberd rows count ejabberd and its PostgreSQL backends only (its load generator is not in the CPU figures).`,
  ];
  const machineLine = `${m.cpuModel}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.kernel}; Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; load average at start ${m.loadAvg.map((l) => l.toFixed(2)).join(' / ')}`;
  const dur = `${((res.finished - res.started) / 1000).toFixed(0)} s`;
  const knobs = `BENCH_SECONDS=${CFG.seconds}, N=${CFG.ns.join(',')}, floors ${CFG.floorSeconds} s, ${fmt.int(CFG.scanJobs)} scan jobs, ${fmt.int(CFG.idleSockets)} idle sockets${CFG.phases ? `, phases ${[...CFG.phases].join(',')}` : ''}${CFG.quick ? ', BENCH_QUICK' : ''}`;
  const text = [
    `Backchannel benchmark, ${res.started.toISOString()} (${dur}; ${knobs})`,
    machineLine,
    '',
    headline.text,
    '',
    main.text,
    '',
    targets.text,
    '',
    cpuTable.text,
    '',
    floors.text,
    '',
    other.text,
    pgText,
    profileText,
    ...notes,
    ...res.notes,
  ].join('\n');
  const md = [
    `Run of ${res.started.toISOString()} (${dur}; ${knobs}).`,
    '',
    `**Machine:** ${machineLine}.`,
    '',
    "### Issue #28's targets, ejabberd and us",
    '',
    headline.md,
    '',
    '### Peer workload in detail',
    '',
    main.md,
    '',
    '### Other targets',
    '',
    targets.md,
    '',
    '### CPU per delivered message, by process (ms per message, and cores busy on average in brackets)',
    '',
    cpuTable.md,
    '',
    '### Floors (context only: our own SQL)',
    '',
    floors.md,
    '',
    '### Sync, link scanning, idle sockets',
    '',
    other.md,
    pgMd ? `\n### PostgreSQL by statement\n${pgMd}` : '',
    profileMd ? `\n### Profile\n${profileMd}` : '',
    '### Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    ...res.notes.map((n) => `- ${n}`),
  ].join('\n');
  return { text, md };
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function writeDoc(generated) {
  const file = join(ROOT, 'docs/BENCHMARKS.md');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n## Latest run\n\n${BEGIN}\n${END}\n`;
  if (!doc.includes(BEGIN) || !doc.includes(END)) doc += `\n## Latest run\n\n${BEGIN}\n${END}\n`;
  const before = doc.slice(0, doc.indexOf(BEGIN) + BEGIN.length);
  const after = doc.slice(doc.indexOf(END));
  writeFileSync(file, `${before}\n${generated}\n${after}`);
}

(CFG.only === 'search' ? searchOnly() : main()).catch((err) => {
  log(`failed: ${err.stack || err}`);
  process.exit(1);
});
