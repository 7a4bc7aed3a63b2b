import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { InvalidCursor } from '../../errors';
import type { UserEvent } from '../../events/event-types';
import { isUuid, newId } from '../../ids';
import type { Statement } from './statements';
import type { NoticeKind } from '../vocabulary';
import * as notices from './notices.repository';
import type { Notice } from './notices.repository';

export type { Notice } from './notices.repository';

export interface NoticeDraft {
  userId: string;
  kind: NoticeKind;
  text: string;
  data?: Record<string, unknown>;
  statement?: Statement | null;
}

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
    const stored = await notices.insertMany(
      q,
      drafts.map((d) => ({
        id: newId(),
        userId: d.userId,
        kind: d.kind,
        text: d.text,
        data: d.data ?? null,
        statement: d.statement ?? null,
      })),
    );
    return stored.map(({ userId, notice }) => ({ userId, type: 'notice.created' as const, payload: { notice } }));
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
  /** `q`: read inside the caller's transaction (the data export reads one snapshot). */
  async list(
    userId: string,
    limit: number,
    cursor?: string,
    q: Queryable = this.db,
  ): Promise<{ items: Notice[]; nextCursor: string | null }> {
    if (cursor !== undefined && cursor !== '' && !isUuid(cursor)) throw new InvalidCursor();
    const rows = await notices.ofUser(q, userId, cursor || null, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}
