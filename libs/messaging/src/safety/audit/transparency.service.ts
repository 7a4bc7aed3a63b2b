import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { InvalidRequest } from '../../errors';
import { MAX_YEAR, MIN_YEAR, parseIsoTime } from '../../iso-time';
import { actionCounts, appealCounts, medianHoursToAction, reportCounts } from './transparency.repository';

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
    const period = { from, to };
    const [reports, actions, appeals, median] = await Promise.all([
      reportCounts(this.db, period),
      actionCounts(this.db, period),
      appealCounts(this.db, period),
      medianHoursToAction(this.db, period),
    ]);
    const tally = <R extends { n: number }>(rows: R[], key: keyof R) =>
      rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [String(r[key])]: (acc[String(r[key])] ?? 0) + r.n }), {});
    const sum = (rows: Array<{ n: number }>) => rows.reduce((n, r) => n + r.n, 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      reports: { total: sum(reports), byReason: tally(reports, 'reason'), bySource: tally(reports, 'source') },
      actions: { total: sum(actions), byAction: tally(actions, 'action'), automated: sum(actions.filter((a) => a.automated)) },
      appeals: { total: appeals.total, upheld: appeals.upheld, rejected: appeals.rejected },
      medianHoursToAction: median === null ? null : Math.round(Number(median) * 100) / 100,
    };
  }
}
