'use strict';
/**
 * What PostgreSQL spent per statement in a phase, from pg_stat_statements when the server
 * loads it (`shared_preload_libraries = 'pg_stat_statements'`; the bench creates the
 * extension in its own database). Execution time excludes parse/bind and the commit's WAL
 * flush; WAL records and buffers per call are counts, so they compare across noisy runs.
 */

/** Resets this database's statistics; returns null when the module is not loaded (with why). */
async function pgStatementsStart(db) {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
    return { ok: true };
  } catch (err) {
    return { ok: false, why: String(err.message || err) };
  }
}

/** Known statements by how they start (the rest are shown by their first words). */
const NAMES = [
  [/^WITH turn AS/, 'SEND_SQL (the send)'],
  [
    /^WITH input AS \(SELECT \* FROM jsonb_to_recordset\(\$1::jsonb\) AS i\(id uuid, old jsonb, new jsonb\)\)/,
    'SCAN_SETTLE_SQL (link scan verdicts)',
  ],
  [/^SELECT m\.id, m\.state, m\.links, m\.link_hold/, 'SCAN_READ_SQL (link scan read)'],
  [/^WITH b AS \(SELECT ctid, message_id, conversation_id, links FROM link_backlog/, 'claimBacklog (backlog batch: claim and read)'],
  [/^WITH b AS \( DELETE FROM link_backlog WHERE ctid = ANY/, 'BACKLOG_SCAN_SQL (backlog batch: verdicts, occurrences, events)'],
  [/^WITH b AS \( DELETE FROM link_backlog WHERE ctid IN/, 'flushBacklog (occurrences and sightings, before the backlog scan)'],
  [/^SELECT e\.cursor, e\.type/, 'sync page'],
];

function nameOf(query) {
  const q = query.replace(/\s+/g, ' ').trim();
  for (const [re, name] of NAMES) if (re.test(q)) return name;
  return q.length > 70 ? `${q.slice(0, 70)}…` : q;
}

/** The top statements of this database since pgStatementsStart, per message `msgs`. */
async function pgStatementsRead(db, msgs, top = 6) {
  const { rows } = await db.query(
    `SELECT query, calls::float8 AS calls, total_exec_time::float8 AS exec_ms, wal_records::float8 AS wal, wal_bytes::float8 AS wal_bytes,
            (shared_blks_hit + shared_blks_read)::float8 AS blks
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
      ORDER BY total_exec_time DESC LIMIT $1`,
    [top],
  );
  return rows
    .filter((r) => msgs <= 0 || (1000 * r.exec_ms) / msgs >= 1)
    .map((r) => ({
      statement: nameOf(r.query),
      callsPerMsg: msgs > 0 ? r.calls / msgs : NaN,
      execUsPerMsg: msgs > 0 ? (1000 * r.exec_ms) / msgs : NaN,
      execMsPerCall: r.exec_ms / r.calls,
      walRecordsPerCall: r.wal / r.calls,
      walBytesPerCall: r.wal_bytes / r.calls,
      buffersPerCall: r.blks / r.calls,
    }));
}

/** The bench's own statements (its polls and counts), left out of the totals. */
const BENCH_OWN =
  /PENDING_LINKS|pg_stat_|pg_database|^SELECT \(SELECT count\(\*\) FROM link_occurrence|^SELECT count\(\*\)::int AS messages|^VACUUM|^ANALYZE/;

/**
 * The app's statements since pgStatementsStart, summed, per message `msgs`: statements, rows,
 * execution µs, WAL records and bytes, buffers (counts compare across noisy runs); and the
 * link scan side: statements of its batches and the rows they took (calls and rows per kind).
 */
async function pgStatementsTotals(db, msgs) {
  const { rows } = await db.query(
    `SELECT query, calls::float8 AS calls, rows::float8 AS rows, total_exec_time::float8 AS exec_ms, wal_records::float8 AS wal,
            wal_bytes::float8 AS wal_bytes, (shared_blks_hit + shared_blks_read)::float8 AS blks
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0`,
  );
  const app = rows.filter((r) => !BENCH_OWN.test(r.query.replace(/\s+/g, ' ').trim()));
  const sum = (k) => app.reduce((a, r) => a + r[k], 0);
  const per = (n) => (msgs > 0 ? n / msgs : NaN);
  const scan = {};
  for (const r of app) {
    const name = nameOf(r.query);
    if (!/backlog|link scan/i.test(name)) continue;
    const key = name.split(' ')[0];
    scan[key] = { calls: (scan[key]?.calls ?? 0) + r.calls, rows: (scan[key]?.rows ?? 0) + r.rows };
  }
  return {
    statementsPerMsg: per(sum('calls')),
    execUsPerMsg: per(1000 * sum('exec_ms')),
    walRecordsPerMsg: per(sum('wal')),
    walBytesPerMsg: per(sum('wal_bytes')),
    buffersPerMsg: per(sum('blks')),
    scan,
  };
}

module.exports = { pgStatementsStart, pgStatementsRead, pgStatementsTotals };
