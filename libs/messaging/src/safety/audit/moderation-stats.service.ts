import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';

export interface ModerationStats {
  openByReason: Array<{ reason: string; count: number }>;
  overdue: number;
  medianFirstResponseMinutes: number | null;
  medianResolutionMinutes: number | null;
  topSpamSenders: Array<{ senderId: string; handle: string; score: number }>;
  linkVerdictsPerDay: Array<{ day: string; safe: number; suspicious: number; malicious: number }>;
}

/** Medians look at reports filed in this window, so the dashboard shows how the team does now. */
export const STATS_WINDOW_DAYS = 30;
export const VERDICT_DAYS = 14;

const round1 = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/** The dashboard numbers, one statement each, run side by side. */
@Injectable()
export class ModerationStatsService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async stats(): Promise<ModerationStats> {
    const [byReason, times, spam, verdicts] = await Promise.all([
      this.db.replica.query(
        `SELECT reason, count(*)::int AS count FROM report WHERE status <> 'resolved' GROUP BY reason ORDER BY count DESC, reason`,
      ),
      this.db.replica
        .query(
          `SELECT
           (SELECT count(*)::int FROM report WHERE status <> 'resolved' AND (overdue OR (first_response_at IS NULL AND due_at <= now()))) AS overdue,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at) / 60)
             FILTER (WHERE first_response_at IS NOT NULL) AS first_response,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 60)
             FILTER (WHERE resolved_at IS NOT NULL) AS resolution
         FROM report WHERE created_at > now() - make_interval(days => $1)`,
          [STATS_WINDOW_DAYS],
        )
        .then((rows) => rows[0]),
      this.db.replica.query(
        `SELECT s.sender_id, u.handle, s.score FROM sender_stats s JOIN app_user u ON u.id = s.sender_id
          WHERE s.score >= $1 ORDER BY s.score DESC, s.sender_id LIMIT 10`,
        [this.config.spamScoreThreshold],
      ),
      this.db.replica.query(
        `SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
                count(l.id) FILTER (WHERE l.verdict = 'safe')::int AS safe,
                count(l.id) FILTER (WHERE l.verdict = 'suspicious')::int AS suspicious,
                count(l.id) FILTER (WHERE l.verdict = 'malicious')::int AS malicious
           FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($1::int - 1), (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d(day)
           LEFT JOIN link l ON l.scanned_at IS NOT NULL AND (l.scanned_at AT TIME ZONE 'UTC')::date = d.day::date
          GROUP BY d.day ORDER BY d.day`,
        [VERDICT_DAYS],
      ),
    ]);
    return {
      openByReason: byReason.map((r) => ({ reason: r.reason, count: r.count })),
      overdue: times?.overdue ?? 0,
      medianFirstResponseMinutes: round1(times?.first_response),
      medianResolutionMinutes: round1(times?.resolution),
      topSpamSenders: spam.map((r) => ({ senderId: r.sender_id, handle: r.handle, score: Number(r.score) })),
      linkVerdictsPerDay: verdicts.map((r) => ({ day: r.day, safe: r.safe, suspicious: r.suspicious, malicious: r.malicious })),
    };
  }
}
