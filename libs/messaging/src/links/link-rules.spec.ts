import { BlocklistEntry, classifyUrl, ClassifyContext, HeuristicReason, URL_SHORTENERS } from './link-rules';

const none: ClassifyContext = { blocklist: [] };
const ctx = (...blocklist: BlocklistEntry[]): ClassifyContext => ({ blocklist });

function expectSuspicious(url: string, reason: HeuristicReason, context: ClassifyContext = none): void {
  expect(classifyUrl(url, context)).toEqual({ verdict: 'suspicious', reason, rule: `heuristic:${reason}` });
}

describe('classifyUrl', () => {
  describe('blocklist', () => {
    const evil = ctx({ pattern: 'evil.com', kind: 'domain' });
    const blockedDomain = { verdict: 'malicious', reason: 'blocklisted_domain', rule: 'blocklist' };

    it('domain rule matches the domain itself', () => {
      expect(classifyUrl('http://evil.com/x', evil)).toEqual(blockedDomain);
    });

    it('domain rule matches every subdomain', () => {
      expect(classifyUrl('https://a.b.evil.com/', evil)).toEqual(blockedDomain);
    });

    it('domain rule does not match a domain that merely ends with the same letters', () => {
      expect(classifyUrl('http://notevil.com/', evil)).toEqual({ verdict: 'safe', reason: null, rule: 'default' });
    });

    it('domain rule normalises its pattern (case, trailing dot, *. prefix, IDN)', () => {
      expect(classifyUrl('http://evil.com/', ctx({ pattern: ' EVIL.com. ', kind: 'domain' }))).toEqual(blockedDomain);
      expect(classifyUrl('http://x.evil.com/', ctx({ pattern: '*.evil.com', kind: 'domain' }))).toEqual(blockedDomain);
      expect(classifyUrl('http://xn--bcher-kva.de/', ctx({ pattern: 'bücher.de', kind: 'domain' }))).toEqual(blockedDomain);
    });

    it('url rule matches the exact normalised URL, pattern normalised too', () => {
      const list = ctx({ pattern: 'HTTP://Bad.example:80/login#top', kind: 'url' });
      expect(classifyUrl('http://bad.example/login', list)).toEqual({
        verdict: 'malicious',
        reason: 'blocklisted_url',
        rule: 'blocklist',
      });
    });

    it('url rule does not match another path on the same host', () => {
      const list = ctx({ pattern: 'http://bad.example/login', kind: 'url' });
      expect(classifyUrl('http://bad.example/about', list).verdict).toBe('safe');
    });

    it('blocklist is checked before heuristics', () => {
      expect(classifyUrl('https://bit.ly/abc', ctx({ pattern: 'bit.ly', kind: 'domain' }))).toEqual(blockedDomain);
    });

    it('a malformed blocklist pattern is ignored, not matched against everything', () => {
      expect(classifyUrl('http://example.com/', ctx({ pattern: 'http://', kind: 'url' }, { pattern: '', kind: 'domain' })).verdict).toBe(
        'safe',
      );
    });
  });

  describe('heuristic: ip_literal', () => {
    it.each([
      ['dotted IPv4', 'http://192.168.0.1/'],
      ['decimal IPv4', 'http://3232235777'],
      ['octal IPv4', 'http://0300.0250.0.1/'],
      ['hex IPv4', 'http://0xC0A80001/'],
      ['mixed hex/octal/decimal IPv4', 'http://0xC0.0250.0.1/'],
      ['short-form IPv4 (a.b.c with 16-bit tail)', 'http://192.168.1/'],
      ['IPv6 literal', 'http://[::1]/'],
      ['IPv6-mapped IPv4', 'http://[::ffff:192.168.0.1]/'],
      ['IP with a port', 'https://8.8.8.8:8443/x'],
    ])('flags a %s host (%s)', (_form, url) => {
      expectSuspicious(url, 'ip_literal');
    });

    it('flags the raw form even when URL parsing refuses it (trailing junk label)', () => {
      expectSuspicious('http://0x7f.1:99999/', 'ip_literal');
    });

    it('does not flag a domain that starts with digits', () => {
      expect(classifyUrl('http://123.example.com/', none).verdict).toBe('safe');
    });
  });

  describe('heuristic: credentials_in_url', () => {
    it('flags user:pass@', () => {
      expectSuspicious('http://user:pass@example.com/', 'credentials_in_url');
    });

    it('flags user@ (the classic google.com@evil.com trick)', () => {
      expectSuspicious('https://google.com@evil.example/', 'credentials_in_url');
    });
  });

  describe('heuristic: punycode_mixed_script', () => {
    it('flags an xn-- label mixing Latin and Cyrillic (exаmple with Cyrillic а)', () => {
      expectSuspicious('http://xn--exmple-4nf.com/', 'punycode_mixed_script');
    });

    it('flags the same host given in Unicode form', () => {
      expectSuspicious('http://ex\u0430mple.com/', 'punycode_mixed_script');
    });

    it('does not flag a single-script IDN (bücher.de)', () => {
      expect(classifyUrl('http://xn--bcher-kva.de/', none).verdict).toBe('safe');
    });

    it('does not flag normal Japanese mixing of Han and Katakana', () => {
      expect(classifyUrl('http://xn--zckzah9945czlbtz6h.jp/', none).verdict).toBe('safe');
    });
  });

  describe('heuristic: brand_lookalike', () => {
    it('flags an all-Cyrillic label whose skeleton is a brand (аррӏе.com)', () => {
      expectSuspicious('http://xn--80ak6aa92e.com/', 'brand_lookalike');
    });

    it('flags a Latin label with one Cyrillic letter spelling a brand (pаypal.com)', () => {
      expectSuspicious('https://xn--pypal-4ve.com/login', 'brand_lookalike');
    });

    it('flags a Cyrillic-o lookalike of clubhouse', () => {
      expectSuspicious('https://xn--clubhuse-rbh.com/', 'brand_lookalike');
    });

    it('flags a brand lookalike used as a subdomain label', () => {
      expectSuspicious('https://xn--ggle-55da.attacker.example/', 'brand_lookalike');
    });

    it('flags ASCII digit swaps (paypa1) and rn for m (rnicrosoft)', () => {
      expectSuspicious('https://paypa1.com/', 'brand_lookalike');
      expectSuspicious('https://rnicrosoft.com/', 'brand_lookalike');
    });

    it('does not flag the genuine brand domain', () => {
      expect(classifyUrl('https://www.paypal.com/', none).verdict).toBe('safe');
      expect(classifyUrl('https://google.co.uk/', none).verdict).toBe('safe');
    });
  });

  describe('heuristic: url_shortener', () => {
    it.each([
      'bit.ly',
      'tinyurl.com',
      't.co',
      'goo.gl',
      'ow.ly',
      'is.gd',
      'buff.ly',
      'rebrand.ly',
      'cutt.ly',
      'shorturl.at',
      'tiny.cc',
      's.id',
    ])('flags %s', (host) => {
      expect(URL_SHORTENERS.has(host)).toBe(true);
      expectSuspicious(`https://${host}/abc123`, 'url_shortener');
    });

    it('flags a subdomain of a shortener', () => {
      expectSuspicious('https://www.bit.ly/abc', 'url_shortener');
    });

    it('does not flag a host that only ends with shortener letters', () => {
      expect(classifyUrl('https://habit.ly/', none).verdict).toBe('safe');
    });
  });

  describe('heuristic: non_http_scheme', () => {
    it('flags ftp://', () => {
      expectSuspicious('ftp://files.example.com/pub', 'non_http_scheme');
    });

    it('flags an opaque scheme such as javascript:', () => {
      expectSuspicious('javascript:alert(1)', 'non_http_scheme');
    });
  });

  describe('heuristic: long_host', () => {
    it('flags a host longer than 100 characters', () => {
      const host = `${'a'.repeat(60)}.${'b'.repeat(40)}.com`;
      expect(host.length).toBeGreaterThan(100);
      expectSuspicious(`https://${host}/`, 'long_host');
    });
  });

  describe('heuristic: deep_subdomains', () => {
    it('flags a host with more than 5 labels', () => {
      expectSuspicious('https://login.secure.account.verify.example.com/', 'deep_subdomains');
    });

    it('does not flag a host with exactly 5 labels', () => {
      expect(classifyUrl('https://a.b.c.example.com/', none).verdict).toBe('safe');
    });
  });

  describe('heuristic: invalid_url', () => {
    it('flags input that is not a URL at all', () => {
      expectSuspicious('http://exa mple.com/', 'invalid_url');
    });
  });

  describe('default', () => {
    it('an ordinary https URL is safe', () => {
      expect(classifyUrl('https://example.com/a?b=c', none)).toEqual({ verdict: 'safe', reason: null, rule: 'default' });
    });

    it('accepts raw (not yet normalised) input', () => {
      expect(classifyUrl('HTTPS://Example.COM:443/#x', none)).toEqual({ verdict: 'safe', reason: null, rule: 'default' });
    });
  });
});
