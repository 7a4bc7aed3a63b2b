import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

/**
 * Rooms organized in advance (API.md v1.2, "Rooms organized in advance"): a room created with
 * `startsAt` is scheduled; its host names moderators and speakers, who organize in its
 * backchannel; join and questions answer 422 room_not_live until a host or moderator starts it.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'schedrooms' });
});
afterAll(async () => {
  await t?.close();
});

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const schedule = (host: TestUser, body: Record<string, unknown>) => request(t.url).post('/v1/rooms').set(host.auth).send(body);
const setRole = (actor: TestUser, roomId: string, target: string, role: string) =>
  request(t.url).put(`/v1/rooms/${roomId}/members/${target}/role`).set(actor.auth).send({ role });
const start = (u: TestUser, roomId: string) => request(t.url).post(`/v1/rooms/${roomId}/start`).set(u.auth);
const listRooms = (u: TestUser, status?: string) =>
  request(t.url)
    .get(`/v1/rooms${status ? `?status=${status}` : ''}`)
    .set(u.auth);

async function scheduledRoom(title = 'Saturday show') {
  const host = await registerUser(t.url);
  const startsAt = inHours(24);
  const res = await schedule(host, { title, startsAt });
  await expectContract(res, 'POST /v1/rooms', 201);
  return { host, room: res.body, startsAt };
}

it('POST /v1/rooms with startsAt creates a scheduled room; without it the room is live at once', async () => {
  const { host, room, startsAt } = await scheduledRoom();
  expect(room).toMatchObject({ status: 'scheduled', startsAt, hostId: host.id, myRole: 'moderator', endedAt: null });
  const now = await schedule(host, { title: 'Right now' });
  expect(now.body).toMatchObject({ status: 'live', startsAt: null });
});

it.each([
  ['in the past', () => new Date(Date.now() - 60_000).toISOString()],
  ['more than 90 days ahead', () => inHours(24 * 91)],
  ['without a time zone', () => '2030-01-01T10:00:00'],
  ['not a date', () => 'next friday'],
  ['a number', () => Date.now() + 3_600_000],
  ['an impossible date', () => '2030-02-31T10:00:00Z'],
])('a startsAt %s → 400 invalid_request naming the field', async (_what, value) => {
  const host = await registerUser(t.url);
  const res = await schedule(host, { title: 'Bad time', startsAt: value() });
  await expectError(res, 'POST /v1/rooms', 400, 'invalid_request');
  expect(JSON.stringify(res.body.details)).toContain('startsAt');
});

it('while scheduled: the host names moderators and speakers who are not in the room yet; the moderators talk in the backchannel; join and questions answer 422 room_not_live', async () => {
  const { host, room } = await scheduledRoom();
  const [mod, speaker, listener] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
  await expectContract(await setRole(host, room.id, mod.id, 'moderator'), 'PUT /v1/rooms/{id}/members/{userId}/role', 200);
  const named = await setRole(host, room.id, speaker.id, 'speaker');
  expect(named.body).toMatchObject({ userId: speaker.id, role: 'speaker', handle: speaker.handle });

  // The named moderator is in the backchannel, before the room is live, and can write there.
  const bc = await request(t.url).get(`/v1/rooms/${room.id}/backchannel`).set(mod.auth);
  await expectContract(bc, 'GET /v1/rooms/{id}/backchannel', 200);
  const sent = await request(t.url)
    .post(`/v1/conversations/${bc.body.id}/messages`)
    .set(mod.auth)
    .send({ clientId: 'plan-1', text: 'I will open with the Q&A' });
  expect(sent.status).toBe(201);
  const seen = await request(t.url).get(`/v1/conversations/${bc.body.id}/messages`).set(host.auth).expect(200);
  expect(seen.body.items.map((m: any) => m.text)).toContain('I will open with the Q&A');
  // A speaker is not a moderator: no backchannel.
  expect((await request(t.url).get(`/v1/rooms/${room.id}/backchannel`).set(speaker.auth)).status).toBe(404);

  await expectError(
    await request(t.url).post(`/v1/rooms/${room.id}/join`).set(listener.auth),
    'POST /v1/rooms/{id}/join',
    422,
    'room_not_live',
  );
  const ask = await request(t.url).post(`/v1/rooms/${room.id}/questions`).set(speaker.auth).send({ text: 'Early question?' });
  await expectError(ask, 'POST /v1/rooms/{id}/questions', 422, 'room_not_live');
  const list = await request(t.url).get(`/v1/rooms/${room.id}/questions`).set(mod.auth);
  await expectError(list, 'GET /v1/rooms/{id}/questions', 422, 'room_not_live');
});

it('naming someone who blocked the host, or no one at all, is 404; people outside the lineup cannot name anyone', async () => {
  const { host, room } = await scheduledRoom();
  const [blocker, outsider, target] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
  expect((await request(t.url).put(`/v1/users/${host.id}/block`).set(blocker.auth)).status).toBe(204);
  expect((await setRole(host, room.id, blocker.id, 'speaker')).status).toBe(404);
  expect((await setRole(host, room.id, '0190a4b2-0000-7000-8000-000000000000', 'speaker')).status).toBe(404);
  expect((await setRole(outsider, room.id, target.id, 'moderator')).status).toBe(404);
  // A speaker in the lineup is not a moderator: 403.
  await setRole(host, room.id, target.id, 'speaker');
  const bySpeaker = await setRole(target, room.id, outsider.id, 'moderator');
  await expectError(bySpeaker, 'PUT /v1/rooms/{id}/members/{userId}/role', 403, 'forbidden');
  // The host stays a moderator.
  await expectError(await setRole(host, room.id, host.id, 'speaker'), 'PUT /v1/rooms/{id}/members/{userId}/role', 403, 'forbidden');
});

it('GET /v1/rooms lists the rooms I host, moderate or speak in that are scheduled or live; ?status narrows it; a bad status is 400', async () => {
  const { host, room, startsAt } = await scheduledRoom('Upcoming');
  const [mod, speaker, listener] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
  await setRole(host, room.id, mod.id, 'moderator');
  await setRole(host, room.id, speaker.id, 'speaker');
  const live = (await schedule(host, { title: 'On air' })).body;
  const ended = (await schedule(host, { title: 'Over' })).body;
  await request(t.url).post(`/v1/rooms/${ended.id}/end`).set(host.auth).expect(200);

  const all = await listRooms(host);
  await expectContract(all, 'GET /v1/rooms', 200);
  expect(all.body.items).toEqual([
    { id: live.id, title: 'On air', status: 'live', startsAt: null, myRole: 'moderator' },
    { id: room.id, title: 'Upcoming', status: 'scheduled', startsAt, myRole: 'moderator' },
  ]);
  expect((await listRooms(host, 'live')).body.items.map((r: any) => r.id)).toEqual([live.id]);
  expect((await listRooms(speaker, 'scheduled')).body.items).toEqual([
    { id: room.id, title: 'Upcoming', status: 'scheduled', startsAt, myRole: 'speaker' },
  ]);
  expect((await listRooms(mod)).body.items.map((r: any) => r.id)).toEqual([room.id]);
  expect((await listRooms(listener)).body.items).toEqual([]);
  await expectError(await listRooms(host, 'ended'), 'GET /v1/rooms', 400, 'invalid_request');
});

it('the host or a moderator starts it (200, live; again: 200, no change); others 403 or 404; an ended room 422 room_ended; then people join and ask', async () => {
  const { host, room } = await scheduledRoom();
  const [mod, speaker, listener] = await Promise.all([registerUser(t.url), registerUser(t.url), registerUser(t.url)]);
  await setRole(host, room.id, mod.id, 'moderator');
  await setRole(host, room.id, speaker.id, 'speaker');
  await expectError(await start(speaker, room.id), 'POST /v1/rooms/{id}/start', 403, 'forbidden');
  expect((await start(listener, room.id)).status).toBe(404);
  expect((await start(host, 'not-a-uuid')).status).toBe(404);

  const started = await start(mod, room.id);
  await expectContract(started, 'POST /v1/rooms/{id}/start', 200);
  expect(started.body).toMatchObject({ id: room.id, status: 'live' });
  expect((await start(host, room.id)).body.status).toBe('live');
  expect((await request(t.url).post(`/v1/rooms/${room.id}/join`).set(listener.auth)).status).toBe(200);
  expect((await request(t.url).post(`/v1/rooms/${room.id}/questions`).set(listener.auth).send({ text: 'Now?' })).status).toBe(201);

  await request(t.url).post(`/v1/rooms/${room.id}/end`).set(host.auth).expect(200);
  await expectError(await start(host, room.id), 'POST /v1/rooms/{id}/start', 422, 'room_ended');
});

it(`parallel starts and a parallel end: the room ends up live once or ended, never scheduled again (${RACE_ROUNDS} rounds)`, async () => {
  await raceRounds(RACE_ROUNDS, async () => {
    const { host, room } = await scheduledRoom();
    const mod = await registerUser(t.url);
    await setRole(host, room.id, mod.id, 'moderator');
    const results = await Promise.all([start(host, room.id), start(mod, room.id), start(host, room.id), start(mod, room.id)]);
    expect(results.map((r) => [r.status, r.body.status])).toEqual(Array(4).fill([200, 'live']));
    const [a, b] = await Promise.all([start(host, room.id), request(t.url).post(`/v1/rooms/${room.id}/end`).set(mod.auth)]);
    expect(b.status).toBe(200);
    // The start either ran first (200 live) or after the end (422 room_ended).
    expect([a.status, a.body.status ?? a.body.code]).toEqual(a.status === 200 ? [200, 'live'] : [422, 'room_ended']);
    expect((await request(t.url).get(`/v1/rooms/${room.id}`).set(host.auth).expect(200)).body.status).toBe('ended');
  });
});
