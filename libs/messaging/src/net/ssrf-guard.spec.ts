import { promises as dnsPromises } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import {
  assertFetchableUrl,
  isForbiddenAddress,
  parseIpv4Loose,
  parseIpv6,
  resolveFetchableAddresses,
  SsrfRefusedError,
} from './ssrf-guard';

function mockLookup(result: LookupAddress[] | Error): jest.SpyInstance {
  const impl = async (): Promise<LookupAddress[]> => {
    if (result instanceof Error) throw result;
    return result;
  };
  return jest.spyOn(dnsPromises, 'lookup').mockImplementation(impl as unknown as typeof dnsPromises.lookup);
}

afterEach(() => jest.restoreAllMocks());

describe('isForbiddenAddress', () => {
  it.each([
    ['IPv4 loopback', '127.0.0.1'],
    ['IPv4 loopback, whole /8', '127.255.0.9'],
    ['RFC 1918 10/8', '10.1.2.3'],
    ['RFC 1918 172.16/12', '172.16.0.1'],
    ['RFC 1918 172.16/12 upper edge', '172.31.255.255'],
    ['RFC 1918 192.168/16', '192.168.1.1'],
    ['link-local 169.254/16', '169.254.10.20'],
    ['cloud metadata 169.254.169.254', '169.254.169.254'],
    ['CGNAT 100.64/10', '100.64.0.1'],
    ['CGNAT 100.64/10 upper edge', '100.127.255.255'],
    ['this-network 0.0.0.0/8', '0.0.0.0'],
    ['this-network 0.0.0.0/8, non-zero', '0.1.2.3'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['IPv6 loopback ::1', '::1'],
    ['IPv6 unspecified ::', '::'],
    ['unique-local fc00::/7 (fc)', 'fc00::1'],
    ['unique-local fc00::/7 (fd)', 'fd12:3456::1'],
    ['link-local fe80::/10', 'fe80::1'],
    ['link-local with zone id', 'fe80::1%eth0'],
    ['IPv4-mapped loopback (dotted tail)', '::ffff:127.0.0.1'],
    ['IPv4-mapped private (hex tail)', '::ffff:c0a8:1'],
    ['IPv4-mapped metadata address', '::ffff:169.254.169.254'],
    ['NAT64 of a private address', '64:ff9b::a00:1'],
    ['bracketed IPv6', '[::1]'],
    ['decimal IPv4 form of loopback', '2130706433'],
    ['hex IPv4 form of a private address', '0xC0A80001'],
    ['text that is not an IP (fail closed)', 'localhost'],
  ])('forbids %s (%s)', (_label, ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['public IPv4', '8.8.8.8'],
    ['just outside 172.16/12', '172.32.0.1'],
    ['just outside CGNAT', '100.128.0.1'],
    ['public IPv6', '2606:4700:4700::1111'],
    ['IPv4-mapped public address', '::ffff:8.8.8.8'],
  ])('allows %s (%s)', (_label, ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('parseIpv4Loose', () => {
  it.each([
    ['dotted', '192.168.0.1'],
    ['decimal', '3232235521'],
    ['octal', '0300.0250.0.01'],
    ['hex', '0xC0A80001'],
    ['mixed', '0xC0.0250.0.1'],
    ['two-part with 24-bit tail', '192.11010049'],
  ])('reads the %s form as 192.168.0.1', (_form, text) => {
    expect(parseIpv4Loose(text)).toBe(0xc0a80001);
  });

  it('rejects out-of-range parts and non-numbers', () => {
    expect(parseIpv4Loose('256.1.1.1')).toBeNull();
    expect(parseIpv4Loose('1.2.3.4.5')).toBeNull();
    expect(parseIpv4Loose('4294967296')).toBeNull();
    expect(parseIpv4Loose('08.1.1.1')).toBeNull();
    expect(parseIpv4Loose('example.com')).toBeNull();
  });
});

describe('parseIpv6', () => {
  it('expands :: and an embedded IPv4 tail into eight groups', () => {
    expect(parseIpv6('::ffff:192.168.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0001]);
    expect(parseIpv6('[2001:db8::1]')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
  });

  it('rejects text that is not IPv6', () => {
    expect(parseIpv6('1.2.3.4')).toBeNull();
    expect(parseIpv6('::g')).toBeNull();
  });
});

describe('assertFetchableUrl', () => {
  it('refuses a non-http(s) scheme with code ssrf_refused', async () => {
    const lookup = mockLookup([{ address: '93.184.216.34', family: 4 }]);
    await expect(assertFetchableUrl('ftp://example.com/file')).rejects.toMatchObject({ code: 'ssrf_refused' });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses an unparseable URL', async () => {
    await expect(assertFetchableUrl('not a url')).rejects.toBeInstanceOf(SsrfRefusedError);
  });

  it('refuses a loopback IP literal without a DNS query', async () => {
    const lookup = mockLookup([]);
    await expect(assertFetchableUrl('http://127.0.0.1:8080/')).rejects.toMatchObject({ code: 'ssrf_refused' });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses the metadata address written as a decimal host', async () => {
    await expect(assertFetchableUrl('http://2852039166/latest/meta-data/')).rejects.toMatchObject({ code: 'ssrf_refused' });
  });

  it('refuses a bracketed IPv6-mapped private literal', async () => {
    await expect(assertFetchableUrl('http://[::ffff:10.0.0.1]/')).rejects.toMatchObject({ code: 'ssrf_refused' });
  });

  it('refuses a host when any resolved address is forbidden', async () => {
    const lookup = mockLookup([
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    await expect(assertFetchableUrl('https://rebind.example/')).rejects.toMatchObject({ code: 'ssrf_refused' });
    expect(lookup).toHaveBeenCalledWith('rebind.example', { all: true });
  });

  it('refuses a host that resolves to an IPv6 unique-local address', async () => {
    mockLookup([{ address: 'fd00::1', family: 6 }]);
    await expect(assertFetchableUrl('https://internal.example/')).rejects.toMatchObject({ code: 'ssrf_refused' });
  });

  it('refuses a host that resolves to no address', async () => {
    mockLookup([]);
    await expect(assertFetchableUrl('https://empty.example/')).rejects.toMatchObject({ code: 'ssrf_refused' });
  });

  it('allows a host whose every address is public', async () => {
    mockLookup([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ]);
    await expect(assertFetchableUrl('https://example.com/')).resolves.toBeUndefined();
  });

  it('returns the checked addresses so a fetcher can pin them', async () => {
    mockLookup([{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveFetchableAddresses('https://example.com/')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('lets a DNS failure propagate unchanged', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND nope.example'), { code: 'ENOTFOUND' });
    mockLookup(failure);
    await expect(assertFetchableUrl('https://nope.example/')).rejects.toBe(failure);
  });
});
