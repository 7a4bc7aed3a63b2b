import { suggestedAction } from './strike-ladder';

describe('strike ladder', () => {
  it('suggests warn, then a day of restriction, then three days of suspension, then a ban', () => {
    expect(suggestedAction(0)).toEqual({ action: 'warn' });
    expect(suggestedAction(1)).toEqual({ action: 'restrict_messaging', durationHours: 24 });
    expect(suggestedAction(2)).toEqual({ action: 'suspend', durationHours: 72 });
    expect(suggestedAction(3)).toEqual({ action: 'ban' });
    expect(suggestedAction(12)).toEqual({ action: 'ban' });
  });

  it('suggests nothing harsher while a ban is in force', () => {
    for (const n of [0, 2, 5])
      expect(suggestedAction(n, { status: 'banned' })).toMatchObject({ action: 'none', because: expect.stringMatching(/already banned/i) });
  });

  it('never suggests a suspension or restriction while suspended, but still a ban at three strikes', () => {
    const s = { status: 'suspended', suspendedUntil: '2030-01-02T03:04:05.000Z' };
    expect(suggestedAction(2, s)).toEqual({
      action: 'warn',
      because: 'Already suspended until 2030-01-02 03:04 UTC: a warning records the strike.',
    });
    expect(suggestedAction(1, s).action).toBe('warn');
    expect(suggestedAction(3, s)).toEqual({ action: 'ban' });
  });

  it('does not suggest a restriction while restricted, but a suspension still applies', () => {
    const r = { status: 'active', restrictedUntil: '2030-01-02T03:04:05.000Z' };
    expect(suggestedAction(1, r).action).toBe('warn');
    expect(suggestedAction(2, r)).toEqual({ action: 'suspend', durationHours: 72 });
    expect(suggestedAction(1, { status: 'active' })).toEqual({ action: 'restrict_messaging', durationHours: 24 });
  });
});

describe('strike ladder with a policy severity', () => {
  const severe = { policy: 'hate', severity: 'severe', suggestedAction: 'ban' };
  const medium = { policy: 'spam', severity: 'medium', suggestedAction: 'restrict_messaging' };

  it("takes the severity's suggested action as the least it suggests, and says why", () => {
    expect(suggestedAction(0, undefined, severe)).toEqual({
      action: 'ban',
      because: 'Policy "hate" at severity "severe" suggests at least a ban.',
    });
    expect(suggestedAction(0, undefined, medium)).toMatchObject({ action: 'restrict_messaging', durationHours: 24 });
  });

  it('keeps the step of the strikes in force when it is harsher than the severity suggests', () => {
    expect(suggestedAction(2, undefined, medium)).toEqual({ action: 'suspend', durationHours: 72 });
    expect(suggestedAction(1, undefined, { policy: 'other', severity: 'low', suggestedAction: 'warn' })).toEqual({
      action: 'restrict_messaging',
      durationHours: 24,
    });
  });

  it('still accounts for what is in force', () => {
    expect(suggestedAction(0, { status: 'banned' }, severe).action).toBe('none');
    expect(suggestedAction(0, { status: 'active', restrictedUntil: '2030-01-02T03:04:05.000Z' }, medium).action).toBe('warn');
  });
});
