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
  [/^WITH sender AS/, 'SEND_SQL (the send)'],
  [
    /^WITH input AS \(SELECT \* FROM jsonb_to_recordset\(\$1::jsonb\) AS i\(id uuid, old jsonb, new jsonb\)\)/,
    'SCAN_SETTLE_SQL (link scan verdicts)',
  ],
  [/^SELECT m\.id, m\.state, m\.links, m\.link_hold/, 'SCAN_READ_SQL (link scan read)'],
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

module.exports = { pgStatementsStart, pgStatementsRead };
