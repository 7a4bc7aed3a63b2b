import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { InvalidCursor } from '../../errors';
import type { UserEvent } from '../../events/event-types';
import { isUuid, newId } from '../../ids';
import { iso } from '../rows';
import type { Statement } from './statements';
import type { NoticeKind } from '../vocabulary';

export interface Notice {
  id: string;
  kind: NoticeKind;
  text: string;
  data: Record<string, unknown> | null;
  /** The statement of reasons of an action against this user (API.md v1.1); null on other notices. */
  statement: Statement | null;
  /** A staff message of a case (kind case_message): whether it may be answered, and the answer once given. */
  replyable: boolean;
  reply: { text: string; createdAt: string } | null;
  createdAt: string;
}

export interface NoticeDraft {
  userId: string;
  kind: NoticeKind;
  text: string;
  data?: Record<string, unknown>;
  statement?: Statement | null;
}

export const toNotice = (r: any): Notice => ({
  id: r.id,
  kind: r.kind,
  text: r.text,
  data: r.data ?? null,
  statement: r.statement ?? null,
  replyable: r.kind === 'case_message' && !r.replied_at,
  reply: r.replied_at ? { text: r.reply_text, createdAt: iso(r.replied_at)! } : null,
  createdAt: iso(r.created_at)!,
});

/**
 * What the platform tells a user about moderation: outcomes of their reports (never naming
 * the action taken against someone else), warnings and enforcement against them, appeal
 * decisions. Each notice is also a `notice.created` event, so open apps see it at once.
 */
@Injectable()
export class NoticesService {
  constructor(private readonly db: Db) {}

  /** Inserts the notices in the caller's transaction; returns their events for EventsService.append. */
  async create(q: Queryable, drafts: NoticeDraft[]): Promise<UserEvent[]> {
    if (drafts.length === 0) return [];
    const input = drafts.map((d) => ({
      id: newId(),
      user_id: d.userId,
      kind: d.kind,
      text: d.text,
      data: d.data ?? null,
      statement: d.statement ?? null,
    }));
    const rows = await q.query(
      `INSERT INTO notice (id, user_id, kind, text, data, statement)
       SELECT id, user_id, kind, text, data, statement
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, user_id uuid, kind text, text text, data jsonb, statement jsonb)
       RETURNING *`,
      [JSON.stringify(input)],
    );
    return rows.map((r) => ({ userId: r.user_id, type: 'notice.created' as const, payload: { notice: toNotice(r) } }));
  }

  /**
   * The notice of an action against a user, with its statement of reasons, inside the
   * caller's transaction (the caller appends the returned events to the outbox). For paths
   * that record their action themselves; EnforcementService.recordAutomated records the
   * action, this notice and the audit entry together and is what automated paths call.
   */
  notifyAction(
    q: Queryable,
    userId: string,
    statement: Statement,
    notice: { text: string; kind?: NoticeKind; data?: Record<string, unknown> },
  ): Promise<UserEvent[]> {
    return this.create(q, [{ userId, kind: notice.kind ?? 'enforcement', text: notice.text, data: notice.data, statement }]);
  }

  /** Newest first; the cursor is the last notice id of the previous page (ids are time-ordered). */
  async list(userId: string, limit: number, cursor?: string): Promise<{ items: Notice[]; nextCursor: string | null }> {
    if (cursor !== undefined && cursor !== '' && !isUuid(cursor)) throw new InvalidCursor();
    const rows = await this.db.query(
      `SELECT n.*, cm.reply_text, cm.replied_at FROM notice n LEFT JOIN case_message cm ON cm.notice_id = n.id
        WHERE n.user_id = $1 AND ($2::uuid IS NULL OR n.id < $2::uuid) ORDER BY n.id DESC LIMIT $3`,
      [userId, cursor || null, limit + 1],
    );
    const page = rows.slice(0, limit).map(toNotice);
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}
