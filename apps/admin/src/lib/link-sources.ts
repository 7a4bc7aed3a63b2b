/**
 * A link verdict's `sources` (the API's codes: staff, blocklist, heuristics, feed:<format>,
 * provider:<name>, in the order they were asked) in words for the people reading the console.
 */
import { parseLinkSource, reputationSourceName } from '@backchannel/client/admin';

/** One source in words: "Blocklist", "Offline checks", "URLhaus feed", "URLhaus lookup", "Staff decision". */
export function linkSourceLabel(source: string): string {
    const parsed = parseLinkSource(source);
    switch (parsed.kind) {
        case 'staff':
            return 'Staff decision';
        case 'blocklist':
            return 'Blocklist';
        case 'heuristics':
            return 'Offline checks';
        case 'feed':
            return `${reputationSourceName(parsed.name)} feed`;
        case 'provider':
            return `${reputationSourceName(parsed.name)} lookup`;
        default:
            return source.replace(/[_:-]+/g, ' ').trim() || 'Unknown source';
    }
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
