import { forViewer, messageView, messageViewFor, withheldMessageView, type MessageRow } from './message-view';

const VIEWER = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d';
const OTHER = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9e';

/** A `message` row as SQL returns it (snake_case, reply_quote from REPLY_QUOTE_SQL). */
function row(over: Record<string, unknown> = {}): MessageRow {
  return {
    id: '0190f5a2-0000-7000-8000-000000000001',
    conversation_id: '0190f5a2-0000-7000-8000-0000000000c1',
    seq: '7',
    sender_id: OTHER,
    client_id: 'c-1',
    text: 'hello https://a.example',
    links: [{ url: 'https://a.example', verdict: 'safe', reason: 'checked', sources: ['heuristics'] }],
    state: 'visible',
    removed_reason: null,
    created_at: new Date('2026-12-05T10:11:12.345Z'),
    edited_at: null,
    reply_to_seq: null,
    reply_to_sender_id: null,
    reactions: [],
    reply_quote: null,
    ...over,
  } as MessageRow;
}

const rows: Array<[string, MessageRow]> = [
  ['a plain message', row()],
  [
    'an edited one (timestamp as a string)',
    row({ edited_at: '2026-12-05 10:15:00.123456+00', created_at: '2026-12-05 10:11:12.345678+00' }),
  ],
  ['no links column', row({ links: null })],
  [
    'reactions, one by the viewer, one without `by`',
    row({ reactions: [{ emoji: '👍', by: [VIEWER, OTHER] }, { emoji: '🎉', by: [OTHER] }, { emoji: '🙂' }] }),
  ],
  ['reactions not an array', row({ reactions: null })],
  [
    'a reply the viewer may read',
    row({ reply_to_seq: '3', reply_to_sender_id: OTHER, reply_quote: { seq: 3, senderId: OTHER, text: 'q', readers: [VIEWER] } }),
  ],
  [
    'a reply the viewer may not read',
    row({ reply_to_seq: '3', reply_to_sender_id: OTHER, reply_quote: { seq: 3, senderId: OTHER, text: 'q', readers: [OTHER] } }),
  ],
  [
    'a reply whose quote has no readers',
    row({ reply_to_seq: '3', reply_to_sender_id: OTHER, reply_quote: { seq: 3, senderId: OTHER, text: 'q' } }),
  ],
  ['a reply to a removed message (no quote row)', row({ reply_to_seq: '2', reply_to_sender_id: VIEWER, reply_quote: null })],
  ['a held message', row({ state: 'held' })],
  [
    'a removed message with reactions, an edit and a reply',
    row({
      state: 'removed',
      removed_reason: 'moderation',
      edited_at: new Date('2026-12-05T10:20:00Z'),
      reactions: [{ emoji: '👍', by: [VIEWER] }],
      reply_to_seq: '3',
      reply_to_sender_id: OTHER,
      reply_quote: { seq: 3, senderId: OTHER, text: 'q', readers: [VIEWER] },
    }),
  ],
  ['a removed message without a reason', row({ state: 'removed', removed_reason: null })],
];

describe('messageViewFor', () => {
  for (const [name, r] of rows)
    for (const readable of [true, false])
      it(`${name}, ${readable ? 'read' : 'withheld'}: the same Message as forViewer(messageView / withheldMessageView), key for key`, () => {
        const expected = forViewer(readable ? messageView(r) : withheldMessageView(r), VIEWER);
        const got = messageViewFor(r, VIEWER, readable);
        expect(got).toStrictEqual(expected);
        // The same JSON byte for byte: the keys in the same order.
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      });

  it('shows reactions and a quote to each viewer as their own', () => {
    const r = row({
      reactions: [{ emoji: '👍', by: [VIEWER] }],
      reply_to_seq: '3',
      reply_to_sender_id: OTHER,
      reply_quote: { seq: 3, senderId: OTHER, text: 'q', readers: [VIEWER] },
    });
    expect(messageViewFor(r, VIEWER)).toMatchObject({ reactions: [{ emoji: '👍', count: 1, me: true }], replyTo: { text: 'q' } });
    expect(messageViewFor(r, OTHER)).toMatchObject({ reactions: [{ emoji: '👍', count: 1, me: false }], replyTo: { text: null } });
    expect(messageViewFor(r, OTHER, false)).toMatchObject({ state: 'held', text: null, links: [], reactions: [], replyTo: null });
  });
});
