import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import type { NoticeKind } from '../vocabulary';
import type { Statement } from './statements';

/**
 * The notices' SQL (STYLE.md §9, §12). Functions take a Queryable, so a notice is written in
 * the caller's transaction (beside the action or decision it tells of), and hand back typed
 * camelCase notices; what a notice says is decided by the services.
 */

export interface Notice {
  id: string;
  kind: NoticeKind;
  /** What the notice tells of: the action of its statement, or `data.action` (e.g. limits_enabled); null when neither. */
  action: string | null;
  text: string;
  data: Record<string, unknown> | null;
  /** The statement of reasons of an action against this user (API.md v1.1); null on other notices. */
  statement: Statement | null;
  /** A staff message of a case (kind case_message): whether it may be answered, and the answer once given. */
  replyable: boolean;
  reply: { text: string; createdAt: string } | null;
  createdAt: string;
}

/** A `notice` row, with the answer of its case message where one was joined. */
export interface NoticeRecord {
  id: string;
  user_id: string;
  kind: NoticeKind;
  text: string;
  data: Record<string, unknown> | null;
  statement: Statement | null;
  created_at: Date | string;
  reply_text?: string | null;
  replied_at?: Date | string | null;
}

export const toNotice = (r: NoticeRecord): Notice => ({
  id: r.id,
  kind: r.kind,
  action: (r.statement as { action?: string } | null)?.action ?? (typeof r.data?.action === 'string' ? r.data.action : null),
  text: r.text,
  data: r.data ?? null,
  statement: r.statement ?? null,
  replyable: r.kind === 'case_message' && !r.replied_at,
  reply: r.replied_at ? { text: r.reply_text!, createdAt: iso(r.replied_at)! } : null,
  createdAt: iso(r.created_at)!,
});

/** A notice to store, its id already chosen. */
export interface NoticeInsert {
  id: string;
  userId: string;
  kind: NoticeKind;
  text: string;
  data: Record<string, unknown> | null;
  statement: Statement | null;
}

/** Stores the notices in one statement; each comes back with the user it is for. */
export async function insertMany(q: Queryable, notices: NoticeInsert[]): Promise<Array<{ userId: string; notice: Notice }>> {
  const input = notices.map((n) => ({
    id: n.id,
    user_id: n.userId,
    kind: n.kind,
    text: n.text,
    data: n.data,
    statement: n.statement,
  }));
  const rows = await q.query<NoticeRecord>(
    `INSERT INTO notice (id, user_id, kind, text, data, statement)
       SELECT id, user_id, kind, text, data, statement
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, user_id uuid, kind text, text text, data jsonb, statement jsonb)
       RETURNING *`,
    [JSON.stringify(input)],
  );
  return rows.map((r) => ({ userId: r.user_id, notice: toNotice(r) }));
}

/** A user's notices, newest first, before the `before` id (ids are time-ordered) when given; at most `limit`. */
export async function ofUser(q: Queryable, userId: string, before: string | null, limit: number): Promise<Notice[]> {
  const rows = await q.query<NoticeRecord>(
    `SELECT n.*, cm.reply_text, cm.replied_at FROM notice n LEFT JOIN case_message cm ON cm.notice_id = n.id
        WHERE n.user_id = $1 AND ($2::uuid IS NULL OR n.id < $2::uuid) ORDER BY n.id DESC LIMIT $3`,
    [userId, before, limit],
  );
  return rows.map(toNotice);
}
