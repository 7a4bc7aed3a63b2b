import { extractLinks, MAX_LINKS_PER_MESSAGE, normalizeUrl } from './link-extractor';

describe('extractLinks', () => {
  it('finds http and https URLs in order of appearance', () => {
    expect(extractLinks('first https://example.com/a then http://example.org/b')).toEqual([
      'https://example.com/a',
      'http://example.org/b',
    ]);
  });

  it('turns a bare domain on a public TLD into an http:// link', () => {
    expect(extractLinks('look at example.com/x please')).toEqual(['http://example.com/x']);
  });

  it('accepts a bare domain under a multi-label public suffix (co.uk)', () => {
    expect(extractLinks('mirror: sub.example.co.uk')).toEqual(['http://sub.example.co.uk/']);
  });

  it('accepts a bare domain on a newer gTLD the linkify default list lacks', () => {
    expect(extractLinks('try myproject.dev')).toEqual(['http://myproject.dev/']);
  });

  it('rejects a bare domain whose TLD is not a real public suffix', () => {
    expect(extractLinks('open foo.notarealtld or notes.txt')).toEqual([]);
  });

  it('keeps an explicit http URL even when its TLD is not public (the scanner judges it)', () => {
    expect(extractLinks('http://foo.notarealtld/x')).toEqual(['http://foo.notarealtld/x']);
  });

  it('does not extract emails, bare or mailto:', () => {
    expect(extractLinks('mail a@b.com or mailto:someone@example.com')).toEqual([]);
  });

  it('does not treat the domain part of an email as a link', () => {
    expect(extractLinks('write to support@example.com today')).toEqual([]);
  });

  it('excludes trailing sentence punctuation from the URL', () => {
    expect(extractLinks('Go to https://example.com/a, then https://example.com/b! Or https://example.com/c?')).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
  });

  it('excludes wrapping parentheses but keeps balanced ones inside the path', () => {
    expect(extractLinks('(see https://example.com/x) and (https://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([
      'https://example.com/x',
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ]);
  });

  it('drops the full stop after a bare domain at the end of a sentence', () => {
    expect(extractLinks('My site is example.com.')).toEqual(['http://example.com/']);
  });

  it('lower-cases scheme and host but keeps path and query case', () => {
    expect(extractLinks('HTTPS://WWW.Example.COM/Path?Q=A')).toEqual(['https://www.example.com/Path?Q=A']);
  });

  it('lower-cases an uppercase bare host', () => {
    expect(extractLinks('EXAMPLE.COM rocks')).toEqual(['http://example.com/']);
  });

  it('converts an IDN host (bücher.de) to punycode', () => {
    expect(extractLinks('books at bücher.de')).toEqual(['http://xn--bcher-kva.de/']);
  });

  it('drops the default http port and the fragment', () => {
    expect(extractLinks('http://EXAMPLE.com:80/a#frag')).toEqual(['http://example.com/a']);
  });

  it('drops the default https port', () => {
    expect(extractLinks('https://x.com:443/')).toEqual(['https://x.com/']);
  });

  it('keeps a non-default port', () => {
    expect(extractLinks('http://x.com:443/ and https://x.com:8443/')).toEqual(['http://x.com:443/', 'https://x.com:8443/']);
  });

  it('de-duplicates links that normalise to the same URL, keeping first position', () => {
    expect(extractLinks('b.com a.com B.COM http://b.com/ https://a.com')).toEqual(['http://b.com/', 'http://a.com/', 'https://a.com/']);
  });

  it(`caps the result at ${MAX_LINKS_PER_MESSAGE} links`, () => {
    const text = Array.from({ length: 30 }, (_, i) => `https://example.com/${i}`).join(' ');
    const links = extractLinks(text);
    expect(links).toHaveLength(MAX_LINKS_PER_MESSAGE);
    expect(links[0]).toBe('https://example.com/0');
    expect(links[19]).toBe('https://example.com/19');
  });

  it('returns a non-http scheme linkify recognises (ftp://) normalised, for the scanner to flag', () => {
    expect(extractLinks('FTP://Files.Example.com/pub')).toEqual(['ftp://files.example.com/pub']);
  });

  it('returns a protocol-relative link as http', () => {
    expect(extractLinks('see //cdn.example.com/x')).toEqual(['http://cdn.example.com/x']);
  });

  it('keeps credentials so the scanner can flag them', () => {
    expect(extractLinks('http://user:pass@evil.com/x')).toEqual(['http://user:pass@evil.com/x']);
  });

  it('returns IP-literal hosts in dotted/bracketed form', () => {
    expect(extractLinks('http://3232235777/a http://[::1]:8080/')).toEqual(['http://192.168.1.1/a', 'http://[::1]:8080/']);
  });

  it('returns nothing for text without links', () => {
    expect(extractLinks('')).toEqual([]);
    expect(extractLinks('version 1.2.3, e.g. this, i.e. that')).toEqual([]);
  });
});

describe('normalizeUrl', () => {
  it('strips a trailing dot from the host', () => {
    expect(normalizeUrl('http://example.com./a')).toBe('http://example.com/a');
  });

  it('adds http:// to a bare domain', () => {
    expect(normalizeUrl('example.com/x?y=1')).toBe('http://example.com/x?y=1');
  });

  it('keeps a port on a bare domain', () => {
    expect(normalizeUrl('example.com:8080/x')).toBe('http://example.com:8080/x');
  });

  it('drops an empty fragment marker', () => {
    expect(normalizeUrl('https://example.com/a#')).toBe('https://example.com/a');
  });

  it('turns decimal, octal and hex IPv4 hosts into dotted form', () => {
    expect(normalizeUrl('http://3232235777')).toBe('http://192.168.1.1/');
    expect(normalizeUrl('http://0300.0250.0.1')).toBe('http://192.168.0.1/');
    expect(normalizeUrl('http://0xC0A80001')).toBe('http://192.168.0.1/');
  });

  it('returns null for emails, opaque schemes and unparseable input', () => {
    expect(normalizeUrl('mailto:a@b.com')).toBeNull();
    expect(normalizeUrl('a@b.com')).toBeNull();
    expect(normalizeUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeUrl('http://exa mple.com')).toBeNull();
    expect(normalizeUrl('   ')).toBeNull();
  });
});
