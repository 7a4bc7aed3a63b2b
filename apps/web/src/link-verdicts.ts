import { parseLinkSource, reputationSourceName, type Message } from '@backchannel/client';

/**
 * How a link chip shows a verdict (issue #32 item 6, "honest link chips"). A `safe` verdict is
 * green only when a reputation source (a feed, an online lookup) or staff vouched for it; from
 * the offline checks alone (the blocklist and heuristics: all a deployment without feeds has)
 * it is a neutral link, since "nothing offline flagged it" is not "safe". A `suspicious` link
 * opens through a confirm screen naming why; a `malicious` one never opens; a `pending` one
 * opens once checked. Only http(s) addresses are ever opened.
 */
export type LinkItem = Message['links'][number];

export type ChipKind = 'pending' | 'checked' | 'unchecked' | 'suspicious' | 'malicious';

/** A source that vouches for a `safe` verdict (the API's `sources`: feed:…, provider:…, staff). */
export function vouches(source: string): boolean {
  return source === 'staff' || source.startsWith('feed:') || source.startsWith('provider:');
}

/** The address to open, or null for anything but http(s). */
export function openable(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function chipKind(link: LinkItem): ChipKind {
  if (link.verdict === 'safe') return (link.sources ?? []).some(vouches) ? 'checked' : 'unchecked';
  if (link.verdict === 'suspicious' || link.verdict === 'malicious') return link.verdict;
  return 'pending';
}

/** Whether the chip opens its link (directly, or through the confirm screen for `suspicious`). */
export function clickable(link: LinkItem): boolean {
  const kind = chipKind(link);
  return (kind === 'checked' || kind === 'unchecked' || kind === 'suspicious') && openable(link.url) !== null;
}

/** Why a link was flagged, as a sentence (the API's `reason` codes). */
const REASONS: Record<string, string> = {
  abused_tld_lure: 'Its address uses a domain ending that scams often use, with bait words or a sign-in page.',
  lure_login_path: 'Its address is made of bait words and leads to a sign-in page.',
  ip_literal: 'It points to a bare IP address instead of a named site.',
  brand_lookalike: 'Its address imitates a well-known brand.',
  punycode_mixed_script: 'Its address mixes alphabets so it looks like another site.',
  credentials_in_url: 'Its address carries a user name or password.',
  url_shortener: 'It goes through a link shortener, which hides where it leads.',
  long_host: 'Its address is unusually long.',
  deep_subdomains: 'Its address has an unusual number of parts.',
  non_http_scheme: 'It is not a web address.',
  invalid_url: 'Its address is malformed.',
  blocklisted_domain: 'Our moderators blocked this site.',
  blocklisted_url: 'Our moderators blocked this link.',
};

export function reasonText(link: LinkItem): string {
  const reason = link.reason ?? '';
  if (REASONS[reason]) return REASONS[reason];
  const feed = /^feed_(\w+)$/.exec(reason);
  if (feed) return `The ${reputationSourceName(feed[1])} reputation feed lists it as dangerous.`;
  if (reason.startsWith('urlhaus_')) return 'The URLhaus lookup lists it as serving malware.';
  if ((link.sources ?? []).includes('staff')) return 'Our moderators marked it as suspicious.';
  return 'Our checks flagged it as suspicious.';
}

function sourceName(source: string): string {
  const parsed = parseLinkSource(source);
  switch (parsed.kind) {
    case 'staff':
      return 'our moderators';
    case 'blocklist':
      return 'our blocklist';
    case 'heuristics':
      return 'our offline checks';
    case 'feed':
      return `the ${reputationSourceName(parsed.name)} feed`;
    case 'provider':
      return `the ${reputationSourceName(parsed.name)} lookup`;
    default:
      return source;
  }
}

/** Which sources were consulted, as a sentence ("Checked by our blocklist and our offline checks."). */
export function sourcesText(sources: readonly string[] | undefined): string {
  const names = (sources ?? []).map(sourceName);
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const offlineOnly = !(sources ?? []).some(vouches);
  return `Checked by ${list}.${offlineOnly ? ' No reputation service was consulted.' : ''}`;
}

export const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};
