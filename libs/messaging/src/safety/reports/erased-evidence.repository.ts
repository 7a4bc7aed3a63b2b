import type { Queryable } from '../../db/db.service';
import { underLegalHoldSql } from '../../accounts/legal-holds.repository';

/** A report whose frozen evidence names a deleted account and is due to lose it. */
export interface DueEvidenceRow {
  reportId: string;
  userId: string;
  evidence: unknown;
}

/**
 * Frozen evidence that names a deleted account (as subject, reporter, or anywhere in it: a
 * participant, a message) and may no longer keep it: the report is resolved, its case is not
 * open, neither the deleted account nor the report's subject is under a legal hold, and the
 * report's close and the deletion are both older than the unsent-text retention ($1 days).
 */
export async function dueEvidence(q: Queryable, retentionDays: number, limit: number): Promise<DueEvidenceRow[]> {
  const rows = await q.query<{ report_id: string; user_id: string; evidence: unknown }>(
    `SELECT r.id AS report_id, d.id AS user_id, r.evidence
       FROM app_user d
       JOIN report r ON (r.subject_user_id = d.id OR r.reporter_id = d.id OR r.evidence::text LIKE '%' || d.id::text || '%')
       LEFT JOIN moderation_case mc ON mc.id = r.case_id
      WHERE d.deleted_at IS NOT NULL AND d.deleted_at < now() - make_interval(days => $1)
        AND r.evidence IS NOT NULL AND NOT (d.id = ANY(r.evidence_redacted))
        AND r.status = 'resolved' AND r.resolved_at < now() - make_interval(days => $1)
        AND (mc.id IS NULL OR (mc.status <> 'open' AND (mc.resolved_at IS NULL OR mc.resolved_at < now() - make_interval(days => $1))))
        AND NOT ${underLegalHoldSql('d.id')}
        AND (r.subject_user_id IS NULL OR NOT ${underLegalHoldSql('r.subject_user_id')})
      LIMIT $2`,
    [retentionDays, limit],
  );
  return rows.map((r) => ({ reportId: r.report_id, userId: r.user_id, evidence: r.evidence }));
}

/** Stores the evidence with the account erased from it, and remembers that it was. */
export async function storeRedacted(q: Queryable, reportId: string, userId: string, evidence: unknown): Promise<void> {
  await q.query(
    `UPDATE report SET evidence = $2::jsonb, evidence_redacted = array_append(evidence_redacted, $3::uuid)
      WHERE id = $1 AND NOT ($3::uuid = ANY(evidence_redacted))`,
    [reportId, JSON.stringify(evidence), userId],
  );
}
