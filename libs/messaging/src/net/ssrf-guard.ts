import { promises as dnsPromises } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';

/** Thrown when a URL must not be fetched from inside our network. */
export class SsrfRefusedError extends Error {
  readonly code = 'ssrf_refused' as const;

  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'SsrfRefusedError';
  }
}

const IPV4_PART = /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i;

/**
 * IPv4 the way browsers and inet_aton read it: 1-4 parts, each decimal, octal (`0300`) or hex
 * (`0xC0`), the last part filling the remaining bytes (`3232235777`, `192.168.1`). Returns the
 * address as an unsigned 32-bit number, or null if the text is not such an address.
 */
export function parseIpv4Loose(input: string): number | null {
  const parts = input.split('.');
  // One trailing dot is allowed (`127.0.0.1.`), as in URL host parsing.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 1 || parts.length > 4) return null;

  const values: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return null;
    let value: number;
    if (/^0x/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (part.length > 1 && part.startsWith('0')) value = parseInt(part.slice(1), 8);
    else value = parseInt(part, 10);
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }

  const last = values.pop() as number;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let address = last;
  values.forEach((v, i) => {
    address += v * 256 ** (3 - i);
  });
  return address;
}

/**
 * The eight 16-bit groups of an IPv6 address (brackets and `%zone` tolerated, embedded
 * dotted IPv4 tail supported), or null if it is not one.
 */
export function parseIpv6(input: string): number[] | null {
  let text = input;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!isIPv6(text)) return null;

  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4Loose(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }

  const [head, rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups];
  if (groups.length !== 8) return null;
  return groups.map((g) => parseInt(g, 16));
}

/** [network, prefix length] pairs; every range that is not the public internet. */
const FORBIDDEN_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including 169.254.169.254 cloud metadata
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including broadcast
];

const FORBIDDEN_V4_RANGES = FORBIDDEN_V4.map(([network, bits]) => {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { network: (parseIpv4Loose(network) as number) & mask, mask };
});

function isForbiddenV4(address: number): boolean {
  return FORBIDDEN_V4_RANGES.some(({ network, mask }) => (address & mask) >>> 0 === network >>> 0);
}

function embeddedV4(groups: number[]): number {
  return groups[6] * 0x10000 + groups[7];
}

function isForbiddenV6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5] = groups;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d: judge by the IPv4 part (:: is 0.0.0.0).
  if (upperZero && g5 === 0) return isForbiddenV4(embeddedV4(groups));
  // IPv4-mapped ::ffff:a.b.c.d reaches the IPv4 host on dual-stack sockets.
  if (upperZero && g5 === 0xffff) return isForbiddenV4(embeddedV4(groups));
  // NAT64 64:ff9b::/96 is translated to the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isForbiddenV4(embeddedV4(groups));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // local-use NAT64 64:ff9b:1::/48
  if (g0 === 0x2002) return isForbiddenV4(g1 * 0x10000 + g2); // 6to4 wraps an IPv4 address
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // deprecated site-local fec0::/10
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only 100::/64
  return false;
}

/**
 * True for any address a server-side fetch must not reach: loopback, private, link-local,
 * CGNAT, unique-local, multicast/reserved, and IPv6 wrappers of those. Anything that does not
 * parse as an IP is refused too: this guard fails closed.
 */
export function isForbiddenAddress(ip: string): boolean {
  const text = ip.trim();
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  if (v6) return isForbiddenV6(v6);
  const v4 = text.includes(':') ? null : parseIpv4Loose(text);
  if (v4 !== null) return isForbiddenV4(v4);
  return true;
}

/**
 * Resolves the URL's host and returns every address it maps to, refusing (SsrfRefusedError)
 * non-http(s) schemes and any host with a forbidden address. Callers that fetch should connect
 * to one of these addresses (e.g. via a custom `lookup`) so a DNS rebind between check and
 * fetch cannot redirect them. DNS failures propagate unchanged.
 */
export async function resolveFetchableAddresses(url: string): Promise<LookupAddress[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SsrfRefusedError('URL does not parse', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SsrfRefusedError(`scheme ${parsed.protocol} is not fetchable`, url);
  }

  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new SsrfRefusedError('URL has no host', url);

  // IP literals need no DNS; URL has already turned decimal/octal/hex IPv4 into dotted form.
  const literalFamily = isIPv4(host) ? 4 : isIPv6(host) ? 6 : 0;
  const addresses: LookupAddress[] = literalFamily
    ? [{ address: host, family: literalFamily }]
    : await dnsPromises.lookup(host, { all: true });

  if (addresses.length === 0) throw new SsrfRefusedError(`${host} resolved to no address`, url);
  const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
  if (forbidden) {
    throw new SsrfRefusedError(`${host} resolves to forbidden address ${forbidden.address}`, url);
  }
  return addresses;
}

/** Throws SsrfRefusedError (code `ssrf_refused`) unless the URL is safe to fetch server-side. */
export async function assertFetchableUrl(url: string): Promise<void> {
  await resolveFetchableAddresses(url);
}
