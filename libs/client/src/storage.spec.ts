import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from './node';
import { LocalStorageStorage, MemoryStorage } from './storage';
import {
  AccountSuspendedError,
  AuthError,
  CursorExpiredError,
  NotFoundError,
  RateLimitedError,
  RuleError,
  ServerError,
  ValidationError,
  apiError,
  isTransient,
  NetworkError,
} from './errors';
import { tokenExpiry } from './session';
import { newClientId } from './ids';

describe('client storages keep JSON values by key', () => {
  it('memory and Web Storage (under a prefix) round-trip values and forget deleted keys', async () => {
    const map = new Map<string, string>();
    const web = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    for (const s of [new MemoryStorage(), new LocalStorageStorage('bc:', web)]) {
      await s.set('cursor', '41');
      await s.set('outbox', [{ clientId: 'a', text: 'hi' }]);
      expect(await s.get('cursor')).toBe('41');
      expect(await s.get('outbox')).toEqual([{ clientId: 'a', text: 'hi' }]);
      await s.delete('cursor');
      expect(await s.get('cursor')).toBeUndefined();
    }
    expect([...map.keys()]).toEqual(['bc:outbox']);
  });

  it('a file storage survives a new instance (a restart) and writes whole files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bc-storage-'));
    try {
      const path = join(dir, 'client.json');
      const a = new FileStorage(path);
      await Promise.all([a.set('cursor', '7'), a.set('outbox', [1, 2, 3]), a.set('cursor', '8')]);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ cursor: '8', outbox: [1, 2, 3] });
      const b = new FileStorage(path);
      expect(await b.get('cursor')).toBe('8');
      expect(await new FileStorage(join(dir, 'missing.json')).get('x')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errors are classes by the contract code', () => {
  it.each([
    [401, { code: 'unauthorized' }, AuthError],
    [401, { code: 'account_suspended' }, AccountSuspendedError],
    [404, { code: 'not_found' }, NotFoundError],
    [400, { code: 'invalid_request', details: [] }, ValidationError],
    [403, { code: 'request_pending_limit' }, RuleError],
    [422, { code: 'group_too_large' }, RuleError],
    [410, { code: 'cursor_expired' }, CursorExpiredError],
    [429, { code: 'rate_limited' }, RateLimitedError],
    [503, { code: 'database_unavailable' }, ServerError],
  ])('%i %j → %p', (status, body, cls) => {
    const err = apiError(status, { message: 'm', ...body });
    expect(err).toBeInstanceOf(cls);
    expect(err).toMatchObject({ status, code: body.code, message: 'm' });
  });

  it('an ack error (no status) is classed by its code, with Retry-After kept; only no-answer, 5xx and 429 are retried', () => {
    const limited = apiError(0, { code: 'rate_limited', message: 'slow down', retryAfterSeconds: 3 });
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(3);
    expect(isTransient(limited)).toBe(true);
    expect(isTransient(new NetworkError(new Error('ECONNREFUSED')))).toBe(true);
    expect(isTransient(apiError(503, { code: 'redis_unavailable' }))).toBe(true);
    expect(isTransient(apiError(403, { code: 'blocked' }))).toBe(false);
  });
});

it('tokenExpiry reads a JWT exp; newClientId makes v4 UUIDs', () => {
  const payload = Buffer.from(JSON.stringify({ sub: 'u', exp: 1_900_000_000 })).toString('base64url');
  expect(tokenExpiry(`h.${payload}.s`)).toBe(1_900_000_000);
  expect(tokenExpiry('not a token')).toBeNull();
  const ids = new Set(Array.from({ length: 100 }, newClientId));
  expect(ids.size).toBe(100);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
