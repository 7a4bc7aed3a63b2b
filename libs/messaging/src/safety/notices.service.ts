import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import { InvalidCursor } from '../errors';
import type { UserEvent } from '../events/event-types';
import { isUuid, newId } from '../ids';
import { iso } from './rows';
import type { NoticeKind } from './vocabulary';

export interface Notice {
  id: string;
  kind: NoticeKind;
  text: string;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface NoticeDraft {
  userId: string;
  kind: NoticeKind;
  text: string;
  data?: Record<string, unknown>;
}

const toNotice = (r: any): Notice => ({ id: r.id, kind: r.kind, text: r.text, data: r.data ?? null, createdAt: iso(r.created_at)! });

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
    const input = drafts.map((d) => ({ id: newId(), user_id: d.userId, kind: d.kind, text: d.text, data: d.data ?? null }));
    const rows = await q.query(
      `INSERT INTO notice (id, user_id, kind, text, data)
       SELECT id, user_id, kind, text, data FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, user_id uuid, kind text, text text, data jsonb)
       RETURNING *`,
      [JSON.stringify(input)],
    );
    return rows.map((r) => ({ userId: r.user_id, type: 'notice.created' as const, payload: { notice: toNotice(r) } }));
  }

  /** Newest first; the cursor is the last notice id of the previous page (ids are time-ordered). */
  async list(userId: string, limit: number, cursor?: string): Promise<{ items: Notice[]; nextCursor: string | null }> {
    if (cursor !== undefined && cursor !== '' && !isUuid(cursor)) throw new InvalidCursor();
    const rows = await this.db.query(
      `SELECT * FROM notice WHERE user_id = $1 AND ($2::uuid IS NULL OR id < $2::uuid) ORDER BY id DESC LIMIT $3`,
      [userId, cursor || null, limit + 1],
    );
    const page = rows.slice(0, limit).map(toNotice);
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}
