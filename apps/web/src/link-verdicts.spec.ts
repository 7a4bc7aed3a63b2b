import { chipKind, clickable, reasonText, sourcesText, type LinkItem } from './link-verdicts';

const link = (l: Partial<LinkItem>): LinkItem => ({ url: 'https://example.com/x', verdict: 'safe', ...l });

describe('honest link chips', () => {
  it('a safe verdict from the offline checks alone is a neutral link; one a feed, a lookup or staff vouched for is green', () => {
    expect(chipKind(link({ sources: ['blocklist', 'heuristics'] }))).toBe('unchecked');
    expect(chipKind(link({}))).toBe('unchecked');
    expect(chipKind(link({ sources: ['blocklist', 'heuristics', 'feed:urlhaus'] }))).toBe('checked');
    expect(chipKind(link({ sources: ['blocklist', 'heuristics', 'provider:urlhaus'] }))).toBe('checked');
    expect(chipKind(link({ sources: ['staff'] }))).toBe('checked');
  });

  it('safe and suspicious links open (suspicious through the confirm screen); malicious and pending ones never do, nor a non-web address', () => {
    expect(clickable(link({ sources: ['blocklist', 'heuristics'] }))).toBe(true);
    expect(clickable(link({ verdict: 'suspicious', reason: 'abused_tld_lure' }))).toBe(true);
    expect(clickable(link({ verdict: 'malicious', reason: 'blocklisted_domain' }))).toBe(false);
    expect(clickable(link({ verdict: 'pending' }))).toBe(false);
    expect(clickable(link({ url: 'javascript:alert(1)', sources: ['staff'] }))).toBe(false);
  });

  it('the confirm screen names why in words, and which sources were consulted', () => {
    expect(reasonText(link({ verdict: 'suspicious', reason: 'abused_tld_lure' }))).toBe(
      'Its address uses a domain ending that scams often use, with bait words or a sign-in page.',
    );
    expect(reasonText(link({ verdict: 'suspicious', reason: 'feed_phishtank' }))).toBe(
      'The PhishTank reputation feed lists it as dangerous.',
    );
    expect(sourcesText(['blocklist', 'heuristics'])).toBe(
      'Checked by our blocklist and our offline checks. No reputation service was consulted.',
    );
    expect(sourcesText(['blocklist', 'heuristics', 'feed:urlhaus'])).toBe(
      'Checked by our blocklist, our offline checks and the URLhaus feed.',
    );
  });
});
