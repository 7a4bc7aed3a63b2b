import { basePriority, caseWithoutTrustedCeiling, reporterAccuracy, REASON_SEVERITY, TRUSTED_CASE_POINTS } from './report-priority';

const base = { source: 'user' as const, reporters: 1, judged: 0, actioned: 0 };

describe('report priority', () => {
  it('ranks harm first: self_harm > violence > hate > harassment > scam > other > spam', () => {
    const order = ['self_harm', 'violence', 'hate', 'harassment', 'scam', 'other', 'spam'].map((reason) =>
      basePriority({ ...base, reason }),
    );
    expect([...order].sort((a, b) => b - a)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
  });

  it('a pile of spam reporters never outranks one self-harm report', () => {
    expect(basePriority({ ...base, reason: 'spam', reporters: 1000, judged: 100, actioned: 100 })).toBeLessThan(
      basePriority({ ...base, reason: 'self_harm' }),
    );
  });

  it('each further distinct reporter adds weight, up to a cap', () => {
    const p = (reporters: number) => basePriority({ ...base, reason: 'harassment', reporters });
    expect(p(2)).toBeGreaterThan(p(1));
    expect(p(4)).toBeGreaterThan(p(2));
    expect(p(100)).toBe(p(6));
  });

  it('a reporter whose reports led to action ranks above one whose reports were dismissed; a newcomer is neutral', () => {
    expect(reporterAccuracy(0, 0)).toBe(0.5);
    const good = basePriority({ ...base, reason: 'other', judged: 10, actioned: 10 });
    const newcomer = basePriority({ ...base, reason: 'other' });
    const noisy = basePriority({ ...base, reason: 'other', judged: 10, actioned: 0 });
    expect(good).toBeGreaterThan(newcomer);
    expect(newcomer).toBeGreaterThan(noisy);
    expect(newcomer).toBe(REASON_SEVERITY.other);
  });

  it('system reports rank above an unproven user report of the same reason', () => {
    expect(basePriority({ ...base, reason: 'scam', source: 'system', reporters: 0 })).toBeGreaterThan(
      basePriority({ ...base, reason: 'scam' }),
    );
  });
});

describe('reporter standing', () => {
  const base = { reason: 'spam', source: 'user' as const, reporters: 1, judged: 0, actioned: 0 };
  it('a trusted flagger outranks any untrusted report of the same reason, and a muted reporter weighs nothing', () => {
    expect(basePriority({ ...base, source: 'trusted_flagger' })).toBeGreaterThan(basePriority({ ...base, judged: 50, actioned: 50 }) + 50);
    expect(basePriority({ ...base, muted: true })).toBe(0);
    expect(basePriority({ ...base, source: 'trusted_flagger', muted: true })).toBeGreaterThan(0);
  });
  it("a case with a trusted flagger's report is above every case without one, whatever those reach", () => {
    const best = Math.max(
      ...['self_harm', 'violence', 'spam'].flatMap((reason) =>
        (['user', 'system'] as const).map((source) => basePriority({ reason, source, reporters: 1000, judged: 1000, actioned: 1000 })),
      ),
    );
    expect(caseWithoutTrustedCeiling()).toBeGreaterThanOrEqual(best);
    expect(TRUSTED_CASE_POINTS).toBeGreaterThan(caseWithoutTrustedCeiling());
  });
  it('repeatedly unfounded reporters are pushed down further', () => {
    expect(basePriority({ ...base, judged: 4, actioned: 0 })).toBeLessThan(basePriority({ ...base, judged: 2, actioned: 0 }) - 15);
  });
});
