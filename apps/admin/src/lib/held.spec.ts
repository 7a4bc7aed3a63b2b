import { recipientsLine } from './held';

describe('recipientsLine', () => {
    const person = (handle: string | null, id = `id-${handle}`) => ({ id, handle, displayName: handle });

    it('names the one person a direct message was going to', () => {
        expect(
            recipientsLine({ recipients: [person('ana')], recipientCount: 1, conversationTitle: null, conversationKind: 'direct' }),
        ).toBe('To @ana');
    });

    it('names the first recipients of a titled room, with how many more, and an id when a handle is gone', () => {
        expect(
            recipientsLine({
                recipients: [person('ana'), person(null, 'u-2')],
                recipientCount: 30,
                conversationTitle: 'Friday show',
                conversationKind: 'room',
            }),
        ).toBe('To @ana, @u-2 and 28 more in “Friday show”');
    });

    it('says so when nobody is left to receive it', () => {
        expect(recipientsLine({ recipients: [], recipientCount: 0, conversationTitle: null, conversationKind: 'group' })).toBe(
            'To nobody (everyone else has left) (group)',
        );
    });
});
