import { pickWritable } from './writable';

describe('pickWritable', () => {
    it('strips read-only fields from staff updates and empty passwords', () => {
        expect(
            pickWritable('staff', 'update', {
                id: 's1',
                email: ' a@b.c ',
                displayName: 'A',
                role: 'triage',
                createdAt: '2025-01-01',
                password: '',
            }),
        ).toEqual({ email: 'a@b.c', displayName: 'A', role: 'triage' });
    });

    it('keeps passwords verbatim on staff create', () => {
        expect(pickWritable('staff', 'create', { email: 'a@b.c', displayName: 'A', role: 'admin', password: ' pw ' })).toEqual({
            email: 'a@b.c',
            displayName: 'A',
            role: 'admin',
            password: ' pw ',
        });
    });

    it('keeps blocklist entries to pattern/kind/reason', () => {
        expect(pickWritable('blocklist', 'create', { pattern: 'evil.example', kind: 'domain', reason: 'phishing', x: 1 })).toEqual({
            pattern: 'evil.example',
            kind: 'domain',
            reason: 'phishing',
        });
    });

    it('sends only verdict and reason for links', () => {
        expect(pickWritable('links', 'update', { id: 'l1', url: 'http://x', verdict: 'safe', reason: 'ok', seenCount: 3 })).toEqual({
            verdict: 'safe',
            reason: 'ok',
        });
    });

    it('passes other resources through', () => {
        expect(pickWritable('users', 'update', { a: 1 })).toEqual({ a: 1 });
        expect(pickWritable('staff', 'create', null)).toEqual({});
    });
});
