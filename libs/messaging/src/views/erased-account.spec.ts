import { DELETED_DISPLAY_NAME, eraseAccountFrom } from './erased-account';

const A = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9d';
const B = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c9e';

describe('eraseAccountFrom', () => {
  it("erases the account's name and words wherever an object names it, and leaves everyone else's", () => {
    const doc = {
      reporter: { id: A, handle: 'alice' },
      participants: [
        { userId: A, handle: 'alice', displayName: 'Alice', state: 'active' },
        { userId: B, handle: 'bob', displayName: 'Bob', state: 'active' },
      ],
      messages: [
        {
          id: 'm1',
          senderId: A,
          senderHandle: 'alice',
          text: 'hi from alice',
          links: [{ url: 'https://a.example' }],
          versions: [{ text: 'old' }],
        },
        { id: 'm2', senderId: B, senderHandle: 'bob', text: 'hi bob', links: [], replyTo: { seq: 1, senderId: A, text: 'hi from alice' } },
      ],
    };
    const { value, changed } = eraseAccountFrom(doc, A);
    expect(changed).toBe(true);
    const text = JSON.stringify(value);
    expect(text).not.toContain('alice');
    expect(text).not.toContain('Alice');
    expect(text).toContain('hi bob');
    expect(text).toContain(DELETED_DISPLAY_NAME);
    expect((value as typeof doc).participants[1]).toEqual(doc.participants[1]);
    expect((value as typeof doc).messages[0]).toMatchObject({ id: 'm1', senderId: A, text: null, links: [], versions: [] });
  });

  it('reports no change for a document that does not name the account', () => {
    const doc = { participants: [{ userId: B, handle: 'bob', displayName: 'Bob' }] };
    expect(eraseAccountFrom(doc, A)).toEqual({ value: doc, changed: false });
  });
});
