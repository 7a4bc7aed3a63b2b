import { assertMayWrite } from './write-policy';
import { assertMayStartConversations } from './standing';

const row = (over: Partial<Parameters<typeof assertMayWrite>[0]> = {}) => ({
  restricted: false,
  restricted_until: null,
  locked: false,
  blocked: false,
  over_request_cap: false,
  ...over,
});

describe('assertMayWrite: one refusal per rule, in one order', () => {
  it('lets a writer in good standing write', () => {
    expect(() => assertMayWrite(row())).not.toThrow();
  });
  it('refuses a restricted account first, with 403 messaging_restricted and the end of the restriction', () => {
    const until = new Date(Date.now() + 3600_000);
    expect(() => assertMayWrite(row({ restricted: true, restricted_until: until, blocked: true, over_request_cap: true }))).toThrow(
      expect.objectContaining({ status: 403, code: 'messaging_restricted', message: expect.stringContaining(until.toISOString()) }),
    );
  });
  it('a restriction that has ended refuses nothing', () => {
    expect(() => assertMayWrite(row({ restricted: false, restricted_until: new Date(Date.now() - 1000) }))).not.toThrow();
  });
  it('refuses any write in a conversation staff locked with 403 conversation_locked, after the restriction and before a block', () => {
    expect(() => assertMayWrite(row({ locked: true, blocked: true, over_request_cap: true }))).toThrow(
      expect.objectContaining({ status: 403, code: 'conversation_locked' }),
    );
    const until = new Date(Date.now() + 3600_000);
    expect(() => assertMayWrite(row({ restricted: true, restricted_until: until, locked: true }))).toThrow(
      expect.objectContaining({ code: 'messaging_restricted' }),
    );
  });
  it('refuses a blocked pair with 403 blocked before the request cap', () => {
    expect(() => assertMayWrite(row({ blocked: true, over_request_cap: true }))).toThrow(
      expect.objectContaining({ status: 403, code: 'blocked' }),
    );
  });
  it('refuses a send past the request cap with 403 request_pending_limit', () => {
    expect(() => assertMayWrite(row({ over_request_cap: true }))).toThrow(
      expect.objectContaining({ status: 403, code: 'request_pending_limit' }),
    );
  });
});

describe('assertMayStartConversations: starting a conversation or adding members', () => {
  it('refuses an account whose DM access staff switched off with 403 messaging_restricted that says replies still work', () => {
    expect(() => assertMayStartConversations({ restricted: false, restricted_until: null, dm_access_revoked: true })).toThrow(
      expect.objectContaining({ status: 403, code: 'messaging_restricted', message: expect.stringContaining('reply') }),
    );
  });
  it('refuses a restricted account first, and lets an account in good standing start', () => {
    const until = new Date(Date.now() + 3600_000);
    expect(() => assertMayStartConversations({ restricted: true, restricted_until: until, dm_access_revoked: true })).toThrow(
      expect.objectContaining({ message: expect.stringContaining(until.toISOString()) }),
    );
    expect(() => assertMayStartConversations({ restricted: false, restricted_until: null, dm_access_revoked: false })).not.toThrow();
  });
});
