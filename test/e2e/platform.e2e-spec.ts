import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectRefusal, connectSocket } from '../support/socket';

/**
 * Platform API (issue #21, API.md "Platform API"): the host app's backend upserts users,
 * mints their tokens and pushes its rooms' state, with a key from PLATFORM_API_KEYS.
 */
const MAIN_KEY = 'main-key-0123456789abcdef';
const BARE_KEY = 'bare-key-0123456789abcdef';
const BURST_KEY = 'burst-key-0123456789abcdef';
/** The race tests' keys: each key has its own budget, and 20 rounds of bursts would spend the main key's. */
const RACE_USERS_KEY = 'race-users-key-0123456789abcdef';
const RACE_ROOMS_KEY = 'race-rooms-key-0123456789abcdef';
const PLATFORM_LIMIT = 250;
const AUTH_FAILURES = 30;

let t: TestApp;
let off: TestApp;
let db: Db;
let staff: { auth: { Authorization: string } };
beforeAll(async () => {
  [t, off] = await Promise.all([
    startTestApp({
      label: 'platform',
      env: {
        PLATFORM_API_KEYS: `main:${MAIN_KEY}, ${BARE_KEY},burst:${BURST_KEY},raceusers:${RACE_USERS_KEY},racerooms:${RACE_ROOMS_KEY}`,
        LIMIT_PLATFORM: `${PLATFORM_LIMIT}/600`,
        LIMIT_PLATFORM_AUTH_FAILURES: `${AUTH_FAILURES}/600`,
      },
    }),
    startTestApp({ label: 'platform_off', env: { APP_ROLES: 'api' } }),
  ]);
  db = t.app.get(Db);
  staff = await loginStaff(t.url);
});
afterAll(async () => {
  await Promise.all([t?.close(), off?.close()]);
});

const key = (k = MAIN_KEY) => ({ Authorization: `Bearer ${k}` });
let n = 0;
const ext = (base = 'u') => `${base}-${Date.now().toString(36)}-${++n}|host`;
const putUser = (externalId: string, body: Record<string, unknown>, k = MAIN_KEY) =>
  request(t.url)
    .put(`/platform/v1/users/${encodeURIComponent(externalId)}`)
    .set(key(k))
    .send(body);
const mintTokens = (externalId: string, k = MAIN_KEY) =>
  request(t.url)
    .post(`/platform/v1/users/${encodeURIComponent(externalId)}/tokens`)
    .set(key(k));
const putRoom = (externalId: string, body: Record<string, unknown>, k = MAIN_KEY) =>
  request(t.url)
    .put(`/platform/v1/rooms/${encodeURIComponent(externalId)}`)
    .set(key(k))
    .send(body);

/** An upserted user with a minted session. */
async function hostUser(base = 'p') {
  const externalId = ext(base);
  const handle = uniqueHandle(base);
  const put = await putUser(externalId, { handle, displayName: `${base} person` });
  expect(put.status).toBe(201);
  const tokens = await mintTokens(externalId);
  expect(tokens.status).toBe(200);
  return {
    externalId,
    id: put.body.id as string,
    handle,
    auth: { Authorization: `Bearer ${tokens.body.accessToken}` },
    refreshToken: tokens.body.refreshToken as string,
  };
}
type HostUser = Awaited<ReturnType<typeof hostUser>>;

const syncHead = async (u: { auth: { Authorization: string } }): Promise<string> =>
  (await request(t.url).get('/v1/sync').set(u.auth).expect(200)).body.cursor;
const eventsSince = async (u: { auth: { Authorization: string } }, cursor: string): Promise<any[]> =>
  (await request(t.url).get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events;

/** Active backchannel members and present moderators of a room, from the tables. */
async function backchannelVsModerators(roomId: string) {
  const [row] = await db.query(
    `SELECT
       (SELECT coalesce(array_agg(cm.user_id::text ORDER BY cm.user_id), '{}') FROM room r
          JOIN conversation_member cm ON cm.conversation_id = r.backchannel_id AND cm.state = 'active' WHERE r.id = $1) AS members,
       (SELECT coalesce(array_agg(m.user_id::text ORDER BY m.user_id), '{}') FROM room_member m
         WHERE m.room_id = $1 AND m.role = 'moderator' AND m.present) AS moderators`,
    [roomId],
  );
  return row as { members: string[]; moderators: string[] };
}

describe('platform keys', () => {
  it('no PLATFORM_API_KEYS: every platform route answers 404, whatever the credentials', async () => {
    const u = await registerUser(off.url);
    for (const auth of [{}, key(), u.auth]) {
      for (const res of [
        await request(off.url).put('/platform/v1/users/x1').set(auth).send({ handle: 'abc_def', displayName: 'A' }),
        await request(off.url).post('/platform/v1/users/x1/tokens').set(auth),
        await request(off.url).put('/platform/v1/rooms/r1').set(auth).send({ title: 'T', status: 'live', members: [] }),
      ]) {
        expect(res.status).toBe(404);
        expectErrorShape(res.body, 404, 'not_found');
      }
    }
  });

  it('missing or wrong key: 401 on every route; a named key and a bare key both work', async () => {
    const id = ext();
    for (const auth of [
      {},
      { Authorization: 'Bearer nope-not-a-key-at-all' },
      { Authorization: `Bearer ${MAIN_KEY}x` },
      { Authorization: MAIN_KEY },
    ]) {
      for (const res of [
        await request(t.url).put(`/platform/v1/users/${id}`).set(auth).send({ handle: uniqueHandle(), displayName: 'A' }),
        await request(t.url).post(`/platform/v1/users/${id}/tokens`).set(auth),
        await request(t.url).put(`/platform/v1/rooms/${id}`).set(auth).send({ title: 'T', status: 'live', members: [] }),
      ]) {
        expect(res.status).toBe(401);
        expectErrorShape(res.body, 401, 'unauthorized');
      }
    }
    expect((await putUser(id, { handle: uniqueHandle(), displayName: 'A' }, MAIN_KEY)).status).toBe(201);
    expect((await putUser(id, { handle: uniqueHandle(), displayName: 'B' }, BARE_KEY)).status).toBe(200);
  });

  it('user and staff tokens do not open /platform/v1 (401); a platform key opens neither /v1 nor /admin/v1 (401)', async () => {
    const u = await registerUser(t.url);
    const p = await hostUser();
    for (const auth of [u.auth, p.auth, staff.auth]) {
      const res = await request(t.url)
        .post(`/platform/v1/users/${encodeURIComponent(p.externalId)}/tokens`)
        .set(auth);
      expect([res.status, res.body.code]).toEqual([401, 'unauthorized']);
    }
    for (const path of ['/v1/me', '/v1/conversations', '/admin/v1/users', '/admin/v1/reports']) {
      const res = await request(t.url).get(path).set(key());
      expect([path, res.status, res.body.code]).toEqual([path, 401, 'unauthorized']);
    }
    expect((await connectRefusal(t.url, MAIN_KEY)).data?.code).toBe('unauthorized');
  });

  it('each key has its own rate limit: a key over budget gets 429 with Retry-After, another key still works', async () => {
    // The budget is PLATFORM_LIMIT calls: every one of them is answered, the next is refused.
    const statuses = new Map<number, number>();
    for (let i = 0; i < PLATFORM_LIMIT; i++) {
      const status = (await mintTokens('nobody-here', BURST_KEY)).status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 404: PLATFORM_LIMIT });
    const limited = await mintTokens('nobody-here', BURST_KEY);
    expectErrorShape(limited.body, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await mintTokens('nobody-here', MAIN_KEY)).status).toBe(404);
  });
});

describe('failed platform authentication is throttled per client address', () => {
  // The app trusts X-Forwarded-For from a loopback proxy, so each test address is its own client.
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  it('past the bound of wrong keys from one address, every call from it is 429 with Retry-After, even with a right key; other addresses are untouched', async () => {
    const attacker = from('203.0.113.7');
    const guesses = await Promise.all(
      Array.from({ length: AUTH_FAILURES * 2 }, (_, i) =>
        request(t.url)
          .post('/platform/v1/users/nobody/tokens')
          .set(attacker)
          .set({ Authorization: `Bearer guess-${i}-0123456789abcdef` }),
      ),
    );
    expect(guesses.filter((r) => r.status === 401).length).toBe(AUTH_FAILURES);
    const limited = guesses.filter((r) => r.status === 429);
    expect(limited.length).toBe(AUTH_FAILURES);
    for (const r of limited) {
      expectErrorShape(r.body, 429, 'rate_limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // A right guess from that address learns nothing now.
    const right = await request(t.url).post('/platform/v1/users/nobody/tokens').set(attacker).set(key(BARE_KEY));
    expectErrorShape(right.body, 429, 'rate_limited');
    // The host's own backend, elsewhere, still works.
    expect((await request(t.url).post('/platform/v1/users/nobody/tokens').set(from('198.51.100.20')).set(key(BARE_KEY))).status).toBe(404);
  });

  it('calls with a right key spend nothing of the failure budget, however many run at once', async () => {
    const host = from('198.51.100.30');
    const calls = await Promise.all(
      Array.from({ length: AUTH_FAILURES * 2 }, () => request(t.url).post('/platform/v1/users/nobody/tokens').set(host).set(key(BARE_KEY))),
    );
    expect(calls.map((r) => r.status)).toEqual(calls.map(() => 404));
    // Its failures still count from zero.
    const wrong = await request(t.url)
      .post('/platform/v1/users/nobody/tokens')
      .set(host)
      .set({ Authorization: 'Bearer not-a-key-0123456789abcdef' });
    expectErrorShape(wrong.body, 401, 'unauthorized');
  });
});

describe('PUT /platform/v1/users/:externalId', () => {
  it('creates (201), updates (200), repeats unchanged (200), and the user has no password', async () => {
    const id = ext();
    const handle = uniqueHandle('up');
    const created = await putUser(id, { handle, displayName: 'First' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), externalId: id, handle, displayName: 'First' });
    await expectContract(created, 'PUT /platform/v1/users/{externalId}', 201);
    const handle2 = uniqueHandle('up');
    const updated = await putUser(id, { handle: handle2, displayName: 'Second' });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id: created.body.id, externalId: id, handle: handle2, displayName: 'Second' });
    await expectContract(updated, 'PUT /platform/v1/users/{externalId}', 200);
    const again = await putUser(id, { handle: handle2, displayName: 'Second' });
    expect([again.status, again.body]).toEqual([200, updated.body]);
    const [row] = await db.query('SELECT password_hash, external_id FROM app_user WHERE id = $1', [created.body.id]);
    expect(row).toEqual({ password_hash: null, external_id: id });
    // No password: signing in with one never works.
    for (const password of ['', 'correct horse battery', 'null']) {
      const login = await request(t.url)
        .post('/v1/auth/login')
        .send({ handle: handle2, password: password || 'x' });
      expect([login.status, login.body.code]).toEqual([401, 'invalid_credentials']);
    }
  });

  it('handle rules (400) and a handle held by someone else (409 handle_taken); bad externalId 400', async () => {
    const taken = await registerUser(t.url);
    const res = await putUser(ext(), { handle: taken.handle, displayName: 'X' });
    expect(res.status).toBe(409);
    expectErrorShape(res.body, 409, 'handle_taken');
    await expectError(res, 'PUT /platform/v1/users/{externalId}', 409, 'handle_taken');
    for (const body of [
      { handle: 'Has Caps', displayName: 'X' },
      { handle: 'ab', displayName: 'X' },
      { handle: uniqueHandle(), displayName: '' },
      { handle: uniqueHandle() },
      {},
    ]) {
      const bad = await putUser(ext(), body);
      expect(bad.status).toBe(400);
      expectErrorShape(bad.body, 400, 'invalid_request');
    }
    const longId = 'x'.repeat(256);
    const bad = await putUser(longId, { handle: uniqueHandle(), displayName: 'X' });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    const spaced = await request(t.url).put('/platform/v1/users/a%20b').set(key()).send({ handle: uniqueHandle(), displayName: 'X' });
    expect([spaced.status, spaced.body.code]).toEqual([400, 'invalid_request']);
  });

  it(`parallel first PUTs of one externalId make exactly one user (one 201, the rest 200, same id) (${RACE_ROUNDS} rounds, a fresh externalId each)`, async () => {
    await raceRounds(RACE_ROUNDS, async () => {
      const id = ext('par');
      const handle = uniqueHandle('par');
      const results = await Promise.all(Array.from({ length: 8 }, () => putUser(id, { handle, displayName: 'Par' }, RACE_USERS_KEY)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const rows = await db.query('SELECT id FROM app_user WHERE external_id = $1', [id]);
      expect(rows).toHaveLength(1);
      const cursors = await db.query('SELECT user_id FROM user_cursor WHERE user_id = $1', [rows[0].id]);
      expect(cursors).toHaveLength(1);
    });
  });
});

describe('OpenAPI', () => {
  it('platform responses carry exactly the documented fields, and the routes name the platform-key security scheme', async () => {
    const doc = (await request(t.url).get('/docs-json').expect(200)).body;
    const fields = (name: string) => Object.keys(doc.components.schemas[name].properties).sort();
    const id = ext('doc');
    const user = await putUser(id, { handle: uniqueHandle('doc'), displayName: 'Doc' });
    expect(Object.keys(user.body).sort()).toEqual(fields('ExternalUser'));
    expect(Object.keys((await mintTokens(id)).body).sort()).toEqual(fields('ExternalTokens'));
    const room = await putRoom(ext('docroom'), { title: 'Doc', status: 'live', members: [{ userExternalId: id, role: 'host' }] });
    expect(Object.keys(room.body).sort()).toEqual(fields('ExternalRoom'));
    expect(doc.components.securitySchemes['platform-key']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const [path, method] of [
      ['/platform/v1/users/{externalId}', 'put'],
      ['/platform/v1/users/{externalId}/tokens', 'post'],
      ['/platform/v1/rooms/{externalId}', 'put'],
    ]) {
      expect(doc.paths[path][method].security).toEqual([{ 'platform-key': [] }]);
    }
  });
});

describe('staff see the externalId', () => {
  it('on the user record and history, filterable by externalId and found by q', async () => {
    const p = await hostUser('staffsee');
    const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
    const one = await request(t.url).get(`/admin/v1/users/${p.id}`).set(staff.auth).expect(200);
    expect(one.body).toEqual(expect.objectContaining({ id: p.id, handle: p.handle, externalId: p.externalId }));
    const history = await request(t.url).get(`/admin/v1/users/${p.id}/history`).set(staff.auth).expect(200);
    expect(history.body.user.externalId).toBe(p.externalId);
    const byFilter = await request(t.url)
      .get(`/admin/v1/users?filter=${q({ externalId: p.externalId })}`)
      .set(staff.auth)
      .expect(200);
    expect(byFilter.body.map((u: any) => u.id)).toEqual([p.id]);
    const bySearch = await request(t.url)
      .get(`/admin/v1/users?filter=${q({ q: p.externalId.slice(0, -5) })}`)
      .set(staff.auth)
      .expect(200);
    expect(bySearch.body.map((u: any) => u.id)).toEqual([p.id]);
    const native = await registerUser(t.url);
    expect((await request(t.url).get(`/admin/v1/users/${native.id}`).set(staff.auth)).body.externalId).toBeNull();
  });
});

describe('POST /platform/v1/users/:externalId/tokens', () => {
  it('tokens work on /v1 and the socket; refresh rotates; logout ends them', async () => {
    const p = await hostUser('tok');
    await expectContract(await mintTokens(p.externalId), 'POST /platform/v1/users/{externalId}/tokens', 200);
    const me = await request(t.url).get('/v1/me').set(p.auth);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(expect.objectContaining({ id: p.id, handle: p.handle }));
    const socket = await connectSocket(t.url, p.auth.Authorization.slice(7));
    socket.close();
    const refreshed = await request(t.url).post('/v1/auth/refresh').send({ refreshToken: p.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.id).toBe(p.id);
    await request(t.url).post('/v1/auth/logout').send({ refreshToken: refreshed.body.refreshToken }).expect(204);
    const after = await request(t.url)
      .get('/v1/me')
      .set({ Authorization: `Bearer ${refreshed.body.accessToken}` });
    expect([after.status, after.body.code]).toEqual([401, 'session_revoked']);
  });

  it('unknown externalId: 404; a suspended or banned user: 401 account_suspended with an appeal token', async () => {
    const unknown = await mintTokens(ext('nobody'));
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.body, 404, 'not_found');
    await expectError(unknown, 'POST /platform/v1/users/{externalId}/tokens', 404, 'not_found');
    for (const action of ['suspend', 'ban']) {
      const p = await hostUser(action);
      await request(t.url).post(`/admin/v1/users/${p.id}/actions`).set(staff.auth).send({ action, note: 'test' }).expect(200);
      const res = await mintTokens(p.externalId);
      expect(res.status).toBe(401);
      expectErrorShape(res.body, 401, 'account_suspended');
      expect(res.body.details.appealToken).toEqual(expect.any(String));
      // The token minted before the action stopped working too.
      expect((await request(t.url).get('/v1/me').set(p.auth)).status).toBe(401);
    }
  });
});

describe('PUT /platform/v1/rooms/:externalId', () => {
  const member = (u: HostUser, role: string) => ({ userExternalId: u.externalId, role });

  it('creates the room: the backchannel is exactly the moderators with the host, everyone listed is an attendee, /v1/rooms routes work', async () => {
    const [host, mod, speaker, listener] = await Promise.all([hostUser('host'), hostUser('mod'), hostUser('spk'), hostUser('lis')]);
    const roomExt = ext('room');
    const res = await putRoom(roomExt, {
      title: 'Morning show',
      status: 'live',
      members: [member(host, 'host'), member(mod, 'moderator'), member(speaker, 'speaker'), member(listener, 'listener')],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.any(String) });
    const roomId = res.body.id;
    const room = await request(t.url).get(`/v1/rooms/${roomId}`).set(listener.auth).expect(200);
    expect(room.body).toEqual(
      expect.objectContaining({ id: roomId, title: 'Morning show', hostId: host.id, status: 'live', myRole: 'listener' }),
    );
    const state = await backchannelVsModerators(roomId);
    expect(state.members).toEqual([host.id, mod.id].sort());
    expect(state.moderators).toEqual(state.members);
    const bc = await request(t.url).get(`/v1/rooms/${roomId}/backchannel`).set(mod.auth);
    expect(bc.status).toBe(200);
    expect((await request(t.url).get(`/v1/rooms/${roomId}/backchannel`).set(speaker.auth)).status).toBe(404);
    const attendees = await request(t.url).get(`/v1/rooms/${roomId}/attendees`).set(listener.auth).expect(200);
    expect(attendees.body.items.map((a: any) => [a.userId, a.role, a.present])).toEqual([
      [host.id, 'moderator', true],
      [mod.id, 'moderator', true],
      [speaker.id, 'speaker', true],
      [listener.id, 'listener', true],
    ]);
    // Questions work as in a native room: a listener asks, a moderator sees it and pins it.
    const q = await request(t.url).post(`/v1/rooms/${roomId}/questions`).set(listener.auth).send({ text: 'When is the next show?' });
    expect(q.status).toBe(201);
    const list = await request(t.url).get(`/v1/rooms/${roomId}/questions`).set(mod.auth).expect(200);
    expect(list.body.items.map((x: any) => x.id)).toEqual([q.body.id]);
    expect((await request(t.url).patch(`/v1/rooms/${roomId}/questions/${q.body.id}`).set(mod.auth).send({ status: 'pinned' })).status).toBe(
      200,
    );
    // Co-attendee context: a conversation started with a co-attendee carries the room.
    const conv = await request(t.url)
      .post('/v1/conversations')
      .set(listener.auth)
      .send({ participantIds: [speaker.id], roomId });
    expect(conv.status).toBe(201);
    expect(conv.body.context).toEqual({ roomId, roomTitle: 'Morning show' });
    const implicit = await request(t.url)
      .post('/v1/conversations')
      .set(speaker.auth)
      .send({ participantIds: [mod.id] });
    expect(implicit.body.context).toEqual({ roomId, roomTitle: 'Morning show' });
  });

  it('a repeated identical PUT returns the same id, changes nothing and emits nothing (no new sync events)', async () => {
    const [host, mod, listener] = await Promise.all([hostUser('h'), hostUser('m'), hostUser('l')]);
    const roomExt = ext('rep');
    const body = {
      title: 'Repeat',
      status: 'live',
      members: [member(host, 'host'), member(mod, 'moderator'), member(listener, 'listener')],
    };
    const first = await putRoom(roomExt, body);
    expect(first.status).toBe(200);
    const cursors = await Promise.all([host, mod, listener].map(syncHead));
    const [before] = await db.query(`SELECT (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM event)::int AS events`);
    for (let i = 0; i < 3; i++) {
      const again = await putRoom(roomExt, body);
      expect([again.status, again.body]).toEqual([200, first.body]);
    }
    const [after] = await db.query(`SELECT (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM event)::int AS events`);
    for (const [i, u] of [host, mod, listener].entries()) expect(await eventsSince(u, cursors[i])).toEqual([]);
    expect(after.events).toBe(before.events);
    // A change (the listener becomes a moderator) does emit: the backchannel gained someone.
    const promoted = await putRoom(roomExt, {
      ...body,
      members: [member(host, 'host'), member(mod, 'moderator'), member(listener, 'moderator')],
    });
    expect(promoted.status).toBe(200);
    const evs = await eventsSince(listener, cursors[2]);
    expect(evs.map((e) => e.type)).toEqual(['conversation.updated']);
    expect((await backchannelVsModerators(first.body.id)).members).toEqual([host.id, mod.id, listener.id].sort());
  });

  it('members no longer listed have left (still attendees); demoted moderators leave the backchannel; the title follows', async () => {
    const [host, mod, listener] = await Promise.all([hostUser('h'), hostUser('m'), hostUser('l')]);
    const roomExt = ext('chg');
    const { body } = await putRoom(roomExt, {
      title: 'One',
      status: 'live',
      members: [member(host, 'host'), member(mod, 'moderator'), member(listener, 'listener')],
    });
    const modCursor = await syncHead(mod);
    const res = await putRoom(roomExt, { title: 'Two', status: 'live', members: [member(host, 'host'), member(mod, 'listener')] });
    expect(res.status).toBe(200);
    expect(await backchannelVsModerators(body.id)).toEqual({ members: [host.id], moderators: [host.id] });
    const attendees = await request(t.url).get(`/v1/rooms/${body.id}/attendees`).set(host.auth).expect(200);
    expect(attendees.body.items.map((a: any) => [a.userId, a.role, a.present])).toEqual([
      [host.id, 'moderator', true],
      [mod.id, 'listener', true],
      [listener.id, 'listener', false],
    ]);
    expect((await request(t.url).get(`/v1/rooms/${body.id}`).set(host.auth)).body.title).toBe('Two');
    const bc = await request(t.url).get(`/v1/rooms/${body.id}/backchannel`).set(host.auth).expect(200);
    expect(bc.body.context).toEqual({ roomId: body.id, roomTitle: 'Two' });
    expect((await eventsSince(mod, modCursor)).map((e) => e.type)).toEqual(['conversation.updated']);
  });

  it(`parallel PUTs with different member sets end consistent: the backchannel is the moderators of one applied state (${RACE_ROUNDS} rounds, a fresh room each)`, async () => {
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => hostUser(`pp${i}`)));
    const [host, ...rest] = people;
    await raceRounds(RACE_ROUNDS, async () => {
      const roomExt = ext('par');
      const first = await putRoom(roomExt, { title: 'Race', status: 'live', members: [member(host, 'host')] }, RACE_ROOMS_KEY);
      expect(first.status).toBe(200);
      await expectContract(first, 'PUT /platform/v1/rooms/{externalId}', 200);
      const states = Array.from({ length: 8 }, (_, i) => [
        member(host, 'host'),
        ...rest.map((u, j) => member(u, (i + j) % 3 === 0 ? 'moderator' : (i + j) % 3 === 1 ? 'speaker' : 'listener')),
      ]);
      const results = await Promise.all(
        states.map((members) => putRoom(roomExt, { title: 'Race', status: 'live', members }, RACE_ROOMS_KEY)),
      );
      expect(results.map((r) => r.status)).toEqual(states.map(() => 200));
      const roomId = results[0].body.id;
      const { members, moderators } = await backchannelVsModerators(roomId);
      expect(members).toEqual(moderators);
      const candidates = states.map((s) =>
        s
          .filter((m) => m.role === 'host' || m.role === 'moderator')
          .map((m) => people.find((p) => p.externalId === m.userExternalId)!.id)
          .sort(),
      );
      expect(candidates).toContainEqual(members);
      // And the stored roles are exactly that one state's.
      const roles = await db.query('SELECT user_id::text, role FROM room_member WHERE room_id = $1 ORDER BY user_id', [roomId]);
      const winner = states[candidates.findIndex((c) => JSON.stringify(c) === JSON.stringify(members))];
      const expected = winner.map((m) => ({
        user_id: people.find((p) => p.externalId === m.userExternalId)!.id,
        role: m.role === 'host' ? 'moderator' : m.role,
      }));
      expect(roles).toEqual(expected.sort((a, b) => a.user_id.localeCompare(b.user_id)));
    });
  });

  it(`native role changes racing platform PUTs share the room lock: the backchannel is always exactly the present moderators (${RACE_ROUNDS} rounds, a fresh room each)`, async () => {
    const [host, a, b, c] = await Promise.all([hostUser('h'), hostUser('a'), hostUser('b'), hostUser('c')]);
    const base = [member(host, 'host'), member(a, 'listener'), member(b, 'listener'), member(c, 'listener')];
    await raceRounds(RACE_ROUNDS, async () => {
      const roomExt = ext('mix');
      const { body } = await putRoom(roomExt, { title: 'Mixed', status: 'live', members: base }, BARE_KEY);
      const results = await Promise.all([
        request(t.url).put(`/v1/rooms/${body.id}/members/${a.id}/role`).set(host.auth).send({ role: 'moderator' }),
        putRoom(
          roomExt,
          {
            title: 'Mixed',
            status: 'live',
            members: [member(host, 'host'), member(a, 'listener'), member(b, 'moderator'), member(c, 'listener')],
          },
          BARE_KEY,
        ),
        request(t.url).put(`/v1/rooms/${body.id}/members/${c.id}/role`).set(host.auth).send({ role: 'moderator' }),
        putRoom(
          roomExt,
          {
            title: 'Mixed',
            status: 'live',
            members: [member(host, 'host'), member(a, 'speaker'), member(b, 'listener'), member(c, 'moderator')],
          },
          BARE_KEY,
        ),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const { members, moderators } = await backchannelVsModerators(body.id);
      expect(members).toEqual(moderators);
      expect(members).toContain(host.id);
    });
  });

  it('an ended room ends: questions close, it does not go live again (422 room_ended), repeating ended is fine', async () => {
    const [host, listener] = await Promise.all([hostUser('h'), hostUser('l')]);
    const roomExt = ext('end');
    const members = [member(host, 'host'), member(listener, 'listener')];
    const { body } = await putRoom(roomExt, { title: 'Ends', status: 'live', members });
    const ended = await putRoom(roomExt, { title: 'Ends', status: 'ended', members });
    expect([ended.status, ended.body]).toEqual([200, body]);
    const room = await request(t.url).get(`/v1/rooms/${body.id}`).set(host.auth).expect(200);
    expect(room.body).toEqual(expect.objectContaining({ status: 'ended', endedAt: expect.any(String) }));
    const ask = await request(t.url).post(`/v1/rooms/${body.id}/questions`).set(listener.auth).send({ text: 'still there?' });
    expect([ask.status, ask.body.code]).toEqual([422, 'room_ended']);
    expect((await putRoom(roomExt, { title: 'Ends', status: 'ended', members })).status).toBe(200);
    const live = await putRoom(roomExt, { title: 'Ends', status: 'live', members });
    expect(live.status).toBe(422);
    expectErrorShape(live.body, 422, 'room_ended');
    await expectError(live, 'PUT /platform/v1/rooms/{externalId}', 422, 'room_ended');
    // A room first seen as ended is created ended.
    const late = await putRoom(ext('late'), { title: 'Late', status: 'ended', members });
    expect(late.status).toBe(200);
    expect((await request(t.url).get(`/v1/rooms/${late.body.id}`).set(listener.auth).expect(200)).body.status).toBe('ended');
  });

  it('a room organized in advance (v1.2): scheduled with its lineup, then live, then ended; it never goes back (409 / 422)', async () => {
    const [host, mod, listener] = await Promise.all([hostUser('sh'), hostUser('sm'), hostUser('sl')]);
    const roomExt = ext('sched');
    const lineup = [member(host, 'host'), member(mod, 'moderator')];
    const startsAt = new Date(Date.now() - 60_000).toISOString(); // running late: a past start time is kept
    const put = await putRoom(roomExt, { title: 'Later', status: 'scheduled', startsAt, members: lineup });
    expect(put.status).toBe(200);
    const room = await request(t.url).get(`/v1/rooms/${put.body.id}`).set(host.auth).expect(200);
    expect(room.body).toMatchObject({ status: 'scheduled', startsAt });
    // The lineup organizes in the backchannel before going live; listeners cannot join yet.
    expect((await request(t.url).get(`/v1/rooms/${put.body.id}/backchannel`).set(mod.auth)).status).toBe(200);
    const early = await request(t.url).post(`/v1/rooms/${put.body.id}/join`).set(listener.auth);
    expect([early.status, early.body.code]).toEqual([422, 'room_not_live']);
    expect((await request(t.url).get('/v1/rooms?status=scheduled').set(mod.auth).expect(200)).body.items).toEqual([
      { id: put.body.id, title: 'Later', status: 'scheduled', startsAt, myRole: 'moderator' },
    ]);

    const live = await putRoom(roomExt, { title: 'Later', status: 'live', members: [...lineup, member(listener, 'listener')] });
    expect(live.status).toBe(200);
    expect((await request(t.url).get(`/v1/rooms/${put.body.id}`).set(listener.auth).expect(200)).body.status).toBe('live');
    const back = await putRoom(roomExt, { title: 'Later', status: 'scheduled', members: lineup });
    await expectError(back, 'PUT /platform/v1/rooms/{externalId}', 409, 'conflict');
    expect((await putRoom(roomExt, { title: 'Later', status: 'ended', members: lineup })).status).toBe(200);
    const again = await putRoom(roomExt, { title: 'Later', status: 'scheduled', members: lineup });
    await expectError(again, 'PUT /platform/v1/rooms/{externalId}', 422, 'room_ended');
    const badTime = await putRoom(ext('badtime'), { title: 'X', status: 'scheduled', startsAt: 'tomorrow', members: lineup });
    await expectError(badTime, 'PUT /platform/v1/rooms/{externalId}', 400, 'invalid_request');
  });

  it('unknown userExternalId: 422 unknown_user naming them; a new room without a host: 422 room_host_required; bad bodies: 400', async () => {
    const host = await hostUser('h');
    const res = await putRoom(ext('unk'), {
      title: 'X',
      status: 'live',
      members: [member(host, 'host'), { userExternalId: 'ghost-1', role: 'listener' }],
    });
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 422, 'unknown_user');
    await expectError(res, 'PUT /platform/v1/rooms/{externalId}', 422, 'unknown_user');
    expect(res.body.details).toEqual({ userExternalIds: ['ghost-1'] });
    const hostless = await putRoom(ext('nohost'), { title: 'X', status: 'live', members: [member(host, 'moderator')] });
    expect(hostless.status).toBe(422);
    expectErrorShape(hostless.body, 422, 'room_host_required');
    for (const body of [
      {},
      { title: '', status: 'live', members: [] },
      { title: 'X', status: 'paused', members: [] },
      { title: 'X', status: 'live', members: 'all' },
      { title: 'X', status: 'live', members: [{ userExternalId: host.externalId, role: 'owner' }] },
      { title: 'X', status: 'live', members: [member(host, 'host'), member(host, 'listener')] },
      { title: 'X', status: 'live', members: [null] },
    ]) {
      const bad = await putRoom(ext('bad'), body);
      expect([JSON.stringify(body), bad.status, bad.body.code]).toEqual([JSON.stringify(body), 400, 'invalid_request']);
    }
  });
});
