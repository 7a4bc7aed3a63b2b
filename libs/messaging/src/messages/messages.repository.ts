import type { Queryable } from '../db/db.service';
import { conversationTurnSql, eventInsertCtes, hasV1ClientSql, positionSql } from '../events/events.service';
import type { OutboxJob } from '../queues';
import { MAX_REQUEST_MESSAGES, creatorCappedSql } from '../policy/request-cap';
import { restrictedSql } from '../policy/standing';
import { MESSAGE_AUDIENCE_SQL, memberReadsMessageSql, memberSeesMessageSql } from '../policy/visibility';
import { conversationLockedSql, directBlockSql, pairBlockedSql, writeCheckColumns, type WriteCheckRow } from '../policy/write-policy';
import { REPLY_QUOTE_SQL } from '../views/message-view';

/**
 * The messages domain's SQL (STYLE.md conventions 9 and 12): the send and its slow path, the
 * list pages, reply targets, lookups by clientId and removal. Functions take a Queryable so
 * they run inside `db.tx`; prepared statements keep their names and text. Message rows stay
 * as stored (snake_case) because messageView renders them; the rows this file decides from
 * reach services typed and camelCased.
 */

/** A Queryable that can also run named prepared statements (Db, its replica, a transaction). */
export interface Prepares extends Queryable {
  prepared<R extends Record<string, any> = any>(name: string, sql: string, params?: unknown[]): Promise<R[]>;
}

/** A message row as stored, with its reply quote (rendered by messageView). */
export type MessageRow = Record<string, any>;

/**
 * The send, as ONE statement: check the sender may send (an active member who may write here,
 * policy/write-policy.ts: not restricted, the conversation not locked by staff, no block across
 * a direct conversation), bump the
 * conversation's seq (the row lock orders concurrent sends and a rolled-back send burns no
 * number), apply the pending-request cap on that locked row itself, insert the message (a
 * link whose verdict is cached and fresh is settled here, from the `link` cache) and, if it
 * has links, one `link_backlog` row: the scanner's queue, taken in batches that scan the links
 * left pending and write the occurrences and sightings (LinkScannerService.scanBacklog; the
 * service wakes it after commit, no job per message), give every active or pending member who may
 * read it (policy/visibility.ts: not one who blocks the sender; a pending one only the
 * first three, and not while a link awaits its verdict: `link_hold`) a message.created
 * event with its own cursor, and write an outbox row only for jobs (the scan of a pending
 * link, spam scoring). The events are pushed by this process from the returned
 * `recipients` (publishSend): no outbox copy of them is written and deleted.
 * No row back means a rule refused it: the slow path (CONTEXT_SQL) then says which.
 * A repeated clientId trips the unique index and rolls the whole statement back.
 *
 * Two forms of the one statement (sendSql):
 * - SEND_SQL writes member `event` rows (per-user cursors) for the audience members with a v1
 *   client (hasV1ClientSql), through eventInsertCtes;
 * - SEND_POSITIONS_SQL is the form for a message that replies to none, in a conversation where
 *   no member has a v1 client: without the member-row machinery and the reply quote (the
 *   executor initialises every node of a plan, also those that write or read nothing;
 *   docs/BENCHMARKS.md "What a send costs, and why"). It checks that in the statement, before
 *   any write, in the statement's snapshot, as SEND_SQL decides who gets member rows: when it
 *   is a reply, or an active or pending member (a superset of the audience:
 *   memberReadsMessageSql admits no other state) has a v1 client, it writes nothing and
 *   returns one row with `needs_full` true and no message, and the caller runs SEND_SQL. So
 *   the positions form never writes a message SEND_SQL would have given a member row or a quote.
 */
function sendSql(form: 'v1' | 'positions'): string {
  const positions = form === 'positions';
  return `
WITH mem AS MATERIALIZED (
  -- the conversation's membership rows, scanned once for the sender, the request cap, the direct
  -- block, the held-link check, the audience and the v1 check (each read it before)
  SELECT * FROM conversation_member WHERE conversation_id = $1),
turn AS (
  -- the conversation's turn before the first write (events.repository.ts conversationTurnSql):
  -- this send's xid, its events' position, then follows every earlier send of the conversation
  SELECT ${conversationTurnSql('$1::uuid')} AS t),
sender AS (
  SELECT 1 FROM mem me JOIN app_user u ON u.id = me.user_id
   WHERE me.conversation_id = $1 AND me.user_id = $2 AND me.state = 'active'
     AND NOT ${restrictedSql('u')}),
capped AS MATERIALIZED (
  -- once (not once per reference in conv: SET, WHERE and RETURNING)
  SELECT ${creatorCappedSql('c', '$2', '$1', 'mem')} AS v
    FROM conversation c WHERE c.id = $1),${
      positions
        ? `
full_form AS MATERIALIZED (
  -- SEND_SQL's member rows would go to audience members with a v1 client; the audience are
  -- active or pending members (memberReadsMessageSql): none of them has one, or no write here.
  -- A reply ($9) is quoted by SEND_SQL alone.
  SELECT $9::bigint IS NOT NULL
         OR EXISTS (SELECT 1 FROM mem v WHERE v.conversation_id = $1 AND v.state IN ('active', 'pending')
                       AND ${hasV1ClientSql('v.user_id', '$12')}) AS needed),`
        : ''
    }
conv AS (
  UPDATE conversation c SET last_seq = c.last_seq + 1, last_activity_at = now(),
         request_msgs = c.request_msgs + (CASE WHEN capped.v THEN 1 ELSE 0 END)
    FROM capped, turn${positions ? ', full_form' : ''}
   WHERE c.id = $1 AND EXISTS (SELECT 1 FROM sender)${positions ? ' AND NOT full_form.needed' : ''}
     AND NOT ${conversationLockedSql('c')}
     AND (NOT capped.v OR c.request_msgs < ${MAX_REQUEST_MESSAGES})
     AND NOT ${directBlockSql('c', '$2', 'mem')}
   RETURNING c.last_seq, capped.v AS capped),
lk AS (
  -- a lateral probe per link (LIMIT 1: url is unique; it keeps the probe from being flattened
  -- into a join): the generic plan, made while \`link\` was small, still takes the url index
  -- once the table grew (as a join it seq-scanned the whole cache on every send)
  SELECT x.ord, x.url, x.host, l.verdict, l.reason, l.sources
    FROM jsonb_to_recordset($6::jsonb) AS x(ord int, url text, host text, scan boolean)
    LEFT JOIN LATERAL (
      SELECT c.verdict, c.reason, c.sources FROM link c
       WHERE c.url = x.url AND NOT x.scan AND c.verdict IN ('safe', 'suspicious') AND (c.overridden OR c.expires_at > now()) LIMIT 1) l ON true),
msg AS (
  -- link_hold: a link still awaits its verdict, so pending members do not read it yet (HeldLinks).
  INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links, link_hold, reply_to_seq, reply_to_sender_id, state)
  SELECT $3, $1, conv.last_seq, $2, $4, $5,
         coalesce((SELECT jsonb_agg(CASE WHEN lk.verdict IS NULL THEN jsonb_build_object('url', lk.url, 'verdict', 'pending')
                                         WHEN lk.reason IS NULL THEN jsonb_build_object('url', lk.url, 'verdict', lk.verdict, 'sources', lk.sources)
                                         ELSE jsonb_build_object('url', lk.url, 'verdict', lk.verdict, 'reason', lk.reason, 'sources', lk.sources) END ORDER BY lk.ord)
                     FROM lk), '[]'::jsonb),
         -- held only where it matters: a link awaits its verdict and someone is still pending
         -- (a member added later reads only what comes after their add)
         EXISTS (SELECT 1 FROM lk WHERE lk.verdict IS NULL)
           AND EXISTS (SELECT 1 FROM mem p WHERE p.conversation_id = $1 AND p.state IN ('pending', 'held')),
         $9::bigint, $10::uuid, -- replyTo: checked before the send (MessagesService.replyTarget)
         -- held by a live staff rule (RulesService.screenMessage, decided before this statement): its sender alone reads it
         CASE WHEN $11::boolean THEN 'held' ELSE 'visible' END
    FROM conv
  RETURNING *),
lb AS (
  -- one unindexed row for a message with a link left pending, the scanner's queue: it scans
  -- those links, writes the message's occurrences and counts its sightings, in batches
  -- (LinkScannerService.scanBacklog)
  INSERT INTO link_backlog (message_id, conversation_id, links)
  SELECT msg.id, $1, jsonb_agg(jsonb_build_object('url', lk.url, 'host', lk.host, 'cached', lk.verdict IS NOT NULL) ORDER BY lk.ord)
    FROM msg, lk WHERE EXISTS (SELECT 1 FROM lk p WHERE p.verdict IS NULL) GROUP BY msg.id
  RETURNING 1),
seen AS (
  -- every link settled from the cache: no backlog row and no occurrence; each URL's sighting is
  -- one HOT update of the sender's (conversation, URL) row, which says where the readers find
  -- the message (link_seen: its seq range; links/link-scanner.repository.ts seenOccurrencesSql).
  -- A plain UPDATE (one WAL record; ON CONFLICT DO UPDATE locks the row first, a second one)
  UPDATE link_seen s SET last_seq = msg.seq, last_at = now(), n = s.n + 1
    FROM msg, (SELECT DISTINCT lk.url FROM lk) u
   WHERE NOT EXISTS (SELECT 1 FROM lk p WHERE p.verdict IS NULL)
     AND s.conversation_id = $1 AND s.sender_id = $2 AND s.url = u.url
  RETURNING s.url, s.n - s.folded AS unfolded),
seen_new AS (
  -- a first sighting inserts the row; one this statement's snapshot missed (the sender's previous
  -- send here committed while this one waited for the conversation row) is counted on conflict
  INSERT INTO link_seen AS s (conversation_id, sender_id, url, host, first_seq, last_seq)
  SELECT $1, $2, lk.url, min(lk.host), min(msg.seq), min(msg.seq)
    FROM msg, lk WHERE NOT EXISTS (SELECT 1 FROM lk p WHERE p.verdict IS NULL) AND lk.url NOT IN (SELECT url FROM seen)
   GROUP BY lk.url ORDER BY lk.url
  ON CONFLICT (conversation_id, sender_id, url) DO UPDATE SET last_seq = excluded.last_seq, last_at = now(), n = s.n + 1
  RETURNING s.url, s.n - s.folded AS unfolded),
seen_dirty AS (
  -- the row now has a sighting not yet counted into \`link\` and had none: it joins the fold's
  -- queue (LinkScannerService.foldSightings), once until folded
  INSERT INTO link_seen_dirty (conversation_id, sender_id, url)
  SELECT $1, $2, x.url FROM (SELECT * FROM seen UNION ALL SELECT * FROM seen_new) x WHERE x.unfolded = 1
  RETURNING 1),
aud AS (
  -- the sender, active members and pending ones (the request preview) who may read it
  SELECT m.user_id FROM mem m, msg
   WHERE m.conversation_id = $1 AND ${memberReadsMessageSql('m', 'msg')}),
ce AS (
  -- the event once, at one position, with its audience (decided once: live and sync alike)
  INSERT INTO conversation_event (conversation_id, type, message_id, audience)
  SELECT $1, 'message.created', msg.id, ARRAY(SELECT user_id FROM aud) FROM msg
  RETURNING tx, id),
send_jobs AS MATERIALIZED (
  -- the jobs of the send, once: the scan of a pending link ($7), spam scoring when it counted against a request ($8)
  SELECT (CASE WHEN EXISTS (SELECT 1 FROM msg)
               THEN (CASE WHEN EXISTS (SELECT 1 FROM lk WHERE lk.verdict IS NULL) THEN $7::jsonb ELSE '[]'::jsonb END)
                 || (CASE WHEN (SELECT capped FROM conv) THEN $8::jsonb ELSE '[]'::jsonb END)
               ELSE '[]'::jsonb END) AS j),${positions ? positionsTail : v1Tail}`;
}

const SEND_JOBS = '(SELECT j FROM send_jobs)';

const v1Tail = `
ev_input AS (
  -- member rows (per-user cursors) only for a user with a v1 client, one that synced or connected
  -- in the last $12 days (user_cursor.v1_seen_at, EventsService.v1Contact); a user whose clients
  -- all read positions costs this send nothing per member: no row, no user_cursor lock
  SELECT (row_number() OVER ())::int AS ord, aud.user_id, 'message.created'::text AS type, '{}'::jsonb AS payload, msg.id AS message_id
    FROM aud, msg
   WHERE ${hasV1ClientSql('aud.user_id', '$12')}),
${eventInsertCtes('ev_input', SEND_JOBS, { outboxEvents: false, positioned: false })}
SELECT msg.*, (SELECT id FROM ev_outbox) AS outbox_id,
       (SELECT json_agg(json_build_array(a.user_id, i.cursor::text)) FROM aud a LEFT JOIN ev_ins i ON i.user_id = a.user_id) AS recipients,
       (SELECT ${positionSql('tx', 'id')} FROM ce) AS position, ${REPLY_QUOTE_SQL('msg')}
  FROM msg`;

const positionsTail = `
ev_outbox AS (
  -- the outbox row only for jobs, as eventInsertCtes writes it for the send
  INSERT INTO outbox (events, jobs)
  SELECT '[]'::jsonb, j FROM send_jobs WHERE jsonb_array_length(j) > 0
  RETURNING id)
SELECT msg.*, (SELECT id FROM ev_outbox) AS outbox_id,
       (SELECT json_agg(json_build_array(a.user_id, NULL)) FROM aud a) AS recipients,
       (SELECT ${positionSql('tx', 'id')} FROM ce) AS position, NULL::jsonb AS reply_quote, false AS needs_full
  FROM msg
UNION ALL
-- nothing written: a reply, or a member has a v1 client (SEND_SQL's cases)
SELECT msg.*, NULL, NULL, NULL, NULL, true FROM full_form LEFT JOIN msg ON false WHERE full_form.needed`;

/** The send with member rows for audience members with a v1 client (sendSql). */
export const SEND_SQL = sendSql('v1');
/** The send of a message that replies to none where no member has a v1 client; a `needs_full` row back: run SEND_SQL (sendSql). */
export const SEND_POSITIONS_SQL = sendSql('positions');

export interface SendParams {
  conversationId: string;
  senderId: string;
  id: string;
  clientId: string;
  text: string;
  /**
   * The message's links in order. A link whose verdict is cached and fresh (safe or
   * suspicious, not matched by the blocklist: `scan` false) is settled inside the send;
   * the others are stored `pending` for the backlog scan.
   */
  linkRows: Array<{ url: string; host: string; scan?: boolean }>;
  /** Enqueued with the message only when one of its links is left pending (the send passes none: its backlog row is the scan's queue). */
  jobs: OutboxJob[];
  /** Enqueued only when the send counted against a pending request (spam scoring). */
  requestJobs: OutboxJob[];
  /** Unused (links are built in SQL from linkRows); accepted so older callers still type-check. */
  links?: unknown;
  /** The quoted message (v1.1 replies), already checked to be one the sender can see. */
  replyTo?: { seq: number; senderId: string } | null;
  /** Store it `held` (a live staff rule with action hold): only its sender reads it until staff approve. */
  held?: boolean;
  /** How long a v1 client's last sync or connect keeps its user's member rows written (EVENT_RETENTION_DAYS; default 30). */
  v1WindowDays?: number;
}

/** SEND_SQL's parameters in order (the benchmark's floor uses this too). */
export const sendParams = (p: SendParams): unknown[] => [
  p.conversationId,
  p.senderId,
  p.id,
  p.clientId,
  p.text,
  JSON.stringify(p.linkRows.map((l, ord) => ({ ord, url: l.url, host: l.host, scan: l.scan ?? false }))),
  JSON.stringify(p.jobs),
  JSON.stringify(p.requestJobs),
  p.replyTo?.seq ?? null,
  p.replyTo?.senderId ?? null,
  p.held ?? false,
  p.v1WindowDays ?? 30,
];

/** A page of what the viewer ($2) may read, by seq. */
export const LIST_AFTER_SQL = `
SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
 WHERE x.conversation_id = $1 AND x.seq > $3 AND ($4::bigint IS NULL OR x.seq < $4) AND ${memberReadsMessageSql('me', 'x')}
 ORDER BY x.seq LIMIT $5`;
export const LIST_BEFORE_SQL = `
SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
 WHERE x.conversation_id = $1 AND x.seq < $3 AND ${memberReadsMessageSql('me', 'x')}
 ORDER BY x.seq DESC LIMIT $4`;

/** Why a send was refused, and whether this clientId was already stored (the slow path). */
export const CONTEXT_SQL = `
SELECT c.kind, c.creator_id, me.state AS my_state, ${writeCheckColumns('u', 'c', '$2', { send: true })},
       (SELECT row_to_json(y) FROM (SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x
          WHERE x.conversation_id = c.id AND x.sender_id = $2 AND x.client_id = $3) y) AS existing
  FROM conversation c
  JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE c.id = $1`;

/**
 * The message a reply quotes ($3: its seq), if the sender ($2) can see it in conversation $1
 * (policy/visibility.ts), with the sender's membership and the write check (policy/write-policy.ts),
 * so a reply is refused for the same reasons, in the same order, as any send.
 */
export const REPLY_TARGET_SQL = `
SELECT me.state AS my_state, ${writeCheckColumns('u', 'c', '$2')},
       (SELECT x.sender_id FROM message x
         WHERE x.conversation_id = $1 AND x.seq = $3 AND x.state = 'visible' AND ${memberReadsMessageSql('me', 'x')}) AS target_sender_id
  FROM conversation c
  JOIN conversation_member me ON me.conversation_id = c.id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE c.id = $1`;

/** The send, one statement: the stored row with `recipients` and `outbox_id`, or none when a rule refused it (the slow path says which). */
export async function insertMessage(q: Prepares, params: unknown[]): Promise<MessageRow | undefined> {
  const [row] = await q.prepared('message_send', SEND_SQL, params);
  return row;
}

/** What SEND_POSITIONS_SQL answers for a reply or where a member has a v1 client: nothing was written, run SEND_SQL. */
export const NEEDS_FULL_SEND = Symbol('needs SEND_SQL');

/** The send without member rows and reply quote (SEND_POSITIONS_SQL): as insertMessage, or NEEDS_FULL_SEND (nothing written). */
export async function insertMessagePositions(q: Prepares, params: unknown[]): Promise<MessageRow | undefined | typeof NEEDS_FULL_SEND> {
  const [row] = await q.prepared<MessageRow>('message_send_positions', SEND_POSITIONS_SQL, params);
  if (!row) return undefined;
  if (row.needs_full === true) return NEEDS_FULL_SEND;
  delete row.needs_full;
  return row;
}

/** What the slow path decides from (CONTEXT_SQL), camelCased; none when the sender is no member. */
export interface SendContext extends WriteCheckRow {
  kind: string;
  creatorId: string | null;
  myState: string;
  existing: MessageRow | null;
}

export async function sendContext(
  q: Prepares,
  conversationId: string,
  senderId: string,
  clientId: string,
): Promise<SendContext | undefined> {
  const [r] = await q.prepared('message_send_context', CONTEXT_SQL, [conversationId, senderId, clientId]);
  if (!r) return undefined;
  return {
    kind: r.kind,
    creatorId: r.creator_id,
    myState: r.my_state,
    restricted: r.restricted,
    restricted_until: r.restricted_until,
    locked: r.locked === true,
    blocked: r.blocked,
    over_request_cap: r.over_request_cap,
    existing: r.existing,
  };
}

/** The reply target and the replier's write check (REPLY_TARGET_SQL), camelCased; none when the replier is no member. */
export interface ReplyTarget extends WriteCheckRow {
  myState: string;
  targetSenderId: string | null;
}

export async function replyTarget(q: Prepares, conversationId: string, senderId: string, seq: number): Promise<ReplyTarget | undefined> {
  const [r] = await q.prepared('message_reply_target', REPLY_TARGET_SQL, [conversationId, senderId, seq]);
  if (!r) return undefined;
  return {
    myState: r.my_state,
    restricted: r.restricted,
    restricted_until: r.restricted_until,
    locked: r.locked === true,
    blocked: r.blocked,
    targetSenderId: r.target_sender_id,
  };
}

/** The sender's message with this clientId, if stored. */
export async function findByClientId(
  q: Queryable,
  conversationId: string,
  senderId: string,
  clientId: string,
): Promise<MessageRow | undefined> {
  const [row] = await q.query(
    `SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x WHERE x.conversation_id = $1 AND x.sender_id = $2 AND x.client_id = $3`,
    [conversationId, senderId, clientId],
  );
  return row;
}

/** Ids of the active members (they hear of an accept). */
export async function activeMemberIds(q: Queryable, conversationId: string): Promise<string[]> {
  return (await q.query(`SELECT user_id FROM conversation_member WHERE conversation_id = $1 AND state = 'active'`, [conversationId])).map(
    (x) => x.user_id,
  );
}

/** A page the viewer may read: after `afterSeq` (and before `beforeSeq`, if given) ascending. */
export function listAfter(
  q: Prepares,
  conversationId: string,
  viewerId: string,
  afterSeq: number,
  beforeSeq: number | null,
  limit: number,
): Promise<MessageRow[]> {
  return q.prepared('message_list_after', LIST_AFTER_SQL, [conversationId, viewerId, afterSeq, beforeSeq, limit]);
}

/** The page right before `beforeSeq`, newest first. */
export function listBefore(q: Prepares, conversationId: string, viewerId: string, beforeSeq: number, limit: number): Promise<MessageRow[]> {
  return q.prepared('message_list_before', LIST_BEFORE_SQL, [conversationId, viewerId, beforeSeq, limit]);
}

/** The sender and state of message `messageId` of this conversation (unsend). */
export async function senderAndState(
  q: Queryable,
  conversationId: string,
  messageId: string,
): Promise<{ senderId: string; state: string } | undefined> {
  const [r] = await q.query('SELECT sender_id, state FROM message WHERE id = $1 AND conversation_id = $2', [messageId, conversationId]);
  return r ? { senderId: r.sender_id, state: r.state } : undefined;
}

/**
 * Removes a visible or held message for every end user, moving its text and links to
 * `message_retained` in the same statement (see MessagesService.removeIn); none when it was
 * already removed or is unknown.
 */
export async function removeMessage(q: Queryable, messageId: string, reason: string): Promise<MessageRow | undefined> {
  const [row] = await q.query(
    `WITH old AS (SELECT id, conversation_id, text, links FROM message WHERE id = $1 AND state IN ('visible', 'held') FOR UPDATE),
     removed AS (
       UPDATE message m SET state = 'removed', removed_reason = $2, text = NULL, links = '[]'::jsonb, updated_at = now()
         FROM old WHERE m.id = old.id RETURNING m.*),
     kept AS (
       INSERT INTO message_retained (message_id, conversation_id, text, links, reason)
       SELECT old.id, old.conversation_id, old.text, old.links, $2 FROM old, removed
       ON CONFLICT (message_id, conversation_id) DO NOTHING)
     SELECT removed.*, ${REPLY_QUOTE_SQL('removed')} FROM removed`,
    [messageId, reason],
  );
  return row;
}

/** A message by id with its reply quote. */
export async function messageById(q: Queryable, messageId: string): Promise<MessageRow | undefined> {
  const [row] = await q.query(`SELECT x.*, ${REPLY_QUOTE_SQL('x')} FROM message x WHERE x.id = $1`, [messageId]);
  return row;
}

/** Who hears of a change to message `messageId` (policy/visibility.ts). */
export async function audienceOf(q: Queryable, messageId: string): Promise<string[]> {
  return (await q.query(MESSAGE_AUDIENCE_SQL, [messageId])).map((r) => r.user_id);
}

// Edits (MessageEditsService)

/**
 * The message ($3) of conversation $1 with what decides whether its sender ($2) may edit it
 * now: the editor's membership and whether they can see it, the write check a send makes
 * (policy/write-policy.ts: a restriction, a block across a direct conversation), the edit window ($4 minutes),
 * how many versions it keeps, and whether someone is still pending (a new link is then held
 * from them: HeldLinks). Read once before the staff rules screen the text (so rules only ever
 * see an edit of the caller's own message) and again, locked, for the write.
 */
export const EDIT_READ_SQL = (lock: boolean) => `
SELECT x.*, ${REPLY_QUOTE_SQL('x')}, me.state AS my_state, ${memberSeesMessageSql('me', 'x')} AS sees, ${writeCheckColumns('u', 'c', '$2')},
       (x.created_at > now() - make_interval(mins => $4::int)) AS in_window,
       (SELECT count(*)::int FROM message_version v WHERE v.message_id = x.id) AS versions,
       EXISTS (SELECT 1 FROM conversation_member p WHERE p.conversation_id = x.conversation_id AND p.state = 'pending') AS someone_pending
  FROM message x
  JOIN conversation c ON c.id = x.conversation_id
  JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE x.conversation_id = $1 AND x.id = $3${lock ? '\n   FOR UPDATE OF x' : ''}`;

/**
 * One edit under the row lock: the text and links it replaces become the next
 * `message_version` (staff only; reports freeze them), the row gets the new text, links and
 * `edited_at`, and new URLs get their link occurrences (the same scan machinery as a send;
 * one per message and URL, whoever writes it first: the link backlog's batch may be writing it).
 * No row back: the message already keeps $6 versions. The cap is checked here, in a statement
 * that starts once the lock is held: the locked read's own snapshot predates the lock wait,
 * so its count could miss the versions of edits that committed while it waited.
 */
export const EDIT_WRITE_SQL = `
WITH ver AS (
  INSERT INTO message_version (message_id, conversation_id, version, text, links, written_at)
  SELECT m.id, m.conversation_id, coalesce((SELECT max(v.version) FROM message_version v WHERE v.message_id = m.id), 0) + 1,
         m.text, m.links, coalesce(m.edited_at, m.created_at)
    FROM message m WHERE m.id = $1 AND (SELECT count(*) FROM message_version v WHERE v.message_id = m.id) < $6
  RETURNING 1),
upd AS (
  UPDATE message m SET text = $2, links = $3::jsonb, link_hold = $4, edited_at = now(), updated_at = now()
   WHERE m.id = $1 AND EXISTS (SELECT 1 FROM ver)
  RETURNING m.*),
occ AS (
  INSERT INTO link_occurrence (url, host, message_id, conversation_id, scanned_at)
  SELECT x.url, x.host, upd.id, upd.conversation_id, CASE WHEN x.pending THEN NULL ELSE now() END
    FROM upd, jsonb_to_recordset($5::jsonb) AS x(url text, host text, pending boolean)
   WHERE NOT EXISTS (SELECT 1 FROM link_occurrence o WHERE o.message_id = upd.id AND o.url = x.url)
  ON CONFLICT (message_id, url) DO NOTHING
  RETURNING 1)
SELECT upd.*, ${REPLY_QUOTE_SQL('upd')} FROM upd`;

/** The edit's read (EDIT_READ_SQL), optionally locking the message; a message row plus what the edit decides from. */
export async function editContext(
  q: Queryable,
  conversationId: string,
  userId: string,
  messageId: string,
  windowMinutes: number,
  opts: { lock?: boolean } = {},
): Promise<(MessageRow & WriteCheckRow) | undefined> {
  const [row] = await q.query(opts.lock ? EDIT_LOCK_SQL : EDIT_CHECK_SQL, [conversationId, userId, messageId, windowMinutes]);
  return row;
}
const EDIT_CHECK_SQL = EDIT_READ_SQL(false);
const EDIT_LOCK_SQL = EDIT_READ_SQL(true);

/** One edit under the row lock (EDIT_WRITE_SQL); none when the message already keeps `maxVersions` versions. */
export async function writeEdit(
  q: Queryable,
  e: {
    messageId: string;
    text: string;
    links: unknown[];
    hold: boolean;
    occurrences: Array<{ url: string; host: string; pending: boolean }>;
    maxVersions: number;
  },
): Promise<MessageRow | undefined> {
  const [row] = await q.query(EDIT_WRITE_SQL, [
    e.messageId,
    e.text,
    JSON.stringify(e.links),
    e.hold,
    JSON.stringify(e.occurrences),
    e.maxVersions,
  ]);
  return row;
}

// Reactions (MessageReactionsService)

/**
 * The message ($3) and whether the reactor ($2) may react to it, locked: they can see it, they
 * may write here (policy/write-policy.ts: not restricted, no block across a direct conversation), and
 * no block stands between them and its sender (in any conversation). FOR NO KEY UPDATE:
 * reactions to one message are serialised (the 20-emoji cap holds under races) without
 * blocking the foreign-key checks of events.
 */
export const REACT_READ_SQL = `
SELECT x.id, x.state, x.sender_id, x.reactions, me.state AS my_state, ${memberSeesMessageSql('me', 'x')} AS sees, ${writeCheckColumns('u', 'c', '$2')},
       ${pairBlockedSql('$2', 'x.sender_id')} AS blocked_sender
  FROM message x
  JOIN conversation c ON c.id = x.conversation_id
  JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
  JOIN app_user u ON u.id = $2
 WHERE x.conversation_id = $1 AND x.id = $3
   FOR NO KEY UPDATE OF x`;

/** The reaction's locked read (REACT_READ_SQL). */
export async function reactContext(
  q: Queryable,
  conversationId: string,
  userId: string,
  messageId: string,
): Promise<(MessageRow & WriteCheckRow) | undefined> {
  const [row] = await q.query(REACT_READ_SQL, [conversationId, userId, messageId]);
  return row;
}

/** Stores a message's reactions; the updated row. */
export async function setReactions(q: Queryable, messageId: string, reactions: unknown[]): Promise<MessageRow> {
  const [row] = await q.query(`UPDATE message x SET reactions = $2::jsonb WHERE x.id = $1 RETURNING x.*, ${REPLY_QUOTE_SQL('x')}`, [
    messageId,
    JSON.stringify(reactions),
  ]);
  return row;
}

/**
 * Up to `limit` messages of conversations `userId` is or was a member of that carry a reaction
 * of theirs, each with its reactions, locked as REACT_READ_SQL locks (account deletion).
 */
export async function lockReactedBy(q: Queryable, userId: string, limit: number): Promise<Array<{ id: string; reactions: unknown }>> {
  return q.query(
    `SELECT x.id, x.reactions FROM message x
      WHERE x.conversation_id IN (SELECT cm.conversation_id FROM conversation_member cm WHERE cm.user_id = $1)
        AND x.reactions @> jsonb_build_array(jsonb_build_object('by', jsonb_build_array($1::text)))
      LIMIT $2 FOR NO KEY UPDATE OF x`,
    [userId, limit],
  );
}

// Search (MessageSearchService)

/**
 * Full-text search over what the caller ($1) may read: conversations where they are `active`
 * (optionally one, $3), visible messages only (removed and held ones are not `visible`), and
 * per message the same predicate as every reader (policy/visibility.ts: history from when
 * they joined, never a sender they block). `simple` configuration: messages come in any
 * language, so words are matched as written (lower-cased), with no language's stemming.
 * The conversation ids are an array (an init plan): the planner ANDs the GIN index on
 * `search_tsv` (the words) with a conversation_id index (mine), or uses the latter alone
 * when the words are common. Ranking reads the stored tsvector (nothing parsed again).
 * Keyset pagination on (rank, id): $4/$5.
 * Planned for each search, NOT prepared: with the words known, PostgreSQL estimates from the
 * column's word statistics and picks per query (the words' GIN bitmap ANDed with my
 * conversations for rare words, my conversations filtered for very common ones). A generic
 * prepared plan cannot tell the two apart and made every search read all my messages.
 * Snippets (ts_headline re-parses the text) are made for the page's rows only.
 */
const SEARCH_SQL = `
WITH mine AS (
  SELECT m.conversation_id, m.user_id, m.state, m.visible_from_seq FROM conversation_member m
   WHERE m.user_id = $1 AND m.state = 'active' AND ($3::uuid IS NULL OR m.conversation_id = $3)),
hits AS (
  SELECT x.id, x.conversation_id, x.seq, x.sender_id, x.created_at, x.text,
         ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) AS rank
    FROM message x JOIN mine me ON me.conversation_id = x.conversation_id
   WHERE x.conversation_id = ANY (ARRAY(SELECT conversation_id FROM mine))
     AND x.state = 'visible' AND x.search_tsv @@ websearch_to_tsquery('simple', $2)
     AND ${memberSeesMessageSql('me', 'x')}
     AND ($4::real IS NULL OR ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) < $4::real
          OR (ts_rank(x.search_tsv, websearch_to_tsquery('simple', $2)) = $4::real AND x.id > $5::uuid))
   ORDER BY rank DESC, x.id
   LIMIT $6)
SELECT hits.id, hits.conversation_id, hits.seq, hits.sender_id, hits.created_at, hits.rank,
       ts_headline('simple', hits.text, websearch_to_tsquery('simple', $2),
                   'StartSel="", StopSel="", MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=" … "') AS snippet
  FROM hits ORDER BY hits.rank DESC, hits.id`;

/** One search hit as the service pages it, camelCased. */
export interface SearchRow {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  createdAt: Date;
  rank: number;
  snippet: string;
}

/** A page of SEARCH_SQL: hits after (afterRank, afterId), best first. */
export async function searchMessages(
  q: Queryable,
  s: { userId: string; q: string; conversationId: string | null; afterRank: unknown; afterId: unknown; limit: number },
): Promise<SearchRow[]> {
  const rows = await q.query(SEARCH_SQL, [s.userId, s.q, s.conversationId, s.afterRank, s.afterId, s.limit]);
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    createdAt: new Date(r.created_at),
    rank: r.rank,
    snippet: r.snippet,
  }));
}

/** Whether the user is an active member of the conversation. */
export async function isActiveMember(q: Queryable, conversationId: string, userId: string): Promise<boolean> {
  const rows = await q.query(`SELECT 1 FROM conversation_member WHERE conversation_id = $1 AND user_id = $2 AND state = 'active'`, [
    conversationId,
    userId,
  ]);
  return rows.length > 0;
}
