import { Inject, Injectable } from '@nestjs/common';
import { REQUESTS_HIDDEN_BY_RULE, ROOM_CONTEXT, type RequestsHiddenByRule, type RoomContextSource } from './conversation-extensions';
import { Db, PG_UNIQUE_VIOLATION, type Queryable } from '../db/db.service';
import { Blocked, GroupTooLarge, InvalidRequest, LockStateChanged, NotAGroup, NotFound, NotPending, Unprocessable } from '../errors';
import { isUuid, newId } from '../ids';
import { KeysetCursor } from '../keyset-cursor';
import { RateLimitsService } from '../limits/rate-limits.service';
import { EventsService } from '../events/events.service';
import type { UserEvent } from '../events/event-types';
import { JobName, type OutboxJob } from '../queues';
import { MAX_MEMBERS, MessageRequestPolicy, type RecipientFacts } from './message-request-policy';
import { assertMayStartConversations } from '../policy/standing';
import { assertConversationOpen } from '../policy/write-policy';
import { hiddenWords } from '../accounts/accounts.repository';
import { loadConversationViews, opensConversation, type ConversationView } from './conversation-view';
import * as conversations from './conversations.repository';
import type { FolderRow, LockedMemberRow, MemberState, NewMember } from './rows';
import { HiddenWordMatcher } from '../accounts/hidden-words';
import { RequestProtectionService, type RequestScreen } from './request-protection.service';
import { hiddenRequestIds, settleHeld } from './request-protection.repository';

export interface CreateConversationInput {
  participantIds: unknown;
  title?: unknown;
  roomId?: unknown;
}

/** A job that recomputes a sender's spam score; the jobId collapses bursts to one run per second. */
export const scoreSenderJob = (senderId: string): OutboxJob => ({
  name: JobName.ScoreSender,
  data: { senderId },
  jobId: `score-${senderId}-${Math.floor(Date.now() / 1000)}`,
  // Runs after its second is over, so a trigger deduplicated into it is never missed.
  delayMs: 1000,
});

@Injectable()
export class ConversationsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly limits: RateLimitsService,
    @Inject(ROOM_CONTEXT) private readonly rooms: RoomContextSource,
    @Inject(REQUESTS_HIDDEN_BY_RULE) private readonly hiddenByRule: RequestsHiddenByRule,
    private readonly protection: RequestProtectionService,
  ) {}

  /** The conversation as `viewerId` sees it; 404 unless they are an active or pending member. */
  async view(conversationId: string, viewerId: string, q: Queryable = this.db): Promise<ConversationView> {
    if (!isUuid(conversationId)) throw new NotFound();
    const v = (await loadConversationViews(q, [conversationId], viewerId)).get(conversationId);
    if (!v || !opensConversation(v.myState)) throw new NotFound();
    if (v.myState === 'pending') v.hidden = (await this.hiddenRequests(viewerId, [conversationId])).has(conversationId);
    return v;
  }

  /**
   * Builds conversation.updated / request.created events for each listed user, as they see it
   * (a pending one's view says whether the request sits in their hidden folder; `hiddenFor`
   * names the users for whom the caller's own transaction hides it).
   */
  async eventsFor(
    q: Queryable,
    conversationId: string,
    userIds: string[],
    type: 'conversation.updated' | 'request.created' = 'conversation.updated',
    hiddenFor: ReadonlySet<string> = new Set(),
  ): Promise<UserEvent[]> {
    const out: UserEvent[] = [];
    for (const userId of userIds) {
      const v = (await loadConversationViews(q, [conversationId], userId)).get(conversationId);
      if (!v) continue;
      if (v.myState === 'pending') {
        v.hidden = hiddenFor.has(userId) || (await this.hiddenRequests(userId, [conversationId])).has(conversationId);
      }
      out.push({ userId, type, payload: { conversation: v } });
    }
    return out;
  }

  /** The write policy's standing check for starting a conversation or adding members (policy/standing.ts): not restricted, DM access on. */
  async assertMayMessage(userId: string, q: Queryable = this.db): Promise<{ requestLimitFactor: number }> {
    const r = await conversations.messagingStanding(q, userId);
    assertMayStartConversations(
      r && { restricted: r.restricted, restricted_until: r.restrictedUntil, dm_access_revoked: r.dmAccessRevoked },
    );
    return { requestLimitFactor: Number(r?.requestLimitFactor ?? 1) };
  }

  private parseParticipants(creatorId: string, raw: unknown): string[] {
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > 100 || !raw.every((x) => typeof x === 'string')) {
      throw new InvalidRequest('participantIds must be a non-empty array of user ids.', [
        { field: 'participantIds', problems: ['array of ids'] },
      ]);
    }
    const ids = [...new Set(raw as string[])].filter((id) => id !== creatorId);
    if (ids.length === 0) throw new Unprocessable('Name at least one other participant.');
    if (ids.some((id) => !isUuid(id))) throw new NotFound('No such user.');
    if (ids.length + 1 > MAX_MEMBERS) throw new GroupTooLarge(`A conversation has at most ${MAX_MEMBERS} members, you included.`);
    return ids;
  }

  /** Facts about each prospective member relative to `actorId`, in one query; 404 if any is unknown. */
  private async recipientFacts(q: Queryable, actorId: string, ids: string[]): Promise<RecipientFacts[]> {
    const facts = await conversations.recipientFacts(q, actorId, ids);
    if (facts.length !== ids.length) throw new NotFound('No such user.');
    return facts;
  }

  /**
   * Blocks hold in groups (API.md v1.1): 403 blocked when any of `newcomers` blocks, or is
   * blocked by, anyone of `everyone` (the conversation as it would be; a `declined` member
   * still holds a seat). One query over the block table in both directions.
   * A block committed concurrently with this check is not seen here; the result is then the
   * same as a block made right after the add, which the read-time visibility rule
   * (policy/visibility.ts) already covers: the blocker never reads the blocked member there.
   */
  private async assertNoBlockAmong(q: Queryable, newcomers: string[], everyone: string[]): Promise<void> {
    if (await conversations.blockAmong(q, newcomers, everyone)) throw new Blocked();
  }

  async create(creatorId: string, input: CreateConversationInput): Promise<{ conversation: ConversationView; created: boolean }> {
    const others = this.parseParticipants(creatorId, input.participantIds);
    let title: string | null = null;
    if (input.title !== undefined && input.title !== null) {
      if (typeof input.title !== 'string' || input.title.trim().length > 100 || /[\u0000-\u001f]/.test(input.title)) {
        throw new InvalidRequest('title must be a string of at most 100 characters.', [{ field: 'title', problems: ['string, max 100'] }]);
      }
      title = input.title.trim() || null;
    }
    const context = await this.roomContextFor([creatorId, ...others], input.roomId);
    const { requestLimitFactor } = await this.assertMayMessage(creatorId);
    const facts = await this.recipientFacts(this.db, creatorId, others);
    await this.assertNoBlockAmong(this.db, others, [creatorId, ...others]);
    const kind = others.length === 1 ? 'direct' : 'group';
    const states = new Map<string, MemberState>(
      facts.map((f) => [f.userId, MessageRequestPolicy.initialState(f, { group: kind === 'group' })]),
    );

    if (kind === 'direct') {
      const existing = await this.findDirect(creatorId, others[0]);
      if (existing) return { conversation: existing, created: false };
    }
    await this.limits.consume('conversationsPerHour', creatorId);
    const pendingCount = [...states.values()].filter((s) => s === 'pending').length;
    if (pendingCount > 0) await this.limits.consume('requestsPerDay', creatorId, pendingCount, requestLimitFactor);

    const id = newId();
    const directKey = kind === 'direct' ? [creatorId, others[0]].sort().join(':') : null;
    // The request waves (fan-out, pile-on) are counted before the transaction, on the shared Redis.
    const screen = await this.protection.screen(
      creatorId,
      id,
      others.filter((u) => states.get(u) === 'pending'),
    );
    if (screen.held) for (const u of others) if (states.get(u) === 'pending') states.set(u, 'held');
    try {
      const outboxId = await this.db.tx(async (q) => {
        await this.protection.takeTurns(q, screen);
        await conversations.insertConversation(q, {
          id,
          kind,
          title: kind === 'group' ? title : null,
          creatorId,
          directKey,
          roomId: (context?.roomId as string | undefined) ?? null,
          context: context ? JSON.stringify(context) : null,
        });
        const memberRows: NewMember[] = [
          { userId: creatorId, state: 'active', role: kind === 'group' ? 'owner' : 'member' },
          ...others.map((u): NewMember => ({ userId: u, state: states.get(u)!, role: 'member' })),
        ];
        await conversations.insertMembers(q, id, memberRows);
        const active = memberRows.filter((m) => m.state === 'active').map((m) => m.userId);
        const pending = memberRows.filter((m) => m.state === 'pending').map((m) => m.userId);
        const events = [
          ...(await this.eventsFor(q, id, active, 'conversation.updated')),
          ...(await this.eventsFor(q, id, pending, 'request.created', new Set(screen.hidden))),
          ...(await this.protection.apply(q, screen)),
        ];
        return this.events.append(q, events, pending.length || screen.held ? [scoreSenderJob(creatorId)] : []);
      });
      this.events.published(outboxId);
    } catch (err: any) {
      await this.protection.forget(screen);
      // Both sides created the same direct pair at once: the unique direct_key lets one win.
      if (err?.code === PG_UNIQUE_VIOLATION && directKey) {
        const existing = await this.findDirect(creatorId, others[0]);
        if (existing) return { conversation: existing, created: false };
      }
      throw err;
    }
    return { conversation: await this.view(id, creatorId), created: true };
  }

  /**
   * The room a new conversation comes from: a named room must have had everyone in it
   * (404 otherwise); without one, the most recent room everyone shared that was live in
   * the last 7 days, or none.
   */
  private async roomContextFor(userIds: string[], roomId: unknown): Promise<Record<string, unknown> | null> {
    if (roomId === undefined || roomId === null) return this.rooms.sharedRoomContext(userIds, null);
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const context = await this.rooms.sharedRoomContext(userIds, roomId);
    if (!context) throw new NotFound('No such room, or you were not in it together.');
    return context;
  }

  /** The direct conversation of a pair, re-opened for the creator if they had left or declined it. */
  private async findDirect(creatorId: string, otherId: string): Promise<ConversationView | null> {
    const key = [creatorId, otherId].sort().join(':');
    const id = await conversations.directConversationId(this.db, key);
    if (!id) return null;
    // Re-opening is an accept: the other side hears of it (conversation.updated), as for accept.
    const outboxId = await this.db.tx(async (q) => {
      const reopened = await conversations.reopenMember(q, id, creatorId);
      return reopened ? this.events.append(q, await this.eventsFor(q, id, await conversations.activeMemberIds(q, id))) : null;
    });
    this.events.published(outboxId);
    return this.view(id, creatorId);
  }

  async list(
    viewerId: string,
    folder: unknown,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: ConversationView[]; nextCursor: string | null }> {
    if (folder !== undefined && folder !== 'inbox' && folder !== 'requests' && folder !== 'hidden') {
      throw new InvalidRequest('folder must be inbox, requests or hidden.', [{ field: 'folder', problems: ['inbox | requests | hidden'] }]);
    }
    let after: { at: string; id: string } | null = null;
    if (cursor) {
      const [at, id] = KeysetCursor.decode(cursor, ['time', 'uuid']);
      after = { at, id };
    }
    const page: FolderRow[] = [];
    let more = false;
    if (folder === 'requests' || folder === 'hidden') {
      // Hidden-ness is decided at read time (the viewer's words are their own setting, so a
      // change re-sorts existing requests): scan pending rows newest first in batches, keep
      // those on this folder's side, stop one past the page. Pending rows per user are few
      // (requestsPerDay), and each costs at most MAX_REQUEST_MESSAGES readable messages.
      const wantHidden = folder === 'hidden';
      const batch = Math.max(limit + 1, 50);
      let scanAfter = after;
      for (;;) {
        const rows = await conversations.folderPage(this.db, viewerId, 'pending', scanAfter, batch);
        const hidden = await this.hiddenRequests(
          viewerId,
          rows.map((r) => r.id),
        );
        for (const r of rows) {
          if (hidden.has(r.id) !== wantHidden) continue;
          if (page.length === limit) {
            more = true;
            break;
          }
          page.push(r);
        }
        if (more || rows.length < batch) break;
        const last = rows[rows.length - 1];
        scanAfter = { at: new Date(last.lastActivityAt).toISOString(), id: last.id };
      }
    } else {
      const rows = await conversations.folderPage(this.db, viewerId, 'active', after, limit + 1);
      page.push(...rows.slice(0, limit));
      more = rows.length > limit;
    }
    const views = await loadConversationViews(
      this.db,
      page.map((r) => r.id),
      viewerId,
    );
    const last = page[page.length - 1];
    const items = page.map((r) => views.get(r.id)!).filter(Boolean);
    // a page of requests or hidden requests: each sits in the folder it was listed from
    for (const v of items) if (v.myState === 'pending') v.hidden = folder === 'hidden';
    return {
      items,
      nextCursor: more ? KeysetCursor.encode([new Date(last.lastActivityAt).toISOString(), last.id]) : null,
    };
  }

  /**
   * Which of these pending requests are hidden from `viewerId` (API.md "Hidden requests"):
   * a visible message they may read (the first three, policy/visibility.ts) contains one of
   * their hidden words, or a default-list word while useDefaultList is on; or Limits or the
   * pile-on breaker moved it there (request-protection.service.ts); or a staff rule
   * with action `hide` hides it (REQUESTS_HIDDEN_BY_RULE, rules/hidden-requests.ts).
   */
  async hiddenRequests(viewerId: string, conversationIds: string[]): Promise<Set<string>> {
    const hidden = new Set<string>();
    if (conversationIds.length === 0) return hidden;
    // Moved there by Limits or the pile-on breaker (stored: ending Limits moves nothing back).
    for (const id of await hiddenRequestIds(this.db, viewerId, conversationIds)) hidden.add(id);
    const settings = await hiddenWords(this.db, viewerId);
    const matcher = HiddenWordMatcher.forSettings(settings?.words ?? [], settings?.useDefaultList ?? true);
    if (!matcher.empty) {
      const texts = await conversations.pendingRequestTexts(this.db, viewerId, conversationIds);
      for (const t of texts) if (matcher.matches(t.text)) hidden.add(t.conversationId);
    }
    const rest = conversationIds.filter((id) => !hidden.has(id));
    if (rest.length > 0) for (const id of await this.hiddenByRule.hiddenRequests(viewerId, rest)) hidden.add(id);
    return hidden;
  }

  /** Locks the viewer's membership row; 404 unless it exists in one of `states`. */
  private async lockMember(q: Queryable, conversationId: string, userId: string, states: MemberState[]): Promise<LockedMemberRow> {
    if (!isUuid(conversationId)) throw new NotFound();
    const m = await conversations.lockMember(q, conversationId, userId);
    if (!m || !states.includes(m.state)) throw new NotFound();
    return m;
  }

  async accept(userId: string, conversationId: string): Promise<ConversationView> {
    const outboxId = await this.db.tx(async (q) => {
      const m = await this.lockMember(q, conversationId, userId, ['pending', 'active']);
      if (m.state === 'active') return null;
      await this.activate(q, conversationId, userId);
      return this.events.append(q, await this.eventsFor(q, conversationId, await conversations.activeMemberIds(q, conversationId)));
    });
    this.events.published(outboxId);
    return this.view(conversationId, userId);
  }

  /** pending → active inside the caller's transaction (accept, or replying to a request). */
  async activate(q: Queryable, conversationId: string, userId: string): Promise<void> {
    await conversations.activatePendingMember(q, conversationId, userId);
  }

  /**
   * Silent decline: no event to anyone (the sender's view does not change, and the decliner
   * hears nothing about this conversation again); it counts against the sender's spam score.
   */
  async decline(userId: string, conversationId: string, q?: Queryable): Promise<void> {
    const run = async (tx: Queryable) => {
      const m = await this.lockMember(tx, conversationId, userId, ['pending']).catch(async (err) => {
        const state = isUuid(conversationId) ? await conversations.memberState(tx, conversationId, userId) : undefined;
        if (state === 'active') throw new NotPending('Only a pending message request can be declined.');
        throw err;
      });
      await conversations.declineMember(tx, conversationId, userId);
      if (m.creatorId) {
        await conversations.countDeclined(tx, m.creatorId);
        return this.events.append(tx, [], [scoreSenderJob(m.creatorId)]);
      }
      return null;
    };
    if (q) {
      await run(q);
      return;
    }
    const outboxId = await this.db.tx(run);
    this.events.published(outboxId);
  }

  /**
   * Decline-all (API.md v1.1): every request `senderId` created that is still pending for
   * `userId`, declined silently as `decline` does, in one transaction. An unknown sender
   * declines nothing. The member rows are locked up front (in conversation order) and
   * re-checked after any wait, so concurrent calls or an accept never make it fail: each
   * request is declined once, by whichever call got it.
   */
  async declineAll(userId: string, senderId: unknown): Promise<{ declined: number }> {
    if (typeof senderId !== 'string' || !isUuid(senderId)) {
      throw new InvalidRequest('senderId must be a user id.', [{ field: 'senderId', problems: ['uuid'] }]);
    }
    await this.limits.consume('declineAllPerUser', userId);
    const declined = await this.db.tx(async (q) => {
      const ids = await conversations.lockPendingFrom(q, userId, senderId);
      for (const id of ids) await this.decline(userId, id, q);
      return ids.length;
    });
    return { declined };
  }

  async addMembers(actorId: string, conversationId: string, rawIds: unknown): Promise<ConversationView> {
    if (!Array.isArray(rawIds) || rawIds.length === 0 || rawIds.length > 100 || !rawIds.every((x) => typeof x === 'string')) {
      throw new InvalidRequest('userIds must be a non-empty array of user ids.', [{ field: 'userIds', problems: ['array of ids'] }]);
    }
    const { requestLimitFactor } = await this.assertMayMessage(actorId);
    let screen: RequestScreen | undefined;
    const outboxId = await this.db
      .tx(async (q) => {
        const m = await this.lockMember(q, conversationId, actorId, ['active', 'pending']);
        if (m.state !== 'active') throw new NotFound();
        if (m.kind !== 'group') throw new NotAGroup('Members can only be added to group conversations.');
        // The conversation row lock serializes concurrent adds, so the 15 limit holds; a lock by staff refuses them all.
        assertConversationOpen(await conversations.lockConversation(q, conversationId));
        const ids = [...new Set(rawIds as string[])];
        if (ids.some((id) => !isUuid(id))) throw new NotFound('No such user.');
        const current = await conversations.memberStates(q, conversationId);
        // A decliner still looks pending to everyone else (decline is silent): they keep their
        // seat, and re-adding them is a no-op that tells them nothing.
        const occupying = new Set(current.filter((r) => r.state !== 'left').map((r) => r.userId));
        const fresh = ids.filter((id) => !occupying.has(id));
        if (fresh.length === 0) return null;
        if (occupying.size + fresh.length > MAX_MEMBERS) throw new GroupTooLarge(`A conversation has at most ${MAX_MEMBERS} members.`);
        const facts = await this.recipientFacts(q, actorId, fresh);
        if (facts.some((f) => f.blocked)) throw new Blocked();
        await this.assertNoBlockAmong(q, fresh, [...occupying, ...fresh]);
        const states = facts.map((f): { userId: string; state: MemberState } => ({
          userId: f.userId,
          state: MessageRequestPolicy.initialState(f, { group: true }),
        }));
        const pendingCount = states.filter((s) => s.state === 'pending').length;
        if (pendingCount > 0) await this.limits.consume('requestsPerDay', actorId, pendingCount, requestLimitFactor);
        const waves = await this.protection.screen(
          actorId,
          conversationId,
          states.filter((s) => s.state === 'pending').map((s) => s.userId),
        );
        screen = waves;
        await this.protection.takeTurns(q, waves);
        if (waves.held) for (const s of states) if (s.state === 'pending') s.state = 'held';
        // A newcomer reads from here on (API.md v1.1), a re-added member from the re-add: the
        // conversation row is locked, so no send can slip between this last_seq and the insert.
        await conversations.upsertAddedMembers(q, conversationId, states);
        await conversations.touchConversation(q, conversationId);
        const pending = states.filter((s) => s.state === 'pending').map((s) => s.userId);
        const events = [
          ...(await this.eventsFor(q, conversationId, await conversations.activeMemberIds(q, conversationId))),
          ...(await this.eventsFor(q, conversationId, pending, 'request.created')),
          ...(await this.protection.apply(q, waves)),
        ];
        return this.events.append(q, events, waves.held ? [scoreSenderJob(actorId)] : []);
      })
      .catch(async (err) => {
        if (screen) await this.protection.forget(screen);
        throw err;
      });
    this.events.published(outboxId);
    return this.view(conversationId, actorId);
  }

  /**
   * Staff settle the requests a fan-out burst held (the spam-request queue): `release`
   * makes each one an ordinary pending request, and its recipient hears of it now
   * (request.created); otherwise each is declined, silently as a decline is, and its
   * recipient never sees it. How many requests were settled.
   */
  async settleHeldRequests(senderId: string, release: boolean): Promise<number> {
    const result = await this.db.tx(async (q) => {
      const rows = await settleHeld(q, senderId, release ? 'pending' : 'declined');
      const events = [];
      if (release) for (const r of rows) events.push(...(await this.eventsFor(q, r.conversationId, [r.userId], 'request.created')));
      else for (let i = 0; i < rows.length; i++) await conversations.countDeclined(q, senderId);
      const outboxId = rows.length ? await this.events.append(q, events, [scoreSenderJob(senderId)]) : null;
      return { settled: rows.length, outboxId };
    });
    this.events.published(result.outboxId);
    return result.settled;
  }

  /**
   * Staff lock or unlock (API.md v1.2), inside the caller's transaction (which audits it): sets
   * or clears `locked_at` under the conversation's row lock, so it waits for a send in flight
   * and no send is accepted after it commits (SEND_SQL checks the lock on that row). Its active
   * and pending members hear `conversation.updated` with `locked`. 404 for an unknown id;
   * locking a locked conversation (or unlocking an open one) changes nothing and tells nobody.
   * With `expectLocked` (the state the caller read), a conversation found in the other state is
   * refused with 409 lock_state_changed, so a click on a stale page never acts unseen (the
   * caller's transaction rolls the write back). Returns the outbox id to publish after commit,
   * and whether anything changed.
   */
  async setLocked(
    q: Queryable,
    conversationId: string,
    locked: boolean,
    expectLocked?: boolean,
  ): Promise<{ changed: boolean; outboxId: string | null }> {
    if (!isUuid(conversationId)) throw new NotFound('No such conversation.');
    const r = await conversations.setConversationLocked(q, conversationId, locked);
    if (!r.found) throw new NotFound('No such conversation.');
    if (expectLocked !== undefined && r.was !== expectLocked) {
      throw new LockStateChanged(
        r.was
          ? 'Someone locked this conversation after you read it, so it is already locked; nothing was changed.'
          : 'Someone unlocked this conversation after you read it, so it is already open; nothing was changed.',
        { locked: r.was },
      );
    }
    if (!r.changed) return { changed: false, outboxId: null };
    const members = (await conversations.memberStates(q, conversationId)).filter((m) => opensConversation(m.state)).map((m) => m.userId);
    return { changed: true, outboxId: await this.events.append(q, await this.eventsFor(q, conversationId, members)) };
  }

  async leave(userId: string, conversationId: string): Promise<void> {
    const outboxId = await this.db.tx(async (q) => {
      const m = await this.lockMember(q, conversationId, userId, ['active', 'pending']);
      if (m.kind !== 'group') throw new NotAGroup('Only group conversations can be left.');
      await conversations.leaveMember(q, conversationId, userId);
      return this.events.append(q, await this.eventsFor(q, conversationId, await conversations.activeMemberIds(q, conversationId)));
    });
    this.events.published(outboxId);
  }

  /**
   * Read marker: forward only, clamped to the last seq (a pending member's: to the last seq
   * they may read). It never points before the member joined: adding sets it to the join
   * seq. A pending recipient's marker is stored but nobody else hears of it until they accept.
   */
  async markRead(
    userId: string,
    conversationId: string,
    seq: unknown,
  ): Promise<{ conversationId: string; readSeq: number; unreadCount: number }> {
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > Number.MAX_SAFE_INTEGER) {
      throw new InvalidRequest('seq must be a non-negative integer.', [{ field: 'seq', problems: ['non-negative integer'] }]);
    }
    const result = await this.db.tx(async (q) => {
      // The conversation's turn before the first write (the member row lock): read.updated is
      // positioned after every earlier event of the conversation, as a send is.
      if (isUuid(conversationId)) await this.events.takeTurn(q, conversationId);
      const m = await this.lockMember(q, conversationId, userId, ['active', 'pending']);
      const readSeq = await conversations.advanceReadMarker(q, conversationId, userId, seq);
      const unread = await conversations.unreadCount(q, conversationId, userId);
      let outboxId: string | null = null;
      if (m.state === 'active' && String(readSeq) !== String(m.readSeq)) {
        // Once, in conversation_event, to the members who hear of this reader's marker
        // (hearsReadMarkerSql: active, no block either way, not restricted by the reader).
        outboxId = await this.events.appendReadEvent(q, conversationId, userId, {
          conversationId,
          userId,
          seq: Number(readSeq),
          readSeq: Number(readSeq),
        });
      }
      return { readSeq: Number(readSeq), unread, outboxId };
    });
    this.events.published(result.outboxId);
    return { conversationId, readSeq: result.readSeq, unreadCount: result.unread };
  }
}
