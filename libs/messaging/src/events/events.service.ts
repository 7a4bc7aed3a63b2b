import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, type Queryable } from '../db/db.service';
import { CursorExpired, InvalidCursor } from '../errors';
import type { OutboxJob } from '../queues';
import { wireEvent, type EventType, type UserEvent, type WireEvent } from './event-types';
import { OutboxRelay } from './outbox-relay';
import { REPLY_QUOTE_SQL, eventForViewer, messageView, withheldMessageView } from '../messages/message-view';
import { memberReadsMessageSql } from '../policy/visibility';

/** Event types whose row references the message (event.message_id) instead of copying it. */
export const MESSAGE_EVENT_TYPES = ['message.created', 'message.updated'];

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
export function eventInsertCtes(inputCte: string, jobsParam: string, opts: { outboxEvents?: boolean } = {}): string {
  // outboxEvents false (the send): the outbox row is written only for jobs; the committing
  // process pushes the events itself from what the statement returned (EventsService.push).
  const outboxEvents = opts.outboxEvents ?? true;
  const events = outboxEvents
    ? `coalesce((SELECT jsonb_agg(jsonb_build_object('userId', user_id, 'cursor', cursor::text, 'type', type, 'payload', payload)) FROM ev_numbered), '[]'::jsonb)`
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
    SELECT i.user_id, i.type, i.payload, i.message_id, b.base + row_number() OVER (PARTITION BY i.user_id ORDER BY i.ord) AS cursor
      FROM ${inputCte} i JOIN ev_bumped b ON b.user_id = i.user_id),
  ev_ins AS (
    INSERT INTO event (user_id, cursor, type, payload, message_id)
    SELECT user_id, cursor, type, CASE WHEN message_id IS NULL THEN payload ELSE payload - 'message' END, message_id FROM ev_numbered
    RETURNING user_id, cursor, message_id),
  ev_outbox AS (
    INSERT INTO outbox (events, jobs)
    SELECT ${events}, ${jobsParam}::jsonb
     WHERE ${when}
    RETURNING id)`;
}

export interface SyncPage {
  events: WireEvent[];
  cursor: string;
  hasMore: boolean;
}

const MAX_CURSOR = 2n ** 62n;

/** Day partitions kept ready ahead of today: a week of worker downtime before rows land in the default partition. */
export const EVENT_PARTITIONS_AHEAD = 7;

/**
 * A page of a user's events, each message in it as the user reads it now. A message.* event gets
 * its message's current row, and a conversation event (conversation.updated, request.created)
 * the current row of the lastMessage its payload named (the stored copy may hold text since
 * unsent or removed), each with whether the user reads it now (`m_reads`, `lm_reads`: the lists'
 * own predicate, memberReadsMessageSql, on their membership row). A message the lists hide is
 * rendered withheld (withheldMessageView): an edit made after they left, declined or blocked
 * the sender, or while a new link is held from them, never reaches them this way. Still one
 * statement: a few index joins per event row.
 */
const SYNC_SQL = `
SELECT e.cursor, e.type, e.payload, m.id AS m_id, m.conversation_id, m.seq, m.sender_id, m.client_id, m.text, m.links, m.state, m.removed_reason, m.created_at,
       m.edited_at, m.reply_to_seq, m.reply_to_sender_id, m.reactions, ${REPLY_QUOTE_SQL('m')},
       coalesce(${memberReadsMessageSql('r', 'm')}, false) AS m_reads,
       CASE WHEN lm.id IS NOT NULL THEN (SELECT row_to_json(q) FROM (SELECT lm.*, ${REPLY_QUOTE_SQL('lm')}) q) END AS lm_row,
       coalesce(${memberReadsMessageSql('lr', 'lm')}, false) AS lm_reads
  FROM event e
  LEFT JOIN message m ON m.id = e.message_id
  LEFT JOIN conversation_member r ON r.conversation_id = m.conversation_id AND r.user_id = e.user_id
  LEFT JOIN message lm ON e.message_id IS NULL AND lm.id = (e.payload #>> '{conversation,lastMessage,id}')::uuid
  LEFT JOIN conversation_member lr ON lr.conversation_id = lm.conversation_id AND lr.user_id = e.user_id
 WHERE e.user_id = $1 AND e.cursor > $2 ORDER BY e.cursor LIMIT $3`;

/**
 * The same page, but only from the partitions of the last SYNC_RECENT_HOURS (pruned at executor
 * start: the bound is a stable expression), which is where a client that was online recently
 * finds everything. Whether it found everything is checked, not assumed: see sync().
 */
const SYNC_RECENT_HOURS = 24;
export const SYNC_RECENT_SQL = `${SYNC_SQL.replace(' ORDER BY e.cursor', ` AND e.created_at >= now() - interval '${SYNC_RECENT_HOURS} hours' ORDER BY e.cursor`)}`;

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

function messageIdOf(e: UserEvent): string | null {
  if (!MESSAGE_EVENT_TYPES.includes(e.type)) return null;
  const id = (e.payload?.message as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

@Injectable()
export class EventsService {
  constructor(
    private readonly db: Db,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Writes events (and jobs) inside the caller's transaction. Returns the outbox id to hand
   * to `published()` after commit, or null when there was nothing to write.
   */
  async append(q: Queryable, events: UserEvent[], jobs: OutboxJob[] = []): Promise<string | null> {
    if (events.length === 0 && jobs.length === 0) return null;
    const input = events.map((e, ord) => ({ ord, user_id: e.userId, type: e.type, payload: e.payload, message_id: messageIdOf(e) }));
    const rows = await q.query(
      `WITH ev_input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord int, user_id uuid, type text, payload jsonb, message_id uuid)),
       ${eventInsertCtes('ev_input', '$2')}
       SELECT id FROM ev_outbox`,
      [JSON.stringify(input), JSON.stringify(jobs)],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * After commit, for events that were written without an outbox copy (the send): pushes
   * them to the recipients' sockets now. A process that dies between the commit and this
   * push loses only the live push: the events are stored, and the client's sync (it
   * resumes from its last cursor after a reconnect) delivers them.
   */
  push(type: EventType, recipients: ReadonlyArray<readonly [string, string]> | null | undefined, payload: Record<string, unknown>): void {
    if (recipients?.length) this.relay.push(recipients.map(([recipientId, cursor]) => ({ recipientId, event: wireEvent(type, cursor, payload) })));
  }

  /** After commit: push the events and enqueue the jobs (never before commit). */
  published(outboxId: string | null | undefined): void {
    if (outboxId) this.relay.drainSoon(String(outboxId));
  }

  /** Current position for a user: a sync without cursor starts "from now on". */
  async head(userId: string): Promise<string> {
    const row = await this.db.one('SELECT last FROM user_cursor WHERE user_id = $1', [userId]);
    return String(row?.last ?? 0);
  }

  async sync(userId: string, cursor: string | undefined, limit = 500): Promise<SyncPage> {
    if (cursor === undefined || cursor === '') return { events: [], cursor: await this.head(userId), hasMore: false };
    if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_CURSOR) throw new InvalidCursor();
    const head = await this.db.one<{ last: string; pruned_below: string }>(
      'SELECT last, pruned_below FROM user_cursor WHERE user_id = $1',
      [userId],
    );
    const last = BigInt(head?.last ?? 0);
    if (BigInt(cursor) > last) throw new InvalidCursor('This cursor is ahead of your events; sync without a cursor to start over.');
    if (BigInt(cursor) < BigInt(head?.pruned_below ?? 0)) throw new CursorExpired();
    const params = [userId, cursor, limit + 1];
    let rows = await this.db.prepared('event_sync_recent', SYNC_RECENT_SQL, params);
    if (!isCompletePage(rows, BigInt(cursor), last, limit + 1)) rows = await this.db.prepared('event_sync', SYNC_SQL, params);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    // Each event as this user sees it now: a message they no longer read withheld, and
    // reactions' `me` and a reply's quote as the live push shows them (toWire).
    const events = page.map((r) => {
      let payload = r.payload;
      if (r.m_id) payload = { ...payload, message: r.m_reads ? messageView({ ...r, id: r.m_id }) : withheldMessageView({ ...r, id: r.m_id }) };
      else if (r.lm_row && payload?.conversation) {
        const lastMessage = r.lm_reads ? messageView(r.lm_row) : withheldMessageView(r.lm_row);
        payload = { ...payload, conversation: { ...payload.conversation, lastMessage } };
      }
      return eventForViewer(wireEvent(r.type, String(r.cursor), payload), userId);
    });
    return { events, cursor: page.length ? String(page[page.length - 1].cursor) : cursor, hasMore };
  }

  /**
   * Partition upkeep (hourly on the maintenance queue): creates the day partitions of the next
   * EVENT_PARTITIONS_AHEAD days and drops the days older than EVENT_RETENTION_DAYS whole (no
   * row-by-row DELETE), raising each user's pruned_below so older cursors get 410.
   */
  async prune(): Promise<{ created: string[]; dropped: string[]; deletedFromDefault: number }> {
    const rows = await this.db.query('SELECT event_partitions_maintain($1, $2) AS r', [EVENT_PARTITIONS_AHEAD, this.config.eventRetentionDays]);
    return rows[0].r;
  }
}
