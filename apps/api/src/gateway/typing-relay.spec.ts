import { RateLimited, NotFound } from '@app/messaging/errors';
import { TYPING_CHECKS_PER_WINDOW, TYPING_WINDOW_MS, TypingThrottle, TypingThrottles } from './typing-relay';
import { wireEvent } from '@app/messaging/events/event-types';
import { pushToSockets } from './realtime.gateway';
import { toAckError, toWire } from './wire';

const conv = (n: number) => `0190a3c4-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('TypingThrottle', () => {
  it('relays a conversation at most once per window, then again once the window has passed', () => {
    const t = new TypingThrottle();
    expect(t.admit(conv(1), 1000)).toBe(true);
    t.relayed(conv(1), 1000);
    expect(t.admit(conv(1), 1000 + TYPING_WINDOW_MS - 1)).toBe(false);
    expect(t.admit(conv(2), 1500)).toBe(true);
    expect(t.admit(conv(1), 1000 + TYPING_WINDOW_MS)).toBe(true);
  });

  it('a refused attempt (not relayed) does not hold the conversation back, so accepting then typing works at once', () => {
    const t = new TypingThrottle();
    expect(t.admit(conv(1), 1000)).toBe(true);
    expect(t.admit(conv(1), 1001)).toBe(true);
  });

  it('caps membership checks per user per window, whatever ids a flood names', () => {
    const t = new TypingThrottle();
    for (let i = 0; i < TYPING_CHECKS_PER_WINDOW; i++) expect(t.admit(conv(i), 5000)).toBe(true);
    expect(t.admit(conv(999), 5001)).toBe(false);
    expect(t.admit(conv(999), 5000 + TYPING_WINDOW_MS)).toBe(true);
  });
});

describe('wire shapes', () => {
  it('a pushed event is {type, cursor, ...payload} without the recipient', () => {
    expect(toWire({ recipientId: 'u', event: wireEvent('message.created', '7', { message: { id: 'm' } }) })).toEqual({
      type: 'message.created',
      cursor: '7',
      message: { id: 'm' },
    });
  });

  it("no payload key can clobber the routing fields: the payload keeps its userId, type and cursor are the event's own", () => {
    const delivered = {
      recipientId: 'recipient',
      event: wireEvent('read.updated', '9', { userId: 'reader', type: 'notice.created', cursor: '1', seq: 3 }),
    };
    expect(toWire(delivered)).toEqual({ type: 'read.updated', cursor: '9', userId: 'reader', seq: 3 });
    const rooms: string[] = [];
    const names: string[] = [];
    pushToSockets({ to: (room: string) => (rooms.push(room), { emit: (name: string) => (names.push(name), true) }) } as any, [delivered]);
    expect(rooms).toEqual(['v1:recipient']);
    expect(names).toEqual(['read.updated']);
  });

  it('an event goes to v1 sockets with the per-user cursor and to positions sockets with its position; without a member row, to positions sockets only', () => {
    const sent: Array<[string, any]> = [];
    const server = { to: (room: string) => ({ emit: (_name: string, wire: any) => (sent.push([room, wire]), true) }) } as any;
    const event = wireEvent('message.created', '4', { message: { id: 'm' } });
    pushToSockets(server, [{ recipientId: 'r', event, position: 'p1.77.3' }]);
    expect(sent).toEqual([
      ['v1:r', { type: 'message.created', cursor: '4', message: { id: 'm' } }],
      ['pos:r', { type: 'message.created', cursor: 'p1.77.3', message: { id: 'm' } }],
    ]);
    sent.length = 0;
    pushToSockets(server, [{ recipientId: 'r', event: { ...event, cursor: null }, position: 'p1.77.3' }]);
    expect(sent).toEqual([['pos:r', { type: 'message.created', cursor: 'p1.77.3', message: { id: 'm' } }]]);
  });

  it('an ack error carries the domain code and message, and retryAfterSeconds for rate limits; unknown errors map to null', () => {
    expect(toAckError(new NotFound())).toEqual({ code: 'not_found', message: 'Not found.' });
    expect(toAckError(new RateLimited(2.2))).toEqual({ code: 'rate_limited', message: expect.any(String), retryAfterSeconds: 3 });
    expect(toAckError(new Error('boom'))).toBeNull();
  });
});

describe('TypingThrottles', () => {
  it("gives every socket of a user the same throttle, and forgets it when the user's last socket goes", () => {
    const all = new TypingThrottles();
    const phone = all.acquire('u1');
    const laptop = all.acquire('u1');
    expect(laptop).toBe(phone);
    expect(all.acquire('u2')).not.toBe(phone);
    phone.relayed(conv(1), 1000);
    expect(laptop.admit(conv(1), 1001)).toBe(false);
    all.release('u1');
    expect(all.acquire('u1')).toBe(phone);
    all.release('u1');
    all.release('u1');
    expect(all.acquire('u1')).not.toBe(phone);
  });
});
