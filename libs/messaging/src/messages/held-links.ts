import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { Db, type Queryable } from '../db/db.service';
import { EventsService } from '../events/events.service';
import { REPLY_QUOTE_SQL, messageView } from '../views/message-view';
import { memberReadsMessageSql } from '../policy/visibility';

/**
 * The pending members (not the sender) who may read message $1 now that it is released, and
 * whether each already had its message.created: a message held by an edit (a new link in a
 * request) reached them before the edit. Their events are found by user and time (the event
 * key, partitions from the message's creation on), so this costs a few index reads a member;
 * or in the send's conversation_event audience (a user without a v1 client has no member row).
 */
const RELEASED_AUDIENCE_SQL = `
SELECT m.user_id,
       (EXISTS (SELECT 1 FROM event e WHERE e.user_id = m.user_id AND e.created_at >= x.created_at
                  AND e.message_id = x.id AND e.type = 'message.created')
        OR EXISTS (SELECT 1 FROM conversation_event ce WHERE ce.conversation_id = x.conversation_id AND ce.created_at >= x.created_at
                  AND ce.message_id = x.id AND ce.type = 'message.created' AND m.user_id = ANY (ce.audience))) AS had_it
  FROM message x JOIN conversation_member m ON m.conversation_id = x.conversation_id
 WHERE x.id = $1 AND m.state = 'pending' AND m.user_id <> x.sender_id AND ${memberReadsMessageSql('m', 'x')}`;

/**
 * Messages held from message requests until their links have a verdict (issue #20, item 5).
 * The send stores a message with `link_hold` when any link is still `pending` and a member is
 * still pending (nobody else is held from anything); a `pending`
 * member does not read it meanwhile (policy/visibility.ts) and gets no event. Release
 * happens once, whichever comes first:
 * - the verdict (LinkScannerService): safe or suspicious → released with the verdicts in it;
 *   malicious → removed while still held, so pending members never see it in any form;
 * - HELD_LINK_MAX_SECONDS passed with no verdict (the scanner is slow or down): the sweep
 *   releases it as it is, links `pending`; the verdict then follows as message.updated. The
 *   wait is counted from when its current text was written (`edited_at`, else `created_at`):
 *   an edit that adds a link to an old message holds it for the whole bound too (issue #26).
 * Releasing clears the flag and writes, to the pending members who may now read it,
 * `message.created` when it is the first they hear of it, or `message.updated` when they had
 * it before an edit held it (each message is created once for a member, live and in sync;
 * sync meanwhile renders that first event withheld, EventsService.sync). It does so in one
 * transaction with the message row locked, so the verdict and the sweep cannot both deliver it.
 * Active members are never held: they chose to talk, so they get the message at once and
 * the verdict as message.updated.
 */
@Injectable()
export class HeldLinks {
  private readonly logger = new Logger(HeldLinks.name);

  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Inside a transaction: releases message `messageId` if it is visible and still held, and
   * writes message.created for the pending members who may now read it; the caller
   * publishes `outboxId` after commit. The UPDATE locks the row and re-checks the flag, so of
   * two racing releases (verdict and sweep) only one delivers.
   */
  async releaseIn(q: Queryable, messageId: string): Promise<{ released: boolean; outboxIds: Array<string | null> }> {
    const [row] = await q.query(
      `UPDATE message SET link_hold = false WHERE id = $1 AND link_hold AND state = 'visible' RETURNING *, ${REPLY_QUOTE_SQL('message')}`,
      [messageId],
    );
    if (!row) return { released: false, outboxIds: [] };
    const recipients = await q.query<{ user_id: string; had_it: boolean }>(RELEASED_AUDIENCE_SQL, [messageId]);
    const payload = { message: messageView(row) };
    // Each once, in conversation_event (two rows: those who had it hear of a change, the others of a new message).
    const had = recipients.filter((r) => r.had_it).map((r) => r.user_id);
    const fresh = recipients.filter((r) => !r.had_it).map((r) => r.user_id);
    const outboxIds = [
      await this.events.appendMessageEventFor(q, 'message.updated', messageId, had, payload),
      await this.events.appendMessageEventFor(q, 'message.created', messageId, fresh, payload),
    ];
    return { released: true, outboxIds };
  }

  /**
   * The bounded wait: releases visible messages whose current text has been held longer than
   * HELD_LINK_MAX_SECONDS, each in its own short transaction (oldest first, at most `batch` a
   * run). Returns how many. The partial index holds only held visible messages, so the filter
   * on the text's time reads a handful of rows.
   */
  async releaseOverdue(batch = 500): Promise<number> {
    const rows = await this.db.query(
      `SELECT id FROM message WHERE link_hold AND state = 'visible' AND coalesce(edited_at, created_at) < now() - make_interval(secs => $1)
        ORDER BY coalesce(edited_at, created_at) LIMIT $2`,
      [this.config.heldLinkMaxSeconds, batch],
    );
    let released = 0;
    for (const r of rows) {
      const res = await this.db.tx(async (q) => {
        await this.events.takeMessageTurn(q, r.id as string); // before the first write: positioned as a send is
        return this.releaseIn(q, r.id as string);
      });
      for (const id of res.outboxIds) this.events.published(id);
      if (res.released) released++;
    }
    if (released) this.logger.warn(`released ${released} message(s) held over ${this.config.heldLinkMaxSeconds}s without a link verdict`);
    return released;
  }

  /** How often the sweep runs: twice per bound, so a held message waits at most 1.5 × the bound. */
  static sweepEveryMs(config: AppConfig): number {
    return Math.max(1000, Math.floor((config.heldLinkMaxSeconds * 1000) / 2));
  }
}
