import { suggestedAction } from './strike-ladder';

describe('strike ladder', () => {
  it('suggests warn, then a day of restriction, then three days of suspension, then a ban', () => {
    expect(suggestedAction(0)).toEqual({ action: 'warn' });
    expect(suggestedAction(1)).toEqual({ action: 'restrict_messaging', durationHours: 24 });
    expect(suggestedAction(2)).toEqual({ action: 'suspend', durationHours: 72 });
    expect(suggestedAction(3)).toEqual({ action: 'ban' });
    expect(suggestedAction(12)).toEqual({ action: 'ban' });
  });
});
