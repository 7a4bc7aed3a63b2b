import { normalizeEvidence, normalizeVerdict } from './evidence';

describe('normalizeEvidence', () => {
    it('keeps every earlier version of an edited message, oldest first, and tolerates junk in them', () => {
        const result = normalizeEvidence({
            subjectType: 'message',
            subjectId: 'm1',
            evidence: {
                messages: [
                    {
                        id: 'm1',
                        seq: 1,
                        senderId: 'u1',
                        text: 'version three',
                        editedAt: '2026-11-26T10:05:00.000Z',
                        versions: [
                            {
                                version: 1,
                                text: 'version one',
                                links: [{ url: 'http://bad', verdict: 'malicious' }],
                                writtenAt: '2026-11-26T10:00:00.000Z',
                                replacedAt: '2026-11-26T10:01:00.000Z',
                            },
                            null,
                            { text: 'version two', writtenAt: '2026-11-26T10:01:00.000Z', replacedAt: '2026-11-26T10:05:00.000Z' },
                        ],
                    },
                    { id: 'm2', seq: 2, senderId: 'u2', text: 'never edited' },
                ],
            },
        });
        const [edited, plain] = result.messages;
        expect(edited.editedAt).toBe('2026-11-26T10:05:00.000Z');
        expect(edited.versions.map(v => [v.version, v.text])).toEqual([
            [1, 'version one'],
            [2, 'version two'],
        ]);
        expect(edited.versions[0].links).toEqual([{ url: 'http://bad', verdict: 'malicious', reason: '' }]);
        expect(edited.versionsOmitted).toBe(0);
        expect(plain.versions).toEqual([]);
        expect(plain.editedAt).toBe('');
    });

    it('carries how many versions a bounded snapshot left out', () => {
        const message = (versionsOmitted: unknown) =>
            normalizeEvidence({
                evidence: {
                    messages: [
                        {
                            id: 'm1',
                            seq: 1,
                            senderId: 'u1',
                            text: 'now',
                            editedAt: '2026-11-26T10:05:00.000Z',
                            versions: [{ version: 1 }, { version: 42 }],
                            versionsOmitted,
                        },
                    ],
                },
            }).messages[0];
        expect(message(40).versionsOmitted).toBe(40);
        for (const junk of [undefined, -1, '40', null]) expect(message(junk).versionsOmitted).toBe(0);
    });

    it('survives missing or malformed evidence', () => {
        for (const evidence of [undefined, null, 'x', 3, [], {}, { messages: 'nope', participants: {} }]) {
            const result = normalizeEvidence({ evidence });
            expect(result.messages).toEqual([]);
            expect(result.participants).toEqual([]);
            expect(result.conversation).toBeNull();
            expect(result.room).toBeNull();
        }
        expect(normalizeEvidence(undefined).empty).toBe(true);
    });

    it('orders by seq, highlights reported messages and resolves handles', () => {
        const result = normalizeEvidence({
            subjectType: 'message',
            subjectId: 'm2',
            subjectUserId: 'u2',
            evidence: {
                messages: [
                    { id: 'm2', seq: 2, senderId: 'u2', text: 'buy now', links: [{ url: 'http://x', verdict: 'malicious' }] },
                    { id: 'm1', seq: 1, senderId: 'u1', senderHandle: 'alice', text: 'hi', reported: false },
                    { id: 'm3', seq: 3, senderId: 'u2', text: 'again', reported: true, links: [null, { verdict: 'weird' }] },
                    null,
                ],
                participants: [
                    { userId: 'u1', handle: 'alice', state: 'active' },
                    { userId: 'u2', handle: 'spammer', state: 'left' },
                ],
                conversation: { id: 'c1', kind: 'direct', title: '', wasRequest: true, context: { roomId: 'r1' } },
                room: { id: 'r1', title: 'Late night talk' },
            },
        });
        expect(result.messages.map(m => m.id)).toEqual(['m1', 'm2', 'm3']);
        expect(result.messages.map(m => m.highlighted)).toEqual([false, true, true]);
        expect(result.messages.map(m => m.reported)).toEqual([false, false, true]);
        expect(result.messages.map(m => m.primary)).toEqual([false, true, false]);
        expect(result.messages.map(m => m.side)).toEqual(['right', 'left', 'left']);
        expect(result.messages[1].senderHandle).toBe('spammer');
        expect(result.messages[1].links).toEqual([{ url: 'http://x', verdict: 'malicious', reason: '' }]);
        expect(result.messages[2].links).toEqual([{ url: '', verdict: 'unknown', reason: '' }]);
        expect(result.participants.find(p => p.isSubject)?.handle).toBe('spammer');
        expect(result.conversation).toEqual({ id: 'c1', kind: 'direct', title: '', wasRequest: true, context: '{"roomId":"r1"}' });
        expect(result.room).toEqual({ id: 'r1', title: 'Late night talk' });
        expect(result.empty).toBe(false);
    });

    it('puts the first sender on the left when the subject user is unknown', () => {
        const result = normalizeEvidence({
            evidence: { messages: [{ senderId: 'a' }, { senderId: 'b' }, { senderId: 'a' }] },
        });
        expect(result.messages.map(m => m.side)).toEqual(['left', 'right', 'left']);
        expect(result.messages.map(m => m.key)).toEqual(['idx-0', 'idx-1', 'idx-2']);
        expect(result.messages[0].senderHandle).toBe('a');
        expect(result.messages.some(m => m.primary)).toBe(false);
    });

    it('makes the first reported message primary when the subject is not a message', () => {
        const result = normalizeEvidence({
            subjectType: 'user',
            subjectId: 'u9',
            evidence: { messages: [{ id: 'a' }, { id: 'b', reported: true }, { id: 'c', reported: true }] },
        });
        expect(result.messages.map(m => m.primary)).toEqual([false, true, false]);
        expect(result.messages.map(m => m.highlighted)).toEqual([false, true, true]);
    });

    it('normalizes verdicts', () => {
        expect(normalizeVerdict('safe')).toBe('safe');
        expect(normalizeVerdict('pending')).toBe('pending');
        expect(normalizeVerdict(undefined)).toBe('unknown');
    });
});
