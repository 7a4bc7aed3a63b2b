import { InvalidCursor, InvalidRequest } from '../errors';
import { BackchannelMembership } from './backchannel-membership';
import { OffsetCursor } from './offset-cursor';
import { validateRoomTitle } from './rooms.service';

describe('validateRoomTitle', () => {
  it('trims and accepts 1-100 characters, counting an emoji once', () => {
    expect(validateRoomTitle('  Late night  ')).toBe('Late night');
    expect(validateRoomTitle('🎙'.repeat(100))).toBe('🎙'.repeat(100));
  });

  it.each([[''], ['   '], ['x'.repeat(101)], ['tab\there'], ['bell\u0007'], [42], [null]])('refuses %p with invalid_request', (raw) => {
    expect(() => validateRoomTitle(raw)).toThrow(InvalidRequest);
  });
});

describe('OffsetCursor', () => {
  it('round-trips a position and treats no cursor as the start', () => {
    expect(OffsetCursor.decode(OffsetCursor.encode(150))).toBe(150);
    expect(OffsetCursor.decode(undefined)).toBe(0);
  });

  it('refuses anything it did not issue with invalid_cursor', () => {
    for (const bad of ['garbage', Buffer.from('o:-1').toString('base64url'), Buffer.from('o:1e3').toString('base64url')]) {
      expect(() => OffsetCursor.decode(bad)).toThrow(InvalidCursor);
    }
  });

  it('gives a next cursor only when a row beyond the page was fetched', () => {
    expect(OffsetCursor.page([1, 2, 3], 0, 2)).toEqual({ items: [1, 2], nextCursor: OffsetCursor.encode(2) });
    expect(OffsetCursor.page([1, 2], 0, 2)).toEqual({ items: [1, 2], nextCursor: null });
  });
});

describe('BackchannelMembership.recipients', () => {
  it('tells the added or removed user and every current moderator, once each', () => {
    expect(BackchannelMembership.recipients({ added: ['b'], removed: [], moderators: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(BackchannelMembership.recipients({ added: [], removed: ['c'], moderators: ['a'] })).toEqual(['a', 'c']);
  });

  it('tells nobody when membership did not change', () => {
    expect(BackchannelMembership.recipients({ added: [], removed: [], moderators: ['a', 'b'] })).toEqual([]);
  });
});
