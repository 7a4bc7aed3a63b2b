import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import { largestDuplicateFanout, requestLimitFor, spamScore, type SenderSignals } from './spam-score';
import {
  countSenderSignals,
  findRequestLimitFactor,
  insertAutoLimitAudit,
  lockSenderStats,
  recentRequestTexts,
  type RequestText,
  type SenderCounts,
  swapRequestLimitFactor,
  upsertSenderStats,
} from './spam-score.repository';

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
    const factor = (await findRequestLimitFactor(this.db, userId)) ?? 1;
    return factor > 0 && factor <= 1 ? factor : 1;
  }

  /** Recomputes everything from the database: idempotent, so a repeated or late job is harmless. */
  async score(senderId: string): Promise<SenderScore | null> {
    // A first look without a lock: most senders have nothing to keep.
    const glance = await countSenderSignals(this.db, senderId);
    if (!glance) return null; // the account is gone
    if (glance.requestsSent === 0 && glance.reported === 0 && glance.storedReported === null) return this.scored(senderId, glance, []);
    return this.db.tx(async (q) => {
      // Counted and stored under the stats row's lock (lockSenderStats): a decline or a report
      // committing meanwhile is either in the counts or waits and adds itself after.
      await lockSenderStats(q, senderId);
      const counts = await countSenderSignals(q, senderId);
      if (!counts) return null;
      const result = this.scored(senderId, counts, await recentRequestTexts(q, senderId));
      await this.store(q, counts, result);
      return result;
    });
  }

  private scored(senderId: string, counts: SenderCounts, recent: RequestText[]): SenderScore {
    const signals: SenderSignals = {
      requestsSent: counts.requestsSent,
      declined: counts.declined,
      // The reports feature may count reports it knows of (e.g. on evidence since deleted): keep the larger.
      reported: Math.max(counts.reported, counts.storedReported ?? 0),
      duplicateTexts: largestDuplicateFanout(recent),
    };
    const score = spamScore(signals);
    const limit = requestLimitFor(signals);
    const sample = recent
      .slice(0, SAMPLE_SIZE)
      .map((r) => (r.text.length > SAMPLE_CHARS ? `${r.text.slice(0, SAMPLE_CHARS - 1)}…` : r.text));
    const lastAt = [recent[0]?.createdAt, counts.lastRequestAt].filter((d): d is Date => Boolean(d)).map((d) => new Date(d).getTime());
    const result: SenderScore = {
      senderId,
      ...signals,
      score,
      sample,
      lastAt: lastAt.length ? new Date(Math.max(...lastAt)).toISOString() : null,
      requestLimitFactor: limit.factor,
      limitReason: limit.reason,
    };
    return result;
  }

  private async store(q: Queryable, counts: SenderCounts, result: SenderScore): Promise<void> {
    const { senderId, score, sample, lastAt, limitReason, requestLimitFactor } = result;
    const signals: SenderSignals = {
      requestsSent: result.requestsSent,
      declined: result.declined,
      reported: result.reported,
      duplicateTexts: result.duplicateTexts,
    };
    // `real` column: 0.2 reads back as 0.2000000029…; two decimals is all a factor ever has.
    const previousFactor = Math.round(counts.requestLimitFactor * 100) / 100;
    await upsertSenderStats(q, { ...signals, senderId, score, sample, lastAt, limitReason });
    // Conditional on the factor we read, so two racing scorers write one audit row, not two.
    if (
      Math.abs(previousFactor - requestLimitFactor) > 1e-3 &&
      (await swapRequestLimitFactor(q, senderId, requestLimitFactor, previousFactor))
    ) {
      await insertAutoLimitAudit(
        q,
        senderId,
        { requestLimitFactor: previousFactor },
        { requestLimitFactor, reason: limitReason ?? 'request signals back to normal', ...signals, score },
      );
    }
  }
}
