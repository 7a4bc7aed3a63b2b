import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, type Queryable } from '../db/db.service';
import { CursorExpired, InvalidCursor } from '../errors';
import type { OutboxJob } from '../queues';
import { MESSAGE_EVENT_TYPES, wireEvent, type EventType, type UserEvent, type WireEvent } from './event-types';
import { OutboxRelay } from './outbox-relay';
import {
  findUserCursor,
  insertEvents,
  maintainEventPartitions,
  readEventsAfter,
  type PartitionUpkeep,
  type ShownMessage,
} from './events.repository';
import { eventForViewer, messageView, withheldMessageView } from '../views/message-view';

/** The send and the link scan embed the event-writing CTEs in their own statements. */
export { eventInsertCtes } from './events.repository';

export interface SyncPage {
  events: WireEvent[];
  cursor: string;
  hasMore: boolean;
}

const MAX_CURSOR = 2n ** 62n;

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
   * After commit, for events that were written without an outbox copy (the send): pushes
   * them to the recipients' sockets now. A process that dies between the commit and this
   * push loses only the live push: the events are stored, and the client's sync (it
   * resumes from its last cursor after a reconnect) delivers them.
   */
  push(type: EventType, recipients: ReadonlyArray<readonly [string, string]> | null | undefined, payload: Record<string, unknown>): void {
    if (recipients?.length)
      this.relay.push(recipients.map(([recipientId, cursor]) => ({ recipientId, event: wireEvent(type, cursor, payload) })));
  }

  /** After commit: push the events and enqueue the jobs (never before commit). */
  published(outboxId: string | null | undefined): void {
    if (outboxId) this.relay.drainSoon(String(outboxId));
  }

  /** Current position for a user: a sync without cursor starts "from now on". */
  async head(userId: string): Promise<string> {
    const bounds = await findUserCursor(this.db, userId);
    return String(bounds?.last ?? 0n);
  }

  async sync(userId: string, cursor: string | undefined, limit = 500): Promise<SyncPage> {
    if (cursor === undefined || cursor === '') return { events: [], cursor: await this.head(userId), hasMore: false };
    if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_CURSOR) throw new InvalidCursor();
    const bounds = await findUserCursor(this.db, userId);
    const last = bounds?.last ?? 0n;
    if (BigInt(cursor) > last) throw new InvalidCursor('This cursor is ahead of your events; sync without a cursor to start over.');
    if (BigInt(cursor) < (bounds?.prunedBelow ?? 0n)) throw new CursorExpired();
    const rows = await readEventsAfter(this.db, userId, cursor, last, limit + 1);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    // Each event as this user sees it now: a message they no longer read withheld, and
    // reactions' `me` and a reply's quote as the live push shows them (toWire).
    const events = page.map((e) => {
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
    return { events, cursor: page.length ? String(page[page.length - 1].cursor) : cursor, hasMore };
  }

  /**
   * Partition upkeep (hourly on the maintenance queue): creates the day partitions of the next
   * EVENT_PARTITIONS_AHEAD days and drops the days older than EVENT_RETENTION_DAYS whole (no
   * row-by-row DELETE), raising each user's pruned_below so older cursors get 410.
   */
  async prune(): Promise<PartitionUpkeep> {
    return maintainEventPartitions(this.db, EVENT_PARTITIONS_AHEAD, this.config.eventRetentionDays);
  }
}
