import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { InvalidRequest } from '../../errors';
import { MAX_YEAR, MIN_YEAR, parseIsoTime } from '../../iso-time';

/** API.md "transparency" (v1.1): the counts of a period, as a DSA transparency report needs them. */
export interface TransparencyReport {
  from: string;
  to: string;
  reports: { total: number; byReason: Record<string, number>; bySource: Record<string, number> };
  actions: { total: number; byAction: Record<string, number>; automated: number };
  appeals: { total: number; upheld: number; rejected: number };
  medianHoursToAction: number | null;
}

const DEFAULT_PERIOD_DAYS = 30;
const MAX_PERIOD_DAYS = 3660;

/** `from` inclusive, `to` exclusive; ISO-8601 times (iso-time.ts: a bare date is midnight UTC, no offset is UTC). Defaults: the last 30 days. */
export function parsePeriod(rawFrom: unknown, rawTo: unknown, now = new Date()): { from: Date; to: Date } {
  const parse = (raw: unknown, name: string): Date | null => {
    if (raw === undefined || raw === '') return null;
    const d = typeof raw === 'string' ? parseIsoTime(raw) : null;
    if (!d)
      throw new InvalidRequest(`${name} must be an ISO-8601 date or time in years ${MIN_YEAR}-${MAX_YEAR}.`, [
        { field: name, problems: ['iso8601'] },
      ]);
    return d;
  };
  const to = parse(rawTo, 'to') ?? now;
  const from = parse(rawFrom, 'from') ?? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * 86400_000);
  // The default `from` of an early `to` may fall before year 1, which PostgreSQL refuses.
  if (from.getUTCFullYear() < MIN_YEAR)
    throw new InvalidRequest(`from must be in years ${MIN_YEAR}-${MAX_YEAR}.`, [{ field: 'from', problems: ['iso8601'] }]);
  if (from.getTime() >= to.getTime()) throw new InvalidRequest('from must be before to.', [{ field: 'from', problems: ['before_to'] }]);
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86400_000)
    throw new InvalidRequest(`A period is at most ${MAX_PERIOD_DAYS} days.`, [{ field: 'from', problems: ['period_too_long'] }]);
  return { from, to };
}

/**
 * Counts of a period from the records the audit log is written with, in the same
 * transactions (so the two reconcile): reports filed (`report.create`), actions taken
 * against accounts, by staff or automated (`user.<action>`, written by
 * EnforcementService.apply beside every `moderation_action` row), appeals filed
 * (`appeal.create`) and decided (`appeal.uphold` / `appeal.deny`, "rejected" here).
 * medianHoursToAction: the median time from a report's filing to a decision that took
 * action (not a dismissal), over reports decided in the period.
 */
@Injectable()
export class TransparencyService {
  constructor(private readonly db: Db) {}

  async report(from: Date, to: Date): Promise<TransparencyReport> {
    const range = [from.toISOString(), to.toISOString()];
    const [reports, actions, [appeals], [median]] = await Promise.all([
      this.db.query(
        `SELECT reason, source, count(*)::int AS n FROM report WHERE created_at >= $1 AND created_at < $2 GROUP BY reason, source`,
        range,
      ),
      this.db.query(
        `SELECT action, automated, count(*)::int AS n FROM moderation_action WHERE created_at >= $1 AND created_at < $2 GROUP BY action, automated`,
        range,
      ),
      this.db.query(
        `SELECT (SELECT count(*) FROM appeal WHERE created_at >= $1 AND created_at < $2)::int AS total,
                (SELECT count(*) FROM appeal WHERE status = 'upheld' AND decided_at >= $1 AND decided_at < $2)::int AS upheld,
                (SELECT count(*) FROM appeal WHERE status = 'denied' AND decided_at >= $1 AND decided_at < $2)::int AS rejected`,
        range,
      ),
      this.db.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600) AS hours
           FROM report WHERE resolved_at >= $1 AND resolved_at < $2 AND coalesce(resolution ->> 'action', 'dismiss') <> 'dismiss'`,
        range,
      ),
    ]);
    const tally = (rows: any[], key: string) =>
      rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r[key]]: (acc[r[key]] ?? 0) + r.n }), {});
    const sum = (rows: any[]) => rows.reduce((n, r) => n + r.n, 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      reports: { total: sum(reports), byReason: tally(reports, 'reason'), bySource: tally(reports, 'source') },
      actions: { total: sum(actions), byAction: tally(actions, 'action'), automated: sum(actions.filter((a) => a.automated)) },
      appeals: { total: appeals.total, upheld: appeals.upheld, rejected: appeals.rejected },
      medianHoursToAction: median?.hours === null || median?.hours === undefined ? null : Math.round(Number(median.hours) * 100) / 100,
    };
  }
}
