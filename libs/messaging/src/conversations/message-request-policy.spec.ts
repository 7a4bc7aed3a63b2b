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
