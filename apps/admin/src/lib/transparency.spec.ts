import { transparencyCsv } from './transparency';

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
