/**
 * A link verdict's `sources` (the API's codes, in the order they were consulted: `staff`,
 * `blocklist`, `heuristics`, `feed:<format>`, `provider:<name>`), parsed once for every client.
 * The words differ by reader (the web app speaks to the sender, the console to staff); what a
 * code means and how a reputation source is spelled are defined here.
 */
export type LinkSource =
  { kind: 'staff' | 'blocklist' | 'heuristics' } | { kind: 'feed' | 'provider'; name: string } | { kind: 'other'; code: string };

/** How the reputation feeds and lookups the server knows are spelled. */
const REPUTATION_NAMES: Readonly<Record<string, string>> = { urlhaus: 'URLhaus', phishtank: 'PhishTank', openphish: 'OpenPhish' };

/** "urlhaus" → "URLhaus"; a name we do not know keeps its own spelling, first letter raised. */
export function reputationSourceName(name: string): string {
  return REPUTATION_NAMES[name.toLowerCase()] ?? (name ? name.charAt(0).toUpperCase() + name.slice(1) : 'Unnamed');
}

export function parseLinkSource(code: string): LinkSource {
  if (code === 'staff' || code === 'blocklist' || code === 'heuristics') return { kind: code };
  const colon = code.indexOf(':');
  const kind = colon > 0 ? code.slice(0, colon) : '';
  if (kind === 'feed' || kind === 'provider') return { kind, name: code.slice(colon + 1) };
  return { kind: 'other', code };
}
