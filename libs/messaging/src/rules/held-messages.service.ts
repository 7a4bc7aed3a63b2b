import { Inject, Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import { Conflict, NotFound } from '../errors';
import { EventsService } from '../events/events.service';
import { isUuid } from '../ids';
import { scanJobFor } from '../links/link-scanner.service';
import { MessagesService } from '../messages/messages.service';
import { messageView } from '../views/message-view';
import { AuditLogService } from '../audit/audit-log.service';
import { iso } from '../db/row-values';
import { type ListPage, type ListQuery } from '../db/staff-list';
import * as held from './held-messages.repository';
import type { HeldMessageRow } from './held-messages.repository';
import { HELD_REJECTIONS, type HeldRejections, type RuleStaff } from './rule-consequences';

export type HeldMessageView = Omit<HeldMessageRow, 'createdAt'> & { createdAt: string };

const toView = (r: held.HeldMessageRow): HeldMessageView => ({
  id: r.id,
  conversationId: r.conversationId,
  conversationKind: r.conversationKind,
  seq: r.seq,
  senderId: r.senderId,
  senderHandle: r.senderHandle,
  recipients: r.recipients,
  recipientCount: r.recipientCount,
  conversationTitle: r.conversationTitle,
  text: r.state === 'removed' ? null : r.text,
  links: r.state === 'removed' ? [] : r.links,
  state: r.state,
  createdAt: iso(r.createdAt)!,
  rules: r.rules,
});

/**
 * The held-messages queue (API.md v1.1 "Rules", action `hold`). A held message is stored
 * with state `held` and read only by its sender (policy/visibility.ts). Staff approve it,
 * which makes it `visible` and writes message.created for everyone else who may read it
 * (the first they hear of it: one event each, live and in sync) and message.updated for its
 * sender, or reject it, which removes
 * it with reason `rule` (its sender gets message.updated; nobody else ever heard of it).
 * Both lock the row and act only on a message still held, so of two racing decisions one
 * wins and the other answers 409 conflict.
 */
@Injectable()
export class HeldMessagesService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly messages: MessagesService,
    private readonly audit: AuditLogService,
    @Inject(HELD_REJECTIONS) private readonly rejections: HeldRejections,
  ) {}

  /** The queue: messages still held, oldest first by default. Audited: it shows private text. */
  async list(query: ListQuery, staff: RuleStaff): Promise<ListPage<HeldMessageView>> {
    const found = await held.listHeld(this.db, query);
    const page = { ...found, rows: found.rows.map(toView) };
    await this.audit.record(this.db, {
      staffId: staff.id,
      action: 'held_messages.read',
      subjectType: 'message',
      subjectId: null,
      after: { filter: query.filter, range: [query.offset, query.offset + query.limit - 1], rows: page.rows.length, total: page.total },
    });
    return page;
  }

  /** One message that is or was held (approved or rejected ones stay readable here). */
  async one(id: string, staff: RuleStaff, q: Queryable = this.db): Promise<HeldMessageView> {
    const view = await this.find(q, id);
    await this.audit.record(q, {
      staffId: staff.id,
      action: 'held_message.read',
      subjectType: 'message',
      subjectId: id,
      after: { rows: 1 },
    });
    return view;
  }

  private async find(q: Queryable, id: string): Promise<HeldMessageView> {
    if (!isUuid(id)) throw new NotFound('No such held message.');
    const row = await held.heldOrOnceHeld(q, id);
    if (!row) throw new NotFound('No such held message.');
    return toView(row);
  }

  async approve(staff: RuleStaff, id: string): Promise<HeldMessageView> {
    if (!isUuid(id)) throw new NotFound('No such held message.');
    const { view, outboxIds } = await this.db.tx(async (q) => {
      await this.events.takeMessageTurn(q, id); // before the first write: positioned as a send is
      await this.lockHeld(q, id);
      const row = await held.makeVisible(q, id);
      const message = messageView(row);
      const recipients = await held.approvedAudience(q, id);
      // Its links were not scanned while held (the scanner skips messages that are not visible).
      const jobs = (row.links as unknown[]).length ? [scanJobFor('message', id, `scan-approved-${id}`)] : [];
      const outbox = [
        // The sender already has it (as held): for them it is a change of state.
        await this.events.appendMessageEventFor(q, 'message.updated', id, [row.sender_id as string], { message }, jobs),
        await this.events.appendMessageEventFor(q, 'message.created', id, recipients, { message }),
      ];
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'held_message.approve',
        subjectType: 'message',
        subjectId: id,
        after: { recipients: recipients.length },
      });
      return { view: await this.find(q, id), outboxIds: outbox };
    });
    for (const outboxId of outboxIds) this.events.published(outboxId);
    return view;
  }

  /**
   * Rejects a held message: removed, and enforced as an action under the policy (and
   * severity) staff name, or else the holding rule's (API.md v1.2).
   */
  async reject(
    staff: RuleStaff,
    id: string,
    note: string | null,
    decision: { policy?: string | null; severity?: string | null } = {},
  ): Promise<HeldMessageView> {
    if (!isUuid(id)) throw new NotFound('No such held message.');
    const { view, outboxIds } = await this.db.tx(async (q) => {
      await this.events.takeMessageTurn(q, id); // before the first write: positioned as a send is
      const locked = await this.lockHeld(q, id);
      const removed = await this.messages.removeIn(q, id, 'rule');
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'held_message.reject',
        subjectType: 'message',
        subjectId: id,
        after: { note },
      });
      const found = await this.find(q, id);
      const applied = await this.rejections.enforceHeldRejection(q, {
        staffId: staff.id,
        senderId: locked.senderId,
        messageId: id,
        conversationId: found.conversationId,
        note,
        policy: decision.policy,
        severity: decision.severity,
        rules: found.rules,
      });
      const noticeOutbox = await this.events.append(q, applied.events, applied.jobs);
      return { view: await this.find(q, id), outboxIds: [removed.outboxId, noticeOutbox, ...applied.outboxIds] };
    });
    for (const outboxId of outboxIds) this.events.published(outboxId);
    return view;
  }

  /** FOR UPDATE on a message that must still be held: 404 unknown, 409 already decided. */
  private async lockHeld(q: Queryable, id: string): Promise<{ senderId: string }> {
    const row = await held.lockMessage(q, id);
    if (!row) throw new NotFound('No such held message.');
    if (row.state !== 'held') throw new Conflict(`This message is no longer held (it is ${row.state}).`);
    return row;
  }
}
