import type { Transparency, TransparencyDaily } from '@backchannel/client/admin';
import { actionsSummary, medianSummary, reasonRows, reasonsSummary, transparencyCsv } from './transparency';

describe('transparencyCsv', () => {
    it('writes one row per count with the period on each', () => {
        const csv = transparencyCsv({
            from: '2026-01-01T00:00:00.000Z',
            to: '2026-02-01T00:00:00.000Z',
            reports: { total: 3, byReason: { spam: 2, hate: 1 }, bySource: { user: 3 } },
            actions: { total: 1, byAction: { ban: 1 }, automated: 0 },
            appeals: { total: 0, upheld: 0, rejected: 0 },
            medianHoursToAction: 1.5,
        });
        const lines = csv.trim().split('\r\n');
        expect(lines[0]).toBe('from,to,section,key,value');
        expect(lines).toContain('2026-01-01T00:00:00.000Z,2026-02-01T00:00:00.000Z,reports.byReason,hate,1');
        expect(lines).toContain('2026-01-01T00:00:00.000Z,2026-02-01T00:00:00.000Z,time,medianHoursToAction,1.5');
        expect(lines).toHaveLength(1 + 11);
    });
});

describe('chart summaries (the charts accessible names)', () => {
    const daily: TransparencyDaily = {
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-01-03T00:00:00.000Z',
        days: [
            {
                day: '2026-01-01',
                reports: { total: 1, byReason: { spam: 1 } },
                actions: { total: 0, byAction: {} },
                decidedWithAction: 0,
                medianHoursToAction: null,
            },
            {
                day: '2026-01-02',
                reports: { total: 3, byReason: { spam: 1, hate: 2 } },
                actions: { total: 1, byAction: { ban: 1 } },
                decidedWithAction: 1,
                medianHoursToAction: 5,
            },
        ],
    };
    const report: Transparency = {
        from: daily.from,
        to: daily.to,
        reports: { total: 4, byReason: { spam: 2, hate: 2 }, bySource: { user: 4 } },
        actions: { total: 1, byAction: { ban: 1 }, automated: 0 },
        appeals: { total: 0, upheld: 0, rejected: 0 },
        medianHoursToAction: 5,
    };
    it('fills every reason on every day, and states totals and the busiest day', () => {
        expect(reasonRows(daily)).toEqual([
            { day: '2026-01-01', hate: 0, spam: 1 },
            { day: '2026-01-02', hate: 2, spam: 1 },
        ]);
        expect(reasonsSummary(daily)).toBe(
            'Reports by reason per day over 2 days: 4 reports (Hate 2, Spam 2); the busiest day was 2026-01-02 with 3 reports.',
        );
        expect(actionsSummary(report)).toBe('Actions by type: 1 action (Ban 1), 0 automated.');
        expect(medianSummary(report, daily)).toBe(
            'Median time to action over the period: 5 hours, from filing to a decision that took action; 1 day with decisions, the slowest 2026-01-02 at 5 hours.',
        );
    });
    it('says so when there is nothing to draw', () => {
        const empty: TransparencyDaily = { ...daily, days: daily.days.map(d => ({ ...d, reports: { total: 0, byReason: {} } })) };
        expect(reasonsSummary(empty)).toBe('Reports by reason per day over 2 days: no reports.');
        expect(medianSummary({ ...report, medianHoursToAction: null }, daily)).toBe(
            'Median time to action: no report was decided with an action in the period.',
        );
    });
});
