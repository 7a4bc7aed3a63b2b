'use strict';
const { readFileSync } = require('node:fs');
const { conversation, follow, registerUsers } = require('./workload');

/** Messages one user has in the export phase (issue #31: "a 100,000-message export completes with bounded memory"). */
const EXPORT_MESSAGES = Number(process.env.BENCH_EXPORT_MESSAGES || 100_000);

/** A line of /proc/<pid>/status in MB (VmRSS: now, VmHWM: the peak since the process started). */
function procMb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

/**
 * One user with EXPORT_MESSAGES sent messages (seeded with one SQL statement, in a conversation
 * made through the API), then POST /v1/me/export through the product: the app process (api and
 * worker roles, as `npm start`) writes the archive while its resident memory is sampled every
 * 20 ms. Reports the wall time from request to ready and the worker's RSS before and at its peak.
 */
async function exportPhase(ctx, http, pid, log) {
  const [owner, peer] = await registerUsers(http, `${ctx.runId}x`, 2);
  await follow(http, owner, peer);
  await follow(http, peer, owner);
  const conversationId = await conversation(http, owner, [peer]);
  const t0 = performance.now();
  await ctx.admin.query(
    `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, created_at)
     SELECT gen_random_uuid(), $1, g, $2, 'bench-export-' || g,
            'export bench message ' || g || ': the quick brown fox jumps over the lazy dog, twice over, to make it a typical length',
            now() - make_interval(secs => $3 - g)
       FROM generate_series(1, $3::int) g`,
    [conversationId, owner.id, EXPORT_MESSAGES],
  );
  await ctx.admin.query(`UPDATE conversation SET last_seq = $2 WHERE id = $1`, [conversationId, EXPORT_MESSAGES]);
  log(`export: seeded ${EXPORT_MESSAGES} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s; exporting ...`);

  const baseRssMb = procMb(pid, 'VmRSS');
  let peakRssMb = baseRssMb;
  const sampler = setInterval(() => {
    const v = procMb(pid, 'VmRSS');
    if (v !== null && v > peakRssMb) peakRssMb = v;
  }, 20);
  const started = performance.now();
  let status;
  try {
    const res = await http.post('/v1/me/export', {}, owner.token);
    if (res.status !== 202) throw new Error(`POST /v1/me/export: ${res.status} ${JSON.stringify(res.body)}`);
    for (;;) {
      status = await http.get(`/v1/me/export/${res.body.id}`, owner.token);
      if (status.body.status === 'ready') break;
      if (performance.now() - started > 600_000) throw new Error('export not ready after 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  const [row] = (await ctx.admin.query(`SELECT size FROM data_export WHERE id = $1`, [status.body.id])).rows;
  const r = {
    messages: EXPORT_MESSAGES,
    ms,
    archiveMb: Number(row.size) / 1024 / 1024,
    baseRssMb,
    peakRssMb,
    vmHwmMb: procMb(pid, 'VmHWM'),
  };
  log(
    `export: ${r.messages} messages ready in ${(ms / 1000).toFixed(1)} s, archive ${r.archiveMb.toFixed(1)} MB; app RSS ${baseRssMb.toFixed(0)} MB before, ${peakRssMb.toFixed(0)} MB at peak (+${(peakRssMb - baseRssMb).toFixed(0)} MB)`,
  );
  return r;
}

module.exports = { exportPhase, EXPORT_MESSAGES };
