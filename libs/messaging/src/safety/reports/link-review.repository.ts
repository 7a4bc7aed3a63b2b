import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import { seenOccurrencesSql } from '../../links/link-scanner.repository';
import { LINK_LABELS, type BlocklistKind } from '../vocabulary';

/**
 * Staff link review as data (STYLE.md §9, §12): the link list and labels, the blocklist
 * and what an entry would match. Functions take a Queryable, so they run on the pool, the
 * replica (lists) or inside `db.tx`; the rules (who may label what, audits, re-scans) are
 * in LinkReviewService.
 */

export interface LinkRow {
  id: string;
  url: string;
  host: string;
  verdict: string;
  reason: string | null;
  rule: string | null;
  /** The sources the verdict consulted, in the order asked (links/link-sources.ts); empty while pending. */
  sources: string[];
  overridden: boolean;
  seenCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  scannedAt: string | null;
}

export interface BlocklistRow {
  id: string;
  pattern: string;
  kind: BlocklistKind;
  reason: string | null;
  createdBy: string | null;
  createdAt: string;
  /** The re-scan of recent content this entry started: link occurrences to walk and walked; null until it starts. */
  rescan: { total: number; done: number } | null;
  /** The author's name, for the console. */
  createdByName: string | null;
}

/** Content that carried a URL: a message or a question. */
export interface OccurrenceSubjectRow {
  messageId: string | null;
  questionId: string | null;
}

interface LinkRecord {
  id: string;
  url: string;
  host: string;
  verdict: string;
  reason: string | null;
  rule: string | null;
  sources: string[] | null;
  overridden: boolean;
  seen_count: number;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  scanned_at: Date | string | null;
}

interface BlocklistRecord {
  id: string;
  pattern: string;
  kind: BlocklistKind;
  reason: string | null;
  created_by: string | null;
  created_at: Date | string;
  rescan_total: number | null;
  rescan_done: number | null;
  created_by_name?: string | null;
}

const toLink = (r: LinkRecord): LinkRow => ({
  id: r.id,
  url: r.url,
  host: r.host,
  verdict: r.verdict,
  reason: r.reason,
  rule: r.rule,
  sources: Array.isArray(r.sources) ? r.sources.filter((x): x is string => typeof x === 'string') : [],
  overridden: r.overridden,
  seenCount: r.seen_count,
  firstSeenAt: iso(r.first_seen_at)!,
  lastSeenAt: iso(r.last_seen_at)!,
  scannedAt: iso(r.scanned_at),
});

const toEntry = (r: BlocklistRecord): BlocklistRow => ({
  id: r.id,
  pattern: r.pattern,
  kind: r.kind,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
  rescan:
    r.rescan_total === null || r.rescan_total === undefined
      ? null
      : { total: r.rescan_total, done: Math.min(r.rescan_done ?? 0, r.rescan_total) },
  createdByName: r.created_by_name ?? null,
});
const AUTHOR = `(SELECT s.display_name FROM staff s WHERE s.id = b.created_by) AS created_by_name`;

const LINKS: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'l.id' },
    verdict: { kind: 'enum', sql: 'l.verdict', values: ['pending', ...LINK_LABELS] },
    host: { kind: 'search', columns: ['l.host'] },
    overridden: { kind: 'bool', sql: 'l.overridden' },
    q: { kind: 'search', columns: ['l.url'] },
  },
  sorts: {
    lastSeenAt: 'l.last_seen_at',
    firstSeenAt: 'l.first_seen_at',
    seenCount: 'l.seen_count',
    url: 'l.url',
    host: 'l.host',
    verdict: 'l.verdict',
    reason: 'l.reason',
    rule: 'l.rule',
    overridden: 'l.overridden',
    scannedAt: 'l.scanned_at',
    id: 'l.id',
  },
  tiebreak: 'l.id ASC',
};

const BLOCKLIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'b.id' },
    kind: { kind: 'enum', sql: 'b.kind', values: ['domain', 'url'] },
    pattern: { kind: 'search', columns: ['b.pattern'] },
    q: { kind: 'search', columns: ['b.pattern', 'b.reason'] },
    createdBy: { kind: 'uuid', sql: 'b.created_by' },
  },
  sorts: { createdAt: 'b.created_at', pattern: 'b.pattern', kind: 'b.kind', reason: 'b.reason', createdBy: 'b.created_by', id: 'b.id' },
  tiebreak: 'b.id ASC',
};

// ---- links ----------------------------------------------------------------------------------

export function linkPage(q: Queryable, query: ListQuery): Promise<ListPage<LinkRow>> {
  return runList(
    q,
    LINKS,
    query,
    (c) => ({
      sql: `SELECT l.*, count(*) OVER () AS _total FROM link l ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM link l ${c.where}`,
    }),
    toLink,
  );
}

export async function linkById(q: Queryable, id: string): Promise<LinkRow | undefined> {
  const [row] = await q.query<LinkRecord>('SELECT * FROM link WHERE id = $1', [id]);
  return row && toLink(row);
}

/** Locks the link's row (call inside `db.tx`) and reads it. */
export async function lockLink(q: Queryable, id: string): Promise<LinkRow | undefined> {
  const [row] = await q.query<LinkRecord>('SELECT * FROM link WHERE id = $1 FOR UPDATE', [id]);
  return row && toLink(row);
}

/** A staff label: the verdict sticks (overridden) over every other signal. */
export async function labelLink(q: Queryable, id: string, verdict: string, reason: string): Promise<LinkRow> {
  const [row] = await q.query<LinkRecord>(
    `UPDATE link SET verdict = $2, reason = $3, rule = 'staff', sources = '["staff"]', overridden = true, scanned_at = now() WHERE id = $1 RETURNING *`,
    [id, verdict, reason],
  );
  return toLink(row);
}

/**
 * A send's links still in `link_backlog` (their occurrences not yet written by the scanner,
 * LinkScannerService.flushBacklog), as occurrences `o` (url, host, message_id, question_id,
 * created_at). A flush moves rows from there to link_occurrence in one transaction, so one
 * statement reading both sees each once.
 */
const BACKLOG_OCCURRENCES = `(SELECT x.url, x.host, b.message_id, NULL::uuid AS question_id, b.created_at
     FROM link_backlog b, jsonb_to_recordset(b.links) AS x(url text, host text))`;

/**
 * The messages and questions that carried this URL in the last `days` (at most `limit`),
 * backlog included, and the messages that sent it with its verdict from the cache (link_seen:
 * no occurrence row, found in their conversation's seq range, seenOccurrencesSql).
 */
export async function recentOccurrences(q: Queryable, url: string, days: number, limit: number): Promise<OccurrenceSubjectRow[]> {
  const rows = await q.query<{ message_id: string | null; question_id: string | null }>(
    `SELECT DISTINCT o.message_id, o.question_id
       FROM (SELECT url, message_id, question_id, created_at FROM link_occurrence
             UNION ALL SELECT url, message_id, question_id, created_at FROM ${BACKLOG_OCCURRENCES} bo
             UNION ALL SELECT url, message_id, question_id, created_at FROM ${seenOccurrencesSql('s.url = $1', '$2')} so) o
      WHERE o.url = $1 AND o.created_at > now() - make_interval(days => $2) LIMIT $3`,
    [url, days, limit],
  );
  return rows.map((s) => ({ messageId: s.message_id, questionId: s.question_id }));
}

/** Whether a blocklist entry matches this URL or host today. */
export async function onBlocklist(q: Queryable, url: string, host: string): Promise<boolean> {
  const [hit] = await q.query<Record<string, unknown>>(
    `SELECT 1 FROM blocklist_entry b
        WHERE (b.kind = 'url' AND b.pattern = $1)
           OR (b.kind = 'domain' AND ($2 = b.pattern OR right($2, length(b.pattern) + 1) = '.' || b.pattern))
        LIMIT 1`,
    [url, host],
  );
  return Boolean(hit);
}

// ---- blocklist ------------------------------------------------------------------------------

export function blocklistPage(q: Queryable, query: ListQuery): Promise<ListPage<BlocklistRow>> {
  return runList(
    q,
    BLOCKLIST,
    query,
    (c) => ({
      sql: `SELECT b.*, ${AUTHOR}, count(*) OVER () AS _total FROM blocklist_entry b ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM blocklist_entry b ${c.where}`,
    }),
    toEntry,
  );
}

export async function blocklistEntryById(q: Queryable, id: string): Promise<BlocklistRow | undefined> {
  const [row] = await q.query<BlocklistRecord>(`SELECT b.*, ${AUTHOR} FROM blocklist_entry b WHERE b.id = $1`, [id]);
  return row && toEntry(row);
}

/** A new entry with its author's name (a duplicate pattern and kind is a unique violation). */
export async function insertBlocklistEntry(
  q: Queryable,
  e: { id: string; pattern: string; kind: BlocklistKind; reason: string | null; createdBy: string },
): Promise<BlocklistRow> {
  const [row] = await q.query<BlocklistRecord>(
    `INSERT INTO blocklist_entry (id, pattern, kind, reason, created_by) VALUES ($1, $2, $3, $4, $5)
           RETURNING *, (SELECT s.display_name FROM staff s WHERE s.id = $5) AS created_by_name`,
    [e.id, e.pattern, e.kind, e.reason, e.createdBy],
  );
  return toEntry(row);
}

export async function deleteBlocklistEntry(q: Queryable, id: string): Promise<BlocklistRow | undefined> {
  const [row] = await q.query<BlocklistRecord>('DELETE FROM blocklist_entry WHERE id = $1 RETURNING *', [id]);
  return row && toEntry(row);
}

/** Expires the cached verdicts the blocklist decided by this entry (never a staff label), so their links are classified afresh. */
export async function expireVerdictsOfEntry(q: Queryable, entry: { kind: BlocklistKind; pattern: string }): Promise<void> {
  const match = entry.kind === 'domain' ? `(host = $1 OR right(host, length($1) + 1) = '.' || $1)` : 'url = $1';
  await q.query(`UPDATE link SET expires_at = now() WHERE rule = 'blocklist' AND NOT overridden AND ${match}`, [entry.pattern]);
}

/**
 * Link occurrences of the last `days` a pattern matches (the backlog's and the sends' settled
 * from the cache, link_seen, included): how many, and the most recent distinct URLs (at most `sample`).
 */
export async function patternMatches(
  q: Queryable,
  kind: BlocklistKind,
  pattern: string,
  days: number,
  sample: number,
): Promise<{ matches: number; sample: string[] }> {
  const match = kind === 'domain' ? `(o.host = $1 OR right(o.host, length($1) + 1) = '.' || $1)` : 'o.url = $1';
  const seenMatch = kind === 'domain' ? `(s.host = $1 OR right(s.host, length($1) + 1) = '.' || $1)` : 's.url = $1';
  const [row] = await q.query<{ matches: number; sample: string[] }>(
    `WITH hits AS (SELECT o.url, o.created_at
                     FROM (SELECT url, host, created_at FROM link_occurrence
                           UNION ALL SELECT url, host, created_at FROM ${BACKLOG_OCCURRENCES} bo
                           UNION ALL SELECT url, host, created_at FROM ${seenOccurrencesSql(seenMatch, '$2')} so) o
                    WHERE o.created_at > now() - make_interval(days => $2) AND ${match})
       SELECT (SELECT count(*)::int FROM hits) AS matches,
              coalesce((SELECT array_agg(url) FROM (SELECT url FROM hits GROUP BY url ORDER BY max(created_at) DESC LIMIT $3) s), '{}') AS sample`,
    [pattern, days, sample],
  );
  return { matches: row.matches, sample: row.sample };
}
