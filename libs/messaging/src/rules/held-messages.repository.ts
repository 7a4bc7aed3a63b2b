import type { Queryable } from '../db/db.service';
import type { MessageRow } from '../messages/messages.repository';
import { memberReadsMessageSql } from '../policy/visibility';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../db/staff-list';

/**
 * The held-messages queue's SQL (STYLE.md §9, §12): messages a live `hold` rule held, with
 * the rules that held them. Functions take a Queryable, so they run on the pool or inside
 * `db.tx`, and hand back typed camelCase rows (a message made visible comes back as stored,
 * for messageView).
 */

/** A message that is or was held, with its conversation's kind, its sender's handle and the live hold rules that held it. */
export interface HeldMessageRow {
  id: string;
  conversationId: string;
  conversationKind: string;
  seq: number;
  senderId: string;
  senderHandle: string | null;
  /** Who it was going to: the conversation's other current members (the first 20 by handle) and how many there are. */
  recipients: HeldRecipient[];
  recipientCount: number;
  /** The group's or room's title, if it has one. */
  conversationTitle: string | null;
  text: string | null;
  links: unknown[];
  state: 'held' | 'visible' | 'removed';
  createdAt: Date;
  /** With the policy and severity each rule names now (null once the rule is deleted). */
  rules: Array<{ id: string | null; name: string; pattern: string; policy: string | null; severity: string | null }>;
}

export interface HeldRecipient {
  id: string;
  handle: string | null;
  displayName: string | null;
}

/** How many recipients a held message names (a room's backchannel can have many). */
export const HELD_RECIPIENTS_SHOWN = 20;

interface HeldMessageRecord {
  id: string;
  conversation_id: string;
  conversation_kind: string;
  seq: number | string;
  sender_id: string;
  sender_handle: string | null;
  recipients: HeldRecipient[] | null;
  recipient_count: number | string | null;
  conversation_title: string | null;
  text: string | null;
  links: unknown[] | null;
  state: HeldMessageRow['state'];
  created_at: Date;
  rules: HeldMessageRow['rules'] | null;
}

const toHeld = (r: HeldMessageRecord): HeldMessageRow => ({
  id: r.id,
  conversationId: r.conversation_id,
  conversationKind: r.conversation_kind,
  seq: Number(r.seq),
  senderId: r.sender_id,
  senderHandle: r.sender_handle ?? null,
  recipients: r.recipients ?? [],
  recipientCount: Number(r.recipient_count ?? 0),
  conversationTitle: r.conversation_title ?? null,
  text: r.text,
  links: r.links ?? [],
  state: r.state,
  createdAt: r.created_at,
  rules: r.rules ?? [],
});

/** Everyone but the sender who may read message $1 now that it is visible (policy/visibility.ts). */
const APPROVED_AUDIENCE_SQL = `
SELECT m.user_id FROM message x JOIN conversation_member m ON m.conversation_id = x.conversation_id
 WHERE x.id = $1 AND m.user_id <> x.sender_id AND ${memberReadsMessageSql('m', 'x')}`;

/** A member the held message was going to: anyone in its conversation but the sender who has not left or declined. */
const RECIPIENT_WHERE = `rm.conversation_id = x.conversation_id AND rm.user_id <> x.sender_id AND rm.state IN ('active', 'pending')`;

const COLUMNS = `x.id, x.conversation_id, x.seq, x.sender_id, x.text, x.links, x.state, x.created_at, c.kind AS conversation_kind, u.handle AS sender_handle,
  coalesce((SELECT json_agg(json_build_object('id', h.rule_id, 'name', h.rule_name, 'pattern', h.pattern, 'policy', r.policy, 'severity', r.severity)
                             ORDER BY h.created_at)
              FROM rule_hit h LEFT JOIN moderation_rule r ON r.id = h.rule_id
             WHERE h.message_id = x.id AND h.action = 'hold' AND h.applied), '[]') AS rules,
  c.title AS conversation_title,
  coalesce((SELECT json_agg(json_build_object('id', r.id, 'handle', r.handle, 'displayName', r.display_name) ORDER BY r.handle)
              FROM (SELECT ru.id, ru.handle, ru.display_name FROM conversation_member rm JOIN app_user ru ON ru.id = rm.user_id
                     WHERE ${RECIPIENT_WHERE} ORDER BY ru.handle LIMIT ${HELD_RECIPIENTS_SHOWN}) r), '[]') AS recipients,
  (SELECT count(*)::int FROM conversation_member rm WHERE ${RECIPIENT_WHERE}) AS recipient_count`;
const FROM = `FROM message x JOIN conversation c ON c.id = x.conversation_id LEFT JOIN app_user u ON u.id = x.sender_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'x.id' },
    senderId: { kind: 'uuid', sql: 'x.sender_id' },
    conversationId: { kind: 'uuid', sql: 'x.conversation_id' },
  },
  sorts: { createdAt: 'x.created_at', id: 'x.id' },
  tiebreak: 'x.id ASC',
};

/** The queue: messages still held. */
export function listHeld(q: Queryable, query: ListQuery): Promise<ListPage<HeldMessageRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total ${FROM} ${c.where ? `${c.where} AND` : 'WHERE'} x.state = 'held' ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n ${FROM} ${c.where ? `${c.where} AND` : 'WHERE'} x.state = 'held'`,
    }),
    toHeld,
  );
}

/** The message if it is held, or was (an applied hold hit names it). */
export async function heldOrOnceHeld(q: Queryable, id: string): Promise<HeldMessageRow | undefined> {
  const [row] = await q.query<HeldMessageRecord>(
    `SELECT ${COLUMNS} ${FROM} WHERE x.id = $1 AND (x.state = 'held' OR EXISTS (SELECT 1 FROM rule_hit h WHERE h.message_id = x.id AND h.action = 'hold' AND h.applied))`,
    [id],
  );
  return row && toHeld(row);
}

/** FOR UPDATE on the message's row: its state and sender, undefined when there is no such message. */
export async function lockMessage(q: Queryable, id: string): Promise<{ state: string; senderId: string } | undefined> {
  const [row] = await q.query<{ state: string; sender_id: string }>('SELECT state, sender_id FROM message WHERE id = $1 FOR UPDATE', [id]);
  return row && { state: row.state, senderId: row.sender_id };
}

/** Makes the message visible; the row as stored (for messageView). */
export async function makeVisible(q: Queryable, id: string): Promise<MessageRow> {
  const [row] = await q.query<MessageRow>(`UPDATE message SET state = 'visible', updated_at = now() WHERE id = $1 RETURNING *`, [id]);
  return row;
}

/** Everyone but the sender who may read the message now that it is visible. */
export async function approvedAudience(q: Queryable, id: string): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(APPROVED_AUDIENCE_SQL, [id]);
  return rows.map((r) => r.user_id);
}
