import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, type Queryable } from '../db/db.service';
import { CursorExpired, InvalidCursor, ServiceUnavailable } from '../errors';
import type { OutboxJob } from '../queues';
import { MESSAGE_EVENT_TYPES, wireEvent, type EventType, type UserEvent, type WireEvent } from './event-types';
import { OutboxRelay } from './outbox-relay';
import {
  findUserCursor,
  insertEvents,
  insertMessageEventFor,
  insertMessageEvents,
  insertReadEvent,
  takeConversationTurn,
  takeMessageTurn,
  maintainEventPartitions,
  pruneStream,
  readEventsAfter,
  readPositionsAfter,
  awaitHorizon,
  currentHorizon,
  awaitSnapshotsPast,
  catchUpV1Rows,
  lockUserCursor,
  markV1Client,
  restoreV1Mark,
  userCreatedAt,
  type PartitionUpkeep,
  type StreamUpkeep,
  type ShownMessage,
  type StoredEvent,
} from './events.repository';
import { eventForViewer, messageView, withheldMessageView } from '../views/message-view';

/** The send and the link scan embed the event-writing CTEs in their own statements. */
export {
  conversationTurnSql,
  eventInsertCtes,
  hasV1ClientSql,
  messageEventCtes,
  messageEventPositionSql,
  messageEventRecipientsSql,
  positionSql,
  takeConversationTurn,
} from './events.repository';

export interface SyncPage {
  events: WireEvent[];
  cursor: string;
  hasMore: boolean;
}

const MAX_CURSOR = 2n ** 62n;

/** Which stream a sync reads: per-user cursors (v1) or stream positions (`p1.` cursors). */
export type SyncStream = 'v1' | 'positions';
const POSITION_PREFIX = 'p1.';
/** How long a positions read waits for the transactions running when it arrived (read your writes). */
const HORIZON_WAIT_MS = 1000;
/** How long a v1 catch-up waits for the sends that may have missed its mark (beyond: 503, the client retries). */
const CATCH_UP_WAIT_MS = 10_000;
/** Margin for the catch-up's time bounds (transaction start times vs. the mark's). */
const CATCH_UP_MARGIN_MS = 60_000;

/** `p1.<tx>.<id>` → its parts; 400 invalid_cursor for anything else. */
function parsePosition(cursor: string): { tx: string; id: string } {
  const m = /^p1\.(\d{1,20})\.(\d{1,19})$/.exec(cursor);
  if (!m || BigInt(m[1]) >= 2n ** 64n || BigInt(m[2]) > MAX_CURSOR) throw new InvalidCursor();
  return { tx: m[1], id: m[2] };
}

/** Day partitions kept ready ahead of today: a week of worker downtime before rows land in the default partition. */
export const EVENT_PARTITIONS_AHEAD = 7;

function messageIdOf(e: UserEvent): string | null {
  if (!MESSAGE_EVENT_TYPES.includes(e.type)) return null;
  const id = (e.payload?.message as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

/**
 * A message as this user may see it now: in full when they read it (the lists' own predicate),
 * else withheld (withheldMessageView): an edit made after they left, declined or blocked the
 * sender, or while a new link is held from them, never reaches them through sync.
 */
function shownTo(m: ShownMessage) {
  return m.readable ? messageView(m.row) : withheldMessageView(m.row);
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
    return insertEvents(
      q,
      events.map((e) => ({ userId: e.userId, type: e.type, payload: e.payload, messageId: messageIdOf(e) })),
      jobs,
    );
  }

  /**
   * Takes the conversation's turn (takeConversationTurn): call it first in a transaction that
   * will write that conversation's events, before its first write, so the events' positions
   * follow the conversation's commit order as the send's do.
   */
  async takeTurn(q: Queryable, conversationId: string): Promise<void> {
    await takeConversationTurn(q, conversationId);
  }

  /** takeTurn for the conversation of a message. */
  async takeMessageTurn(q: Queryable, messageId: string): Promise<void> {
    await takeMessageTurn(q, messageId);
  }

  /**
   * A message event (message.updated) of each message, inside the caller's transaction after
   * its change, under the conversation's turn (takeTurn): stored once in conversation_event with
   * its audience (the members who read the message now, memberReadsMessageSql), member rows only
   * for users with a v1 client, one outbox row for the live push (`payload` of each message, its
   * live copy) and the jobs. Returns the outbox id for published().
   */
  async appendMessageEvents(
    q: Queryable,
    type: 'message.updated',
    messages: ReadonlyArray<{ id: string; payload: Record<string, unknown> }>,
    jobs: OutboxJob[] = [],
  ): Promise<string | null> {
    if (messages.length === 0 && jobs.length === 0) return null;
    const payloads = Object.fromEntries(messages.map((m) => [m.id, m.payload]));
    return insertMessageEvents(
      q,
      type,
      messages.map((m) => m.id),
      payloads,
      this.v1WindowDays,
      jobs,
    );
  }

  /**
   * A message event of one message for exactly `userIds`, a part of its readers that the
   * caller's rule picked (HeldLinks: message.created for those who never had it, message.updated
   * for those who had), as appendMessageEvents otherwise.
   */
  async appendMessageEventFor(
    q: Queryable,
    type: 'message.created' | 'message.updated',
    messageId: string,
    userIds: string[],
    payload: Record<string, unknown>,
    jobs: OutboxJob[] = [],
  ): Promise<string | null> {
    return insertMessageEventFor(q, type, messageId, userIds, payload, this.v1WindowDays, jobs);
  }

  /** read.updated of `readerId` (see insertReadEvent), inside the caller's transaction under the conversation's turn. */
  async appendReadEvent(q: Queryable, conversationId: string, readerId: string, payload: Record<string, unknown>): Promise<string | null> {
    return insertReadEvent(q, conversationId, readerId, payload, this.v1WindowDays);
  }

  /**
   * After commit, for events that were written without an outbox copy (the send): pushes
   * them to the recipients' sockets now. A process that dies between the commit and this
   * push loses only the live push: the events are stored, and the client's sync (it
   * resumes from its last cursor after a reconnect) delivers them.
   */
  push(
    type: EventType,
    recipients: ReadonlyArray<readonly [string, string | null]> | null | undefined,
    payload: Record<string, unknown>,
    position: string | null = null,
  ): void {
    if (recipients?.length)
      this.relay.push(
        recipients.map(([recipientId, cursor]) => ({ recipientId, event: { ...wireEvent(type, '', payload), cursor }, position })),
      );
  }

  /** After commit: push the events and enqueue the jobs (never before commit). */
  published(outboxId: string | null | undefined): void {
    if (outboxId) this.relay.drainSoon(String(outboxId));
  }

  /** Days a v1 client's last sync or connect keeps its user's member rows written by the send (SEND_SQL $12). */
  get v1WindowDays(): number {
    return this.config.eventRetentionDays;
  }

  /**
   * A client that reads per-user cursors (v1 sync, a socket without auth.stream "positions")
   * is here. The send writes member rows only for users marked so within v1WindowDays
   * (user_cursor.v1_seen_at); the mark is refreshed at most hourly (one read otherwise). When
   * there was no live mark, the writers since it lapsed wrote none for this user: mark first,
   * wait until every writer that may have read the old mark has ended (awaitSnapshotsPast), then
   * copy every conversation event they skipped (message.created, message.updated, read.updated,
   * as a live member row carries it) into member rows (catchUpV1Rows), so the v1 stream misses
   * nothing and has nothing twice (a member row names the conversation_event it mirrors:
   * V1_CATCH_UP_SQL). Known limit: a writer that raced the mark and saw it wrote its row before
   * the copies, so a copied event can follow a later one of its conversation in cursor order
   * (once each): a message.created (the guide says to apply by (conversationId, seq)), a
   * message.updated (sync renders the message as it is now, so either order shows the same), or
   * a read.updated, whose copy then carries an older seq than the raced one before it.
   * A catch-up that cannot wait long enough puts the mark back and answers 503.
   */
  async v1Contact(userId: string): Promise<void> {
    const marked = await markV1Client(this.db, userId);
    if (!marked) return;
    const windowStart = Date.now() - this.v1WindowDays * 86_400_000;
    const was = marked.was === null ? null : new Date(marked.was);
    if (was && was.getTime() > windowStart) return; // it was still live: nothing was skipped
    try {
      const lapsed = was ? was.getTime() + this.v1WindowDays * 86_400_000 : ((await userCreatedAt(this.db, userId))?.getTime() ?? 0);
      const since = new Date(Math.max(lapsed, windowStart) - CATCH_UP_MARGIN_MS);
      const passed = await awaitSnapshotsPast(this.db, marked.markTx, CATCH_UP_WAIT_MS);
      if (!passed) throw new ServiceUnavailable('Catching up your events; retry shortly.');
      await this.db.tx(async (q) => {
        await lockUserCursor(q, userId);
        await catchUpV1Rows(q, userId, since);
      });
    } catch (err) {
      await restoreV1Mark(this.db, userId, marked.was).catch(() => undefined);
      throw err;
    }
  }

  /** Current position for a user: a sync without cursor starts "from now on". */
  async head(userId: string): Promise<string> {
    const bounds = await findUserCursor(this.db, userId);
    return String(bounds?.last ?? 0n);
  }

  /**
   * A page of my events after `cursor`. A `p1.` cursor, or `stream` 'positions' without one,
   * reads the positions stream (syncPositions); anything else the per-user v1 stream.
   */
  async sync(userId: string, cursor: string | undefined, limit = 500, stream: SyncStream = 'v1'): Promise<SyncPage> {
    if (cursor?.startsWith(POSITION_PREFIX) || stream === 'positions') return this.syncPositions(userId, cursor, limit);
    if (cursor === undefined || cursor === '') {
      await this.v1Contact(userId);
      return { events: [], cursor: await this.head(userId), hasMore: false };
    }
    if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_CURSOR) throw new InvalidCursor();
    // One statement per page: the bounds, the v1 mark's freshness and the rows (readEventsAfter).
    // A mark that is not fresh (at most hourly, and on a client's first contact) is refreshed,
    // and any catch-up written, before the page is read again: the page is read after the contact.
    let read = await readEventsAfter(this.db, userId, cursor, limit + 1);
    if (!read.fresh) {
      await this.v1Contact(userId);
      read = await readEventsAfter(this.db, userId, cursor, limit + 1);
    }
    const { bounds, events } = read;
    if (BigInt(cursor) > (bounds?.last ?? 0n))
      throw new InvalidCursor('This cursor is ahead of your events; sync without a cursor to start over.');
    if (BigInt(cursor) < (bounds?.prunedBelow ?? 0n)) throw new CursorExpired();
    const hasMore = events.length > limit;
    const page = events.slice(0, limit);
    return { events: this.render(userId, page), cursor: page.length ? String(page[page.length - 1].cursor) : cursor, hasMore };
  }

  /**
   * The positions stream (docs/ARCHITECTURE.md "The event stream"): events after position
   * `cursor` below a horizon H, in position order. A full page ends at its last event's
   * position; a short one at `p1.<H>.0`: everything below H was returned, and a row of
   * transaction H or later has a higher position. Without a cursor: no events, and `p1.<H>.0`
   * ("from now on").
   * Read your writes costs only the page that ends a catch-up: the page is first read below the
   * horizon on arrival, without waiting (every row below it is final, so a full page is right
   * as it is, and the next page goes on after it). Only a short page, the end of the stream,
   * then waits until every transaction running on arrival has ended (awaitHorizon) and reads
   * the rest, after its last row and below the new H: a write acknowledged before the request
   * is in the page that ends the catch-up, as if the whole read had waited first.
   */
  private async syncPositions(userId: string, cursor: string | undefined, limit: number): Promise<SyncPage> {
    const after = cursor === undefined || cursor === '' ? null : parsePosition(cursor);
    if (after === null) {
      const h = await awaitHorizon(this.db, HORIZON_WAIT_MS, await currentHorizon(this.db));
      return { events: [], cursor: `${POSITION_PREFIX}${h}.0`, hasMore: false };
    }
    // One statement per page: the rows below the horizon of its own snapshot, that horizon and
    // xmax (the arrival), and the retention bound (readPositionsAfter).
    const first = await readPositionsAfter(this.db, userId, after, limit + 1);
    let { h, prunedBelow } = first;
    let rows = first.events;
    if (rows.length <= limit && h < first.x) {
      // Short: every row after `after` below the arrival horizon is in `rows`, so the rest
      // (positions at or above it, below the new H) goes on from the last of them.
      const passed = await awaitHorizon(this.db, HORIZON_WAIT_MS, first);
      const from = rows.length ? parsePosition(rows[rows.length - 1].cursor) : after;
      if (BigInt(from.tx) < passed) {
        // Read below its own snapshot's horizon, at or past `passed` (xmin never goes back).
        const rest = await readPositionsAfter(this.db, userId, from, limit + 1 - rows.length);
        rows = rows.concat(rest.events);
        h = rest.h;
        if (rest.prunedBelow > prunedBelow) prunedBelow = rest.prunedBelow;
      } else h = passed;
    }
    if (BigInt(after.tx) > h) throw new InvalidCursor('This cursor is ahead of your events; sync without a cursor to start over.');
    // The bound read with the rows (in each read's snapshot): retention raises it before it
    // deletes, so a read that missed a deleted row sees the raised bound (pruneStream).
    if (BigInt(after.tx) < prunedBelow) throw new CursorExpired();
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return { events: this.render(userId, page), cursor: hasMore ? page[page.length - 1].cursor : `${POSITION_PREFIX}${h}.0`, hasMore };
  }

  private render(userId: string, page: StoredEvent[]): WireEvent[] {
    // Each event as this user sees it now: a message they no longer read withheld, and
    // reactions' `me` and a reply's quote as the live push shows them (toWire).
    return page.map((e) => {
      let payload = e.payload;
      if (e.message) payload = { ...payload, message: shownTo(e.message) };
      else if (e.lastMessage && payload?.conversation) {
        payload = {
          ...payload,
          conversation: { ...(payload.conversation as Record<string, unknown>), lastMessage: shownTo(e.lastMessage) },
        };
      }
      return eventForViewer(wireEvent(e.type, e.cursor, payload), userId);
    });
  }

  /**
   * Partition upkeep (hourly on the maintenance queue): creates the day partitions of the next
   * EVENT_PARTITIONS_AHEAD days and drops the days older than EVENT_RETENTION_DAYS whole (no
   * row-by-row DELETE), raising each user's pruned_below so older cursors get 410.
   */
  async prune(): Promise<PartitionUpkeep> {
    return maintainEventPartitions(this.db, EVENT_PARTITIONS_AHEAD, this.config.eventRetentionDays);
  }

  /**
   * Retention of the positions stream (hourly on the maintenance queue, after prune): marks
   * the horizon, raises the bound below which a `p1.` cursor gets 410 cursor_expired to the
   * first mark at or after EVENT_RETENTION_DAYS ago, and deletes the conversation_event rows
   * below it in batches (events.repository.ts pruneStream: why that bound covers the dropped
   * `event` day partitions too).
   */
  async pruneStream(): Promise<StreamUpkeep> {
    return pruneStream(this.db, this.config.eventRetentionDays);
  }
}
