#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: starts the built product on loopback with a fresh database and Redis
 * prefix (or measures `BENCH_URL`), measures, prints a table and writes docs/BENCHMARKS.md.
 * Bounded: every phase has a fixed duration or a fixed number of requests.
 *
 *   BENCH_SECONDS (8)          measured seconds per throughput phase (after BENCH_WARMUP, 2)
 *   BENCH_SOCKET_WINDOW (4)    in-flight acks per sender socket
 *   BENCH_SCAN_JOBS (2000)     link-scan jobs (and as many no-op jobs)
 *   BENCH_PROFILE (auto)       auto: CPU-profile the API when a ratio is under its goal; always; never
 *   BENCH_WRITE (1)            0: print only, leave docs/BENCHMARKS.md alone
 *   BENCH_URL, BENCH_DATABASE_URL
 *                              measure a running API instead (phases needing the process,
 *                              its database or its Redis prefix are skipped when unknown)
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { Client } = require('pg');
const IORedis = require('ioredis');
const { Queue } = require('bullmq');
const { AppProcess, REDIS_URL, ROOT, createDatabase, cpuSeconds, cpuSplit, dropDatabase, freePort, rssBytes, sleep } = require('./lib/product');
const { JsonClient } = require('./lib/http');
const { DeliveryTracker, connect, directPairs, group, inBatches, registerUsers } = require('./lib/workload');
const { restClosedLoop, socketClosedLoop, socketOpenLoop } = require('./lib/load');
const { floor } = require('./lib/floor');
const { summarise } = require('./lib/cpu-profile');
const { cmd, fmt, machine, machineJiffies, table } = require('./lib/stats');

const num = (name, def) => (process.env[name] ? Number(process.env[name]) : def);
const CFG = {
  seconds: num('BENCH_SECONDS', 8),
  warmup: num('BENCH_WARMUP', 2),
  senders: 16,
  perSender: 4,
  window: num('BENCH_SOCKET_WINDOW', 4),
  groupSize: 15,
  syncEvents: 10000,
  scanJobs: num('BENCH_SCAN_JOBS', 2000),
  scanConcurrency: 8, // the link-scan processor's @Processor concurrency
  idleSockets: 1000,
  profile: process.env.BENCH_PROFILE || 'auto',
  write: process.env.BENCH_WRITE !== '0',
};
const EJABBERD = { low: 1250, high: 1580, p50: [10, 13], p99: [22, 27] };
const GOALS = { apiOverFloor: 0.5, socketOverEjabberd: 1.2, restOverEjabberd: 1.0 };

const log = (...a) => process.stderr.write(`[bench] ${a.join(' ')}\n`);

/** CPU seconds by component, to say where the machine's two cores went during a phase. */
class CpuMeter {
  constructor(ctx) {
    this.ctx = ctx;
  }
  async pgBackends() {
    if (!this.ctx.admin) return new Map();
    const { rows } = await this.ctx.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [this.ctx.dbName]);
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
    const ours = Object.entries(out).filter(([k]) => !['wall', 'machine'].includes(k)).reduce((s, [, v]) => s + v, 0);
    out.other = Math.max(0, out.machine - ours);
    Object.defineProperty(out, 'kernel', { value: kernel, enumerable: false });
    // Connections PostgreSQL had to fork during the phase (a pool growing under a burst).
    const fresh = this.since
      ? Number((await this.ctx.admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_start > $2 AND pid <> pg_backend_pid()', [this.ctx.dbName, this.since])).rows[0].n)
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
  const ours = Object.entries(cpu).filter(([k]) => !['wall', 'machine', 'other'].includes(k)).reduce((sum, [, v]) => sum + v, 0);
  const bound = msgs > 0 ? ` → all of ours ${per(ours)} ms/msg, at most ${fmt.int((os.cpus().length * msgs) / ours)} msg/s on ${os.cpus().length} cores` : '';
  const conns = cpu.newConnections ? `; ${cpu.newConnections} new PostgreSQL connection(s) opened` : '';
  return `${parts.join(', ')}; machine busy ${(cpu.machine / cpu.wall).toFixed(2)} of ${os.cpus().length} cores${bound}${conns}`;
}

async function main() {
  const runId = randomBytes(4).toString('hex');
  const ctx = { procs: {}, runId, logDir: mkdtempSync(join(os.tmpdir(), `bench-${runId}-`)) };
  const results = { phases: {}, notes: [] };
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
  log(`machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, load ${results.machine.loadAvg.map((l) => l.toFixed(2)).join(' ')}`);

  const external = process.env.BENCH_URL;
  let api;
  if (external) {
    ctx.url = external.replace(/\/$/, '');
    ctx.databaseUrl = process.env.BENCH_DATABASE_URL || null;
    ctx.dbName = ctx.databaseUrl ? new URL(ctx.databaseUrl).pathname.slice(1) : null;
    results.notes.push(`Measured an already running API at ${ctx.url}.`);
  } else {
    ctx.dbName = `bench_${runId}`;
    ctx.databaseUrl = await createDatabase(ctx.dbName);
    ctx.redisPrefix = `bench${runId}:`;
    const port = await freePort();
    api = new AppProcess({
      name: 'api',
      roles: 'api',
      port,
      databaseUrl: ctx.databaseUrl,
      redisPrefix: ctx.redisPrefix,
      logDir: ctx.logDir,
      nodeArgs: ['--expose-gc', '-r', join(__dirname, 'lib/profile-hook.js'), ...(process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ') : [])],
      ipc: true,
    }).start();
    await api.ready();
    ctx.procs.api = api;
    ctx.url = api.url;
    log(`api pid ${api.pid} on ${api.url}, database ${ctx.dbName}, logs in ${ctx.logDir}`);
  }
  if (ctx.databaseUrl) {
    ctx.admin = new Client({ connectionString: ctx.databaseUrl });
    await ctx.admin.connect();
    ctx.adminPid = (await ctx.admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  }
  const meter = new CpuMeter(ctx);
  const http = new JsonClient(ctx.url, 64);
  const sockets = [];
  try {
    // ---- setup, through the public API ----
    const t = performance.now();
    const prefix = `b${runId}`;
    const pairs = await directPairs(http, prefix, CFG.senders, CFG.perSender);
    const grp = await group(http, prefix, CFG.groupSize);
    const [syncUser] = await registerUsers(http, `${prefix}s`, 1);
    const tracker = new DeliveryTracker();
    const lanes = [];
    for (const p of pairs) {
      const socket = await connect(ctx.url, p.sender.token);
      sockets.push(socket);
      tracker.attach(socket, p.sender.id);
      lanes.push({ sender: p.sender, socket, conversations: p.conversations.map((c) => ({ id: c.id, recipients: [c.recipient.id] })) });
      for (const r of p.recipients) {
        const rs = await connect(ctx.url, r.token);
        sockets.push(rs);
        tracker.attach(rs, r.id);
      }
    }
    const groupLanes = [];
    for (const m of grp.members) {
      const s = await connect(ctx.url, m.token);
      sockets.push(s);
      tracker.attach(s, m.id);
      groupLanes.push({ sender: m, socket: s, conversations: [{ id: grp.id, recipients: grp.members.filter((x) => x.id !== m.id).map((x) => x.id) }] });
    }
    log(`setup: ${pairs.length * (CFG.perSender + 1) + CFG.groupSize + 1} users, ${pairs.length * CFG.perSender} direct conversations, a ${CFG.groupSize}-member group, ${sockets.length} sockets in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // ---- memory per 1,000 idle sockets (first, while the heap is still small) ----
    if (api) results.phases.memory = await memoryPhase(ctx, api, [...pairs.flatMap((p) => [p.sender, ...p.recipients]), ...grp.members]);

    // ---- send throughput: REST, then socket, then the floor shapes ----
    const phase = async (name, fn, selfMetered = false) => {
      log(`${name} ...`);
      tracker.reset();
      if (!selfMetered) await meter.start();
      const r = await fn();
      if (!selfMetered) r.cpu = await meter.stop();
      if (tracker.expected > 0) r.delivery = await tracker.settle(10000);
      r.cpuLine = cpuLine(r.cpu, r.rate * r.cpu.wall);
      results.phases[name] = r;
      log(`  ${fmt.int(r.rate)} msg/s, p50 ${fmt.ms(r.latency.pct(50))} ms, p99 ${fmt.ms(r.latency.pct(99))} ms, errors ${JSON.stringify(r.errors)}${r.delivery ? `, delivered ${r.delivery.delivered}/${r.delivery.expected}, dup ${r.delivery.duplicates}` : ''}`);
      log(`  cpu: ${r.cpuLine}`);
      return r;
    };
    const rest = await phase('rest', () => restClosedLoop({ http, lanes, tracker, tag: 'r', warmup: CFG.warmup, seconds: CFG.seconds }));
    const sock = await phase('socket', () => socketClosedLoop({ lanes, tracker, tag: 's', warmup: CFG.warmup, seconds: CFG.seconds, windowSize: CFG.window }));
    const sock1 = await phase('socket1', () => socketClosedLoop({ lanes, tracker, tag: 's1', warmup: CFG.warmup, seconds: CFG.seconds, windowSize: 1 }));
    if (ctx.databaseUrl) {
      for (const [n, shape] of ['send', 'send-unprepared', 'context+send', 'five'].entries()) {
        await phase(`floor:${shape}`, () => floor({ databaseUrl: ctx.databaseUrl, lanes, shape, tag: `f${n}`, warmup: CFG.warmup, seconds: CFG.seconds, meter }), true);
        // The floor writes outbox rows nobody drains (no process published them): clear them.
        await ctx.admin.query('DELETE FROM outbox');
      }
    }

    // ---- delivery latency at half the measured maximum, direct and group ----
    const maxRate = Math.max(sock.rate, sock1.rate, rest.rate);
    {
      log(`delivery at ${fmt.int(maxRate / 2)} msg/s ...`);
      tracker.reset();
      await meter.start();
      const loops = await loopDelays(api);
      const r = await socketOpenLoop({ lanes, tracker, tag: 'd', warmup: CFG.warmup, seconds: CFG.seconds, rate: maxRate / 2 });
      r.loopDelay = await loops.stop();
      r.cpu = await meter.stop();
      r.delivery = await tracker.settle(15000);
      r.latency = tracker.latency;
      results.phases.delivery = r;
      if (tracker.trace) writeFileSync(join(ctx.logDir, 'delivery-trace.json'), JSON.stringify(tracker.trace));
      log(`  sent ${r.sent}, delivered ${r.delivery.delivered}/${r.delivery.expected}, lost ${r.delivery.lost}, dup ${r.delivery.duplicates}, p50 ${fmt.ms(r.latency.pct(50))} p99 ${fmt.ms(r.latency.pct(99))}; ${loopLine(r.loopDelay)}`);
    }
    const groupMax = await phase('groupMax', () => socketClosedLoop({ lanes: groupLanes, tracker, tag: 'gm', warmup: 1, seconds: Math.max(4, CFG.seconds / 2), windowSize: 1 }));
    {
      const rate = groupMax.rate / 2;
      log(`group delivery at ${fmt.int(rate)} msg/s (${fmt.int(rate * (CFG.groupSize - 1))} deliveries/s) ...`);
      tracker.reset();
      await meter.start();
      const loops = await loopDelays(api);
      const r = await socketOpenLoop({ lanes: groupLanes, tracker, tag: 'gd', warmup: CFG.warmup, seconds: CFG.seconds, rate });
      r.loopDelay = await loops.stop();
      r.cpu = await meter.stop();
      r.delivery = await tracker.settle(15000);
      r.latency = tracker.latency;
      results.phases.groupDelivery = r;
      log(`  sent ${r.sent}, delivered ${r.delivery.delivered}/${r.delivery.expected}, lost ${r.delivery.lost}, dup ${r.delivery.duplicates}, p50 ${fmt.ms(r.latency.pct(50))} p99 ${fmt.ms(r.latency.pct(99))}; ${loopLine(r.loopDelay)}`);
    }

    // ---- sync: catch up 10,000 missed events ----
    if (ctx.databaseUrl) results.phases.sync = await syncPhase(ctx, http, syncUser);

    // ---- link scan: the worker against a no-op BullMQ worker ----
    if (!external) results.phases.linkScan = await linkScanPhase(ctx, http, lanes, meter);

    // ---- profile where a ratio is under its goal ----
    const floorRate = results.phases['floor:send'] && results.phases['floor:send'].rate;
    const bestSocket = sock1.rate > sock.rate ? sock1 : sock;
    const bestWindow = bestSocket === sock1 ? 1 : CFG.window;
    results.ratios = {
      restOverFloor: floorRate ? rest.rate / floorRate : NaN,
      socketOverFloor: floorRate ? bestSocket.rate / floorRate : NaN,
      restOverEjabberd: rest.rate / EJABBERD.high,
      socketOverEjabberd: bestSocket.rate / EJABBERD.high,
    };
    const under =
      results.ratios.restOverFloor < GOALS.apiOverFloor ||
      results.ratios.socketOverFloor < GOALS.apiOverFloor ||
      results.ratios.socketOverEjabberd < GOALS.socketOverEjabberd ||
      results.ratios.restOverEjabberd < GOALS.restOverEjabberd;
    if (api && (CFG.profile === 'always' || (CFG.profile === 'auto' && under))) {
      results.profiles = {};
      for (const [slug, name, fn] of [
        ['rest', 'REST', () => restClosedLoop({ http, lanes, tag: 'pr', warmup: 1, seconds: 6 })],
        ['socket', `socket (window ${bestWindow})`, () => socketClosedLoop({ lanes, tag: 'ps', warmup: 1, seconds: 6, windowSize: bestWindow })],
      ]) {
        log(`profiling the API under ${name} load ...`);
        const file = join(ctx.logDir, `api-${slug}.cpuprofile`);
        await ipc(api, { profile: 'start' }, 'started');
        const r = await fn();
        await ipc(api, { profile: 'stop', file }, 'written');
        results.profiles[name] = { file, rate: r.rate, ...summarise(file, 15) };
      }
    }
  } finally {
    for (const s of sockets) s.close();
    http.close();
    for (const p of Object.values(ctx.procs)) if (p) await p.stop().catch(() => undefined);
    if (ctx.admin) await ctx.admin.end().catch(() => undefined);
    if (!external) {
      await dropDatabase(ctx.dbName).catch((err) => log(`drop ${ctx.dbName}: ${err.message}`));
      await clearPrefix(ctx.redisPrefix).catch(() => undefined);
    }
  }
  results.finished = new Date();
  results.started = started;
  const report = render(results);
  process.stdout.write(`${report.text}\n`);
  if (CFG.write) {
    writeDoc(report.md);
    log('wrote docs/BENCHMARKS.md');
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
      } else if (m && (m.profile === until || (until === 'memory' && m.memory) || (until === 'loopDelay' && m.loopDelay && m.loopDelay !== 'started') || (until === 'loopStarted' && m.loopDelay === 'started'))) {
        clearTimeout(t);
        proc.child.off('message', on);
        resolve(m);
      }
    };
    proc.child.on('message', on);
    proc.child.send(msg);
  });
}

const loopLine = (d) =>
  d ? `event-loop delay p99/max: API ${d.api ? `${fmt.ms(d.api.p99)}/${fmt.ms(d.api.max)} ms` : 'n/a'}, generator ${fmt.ms(d.generator.p99)}/${fmt.ms(d.generator.max)} ms` : '';

/** Event-loop delay of the API process and of the load generator, over a phase. */
async function loopDelays(api) {
  const own = monitorEventLoopDelay({ resolution: 5 });
  own.enable();
  if (api) await ipc(api, { loopDelay: 'start' }, 'loopStarted');
  return {
    async stop() {
      own.disable();
      const ms = (ns) => ns / 1e6;
      return {
        api: api ? (await ipc(api, { loopDelay: 'stop' }, 'loopDelay')).loopDelay : null,
        generator: { p50: ms(own.percentile(50)), p99: ms(own.percentile(99)), max: ms(own.max) },
      };
    },
  };
}

async function memoryPhase(ctx, api, users) {
  log(`memory: ${CFG.idleSockets} idle sockets ...`);
  const measure = async () => {
    await sleep(1500);
    const m = await ipc(api, { memory: true }, 'memory');
    return { rss: rssBytes(api.pid), heapUsed: m.memory.heapUsed, external: m.memory.external };
  };
  const before = await measure();
  const idle = [];
  const list = Array.from({ length: CFG.idleSockets }, (_, i) => users[i % users.length]);
  await inBatches(list, 50, async (u) => idle.push(await connect(ctx.url, u.token)));
  await sleep(1500);
  const after = await measure();
  for (const s of idle) s.close();
  const r = {
    sockets: idle.length,
    rssPer1000: ((after.rss - before.rss) * 1000) / idle.length,
    heapPer1000: ((after.heapUsed - before.heapUsed) * 1000) / idle.length,
    rssBefore: before.rss,
    rssAfter: after.rss,
  };
  log(`  RSS ${fmt.int(before.rss / 2 ** 20)} → ${fmt.int(after.rss / 2 ** 20)} MiB: ${(r.rssPer1000 / 2 ** 20).toFixed(1)} MiB RSS, ${(r.heapPer1000 / 2 ** 20).toFixed(1)} MiB heap per 1,000 sockets`);
  await sleep(500);
  return r;
}

/**
 * 10,000 events for one user written straight into its event log (message.created payloads
 * copied from a real one, each with its own id, seq and clientId) and the user's cursor
 * advanced past them, as if it had been offline; then it catches up through GET /v1/sync.
 */
async function syncPhase(ctx, http, user) {
  log(`sync: ${CFG.syncEvents} missed events ...`);
  const head = await http.get('/v1/sync', user.token);
  const from = head.body.cursor;
  const sample = await ctx.admin.query(`SELECT payload FROM event WHERE type = 'message.created' ORDER BY created_at DESC LIMIT 1`);
  const payload = sample.rows[0].payload;
  await ctx.admin.query('BEGIN');
  await ctx.admin.query(
    `INSERT INTO event (user_id, cursor, type, payload)
     SELECT $1, uc.last + g, 'message.created',
            jsonb_set(jsonb_set(jsonb_set($2::jsonb, '{message,id}', to_jsonb(gen_random_uuid()::text)),
                                '{message,seq}', to_jsonb(g)), '{message,clientId}', to_jsonb('sync-' || g))
       FROM user_cursor uc, generate_series(1, $3::int) AS g WHERE uc.user_id = $1`,
    [user.id, JSON.stringify(payload), CFG.syncEvents],
  );
  await ctx.admin.query('UPDATE user_cursor SET last = last + $2 WHERE user_id = $1', [user.id, CFG.syncEvents]);
  await ctx.admin.query('COMMIT');
  await ctx.admin.query('ANALYZE event');
  const t0 = performance.now();
  let cursor = from;
  let pages = 0;
  let count = 0;
  let prev = BigInt(from);
  const ids = new Set();
  for (;;) {
    const res = await http.get(`/v1/sync?cursor=${cursor}`, user.token);
    if (res.status !== 200) throw new Error(`sync ${res.status} ${JSON.stringify(res.body)}`);
    pages++;
    for (const e of res.body.events) {
      const c = BigInt(e.cursor);
      if (c <= prev) throw new Error(`sync out of order at ${e.cursor}`);
      prev = c;
      ids.add(e.message.id);
      count++;
    }
    cursor = res.body.cursor;
    if (!res.body.hasMore) break;
  }
  const ms = performance.now() - t0;
  if (count !== CFG.syncEvents || ids.size !== CFG.syncEvents) throw new Error(`sync returned ${count} events (${ids.size} distinct), expected ${CFG.syncEvents}`);
  const r = { events: count, pages, ms, perSecond: (count * 1000) / ms, bytesPerEvent: JSON.stringify(payload).length };
  log(`  ${count} events in ${pages} pages, ${fmt.int(ms)} ms (${fmt.int(r.perSecond)} events/s)`);
  return r;
}

/**
 * Messages with links are sent through the API while the link-scan queue is paused (the jobs
 * are the ones the app itself enqueues); then the queue resumes and the clock runs until every
 * link occurrence is scanned. The same number of jobs then go through a no-op worker.
 */
async function linkScanPhase(ctx, http, lanes, meter) {
  const n = CFG.scanJobs;
  log(`link scan: ${n} jobs ...`);
  const bullPrefix = `${ctx.redisPrefix}bull`;
  const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const scanQueue = new Queue('link-scan', { connection, prefix: bullPrefix });
  const profiling = CFG.profile !== 'never';
  const worker = new AppProcess({
    name: 'worker',
    roles: 'worker',
    port: await freePort(),
    databaseUrl: ctx.databaseUrl,
    redisPrefix: ctx.redisPrefix,
    logDir: ctx.logDir,
    env: { LINK_PENDING_SWEEP_SECONDS: '3600' },
    nodeArgs: ['-r', join(__dirname, 'lib/profile-hook.js')],
    ipc: true,
  }).start();
  ctx.procs.worker = worker;
  const pending = async () => Number((await ctx.admin.query('SELECT count(*)::int AS n FROM link_occurrence WHERE scanned_at IS NULL')).rows[0].n);
  /** `count` messages with links sent while the queue is paused; then the time to scan them all. */
  const scanBatch = async (from, count, during) => {
    await scanQueue.pause();
    // Distinct URLs (each a cache miss, decided by the rules and written to the link cache).
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (let k = from + i; k < from + count; k += lanes.length) {
          const c = lane.conversations[k % lane.conversations.length];
          const res = await http.post(`/v1/conversations/${c.id}/messages`, { clientId: `ls-${k}`, text: `have a look at https://site${k % 997}.example.org/articles/${k}?ref=bench` }, lane.sender.token);
          if (res.status !== 201) throw new Error(`link send ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    const deadline = Date.now() + 30000;
    for (;;) {
      const c = await scanQueue.getJobCounts('wait', 'paused', 'prioritized');
      if (c.wait + c.paused + c.prioritized >= count) break;
      if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(c)} scan jobs enqueued of ${count}`);
      await sleep(50);
    }
    if (during) await during.start();
    const t0 = performance.now();
    await scanQueue.resume();
    while ((await pending()) > 0) {
      if (performance.now() - t0 > 120000) throw new Error('link scans did not finish in 120 s');
      await sleep(20);
    }
    const ms = performance.now() - t0;
    return { ms, after: during ? await during.stop() : null };
  };
  try {
    await worker.ready();
    const measured = await scanBatch(0, n, { start: () => meter.start(), stop: () => meter.stop() });
    const scanMs = measured.ms;
    const cpu = measured.after;
    let profile = null;
    if (profiling) {
      // A second batch under the profiler (not the measured one: profiling slows it down).
      const file = join(ctx.logDir, 'worker-link-scan.cpuprofile');
      const batch = await scanBatch(n, Math.ceil(n / 2), {
        start: () => ipc(worker, { profile: 'start' }, 'started'),
        stop: () => ipc(worker, { profile: 'stop', file }, 'written'),
      });
      profile = { file, rate: (Math.ceil(n / 2) * 1000) / batch.ms, ...summarise(file, 15) };
    }
    const verdicts = (await ctx.admin.query(`SELECT verdict, count(*)::int AS n FROM link GROUP BY verdict ORDER BY verdict`)).rows;
    await worker.stop();
    delete ctx.procs.worker;

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
        Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ name: 'scan-message', data: { messageId: `noop-${i + j}` }, opts: { ...DEFAULT_JOB_OPTIONS, jobId: `noop-${i + j}` } })),
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
      profile,
      scanPerSecond: (n * 1000) / scanMs,
      noopPerSecond: (n * 1000) / noopMs,
      verdicts,
      cpu,
    };
    r.ratio = r.scanPerSecond / r.noopPerSecond;
    r.cpuLine = cpuLine(cpu, n);
    log(`  scan ${fmt.int(r.scanPerSecond)} jobs/s, no-op ${fmt.int(r.noopPerSecond)} jobs/s, ratio ${fmt.ratio(r.ratio)}; verdicts ${JSON.stringify(verdicts)}`);
    log(`  cpu: ${r.cpuLine}`);
    return r;
  } finally {
    await scanQueue.close().catch(() => undefined);
    connection.disconnect();
  }
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
  const lat = (r) => (r && r.latency ? [fmt.ms(r.latency.pct(50)), fmt.ms(r.latency.pct(99))] : ['n/a', 'n/a']);
  const floorRate = P['floor:send'] && P['floor:send'].rate;
  const ej = (rate) => `${fmt.ratio(rate / EJABBERD.high)}–${fmt.ratio(rate / EJABBERD.low)}`;
  const rows = [];
  const add = (what, r, extra = {}) =>
    rows.push([what, r ? fmt.int(r.rate) : 'n/a', ...lat(r), extra.floor || '', extra.ej || '', extra.goal || '']);
  add(`REST send, ${CFG.senders} senders × 1 in flight`, P.rest, {
    floor: floorRate ? fmt.ratio(P.rest.rate / floorRate) : 'n/a',
    ej: ej(P.rest.rate),
    goal: `÷floor ≥ ${GOALS.apiOverFloor}; ≥ ejabberd`,
  });
  add(`socket message.send, ${CFG.senders} sockets × ${CFG.window} in flight`, P.socket, {
    floor: floorRate ? fmt.ratio(P.socket.rate / floorRate) : 'n/a',
    ej: ej(P.socket.rate),
    goal: `÷floor ≥ ${GOALS.apiOverFloor}; ≥ 1.2 × ejabberd`,
  });
  add(`socket message.send, ${CFG.senders} sockets × 1 in flight`, P.socket1, {
    floor: floorRate ? fmt.ratio(P.socket1.rate / floorRate) : 'n/a',
    ej: ej(P.socket1.rate),
  });
  add('floor: SEND_SQL via pg, prepared as the API does, 16 clients', P['floor:send'], { floor: '1.00' });
  add('floor variant: SEND_SQL planned on every call, 16 clients', P['floor:send-unprepared'], { floor: floorRate ? fmt.ratio(P['floor:send-unprepared'].rate / floorRate) : 'n/a' });
  add('floor variant: CONTEXT_SQL + SEND_SQL (a refused or request-reply send: two round trips)', P['floor:context+send'], { floor: floorRate ? fmt.ratio(P['floor:context+send'].rate / floorRate) : 'n/a' });
  add('floor variant: five statements in a transaction (less work)', P['floor:five'], { floor: floorRate ? fmt.ratio(P['floor:five'].rate / floorRate) : 'n/a' });
  rows.push([`ejabberd 23.01 (given, not run), 16 online pairs`, `${fmt.int(EJABBERD.low)}–${fmt.int(EJABBERD.high)}`, `${EJABBERD.p50.join('–')}`, `${EJABBERD.p99.join('–')}`, '', '1.00', 'reference']);
  const sendTable = table(['send throughput', 'msg/s', 'p50 ms', 'p99 ms', '÷ floor', '÷ ejabberd', 'goal'], rows);

  // The goals, each with its figure and how far off it is.
  const bestSocket = [P.socket, P.socket1].filter(Boolean).sort((a, b) => b.rate - a.rate)[0];
  const bestWindow = bestSocket === P.socket1 ? 1 : CFG.window;
  const verdict = (value, goal) => (Number.isFinite(value) ? (value >= goal ? 'met' : `not met (${fmt.pct((100 * value) / goal)} of it)`) : 'n/a');
  const goalRows = [];
  if (floorRate) {
    goalRows.push(['REST ÷ floor', `≥ ${GOALS.apiOverFloor}`, fmt.ratio(P.rest.rate / floorRate), verdict(P.rest.rate / floorRate, GOALS.apiOverFloor)]);
    goalRows.push([`socket ÷ floor (best window: ${bestWindow})`, `≥ ${GOALS.apiOverFloor}`, fmt.ratio(bestSocket.rate / floorRate), verdict(bestSocket.rate / floorRate, GOALS.apiOverFloor)]);
  }
  goalRows.push(['REST vs ejabberd (top of its range)', `≥ ${fmt.int(EJABBERD.high)} msg/s`, fmt.int(P.rest.rate), verdict(P.rest.rate, EJABBERD.high)]);
  goalRows.push([`socket vs 1.2 × ejabberd (best window: ${bestWindow})`, `≥ ${fmt.int(EJABBERD.high * GOALS.socketOverEjabberd)} msg/s`, fmt.int(bestSocket.rate), verdict(bestSocket.rate, EJABBERD.high * GOALS.socketOverEjabberd)]);
  if (P.delivery) goalRows.push(['messages lost at ½ max rate (direct + group)', '0', fmt.int(P.delivery.delivery.lost + (P.groupDelivery ? P.groupDelivery.delivery.lost : 0)), P.delivery.delivery.lost + (P.groupDelivery ? P.groupDelivery.delivery.lost : 0) === 0 ? 'met' : 'not met']);
  const goalTable = table(['goal', 'target', 'measured', 'verdict'], goalRows);

  const dRows = [];
  const d = P.delivery;
  const loopCell = (r) => (r && r.loopDelay && r.loopDelay.api ? `${fmt.ms(r.loopDelay.api.p99)} / ${fmt.ms(r.loopDelay.api.max)}` : '');
  if (d) dRows.push([`direct, socket sends at ${fmt.int(d.offeredRate)} msg/s (½ max)`, fmt.int(d.sent), `${fmt.int(d.delivery.delivered)}/${fmt.int(d.delivery.expected)}`, fmt.int(d.delivery.lost), fmt.int(d.delivery.duplicates), ...lat(d), loopCell(d)]);
  const g = P.groupDelivery;
  if (g) dRows.push([`${CFG.groupSize}-member group at ${fmt.int(g.offeredRate)} msg/s (½ of its max ${fmt.int(P.groupMax.rate)})`, fmt.int(g.sent), `${fmt.int(g.delivery.delivered)}/${fmt.int(g.delivery.expected)}`, fmt.int(g.delivery.lost), fmt.int(g.delivery.duplicates), ...lat(g), loopCell(g)]);
  for (const [name, r] of [['REST max-rate phase', P.rest], ['socket max-rate phase', P.socket]]) {
    if (r && r.delivery) dRows.push([`${name} (deliveries counted)`, fmt.int(r.ok), `${fmt.int(r.delivery.delivered)}/${fmt.int(r.delivery.expected)}`, fmt.int(r.delivery.lost), fmt.int(r.delivery.duplicates), '', '', '']);
  }
  const deliveryTable = table(['delivery (send → recipient socket event)', 'sent', 'delivered', 'lost', 'duplicates', 'p50 ms', 'p99 ms', 'API event-loop delay p99 / max ms'], dRows);

  const oRows = [];
  if (P.sync) oRows.push(['sync: catch up 10,000 missed events (GET /v1/sync pages of 500)', `${fmt.int(P.sync.ms)} ms`, `${fmt.int(P.sync.perSecond)} events/s, ${P.sync.pages} pages`]);
  if (P.linkScan) oRows.push([`link scan: ${fmt.int(P.linkScan.jobs)} scan-message jobs, worker concurrency ${CFG.scanConcurrency}`, `${fmt.int(P.linkScan.scanPerSecond)} jobs/s`, `no-op BullMQ worker ${fmt.int(P.linkScan.noopPerSecond)} jobs/s → ratio ${fmt.ratio(P.linkScan.ratio)}`]);
  if (P.memory) oRows.push([`memory: ${fmt.int(P.memory.sockets)} idle sockets`, `${(P.memory.rssPer1000 / 2 ** 20).toFixed(1)} MiB RSS per 1,000`, `${(P.memory.heapPer1000 / 2 ** 20).toFixed(1)} MiB JS heap per 1,000 (after GC); RSS ${fmt.int(P.memory.rssBefore / 2 ** 20)} → ${fmt.int(P.memory.rssAfter / 2 ** 20)} MiB`]);
  const otherTable = table(['other', 'figure', 'detail'], oRows);

  const cpuRows = Object.entries(P)
    .filter(([, r]) => r && r.cpu)
    .map(([name, r]) => [name, r.cpuLine || cpuLine(r.cpu, r.sent || r.ok || 0)]);
  const cpuTable = table(['phase', 'CPU by process (cores busy on average, CPU ms per message)'], cpuRows);

  let profileText = '';
  let profileMd = '';
  const profiled = Object.entries(res.profiles || {}).map(([name, p]) => [`API CPU profile under ${name} load (${fmt.int(p.rate)} msg/s while profiled`, p]);
  if (P.linkScan && P.linkScan.profile) profiled.push([`Worker CPU profile while scanning links (${fmt.int(P.linkScan.profile.rate)} jobs/s while profiled`, P.linkScan.profile]);
  for (const [title, p] of profiled) {
    const busyPct = (100 * p.busyMs) / p.totalMs;
    const head = `${title}; the main thread was busy ${fmt.pct(busyPct)} of ${fmt.int(p.totalMs)} ms)`;
    const areas = table(['area (self time)', 'ms', '% of busy'], p.areasSelf.slice(0, 12).map((a) => [a.name, fmt.int(a.ms), fmt.pct(a.pctBusy)]));
    const incl = table(['area (inclusive: on the stack)', 'ms', '% of busy'], p.areasInclusive.slice(0, 12).map((a) => [a.name, fmt.int(a.ms), fmt.pct(a.pctBusy)]));
    const fns = table(['top functions (self time)', 'ms', '% of busy'], p.topFunctions.slice(0, 15).map((a) => [a.name, fmt.int(a.ms), fmt.pct(a.pctBusy)]));
    profileText += `\n${head}\n${areas.text}\n\n${incl.text}\n\n${fns.text}\n`;
    profileMd += `\n#### ${head}\n\n${areas.md}\n\n${incl.md}\n\n${fns.md}\n`;
  }

  const machineLine = `${m.cpuModel}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.kernel}; Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; load average at start ${m.loadAvg.map((l) => l.toFixed(2)).join(' / ')}`;
  const setup = `${CFG.senders} senders in ${CFG.senders * CFG.perSender} direct conversations (users who follow each other, every recipient online on a socket), ${CFG.seconds} s measured after ${CFG.warmup} s warm-up per phase; delivery phases send at a fixed rate (open loop) and count every message, warm-up included, for losses. One API process (APP_ROLES=api), PostgreSQL, Redis and the load generator share the machine's ${m.cores} cores; the generator is one Node process (keep-alive HTTP, one socket per user).`;
  const text = [
    `Backchannel benchmark, ${res.started.toISOString()}`,
    machineLine,
    setup,
    '',
    goalTable.text,
    '',
    sendTable.text,
    '',
    deliveryTable.text,
    '',
    otherTable.text,
    '',
    cpuTable.text,
    profileText,
    ...res.notes,
  ].join('\n');
  const md = [
    `Run of ${res.started.toISOString()} (${((res.finished - res.started) / 1000).toFixed(0)} s).`,
    '',
    `**Machine:** ${machineLine}.`,
    '',
    `**Setup:** ${setup}`,
    '',
    '### Goals',
    '',
    goalTable.md,
    '',
    '### Send throughput',
    '',
    sendTable.md,
    '',
    '### Delivery',
    '',
    deliveryTable.md,
    '',
    '### Sync, link scanning, memory',
    '',
    otherTable.md,
    '',
    '### Where the CPU went, per phase',
    '',
    '`other` is CPU used by processes that are not part of this run (the machine is shared).',
    '',
    cpuTable.md,
    profileMd ? `\n### Profiles\n${profileMd}` : '',
    ...res.notes.map((n) => `\n${n}`),
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

main().catch((err) => {
  log(`failed: ${err.stack || err}`);
  process.exit(1);
});
