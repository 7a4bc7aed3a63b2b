import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff } from '../support/factories';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectRefusal, connectSocket } from '../support/socket';
import { until } from '../support/wait';

/**
 * Host-issued user tokens (issue #21): with AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE,
 * /v1 and the socket accept JWTs signed by the host's identity provider. The JWKS is
 * served by this test on 127.0.0.1; keys rotate by changing what it serves.
 */
const ISSUER = 'https://id.host.example';
const AUDIENCE = 'backchannel';
const PLATFORM_KEY = 'jwt-test-key-0123456789abcdef';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}
async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let jwksServer: Server;
let served: JWK[] = [];
let jwksFetches = 0;
/** While set, the JWKS endpoint answers this status instead. */
let jwksDown: number | null = null;
let t: TestApp;
let db: Db;
let rsa: SigningKey;
let ec: SigningKey;

beforeAll(async () => {
  [rsa, ec] = await Promise.all([signingKey('k1', 'RS256'), signingKey('k2', 'ES256')]);
  served = [rsa.jwk, ec.jwk];
  jwksServer = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return res.writeHead(404).end();
    jwksFetches++;
    if (jwksDown) return res.writeHead(jwksDown).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as AddressInfo;
  t = await startTestApp({
    label: 'host_tokens',
    env: {
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_COOLDOWN_SECONDS: '1',
      REGISTRATION: 'off',
      PLATFORM_API_KEYS: `host:${PLATFORM_KEY}`,
    },
  });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

let n = 0;
const sub = (base = 'acct') => `${base}-${Date.now().toString(36)}-${++n}`;

function hostToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  opts: { iss?: string; aud?: string; exp?: number; iat?: number; kid?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt(opts.iat ?? now)
    .setExpirationTime(opts.exp ?? now + 300)
    .sign(key.privateKey);
}
const me = (token: string) =>
  request(t.url)
    .get('/v1/me')
    .set({ Authorization: `Bearer ${token}` });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('host-issued JWTs on /v1 and the socket', () => {
  it('a valid RS256 token of an unknown sub provisions the user from preferred_username (sanitised) and name; the same sub is the same user', async () => {
    const s = sub();
    const token = await hostToken(rsa, { sub: s, preferred_username: 'Zoë.Martin-Lopez!', name: 'Zoë Martin' });
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ handle: 'zoe_martin_lopez', displayName: 'Zoë Martin', status: 'active' }));
    const [row] = await db.query('SELECT id, external_id, password_hash FROM app_user WHERE external_id = $1', [s]);
    expect(row).toEqual({ id: res.body.id, external_id: s, password_hash: null });
    const again = await me(await hostToken(rsa, { sub: s, preferred_username: 'someone_else', name: 'Other' }));
    expect(again.body.id).toBe(res.body.id);
    // The platform API sees that user under the same externalId.
    const tokens = await request(t.url)
      .post(`/platform/v1/users/${s}/tokens`)
      .set({ Authorization: `Bearer ${PLATFORM_KEY}` });
    expect(tokens.status).toBe(200);
    expect((await me(tokens.body.accessToken)).body.id).toBe(res.body.id);
  });

  it('a sub whose account was deleted provisions a new account on the next token, also on the process that had it in memory', async () => {
    const s = sub();
    const first = await me(await hostToken(rsa, { sub: s, preferred_username: 'gone_soon', name: 'Gone Soon' }));
    expect(first.status).toBe(200);
    await request(t.url)
      .delete(`/platform/v1/users/${s}`)
      .set({ Authorization: `Bearer ${PLATFORM_KEY}` })
      .expect(202);
    const next = await me(await hostToken(rsa, { sub: s, preferred_username: 'back_again', name: 'Back Again' }));
    expect(next.status).toBe(200);
    expect(next.body.id).not.toBe(first.body.id);
    expect(next.body).toEqual(expect.objectContaining({ handle: 'back_again', status: 'active' }));
    // and that new account is the one the platform API knows under the externalId
    const tokens = await request(t.url)
      .post(`/platform/v1/users/${s}/tokens`)
      .set({ Authorization: `Bearer ${PLATFORM_KEY}` })
      .expect(200);
    expect((await me(tokens.body.accessToken)).body.id).toBe(next.body.id);
  });

  it(`ES256 works too; a handle collision gets a suffix; parallel first requests of one sub make one user (${RACE_ROUNDS} rounds, a fresh sub each)`, async () => {
    const first = await me(await hostToken(ec, { sub: sub(), preferred_username: 'samesame' }));
    expect([first.status, first.body.handle]).toEqual([200, 'samesame']);
    const second = await me(await hostToken(ec, { sub: sub(), preferred_username: 'samesame', name: 'Same 2' }));
    expect(second.status).toBe(200);
    expect(second.body.handle).toMatch(/^samesame_\d+$/);
    expect(second.body.id).not.toBe(first.body.id);
    await raceRounds(RACE_ROUNDS, async (round) => {
      const s = sub('par');
      const token = await hostToken(round % 2 ? rsa : ec, { sub: s, preferred_username: 'parallel_person' });
      const results = await Promise.all(Array.from({ length: 6 }, () => me(token)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await db.query('SELECT id FROM app_user WHERE external_id = $1', [s])).toHaveLength(1);
    });
  });

  it('the socket accepts a host token, and refuses a bad one', async () => {
    const token = await hostToken(rsa, { sub: sub(), preferred_username: 'socket_user' });
    const socket = await connectSocket(t.url, token);
    socket.close();
    const refused = await connectRefusal(t.url, await hostToken(rsa, { sub: sub() }, { aud: 'someone-else' }));
    expect(refused.data?.code).toBe('unauthorized');
  });

  it('refused (401): expired beyond the 30 s skew, wrong issuer, wrong audience, alg none, HS256 with the public key as secret, unknown kid, no sub', async () => {
    const now = Math.floor(Date.now() / 1000);
    const s = sub('bad');
    const publicPem = await exportSPKI(rsa.publicKey);
    const cases: Record<string, string> = {
      expired: await hostToken(rsa, { sub: s }, { exp: now - 120, iat: now - 600 }),
      wrongIssuer: await hostToken(rsa, { sub: s }, { iss: 'https://evil.example' }),
      wrongAudience: await hostToken(rsa, { sub: s }, { aud: 'other-app' }),
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: s, iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.`,
      algNoneWithKid: `${b64({ alg: 'none', kid: rsa.kid })}.${b64({ sub: s, iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.`,
      hs256PublicKey: await new SignJWT({ sub: s })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(publicPem)),
      hs256Jwk: await new SignJWT({ sub: s })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(JSON.stringify(rsa.jwk))),
      unknownKid: await hostToken(rsa, { sub: s }, { kid: 'nope' }),
      noSub: await hostToken(rsa, {}),
      noExp: await new SignJWT({ sub: s })
        .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(rsa.privateKey),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await me(token);
      expect([name, res.status, res.body.code]).toEqual([name, 401, 'unauthorized']);
    }
    expect(await db.query('SELECT id FROM app_user WHERE external_id = $1', [s])).toEqual([]);
    // Within the bounded skew: expired 10 s ago is still accepted.
    const skewed = await me(await hostToken(rsa, { sub: sub('skew') }, { exp: now - 10, iat: now - 300 }));
    expect(skewed.status).toBe(200);
  });

  it('a rotated key: a token with a new kid is accepted once the JWKS serves it (refetched on the kid miss); the retired key stops working', async () => {
    const rotated = await signingKey('k3', 'RS256');
    const token = await hostToken(rotated, { sub: sub('rot'), preferred_username: 'rotated_user' });
    const before = jwksFetches;
    served = [rotated.jwk];
    const res = await until('the rotated key to be picked up', async () => {
      const r = await me(token);
      return r.status === 200 ? r : null;
    });
    expect(res.body.handle).toBe('rotated_user');
    expect(jwksFetches).toBeGreaterThan(before);
    // k1 is gone from the JWKS: once refetched (cache refreshed on a miss), k1 tokens fail.
    const old = await hostToken(rsa, { sub: sub('old') });
    await until('the retired key to be refused', async () => {
      // A kid miss (k9) forces a refetch after the cooldown, dropping k1 from the cache.
      await me(await hostToken(rotated, { sub: sub('x') }, { kid: 'k9' }));
      return (await me(old)).status === 401;
    });
    // Back as it was for the next tests: k1 is picked up again after the cooldown.
    served = [rsa.jwk, ec.jwk, rotated.jwk];
    await until('k1 to be served again', async () => (await me(await hostToken(rsa, { sub: sub('back') }))).status === 200);
  });

  it('the JWKS unreachable on a kid miss: 503 service_unavailable (not the token’s fault); known keys keep working from the cache', async () => {
    const fresh = await signingKey('k-new', 'ES256');
    const token = await hostToken(fresh, { sub: sub('down') });
    jwksDown = 500;
    try {
      const res = await until('the refetch to fail', async () => {
        const r = await me(token);
        return r.status === 503 ? r : null;
      });
      expectErrorShape(res.body, 503, 'service_unavailable');
      expect((await me(await hostToken(rsa, { sub: sub('cached') }))).status).toBe(200);
    } finally {
      jwksDown = null;
    }
  });

  it('a suspended host user is refused as usual (401 account_suspended), on /v1 and the socket', async () => {
    const token = await hostToken(rsa, { sub: sub('susp'), preferred_username: 'to_suspend' });
    const { body } = await me(token).expect(200);
    const staff = await loginStaff(t.url);
    await request(t.url).post(`/admin/v1/users/${body.id}/actions`).set(staff.auth).send({ action: 'suspend', note: 'test' }).expect(200);
    const res = await me(token);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 401, 'account_suspended');
    expect((await connectRefusal(t.url, token)).data?.code).toBe('account_suspended');
  });

  it('our own tokens keep working alongside host tokens', async () => {
    const put = await request(t.url)
      .put('/platform/v1/users/native-ish')
      .set({ Authorization: `Bearer ${PLATFORM_KEY}` })
      .send({ handle: 'native_ish', displayName: 'N' });
    expect(put.status).toBe(201);
    const tokens = await request(t.url)
      .post('/platform/v1/users/native-ish/tokens')
      .set({ Authorization: `Bearer ${PLATFORM_KEY}` });
    expect((await me(tokens.body.accessToken)).status).toBe(200);
    const socket = await connectSocket(t.url, tokens.body.accessToken);
    socket.close();
  });
});

describe('REGISTRATION=off', () => {
  it('POST /v1/auth/register answers 403 registration_closed', async () => {
    const res = await request(t.url)
      .post('/v1/auth/register')
      .send({ handle: 'would_register', displayName: 'W', password: 'correct horse battery' });
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 403, 'registration_closed');
    expect(await db.query(`SELECT id FROM app_user WHERE handle = 'would_register'`)).toEqual([]);
  });
});
