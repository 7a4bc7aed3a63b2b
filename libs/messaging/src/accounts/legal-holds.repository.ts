import type { Queryable } from '../db/db.service';
import type { Timestamp } from './rows';

/**
 * Legal holds (API.md v1.2): staff keep an account's evidence past its retention. Read by
 * every sweep that would erase a deleted account's data (retained message copies, report
 * evidence), written by LegalHoldsService (safety/, audited).
 */

export interface LegalHoldRow {
  userId: string;
  note: string;
  staffId: string | null;
  createdAt: Timestamp;
}

/** SQL: true when user `userCol` is under a legal hold. */
export const underLegalHoldSql = (userCol: string) => `EXISTS (SELECT 1 FROM legal_hold lh WHERE lh.user_id = ${userCol})`;

/** Places or renews a hold; the previous hold, if there was one. */
export async function placeHold(
  q: Queryable,
  userId: string,
  note: string,
  staffId: string,
): Promise<{ before: LegalHoldRow | null; after: LegalHoldRow }> {
  const before = await holdOf(q, userId, true);
  const [row] = await q.query<{ user_id: string; note: string; staff_id: string | null; created_at: Timestamp }>(
    `INSERT INTO legal_hold (user_id, note, staff_id) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET note = excluded.note, staff_id = excluded.staff_id, created_at = now()
       RETURNING *`,
    [userId, note, staffId],
  );
  return { before, after: { userId: row.user_id, note: row.note, staffId: row.staff_id, createdAt: row.created_at } };
}

/** Lifts a hold; the hold that was lifted, or null when there was none. */
export async function liftHold(q: Queryable, userId: string): Promise<LegalHoldRow | null> {
  const [row] = await q.query<{ user_id: string; note: string; staff_id: string | null; created_at: Timestamp }>(
    `DELETE FROM legal_hold WHERE user_id = $1 RETURNING *`,
    [userId],
  );
  return row ? { userId: row.user_id, note: row.note, staffId: row.staff_id, createdAt: row.created_at } : null;
}

export async function holdOf(q: Queryable, userId: string, lock = false): Promise<LegalHoldRow | null> {
  const [row] = await q.query<{ user_id: string; note: string; staff_id: string | null; created_at: Timestamp }>(
    `SELECT * FROM legal_hold WHERE user_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [userId],
  );
  return row ? { userId: row.user_id, note: row.note, staffId: row.staff_id, createdAt: row.created_at } : null;
}
