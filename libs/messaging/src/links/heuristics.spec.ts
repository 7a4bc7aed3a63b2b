import { hasLoginPath, lureHeuristic } from './heuristics';
import { classifyUrl } from './link-rules';

const at = (u: string) => lureHeuristic(new URL(u));

describe('lureHeuristic: scam links that name no brand', () => {
  it('free-bitcoin-claim.xyz/login is a lure on an abused TLD, and suspicious end to end', () => {
    expect(at('https://free-bitcoin-claim.xyz/login')).toBe('abused_tld_lure');
    expect(classifyUrl('free-bitcoin-claim.xyz/login', { blocklist: [] })).toEqual({
      verdict: 'suspicious',
      reason: 'abused_tld_lure',
      rule: 'heuristic:abused_tld_lure',
    });
  });
  it('an abused TLD with a sign-in path alone, or a lure in the host alone, is suspicious', () => {
    expect(at('https://example.top/account/login')).toBe('abused_tld_lure');
    expect(at('https://usdt-airdrop.tk/')).toBe('abused_tld_lure');
    expect(at('https://claim.gift.ru.com/')).toBe('abused_tld_lure');
  });
  it('on any TLD, two lures in the host and a sign-in path', () => {
    expect(at('https://free-bitcoin-claim.com/login')).toBe('lure_login_path');
    expect(at('https://freebitcoin.net/wallet/connect')).toBe('lure_login_path');
  });
  it('ordinary links pass: a plain page on an abused TLD, one lure on .com, a login page of a plain site', () => {
    expect(at('https://my-portfolio.xyz/projects')).toBeNull();
    expect(at('https://free-software.org/about')).toBeNull();
    expect(at('https://example.com/login')).toBeNull();
    expect(at('https://github.com/login')).toBeNull();
    expect(classifyUrl('https://example.com/notes', { blocklist: [] }).verdict).toBe('safe');
  });
  it('reads sign-in pages by whole path segment, not substring', () => {
    expect(hasLoginPath('/wp-login.php')).toBe(true);
    expect(hasLoginPath('/blog/loginless-design')).toBe(false);
  });
  it('the other offline signals still come first with their own reasons', () => {
    expect(classifyUrl('http://192.168.0.1/login', { blocklist: [] }).reason).toBe('ip_literal');
    expect(classifyUrl('https://pаypal.xyz/login', { blocklist: [] }).reason).toBe('brand_lookalike');
    expect(classifyUrl('https://xn--pple-43d.com/', { blocklist: [] }).reason).toBe('brand_lookalike');
  });
});
