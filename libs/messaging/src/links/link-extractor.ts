import { LinkifyIt, REBuilder } from 'linkify-it';
import { parse as parseDomain } from 'tldts';

/** A message carrying more links than this is spam either way; scanning more only costs time. */
export const MAX_LINKS_PER_MESSAGE = 20;

/**
 * linkify-it only accepts a fixed TLD list for schemeless links (its default misses `.io`,
 * `.app`, ...). Accept any letter-ish TLD here and let tldts decide what is a real public
 * suffix, so the two never disagree about what a domain is.
 */
class AnyTldRebuilder extends REBuilder {
  override get_tld(): RegExp {
    const cached = this.cache.tld;
    if (cached) return cached;
    const tld = new RegExp(`${this.get_xn().source}|${this.get_pseudo_letter().source}{2,63}`);
    this.cache.tld = tld;
    return tld;
  }
}

const linkify = new LinkifyIt({
  rebuilder: new AnyTldRebuilder(),
  fuzzyLink: true,
  // Emails are not links; fuzzyEmail off plus mailto: disabled covers both spellings.
  fuzzyEmail: false,
  // Without auth support `http://user:pass@evil.com` is not matched at all, hiding the very
  // links the credentials heuristic exists for.
  urlAuth: true,
}).add('mailto:', null);

/** `scheme://` prefix; anything else is treated as a bare domain (or rejected, see below). */
const HIERARCHICAL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `javascript:`, `data:`, `tel:` ...: no authority, never a link we can scan. A digit after the
 * colon means `example.com:8080`, a bare host with a port. */
const OPAQUE_SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;
/** WHATWG "special" schemes: for the others URL keeps the host as typed, so we lower-case it. */
const SPECIAL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:', 'file:']);

/**
 * Canonical form used for de-duplication and blocklist comparison. The WHATWG URL serializer
 * does most of the work (scheme/host case, IDN to punycode, default ports, IPv4 number forms
 * to dotted quad); path and query keep their meaning but take URL's percent-encoding, which is
 * what a browser would request. Returns null for anything that is not a URL with a host.
 */
export function normalizeUrl(raw: string): string | null {
  let candidate = raw.trim();
  if (!candidate) return null;
  if (candidate.startsWith('//')) {
    candidate = `http:${candidate}`;
  } else if (!HIERARCHICAL_SCHEME.test(candidate)) {
    if (OPAQUE_SCHEME.test(candidate)) return null;
    // `a@b.com` without a scheme is an email, not a link with credentials.
    if (candidate.split(/[/?#]/, 1)[0].includes('@')) return null;
    candidate = `http://${candidate}`;
  }

  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }

  url.hash = '';
  let host = url.hostname;
  if (!SPECIAL_SCHEMES.has(url.protocol)) host = host.toLowerCase();
  // `example.com.` is the same host as `example.com`; keep one spelling so blocklists match.
  host = host.replace(/\.+$/, '');
  if (!host) return null;
  if (host !== url.hostname) url.hostname = host;
  return url.href;
}

/** A schemeless match is only a link if its host sits on a real (ICANN) public suffix. */
function isPublicDomain(normalized: string): boolean {
  const info = parseDomain(new URL(normalized).hostname);
  return info.isIcann === true && !info.isIp && info.domain !== null;
}

/**
 * Every link in chat text, normalised, de-duplicated, in order of appearance, at most
 * {@link MAX_LINKS_PER_MESSAGE}. Explicit-scheme links are kept whatever their host (so the
 * scanner can flag `http://10.0.0.1` or `ftp://...`); bare domains need a public TLD.
 */
export function extractLinks(text: string): string[] {
  const matches = text ? linkify.match(text) : null;
  if (!matches) return [];

  const seen = new Set<string>();
  const links: string[] = [];
  for (const match of matches) {
    if (match.schema.toLowerCase() === 'mailto:') continue;
    const normalized = normalizeUrl(match.url);
    if (normalized === null || seen.has(normalized)) continue;
    if (match.schema === '' && !isPublicDomain(normalized)) continue;
    seen.add(normalized);
    links.push(normalized);
    if (links.length >= MAX_LINKS_PER_MESSAGE) break;
  }
  return links;
}
