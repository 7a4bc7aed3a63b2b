import type { PreparingQueryable, Queryable } from '../db/db.service';
import { messageEventCtes, messageEventPositionSql, messageEventRecipientsSql } from '../events/events.service';
import type { LinkView } from '../views/message-view';
import { REPLY_QUOTE_SQL } from '../views/message-view';
import type { MessageRow } from '../messages/messages.repository';
import type { LinkVerdict } from './link-rules';
import { questionRow, type QuestionRecord, type QuestionRow } from '../views/question-view';

/**
 * The link scanner's SQL (STYLE.md §9, §12): the `link` cache, the scan's read and settle
 * statements, the locked scan of a message or question, the blocklist re-scan, the link
 * backlog (occurrences and sightings written after the send) and the pending sweep. Functions take a Queryable (a PreparingQueryable for the prepared settle
 * statement), so they run on the pool or inside `db.tx`; the verdicts and what to do with
 * them stay in LinkScannerService. Message rows stay as stored (snake_case), because
 * messageView renders them; the rows the scanner decides from are typed and camelCased.
 */

/** A fresh cached verdict of a URL (or one staff overrode), as the scan reads it. */
export interface CachedVerdict {
  url: string;
  verdict: LinkVerdict;
  reason: string | null;
  rule: string | null;
  overridden: boolean;
  /** The sources consulted for it (link-sources.ts). */
  sources: string[] | null;
}

/** A `link` cache row a scan writes (linkRows() in LinkScannerService), in URL order. */
export interface LinkCacheRow {
  id: string;
  url: string;
  host: string;
  verdict: LinkVerdict;
  reason: string | null;
  rule: string;
  sources: string[];
  fresh: boolean;
  seen: number;
}

/** A message as the scan's first read sees it: its state, links and the cached verdicts of its URLs. */
export interface ScanRead {
  id: string;
  state: 'visible' | 'removed' | 'held';
  links: LinkView[];
  linkHold: boolean;
  /** Null when none of its URLs has a fresh cached verdict. */
  cached: CachedVerdict[] | null;
}

/** A message locked for its scan: what the scan decides from. */
export interface LockedMessage {
  id: string;
  state: 'visible' | 'removed' | 'held';
  links: LinkView[];
  linkHold: boolean;
  senderId: string;
  conversationId: string;
}

/** A message the settle statement updated: the stored row (for messageView) and who heard of it, with their cursors. */
export interface SettledScan {
  id: string;
  /** [userId, per-user cursor or null (no member row: a user without a v1 client)] of each reader. */
  recipients: Array<[string, string | null]> | null;
  /** Its message.updated's stream position (null when nobody reads it). */
  position: string | null;
  stored: MessageRow;
}

/** A message whose links a locked scan updated: the stored row with its reply quote (for messageView). */
export interface UpdatedMessage {
  id: string;
  linkHold: boolean;
  stored: MessageRow;
}

/** What a new blocklist entry matches: a host (and its subdomains) or one normalised URL. */
export type RescanTarget = { host: string } | { url: string };

/** A link occurrence of the blocklist re-scan, with whether its message or question is still visible. */
export interface RescanOccurrence {
  id: number;
  url: string;
  messageId: string | null;
  questionId: string | null;
  visible: boolean;
}

/** A message or question whose links wait for their scan. */
export interface PendingScan {
  messageId: string | null;
  questionId: string | null;
}

/** A `message` row as stored (with whatever else the statement returns beside it). */
interface MessageRecord {
  id: string;
  state: LockedMessage['state'];
  links: LinkView[];
  link_hold: boolean;
  sender_id: string;
  conversation_id: string;
  [column: string]: unknown;
}

interface ScanReadRecord {
  id: string;
  state: ScanRead['state'];
  links: LinkView[];
  link_hold: boolean;
  cached: CachedVerdict[] | null;
}

const toScanRead = (r: ScanReadRecord): ScanRead => ({
  id: r.id,
  state: r.state,
  links: r.links,
  linkHold: r.link_hold,
  cached: r.cached,
});

interface OccurrenceRecord {
  id: string | number;
  url: string;
  message_id: string | null;
  question_id: string | null;
  visible: boolean;
}

const toOccurrence = (r: OccurrenceRecord): RescanOccurrence => ({
  id: Number(r.id),
  url: r.url,
  messageId: r.message_id,
  questionId: r.question_id,
  visible: r.visible,
});

// ---- the `link` cache -----------------------------------------------------------------------

/** The `link` upsert's conflict rule: a staff override stands; a cached (not fresh) row only counts a sighting. */
const LINK_UPSERT_SET = `
ON CONFLICT (url) DO UPDATE SET
  verdict    = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.verdict    ELSE excluded.verdict END,
  reason     = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.reason     ELSE excluded.reason END,
  rule       = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.rule       ELSE excluded.rule END,
  sources    = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.sources    ELSE excluded.sources END,
  scanned_at = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.scanned_at ELSE excluded.scanned_at END,
  expires_at = CASE WHEN l.overridden OR excluded.scanned_at IS NULL THEN l.expires_at ELSE excluded.expires_at END,
  seen_count = l.seen_count + excluded.seen_count,
  last_seen_at = CASE WHEN excluded.seen_count > 0 THEN now() ELSE l.last_seen_at END`;

/** Upserts the `link` cache from rows of linkRows() ($rows) with a TTL in hours ($ttl). */
const RECORD_LINKS_SQL = (rows: string, ttl: string) => `
INSERT INTO link AS l (id, url, host, verdict, reason, rule, sources, scanned_at, expires_at, seen_count, last_seen_at)
SELECT x.id, x.url, x.host, x.verdict, x.reason, x.rule, x.sources,
       CASE WHEN x.fresh THEN now() END, CASE WHEN x.fresh THEN now() + make_interval(hours => ${ttl}) END,
       x.seen, now()
  FROM jsonb_to_recordset(${rows}::jsonb) AS x(id uuid, url text, host text, verdict text, reason text, rule text, sources jsonb, fresh boolean, seen int)
${LINK_UPSERT_SET}`;

/** The fresh cached verdicts of these URLs (or ones staff overrode). */
export async function cachedVerdicts(q: Queryable, urls: string[]): Promise<CachedVerdict[]> {
  const rows = await q.query<CachedVerdict>(
    `SELECT url, verdict, reason, rule, overridden, sources FROM link
            WHERE url = ANY($1::text[]) AND verdict <> 'pending' AND (overridden OR expires_at > now())`,
    [urls],
  );
  return rows.map((r) => ({
    url: r.url,
    verdict: r.verdict,
    reason: r.reason,
    rule: r.rule,
    overridden: r.overridden,
    sources: r.sources,
  }));
}

/** Writes a scan's verdicts into the `link` cache (rows in URL order, TTL in hours). */
export async function recordLinks(q: Queryable, rows: LinkCacheRow[], ttlHours: number): Promise<void> {
  await q.query(`${RECORD_LINKS_SQL('$1', '$2')} RETURNING 1`, [JSON.stringify(rows), ttlHours]);
}

// ---- the scan's read and settle statements --------------------------------------------------

/**
 * The fresh cached verdicts (or staff overrides) of the URLs of a `links` array, as a JSON
 * array (null when none): one probe of `link`'s url index per link. A lateral probe with
 * LIMIT 1 (url is unique) is never flattened into a join: written as `url = ANY(...)` or a
 * join, a plan made on statistics taken while `link` was small seq-scanned the whole cache
 * once per message (630 buffers for a batch of 35 new links, growing with the table).
 */
const cachedVerdictsOf = (links: string) => `(
  SELECT json_agg(json_build_object('url', l.url, 'verdict', l.verdict, 'reason', l.reason, 'rule', l.rule, 'overridden', l.overridden, 'sources', l.sources))
    FROM jsonb_array_elements(${links}) AS x
   CROSS JOIN LATERAL (
     SELECT c.url, c.verdict, c.reason, c.rule, c.overridden, c.sources FROM link c
      WHERE c.url = x ->> 'url' AND c.verdict <> 'pending' AND (c.overridden OR c.expires_at > now()) LIMIT 1) l)`;

/**
 * Messages' state and links, with the fresh cached verdicts of their URLs (the scan's first
 * read), for many messages at once ($1: ids): scans that start while one read is in flight
 * share the next one (LinkScannerService.read).
 */
const SCAN_READ_SQL = `
SELECT m.id, m.state, m.links, m.link_hold, ${cachedVerdictsOf('m.links')} AS cached
  FROM message m WHERE m.id = ANY($1::uuid[])`;

/*
 * Plan notes (EXPLAIN of the generic plans, which prepared statements settle on): the link
 * cache is looked up URL by URL (cachedVerdictsOf) and the messages by `id = ANY(ARRAY(...))`,
 * so both go through their unique indexes; written as a semi-join on a jsonb set (estimated
 * at 100 rows) the planner seq-scanned `link` once per message and `message` once per
 * statement, a cost that grew with the tables. The scan stamp filters `scanned_at IS NULL`
 * through coalesce() so the partial index of pending occurrences (as large as the scan
 * backlog) is not ANDed with the message's own index for every message.
 */

/**
 * Scan verdicts (none malicious) of many messages in one statement ($1: [{id, old, new}],
 * distinct ids): only a message still visible with the links its scan read (`old`; the row
 * lock re-checks that after any wait) gets its new links, its scan stamps and a
 * message.updated per reader (a reference to the message, same audience as
 * message.created); the cache ($2: linkRows() tagged with their message, TTL $3) counts the
 * sightings of those messages only. Concurrent scans are settled together by the batcher in
 * LinkScannerService, so many messages to the same people take each user_cursor lock once.
 * A message not returned changed meanwhile: its scan decides again.
 */
const SCAN_SETTLE_SQL = `
WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, old jsonb, new jsonb)),
cur AS (
  SELECT m.id FROM message m JOIN input i ON i.id = m.id
   WHERE m.id = ANY (ARRAY(SELECT id FROM input)) AND m.state = 'visible' AND m.links = i.old ORDER BY m.id FOR NO KEY UPDATE OF m),
upd AS (
  UPDATE message m SET links = i.new, updated_at = now() FROM cur JOIN input i ON i.id = cur.id WHERE m.id = cur.id RETURNING m.*),
rec AS (
  INSERT INTO link AS l (id, url, host, verdict, reason, rule, sources, scanned_at, expires_at, seen_count, last_seen_at)
  SELECT (array_agg(x.id))[1], x.url, min(x.host), (array_agg(x.verdict))[1], (array_agg(x.reason))[1], (array_agg(x.rule))[1],
         (array_agg(x.sources))[1],
         CASE WHEN bool_or(x.fresh) THEN now() END, CASE WHEN bool_or(x.fresh) THEN now() + make_interval(hours => $3) END,
         sum(x.seen)::int, now()
    FROM jsonb_to_recordset($2::jsonb) AS x(mid uuid, id uuid, url text, host text, verdict text, reason text, rule text, sources jsonb, fresh boolean, seen int)
   WHERE x.mid IN (SELECT id FROM upd)
   GROUP BY x.url ORDER BY x.url
  ${LINK_UPSERT_SET}
  RETURNING 1),
stamp AS (
  UPDATE link_occurrence o SET scanned_at = now() FROM upd WHERE o.message_id = upd.id AND coalesce(o.scanned_at IS NULL, false) RETURNING 1),
${messageEventCtes('upd', `'message.updated'`, '$4')}
SELECT upd.*, ${messageEventRecipientsSql('upd')} AS recipients, ${messageEventPositionSql('upd')} AS position, ${REPLY_QUOTE_SQL('upd')} FROM upd`;

/**
 * SCAN_READ_SQL for many messages (a row each that still exists). Unprepared on purpose:
 * planned on each call (about 2 ms, once per batch of up to 64 messages), so the `link`
 * lookup follows the table's current size. A prepared plan made while `link` was nearly
 * empty (a fresh deployment, the benchmark) kept seq-scanning it per message as it grew:
 * 41 ms a call at 5,000 new URLs instead of ~3. (The lookup is now a per-URL probe of the
 * url index in any plan, cachedVerdictsOf; a custom plan of stale statistics did the same.)
 */
export async function readScans(q: Queryable, messageIds: string[]): Promise<ScanRead[]> {
  const rows = await q.query<ScanReadRecord>(SCAN_READ_SQL, [messageIds]);
  return rows.map(toScanRead);
}

/** One message's part of SCAN_SETTLE_SQL: the links its scan read, its new links and its cache rows. */
export interface SettleInput {
  messageId: string;
  old: LinkView[];
  next: LinkView[];
  linkRows: LinkCacheRow[];
}

/** SCAN_SETTLE_SQL (prepared as `link_scan_settle`) for distinct messages; a message changed meanwhile is not returned. */
export async function settleScans(
  q: PreparingQueryable,
  items: ReadonlyArray<SettleInput>,
  ttlHours: number,
  v1Days: number,
): Promise<SettledScan[]> {
  const rows = await q.prepared<MessageRecord & Pick<SettledScan, 'recipients' | 'position'>>('link_scan_settle', SCAN_SETTLE_SQL, [
    JSON.stringify(items.map((b) => ({ id: b.messageId, old: b.old, new: b.next }))),
    JSON.stringify(items.flatMap((b) => b.linkRows.map((r) => ({ ...r, mid: b.messageId })))),
    ttlHours,
    v1Days,
  ]);
  return rows.map((r) => ({ id: r.id, recipients: r.recipients, position: r.position, stored: r }));
}

// ---- a message's locked scan ----------------------------------------------------------------

/** The message, its row locked for the scan (call inside `db.tx`). */
export async function lockMessage(q: Queryable, messageId: string): Promise<LockedMessage | undefined> {
  const [m] = await q.query<MessageRecord>('SELECT * FROM message WHERE id = $1 FOR UPDATE', [messageId]);
  return (
    m && {
      id: m.id,
      state: m.state,
      links: m.links,
      linkHold: m.link_hold,
      senderId: m.sender_id,
      conversationId: m.conversation_id,
    }
  );
}

/** Stamps the message's pending link occurrences scanned. */
export async function markMessageScanned(q: Queryable, messageId: string): Promise<void> {
  await q.query('UPDATE link_occurrence SET scanned_at = now() WHERE message_id = $1 AND scanned_at IS NULL', [messageId]);
}

/** The message's links with their verdicts, updated_at untouched: set before its removal, for the report's evidence. */
export async function setMessageLinks(q: Queryable, messageId: string, links: LinkView[]): Promise<void> {
  await q.query('UPDATE message SET links = $2::jsonb WHERE id = $1', [messageId, JSON.stringify(links)]);
}

/** The message's links with their verdicts; the stored row back with its reply quote. */
export async function updateMessageLinks(q: Queryable, messageId: string, links: LinkView[]): Promise<UpdatedMessage> {
  const [row] = await q.query<MessageRecord>(
    `UPDATE message SET links = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING *, ${REPLY_QUOTE_SQL('message')}`,
    [messageId, JSON.stringify(links)],
  );
  return { id: row.id, linkHold: row.link_hold, stored: row };
}

// ---- a question's scan ----------------------------------------------------------------------

/** The question's state and links, unlocked (the scan's first read). */
export async function questionScanState(
  q: Queryable,
  questionId: string,
): Promise<{ state: QuestionRow['state']; links: LinkView[] } | undefined> {
  const [row] = await q.query<{ state: QuestionRow['state']; links: LinkView[] }>('SELECT state, links FROM question WHERE id = $1', [
    questionId,
  ]);
  return row && { state: row.state, links: row.links };
}

/** Stamps the question's pending link occurrences scanned. */
export async function markQuestionScanned(q: Queryable, questionId: string): Promise<void> {
  await q.query('UPDATE link_occurrence SET scanned_at = now() WHERE question_id = $1 AND scanned_at IS NULL', [questionId]);
}

/** The question, its row locked for the scan (call inside `db.tx`). */
export async function lockQuestion(q: Queryable, questionId: string): Promise<QuestionRow | undefined> {
  const [row] = await q.query<QuestionRecord>('SELECT * FROM question WHERE id = $1 FOR UPDATE', [questionId]);
  return row && questionRow(row);
}

/** The question's links with their verdicts, updated_at untouched: set before its removal, for the report's evidence. */
export async function setQuestionLinks(q: Queryable, questionId: string, links: LinkView[]): Promise<void> {
  await q.query('UPDATE question SET links = $2::jsonb WHERE id = $1', [questionId, JSON.stringify(links)]);
}

/** Removes the question for a malicious link: text and links blanked for everyone. */
export async function removeQuestionForMaliciousLink(q: Queryable, questionId: string): Promise<QuestionRow> {
  const [row] = await q.query<QuestionRecord>(
    `UPDATE question SET state = 'removed', removed_reason = 'malicious_link', text = NULL, links = '[]'::jsonb, updated_at = now()
              WHERE id = $1 RETURNING *`,
    [questionId],
  );
  return questionRow(row);
}

/** The question's links with their verdicts. */
export async function updateQuestionLinks(q: Queryable, questionId: string, links: LinkView[]): Promise<QuestionRow> {
  const [row] = await q.query<QuestionRecord>('UPDATE question SET links = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING *', [
    questionId,
    JSON.stringify(links),
  ]);
  return questionRow(row);
}

// ---- sightings of links settled from the cache at the send (link_seen) -----------------------

/**
 * The occurrences a `link_seen` row stands for, as rows (url, host, message_id,
 * conversation_id, question_id, created_at): the sender's messages of that conversation in
 * the row's seq range whose `links` still hold the URL (a message removed since has none), and
 * that have no `link_occurrence` of it (written by the backlog for a message with a pending
 * link, by an edit, or by materializeSeen). `match` filters the `link_seen` rows (alias `s`);
 * `days` ($ placeholder) bounds them by their last sighting. The messages are a lateral range
 * probe of message (conversation_id, seq) per row, the occurrence a probe of its
 * (message_id, url) key (OFFSET 0 keeps each a probe, as in BACKLOG_SCAN_SQL): a plan on stale
 * statistics (autovacuum is off here) cannot turn either into a scan of the table.
 */
export const seenOccurrencesSql = (match: string, days: string): string => `(
  SELECT s.url, s.host, m.id AS message_id, s.conversation_id, NULL::uuid AS question_id, m.created_at
    FROM link_seen s
   CROSS JOIN LATERAL (
     SELECT m.id, m.created_at FROM message m
      WHERE m.conversation_id = s.conversation_id AND m.seq >= s.first_seq AND m.seq <= s.last_seq
        AND m.sender_id = s.sender_id AND m.links @> jsonb_build_array(jsonb_build_object('url', s.url))
        AND NOT EXISTS (SELECT 1 FROM link_occurrence o WHERE o.message_id = m.id AND o.url = s.url OFFSET 0)) m
   WHERE ${match} AND s.last_at > now() - make_interval(days => ${days}))`;

/** The `link_seen` rows a blocklist target matches (its value as $1). */
const seenMatchSql = (t: RescanTarget) => ('host' in t ? `(s.host = $1 OR right(s.host, length($1) + 1) = '.' || $1)` : 's.url = $1');

/**
 * Writes the occurrences that matching `link_seen` rows of the last `days` stand for
 * (seenOccurrencesSql) into link_occurrence, stamped scanned at their message's send (their
 * verdict came from the cache, as the backlog stamps a cached link's): the blocklist re-scan
 * then walks one table by id, as before. Run at the start of each re-scan pass; a message
 * that already has its occurrence is skipped. Returns how many it wrote.
 */
export async function materializeSeen(q: Queryable, t: RescanTarget, days: number): Promise<number> {
  return (
    await q.query(
      `INSERT INTO link_occurrence (url, host, message_id, conversation_id, scanned_at, created_at)
       SELECT o.url, o.host, o.message_id, o.conversation_id, o.created_at, o.created_at
         FROM ${seenOccurrencesSql(seenMatchSql(t), '$2')} o
        WHERE o.created_at > now() - make_interval(days => $2)
        ORDER BY o.created_at, o.message_id
       ON CONFLICT (message_id, url) DO NOTHING
       RETURNING 1`,
      [targetValue(t), days],
    )
  ).length;
}

/** A `link_seen` row with sightings not yet counted into `link`, as the fold's queue names it. */
export interface SeenKey {
  conversationId: string;
  senderId: string;
  url: string;
}

/** Takes up to `limit` rows of the fold's queue (deleted in the caller's transaction; rows another fold holds are skipped). */
export async function claimSeenDirty(q: Queryable, limit: number): Promise<SeenKey[]> {
  const rows = await q.query<{ conversation_id: string; sender_id: string; url: string }>(
    `DELETE FROM link_seen_dirty WHERE ctid = ANY (ARRAY(SELECT ctid FROM link_seen_dirty LIMIT $1 FOR UPDATE SKIP LOCKED))
     RETURNING conversation_id, sender_id, url`,
    [limit],
  );
  return rows.map((r) => ({ conversationId: r.conversation_id, senderId: r.sender_id, url: r.url }));
}

/**
 * Folds the claimed rows' uncounted sightings into \`link\` (inside the claiming transaction),
 * in two statements so that the locks are taken in the order every other writer takes them:
 * \`link\` rows first (URL order, as the backlog and settle statements), then the \`link_seen\`
 * rows, which a send holds while it commits. The first reads each row's uncounted sightings
 * (n - folded, unlocked) and adds them to its link's seen_count and last_seen_at; the second
 * counts exactly those as folded and, for a row that a send counted on meanwhile, puts the
 * key back in the queue (a send only queues a row that had nothing uncounted), so no
 * sighting is lost or counted twice. Returns how many sightings it counted.
 */
export async function foldSeen(q: Queryable, keys: ReadonlyArray<SeenKey>): Promise<number> {
  if (keys.length === 0) return 0;
  const input = JSON.stringify(keys.map((k) => ({ c: k.conversationId, s: k.senderId, u: k.url })));
  const read = await q.query<{ c: string; s: string; u: string; d: number }>(
    `WITH r AS (
       SELECT DISTINCT ON (i.c, i.s, i.u) i.c, i.s, i.u, x.d, x.last_at
         FROM jsonb_to_recordset($1::jsonb) AS i(c uuid, s uuid, u text)
        CROSS JOIN LATERAL (
          SELECT x.n - x.folded AS d, x.last_at FROM link_seen x
           WHERE x.conversation_id = i.c AND x.sender_id = i.s AND x.url = i.u LIMIT 1) x
        WHERE x.d > 0),
     t AS (SELECT r.u AS url, sum(r.d)::int AS d, max(r.last_at) AS last_at FROM r GROUP BY r.u),
     lck AS (
       SELECT l.id, t.d, t.last_at FROM link l JOIN t ON t.url = l.url
        WHERE l.url = ANY (ARRAY(SELECT url FROM t)) ORDER BY l.url FOR NO KEY UPDATE OF l),
     upd AS (
       UPDATE link l SET seen_count = l.seen_count + lck.d, last_seen_at = greatest(l.last_seen_at, lck.last_at)
         FROM lck WHERE l.id = lck.id RETURNING 1)
     SELECT r.c, r.s, r.u, r.d FROM r WHERE (SELECT count(*) FROM upd) >= 0`,
    [input],
  );
  if (read.length === 0) return 0;
  await q.query(
    `WITH i AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(c uuid, s uuid, u text, d int)),
     cur AS (
       SELECT x.conversation_id, x.sender_id, x.url FROM link_seen x JOIN i ON i.c = x.conversation_id AND i.s = x.sender_id AND i.u = x.url
        WHERE x.conversation_id = ANY (ARRAY(SELECT c FROM i)) ORDER BY 1, 2, 3 FOR NO KEY UPDATE OF x),
     upd AS (
       UPDATE link_seen x SET folded = x.folded + i.d FROM cur JOIN i ON i.c = cur.conversation_id AND i.s = cur.sender_id AND i.u = cur.url
        WHERE x.conversation_id = cur.conversation_id AND x.sender_id = cur.sender_id AND x.url = cur.url
       RETURNING x.conversation_id, x.sender_id, x.url, x.n - x.folded AS left)
     INSERT INTO link_seen_dirty (conversation_id, sender_id, url) SELECT conversation_id, sender_id, url FROM upd WHERE upd.left > 0`,
    [JSON.stringify(read)],
  );
  return read.reduce((a, r) => a + r.d, 0);
}

// ---- the blocklist re-scan ------------------------------------------------------------------

/** The occurrences (or links, alias `o`) a blocklist target matches, its value as $1. */
const targetMatchSql = (t: RescanTarget) => ('host' in t ? `(o.host = $1 OR right(o.host, length($1) + 1) = '.' || $1)` : 'o.url = $1');
const targetValue = (t: RescanTarget) => ('host' in t ? t.host : t.url);

/**
 * Cached verdicts of matching links seen in the last `days`, set-based (the URLs never leave
 * PostgreSQL): malicious for `reason`, for `ttlHours`; a staff override stands. Returns how
 * many changed.
 */
export async function markBlocklistedLinks(q: Queryable, t: RescanTarget, reason: string, ttlHours: number, days: number): Promise<number> {
  return (
    await q.query(
      `UPDATE link o SET verdict = 'malicious', reason = $2, rule = 'blocklist', sources = '["blocklist"]', scanned_at = now(),
                  expires_at = now() + make_interval(hours => $3)
            WHERE ${targetMatchSql(t)} AND o.last_seen_at > now() - make_interval(days => $4) AND NOT o.overridden
              AND (o.verdict <> 'malicious' OR o.reason IS DISTINCT FROM $2)
            RETURNING 1`,
      [targetValue(t), reason, ttlHours, days],
    )
  ).length;
}

/** Starts the entry's re-scan progress: none done of the matching occurrences of the last `days`. */
export async function startRescanProgress(q: Queryable, entryId: string, t: RescanTarget, days: number): Promise<void> {
  await q.query(
    `UPDATE blocklist_entry SET rescan_done = 0, rescan_total = (
             SELECT count(*) FROM link_occurrence o WHERE ${targetMatchSql(t)} AND o.created_at > now() - make_interval(days => $2))
            WHERE id = $3`,
    [targetValue(t), days, entryId],
  );
}

/** The next `limit` matching occurrences of the last `days` after occurrence id `after`, by id. */
export async function rescanOccurrences(
  q: Queryable,
  t: RescanTarget,
  after: number,
  days: number,
  limit: number,
): Promise<RescanOccurrence[]> {
  const rows = await q.query<OccurrenceRecord>(
    `SELECT o.id, o.url, o.message_id, o.question_id, coalesce(m.state, qu.state) = 'visible' AS visible
         FROM link_occurrence o
         LEFT JOIN message m ON m.id = o.message_id
         LEFT JOIN question qu ON qu.id = o.question_id
        WHERE o.id > $2 AND ${targetMatchSql(t)} AND o.created_at > now() - make_interval(days => $3)
        ORDER BY o.id LIMIT $4`,
    [targetValue(t), after, days, limit],
  );
  return rows.map(toOccurrence);
}

/** Counts `n` more occurrences re-scanned for the entry. */
export async function addRescanDone(q: Queryable, entryId: string, n: number): Promise<void> {
  await q.query('UPDATE blocklist_entry SET rescan_done = rescan_done + $2 WHERE id = $1', [entryId, n]);
}

// ---- the link backlog and the pending sweep -------------------------------------------------

/** A send's backlog row as the backlog scan claims it, with its message as it is now (undefined fields: the message is gone). */
export interface BacklogClaim {
  ctid: string;
  messageId: string;
  conversationId: string;
  /** The send's links: whether it settled each from the cache. */
  sent: Array<{ url: string; host: string; cached: boolean }>;
  message: ScanRead | null;
}

interface BacklogClaimRecord {
  ctid: string;
  message_id: string;
  conversation_id: string;
  sent: BacklogClaim['sent'];
  id: string | null;
  state: ScanRead['state'] | null;
  links: LinkView[] | null;
  link_hold: boolean | null;
  cached: CachedVerdict[] | null;
}

/**
 * Claims up to $1 link_backlog rows (locked until the claiming transaction ends; rows another
 * scanner holds are skipped, or with `wait` waited for) with their messages as they are now
 * and, for a message whose send left a link pending, the fresh cached verdicts of its URLs
 * (SCAN_READ_SQL's lookup). A send that settled every link from the cache needs no verdict.
 * The message is a lateral probe of its key (LIMIT 1 keeps it from being flattened into a
 * join): as a join, planned on statistics taken while the table was small, it hashed the
 * whole message table on every batch.
 */
const claimBacklogSql = (wait: boolean) => `
WITH b AS (SELECT ctid, message_id, conversation_id, links FROM link_backlog LIMIT $1 FOR UPDATE${wait ? '' : ' SKIP LOCKED'})
SELECT b.ctid::text AS ctid, b.message_id, b.conversation_id, b.links AS sent, m.id, m.state, m.links, m.link_hold,
       CASE WHEN m.state = 'visible' AND b.links @> '[{"cached": false}]' THEN ${cachedVerdictsOf('m.links')} END AS cached
  FROM b LEFT JOIN LATERAL (
    SELECT m.id, m.state, m.links, m.link_hold FROM message m
     WHERE m.id = b.message_id AND m.conversation_id = b.conversation_id LIMIT 1) m ON true`;

/** claimBacklogSql inside the caller's transaction (unprepared, as readScans and for the same reason). */
export async function claimBacklog(q: Queryable, limit: number, wait: boolean): Promise<BacklogClaim[]> {
  const rows = await q.query<BacklogClaimRecord>(claimBacklogSql(wait), [limit]);
  return rows.map((r) => ({
    ctid: r.ctid,
    messageId: r.message_id,
    conversationId: r.conversation_id,
    sent: r.sent,
    message: r.id === null ? null : toScanRead({ id: r.id, state: r.state!, links: r.links!, link_hold: r.link_hold!, cached: r.cached }),
  }));
}

/**
 * What a batch of claimed backlog rows becomes, in one statement (inside the claiming
 * transaction, so a crash leaves the rows to the next scan): the rows go; messages whose scan
 * the settle can take ($2: {id, conversation_id, old, new}, guarded as SCAN_SETTLE_SQL) get
 * their verdicts and a message.updated per reader; the `link` cache ($3: one row per URL:
 * fresh verdicts and first sightings tagged with their message `mid`, counted only if it was
 * settled here; sightings of links the send settled from the cache untagged, counted into
 * rows that exist, never inserting one; TTL $4) is
 * written URL by URL in order; and the occurrences are written once, already stamped where
 * their link has its verdict (settled from the cache at the send, settled here, or no longer
 * pending or visible), else left unscanned for the locked scan that follows the commit (or,
 * after a crash, the pending sweep). A URL the message already has an occurrence of (an edit
 * writes its own, even one that commits while this statement waits: ON CONFLICT on the unique
 * (message_id, url)) is skipped; a message deleted meanwhile writes nothing. The two EXISTS
 * probes (an occurrence of the message's URL, a `link` row of a sighting) carry OFFSET 0 so
 * each stays a probe of its index per row: turned into a hash (anti) join they read the whole
 * of link_occurrence or `link` on every batch, a cost that grew with the tables.
 */
const BACKLOG_SCAN_SQL = `
WITH b AS (
  DELETE FROM link_backlog WHERE ctid = ANY ($1::tid[]) RETURNING message_id, conversation_id, links, created_at),
input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(id uuid, conversation_id uuid, old jsonb, new jsonb)),
cur AS (
  SELECT m.id FROM message m JOIN input i ON i.id = m.id AND i.conversation_id = m.conversation_id
   WHERE m.id = ANY (ARRAY(SELECT id FROM input)) AND m.state = 'visible' AND m.links = i.old ORDER BY m.id FOR NO KEY UPDATE OF m),
upd AS (
  UPDATE message m SET links = i.new, updated_at = now() FROM cur JOIN input i ON i.id = cur.id
   WHERE m.id = cur.id AND m.conversation_id = i.conversation_id RETURNING m.*),
rec AS (
  INSERT INTO link AS l (id, url, host, verdict, reason, rule, sources, scanned_at, expires_at, seen_count, last_seen_at)
  SELECT (array_agg(x.id ORDER BY x.fresh DESC))[1], x.url, min(x.host), (array_agg(x.verdict ORDER BY x.fresh DESC))[1],
         (array_agg(x.reason ORDER BY x.fresh DESC))[1], (array_agg(x.rule ORDER BY x.fresh DESC))[1],
         (array_agg(x.sources ORDER BY x.fresh DESC))[1],
         CASE WHEN bool_or(x.fresh) THEN now() END, CASE WHEN bool_or(x.fresh) THEN now() + make_interval(hours => $4) END,
         sum(x.seen)::int, now()
    FROM jsonb_to_recordset($3::jsonb) AS x(mid uuid, id uuid, url text, host text, verdict text, reason text, rule text, sources jsonb, fresh boolean, seen int)
   WHERE x.mid IN (SELECT id FROM upd) OR (x.mid IS NULL AND EXISTS (SELECT 1 FROM link e WHERE e.url = x.url OFFSET 0))
   GROUP BY x.url ORDER BY x.url
  ${LINK_UPSERT_SET}
  RETURNING 1),
x AS (
  SELECT b.message_id, b.conversation_id, b.created_at, l.url, l.host, l.cached, l.ord
    FROM b, ROWS FROM (jsonb_to_recordset(b.links) AS (url text, host text, cached boolean)) WITH ORDINALITY AS l(url, host, cached, ord)),
occ AS (
  INSERT INTO link_occurrence (url, host, message_id, conversation_id, scanned_at, created_at)
  SELECT x.url, x.host, x.message_id, x.conversation_id,
         CASE WHEN x.cached THEN x.created_at
              WHEN x.message_id IN (SELECT id FROM upd) THEN now()
              WHEN m.state <> 'visible' OR NOT m.links @> jsonb_build_array(jsonb_build_object('url', x.url, 'verdict', 'pending')) THEN now()
         END,
         x.created_at
    FROM x JOIN message m ON m.id = x.message_id AND m.conversation_id = x.conversation_id
   WHERE NOT EXISTS (SELECT 1 FROM link_occurrence o WHERE o.message_id = x.message_id AND o.url = x.url OFFSET 0)
   ORDER BY x.created_at, x.message_id, x.ord
  ON CONFLICT (message_id, url) DO NOTHING
  RETURNING 1),
-- the cache and the occurrences are written first (the events' input waits for them): the
-- readers' cursor rows, which every send to them locks too, are locked last, for the shortest time
upd_written AS (SELECT * FROM upd WHERE (SELECT count(*) FROM occ) >= 0 AND (SELECT count(*) FROM rec) >= 0),
${messageEventCtes('upd_written', `'message.updated'`, '$5')}
SELECT upd.*, ${messageEventRecipientsSql('upd')} AS recipients, ${messageEventPositionSql('upd')} AS position,
       ${REPLY_QUOTE_SQL('upd')}
  FROM upd`;

/** One message of a backlog batch that the settle takes: where it lives, the links its scan read and its new links. */
export interface BacklogSettle {
  messageId: string;
  conversationId: string;
  old: LinkView[];
  next: LinkView[];
}

/** A `link` cache row of a backlog batch: `mid` set for a verdict or first sighting counted only if that message settles here. */
export type BacklogLinkRow = LinkCacheRow & { mid: string | null };

/**
 * BACKLOG_SCAN_SQL (prepared as `link_backlog_scan`) inside the claiming transaction; returns
 * the messages it settled (the others changed meanwhile: their scan decides again, locked).
 * Planned as PostgreSQL chooses (plan_cache_mode auto): forcing its generic plan saved the
 * planning on small tables (bench/send-cost.js) but, before the index probes above, the generic
 * plan read 6-8x the buffers per batch (28k-38k against ~5k) as the tables grew. Measured again
 * with the probes (issue #28; send-cost, one sitting, both variants side by side, modes
 * newlink,socket,newlink x 3000 sends on one growing database), forcing it gains nothing: auto
 * already switches to the generic plan after a pooled connection's first 5 custom plans (its
 * estimate is no worse: 0.04 then 0.00 plans per call in the first and last new-link phases),
 * and per send the two are equal and flat (auto 273 then 286 µs, 63.6 then 62.6 buffers;
 * forced 309 then 286 µs, 64.5 then 63.5 buffers). Plans remain only for a connection's first
 * executions, e.g. the rare large batches of the cached-link phase (~200 rows: 9.5 ms to plan
 * custom, 10.5 ms forced, as a connection's first generic plan is planned too).
 */
export async function scanBacklogBatch(
  q: PreparingQueryable,
  ctids: string[],
  settles: ReadonlyArray<BacklogSettle>,
  links: ReadonlyArray<BacklogLinkRow>,
  ttlHours: number,
  v1Days: number,
): Promise<SettledScan[]> {
  const rows = await q.prepared<MessageRecord & Pick<SettledScan, 'recipients' | 'position'>>('link_backlog_scan', BACKLOG_SCAN_SQL, [
    ctids,
    JSON.stringify(settles.map((b) => ({ id: b.messageId, conversation_id: b.conversationId, old: b.old, new: b.next }))),
    JSON.stringify(links),
    ttlHours,
    v1Days,
  ]);
  return rows.map((r) => ({ id: r.id, recipients: r.recipients, position: r.position, stored: r }));
}

/**
 * Stamps the unscanned message occurrences whose message's scan has given their link a
 * verdict (or whose message is no longer visible). A flush and a scan of the same message
 * that overlap cannot see each other's rows: the flush reads the link still pending and
 * writes its occurrence unscanned, the scan's stamp does not see that occurrence yet. Run
 * after each flush batch commits, and so after every scan job (which flushes once its scans
 * committed), it stamps those; it reads only the unscanned occurrences (their partial index).
 * Rows a scan is stamping right now are skipped (it stamps them), so the two never wait on each other.
 */
export async function stampSettledOccurrences(q: Queryable): Promise<void> {
  await q.query(
    `UPDATE link_occurrence o SET scanned_at = now()
      WHERE o.id IN (
        SELECT u.id FROM link_occurrence u JOIN message m ON m.id = u.message_id
         WHERE u.scanned_at IS NULL
           AND (m.state <> 'visible' OR NOT m.links @> jsonb_build_array(jsonb_build_object('url', u.url, 'verdict', 'pending')))
           FOR UPDATE OF u SKIP LOCKED)`,
  );
}

/** Up to `batch` messages and questions with a link unscanned for over `olderThanSeconds`, oldest first. */
export async function pendingScans(q: Queryable, olderThanSeconds: number, batch: number): Promise<PendingScan[]> {
  const rows = await q.query<{ message_id: string | null; question_id: string | null }>(
    `SELECT message_id, question_id FROM link_occurrence
        WHERE scanned_at IS NULL AND created_at < now() - make_interval(secs => $1)
        GROUP BY message_id, question_id
        ORDER BY min(created_at) LIMIT $2`,
    [olderThanSeconds, batch],
  );
  return rows.map((r) => ({ messageId: r.message_id, questionId: r.question_id }));
}
