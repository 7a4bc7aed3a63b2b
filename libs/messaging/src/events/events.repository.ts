import type { PreparingQueryable, Queryable } from '../db/db.service';
import type { OutboxJob } from '../queues';
import { REPLY_QUOTE_SQL } from '../views/message-view';
import { hearsReadMarkerSql, memberReadsMessageSql } from '../policy/visibility';

/**
 * The event stream's SQL (STYLE.md 9, 12): writing events with their per-user cursors, reading
 * a user's page for sync, partition upkeep, and the outbox the relay drains. Functions take a
 * Queryable so they run inside the caller's db.tx; rows come back typed and camelCased.
 */

/**
 * SQL that turns rows of {ord, user_id, type, payload, message_id} into event rows with
 * per-user cursors and one outbox row. The user_cursor rows are locked in user-id order
 * (so concurrent writers cannot deadlock on them) and held until commit, which makes each
 * user's cursors strictly increasing in commit order: sync can never skip a late commit.
 * Exported as fragments so the message send can embed it in its single statement.
 * A message.* event stores a reference (message_id) and not the message: sync renders the
 * message's current state from its row (a removed message is never replayed with its text,
 * a scanned one shows its verdicts), so one send writes the message once, not once per
 * member. The outbox copy (for the live push) still carries the payload as given.
 */
export function eventInsertCtes(
  inputCte: string,
  jobsParam: string,
  opts: { outboxEvents?: boolean; positioned?: boolean; mirrors?: boolean } = {},
): string {
  // outboxEvents false (the send): the outbox row is written only for jobs; the committing
  // process pushes the events itself from what the statement returned (EventsService.push).
  const outboxEvents = opts.outboxEvents ?? true;
  // positioned false (the send's message.created): conversation_event carries the event's one
  // position, so the member rows get none (tx null: never served by position, no index entry).
  // mirrors (v1 member rows of conversation_event rows, memberRowsOfSql): unpositioned, and the
  // input's ce_id, the id of the conversation_event each row mirrors, goes to `pos` (tx stays
  // null, so the positions stream never serves it): the key V1_CATCH_UP_SQL dedupes by.
  const mirrors = opts.mirrors ?? false;
  const positioned = !mirrors && (opts.positioned ?? true);
  const events = outboxEvents
    ? `coalesce((SELECT jsonb_agg(jsonb_build_object('userId', n.user_id, 'cursor', n.cursor::text, 'position', ${positionSql('i.tx', 'i.pos')}, 'type', n.type, 'payload', n.payload))
                   FROM ev_numbered n JOIN ev_ins i ON i.user_id = n.user_id AND i.cursor = n.cursor), '[]'::jsonb)`
    : `'[]'::jsonb`;
  const when = outboxEvents
    ? `EXISTS (SELECT 1 FROM ev_ins) OR jsonb_array_length(${jobsParam}::jsonb) > 0`
    : `jsonb_array_length(${jobsParam}::jsonb) > 0`;
  return `
  ev_counts AS (SELECT user_id, count(*)::bigint AS n FROM ${inputCte} GROUP BY user_id),
  ev_locked AS (SELECT uc.user_id FROM user_cursor uc WHERE uc.user_id IN (SELECT user_id FROM ev_counts) ORDER BY uc.user_id FOR UPDATE),
  ev_bumped AS (
    UPDATE user_cursor uc SET last = uc.last + c.n FROM ev_counts c
     WHERE uc.user_id = c.user_id AND uc.user_id IN (SELECT user_id FROM ev_locked)
     RETURNING uc.user_id, uc.last - c.n AS base),
  ev_numbered AS (
    SELECT i.user_id, i.type, i.payload, i.message_id${mirrors ? ', i.ce_id' : ''}, b.base + row_number() OVER (PARTITION BY i.user_id ORDER BY i.ord) AS cursor
      FROM ${inputCte} i JOIN ev_bumped b ON b.user_id = i.user_id),
  ev_ins AS (
    INSERT INTO event (user_id, cursor, type, payload, message_id${positioned ? '' : ', tx, pos'})
    SELECT user_id, cursor, type, CASE WHEN message_id IS NULL THEN payload ELSE payload - 'message' END, message_id${positioned ? '' : mirrors ? ', NULL, ce_id' : ', NULL, NULL'}
      FROM ev_numbered
    RETURNING user_id, cursor, message_id, tx, pos),
  ev_outbox AS (
    INSERT INTO outbox (events, jobs)
    SELECT ${events}, ${jobsParam}::jsonb
     WHERE ${when}
    RETURNING id)`;
}

/** A stream position as it travels (a cursor of the positions stream): `p1.<tx>.<id>`, opaque to clients. */
export const positionSql = (tx: string, id: string): string => `('p1.' || ${tx}::text || '.' || ${id}::text)`;

/**
 * Takes the conversation's turn for writing its events: `pg_advisory_xact_lock`, which assigns
 * no xid, so the writer's xid (its position's `tx`) comes only after the previous writer of
 * that conversation committed, and positions follow seq inside a conversation. A row lock does
 * not give that: PostgreSQL assigns the xid before waiting for one. Call it before the
 * transaction's first write; the send embeds conversationTurnSql in its statement instead.
 */
export const conversationTurnSql = (conversationId: string): string =>
  `pg_advisory_xact_lock(hashtextextended(${conversationId}::text, 28))`;

export async function takeConversationTurn(q: Queryable, conversationId: string): Promise<void> {
  await q.query(`SELECT ${conversationTurnSql('$1::uuid')}`, [conversationId]);
}

/**
 * Whether user `u` has a v1 client (one that synced or connected within `days` days,
 * user_cursor.v1_seen_at, EventsService.v1Contact): only such a user gets member `event` rows
 * for the events `conversation_event` carries, as in the send (SEND_SQL).
 */
export const hasV1ClientSql = (u: string, days: string): string =>
  `EXISTS (SELECT 1 FROM user_cursor uc WHERE uc.user_id = ${u} AND uc.v1_seen_at > now() - make_interval(days => ${days}::int))`;

/**
 * The v1 member rows of conversation events (eventInsertCtes' input, with `mirrors`): `from`
 * yields one row per (event, member) with `ce_id` (the conversation_event's id), `user_id`,
 * `type`, `message_id` and `payload` (conversation_event.payload: what an event without a
 * message carries, read.updated; null for a message event, whose member row references the
 * message and sync renders it as it is now). The one rule for what a member row of a
 * conversation event holds: the live writers (messageEventCtes, READ_EVENT_SQL) and the v1
 * catch-up (V1_CATCH_UP_SQL) use it. `order` orders the rows' cursors.
 */
const memberRowsOfSql = (from: string, order: string): string =>
  `SELECT (row_number() OVER (ORDER BY ${order}))::int AS ord, r.user_id, r.type::text AS type, coalesce(r.payload, '{}'::jsonb) AS payload,
          r.message_id, r.ce_id
     FROM ${from} r`;

/**
 * CTEs that write a message event (message.updated) once per message of `msgCte` (rows of
 * `message`, as the statement left them): `ce_aud` its audience, the members who read it now
 * (memberReadsMessageSql, the one rule; the same users the live push goes to), `ce` the
 * `conversation_event` row at this transaction's position (skipped when nobody reads it), and
 * member `event` rows (`ev_ins`) only for audience members with a v1 client. `type` and `days`
 * are SQL expressions. Pair with messageEventRecipientsSql / messageEventPositionSql, or
 * conversationEventOutboxCte for the outbox.
 */
export function messageEventCtes(msgCte: string, type: string, days: string, audience?: string): string {
  // `audience` (SQL, uuid[]): a part of the readers that its caller's rule picked out of them
  // (HeldLinks: those who had it, or not); else every member who reads it.
  const readers = audience
    ? `SELECT x.id AS message_id, x.conversation_id, u.user_id FROM ${msgCte} x CROSS JOIN unnest(${audience}) AS u(user_id)`
    : `SELECT x.id AS message_id, x.conversation_id, m.user_id FROM ${msgCte} x JOIN conversation_member m ON m.conversation_id = x.conversation_id
     WHERE ${memberReadsMessageSql('m', 'x')}`;
  return `
  ce_aud AS (
    ${readers}),
  ce AS (
    INSERT INTO conversation_event (conversation_id, type, message_id, audience)
    SELECT x.conversation_id, ${type}, x.id, ARRAY(SELECT a.user_id FROM ce_aud a WHERE a.message_id = x.id ORDER BY a.user_id)
      FROM ${msgCte} x WHERE EXISTS (SELECT 1 FROM ce_aud a WHERE a.message_id = x.id) ORDER BY x.conversation_id, x.id
    RETURNING message_id, tx, id, type, payload),
  ev_input AS (
    ${memberRowsOfSql(
      `(SELECT ce.id AS ce_id, a.user_id, ce.type, ce.message_id, ce.payload FROM ce_aud a JOIN ce ON ce.message_id = a.message_id
         WHERE ${hasV1ClientSql('a.user_id', days)})`,
      'r.message_id, r.user_id',
    )}),
${eventInsertCtes('ev_input', `'[]'::jsonb`, { outboxEvents: false, mirrors: true })}`;
}

/** For message `x` of messageEventCtes: [[userId, per-user cursor or null], ...], the push's recipients (EventsService.push). */
export const messageEventRecipientsSql = (x: string): string =>
  `(SELECT json_agg(json_build_array(a.user_id, i.cursor::text) ORDER BY a.user_id) FROM ce_aud a
     LEFT JOIN ev_ins i ON i.user_id = a.user_id AND i.message_id = a.message_id WHERE a.message_id = ${x}.id)`;

/** For message `x` of messageEventCtes: its event's position `p1.<tx>.<id>`, null when nobody reads it. */
export const messageEventPositionSql = (x: string): string =>
  `(SELECT ${positionSql('ce.tx', 'ce.id')} FROM ce WHERE ce.message_id = ${x}.id)`;

/**
 * The outbox row of what messageEventCtes / READ_EVENT_SQL wrote: one entry per audience member
 * with its event's position and its per-user cursor (null without a member row: positions
 * sockets only), the payload `payloads` (SQL: a jsonb object keyed by message id, or the one
 * payload for an event without a message), and the jobs `jobs` (SQL jsonb).
 */
const conversationEventOutboxCte = (payloadFor: string, jobs: string): string => `
  ce_outbox AS (
    INSERT INTO outbox (events, jobs)
    SELECT coalesce((SELECT jsonb_agg(jsonb_build_object('userId', a.user_id, 'cursor', i.cursor::text, 'position', ${positionSql('ce.tx', 'ce.id')},
                                                         'type', ce_type.t, 'payload', ${payloadFor}) ORDER BY ce.tx, ce.id, a.user_id)
                       FROM ce_aud a JOIN ce ON ce.message_id IS NOT DISTINCT FROM a.message_id
                       LEFT JOIN ev_ins i ON i.user_id = a.user_id AND i.message_id IS NOT DISTINCT FROM a.message_id), '[]'::jsonb),
           ${jobs}::jsonb
      FROM ce_type
     WHERE EXISTS (SELECT 1 FROM ce) OR jsonb_array_length(${jobs}::jsonb) > 0
    RETURNING id)`;

/**
 * message.updated (or another message event, $2) of messages $1, in the caller's transaction
 * after its change (which took the conversation's turn first: takeConversationTurn): the
 * conversation_event rows, v1 member rows, and one outbox row for the live push and jobs $5.
 */
const MESSAGE_EVENTS_SQL = `
WITH ce_type AS (SELECT $2::text AS t),
x AS (SELECT * FROM message WHERE id = ANY ($1::uuid[])),
${messageEventCtes('x', '$2::text', '$4')},
${conversationEventOutboxCte('$3::jsonb -> a.message_id::text', '$5')}
SELECT (SELECT id FROM ce_outbox) AS outbox_id`;

/**
 * A message event of message $1 for exactly the users $6 (uuid[]), whom the caller's statement
 * picked with the visibility rule (HeldLinks' release, a held message's approval), otherwise as
 * MESSAGE_EVENTS_SQL.
 */
const MESSAGE_EVENT_FOR_SQL = `
WITH ce_type AS (SELECT $2::text AS t),
x AS (SELECT * FROM message WHERE id = ANY ($1::uuid[])),
${messageEventCtes('x', '$2::text', '$4', '$6::uuid[]')},
${conversationEventOutboxCte('$3::jsonb -> a.message_id::text', '$5')}
SELECT (SELECT id FROM ce_outbox) AS outbox_id`;

export async function insertMessageEventFor(
  q: Queryable,
  type: string,
  messageId: string,
  userIds: string[],
  payload: Record<string, unknown>,
  v1Days: number,
  jobs: OutboxJob[] = [],
): Promise<string | null> {
  if (userIds.length === 0 && jobs.length === 0) return null;
  const [r] = await q.query<{ outbox_id: string | null }>(MESSAGE_EVENT_FOR_SQL, [
    [messageId],
    type,
    JSON.stringify({ [messageId]: payload }),
    v1Days,
    JSON.stringify(jobs),
    userIds,
  ]);
  return r?.outbox_id ?? null;
}

/** MESSAGE_EVENTS_SQL: `payloads` by message id (the live copy); the outbox id, or null when nothing was written. */
export async function insertMessageEvents(
  q: Queryable,
  type: string,
  messageIds: string[],
  payloads: Record<string, Record<string, unknown>>,
  v1Days: number,
  jobs: OutboxJob[] = [],
): Promise<string | null> {
  const [r] = await q.query<{ outbox_id: string | null }>(MESSAGE_EVENTS_SQL, [
    messageIds,
    type,
    JSON.stringify(payloads),
    v1Days,
    JSON.stringify(jobs),
  ]);
  return r?.outbox_id ?? null;
}

/**
 * read.updated of reader $2 in conversation $1 (payload $3), in the caller's transaction after
 * the marker moved (under the conversation's turn): once in `conversation_event`, its audience
 * the members who hear of the reader's marker (hearsReadMarkerSql), member rows only for those
 * with a v1 client ($4 days), one outbox row for the live push.
 */
const READ_EVENT_SQL = `
WITH ce_type AS (SELECT 'read.updated'::text AS t),
ce_aud AS (
  SELECT NULL::uuid AS message_id, m.user_id FROM conversation_member m
   WHERE m.conversation_id = $1 AND ${hearsReadMarkerSql('m', '$2::uuid')}),
ce AS (
  INSERT INTO conversation_event (conversation_id, type, message_id, audience, payload)
  SELECT $1, 'read.updated', NULL, ARRAY(SELECT user_id FROM ce_aud ORDER BY user_id), $3::jsonb
   WHERE EXISTS (SELECT 1 FROM ce_aud)
  RETURNING message_id, tx, id, type, payload),
ev_input AS (
  ${memberRowsOfSql(
    `(SELECT ce.id AS ce_id, a.user_id, ce.type, ce.message_id, ce.payload FROM ce_aud a CROSS JOIN ce WHERE ${hasV1ClientSql('a.user_id', '$4')})`,
    'r.user_id',
  )}),
${eventInsertCtes('ev_input', `'[]'::jsonb`, { outboxEvents: false, mirrors: true })},
${conversationEventOutboxCte('$3::jsonb', `'[]'`)}
SELECT (SELECT id FROM ce_outbox) AS outbox_id`;

export async function insertReadEvent(
  q: Queryable,
  conversationId: string,
  readerId: string,
  payload: Record<string, unknown>,
  v1Days: number,
): Promise<string | null> {
  const [r] = await q.query<{ outbox_id: string | null }>(READ_EVENT_SQL, [conversationId, readerId, JSON.stringify(payload), v1Days]);
  return r?.outbox_id ?? null;
}

/** takeConversationTurn for the conversation of message `messageId` (a read: no xid yet); nothing for an unknown message. */
export async function takeMessageTurn(q: Queryable, messageId: string): Promise<void> {
  await q.query(`SELECT ${conversationTurnSql('m.conversation_id')} FROM message m WHERE m.id = $1::uuid`, [messageId]);
}

/** One event to store, in the order given; messageId set for a message.* event (the row is referenced, not copied). */
export interface NewEvent {
  userId: string;
  type: string;
  payload: Record<string, unknown>;
  messageId: string | null;
}

/** Stores the events (and jobs) in one statement; the outbox row's id, or null when none was written. */
export async function insertEvents(q: Queryable, events: NewEvent[], jobs: OutboxJob[]): Promise<string | null> {
  const input = events.map((e, ord) => ({ ord, user_id: e.userId, type: e.type, payload: e.payload, message_id: e.messageId }));
  const rows = await q.query<{ id: string }>(
    `WITH ev_input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord int, user_id uuid, type text, payload jsonb, message_id uuid)),
       ${eventInsertCtes('ev_input', '$2')}
       SELECT id FROM ev_outbox`,
    [JSON.stringify(input), JSON.stringify(jobs)],
  );
  return rows[0]?.id ?? null;
}

/** A user's cursor bounds: the last cursor handed out, and the first one still kept (older days were dropped). */
export interface UserCursor {
  last: bigint;
  prunedBelow: bigint;
}

/** Null for a user without a cursor row. */
export async function findUserCursor(q: Queryable, userId: string): Promise<UserCursor | null> {
  const [row] = await q.query<{ last: string; pruned_below: string }>('SELECT last, pruned_below FROM user_cursor WHERE user_id = $1', [
    userId,
  ]);
  return row ? { last: BigInt(row.last), prunedBelow: BigInt(row.pruned_below) } : null;
}

/**
 * A page of a user's events, each message in it as the user reads it now. A message.* event gets
 * its message's current row, and a conversation event (conversation.updated, request.created)
 * the current row of the lastMessage its payload named (the stored copy may hold text since
 * unsent or removed), each with whether the user reads it now (`m_reads`, `lm_reads`: the lists'
 * own predicate, memberReadsMessageSql, on their membership row). Still one statement: a few
 * index probes per event row, each an explicit LATERAL ... LIMIT 1 on a primary key: autovacuum
 * may be off and the tables unanalyzed, and a plain join's estimates (message: ~100 rows per id)
 * then multiplied the page's rows into a cost past jit_above_cost (a JIT compile of ~1 s for a
 * page of 500) and left room for a hash join that scans `message`; a probe is one row at most,
 * so the plan stays a page of index probes whatever the statistics say.
 */
const syncSelectSql = (from: string, userId: string, cursor: string) => `
SELECT ${cursor}, e.type, e.payload, m.id AS m_id, m.conversation_id, m.seq, m.sender_id, m.client_id, m.text, m.links, m.state, m.removed_reason, m.created_at,
       m.edited_at, m.reply_to_seq, m.reply_to_sender_id, m.reactions, ${REPLY_QUOTE_SQL('m')},
       coalesce(${memberReadsMessageSql('r', 'm')}, false) AS m_reads,
       CASE WHEN lm.id IS NOT NULL THEN (SELECT row_to_json(q) FROM (SELECT lm.*, ${REPLY_QUOTE_SQL('lm')}) q) END AS lm_row,
       coalesce(${memberReadsMessageSql('lr', 'lm')}, false) AS lm_reads
  FROM ${from}
  LEFT JOIN LATERAL (SELECT * FROM message m0 WHERE m0.id = e.message_id LIMIT 1) m ON true
  LEFT JOIN LATERAL (
    SELECT * FROM conversation_member r0 WHERE r0.conversation_id = m.conversation_id AND r0.user_id = ${userId} LIMIT 1) r ON true
  LEFT JOIN LATERAL (
    SELECT * FROM message l0 WHERE e.message_id IS NULL AND l0.id = (e.payload #>> '{conversation,lastMessage,id}')::uuid LIMIT 1) lm ON true
  LEFT JOIN LATERAL (
    SELECT * FROM conversation_member l1 WHERE l1.conversation_id = lm.conversation_id AND l1.user_id = ${userId} LIMIT 1) lr ON true`;

/**
 * A v1 page: user $1's bounds (user_cursor: `last`, `pruned_below`, and whether their v1 mark
 * is fresh, markV1Client's test) and up to $3 of their events after cursor $2 (`where`: more
 * conditions on `event e`), rendered (syncSelectSql), in one statement: one round trip and one
 * snapshot, so the bounds are those of the rows read. The page's rows are picked first (LIMIT
 * inside `page`), then each is joined by its index probes; a user without a cursor row gets no
 * row at all. Every row carries the bounds; a page with no event is one row of bounds only.
 */
const syncV1PageSql = (where: string): string => `
WITH b AS (
  SELECT uc.last::text AS b_last, uc.pruned_below::text AS b_pruned, coalesce(uc.v1_seen_at > now() - interval '1 hour', false) AS b_fresh
    FROM user_cursor uc WHERE uc.user_id = $1),
page AS (
  SELECT e.cursor, e.type, e.payload, e.message_id FROM event e
   WHERE e.user_id = $1 AND e.cursor > $2${where}
   ORDER BY e.cursor LIMIT $3)
SELECT b.b_last, b.b_pruned, b.b_fresh, s.* FROM b LEFT JOIN LATERAL (
${syncSelectSql('page e', '$1::uuid', 'e.cursor')}) s ON true
 ORDER BY s.cursor`;

const SYNC_SQL = syncV1PageSql('');

/**
 * The same page, but only from the partitions of the last SYNC_RECENT_HOURS (pruned at executor
 * start: the bound is a stable expression), which is where a client that was online recently
 * finds everything. Whether it found everything is checked, not assumed: see readEventsAfter.
 */
const SYNC_RECENT_HOURS = 24;
export const SYNC_RECENT_SQL = syncV1PageSql(` AND e.created_at >= now() - interval '${SYNC_RECENT_HOURS} hours'`);

/**
 * Did the time-bounded query return the whole page? A user's cursors are consecutive (handed
 * out as last+1.. under the user_cursor lock, no gaps: a rolled-back writer rolls its bump back,
 * and only whole old days are ever dropped), so the page after `cursor` must be exactly
 * cursor+1, cursor+2, ... and hold min(limit+1, last-cursor) rows at least. Anything else (an
 * event older than the bound, e.g. a client offline for two days, or a late commit from a long
 * transaction) shows as a gap or a short page, and the caller falls back to the unbounded query:
 * the bound only ever saves work, it never hides an event.
 */
export function isCompletePage(rows: Array<{ cursor: string | number | bigint }>, after: bigint, last: bigint, wanted: number): boolean {
  const expected = last - after < BigInt(wanted) ? Number(last - after) : wanted;
  if (rows.length < expected) return false;
  return rows.every((r, i) => BigInt(r.cursor) === after + BigInt(i + 1));
}

/**
 * A `message` row as messageView reads it (snake_case columns, plus reply_quote). Opaque here:
 * the events layer only hands it to messageView / withheldMessageView.
 */
export type MessageRowForView = Record<string, unknown>;

/** A message an event shows, as it is now, and whether the event's user reads it now (memberReadsMessageSql). */
export interface ShownMessage {
  row: MessageRowForView;
  readable: boolean;
}

/** One stored event of a user, with the current state of the message it shows. */
export interface StoredEvent {
  cursor: string;
  type: string;
  payload: Record<string, unknown>;
  /** A message.* event's message. */
  message: ShownMessage | null;
  /** A conversation event's conversation.lastMessage, when its payload names one that still exists. */
  lastMessage: ShownMessage | null;
}

interface SyncRow {
  cursor: string | null;
  type: string;
  payload: Record<string, unknown>;
  m_id: string | null;
  m_reads: boolean;
  lm_row: MessageRowForView | null;
  lm_reads: boolean;
  [messageColumn: string]: unknown;
}

function storedEvent(r: SyncRow & { cursor: string }): StoredEvent {
  const { cursor, type, payload, m_id, m_reads, lm_row, lm_reads } = r;
  return {
    cursor,
    type,
    payload,
    // The row itself (not a copy: a page is 500 of them), named as messageView reads it.
    message: m_id ? { row: Object.assign(r, { id: m_id }), readable: m_reads } : null,
    lastMessage: lm_row ? { row: lm_row, readable: lm_reads } : null,
  };
}

/** A v1 page (readEventsAfter): the user's bounds as the page's statement read them, and the events. */
export interface V1Page {
  /** The user's cursor row: the last cursor handed out, the first still kept; null for a user without one. */
  bounds: UserCursor | null;
  /** Whether the user's v1 mark was fresh (within the hour) when the page was read: else the caller contacts (v1Contact) and reads again. */
  fresh: boolean;
  events: StoredEvent[];
}

type V1PageRow = SyncRow & { b_last: string; b_pruned: string; b_fresh: boolean };

/** A page statement's rows: the bounds every row carries, and the rows that carry an event (none: one row of bounds only). */
function v1PageRows(rows: V1PageRow[]): { bounds: UserCursor | null; fresh: boolean; rows: Array<SyncRow & { cursor: string }> } {
  const first = rows[0];
  if (!first) return { bounds: null, fresh: true, rows: [] };
  return {
    bounds: { last: BigInt(first.b_last), prunedBelow: BigInt(first.b_pruned) },
    fresh: first.b_fresh,
    rows: first.cursor === null ? [] : (rows as Array<V1PageRow & { cursor: string }>),
  };
}

/**
 * Up to `limit` of the user's events after cursor `after`, in cursor order, with the user's
 * bounds read in the same statement: first from the recent partitions only, and from all of
 * them when that page is not provably complete (isCompletePage against the `last` it read).
 * One round trip per page but for that fallback.
 */
export async function readEventsAfter(q: PreparingQueryable, userId: string, after: string, limit: number): Promise<V1Page> {
  const params = [userId, after, limit];
  let page = v1PageRows(await q.prepared<V1PageRow>('event_sync_recent', SYNC_RECENT_SQL, params));
  const last = page.bounds?.last ?? 0n;
  if (BigInt(after) <= last && !isCompletePage(page.rows, BigInt(after), last, limit)) {
    page = v1PageRows(await q.prepared<V1PageRow>('event_sync', SYNC_SQL, params));
  }
  return { bounds: page.bounds, fresh: page.fresh, events: page.rows.map(storedEvent) };
}

/**
 * The horizon H of snapshot `s` (a pg_snapshot expression): the oldest transaction of THIS
 * database still running in it (its xmax when none), so every row positioned below H is final.
 * pg_snapshot_xmin alone counts every database of the server: a CREATE DATABASE, another
 * application's long transaction, held every user's read-your-writes wait to its bound although
 * it can never write a row here. Only a transaction positively seen running in another database
 * (pg_stat_get_activity, read after the snapshot) is left out; one that ended since, a prepared
 * one, or one whose row we may not read stays in, so H never passes a transaction of ours. The
 * activity list is read only when the snapshot has a running transaction at all.
 */
export const horizonSql = (s: string): string => `coalesce(
  (SELECT min(xi) FROM pg_snapshot_xip(${s}) xi
    WHERE (xi::text::bigint % 4294967296) NOT IN (
      SELECT a.backend_xid::text::bigint FROM pg_stat_get_activity(NULL) a
       WHERE a.backend_xid IS NOT NULL
         AND a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))),
  pg_snapshot_xmax(${s}))`;

/**
 * The positions stream (docs/ARCHITECTURE.md "The event stream"): up to $4 events for user $1
 * after position ($2 tx, $3 id) and below the horizon H of the statement's own snapshot, in
 * position order, each rendered as SYNC_SQL renders it, with that H, the snapshot's xmax (every
 * transaction running then is below it: currentHorizon) and the retention bound (pruned_below,
 * positionsPrunedBelow), all in one statement: one round trip per page, and one snapshot, so the
 * bounds are those of the rows read. H (horizonSql) is the oldest transaction of this database
 * running in the statement's snapshot: every one below it had ended when the snapshot was taken, so
 * every row positioned below H is in it. Retention raises pruned_below (committed) before it
 * deletes, so a snapshot that misses a deleted row sees the raised bound. Two sources, merged by
 * position:
 * - conversation_event rows of every conversation the user has a member row in (any state: a
 *   departed member's row stays), those whose audience (decided by memberReadsMessageSql when
 *   written, the live push's recipients) holds the user: per conversation an index range
 *   (conversation_id, tx, id), at most $4 each;
 * - the user's own `event` rows that carry a position (the send's member rows do not: its
 *   conversation_event row is the event).
 * Below the horizon every row is final (stream-horizon.e2e-spec.ts), so a range read twice
 * gives the same rows: no completeness check. Every row carries the bounds; a page with no event
 * is one row of bounds only.
 */
export const SYNC_POSITIONS_SQL = `
WITH hz AS (SELECT ${horizonSql('s')} AS h, pg_snapshot_xmax(s) AS x FROM pg_current_snapshot() s),
page AS (
  (SELECT ce.tx, ce.id, ce.type, coalesce(ce.payload, '{}'::jsonb) AS payload, ce.message_id
     FROM conversation_member mine
    CROSS JOIN LATERAL (
      SELECT c.tx, c.id, c.type, c.message_id, c.payload FROM conversation_event c
       WHERE c.conversation_id = mine.conversation_id AND (c.tx, c.id) > ($2::xid8, $3::bigint) AND c.tx < (SELECT h FROM hz)
         AND $1::uuid = ANY (c.audience)
       ORDER BY c.tx, c.id LIMIT $4) ce
    WHERE mine.user_id = $1)
  UNION ALL
  (SELECT u.tx, u.pos, u.type, u.payload, u.message_id FROM event u
    WHERE u.user_id = $1 AND u.tx IS NOT NULL AND (u.tx, u.pos) > ($2::xid8, $3::bigint) AND u.tx < (SELECT h FROM hz)
    ORDER BY u.tx, u.pos LIMIT $4)
  ORDER BY 1, 2 LIMIT $4)
SELECT hz.h::text AS p_h, hz.x::text AS p_x,
       coalesce((SELECT r.pruned_below::text FROM stream_retention r WHERE r.id = 1), '0') AS p_pruned, s.*
  FROM hz LEFT JOIN LATERAL (
${syncSelectSql('page e', '$1::uuid', `${positionSql('e.tx', 'e.id')} AS cursor, e.tx AS o_tx, e.id AS o_id`)}) s ON true
 ORDER BY s.o_tx, s.o_id`;

/** A positions page (SYNC_POSITIONS_SQL): the statement's horizon `h` and xmax `x`, the retention bound, and the events below h. */
export interface PositionsPage {
  h: bigint;
  x: bigint;
  prunedBelow: bigint;
  events: StoredEvent[];
}

/** Up to `limit` events of the positions stream after `after` ({tx, id}), below the statement's own horizon (SYNC_POSITIONS_SQL). */
export async function readPositionsAfter(
  q: PreparingQueryable,
  userId: string,
  after: { tx: string; id: string },
  limit: number,
): Promise<PositionsPage> {
  const rows = await q.prepared<SyncRow & { p_h: string; p_x: string; p_pruned: string }>('event_sync_positions', SYNC_POSITIONS_SQL, [
    userId,
    after.tx,
    after.id,
    limit,
  ]);
  const [first] = rows;
  return {
    h: BigInt(first.p_h),
    x: BigInt(first.p_x),
    prunedBelow: BigInt(first.p_pruned),
    events: first.cursor === null ? [] : (rows as Array<SyncRow & { cursor: string }>).map(storedEvent),
  };
}

/**
 * The horizon now: H (horizonSql), below which every transaction of this database has ended, so no row positioned below it can appear later; and `x`, the xmax of the same
 * snapshot: every transaction running now is below it.
 */
const CURRENT_HORIZON_SQL = `SELECT pg_snapshot_xmax(s)::text AS x, ${horizonSql('s')}::text AS h FROM pg_current_snapshot() s`;

export async function currentHorizon(q: PreparingQueryable): Promise<{ h: bigint; x: bigint }> {
  const [r] = await q.prepared<{ x: string; h: string }>('stream_horizon', CURRENT_HORIZON_SQL, []);
  return { h: BigInt(r.h), x: BigInt(r.x) };
}

/**
 * Read-your-writes: waits (up to `maxWaitMs`) until H passes the xmax of the snapshot taken on
 * arrival (`arrival`, currentHorizon; taken here when not given), i.e. until every transaction
 * running when the read arrived has ended, so a write acknowledged before it is below H. Past
 * the bound it answers the H it has: still exactly-once, that write only comes later.
 */
export async function awaitHorizon(q: PreparingQueryable, maxWaitMs: number, arrival?: { h: bigint; x: bigint }): Promise<bigint> {
  return (await waitForHorizon(q, maxWaitMs, arrival)).h;
}

/** awaitHorizon's wait: the horizon reached, and whether it passed every transaction running on arrival. */
export async function waitForHorizon(
  q: PreparingQueryable,
  maxWaitMs: number,
  arrival?: { h: bigint; x: bigint },
): Promise<{ h: bigint; passed: boolean }> {
  const first = arrival ?? (await currentHorizon(q));
  const target = first.x;
  let h = first.h;
  const deadline = Date.now() + maxWaitMs;
  for (let pause = 1; h < target && Date.now() < deadline; pause = Math.min(pause * 2, 16)) {
    await new Promise((r) => setTimeout(r, pause));
    const [next] = await q.prepared<{ h: string }>('stream_horizon', CURRENT_HORIZON_SQL, []);
    h = BigInt(next.h);
  }
  return { h, passed: h >= target };
}

/**
 * A v1 client of this user synced or connected (EventsService.v1Contact). Null when its mark is
 * fresh (within the last hour: one read); else marks it now and returns the previous mark
 * (`was` null: there was none). Only one of two racing contacts gets a row back (the
 * UPDATE names the old value), so only one of them catches up.
 */
export async function markV1Client(q: Queryable, userId: string): Promise<{ was: string | null; markTx: string } | null> {
  const [cur] = await q.query<{ v1_seen_at: string | null; fresh: boolean }>(
    `SELECT v1_seen_at::text, coalesce(v1_seen_at > now() - interval '1 hour', false) AS fresh FROM user_cursor WHERE user_id = $1`,
    [userId],
  );
  if (!cur || cur.fresh) return null;
  const rows = await q.query(
    `UPDATE user_cursor SET v1_seen_at = now() WHERE user_id = $1 AND v1_seen_at IS NOT DISTINCT FROM $2::timestamptz
     RETURNING pg_current_xact_id()::text AS m`,
    [userId, cur.v1_seen_at],
  );
  return rows.length ? { was: cur.v1_seen_at === null ? null : String(cur.v1_seen_at), markTx: String(rows[0].m) } : null;
}

/** Puts a mark back (a catch-up that could not run): the next contact tries again. */
export async function restoreV1Mark(q: Queryable, userId: string, was: string | null): Promise<void> {
  await q.query('UPDATE user_cursor SET v1_seen_at = $2::timestamptz WHERE user_id = $1', [userId, was]);
}

/**
 * The catch-up of a v1 client's member rows (EventsService.v1Contact): the writers wrote none
 * for this user ($1) while no v1 client of theirs was marked, so every conversation_event
 * (message.created, message.updated, read.updated) whose audience holds them, written since $2
 * (when the mark lapsed, or the account was made), and without a member row yet, gets one now,
 * as a live writer would have written it (memberRowsOfSql), in position order (a conversation's
 * in its commit order), with the next cursors.
 * "Without a member row yet": a row whose `pos` is this event's id (every member row written
 * through memberRowsOfSql names the conversation_event it mirrors; ids come from one sequence,
 * so the key is exact however many message.updated a message has), or, for message.created,
 * the user's message.created row of that message (the send's member rows name no event; a
 * member gets one message.created of a message at most).
 * Run in a transaction that holds the user's user_cursor row already (lockUserCursor), after
 * every writer that could have missed the new mark has ended (awaitSnapshotsPast), so its
 * snapshot sees every row there is to copy. A live writer that saw the new mark takes the same
 * row lock to write this user's member row (eventInsertCtes): either it committed before this
 * statement, which then sees its member row and skips the event, or it waits for this commit
 * and its conversation_event row, uncommitted here, is not copied. A copy and a live row of
 * one event never both exist.
 */
const V1_CATCH_UP_SQL = `
WITH missed AS (
  SELECT ce.tx, ce.id AS ce_id, $1::uuid AS user_id, ce.type, ce.message_id, ce.payload
    FROM conversation_member mine JOIN conversation_event ce ON ce.conversation_id = mine.conversation_id
   WHERE mine.user_id = $1 AND ce.created_at >= $2 AND $1::uuid = ANY (ce.audience)
     AND NOT EXISTS (SELECT 1 FROM event e WHERE e.user_id = $1 AND e.created_at >= $2 AND e.pos = ce.id)
     AND NOT EXISTS (SELECT 1 FROM event e WHERE e.user_id = $1 AND e.created_at >= $2 AND ce.type = 'message.created'
                        AND e.type = 'message.created' AND e.message_id = ce.message_id)),
ev_input AS (
  ${memberRowsOfSql('missed', 'r.tx, r.ce_id')}),
${eventInsertCtes('ev_input', `'[]'`, { outboxEvents: false, mirrors: true })}
SELECT count(*)::int AS n FROM ev_ins`;

/**
 * Waits (up to `maxWaitMs`) until no session of this database holds a snapshot taken before
 * transaction `markTx` committed (backend_xmin ≤ markTx): every send that read the old mark
 * has ended. Snapshots, not xids: a send's xid is assigned at its first write, after its
 * snapshot, so the xid horizon alone would not cover one that read the old mark and wrote
 * later. True when that happened within the bound.
 */
export async function awaitSnapshotsPast(q: Queryable, markTx: string, maxWaitMs: number): Promise<boolean> {
  const deadline = Date.now() + maxWaitMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 32)) {
    const [r] = await q.query<{ older: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND backend_xmin IS NOT NULL
                        AND pid <> pg_backend_pid() AND age(backend_xmin) >= age(xid($1::xid8))) AS older`,
      [markTx],
    );
    if (!r.older) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((res) => setTimeout(res, pause));
  }
}

export async function lockUserCursor(q: Queryable, userId: string): Promise<void> {
  await q.query('SELECT 1 FROM user_cursor WHERE user_id = $1 FOR UPDATE', [userId]);
}

/** V1_CATCH_UP_SQL: how many member rows it wrote. */
export async function catchUpV1Rows(q: Queryable, userId: string, since: Date): Promise<number> {
  const [r] = await q.query<{ n: number }>(V1_CATCH_UP_SQL, [userId, since.toISOString()]);
  return r?.n ?? 0;
}

/** When the user's account was made (a first v1 contact catches up from there). */
export async function userCreatedAt(q: Queryable, userId: string): Promise<Date | null> {
  const [r] = await q.query<{ created_at: string | Date }>('SELECT created_at FROM app_user WHERE id = $1', [userId]);
  return r ? new Date(r.created_at) : null;
}

/**
 * Retention of the positions stream (EventsService.pruneStream), run by the maintenance job:
 * 1. a mark: the horizon h now (stream_mark). Every transaction below h had ended when the
 *    mark was taken, so every row positioned below h was written before `at`.
 * 2. the position P below which events may go: the h of the first mark taken at or after the
 *    cutoff (now - retention + 1 hour), once the marks reach back past the cutoff (else nothing
 *    goes: the history does not reach that far). Rows below P were written at most one mark
 *    interval after the cutoff, and every row written before it lies below P: the `event` day
 *    partitions and default-partition rows event_partitions_maintain drops (older than now -
 *    retention, run right after this) included, as long as no transaction stays open for the
 *    hour of margin (the roles' idle_in_transaction_session_timeout). `pruned_below` only grows,
 *    and is raised (committed) before any row is deleted, so a reader that then misses a row
 *    sees the raised bound when it checks after its read (positionsPrunedBelow).
 */
const STREAM_MARK_SQL = `INSERT INTO stream_mark (at, h) SELECT clock_timestamp(), ${horizonSql('s')} FROM pg_current_snapshot() s ON CONFLICT (at) DO NOTHING`;
const STREAM_BOUND_SQL = `
WITH cutoff AS (SELECT now() - make_interval(days => $1::int) + interval '1 hour' AS t),
first_after AS (
  SELECT m.at, m.h FROM stream_mark m, cutoff WHERE m.at >= cutoff.t ORDER BY m.at LIMIT 1)
UPDATE stream_retention r SET pruned_below = greatest(r.pruned_below, f.h)
  FROM first_after f
 WHERE EXISTS (SELECT 1 FROM stream_mark o, cutoff WHERE o.at < cutoff.t)
RETURNING r.pruned_below::text AS p, f.at`;
/** One batch of conversation_event rows below P (found through the BRIN index on created_at: below P means written before the mark). */
const STREAM_DELETE_SQL = `
DELETE FROM conversation_event WHERE ctid = ANY (ARRAY(
  SELECT ctid FROM conversation_event WHERE created_at <= $2::timestamptz AND tx < $1::xid8 LIMIT $3))`;

/** What pruneStream did: the bound now (`p1.<P>.0`; null while nothing was ever pruned) and the rows deleted. */
export interface StreamUpkeep {
  prunedBelow: string | null;
  deleted: number;
}

export async function pruneStream(q: Queryable, retentionDays: number, batch = 5000): Promise<StreamUpkeep> {
  await q.query(STREAM_MARK_SQL);
  const [bound] = await q.query<{ p: string; at: Date | string }>(STREAM_BOUND_SQL, [retentionDays]);
  if (!bound) {
    const current = await positionsPrunedBelow(q);
    return { prunedBelow: current > 0n ? positionOf(String(current)) : null, deleted: 0 };
  }
  let deleted = 0;
  for (;;) {
    const rows = await q.query(`${STREAM_DELETE_SQL} RETURNING 1`, [bound.p, bound.at, batch]);
    deleted += rows.length;
    if (rows.length < batch) break;
  }
  // The marks before the one in use go, but for the newest of them: it shows the history
  // still reaches back past the cutoff on the next run.
  await q.query('DELETE FROM stream_mark WHERE at < (SELECT max(at) FROM stream_mark WHERE at < $1::timestamptz)', [bound.at]);
  return { prunedBelow: positionOf(bound.p), deleted };
}

const positionOf = (tx: string): string => `p1.${tx}.0`;

/** The position below which the stream may have dropped events (a cursor below it gets 410 cursor_expired). */
export async function positionsPrunedBelow(q: Queryable): Promise<bigint> {
  const [r] = await q.query<{ p: string }>('SELECT pruned_below::text AS p FROM stream_retention WHERE id = 1');
  return r ? BigInt(r.p) : 0n;
}

/** What event_partitions_maintain did: partitions created and dropped, rows moved out of the default one. */
export interface PartitionUpkeep {
  created: string[];
  dropped: string[];
  deletedFromDefault: number;
}

export async function maintainEventPartitions(q: Queryable, daysAhead: number, retentionDays: number): Promise<PartitionUpkeep> {
  const rows = await q.query<{ r: PartitionUpkeep }>('SELECT event_partitions_maintain($1, $2) AS r', [daysAhead, retentionDays]);
  return rows[0].r;
}

/** An outbox row: events to push (already stored, with their cursors) and jobs to enqueue. */
export interface OutboxRow {
  id: string;
  events: Array<{ userId: string; cursor: string; position?: string; type: string; payload: Record<string, unknown> }>;
  jobs: OutboxJob[];
}

/**
 * The outbox rows of these ids. Rows with only events are deleted as they are read (sync keeps
 * the events); rows carrying jobs stay (`deleted` false) until the jobs are in the queue, so a
 * crash between the two leaves them for the sweep instead of losing them.
 */
export async function takeOutboxRows(q: PreparingQueryable, ids: string[]): Promise<Array<OutboxRow & { deleted: boolean }>> {
  return q.prepared<OutboxRow & { deleted: boolean }>(
    'outbox_drain',
    `WITH done AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]) AND jobs = '[]'::jsonb RETURNING id, events, jobs)
           SELECT id, events, jobs, true AS deleted FROM done
           UNION ALL
           SELECT id, events, jobs, false AS deleted FROM outbox WHERE id = ANY($1::bigint[]) AND jobs <> '[]'::jsonb`,
    [ids],
  );
}

/** Deletes drained rows whose jobs are enqueued now. */
export async function deleteDrainedOutboxRows(q: PreparingQueryable, ids: string[]): Promise<void> {
  await q.prepared('outbox_done', 'DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}

/** Locks up to `batch` rows older than `olderThanMs` that no other sweeper holds (inside the caller's db.tx). */
export async function lockStaleOutboxRows(q: Queryable, olderThanMs: number, batch: number): Promise<OutboxRow[]> {
  return q.query<OutboxRow>(
    `SELECT id, events, jobs FROM outbox WHERE created_at < now() - make_interval(secs => $1)
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [olderThanMs / 1000, batch],
  );
}

export async function deleteOutboxRows(q: Queryable, ids: string[]): Promise<void> {
  await q.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}
