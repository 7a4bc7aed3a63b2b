import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { largestDuplicateFanout, requestLimitFor, spamScore, type SenderSignals } from './spam-score';

/** Request conversations of `$1`: started by them, with another member who is or was pending. */
const REQUESTS_CTE = `
reqs AS (
  SELECT c.id, c.created_at, bool_or(m.state = 'declined') AS declined
    FROM conversation c
    JOIN conversation_member m ON m.conversation_id = c.id AND m.user_id <> c.creator_id
   WHERE c.creator_id = $1 AND c.kind <> 'room'
   GROUP BY c.id
  HAVING bool_or(m.state IN ('pending', 'declined')) OR max(c.request_msgs) > 0)`;

const COUNTS_SQL = `
WITH ${REQUESTS_CTE},
reporters AS (
  SELECT r.reporter_id FROM report r
   WHERE r.subject_user_id = $1 AND r.source = 'user' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM report r
   WHERE r.subject_type = 'user' AND r.subject_id = $1 AND r.source = 'user' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM message x JOIN report r ON r.subject_type = 'message' AND r.subject_id = x.id
   WHERE x.sender_id = $1 AND r.source = 'user' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM conversation c JOIN report r ON r.subject_type = 'conversation' AND r.subject_id = c.id
   WHERE c.creator_id = $1 AND r.source = 'user' AND r.reason IN ('spam', 'scam'))
SELECT (SELECT count(*)::int FROM reqs) AS requests_sent,
       (SELECT count(*)::int FROM reqs WHERE declined) AS declined,
       (SELECT count(*)::int FROM reporters WHERE reporter_id IS NOT NULL) AS reported,
       (SELECT max(created_at) FROM reqs) AS last_request_at,
       s.reported AS stored_reported,
       u.request_limit_factor
  FROM app_user u LEFT JOIN sender_stats s ON s.sender_id = u.id
 WHERE u.id = $1`;

/** The sender's texts in request conversations over the last 24 h, newest first, with who got each. */
const RECENT_REQUEST_TEXTS_SQL = `
WITH ${REQUESTS_CTE}
SELECT x.text, x.created_at,
       (SELECT array_agg(m.user_id::text) FROM conversation_member m WHERE m.conversation_id = x.conversation_id AND m.user_id <> $1) AS recipients
  FROM message x JOIN reqs ON reqs.id = x.conversation_id
 WHERE x.sender_id = $1 AND x.created_at > now() - interval '24 hours' AND x.text IS NOT NULL
 ORDER BY x.created_at DESC
 LIMIT 500`;

export interface SenderScore extends SenderSignals {
  senderId: string;
  score: number;
  sample: string[];
  lastAt: string | null;
  requestLimitFactor: number;
  limitReason: string | null;
}

const SAMPLE_SIZE = 3;
const SAMPLE_CHARS = 280;

/**
 * Spam-request scoring (issue 5): per sender, counts of requests sent, declined and reported
 * as spam, and the largest fan-out of one near-identical text to strangers, into a score
 * (formula in spam-score.ts) kept in `sender_stats`, which the staff spam-requests queue
 * lists above the threshold. The same signals set the sender's tighter request limit
 * (`app_user.request_limit_factor`); each change of it is written to the audit log with its
 * reason, and the current reason stays on the sender's row for staff to see.
 */
@Injectable()
export class SpamScoreService {
  constructor(private readonly db: Db) {}

  /** The factor for RateLimitsService.consume('requestsPerDay', ..., factor); 1 = the normal budget. */
  async requestLimitFactor(userId: string): Promise<number> {
    const row = await this.db.one('SELECT request_limit_factor FROM app_user WHERE id = $1', [userId]);
    const factor = Number(row?.request_limit_factor ?? 1);
    return factor > 0 && factor <= 1 ? factor : 1;
  }

  /** Recomputes everything from the database: idempotent, so a repeated or late job is harmless. */
  async score(senderId: string): Promise<SenderScore | null> {
    const counts = await this.db.one(COUNTS_SQL, [senderId]);
    if (!counts) return null; // the account is gone
    const recent = await this.db.query(RECENT_REQUEST_TEXTS_SQL, [senderId]);
    const signals: SenderSignals = {
      requestsSent: counts.requests_sent,
      declined: counts.declined,
      // The reports feature may count reports it knows of (e.g. on evidence since deleted): keep the larger.
      reported: Math.max(counts.reported, Number(counts.stored_reported ?? 0)),
      duplicateTexts: largestDuplicateFanout(recent.map((r) => ({ text: r.text, recipients: r.recipients ?? [] }))),
    };
    const score = spamScore(signals);
    const limit = requestLimitFor(signals);
    const sample = recent.slice(0, SAMPLE_SIZE).map((r) => (r.text.length > SAMPLE_CHARS ? `${r.text.slice(0, SAMPLE_CHARS - 1)}…` : r.text));
    const lastAt = [recent[0]?.created_at, counts.last_request_at].filter(Boolean).map((d) => new Date(d).getTime());
    const result: SenderScore = {
      senderId,
      ...signals,
      score,
      sample,
      lastAt: lastAt.length ? new Date(Math.max(...lastAt)).toISOString() : null,
      requestLimitFactor: limit.factor,
      limitReason: limit.reason,
    };
    if (signals.requestsSent === 0 && signals.reported === 0 && counts.stored_reported === null) return result; // nothing to keep

    // `real` column: 0.2 reads back as 0.2000000029…; two decimals is all a factor ever has.
    const previousFactor = Math.round(Number(counts.request_limit_factor) * 100) / 100;
    await this.db.tx(async (q) => {
      await q.query(
        `INSERT INTO sender_stats (sender_id, requests_sent, declined, reported, duplicate_texts, score, sample, last_at, limit_reason, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, now())
         ON CONFLICT (sender_id) DO UPDATE SET
           requests_sent = excluded.requests_sent, declined = excluded.declined,
           reported = greatest(sender_stats.reported, excluded.reported),
           duplicate_texts = excluded.duplicate_texts, score = excluded.score, sample = excluded.sample,
           last_at = coalesce(excluded.last_at, sender_stats.last_at), limit_reason = excluded.limit_reason, updated_at = now()`,
        [senderId, signals.requestsSent, signals.declined, signals.reported, signals.duplicateTexts, score, JSON.stringify(sample), result.lastAt, limit.reason],
      );
      if (Math.abs(previousFactor - limit.factor) > 1e-3) {
        // Conditional on the factor we read, so two racing scorers write one audit row, not two.
        const changed = await q.query(
          `UPDATE app_user SET request_limit_factor = $2 WHERE id = $1 AND abs(request_limit_factor - $3) < 1e-3 RETURNING id`,
          [senderId, limit.factor, previousFactor],
        );
        if (changed.length) {
          await q.query(
            `INSERT INTO audit_log (staff_id, action, subject_type, subject_id, before, after)
             VALUES (NULL, 'user.request_limit_auto', 'user', $1, $2::jsonb, $3::jsonb)`,
            [
              senderId,
              JSON.stringify({ requestLimitFactor: previousFactor }),
              JSON.stringify({ requestLimitFactor: limit.factor, reason: limit.reason ?? 'request signals back to normal', ...signals, score }),
            ],
          );
        }
      }
    });
    return result;
  }
}
