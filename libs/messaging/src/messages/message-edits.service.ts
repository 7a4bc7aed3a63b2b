import { Inject, Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { EditLimitReached, EditWindowPassed, Forbidden, InvalidRequest, MessageRemoved, NotFound } from '../errors';
import { EventsService } from '../events/events.service';
import { isUuid } from '../ids';
import { JobName, type OutboxJob } from '../queues';
import { RateLimitsService } from '../limits/rate-limits.service';
import { forViewer, messageView, type LinkView, type MessageView } from '../views/message-view';
import { MAX_MESSAGE_CHARS, refuseMedia, validateText } from './message-text';
import { assertMayWrite, type WriteCheckRow } from '../policy/write-policy';
import * as messages from './messages.repository';
import type { MessageRow } from './messages.repository';
import { hostOf } from './messages.service';
import { CONTENT_SCREEN, type ContentScreen } from './content-screen';

/** A message may be edited this long after it was sent (API.md, Messages v1.1). */
export const EDIT_WINDOW_MINUTES = 15;

/**
 * Earlier versions one message keeps (API.md v1.2): each edit stores one, so a message takes
 * at most this many edits (then 409 edit_limit_reached). It bounds what an edit history costs
 * to store, to fan out, and to freeze into a report's evidence (CaseSnapshot).
 */
export const MAX_MESSAGE_VERSIONS = 20;

/**
 * Whether `userId` may edit this message (a row of EDIT_READ_SQL, or none): what they may not
 * see is 404, before anything else is looked at.
 */
function assertEditable(m: (MessageRow & WriteCheckRow) | undefined, userId: string): asserts m is MessageRow & WriteCheckRow {
  if (!m || (m.my_state !== 'active' && m.my_state !== 'pending') || !m.sees) throw new NotFound('No such message.');
  if (m.sender_id !== userId) throw new Forbidden('You can only edit your own messages.');
  if (m.state !== 'visible') throw new MessageRemoved('This message was removed; it can no longer be edited.');
  assertMayWrite(m);
  if (!m.in_window) throw new EditWindowPassed();
}

const editLimitReached = () =>
  new EditLimitReached(`A message keeps at most ${MAX_MESSAGE_VERSIONS} earlier versions; send a new message instead.`);

export interface EditedText {
  conversationId: string;
  messageId: string;
  senderId: string;
  text: string;
  previousText: string | null;
}

/**
 * Edits (API.md, Messages v1.1): own visible messages, within EDIT_WINDOW_MINUTES, under the
 * send's text rules, write check and budgets, at most MAX_MESSAGE_VERSIONS times. Every earlier
 * version is kept for staff (`message_version`), links are found and scanned again, and
 * members get `message.updated`.
 */
@Injectable()
export class MessageEditsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly limits: RateLimitsService,
    @Inject(CONTENT_SCREEN) private readonly screen: ContentScreen,
  ) {}

  async edit(userId: string, conversationId: string, messageId: string, body: unknown): Promise<MessageView> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('The body must be a JSON object.');
    refuseMedia(body as Record<string, unknown>);
    const text = validateText((body as { text?: unknown }).text, MAX_MESSAGE_CHARS);
    if (!isUuid(conversationId) || !isUuid(messageId)) throw new NotFound('No such message.');
    // An edit is a write members hear of: it spends the send budgets, as a send does.
    await this.limits.spendSendBudget(userId);

    // Membership, ownership and the write check first: a message the caller may not edit is
    // refused before any rule sees the text, so no rule hit ever names someone else's message.
    const current = await messages.editContext(this.db, conversationId, userId, messageId, EDIT_WINDOW_MINUTES);
    assertEditable(current, userId);
    // The same text again (a retry): nothing changes, no version, no event.
    if (current.text === text) return forViewer(messageView(current), userId);
    // A new text needs room for one more version (checked again by the write, under the lock).
    if (current.versions >= MAX_MESSAGE_VERSIONS) throw editLimitReached();

    // Links, the blocklist and the staff rules screen the new text as they screen a send: a
    // live `block` or `hold` throws 403 blocked_by_rule (the delivered version stays;
    // RulesService.screenMessage); `flag` lets it through and opens a system report.
    const { urls, blocklisted, settle } = await this.screen.screen(userId, conversationId, text, { edit: true });

    const res = await this.db.tx(async (q) => {
      // The conversation's turn before the first write (the row lock): the edit's event is
      // positioned after every earlier event of the conversation, as a send's is.
      await this.events.takeTurn(q, conversationId);
      const m = await messages.editContext(q, conversationId, userId, messageId, EDIT_WINDOW_MINUTES, { lock: true });
      assertEditable(m, userId);
      if (m.text === text) return { row: m, changed: false, outboxId: null };

      // A URL already in the message keeps its verdict unless the blocklist now condemns it;
      // every other URL is `pending` and scanned, as on a send.
      const old = new Map((m.links as LinkView[]).map((l) => [l.url, l]));
      const links: LinkView[] = urls.map((url) => {
        const kept = old.get(url);
        return kept && kept.verdict !== 'pending' && !blocklisted(url) ? kept : { url, verdict: 'pending' };
      });
      const anyPending = links.some((l) => l.verdict === 'pending');
      // Held from pending members while a new link awaits its verdict (HeldLinks), as a send is;
      // a message still held stays held until the scan releases it.
      const hold = m.link_hold || (anyPending && m.someone_pending);

      const row = await messages.writeEdit(q, {
        messageId,
        text,
        links,
        hold,
        occurrences: links.map((l) => ({ url: l.url, host: hostOf(l.url), pending: l.verdict === 'pending' })),
        maxVersions: MAX_MESSAGE_VERSIONS,
      });
      if (!row) throw editLimitReached();
      const view = messageView(row);
      const jobs: OutboxJob[] =
        anyPending || hold
          ? [{ name: JobName.ScanMessage, data: { messageId }, jobId: `scan-message-${messageId}-edit-${Date.parse(view.editedAt!)}` }]
          : [];
      const outboxId = await this.events.appendMessageEvents(q, 'message.updated', [{ id: messageId, payload: { message: view } }], jobs);
      return { row, changed: true, outboxId };
    });
    this.events.published(res.outboxId);
    if (settle && res.changed) await settle({ messageId });
    return forViewer(messageView(res.row), userId);
  }
}
