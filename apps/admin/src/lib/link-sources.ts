/**
 * A link verdict's `sources` (the API's codes: staff, blocklist, heuristics, feed:<format>,
 * provider:<name>, in the order they were asked) in words for the people reading the console.
 */

const NAMES: Readonly<Record<string, string>> = {
    urlhaus: 'URLhaus',
    phishtank: 'PhishTank',
    openphish: 'OpenPhish',
};

/** "urlhaus" → "URLhaus"; a name we do not know keeps its own spelling, first letter raised. */
const nameOf = (name: string): string => NAMES[name.toLowerCase()] ?? (name ? name.charAt(0).toUpperCase() + name.slice(1) : 'Unnamed');

/** One source in words: "Blocklist", "Offline checks", "URLhaus feed", "URLhaus lookup", "Staff decision". */
export function linkSourceLabel(source: string): string {
    if (source === 'staff') return 'Staff decision';
    if (source === 'blocklist') return 'Blocklist';
    if (source === 'heuristics') return 'Offline checks';
    const colon = source.indexOf(':');
    if (colon > 0) {
        const kind = source.slice(0, colon);
        const name = nameOf(source.slice(colon + 1));
        if (kind === 'feed') return `${name} feed`;
        if (kind === 'provider') return `${name} lookup`;
    }
    return source.replace(/[_:-]+/g, ' ').trim() || 'Unknown source';
}

/** What a source is, for a hover text. */
export function linkSourceHint(source: string): string {
    if (source === 'staff') return 'A moderator set this verdict; nothing else was asked.';
    if (source === 'blocklist') return 'Our blocklist of domains and addresses.';
    if (source === 'heuristics')
        return 'Checks run here without asking anyone: suspicious address shapes, lookalike brands, link shorteners.';
    if (source.startsWith('feed:')) return 'A reputation list of known bad links, loaded here.';
    if (source.startsWith('provider:')) return 'An online reputation service that answered for this link.';
    return '';
}

/** The sources as one line ("Blocklist, Offline checks, URLhaus feed"), or a dash when none were asked (pending). */
export function linkSourcesText(sources: readonly string[] | null | undefined): string {
    return sources && sources.length ? sources.map(linkSourceLabel).join(', ') : '—';
}
