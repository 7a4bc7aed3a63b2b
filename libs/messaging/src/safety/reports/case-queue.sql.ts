import type { Queryable } from '../../db/db.service';
import { newId } from '../../ids';

/** A moderation_case row as stored, read under its row lock for a staff event. */
export interface StoredCase {
  id: string;
  subjectUserId: string;
  status: 'open' | 'resolved';
  assigneeId: string | null;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

interface CaseRecord {
  id: string;
  subject_user_id: string;
  status: 'open' | 'resolved';
  assignee_id: string | null;
  claimed_at: Date | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The case queue's locks and writes that the report and case paths share (SQL beside its domain). Lock order,
 * everywhere: the case row first, then its reports. Filing a report upserts the case right
 * after inserting the report and before touching any other report, so it never holds a
 * report lock while waiting for a case.
 */

/**
 * Puts a report into its subject user's one open case, creating the case if there is none.
 * The partial unique index (one open case per user) makes two racing filings meet on the
 * same row: the second upsert waits for the first and updates it instead of inserting. A
 * case being resolved meanwhile holds the row; once it commits as resolved the row leaves
 * the index and the upsert inserts a fresh case.
 */
export async function attachToCase(q: Queryable, reportId: string, subjectUserId: string): Promise<string> {
  const [c] = await q.query(
    `INSERT INTO moderation_case (id, subject_user_id) VALUES ($1, $2)
     ON CONFLICT (subject_user_id) WHERE status = 'open' DO UPDATE SET updated_at = now()
     RETURNING id`,
    [newId(), subjectUserId],
  );
  await q.query('UPDATE report SET case_id = $2 WHERE id = $1', [reportId, c.id]);
  return c.id;
}

/** Locks one case for a staff event or a message to its people (the caller's transaction holds it). */
export async function lockCase(q: Queryable, id: string): Promise<StoredCase | undefined> {
  const [c] = await q.query<CaseRecord>('SELECT * FROM moderation_case WHERE id = $1 FOR UPDATE', [id]);
  return (
    c && {
      id: c.id,
      subjectUserId: c.subject_user_id,
      status: c.status,
      assigneeId: c.assignee_id,
      claimedAt: c.claimed_at,
      resolvedAt: c.resolved_at,
      resolvedBy: c.resolved_by,
      resolution: c.resolution,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
    }
  );
}

/** Locks the cases of these reports (in id order) before the reports themselves are locked. */
export async function lockCasesOfReports(q: Queryable, reportIds: string[]): Promise<void> {
  if (reportIds.length === 0) return;
  await q.query(
    `SELECT c.id FROM moderation_case c WHERE c.id IN (SELECT r.case_id FROM report r WHERE r.id = ANY($1::uuid[])) ORDER BY c.id FOR UPDATE OF c`,
    [reportIds],
  );
}

/** Closes the open cases among these whose reports are all resolved now (a case is never left open and empty). */
export async function closeSettledCases(q: Queryable, caseIds: string[], staffId: string): Promise<void> {
  if (caseIds.length === 0) return;
  await q.query(
    `UPDATE moderation_case c SET status = 'resolved', resolved_at = now(), resolved_by = $2, updated_at = now(),
            assignee_id = coalesce(c.assignee_id, $2)
      WHERE c.id = ANY($1::uuid[]) AND c.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM report r WHERE r.case_id = c.id AND r.status <> 'resolved')`,
    [caseIds, staffId],
  );
}

/** Gives the case (and its open reports, so a report-level resolve respects the claim too) to a staff member, or back to the queue. */
export async function setCaseAssignee(q: Queryable, id: string, assigneeId: string | null): Promise<void> {
  await q.query(
    `UPDATE moderation_case SET assignee_id = $2, claimed_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE now() END, updated_at = now() WHERE id = $1`,
    [id, assigneeId],
  );
  await q.query(
    `UPDATE report SET assignee_id = $2, claimed_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE now() END,
            first_response_at = CASE WHEN $2::uuid IS NULL THEN first_response_at ELSE coalesce(first_response_at, now()) END
      WHERE case_id = $1 AND status <> 'resolved'`,
    [id, assigneeId],
  );
}
