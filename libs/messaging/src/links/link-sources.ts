/**
 * Which sources a link verdict consulted (issue #30 item 6: "the verdict's `reason` says which
 * sources were consulted"). Every verdict carries them as `sources`, in the order they were
 * asked; a `safe` verdict's `reason` is the sentence safeReason() makes of them, so a client can
 * tell "checked by a reputation source" from "only the offline checks ran" (the web app shows the
 * latter as a neutral link, not a green "safe"). A `suspicious` or `malicious` verdict keeps the
 * stable code of what flagged it as its `reason` (`abused_tld_lure`, `feed_urlhaus`, ...).
 *
 * - `staff`: a staff override decided it (nothing else is asked).
 * - `blocklist`: the staff blocklist; a hit decides at once (`malicious`).
 * - `heuristics`: the offline heuristics (link-rules.ts, heuristics.ts).
 * - `feed:<format>`: a reputation feed whose entries are loaded in the verdict cache (LINK_FEEDS);
 *   a URL it does not list was looked up there and found in none.
 * - `provider:<name>`: an online reputation lookup (LINK_PROVIDERS) that answered.
 */
export type LinkSource = 'staff' | 'blocklist' | 'heuristics' | `feed:${string}` | `provider:${string}`;

/** The sources every scan consults offline, in the order it asks them. */
export const OFFLINE_SOURCES: ReadonlyArray<LinkSource> = ['blocklist', 'heuristics'];

const FEED_NAMES: Readonly<Record<string, string>> = { urlhaus: 'URLhaus', phishtank: 'PhishTank', openphish: 'OpenPhish' };

/** A reputation source (a feed or an online lookup), as opposed to the offline checks and staff. */
export function isReputationSource(source: string): boolean {
  return source.startsWith('feed:') || source.startsWith('provider:');
}

/** A source as a sentence names it. */
export function sourceName(source: string): string {
  if (source === 'staff') return 'staff';
  if (source === 'blocklist') return 'the blocklist';
  if (source === 'heuristics') return 'the offline heuristics';
  const [kind, name = ''] = source.split(':', 2);
  const shown = FEED_NAMES[name] ?? name;
  if (kind === 'feed') return `the ${shown} feed`;
  if (kind === 'provider') return `the ${shown} lookup`;
  return source;
}

function listed(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The `reason` of a `safe` verdict: the sources consulted, none of which flagged the link, and,
 * when none of them is a reputation source, that no reputation feed or lookup was consulted.
 */
export function safeReason(sources: ReadonlyArray<string>): string {
  const names = listed(sources.map(sourceName));
  const checked = names ? `Not flagged by ${names}` : 'Not flagged';
  return sources.some(isReputationSource) ? `${checked}.` : `${checked}; no reputation feed or lookup was consulted.`;
}
