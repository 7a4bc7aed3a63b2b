import { decodePunycodeLabel, describeBlocklistEntry, hostToUnicode, isLiftable, resolutionSentence, spamSignalLines } from './describe';

describe('resolutionSentence', () => {
    it('reads a resolution as a sentence, with the duration in words and the note quoted', () => {
        expect(resolutionSentence({ action: 'suspend', durationHours: 72, note: 'threats' }, '@bob')).toBe(
            'Suspended @bob for 3 days. Note: “threats”',
        );
        expect(resolutionSentence({ action: 'restrict_messaging', durationHours: 24, note: null })).toBe(
            'Restricted the user from messaging for 1 day.',
        );
        expect(resolutionSentence({ action: 'dismiss', note: '' })).toBe('Dismissed: no violation found.');
        expect(resolutionSentence({ action: 'suspend', durationHours: 5 })).toBe('Suspended the user for 5 hours.');
        expect(resolutionSentence(null)).toBe('Not resolved yet.');
    });
});

describe('spamSignalLines', () => {
    it('says whether the sender looks like spam in words, never "Flagged false"', () => {
        const lines = spamSignalLines({ requestsSent: 1, declined: 0, reported: 0, score: 1.5, flagged: false, requestLimitFactor: 1 });
        expect(lines).toEqual([
            'Not flagged as spam (score 1.5, below the queue threshold).',
            '1 message request sent; 0 declined, 0 reported.',
        ]);
        expect(lines.join(' ')).not.toMatch(/false|true/);
        expect(
            spamSignalLines({
                requestsSent: 9,
                declined: 5,
                reported: 2,
                duplicateTexts: 4,
                score: 9,
                flagged: true,
                requestLimitFactor: 0.25,
            }),
        ).toEqual([
            'Looks like spam: score 9, at or above the queue threshold.',
            '9 message requests sent; 5 declined, 2 reported.',
            '4 requests repeated the same text.',
            'Request limit tightened to 25% of normal.',
        ]);
        expect(spamSignalLines(null)).toEqual(['No message requests sent, so no spam signals.']);
    });
});

describe('punycode', () => {
    it('decodes xn-- labels for display', () => {
        expect(decodePunycodeLabel('bcher-kva')).toBe('bücher');
        expect(hostToUnicode('xn--bcher-kva.example')).toBe('bücher.example');
        expect(hostToUnicode('xn--80ak6aa92e.com')).toBe('аррӏе.com');
        expect(hostToUnicode('plain.example')).toBe('plain.example');
    });
});

describe('describeBlocklistEntry', () => {
    it('keeps only the host of a pasted URL and says it covers the domain and its subdomains', () => {
        const d = describeBlocklistEntry('domain', 'https://Evil.Example/path?q=1')!;
        expect(d.pattern).toBe('evil.example');
        expect(d.matches).toEqual(['evil.example itself', 'every subdomain of it (e.g. shop.evil.example, a.b.evil.example)']);
        expect(d.warnings).toEqual(['Only the host is kept: evil.example.']);
    });
    it('warns that a www. host misses the bare domain', () => {
        const d = describeBlocklistEntry('domain', 'www.evil.example')!;
        expect(d.warnings).toEqual([
            'www.evil.example does not cover evil.example itself or its other subdomains; enter evil.example to block the whole domain.',
        ]);
    });
    it('shows a punycode host in both forms', () => {
        const d = describeBlocklistEntry('domain', 'xn--bcher-kva.example')!;
        expect(d.pattern).toBe('xn--bcher-kva.example');
        expect(d.unicode).toBe('bücher.example');
        expect(d.matches[0]).toBe('bücher.example (xn--bcher-kva.example) itself');
        const typed = describeBlocklistEntry('domain', 'bücher.example')!;
        expect(typed.pattern).toBe('xn--bcher-kva.example');
        expect(typed.unicode).toBe('bücher.example');
    });
    it('nothing for empty input', () => {
        expect(describeBlocklistEntry('domain', '  ')).toBeNull();
    });
});

describe('isLiftable', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    it('only a restriction, suspension or ban still in force can be lifted', () => {
        expect(isLiftable({ action: 'suspend', expiresAt: '2030-01-02T00:00:00Z', liftedAt: null }, now)).toBe(true);
        expect(isLiftable({ action: 'ban', expiresAt: null, liftedAt: null }, now)).toBe(true);
        expect(isLiftable({ action: 'suspend', expiresAt: '2029-12-31T00:00:00Z', liftedAt: null }, now)).toBe(false);
        expect(isLiftable({ action: 'ban', liftedAt: '2029-12-31T00:00:00Z' }, now)).toBe(false);
        expect(isLiftable({ action: 'warn', expiresAt: null, liftedAt: null }, now)).toBe(false);
    });
});
