import { createHmac } from 'node:crypto';
import { loadConfig, ConfigError } from '../config';
import { PermanentDeliveryError, PlatformWebhooks, signWebhook } from './platform-webhook';

const body = {
  id: '0190a4b2-0000-7000-8000-000000000001',
  type: 'enforcement.applied' as const,
  createdAt: new Date(0).toISOString(),
  user: { id: '0190a4b2-0000-7000-8000-000000000002', externalId: 'x' },
  action: { id: '0190a4b2-0000-7000-8000-000000000003', action: 'ban', reason: null, expiresAt: null },
  standing: { status: 'banned', suspendedUntil: null, restrictedUntil: null },
};
const hooks = (url: string, allowPrivate = false) =>
  new PlatformWebhooks(
    loadConfig({
      PLATFORM_WEBHOOK_URL: url,
      PLATFORM_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
      PLATFORM_WEBHOOK_ALLOW_PRIVATE: String(allowPrivate),
    }),
  );

describe('platform webhook delivery', () => {
  it.each([
    'http://127.0.0.1:9/hook',
    'http://localhost:9/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:9/hook',
    'http://10.0.0.8/hook',
    'http://[::ffff:127.0.0.1]:9/hook',
  ])('refuses %s for good (no retry) unless private addresses are allowed', async (url) => {
    await expect(hooks(url).deliver(body)).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(hooks(url).deliver(body)).rejects.toThrow(/ssrf_refused/);
  });

  it('signs "<t>.<body>" with HMAC-SHA256 as t=…,v1=…', () => {
    expect(signWebhook('secret', '{"a":1}', 1700000000)).toBe(
      't=1700000000,v1=' + createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex'),
    );
  });
});

describe('platform settings', () => {
  it('PLATFORM_API_KEYS: name:key or bare keys (named key1, key2 by position); short, repeated or unnamed-colon keys refused', () => {
    expect(loadConfig({ PLATFORM_API_KEYS: 'app:0123456789abcdef0123, fedcba9876543210fedc' }).platformApiKeys).toEqual([
      { name: 'app', key: '0123456789abcdef0123' },
      { name: 'key2', key: 'fedcba9876543210fedc' },
    ]);
    expect(loadConfig({}).platformApiKeys).toEqual([]);
    for (const bad of [
      'short',
      'a:short',
      'a:0123456789abcdef0123,a:fedcba9876543210fedc',
      '0123456789abcdef0123,0123456789abcdef0123',
      'bad name:0123456789abcdef0123',
    ]) {
      expect(() => loadConfig({ PLATFORM_API_KEYS: bad })).toThrow(ConfigError);
    }
  });

  it('AUTH_* come together; REGISTRATION is on or off; a webhook URL needs a secret', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://id.example/jwks.json' })).toThrow(/AUTH_ISSUER, AUTH_AUDIENCE: required/);
    expect(loadConfig({ AUTH_JWKS_URL: 'https://id.example/jwks.json', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }).hostAuth).toEqual({
      jwksUrl: 'https://id.example/jwks.json',
      issuer: 'i',
      audience: 'a',
      jwksCooldownSeconds: 30,
    });
    expect(loadConfig({ REGISTRATION: 'off' }).registrationOpen).toBe(false);
    expect(loadConfig({}).registrationOpen).toBe(true);
    expect(() => loadConfig({ REGISTRATION: 'closed' })).toThrow(ConfigError);
    expect(() => loadConfig({ PLATFORM_WEBHOOK_URL: 'https://host.example/hook' })).toThrow(/PLATFORM_WEBHOOK_SECRET/);
    expect(() =>
      loadConfig({ PLATFORM_WEBHOOK_URL: 'ftp://host.example/hook', PLATFORM_WEBHOOK_SECRET: 'whsec-0123456789abcdef' }),
    ).toThrow(ConfigError);
  });
});
