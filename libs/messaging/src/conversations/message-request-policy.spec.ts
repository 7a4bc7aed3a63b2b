import { MessageRequestPolicy } from './message-request-policy';

const facts = (over: Partial<Parameters<typeof MessageRequestPolicy.initialState>[0]> = {}) => ({
  userId: 'u',
  allowIncoming: 'all' as const,
  followsCreator: false,
  blocked: false,
  ...over,
});

describe('MessageRequestPolicy.initialState', () => {
  it('a stranger’s conversation starts pending; a followed creator’s starts active', () => {
    expect(MessageRequestPolicy.initialState(facts())).toBe('pending');
    expect(MessageRequestPolicy.initialState(facts({ followsCreator: true }))).toBe('active');
  });
  it('allowIncoming=following refuses unknown creators and admits known ones', () => {
    expect(() => MessageRequestPolicy.initialState(facts({ allowIncoming: 'following' }))).toThrow(
      expect.objectContaining({ code: 'recipient_not_accepting', status: 403 }),
    );
    expect(MessageRequestPolicy.initialState(facts({ allowIncoming: 'following', followsCreator: true }))).toBe('active');
  });
  it('allowIncoming=none refuses everybody, even people they follow', () => {
    expect(() => MessageRequestPolicy.initialState(facts({ allowIncoming: 'none', followsCreator: true }))).toThrow(
      expect.objectContaining({ code: 'recipient_not_accepting' }),
    );
  });
  it('a block in either direction wins over everything with 403 blocked', () => {
    expect(() => MessageRequestPolicy.initialState(facts({ blocked: true, followsCreator: true }))).toThrow(
      expect.objectContaining({ code: 'blocked', status: 403 }),
    );
  });
});

describe('MessageRequestPolicy.initialState (v1.2: Limits and group invites)', () => {
  it('Limits that hold the creator back refuse as allowIncoming=none does', () => {
    let none: unknown;
    let limited: unknown;
    try {
      MessageRequestPolicy.initialState(facts({ allowIncoming: 'none' }));
    } catch (e) {
      none = e;
    }
    try {
      MessageRequestPolicy.initialState(facts({ limitedOut: true }));
    } catch (e) {
      limited = e;
    }
    expect(limited).toMatchObject({ code: 'recipient_not_accepting', status: 403, message: (none as Error).message });
    expect(MessageRequestPolicy.initialState(facts({ limitedOut: false }))).toBe('pending');
  });
  it('allowGroupInvites applies to groups only: none refuses everyone, following admits only people they follow', () => {
    expect(() => MessageRequestPolicy.initialState(facts({ allowGroupInvites: 'none', followsCreator: true }), { group: true })).toThrow(
      expect.objectContaining({ code: 'recipient_not_accepting' }),
    );
    expect(() => MessageRequestPolicy.initialState(facts({ allowGroupInvites: 'following' }), { group: true })).toThrow(
      expect.objectContaining({ code: 'recipient_not_accepting' }),
    );
    expect(MessageRequestPolicy.initialState(facts({ allowGroupInvites: 'following', followsCreator: true }), { group: true })).toBe(
      'active',
    );
    expect(MessageRequestPolicy.initialState(facts({ allowGroupInvites: 'none' }), { group: false })).toBe('pending');
  });
});
