import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { utcDays } from './transparency.service';
import { handledPerDay, queueNow } from './queue-stats.repository';

/** How many days of handled work the panel shows (today included). */
export const QUEUE_STATS_DAYS = 14;

export interface QueueStats {
  openCases: number;
  openReports: number;
  escalatedReports: number;
  /** The unresolved report that has waited longest: when it was filed, how many hours ago, and its case. */
  oldestOpenAt: string | null;
  oldestOpenHours: number | null;
  oldestOpenCaseId: string | null;
  /** The UTC days of `moderators[].perDay`, oldest first. */
  days: string[];
  /** Staff who resolved at least one report in those days, most first: reports resolved per day. */
  moderators: Array<{ staffId: string; displayName: string; total: number; perDay: Array<{ day: string; handled: number }> }>;
}

/**
 * The team's view of the queue: what is waiting and for how long, and who handled how many
 * reports per day. "Handled" is a report resolved by that staff member (a case's resolve
 * handles each of its reports); automated resolutions belong to no one and are left out.
 */
@Injectable()
export class QueueStatsService {
  constructor(private readonly db: Db) {}

  async stats(now = new Date()): Promise<QueueStats> {
    const [current, handled] = await Promise.all([queueNow(this.db), handledPerDay(this.db, QUEUE_STATS_DAYS)]);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const days = utcDays(new Date(today - (QUEUE_STATS_DAYS - 1) * 86400_000), new Date(today + 86400_000));
    const byStaff = new Map<string, { displayName: string; counts: Map<string, number> }>();
    for (const r of handled) {
      const entry = byStaff.get(r.staffId) ?? { displayName: r.displayName, counts: new Map<string, number>() };
      entry.counts.set(r.day, r.handled);
      byStaff.set(r.staffId, entry);
    }
    const moderators = [...byStaff].map(([staffId, { displayName, counts }]) => {
      const perDay = days.map((day) => ({ day, handled: counts.get(day) ?? 0 }));
      return { staffId, displayName, total: perDay.reduce((n, d) => n + d.handled, 0), perDay };
    });
    moderators.sort((a, b) => b.total - a.total || a.displayName.localeCompare(b.displayName));
    const oldest = current.oldestOpenAt;
    return {
      openCases: current.openCases,
      openReports: current.openReports,
      escalatedReports: current.escalatedReports,
      oldestOpenAt: oldest ? oldest.toISOString() : null,
      oldestOpenHours: oldest ? Math.round(((now.getTime() - oldest.getTime()) / 3600_000) * 100) / 100 : null,
      oldestOpenCaseId: current.oldestOpenCaseId,
      days,
      moderators,
    };
  }
}
