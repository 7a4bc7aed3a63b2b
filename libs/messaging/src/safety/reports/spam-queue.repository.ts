import type { Queryable } from '../../db/db.service';
import { restrictedSql } from '../../policy/standing';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';

/**
 * The spam queue's SQL (STYLE.md §9, §12): `sender_stats` joined to the sender, at or above
 * a score threshold. Functions take a Queryable (the replica for the list); the audit of the
 * read is in SpamQueueService.
 */

export interface SpamRequestRow {
  /** The sender's id: one row per sender. */
  id: string;
  senderId: string;
  senderHandle: string;
  requestsSent: number;
  declined: number;
  reported: number;
  duplicateTexts: number;
  score: number;
  sample: string[];
  lastAt: string | null;
  senderStatus: string;
  restrictedUntil: string | null;
  /** Requests held for review by the fan-out check (recipients see none of them until released). */
  heldRequests: number;
  /** The fan-out burst that held them: conversations with strangers started within the window; null when none. */
  burst: { count: number; windowMinutes: number; at: string } | null;
}

interface SpamRequestRecord {
  sender_id: string;
  handle: string;
  requests_sent: number;
  declined: number;
  reported: number;
  duplicate_texts: number;
  score: number | string;
  sample: unknown;
  last_at: Date | string | null;
  status: string;
  restricted_until: Date | string | null;
  held_requests: number;
  burst_count: number | null;
  burst_window_minutes: number | null;
  burst_at: Date | string | null;
}

/** The sender's requests the fan-out check holds for review (one per held recipient). */
const HELD_SQL = `(SELECT count(*)::int FROM conversation hc JOIN conversation_member hm ON hm.conversation_id = hc.id AND hm.state = 'held'
   WHERE hc.creator_id = s.sender_id)`;

/** In the queue: a score at or above the threshold, or requests held for review. */
const inQueueSql = (threshold: number) => `(s.score >= ${Number(threshold)} OR ${HELD_SQL} > 0)`;

const COLUMNS = `s.sender_id, u.handle, s.requests_sent, s.declined, s.reported, s.duplicate_texts, s.score, s.sample, s.last_at,
  u.status, CASE WHEN ${restrictedSql('u')} THEN u.restricted_until END AS restricted_until,
  ${HELD_SQL} AS held_requests, s.burst_count, s.burst_window_minutes, s.burst_at`;

const toRow = (r: SpamRequestRecord): SpamRequestRow => ({
  id: r.sender_id,
  senderId: r.sender_id,
  senderHandle: r.handle,
  requestsSent: r.requests_sent,
  declined: r.declined,
  reported: r.reported,
  duplicateTexts: r.duplicate_texts,
  score: Number(r.score),
  sample: Array.isArray(r.sample) ? (r.sample as string[]) : [],
  lastAt: iso(r.last_at),
  senderStatus: r.status,
  restrictedUntil: iso(r.restricted_until),
  heldRequests: r.held_requests,
  burst: r.burst_count && r.burst_at ? { count: r.burst_count, windowMinutes: r.burst_window_minutes ?? 0, at: iso(r.burst_at)! } : null,
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 's.sender_id' },
    senderId: { kind: 'uuid', sql: 's.sender_id' },
    q: { kind: 'search', columns: ['u.handle'] },
  },
  sorts: {
    score: 's.score',
    requestsSent: 's.requests_sent',
    declined: 's.declined',
    reported: 's.reported',
    lastAt: 's.last_at',
    senderHandle: 'u.handle',
    id: 's.sender_id',
    senderId: 's.sender_id',
  },
  tiebreak: 's.sender_id ASC',
};

/** A page of senders scoring at or above the threshold, or with requests held for review. */
export function spamQueuePage(q: Queryable, query: ListQuery, threshold: number): Promise<ListPage<SpamRequestRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => {
      const atThreshold = inQueueSql(threshold);
      const where = c.where ? `${c.where} AND ${atThreshold}` : `WHERE ${atThreshold}`;
      return {
        sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM sender_stats s JOIN app_user u ON u.id = s.sender_id ${where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM sender_stats s JOIN app_user u ON u.id = s.sender_id ${where}`,
      };
    },
    toRow,
  );
}

/** One sender, if they score at or above the threshold or have requests held for review. */
export async function spamQueueEntry(q: Queryable, senderId: string, threshold: number): Promise<SpamRequestRow | undefined> {
  const [row] = await q.query<SpamRequestRecord>(
    `SELECT ${COLUMNS} FROM sender_stats s JOIN app_user u ON u.id = s.sender_id WHERE s.sender_id = $1 AND ${inQueueSql(threshold)}`,
    [senderId],
  );
  return row && toRow(row);
}
