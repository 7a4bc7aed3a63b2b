import { Injectable } from '@nestjs/common';
import emojiRegex from 'emoji-regex';
import { Db, type Queryable } from '../db/db.service';
import { Blocked, Forbidden, InvalidRequest, MessageRemoved, NotFound, TooManyReactions } from '../errors';
import { EventsService } from '../events/events.service';
import { isUuid } from '../ids';
import { ConversationsService } from '../conversations/conversations.service';
import { RateLimitsService } from '../limits/rate-limits.service';
import { messageView } from '../views/message-view';
import { assertMayWrite } from '../policy/write-policy';
import * as messages from './messages.repository';

/** Different emoji one message may carry (API.md, Messages v1.1). */
export const MAX_REACTION_EMOJI = 20;

/** Exactly one emoji (one grapheme: ZWJ sequences, skin tones, flags and keycaps included), from the maintained emoji-regex. */
const ONE_EMOJI = new RegExp(`^(?:${emojiRegex().source})$`, emojiRegex().flags.replace('g', ''));

/** `:emoji` as Express decoded it: one emoji, else 400 invalid_request. */
export function parseEmoji(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64 || !ONE_EMOJI.test(raw)) {
    throw new InvalidRequest('The reaction must be exactly one URL-encoded emoji.', [{ field: 'emoji', problems: ['one emoji'] }]);
  }
  return raw;
}

interface StoredReaction {
  emoji: string;
  by: string[];
}

/**
 * Reactions (API.md, Messages v1.1): gated like sending (an active member who can see the
 * message; pending, declined, departed and blocked members cannot react), idempotent, at most
 * MAX_REACTION_EMOJI different emoji per message. Stored on the message row (see the
 * migration), so every reader gets `{emoji, count, me}` without a join.
 */
@Injectable()
export class MessageReactionsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly conversations: ConversationsService,
    private readonly limits: RateLimitsService,
  ) {}

  async react(userId: string, conversationId: string, messageId: string, rawEmoji: unknown, add: boolean): Promise<void> {
    const conversation = await this.conversations.view(conversationId, userId);
    if (!isUuid(messageId)) throw new NotFound('No such message.');
    const emoji = parseEmoji(rawEmoji);
    if (conversation.myState !== 'active') throw new Forbidden('Accept the request before reacting to its messages.');
    // Each change is pushed to every member: reactions spend the send budgets (burst and sustained), so toggling cannot flood a chat.
    await this.limits.spendSendBudget(userId);

    const outboxId = await this.db.tx(async (q) => {
      await this.events.takeTurn(q, conversationId); // before the first write: positioned as a send is
      const m = await messages.reactContext(q, conversationId, userId, messageId);
      if (!m || m.my_state !== 'active' || !m.sees) throw new NotFound('No such message.');
      if (m.state !== 'visible') throw new MessageRemoved('This message was removed.');
      assertMayWrite(m, 'You cannot react to this person.');
      if (m.blocked_sender) throw new Blocked('You cannot react to this person.');

      const current: StoredReaction[] = Array.isArray(m.reactions) ? m.reactions : [];
      const entry = current.find((r) => r.emoji === emoji);
      let next: StoredReaction[];
      if (add) {
        if (entry?.by.includes(userId)) return null; // already there: idempotent, no event
        if (!entry && current.length >= MAX_REACTION_EMOJI) throw new TooManyReactions();
        next = entry ? current.map((r) => (r === entry ? { emoji, by: [...r.by, userId] } : r)) : [...current, { emoji, by: [userId] }];
      } else {
        if (!entry?.by.includes(userId)) return null;
        next = withoutReactionsOf(current, userId, emoji);
      }
      return this.store(q, messageId, next);
    });
    this.events.published(outboxId);
  }

  /** Stores a message's new reactions and tells the same audience as message.created; each recipient's `me` is settled at the door (forViewer). */
  private async store(q: Queryable, messageId: string, next: StoredReaction[]): Promise<string | null> {
    const row = await messages.setReactions(q, messageId, next);
    const view = messageView(row);
    return this.events.appendMessageEvents(q, 'message.updated', [{ id: messageId, payload: { message: view } }]);
  }

  /**
   * Takes back every reaction of `userId` (account deletion, API.md v1.2): each message
   * changes as an un-react does, with its message.updated. Batches of WITHDRAW_BATCH messages,
   * one transaction each; returns how many messages changed. Idempotent.
   */
  async withdrawAll(userId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const { n, outboxIds } = await this.db.tx(async (q) => {
        const rows = await messages.lockReactedBy(q, userId, WITHDRAW_BATCH);
        const ids: Array<string | null> = [];
        for (const r of rows) {
          const current: StoredReaction[] = Array.isArray(r.reactions) ? (r.reactions as StoredReaction[]) : [];
          ids.push(await this.store(q, r.id, withoutReactionsOf(current, userId)));
        }
        return { n: rows.length, outboxIds: ids };
      });
      for (const id of outboxIds) this.events.published(id);
      total += n;
      if (n < WITHDRAW_BATCH) return total;
    }
  }
}

const WITHDRAW_BATCH = 200;

/** The reactions without `userId`'s (of one emoji, or of every emoji), dropping emoji nobody reacts with any more. */
export function withoutReactionsOf<R extends StoredReaction>(current: R[], userId: string, emoji?: string): StoredReaction[] {
  return current
    .map((r) => (emoji === undefined || r.emoji === emoji ? { emoji: r.emoji, by: r.by.filter((u) => u !== userId) } : r))
    .filter((r) => r.by.length > 0);
}
