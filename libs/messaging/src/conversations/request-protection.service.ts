import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, type Queryable } from '../db/db.service';
import { InvalidRequest, NotFound } from '../errors';
import type { UserEvent } from '../events/event-types';
import { EventsService } from '../events/events.service';
import { newId } from '../ids';
import { SlidingWindow } from '../limits/sliding-window';
import { LIMITS_FROM, LIMITS_MAX_DAYS, type LimitsFrom } from '../policy/limits';
import { REDIS, type RedisClient } from '../redis';
import { PROTECTION_NOTICES, ROOM_CONTEXT, type ProtectionNotices, type RoomContextSource } from './conversation-extensions';
import { loadConversationViews } from './conversation-view';
import * as repo from './request-protection.repository';
import type { LimitsRow } from './request-protection.repository';

export type { LimitsRow } from './request-protection.repository';

/** A room ended within this many minutes halves the breaker's threshold for its host, moderators and speakers. */
export const ON_STAGE_MINUTES = 60;

/** What the request-wave checks decided for one new conversation, before its transaction. */
export interface RequestScreen {
  conversationId: string;
  creatorId: string;
  /** Fan-out: the creator's requests in this conversation are held for staff review. */
  held: boolean;
  /** The creator's conversations with strangers in the fan-out window, this one included. */
  startedInWindow: number;
  /** Recipients counted by the breaker (they get the request now). */
  counted: string[];
  /** Recipients for whom this request is created hidden (a trip of the window stands, or this one trips). */
  hidden: string[];
  trips: Array<{ userId: string; requests: number; threshold: number; halved: boolean; window: string[] }>;
}

/**
 * The protections around message requests (API.md v1.2, issue #30), beside the one rule that
 * says who may start a conversation (MessageRequestPolicy, which refuses whom Limits hold back):
 * - Limits: set, read and ended by their owner; setting them moves the pending requests of the
 *   people they hold back to the hidden folder (stored in `request_hidden`). Ending them moves
 *   nothing back: what was hidden stays in the hidden folder, where accept, decline and report
 *   still work, so nobody's requests reappear in the main folder by surprise.
 * - The pile-on breaker: every new request a person receives (they are `pending` in it) is
 *   counted in a sliding window on the shared Redis (limits/sliding-window.ts: one script, so
 *   every process counts into one window and exactly one request trips it). Past
 *   PILE_ON_REQUESTS within PILE_ON_WINDOW_MINUTES (half as many for someone on a room's stage
 *   that ended within the hour), Limits switch on (non_followers, PILE_ON_LIMITS_HOURS), the
 *   window's requests and the crossing one move to hidden, and the person gets a notice.
 * - Fan-out of first messages: a sender's conversations with strangers are counted the same
 *   way; past FANOUT_REQUESTS within FANOUT_WINDOW_MINUTES the next ones are created with their
 *   strangers `held`: the sender sees them as sent, the recipients see nothing until staff
 *   release them from the spam-request queue, which shows the burst.
 */
@Injectable()
export class RequestProtectionService {
  private readonly received: SlidingWindow;
  private readonly started: SlidingWindow;

  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOM_CONTEXT) private readonly rooms: RoomContextSource,
    @Inject(PROTECTION_NOTICES) private readonly notices: ProtectionNotices,
  ) {
    this.received = new SlidingWindow(redis, 'pileon');
    this.started = new SlidingWindow(redis, 'fanout');
  }

  async limits(userId: string): Promise<LimitsRow> {
    const row = await repo.limitsOf(this.db, userId);
    if (!row) throw new NotFound();
    return row;
  }

  /** PUT /v1/me/limits: `from` one of LIMITS_FROM, `until` in the future and at most LIMITS_MAX_DAYS ahead. */
  async setLimits(userId: string, body: unknown): Promise<LimitsRow> {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const problems: { field: string; problems: string[] }[] = [];
    if (typeof b.from !== 'string' || !(LIMITS_FROM as readonly string[]).includes(b.from)) {
      problems.push({ field: 'from', problems: [`one of ${LIMITS_FROM.join(', ')}`] });
    }
    const until = typeof b.until === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(b.until) ? new Date(b.until) : null;
    const now = Date.now();
    if (!until || Number.isNaN(until.getTime())) problems.push({ field: 'until', problems: ['an ISO-8601 time'] });
    else if (until.getTime() <= now) problems.push({ field: 'until', problems: ['in the future'] });
    else if (until.getTime() > now + LIMITS_MAX_DAYS * 86_400_000)
      problems.push({ field: 'until', problems: [`at most ${LIMITS_MAX_DAYS} days ahead`] });
    if (problems.length) {
      throw new InvalidRequest(
        `Limits need from (${LIMITS_FROM.join(' or ')}) and until, a time within the next ${LIMITS_MAX_DAYS} days.`,
        problems,
      );
    }
    const { row, outboxId } = await this.db.tx(async (q) => {
      const row = await repo.setLimits(q, userId, b.from as LimitsFrom, until!);
      if (!row) throw new NotFound();
      const moved = await repo.hideRequestsFromLimited(q, userId, 'limits');
      return { row, outboxId: await this.events.append(q, await this.movedToHidden(q, userId, moved)) };
    });
    this.events.published(outboxId);
    return row;
  }

  /**
   * conversation.updated for requests that just moved to the user's hidden folder, so every
   * client of theirs moves them out of Requests as the lists now do (the view says `hidden`).
   */
  private async movedToHidden(q: Queryable, userId: string, conversationIds: string[]): Promise<UserEvent[]> {
    const views = await loadConversationViews(q, conversationIds, userId);
    const out: UserEvent[] = [];
    for (const v of views.values()) {
      if (v.myState === 'pending') out.push({ userId, type: 'conversation.updated', payload: { conversation: { ...v, hidden: true } } });
    }
    return out;
  }

  /** DELETE /v1/me/limits: new conversations are admitted again; hidden requests stay hidden. */
  async endLimits(userId: string): Promise<void> {
    await repo.endLimits(this.db, userId);
  }

  /**
   * Counts a new conversation of `creatorId` in which `pendingIds` would get a request, in
   * the shared windows, before its transaction (Redis first: the count must be atomic across
   * processes; `forget` takes it back when the transaction fails).
   */
  async screen(creatorId: string, conversationId: string, pendingIds: string[]): Promise<RequestScreen> {
    const screen: RequestScreen = { conversationId, creatorId, held: false, startedInWindow: 0, counted: [], hidden: [], trips: [] };
    if (pendingIds.length === 0) return screen;
    const fan = this.config.fanOut;
    screen.startedInWindow = await this.started.count(creatorId, conversationId, fan.windowMinutes * 60_000);
    if (screen.startedInWindow > fan.requests) {
      // Held requests reach nobody yet, so they count towards nobody's pile-on.
      screen.held = true;
      return screen;
    }
    const pile = this.config.pileOn;
    const onStage = await this.rooms.recentlyOnStage(pendingIds, ON_STAGE_MINUTES);
    await Promise.all(
      pendingIds.map(async (userId) => {
        const halved = onStage.has(userId);
        const threshold = halved ? Math.max(1, Math.floor(pile.requests / 2)) : pile.requests;
        const r = await this.received.countAndTrip(userId, conversationId, pile.windowMinutes * 60_000, threshold);
        screen.counted.push(userId);
        if (r.over) screen.hidden.push(userId);
        if (r.tripped) screen.trips.push({ userId, requests: r.count, threshold, halved, window: r.window });
      }),
    );
    return screen;
  }

  /**
   * First in the transaction that stores the request(s) of `screen`, before its events are
   * built: the breaker's turn on each counted recipient (takeBreakerTurns: exclusive where this
   * request trips, shared otherwise). Without it a request counted just before a trip could
   * commit while the trip's transaction ran: the trip did not see it yet (no conversation.updated)
   * and it did not see the trip (request.created not hidden), so its recipient was never told
   * that it is hidden.
   */
  async takeTurns(q: Queryable, screen: RequestScreen): Promise<void> {
    const tripped = new Set(screen.trips.map((t) => t.userId));
    const counted = [...screen.counted].sort();
    await repo.takeBreakerTurns(
      q,
      counted.map((userId) => ({ userId, trips: tripped.has(userId) })),
    );
  }

  /** Stores what `screen` decided, inside the transaction that stores the conversation; the events to append. */
  async apply(q: Queryable, screen: RequestScreen): Promise<UserEvent[]> {
    if (screen.held) {
      await repo.recordBurst(q, screen.creatorId, screen.startedInWindow, this.config.fanOut.windowMinutes);
      return [];
    }
    for (const userId of screen.hidden) await repo.hideRequests(q, userId, [screen.conversationId], 'pile_on');
    const events: UserEvent[] = [];
    const pile = this.config.pileOn;
    for (const trip of screen.trips) {
      const limits = await repo.switchLimitsOn(q, trip.userId, new Date(Date.now() + pile.limitsHours * 3_600_000));
      const moved = new Set([
        ...(await repo.hideRequests(q, trip.userId, trip.window, 'pile_on')),
        ...(await repo.hideRequestsFromLimited(q, trip.userId, 'limits')),
      ]);
      // the new conversation itself is announced by its request.created, already hidden
      moved.delete(screen.conversationId);
      events.push(...(await this.movedToHidden(q, trip.userId, [...moved])));
      await repo.insertTrip(q, {
        id: newId(),
        userId: trip.userId,
        requests: trip.requests,
        threshold: trip.threshold,
        windowMinutes: pile.windowMinutes,
        halved: trip.halved,
        limitsUntil: new Date(limits.until!),
      });
      events.push(
        ...(await this.notices.limitsEnabled(q, trip.userId, {
          from: limits.from!,
          until: limits.until!,
          requests: trip.requests,
          windowMinutes: pile.windowMinutes,
        })),
      );
    }
    return events;
  }

  /** The conversation was not stored: its counts come out of the windows again. */
  async forget(screen: RequestScreen): Promise<void> {
    if (screen.startedInWindow > 0) await this.started.forget(screen.creatorId, screen.conversationId);
    const tripped = new Set(screen.trips.map((t) => t.userId));
    await Promise.all(screen.counted.map((userId) => this.received.forget(userId, screen.conversationId, tripped.has(userId))));
  }
}
