import { Injectable } from '@nestjs/common';
import { Db } from '@app/messaging/db/db.service';
import { Forbidden, NotFound } from '@app/messaging/errors';
import { isUuid } from '@app/messaging/ids';
import { typingAudience } from '@app/messaging/conversations/conversations.repository';

/** One relay per conversation per user per window: keystrokes arrive far faster than that. */
export const TYPING_WINDOW_MS = 2000;
/** Membership checks a user may cause per window, whatever conversation ids they name. */
export const TYPING_CHECKS_PER_WINDOW = 20;

/** A user's throttle state: when each conversation was last relayed, and the check budget. */
export class TypingThrottle {
  private readonly lastRelay = new Map<string, number>();
  private windowStart = 0;
  private checks = 0;

  /** true when this keystroke may be looked at (and, if allowed, relayed) now. */
  admit(conversationId: string, now: number): boolean {
    const last = this.lastRelay.get(conversationId);
    if (last !== undefined && now - last < TYPING_WINDOW_MS) return false;
    if (now - this.windowStart >= TYPING_WINDOW_MS) {
      this.windowStart = now;
      this.checks = 0;
      for (const [id, at] of this.lastRelay) if (now - at >= TYPING_WINDOW_MS) this.lastRelay.delete(id);
    }
    if (this.checks >= TYPING_CHECKS_PER_WINDOW) return false;
    this.checks++;
    return true;
  }

  relayed(conversationId: string, now: number) {
    this.lastRelay.set(conversationId, now);
  }
}

/**
 * One TypingThrottle per user for all of that user's sockets on this process, so a second
 * device (or ten tabs) neither doubles the relays nor the membership checks. It is per
 * process, not shared through Redis: a user's sockets are capped (MAX_SOCKETS_PER_USER), so
 * at most that many processes hold a throttle for them, and a shared one would cost a Redis
 * round trip per keystroke to save a bounded number of cheap, indexed checks.
 */
export class TypingThrottles {
  private readonly byUser = new Map<string, { throttle: TypingThrottle; sockets: number }>();

  acquire(userId: string): TypingThrottle {
    let entry = this.byUser.get(userId);
    if (!entry) this.byUser.set(userId, (entry = { throttle: new TypingThrottle(), sockets: 0 }));
    entry.sockets++;
    return entry.throttle;
  }

  release(userId: string): void {
    const entry = this.byUser.get(userId);
    if (entry && --entry.sockets <= 0) this.byUser.delete(userId);
  }
}

export type TypingDecision = { relayTo: string[] } | { throttled: true };

/**
 * Typing indicators are ephemeral: relayed, never stored, no cursor. Only an ACTIVE member
 * may signal, and only other ACTIVE members hear it, so a pending recipient neither sends
 * nor receives them before accepting; a block in either direction silences it too, and a
 * restricted member (v1.1) does not hear the typing of whoever restricts them. One SQL
 * round trip, behind a per-user throttle (so a keystroke flood costs nothing).
 */
@Injectable()
export class TypingRelay {
  constructor(private readonly db: Db) {}

  async recipients(senderId: string, conversationId: unknown, throttle: TypingThrottle, now = Date.now()): Promise<TypingDecision> {
    if (!isUuid(conversationId)) throw new NotFound();
    if (!throttle.admit(conversationId, now)) return { throttled: true };
    const row = await typingAudience(this.db, conversationId, senderId);
    if (!row || row.state === 'left' || row.state === 'declined') throw new NotFound();
    if (row.state !== 'active') throw new Forbidden('Accept the message request before typing in this conversation.');
    throttle.relayed(conversationId, now);
    return { relayTo: row.recipients };
  }
}
