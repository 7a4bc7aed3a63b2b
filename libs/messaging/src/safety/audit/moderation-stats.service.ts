import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Db } from '../../db/db.service';
import { linkVerdictsPerDay, openByReason, pileOnTripsPerDay, responseTimes, topSpamSenders } from './moderation-stats.repository';

export interface ModerationStats {
  openByReason: Array<{ reason: string; count: number }>;
  overdue: number;
  medianFirstResponseMinutes: number | null;
  medianResolutionMinutes: number | null;
  topSpamSenders: Array<{ senderId: string; handle: string; score: number }>;
  linkVerdictsPerDay: Array<{ day: string; safe: number; suspicious: number; malicious: number }>;
  /** Times the pile-on breaker switched someone's Limits on, per UTC day (VERDICT_DAYS days). */
  pileOnTripsPerDay: Array<{ day: string; trips: number }>;
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
    const q = this.db.replica;
    const [byReason, times, spam, verdicts, trips] = await Promise.all([
      openByReason(q),
      responseTimes(q, STATS_WINDOW_DAYS),
      topSpamSenders(q, this.config.spamScoreThreshold),
      linkVerdictsPerDay(q, VERDICT_DAYS),
      pileOnTripsPerDay(q, VERDICT_DAYS),
    ]);
    return {
      openByReason: byReason,
      overdue: times?.overdue ?? 0,
      medianFirstResponseMinutes: round1(times?.firstResponseMinutes),
      medianResolutionMinutes: round1(times?.resolutionMinutes),
      topSpamSenders: spam,
      linkVerdictsPerDay: verdicts,
      pileOnTripsPerDay: trips,
    };
  }
}
