import { Inject, Injectable } from '@nestjs/common';
import { parse as parseDomain } from 'tldts';
import { Db, PG_UNIQUE_VIOLATION, withDeadlockRetry, type Queryable } from '../db/db.service';
import { Forbidden, InvalidRequest, NotFound, RateLimited, ReplyTargetNotFound } from '../errors';
import { isUuid, newId } from '../ids';
import { RateLimitsService } from '../limits/rate-limits.service';
import { EventsService, takeConversationTurn } from '../events/events.service';
import { ConversationsService, scoreSenderJob } from '../conversations/conversations.service';
import { CONTENT_SCREEN, type ContentScreen } from './content-screen';
import { LINK_SCAN_WAKE, type LinkScanWake } from './link-scan-wake';
import { forViewer, messageView, type MessageView } from '../views/message-view';
import { MAX_MESSAGE_CHARS, refuseMedia, validateClientId, validateText } from './message-text';
import { assertMayWrite } from '../policy/write-policy';
import * as messages from './messages.repository';
import { ConversationQueue, ConversationQueueFull, type Batcher, type QueueTurn } from './conversation-queue';
import { sendParams } from './messages.repository';

/** The send's statement and parameters live in messages.repository.ts; re-exported for older importers. */
export { CONTEXT_SQL, SEND_POSITIONS_SQL, SEND_SQL, sendParams, type SendParams } from './messages.repository';

export interface SendBody {
  clientId?: unknown;
  text?: unknown;
  replyTo?: unknown;
  [key: string]: unknown;
}

/**
 * Sends that may wait for one conversation in this process behind the one in its statement;
 * one more is refused with 429 rate_limited (Retry-After: 1), before anything is stored and
 * before its send budget is spent (a send takes its place in the queue first). Above
 * what a conversation's members can put in flight within their send budgets (15 members × a
 * burst of 20 by default), about half a second of queue at ~1 ms a statement, and a bound
 * on what a hot conversation holds in memory (each waiter: its parameters, ≤ ~20 KB).
 */
export const MAX_WAITING_SENDS_PER_CONVERSATION = 512;

/**
 * At most this many sends of one conversation stored in one transaction (storeSends): the
 * sends that waited behind the one in its statement, taken together when the lane frees. A
 * bound on how long one transaction holds the conversation's turn and the rows it locked.
 */
export const MAX_SENDS_PER_BATCH = 32;

/** A send ready for its statement, waiting in its conversation's queue (storeSends). */
interface ReadySend {
  conversationId: string;
  senderId: string;
  clientId: string;
  params: unknown[];
  reply: boolean;
}

/** How long a conversation that needed member rows (a v1 client) sends with SEND_SQL first, without trying the positions form. */
const V1_HINT_MS = 60_000;

/** Keys noted within the last `ttlMs`, at most `max` of them (the oldest go first). */
class RecentSet {
  private readonly at = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  has(key: string): boolean {
    const t = this.at.get(key);
    if (t === undefined) return false;
    if (Date.now() - t < this.ttlMs) return true;
    this.at.delete(key);
    return false;
  }

  add(key: string): void {
    this.at.delete(key);
    this.at.set(key, Date.now());
    if (this.at.size > this.max) this.at.delete(this.at.keys().next().value as string);
  }
}

@Injectable()
export class MessagesService {
  private readonly sendTurns = new ConversationQueue(MAX_WAITING_SENDS_PER_CONVERSATION);
  /** Conversations whose last send needed member rows (a v1 client): their sends run SEND_SQL first for a minute. */
  private readonly v1Conversations = new RecentSet(V1_HINT_MS, 10_000);
  /** The sends waiting in a conversation's queue are stored together (conversation-queue.ts runBatched). */
  private readonly sendBatcher: Batcher<ReadySend, MessageView | undefined> = {
    maxBatch: MAX_SENDS_PER_BATCH,
    run: (sends) => this.storeSends(sends),
  };

  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly limits: RateLimitsService,
    private readonly conversations: ConversationsService,
    @Inject(CONTENT_SCREEN) private readonly screen: ContentScreen,
    @Inject(LINK_SCAN_WAKE) private readonly linkScan: LinkScanWake,
  ) {}

  messageView(row: any): MessageView {
    return messageView(row);
  }

  /**
   * Same service for REST and socket (STYLE.md, convention 1). created=false: an idempotent
   * replay. The common case is one statement; a refused or replying-to-a-request send takes
   * the slow path, which reads the context to say why or to accept the request first.
   */
  async send(senderId: string, conversationId: string, body: SendBody): Promise<{ message: MessageView; created: boolean }> {
    const { message, created } = await this.sendStored(senderId, conversationId, body);
    return { message: forViewer(message, senderId), created };
  }

  private async sendStored(senderId: string, conversationId: string, body: SendBody): Promise<{ message: MessageView; created: boolean }> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('The body must be a JSON object.');
    refuseMedia(body);
    const clientId = validateClientId(body.clientId);
    const text = validateText(body.text, MAX_MESSAGE_CHARS);
    const replySeq = parseReplyTo(body.replyTo);
    if (!isUuid(conversationId)) throw new NotFound();

    // A place in the conversation's queue before the budget: a send refused because the queue
    // is full (429) spends none of it, and no other send takes the place while this one pays.
    let turn: QueueTurn;
    try {
      turn = this.sendTurns.reserve(conversationId);
    } catch (err) {
      if (!(err instanceof ConversationQueueFull)) throw err;
      // A retry of a stored message is still answered.
      const existing = await this.findByClientId(conversationId, senderId, clientId);
      if (existing) return { message: messageView(existing), created: false };
      throw new RateLimited(1, 'This conversation is busy; try again shortly.');
    }
    try {
      return await this.sendInTurn(senderId, conversationId, clientId, text, replySeq, turn);
    } finally {
      turn.release();
    }
  }

  private async sendInTurn(
    senderId: string,
    conversationId: string,
    clientId: string,
    text: string,
    replySeq: number | null,
    turn: QueueTurn,
  ): Promise<{ message: MessageView; created: boolean }> {
    try {
      await this.limits.spendSendBudget(senderId);
    } catch (err) {
      // A retry of a message that was stored is answered even when the budget is spent.
      if (err instanceof RateLimited) {
        const existing = await this.findByClientId(conversationId, senderId, clientId);
        if (existing) return { message: messageView(existing), created: false };
      }
      throw err;
    }

    // Only a reply pays for this read (one indexed row); the send itself stays one statement.
    const replyTo = replySeq === null ? null : await this.replyTarget(senderId, conversationId, clientId, replySeq);
    if (replyTo && 'message' in replyTo) return replyTo;

    const id = newId();
    // Links, the blocklist and the staff rules (a live block throws here, before anything is stored).
    const { urls, blocklisted, held, settle } = await this.screen.screen(senderId, conversationId, text);
    const params = sendParams({
      conversationId,
      senderId,
      id,
      clientId,
      text,
      linkRows: urls.map((url) => ({
        url,
        host: hostOf(url),
        scan: blocklisted(url),
      })),
      // No scan job: the send's link_backlog row is the scanner's queue (LINK_SCAN_WAKE below).
      jobs: [],
      requestJobs: [scoreSenderJob(senderId)],
      replyTo,
      held,
      v1WindowDays: this.events.v1WindowDays,
    });
    try {
      // One send (or one batch of the sends waiting) per conversation in a statement at a time from
      // this process (conversation-queue.ts); published inside its turn, so this process pushes a
      // conversation's messages in seq order. None back: a rule refused it (the slow path says which).
      const stored = await turn.runBatched({ conversationId, senderId, clientId, params, reply: replyTo !== null }, this.sendBatcher);
      const result = stored ? { message: stored, created: true } : await this.sendSlowPath(senderId, conversationId, clientId, params);
      if (urls.length && result.created) this.linkScan.sent(result.message.links.some((l) => l.verdict === 'pending'));
      if (settle && result.created) await settle({ messageId: result.message.id });
      return result;
    } catch (err: any) {
      if (err?.code === PG_UNIQUE_VIOLATION) {
        // The same clientId raced in from another request or process: return the winner.
        const existing = await this.findByClientId(conversationId, senderId, clientId);
        if (existing) return { message: messageView(existing), created: false };
      }
      throw err;
    }
  }

  /**
   * The send's statement (messages.repository.ts sendSql): a reply runs SEND_SQL (it quotes);
   * any other the positions form, which writes no member rows and refuses (writing nothing)
   * where a member has a v1 client, then SEND_SQL. A conversation found to need member rows
   * goes straight to SEND_SQL for a while (v1Conversations): a hint only, either statement
   * decides correctly by itself.
   */
  private async insertSend(q: messages.Prepares, send: ReadySend): Promise<messages.MessageRow | undefined> {
    if (!send.reply && !this.v1Conversations.has(send.conversationId)) {
      const row = await messages.insertMessagePositions(q, send.params);
      if (row !== messages.NEEDS_FULL_SEND) return row;
      this.v1Conversations.add(send.conversationId);
    }
    return messages.insertMessage(q, send.params);
  }

  /**
   * Stores the sends that waited together in their conversation's queue, in queue order, and
   * publishes each after commit (in seq order): one outcome per send, the stored message or
   * none when a rule refused it. Several go in ONE transaction, each send's statement as it runs
   * alone (every rule per message; each statement's snapshot sees the earlier ones' writes, so
   * the request cap counts them), so one commit for all. A refused send writes nothing and does
   * not disturb the others. A statement error (a clientId stored before: the unique index) rolls
   * the transaction back: then each runs alone, so it fails alone. A clientId repeated inside the
   * batch starts a new transaction at the repeat (it meets its twin's row there, as it would alone).
   */
  private async storeSends(sends: ReadySend[]): Promise<Array<PromiseSettledResult<MessageView | undefined>>> {
    const outcomes: Array<PromiseSettledResult<MessageView | undefined>> = [];
    for (const group of withoutRepeatedClientIds(sends)) {
      if (group.length === 1) {
        outcomes.push(await settled(() => this.storeAlone(group[0])));
        continue;
      }
      let rows: Array<messages.MessageRow | undefined>;
      try {
        rows = await this.db.tx(async (q) => {
          const out: Array<messages.MessageRow | undefined> = [];
          for (const send of group) out.push(await this.insertSend(q, send));
          return out;
        });
      } catch {
        for (const send of group) outcomes.push(await settled(() => this.storeAlone(send)));
        continue;
      }
      for (const row of rows) outcomes.push(await settled(async () => row && this.publishSend(row)));
    }
    return outcomes;
  }

  /** One send's statement in autocommit (a deadlock victim runs again), published after it. */
  private async storeAlone(send: ReadySend): Promise<MessageView | undefined> {
    const row = await withDeadlockRetry(() => this.insertSend(this.db, send));
    return row && this.publishSend(row);
  }

  /** After the send committed: push message.created to its recipients, hand its jobs (if any) to the outbox relay. */
  private publishSend(row: any): MessageView {
    const view = messageView(row);
    const stored = row as { recipients: Array<[string, string | null]> | null; position: string; outbox_id: string | null };
    this.events.push('message.created', stored.recipients, { message: view }, stored.position);
    this.events.published(stored.outbox_id);
    return view;
  }

  private findByClientId(conversationId: string, senderId: string, clientId: string) {
    return messages.findByClientId(this.db, conversationId, senderId, clientId);
  }

  /**
   * replyTo (v1.1): the seq of a visible message of this conversation that the sender can see,
   * else 422 reply_target_not_found (a non-member still gets 404; a retry of a stored clientId
   * is answered with its message even if the target was removed since).
   */
  private async replyTarget(
    senderId: string,
    conversationId: string,
    clientId: string,
    seq: number,
  ): Promise<{ seq: number; senderId: string } | { message: MessageView; created: false }> {
    const row = await messages.replyTarget(this.db, conversationId, senderId, seq);
    if (!row || (row.myState !== 'active' && row.myState !== 'pending')) throw new NotFound();
    if (row.targetSenderId) return { seq, senderId: row.targetSenderId };
    const existing = await this.findByClientId(conversationId, senderId, clientId);
    if (existing) return { message: messageView(existing), created: false };
    // A writer who may not write here is told so, not that the target is missing (a blocker cannot see the blocked one's messages).
    assertMayWrite(row);
    throw new ReplyTargetNotFound();
  }

  private async sendSlowPath(
    senderId: string,
    conversationId: string,
    clientId: string,
    params: unknown[],
  ): Promise<{ message: MessageView; created: boolean }> {
    const ctx = await messages.sendContext(this.db, conversationId, senderId, clientId);
    if (!ctx || (ctx.myState !== 'active' && ctx.myState !== 'pending')) throw new NotFound();
    if (ctx.existing) return { message: messageView(ctx.existing), created: false };
    assertMayWrite(ctx);
    if (ctx.myState === 'pending') {
      // A pending recipient who replies has accepted: activation and send commit together.
      const { row, extraOutbox } = await this.db.tx(async (q) => {
        // The conversation's turn first, as the send's own statement takes it (before any write).
        await takeConversationTurn(q, conversationId);
        await this.conversations.activate(q, conversationId, senderId);
        const r = await messages.insertMessage(q, params);
        const active = await messages.activeMemberIds(q, conversationId);
        return {
          row: r,
          extraOutbox: r ? await this.events.append(q, await this.conversations.eventsFor(q, conversationId, active)) : null,
        };
      });
      if (!row) throw new NotFound();
      this.events.published(extraOutbox);
      return { message: this.publishSend(row), created: true };
    }
    // The context changed between the two reads (e.g. the request was just accepted): once more.
    const row = await messages.insertMessage(this.db, params);
    if (!row) throw new NotFound();
    return { message: this.publishSend(row), created: true };
  }

  /** Messages by seq that the viewer may read (policy/visibility.ts): after `afterSeq` ascending, or the page right before `beforeSeq`. */
  async list(
    viewerId: string,
    conversationId: string,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<{ items: MessageView[]; nextCursor: string | null }> {
    await this.conversations.view(conversationId, viewerId);
    const { afterSeq, beforeSeq, limit } = opts;
    let rows: any[];
    if (afterSeq === undefined && beforeSeq !== undefined) {
      rows = (await messages.listBefore(this.db.replica, conversationId, viewerId, beforeSeq, limit + 1)).reverse();
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(1) : rows;
      return { items: page.map((r) => forViewer(messageView(r), viewerId)), nextCursor: hasMore ? `b${page[0].seq}` : null };
    }
    rows = await messages.listAfter(this.db.replica, conversationId, viewerId, afterSeq ?? 0, beforeSeq ?? null, limit + 1);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return { items: page.map((r) => forViewer(messageView(r), viewerId)), nextCursor: hasMore ? String(page[page.length - 1].seq) : null };
  }

  /** Unsend: own messages only; text and links are gone for every reader, the seq stays. */
  async unsend(userId: string, conversationId: string, messageId: string): Promise<MessageView> {
    await this.conversations.view(conversationId, userId);
    if (!isUuid(messageId)) throw new NotFound('No such message.');
    const row = await messages.senderAndState(this.db, conversationId, messageId);
    if (!row) throw new NotFound('No such message.');
    if (row.senderId !== userId) throw new Forbidden('You can only unsend your own messages.');
    const { view } = await this.removeWith(messageId, 'unsent');
    return forViewer(view, userId);
  }

  /** Removal for everyone by staff or the link scanner. */
  async remove(messageId: string, reason: 'malicious_link' | 'moderation' | string, q?: Queryable): Promise<MessageView | null> {
    if (!isUuid(messageId)) return null;
    if (q) return (await this.removeIn(q, messageId, reason)).view;
    return (await this.removeWith(messageId, reason)).view;
  }

  private async removeWith(messageId: string, reason: string) {
    const res = await this.db.tx(async (q) => {
      await this.events.takeMessageTurn(q, messageId); // before the first write: positioned as a send is
      return this.removeIn(q, messageId, reason);
    });
    this.events.published(res.outboxId);
    return res;
  }

  /**
   * Inside a transaction: removes the message for every end user and writes message.updated
   * (EventsService.appendMessageEvents) to those who had message.created (memberReadsMessageSql; a message still held for pending
   * members stays held, so they never hear of it); the caller publishes. The text and links move, in the same
   * statement, to `message_retained`, a staff-only copy that a report freezes as evidence
   * (kept UNSENT_RETENTION_DAYS, whatever the reason: unsent, malicious_link, moderation).
   * The row lock taken here is what a report's FOR SHARE waits on (ReportsService.file), so
   * a racing report freezes either the original text or the retained copy, never nothing.
   * Earlier events of the message reference it (event.message_id) and sync renders its
   * current row, so a sync from an old cursor does not replay the text either.
   */
  async removeIn(q: Queryable, messageId: string, reason: string): Promise<{ view: any; outboxId: string | null }> {
    const row = await messages.removeMessage(q, messageId, reason);
    if (!row) {
      // Already removed (or unknown): idempotent, no second event.
      const current = await messages.messageById(q, messageId);
      return { view: current ? messageView(current) : null, outboxId: null };
    }
    const view = messageView(row);
    const outboxId = await this.events.appendMessageEvents(q, 'message.updated', [{ id: messageId, payload: { message: view } }]);
    return { view, outboxId };
  }
}

/** replyTo: absent or null (not a reply), else a seq. */
function parseReplyTo(raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 1) {
    throw new InvalidRequest('replyTo must be the seq (an integer of at least 1) of the message you reply to.', [
      { field: 'replyTo', problems: ['integer >= 1'] },
    ]);
  }
  return raw;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return parseDomain(url).hostname ?? '';
  }
}

/** The sends cut where a (sender, clientId) repeats an earlier one of the same run of sends, so no transaction holds both. */
function withoutRepeatedClientIds(sends: ReadySend[]): ReadySend[][] {
  const groups: ReadySend[][] = [];
  let keys = new Set<string>();
  for (const send of sends) {
    const key = `${send.senderId} ${send.clientId}`;
    if (!groups.length || keys.has(key)) {
      groups.push([]);
      keys = new Set();
    }
    groups[groups.length - 1].push(send);
    keys.add(key);
  }
  return groups;
}

async function settled<T>(fn: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await fn() };
  } catch (reason: unknown) {
    return { status: 'rejected', reason };
  }
}
