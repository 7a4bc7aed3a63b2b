import { linkSourceLabel, linkSourcesText } from './link-sources';

describe("a link verdict's sources in words", () => {
    it('names each source for people, never as its code', () => {
        expect(linkSourceLabel('staff')).toBe('Staff decision');
        expect(linkSourceLabel('blocklist')).toBe('Blocklist');
        expect(linkSourceLabel('heuristics')).toBe('Offline checks');
        expect(linkSourceLabel('feed:urlhaus')).toBe('URLhaus feed');
        expect(linkSourceLabel('feed:phishtank')).toBe('PhishTank feed');
        expect(linkSourceLabel('feed:openphish')).toBe('OpenPhish feed');
        expect(linkSourceLabel('provider:urlhaus')).toBe('URLhaus lookup');
        expect(linkSourceLabel('provider:safebrowse')).toBe('Safebrowse lookup');
    });

    it('lists them in the order asked, and a dash when none were (pending)', () => {
        expect(linkSourcesText(['blocklist', 'heuristics', 'feed:urlhaus'])).toBe('Blocklist, Offline checks, URLhaus feed');
        expect(linkSourcesText([])).toBe('—');
        expect(linkSourcesText(undefined)).toBe('—');
    });
});
