import { isReputationSource, safeReason, sourceName } from './link-sources';

describe('link verdict sources', () => {
  it('a safe verdict from the offline checks alone says no reputation feed or lookup was consulted', () => {
    expect(safeReason(['blocklist', 'heuristics'])).toBe(
      'Not flagged by the blocklist or the offline heuristics; no reputation feed or lookup was consulted.',
    );
  });

  it('a safe verdict names every feed and lookup consulted', () => {
    expect(safeReason(['blocklist', 'heuristics', 'feed:urlhaus', 'feed:openphish', 'provider:urlhaus'])).toBe(
      'Not flagged by the blocklist, the offline heuristics, the URLhaus feed, the OpenPhish feed or the URLhaus lookup.',
    );
  });

  it('feeds and online lookups are reputation sources; the blocklist, heuristics and staff are not', () => {
    expect(['feed:phishtank', 'provider:urlhaus', 'blocklist', 'heuristics', 'staff'].map(isReputationSource)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(sourceName('feed:phishtank')).toBe('the PhishTank feed');
  });
});
