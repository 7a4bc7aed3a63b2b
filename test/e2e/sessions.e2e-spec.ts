import * as jwt from 'jsonwebtoken';
import type Redis from 'ioredis';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { REDIS } from '@app/messaging/redis';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { connectRefusal, connectSocket, disconnected, emitAck, Inbox } from '../support/socket';

// Two API processes on one database and one Redis; a small socket cap so the cap is testable.
const ENV = { MAX_SOCKETS_PER_USER: '3' };

let a: TestApp;
let b: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  a = await startTestApp({ label: 'sessions', env: ENV });
  b = await startTestApp({ db: a.db, redisPrefix: a.config.redisPrefix, env: { ...ENV, APP_ROLES: 'api' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await b?.close();
  await a?.close();
});

async function open(app: TestApp, token: string): Promise<{ socket: Socket; inbox: Inbox }> {
  const socket = await connectSocket(app.url, token);
  sockets.push(socket);
  return { socket, inbox: new Inbox(socket) };
}

async function login(app: TestApp, user: TestUser) {
  const res = await request(app.url).post('/v1/auth/login').send({ handle: user.handle, password: 'correct horse battery' });
  expect(res.status).toBe(200);
  return res.body as { accessToken: string; refreshToken: string };
}

/** a and b in a direct conversation where both are active (b follows a, so no request). */
async function activePair() {
  const x = await registerUser(a.url);
  const y = await registerUser(a.url);
  expect((await a.http().put(`/v1/users/${x.id}/follow`).set(y.auth)).status).toBe(204);
  const res = await a
    .http()
    .post('/v1/conversations')
    .set(x.auth)
    .send({ participantIds: [y.id] });
  expect(res.status).toBe(201);
  return { x, y, conversationId: res.body.id as string };
}

/** Polls `probe` until it returns true or the deadline passes; resolves with the time it took. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('POST /v1/auth/logout', () => {
  it('answers 204, kills the refresh family, drops every socket of that family on both processes within a second, and refuses its access tokens with 401 session_revoked on both processes', async () => {
    const u = await registerUser(a.url);
    const other = await login(a, u); // a second sign-in: another family, untouched by the logout
    const onA = await open(a, u.token);
    const onB = await open(b, u.token);
    const otherSocket = await open(b, other.accessToken);
    expect((await request(b.url).get('/v1/me').set(u.auth)).status).toBe(200); // b has just let this token in

    const drops = Promise.all([disconnected(onA.socket, 1000), disconnected(onB.socket, 1000)]);
    const started = Date.now();
    const out = await request(a.url).post('/v1/auth/logout').send({ refreshToken: u.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expect(await drops).toEqual(['io server disconnect', 'io server disconnect']);
    expect(Date.now() - started).toBeLessThan(1000);

    for (const app of [a, b]) {
      await within(1000, async () => (await request(app.url).get('/v1/me').set(u.auth)).status === 401);
      const me = await request(app.url).get('/v1/me').set(u.auth);
      expectErrorShape(me.body, 401, 'session_revoked');
    }
    const refresh = await request(a.url).post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expectErrorShape(refresh.body, 401, 'invalid_refresh_token');
    expect((await connectRefusal(b.url, u.token)).data?.code).toBe('session_revoked');

    // The other sign-in of the same user keeps working: its socket, REST and refresh.
    expect(otherSocket.socket.connected).toBe(true);
    expect((await request(b.url).get('/v1/me').set('Authorization', `Bearer ${other.accessToken}`)).status).toBe(200);
    expect((await request(a.url).post('/v1/auth/refresh').send({ refreshToken: other.refreshToken })).status).toBe(200);
  });

  it('revokes the family of a rotated (already used) refresh token too, and access tokens issued by any rotation of it', async () => {
    const u = await registerUser(a.url);
    const r1 = await request(a.url).post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expect(r1.status).toBe(200);
    const s = await open(a, r1.body.accessToken);
    const drop = disconnected(s.socket, 1000);
    expect((await request(a.url).post('/v1/auth/logout').send({ refreshToken: r1.body.refreshToken })).status).toBe(204);
    expect(await drop).toBe('io server disconnect');
    expect((await request(a.url).get('/v1/me').set('Authorization', `Bearer ${r1.body.accessToken}`)).body.code).toBe('session_revoked');
    expect((await request(a.url).get('/v1/me').set(u.auth)).body.code).toBe('session_revoked');
  });

  it('answers 204 to an unknown or garbage refresh token (idempotent, reveals nothing), and 400 invalid_request without one', async () => {
    expect((await request(a.url).post('/v1/auth/logout').send({ refreshToken: 'garbage' })).status).toBe(204);
    const u = await registerUser(a.url);
    expect((await request(a.url).post('/v1/auth/logout').send({ refreshToken: u.refreshToken })).status).toBe(204);
    await expectContract(await request(a.url).post('/v1/auth/logout').send({ refreshToken: u.refreshToken }), 'POST /v1/auth/logout', 204);
    const missing = await request(a.url).post('/v1/auth/logout').send({});
    expectErrorShape(missing.body, 400, 'invalid_request');
    await expectError(missing, 'POST /v1/auth/logout', 400, 'invalid_request');
  });
});

describe('refresh-token reuse', () => {
  it('reusing a rotated refresh token drops every socket of its family on both processes within a second', async () => {
    const u = await registerUser(a.url);
    const r1 = await request(a.url).post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expect(r1.status).toBe(200);
    const onA = await open(a, u.token);
    const onB = await open(b, r1.body.accessToken);
    const drops = Promise.all([disconnected(onA.socket, 1000), disconnected(onB.socket, 1000)]);
    const reuse = await request(b.url).post('/v1/auth/refresh').send({ refreshToken: u.refreshToken });
    expectErrorShape(reuse.body, 401, 'refresh_token_reused');
    expect(await drops).toEqual(['io server disconnect', 'io server disconnect']);
    expect((await request(a.url).get('/v1/me').set('Authorization', `Bearer ${r1.body.accessToken}`)).body.code).toBe('session_revoked');
  });
});

describe('token expiry', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ label: 'sessions_ttl', env: { ACCESS_TOKEN_TTL_SECONDS: '5' } });
  });
  afterAll(async () => {
    await short?.close();
  });

  it('a socket is disconnected when the access token it connected with expires, and that token is refused on reconnect', async () => {
    const u = await registerUser(short.url);
    const exp = (jwt.decode(u.token) as jwt.JwtPayload).exp! * 1000;
    const s = await open(short, u.token);
    expect(await disconnected(s.socket, exp - Date.now() + 1500)).toBe('io server disconnect');
    expect(Date.now()).toBeGreaterThanOrEqual(exp - 50);
    expect((await connectRefusal(short.url, u.token)).data?.code).toBe('unauthorized');
  });
});

describe('typing', () => {
  it('typing from an account suspended behind the gateway (broadcast missed) is refused with account_suspended and the socket dropped; nobody hears it', async () => {
    const { x, y, conversationId } = await activePair();
    const sx = await open(a, x.token);
    const sy = await open(a, y.token);
    expect(await emitAck(sx.socket, 'typing', { conversationId })).toEqual({ relayed: true });
    await sy.inbox.waitFor('typing');
    // The row changes and the shared cache entry goes, but no account-changed message is sent.
    await a.app.get(Db).query(`UPDATE app_user SET status = 'suspended' WHERE id = $1`, [x.id]);
    await a.app.get<Redis>(REDIS).del(`acct:${x.id}`);
    const drop = disconnected(sx.socket, 5000);
    let ack: any = {};
    await within(4000, async () => {
      ack = await emitAck(sx.socket, 'typing', { conversationId });
      return 'error' in ack;
    });
    expect(ack.error.code).toBe('account_suspended');
    expect(await drop).toBe('io server disconnect');
    expect(sy.inbox.of('typing')).toHaveLength(1);
  });

  it('the typing throttle is per user: two sockets of one user typing in one conversation are relayed once per window', async () => {
    const { x, y, conversationId } = await activePair();
    const phone = await open(a, x.token);
    const laptop = await open(a, (await login(a, x)).accessToken);
    const sy = await open(a, y.token);
    expect(await emitAck(phone.socket, 'typing', { conversationId })).toEqual({ relayed: true });
    expect(await emitAck(laptop.socket, 'typing', { conversationId })).toEqual({ relayed: false });
    await sy.inbox.waitFor('typing');
    // A round trip on y's socket after both acks: any second relay would have arrived by now.
    await emitAck(sy.socket, 'typing', { conversationId });
    expect(sy.inbox.of('typing')).toEqual([{ conversationId, userId: x.id }]);
  });
});

describe('sockets per user', () => {
  it('MAX_SOCKETS_PER_USER holds across processes: the oldest socket is disconnected when a new one goes over the cap, and only that one', async () => {
    const u = await registerUser(a.url);
    const first = await open(a, u.token);
    const second = await open(b, u.token);
    const third = await open(a, u.token);
    const drop = disconnected(first.socket, 2000);
    const fourth = await open(b, u.token);
    expect(await drop).toBe('io server disconnect');
    // The three newest are alive: each answers a round trip.
    for (const s of [second, third, fourth]) {
      expect((await emitAck(s.socket, 'typing', { conversationId: 'not-a-uuid' })).error.code).toBe('not_found');
      expect(s.socket.connected).toBe(true);
    }
    // Closing one frees a place: a new socket evicts nobody.
    const gone = disconnected(second.socket, 2000);
    second.socket.close();
    await gone;
    await within(1000, async () => (await a.app.get<Redis>(REDIS).zcard(`sockets:${u.id}`)) === 2);
    const fifth = await open(a, u.token);
    await emitAck(fifth.socket, 'typing', { conversationId: 'not-a-uuid' });
    expect([third, fourth, fifth].map((s) => s.socket.connected)).toEqual([true, true, true]);
  });
});
