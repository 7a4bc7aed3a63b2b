import { domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';
import { LETTER_CONFUSABLES } from '../text/confusables';
import { normalizeUrl } from './link-extractor';
import { parseIpv4Loose, parseIpv6 } from '../net/ssrf-guard';
import { lureHeuristic, type LureReason } from './heuristics';

export type LinkVerdict = 'safe' | 'suspicious' | 'malicious';

export type BlocklistReason = 'blocklisted_domain' | 'blocklisted_url';
export type HeuristicReason =
  | 'credentials_in_url'
  | 'ip_literal'
  | 'brand_lookalike'
  | 'punycode_mixed_script'
  | LureReason
  | 'non_http_scheme'
  | 'url_shortener'
  | 'long_host'
  | 'deep_subdomains'
  | 'invalid_url';
export type LinkReason = BlocklistReason | HeuristicReason;
export type LinkRule = 'blocklist' | 'default' | `heuristic:${HeuristicReason}`;

export interface BlocklistEntry {
  pattern: string;
  kind: 'domain' | 'url';
}

export interface ClassifyContext {
  blocklist: ReadonlyArray<BlocklistEntry>;
}

export interface LinkClassification {
  verdict: LinkVerdict;
  reason: LinkReason | null;
  rule: LinkRule;
}

export const MAX_HOST_LENGTH = 100;
export const MAX_HOST_LABELS = 5;

/** Matched against the host and its subdomains. */
export const URL_SHORTENERS: ReadonlySet<string> = new Set([
  'bit.ly',
  'bitly.com',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'v.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  's.id',
  't.ly',
  'rb.gy',
  'lnkd.in',
  'adf.ly',
  'shorte.st',
  'bc.vc',
  'ouo.io',
  'clck.ru',
  'u.to',
  'x.co',
  'tiny.one',
  'bl.ink',
]);

/** Second-level labels phishers imitate most; compared by confusables skeleton, never by TLD. */
export const LOOKALIKE_BRANDS: ReadonlyArray<string> = [
  'google',
  'gmail',
  'youtube',
  'apple',
  'icloud',
  'paypal',
  'microsoft',
  'outlook',
  'amazon',
  'facebook',
  'instagram',
  'whatsapp',
  'netflix',
  'clubhouse',
  'twitter',
  'linkedin',
  'telegram',
  'discord',
  'coinbase',
  'binance',
];

/** The shared look-alike letters (text/confusables.ts) plus the digit swaps phishers use in hosts (`paypa1`, `g00gle`). */
const CONFUSABLES: Readonly<Record<string, string>> = { ...LETTER_CONFUSABLES, '0': 'o', '1': 'l' };

function skeleton(label: string): string {
  // Plain ASCII (most hosts): NFD changes nothing and only the digit swaps apply, so skip the
  // per-character walk (it was the scan's top function in the link-scan profile).
  if (/^[a-z0-9-]*$/.test(label)) return label.replace(/0/g, 'o').replace(/1/g, 'l').replace(/rn/g, 'm').replace(/vv/g, 'w');
  // Accents are dropped first so `àpple` and `аpple` reduce the same way.
  const bare = label.normalize('NFD').replace(/\p{M}/gu, '');
  return Array.from(bare, (ch) => CONFUSABLES[ch] ?? ch)
    .join('')
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w');
}

const BRAND_SKELETONS: ReadonlyMap<string, string> = new Map(LOOKALIKE_BRANDS.map((b) => [skeleton(b), b]));

const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = (
  [
    'Latin',
    'Cyrillic',
    'Greek',
    'Armenian',
    'Georgian',
    'Hebrew',
    'Arabic',
    'Syriac',
    'Thaana',
    'Han',
    'Hiragana',
    'Katakana',
    'Hangul',
    'Bopomofo',
    'Thai',
    'Lao',
    'Khmer',
    'Myanmar',
    'Devanagari',
    'Bengali',
    'Gurmukhi',
    'Gujarati',
    'Oriya',
    'Tamil',
    'Telugu',
    'Kannada',
    'Malayalam',
    'Sinhala',
    'Tibetan',
    'Mongolian',
    'Ethiopic',
    'Cherokee',
    'Coptic',
  ] as const
).map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

const SCRIPT_NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** UTS #39 "highly restrictive": these East Asian mixes are normal writing, not spoofing. */
const ALLOWED_SCRIPT_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function isMixedScript(text: string): boolean {
  const scripts = new Set<string>();
  for (const ch of text) {
    if (SCRIPT_NEUTRAL.test(ch)) continue;
    scripts.add(SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'Other');
  }
  if (scripts.size <= 1) return false;
  return !ALLOWED_SCRIPT_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

/** Host as typed in a raw URL string, for inputs URL parsing rejects or rewrites. */
function rawHostOf(raw: string): string | null {
  const match = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#\\]*)/i.exec(raw.trim()) ?? /^([^/?#\\]*)/.exec(raw.trim());
  if (!match) return null;
  const host = match[1].slice(match[1].lastIndexOf('@') + 1);
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.replace(/:\d*$/, '');
}

function rawHostIsIp(raw: string): boolean {
  const host = rawHostOf(raw);
  return host !== null && host !== '' && isIpLiteralHost(host);
}

/** Dotted, decimal, octal, hex or mixed IPv4, or a bracketed IPv6 (mapped forms included). */
export function isIpLiteralHost(host: string): boolean {
  if (host.startsWith('[')) return parseIpv6(host) !== null;
  return parseIpv4Loose(host) !== null;
}

/**
 * Patterns are normalised exactly like scanned URLs so `EVIL.com.`, `*.evil.com` and
 * `bücher.de` match. Memoised per pattern string (not per list) because blocklists are
 * long-lived and re-normalising them for every link would dominate scan time.
 */
const patternCache = new Map<string, string | null>();
const PATTERN_CACHE_LIMIT = 50_000;

function cachedPattern(key: string, compute: () => string | null): string | null {
  const hit = patternCache.get(key);
  if (hit !== undefined) return hit;
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  const value = compute();
  patternCache.set(key, value);
  return value;
}

function domainPattern(pattern: string): string | null {
  return cachedPattern(`d:${pattern}`, () => {
    const bare = pattern.trim().replace(/^\*?\.+/, '');
    const normalized = normalizeUrl(/:\/\//.test(bare) ? bare : `http://${bare}`);
    return normalized === null ? null : new URL(normalized).hostname;
  });
}

function urlPattern(pattern: string): string | null {
  return cachedPattern(`u:${pattern}`, () => normalizeUrl(pattern));
}

function blocklistHit(url: URL, normalized: string, blocklist: ReadonlyArray<BlocklistEntry>): BlocklistReason | null {
  const host = url.hostname;
  for (const entry of blocklist) {
    if (entry.kind === 'domain') {
      const domain = domainPattern(entry.pattern);
      if (domain !== null && (host === domain || host.endsWith(`.${domain}`))) return 'blocklisted_domain';
    } else if (urlPattern(entry.pattern) === normalized) {
      return 'blocklisted_url';
    }
  }
  return null;
}

function hostMatchesAny(host: string, domains: ReadonlySet<string>): boolean {
  const labels = host.split('.');
  return labels.some((_, i) => domains.has(labels.slice(i).join('.')));
}

/** Labels left of the public suffix, decoded to Unicode where they are punycode. */
function registrableLabels(host: string): string[] {
  const labels = host.split('.');
  const suffix = parseDomain(host).publicSuffix;
  const suffixLength = suffix ? suffix.split('.').length : 1;
  return labels.slice(0, Math.max(0, labels.length - suffixLength));
}

function decodeLabel(label: string): string {
  return label.startsWith('xn--') ? domainToUnicode(label) || label : label;
}

/** First matching heuristic, in order of how much the signal says about intent. */
function heuristicFor(url: URL, raw: string): HeuristicReason | null {
  const host = url.hostname;
  if (url.username || url.password) return 'credentials_in_url';
  // URL rewrites decimal/octal/hex hosts to dotted form; check what was typed as well.
  if (isIpLiteralHost(host) || rawHostIsIp(raw)) return 'ip_literal';

  if (
    registrableLabels(host).some((label) => {
      const decoded = decodeLabel(label);
      const brand = BRAND_SKELETONS.get(skeleton(decoded));
      return brand !== undefined && decoded !== brand;
    })
  ) {
    return 'brand_lookalike';
  }
  if (host.split('.').some((label) => label.startsWith('xn--') && isMixedScript(decodeLabel(label)))) {
    return 'punycode_mixed_script';
  }
  const lure = lureHeuristic(url);
  if (lure) return lure;

  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'non_http_scheme';
  if (hostMatchesAny(host, URL_SHORTENERS)) return 'url_shortener';
  if (host.length > MAX_HOST_LENGTH) return 'long_host';
  if (host.split('.').length > MAX_HOST_LABELS) return 'deep_subdomains';
  return null;
}

/** For input URL parsing rejects: still say what we can from the raw text. */
function heuristicForUnparseable(raw: string): HeuristicReason {
  if (rawHostIsIp(raw)) return 'ip_literal';
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d)/i.exec(raw.trim());
  if (scheme && !/^https?$/i.test(scheme[1])) return 'non_http_scheme';
  return 'invalid_url';
}

function suspicious(reason: HeuristicReason): LinkClassification {
  return { verdict: 'suspicious', reason, rule: `heuristic:${reason}` };
}

/**
 * Offline verdict for one URL (raw or already normalised). Blocklist first, then heuristics;
 * the first hit decides.
 */
export function classifyUrl(url: string, ctx: ClassifyContext): LinkClassification {
  const normalized = normalizeUrl(url);
  if (normalized === null) return suspicious(heuristicForUnparseable(url));
  const parsed = new URL(normalized);

  const blocked = blocklistHit(parsed, normalized, ctx.blocklist);
  if (blocked) return { verdict: 'malicious', reason: blocked, rule: 'blocklist' };

  const reason = heuristicFor(parsed, url);
  return reason ? suspicious(reason) : { verdict: 'safe', reason: null, rule: 'default' };
}
