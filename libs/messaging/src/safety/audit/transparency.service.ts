import { Injectable } from '@nestjs/common';
import { Db } from '../../db/db.service';
import { InvalidRequest } from '../../errors';
import { MAX_YEAR, MIN_YEAR, parseIsoTime } from '../../iso-time';
import {
  actionCounts,
  appealCounts,
  dailyActionCounts,
  dailyMedianHoursToAction,
  dailyReportCounts,
  medianHoursToAction,
  reportCounts,
  type DailyCountRow,
} from './transparency.repository';

/** API.md "transparency" (v1.1): the counts of a period, as a DSA transparency report needs them. */
export interface TransparencyReport {
  from: string;
  to: string;
  reports: { total: number; byReason: Record<string, number>; bySource: Record<string, number> };
  actions: { total: number; byAction: Record<string, number>; automated: number };
  appeals: { total: number; upheld: number; rejected: number };
  medianHoursToAction: number | null;
}

/** The same report, one entry per UTC day of the period (the console's charts). */
export interface TransparencyDay {
  day: string;
  reports: { total: number; byReason: Record<string, number> };
  actions: { total: number; byAction: Record<string, number> };
  /** Reports decided with an action that day, and the median hours they waited; null when none. */
  decidedWithAction: number;
  medianHoursToAction: number | null;
}
export interface TransparencyDaily {
  from: string;
  to: string;
  days: TransparencyDay[];
}

const DEFAULT_PERIOD_DAYS = 30;
const MAX_PERIOD_DAYS = 3660;
/** A daily series covers at most a year and a day (a chart of more days is unreadable anyway). */
export const MAX_DAILY_PERIOD_DAYS = 366;

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Every UTC day the period touches, YYYY-MM-DD, oldest first (`to` exclusive). */
export function utcDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = new Date(to.getTime() - 1);
  for (let d = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); d <= last.getTime(); d += 86400_000) {
    days.push(new Date(d).toISOString().slice(0, 10));
  }
  return days;
}

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
      medianHoursToAction: median === null ? null : round2(Number(median)),
    };
  }

  /** The period's reports by reason, actions by type and median time to action, per UTC day; the days' counts add up to report()'s. */
  async daily(from: Date, to: Date): Promise<TransparencyDaily> {
    if (to.getTime() - from.getTime() > MAX_DAILY_PERIOD_DAYS * 86400_000)
      throw new InvalidRequest(`A daily series covers at most ${MAX_DAILY_PERIOD_DAYS} days.`, [
        { field: 'from', problems: ['period_too_long'] },
      ]);
    const period = { from, to };
    const [reports, actions, medians] = await Promise.all([
      dailyReportCounts(this.db, period),
      dailyActionCounts(this.db, period),
      dailyMedianHoursToAction(this.db, period),
    ]);
    const byDay = (rows: DailyCountRow[]) => {
      const out = new Map<string, Record<string, number>>();
      for (const r of rows) out.set(r.day, { ...out.get(r.day), [r.key]: r.n });
      return out;
    };
    const reportDays = byDay(reports);
    const actionDays = byDay(actions);
    const medianDays = new Map(medians.map((m) => [m.day, m]));
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, v) => n + v, 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      days: utcDays(from, to).map((day) => {
        const byReason = reportDays.get(day) ?? {};
        const byAction = actionDays.get(day) ?? {};
        const median = medianDays.get(day);
        return {
          day,
          reports: { total: total(byReason), byReason },
          actions: { total: total(byAction), byAction },
          decidedWithAction: median?.decided ?? 0,
          medianHoursToAction: median ? round2(median.hours) : null,
        };
      }),
    };
  }
}
