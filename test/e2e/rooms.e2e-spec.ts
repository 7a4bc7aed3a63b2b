import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { JobsService } from '@app/messaging/queues.module';
import { JobName, QueueName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

const QUESTIONS_PER_ROOM = 6;

let t: TestApp;
let db: Db;
beforeAll(async () => {
  t = await startTestApp({ label: 'rooms', env: { LIMIT_QUESTIONS: `${QUESTIONS_PER_ROOM}/3600` } });
  db = t.app.get(Db);
});
afterAll(async () => {
  await t?.close();
});

const MISSING_ID = '0190a4b2-0000-7000-8000-000000000000';

const createRoom = async (host: TestUser, title = 'Friday AMA') => {
  const res = await t.http().post('/v1/rooms').set(host.auth).send({ title });
  expect(res.status).toBe(201);
  return res.body;
};
const join = (u: TestUser, roomId: string) => t.http().post(`/v1/rooms/${roomId}/join`).set(u.auth);
const leave = (u: TestUser, roomId: string) => t.http().post(`/v1/rooms/${roomId}/leave`).set(u.auth);
const setRole = (actor: TestUser, roomId: string, target: string, role: string) =>
  request(t.url).put(`/v1/rooms/${roomId}/members/${target}/role`).set(actor.auth).send({ role });
const backchannel = (u: TestUser, roomId: string) => t.http().get(`/v1/rooms/${roomId}/backchannel`).set(u.auth);
const ask = (u: TestUser, roomId: string, body: Record<string, unknown>) =>
  t.http().post(`/v1/rooms/${roomId}/questions`).set(u.auth).send(body);
const questions = (u: TestUser, roomId: string) => t.http().get(`/v1/rooms/${roomId}/questions`).set(u.auth);
const upvote = (u: TestUser, roomId: string, qid: string) => request(t.url).post(`/v1/rooms/${roomId}/questions/${qid}/upvote`).set(u.auth);
const patchQuestion = (u: TestUser, roomId: string, qid: string, status: unknown) =>
  t.http().patch(`/v1/rooms/${roomId}/questions/${qid}`).set(u.auth).send({ status });
const sendTo = (u: TestUser, conversationId: string, text: string) =>
  t
    .http()
    .post(`/v1/conversations/${conversationId}/messages`)
    .set(u.auth)
    .send({ clientId: `c-${Math.random()}`, text });

/** A room hosted by a fresh user with `listeners` fresh users joined. */
async function roomWith(listeners: number, title?: string) {
  const host = await registerUser(t.url);
  const room = await createRoom(host, title);
  const people: TestUser[] = [];
  for (let i = 0; i < listeners; i++) {
    const u = await registerUser(t.url);
    expect((await join(u, room.id)).status).toBe(200);
    people.push(u);
  }
  return { host, room, people };
}

/** The invariant, straight from the tables: active backchannel members vs present moderators. */
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

const syncHead = async (u: TestUser): Promise<string> => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor;
const eventsSince = async (u: TestUser, cursor: string): Promise<any[]> =>
  (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events;

describe('rooms: create, get, join, leave', () => {
  it('POST /v1/rooms: 201, the creator is host and moderator, with a backchannel of kind room whose only member is the host', async () => {
    const host = await registerUser(t.url);
    const res = await t.http().post('/v1/rooms').set(host.auth).send({ title: '  Late night radio  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      title: 'Late night radio',
      hostId: host.id,
      status: 'live',
      startsAt: null,
      createdAt: expect.any(String),
      endedAt: null,
      myRole: 'moderator',
    });
    await expectContract(res, 'POST /v1/rooms', 201);
    const bc = await backchannel(host, res.body.id);
    expect(bc.status).toBe(200);
    await expectContract(bc, 'GET /v1/rooms/{id}/backchannel', 200);
    expect(bc.body).toMatchObject({
      kind: 'room',
      title: 'Late night radio',
      myState: 'active',
      context: { roomId: res.body.id, roomTitle: 'Late night radio' },
    });
    expect(bc.body.members.map((m: any) => [m.userId, m.state, m.role])).toEqual([[host.id, 'active', 'moderator']]);
    const [row] = await db.query('SELECT backchannel_id, host_id FROM room WHERE id = $1', [res.body.id]);
    expect(row).toEqual({ backchannel_id: bc.body.id, host_id: host.id });
  });

  it('refuses a missing, blank, too long or control-character title with 400 invalid_request', async () => {
    const host = await registerUser(t.url);
    for (const body of [{}, { title: '   ' }, { title: 'x'.repeat(101) }, { title: 'a\u0007b' }, { title: 42 }]) {
      const res = await t.http().post('/v1/rooms').set(host.auth).send(body);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
      await expectError(res, 'POST /v1/rooms', 400, 'invalid_request');
    }
    expect((await t.http().post('/v1/rooms').send({ title: 'no token' })).status).toBe(401);
  });

  it('GET /v1/rooms/:id: members see it with their role; strangers, unknown and malformed ids get 404', async () => {
    const { host, room, people } = await roomWith(1);
    const stranger = await registerUser(t.url);
    expect((await t.http().get(`/v1/rooms/${room.id}`).set(host.auth)).body.myRole).toBe('moderator');
    expect((await t.http().get(`/v1/rooms/${room.id}`).set(people[0].auth)).body).toMatchObject({ id: room.id, myRole: 'listener' });
    for (const id of [room.id, MISSING_ID, 'not-a-uuid']) {
      const res = await t.http().get(`/v1/rooms/${id}`).set(stranger.auth);
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404, 'not_found');
    }
  });

  it('join: as listener, idempotent (exactly one membership row through 20 rounds of parallel joins), 404 for an unknown or malformed room', async () => {
    const { room } = await roomWith(0);
    const u = await registerUser(t.url);
    // 20 rounds of parallel joins by a new user each: exactly one membership row each time.
    for (let round = 0; round < 20; round++) {
      const who = round === 0 ? u : await registerUser(t.url);
      const results = await Promise.all([join(who, room.id), join(who, room.id), join(who, room.id), join(who, room.id)]);
      expect({ round, statuses: results.map((r) => r.status), roles: results.map((r) => r.body.myRole) }).toEqual({
        round,
        statuses: [200, 200, 200, 200],
        roles: ['listener', 'listener', 'listener', 'listener'],
      });
      const [{ n }] = await db.query('SELECT count(*)::int AS n FROM room_member WHERE room_id = $1 AND user_id = $2', [room.id, who.id]);
      expect({ round, rows: n }).toEqual({ round, rows: 1 });
    }
    await expectContract(await join(u, room.id), 'POST /v1/rooms/{id}/join', 200);
    await expectError(await join(u, MISSING_ID), 'POST /v1/rooms/{id}/join', 404, 'not_found');
    expect((await join(u, 'nope')).status).toBe(404);
  });

  it('leaving and rejoining keeps the role a member had', async () => {
    const {
      host,
      room,
      people: [u],
    } = await roomWith(1);
    expect((await setRole(host, room.id, u.id, 'speaker')).body).toMatchObject({ userId: u.id, role: 'speaker', present: true });
    expect((await leave(u, room.id)).status).toBe(200);
    const back = await join(u, room.id);
    expect(back.status).toBe(200);
    expect(back.body.myRole).toBe('speaker');
  });
});

describe('roles and the backchannel', () => {
  it('only moderators set roles: a listener gets 403 forbidden, a stranger 404; the target must have been in the room', async () => {
    const {
      host,
      room,
      people: [a, b],
    } = await roomWith(2);
    const stranger = await registerUser(t.url);
    const byListener = await setRole(a, room.id, b.id, 'speaker');
    expect(byListener.status).toBe(403);
    expectErrorShape(byListener.body, 403, 'forbidden');
    await expectError(byListener, 'PUT /v1/rooms/{id}/members/{userId}/role', 403, 'forbidden');
    const byStranger = await setRole(stranger, room.id, b.id, 'speaker');
    expect(byStranger.status).toBe(404);
    expectErrorShape(byStranger.body, 404, 'not_found');
    expect((await setRole(host, room.id, stranger.id, 'speaker')).status).toBe(404);
    expect((await setRole(host, room.id, 'not-a-uuid', 'speaker')).status).toBe(404);
    const badRole = await setRole(host, room.id, b.id, 'owner');
    expect(badRole.status).toBe(400);
    expectErrorShape(badRole.body, 400, 'invalid_request');
    await expectContract(await setRole(host, room.id, b.id, 'speaker'), 'PUT /v1/rooms/{id}/members/{userId}/role', 200);
  });

  it('the host always stays a moderator (403 forbidden on demoting the host)', async () => {
    const {
      host,
      room,
      people: [m],
    } = await roomWith(1);
    await setRole(host, room.id, m.id, 'moderator').expect(200);
    const res = await setRole(m, room.id, host.id, 'listener');
    expect(res.status).toBe(403);
    await expectError(res, 'PUT /v1/rooms/{id}/members/{userId}/role', 403, 'forbidden');
    const [{ role }] = await db.query('SELECT role FROM room_member WHERE room_id = $1 AND user_id = $2', [room.id, host.id]);
    expect(role).toBe('moderator');
    expect((await backchannel(host, room.id)).status).toBe(200);
  });

  it('promotion adds to the backchannel and demotion removes, both directions, with conversation.updated to the one changed and the other moderators', async () => {
    const {
      host,
      room,
      people: [m, other],
    } = await roomWith(2);
    expect((await backchannel(m, room.id)).status).toBe(404);
    const hostCursor = await syncHead(host);
    const mCursor = await syncHead(m);
    const otherCursor = await syncHead(other);

    expect((await setRole(host, room.id, m.id, 'moderator')).body).toMatchObject({ userId: m.id, role: 'moderator' });
    const bc = await backchannel(m, room.id);
    expect(bc.status).toBe(200);
    expect(
      bc.body.members
        .filter((x: any) => x.state === 'active')
        .map((x: any) => x.userId)
        .sort(),
    ).toEqual([host.id, m.id].sort());
    const toM = (await eventsSince(m, mCursor)).filter((e) => e.type === 'conversation.updated');
    expect(toM).toHaveLength(1);
    expect(toM[0].conversation).toMatchObject({ id: bc.body.id, kind: 'room', myState: 'active' });
    expect(
      (await eventsSince(host, hostCursor)).filter((e) => e.type === 'conversation.updated' && e.conversation.id === bc.body.id),
    ).toHaveLength(1);
    expect(await eventsSince(other, otherCursor)).toEqual([]);

    // The new moderator talks in the backchannel through the regular messages route.
    expect((await sendTo(m, bc.body.id, 'shall we pin the first one?')).status).toBe(201);

    const mCursor2 = await syncHead(m);
    const hostCursor2 = await syncHead(host);
    expect((await setRole(host, room.id, m.id, 'listener')).body.role).toBe('listener');
    const removed = (await eventsSince(m, mCursor2)).filter((e) => e.type === 'conversation.updated');
    expect(removed).toHaveLength(1);
    expect(removed[0].conversation.myState).toBe('left');
    const toHost = (await eventsSince(host, hostCursor2)).filter((e) => e.type === 'conversation.updated');
    expect(toHost).toHaveLength(1);
    expect(toHost[0].conversation.members.find((x: any) => x.userId === m.id).state).toBe('left');
    expect(await backchannelVsModerators(room.id)).toEqual({ members: [host.id], moderators: [host.id] });

    // And back again: a re-promoted moderator is an active member once more.
    await setRole(host, room.id, m.id, 'moderator').expect(200);
    expect((await backchannel(m, room.id)).status).toBe(200);
    expect(await backchannelVsModerators(room.id)).toEqual({ members: [host.id, m.id].sort(), moderators: [host.id, m.id].sort() });
  });

  it('a demoted moderator can neither read nor send in the backchannel (404 on every route)', async () => {
    const {
      host,
      room,
      people: [m],
    } = await roomWith(1);
    await setRole(host, room.id, m.id, 'moderator').expect(200);
    const bcId = (await backchannel(m, room.id)).body.id;
    expect((await sendTo(m, bcId, 'before')).status).toBe(201);
    await setRole(host, room.id, m.id, 'speaker').expect(200);

    for (const res of [
      await backchannel(m, room.id),
      await t.http().get(`/v1/conversations/${bcId}`).set(m.auth),
      await t.http().get(`/v1/conversations/${bcId}/messages`).set(m.auth),
      await sendTo(m, bcId, 'after'),
    ]) {
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404, 'not_found');
    }
    const texts = (await t.http().get(`/v1/conversations/${bcId}/messages`).set(host.auth)).body.items.map((x: any) => x.text);
    expect(texts).toEqual(['before']);
  });

  it('listeners, speakers and strangers get 404 on the backchannel', async () => {
    const {
      host,
      room,
      people: [listener, speaker],
    } = await roomWith(2);
    await setRole(host, room.id, speaker.id, 'speaker').expect(200);
    const stranger = await registerUser(t.url);
    for (const u of [listener, speaker, stranger]) {
      const res = await backchannel(u, room.id);
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404, 'not_found');
    }
    expect((await backchannel(host, 'bad-id')).status).toBe(404);
    await expectError(await backchannel(stranger, room.id), 'GET /v1/rooms/{id}/backchannel', 404, 'not_found');
  });

  it('a moderator who leaves the room leaves the backchannel; coming back as moderator restores it', async () => {
    const {
      host,
      room,
      people: [m],
    } = await roomWith(1);
    await setRole(host, room.id, m.id, 'moderator').expect(200);
    expect((await leave(m, room.id)).status).toBe(200);
    expect((await backchannel(m, room.id)).status).toBe(404);
    expect(await backchannelVsModerators(room.id)).toEqual({ members: [host.id], moderators: [host.id] });
    const back = await join(m, room.id);
    expect(back.body.myRole).toBe('moderator');
    expect((await backchannel(m, room.id)).status).toBe(200);
    expect(await backchannelVsModerators(room.id)).toEqual({ members: [host.id, m.id].sort(), moderators: [host.id, m.id].sort() });
  });

  it(`parallel promotions, demotions, leaves and joins never let the backchannel drift from the moderators (${RACE_ROUNDS} rounds, a fresh room each)`, async () => {
    const host = await registerUser(t.url);
    const people = await Promise.all(Array.from({ length: 5 }, () => registerUser(t.url)));
    const [m1, m2] = people;
    const roles = ['moderator', 'listener', 'speaker'];
    await raceRounds(RACE_ROUNDS, async (round) => {
      const room = await createRoom(host, `Race ${round}`);
      for (const r of await Promise.all(people.map((p) => join(p, room.id)))) expect(r.status).toBe(200);
      await setRole(host, room.id, m1.id, 'moderator').expect(200);
      await setRole(host, room.id, m2.id, 'moderator').expect(200);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => {
          const actor = [host, m1, m2][i % 3];
          const target = people[(i + round) % people.length];
          return setRole(actor, room.id, target.id, roles[(i + round) % roles.length]);
        }),
        leave(people[4], room.id),
        join(people[4], room.id),
      ]);
      // Each request either applied or was refused because its actor had just been demoted.
      for (const r of results) expect([200, 403]).toContain(r.status);
      const state = await backchannelVsModerators(room.id);
      expect(state.members).toEqual(state.moderators);
      expect(state.moderators).toContain(host.id);
      // Ten flips of one person at once: whatever order they land in, the last one wins in both tables.
      const target = people[3];
      const flips = await Promise.all(
        Array.from({ length: 10 }, (_, i) => setRole(host, room.id, target.id, i % 2 ? 'moderator' : 'listener')),
      );
      expect(flips.every((r) => r.status === 200)).toBe(true);
      const after = await backchannelVsModerators(room.id);
      expect(after.members).toEqual(after.moderators);
      const [{ role }] = await db.query('SELECT role FROM room_member WHERE room_id = $1 AND user_id = $2', [room.id, target.id]);
      expect(after.members.includes(target.id)).toBe(role === 'moderator');
    });
  });
});

describe('ending a room', () => {
  it('the host or a moderator ends it; a listener gets 403 and a stranger 404; ending twice is a no-op', async () => {
    const {
      host,
      room,
      people: [listener, mod],
    } = await roomWith(2);
    const stranger = await registerUser(t.url);
    await setRole(host, room.id, mod.id, 'moderator').expect(200);
    const byListener = await t.http().post(`/v1/rooms/${room.id}/end`).set(listener.auth);
    expect(byListener.status).toBe(403);
    expectErrorShape(byListener.body, 403, 'forbidden');
    await expectError(byListener, 'POST /v1/rooms/{id}/end', 403, 'forbidden');
    expect((await t.http().post(`/v1/rooms/${room.id}/end`).set(stranger.auth)).status).toBe(404);
    const ended = await t.http().post(`/v1/rooms/${room.id}/end`).set(mod.auth);
    expect(ended.status).toBe(200);
    await expectContract(ended, 'POST /v1/rooms/{id}/end', 200);
    expect(ended.body).toMatchObject({ id: room.id, status: 'ended', endedAt: expect.any(String) });
    const again = await t.http().post(`/v1/rooms/${room.id}/end`).set(host.auth);
    expect(again.status).toBe(200);
    expect(again.body.endedAt).toBe(ended.body.endedAt);
  });

  it('an ended room refuses joins, questions, upvotes and role changes with 422 room_ended', async () => {
    const {
      host,
      room,
      people: [listener],
    } = await roomWith(1);
    const q = await ask(listener, room.id, { text: 'asked in time' });
    expect(q.status).toBe(201);
    await t.http().post(`/v1/rooms/${room.id}/end`).set(host.auth).expect(200);
    const newcomer = await registerUser(t.url);
    for (const res of [
      await join(newcomer, room.id),
      await join(listener, room.id),
      await ask(listener, room.id, { text: 'too late?' }),
      await upvote(host, room.id, q.body.id),
      await patchQuestion(host, room.id, q.body.id, 'answered'),
      await setRole(host, room.id, listener.id, 'speaker'),
    ]) {
      expect(res.status).toBe(422);
      expectErrorShape(res.body, 422, 'room_ended');
    }
    await expectError(await join(newcomer, room.id), 'POST /v1/rooms/{id}/join', 422, 'room_ended');
    await expectError(await ask(listener, room.id, { text: 'too late?' }), 'POST /v1/rooms/{id}/questions', 422, 'room_ended');
    await expectError(await upvote(host, room.id, q.body.id), 'POST /v1/rooms/{id}/questions/{qid}/upvote', 422, 'room_ended');
    await expectError(await patchQuestion(host, room.id, q.body.id, 'answered'), 'PATCH /v1/rooms/{id}/questions/{qid}', 422, 'room_ended');
    await expectError(await setRole(host, room.id, listener.id, 'speaker'), 'PUT /v1/rooms/{id}/members/{userId}/role', 422, 'room_ended');
    // What was said stays readable to the people who were there.
    expect((await questions(listener, room.id)).body.items.map((x: any) => x.id)).toEqual([q.body.id]);
  });
});

describe('questions', () => {
  it('any member asks while live: 201 Question JSON; links are listed pending, recorded and queued for scanning', async () => {
    const {
      room,
      people: [u],
    } = await roomWith(1);
    const res = await ask(u, room.id, { text: '  What about example.com/docs and https://foo.example.org/x?  ' });
    expect(res.status).toBe(201);
    await expectContract(res, 'POST /v1/rooms/{id}/questions', 201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      roomId: room.id,
      authorId: u.id,
      text: 'What about example.com/docs and https://foo.example.org/x?',
      status: 'open',
      upvotes: 0,
      createdAt: expect.any(String),
    });
    expect(res.body.links).toEqual([
      { url: 'http://example.com/docs', verdict: 'pending' },
      { url: 'https://foo.example.org/x', verdict: 'pending' },
    ]);
    const occurrences = await db.query('SELECT url, host FROM link_occurrence WHERE question_id = $1 ORDER BY id', [res.body.id]);
    expect(occurrences).toEqual([
      { url: 'http://example.com/docs', host: 'example.com' },
      { url: 'https://foo.example.org/x', host: 'foo.example.org' },
    ]);
    // The scan job was written with the question and reached the link-scan queue after commit.
    const queue = t.app.get(JobsService).queue(QueueName.LinkScan);
    let job = await queue.getJob(`scan-question-${res.body.id}`);
    for (const deadline = Date.now() + 5000; !job && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      job = await queue.getJob(`scan-question-${res.body.id}`);
    }
    expect(job).toMatchObject({ name: JobName.ScanQuestion, data: { questionId: res.body.id } });
    const plain = await ask(u, room.id, { text: 'no links here' });
    expect(plain.body.links).toEqual([]);
  });

  it('text is 1-500 characters after trimming without control characters (400 invalid_text); media fields are 422', async () => {
    const {
      room,
      people: [u],
    } = await roomWith(1);
    for (const text of ['', '   ', 'x'.repeat(501), 'bell\u0007', 'nul\u0000', 12, undefined]) {
      const res = await ask(u, room.id, { text });
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_text');
      await expectError(res, 'POST /v1/rooms/{id}/questions', 400, 'invalid_text');
    }
    const media = await ask(u, room.id, { text: 'look', image: 'x.png' });
    expect(media.status).toBe(422);
    expectErrorShape(media.body, 422, 'attachments_not_supported');
    expect((await ask(u, room.id, { text: `${'y'.repeat(500)}  ` })).status).toBe(201);
    expect((await ask(u, room.id, { text: 'line one\n\tline two' })).status).toBe(201);
  });

  it('strangers get 404 on asking and listing; unknown rooms and malformed ids too', async () => {
    const { room } = await roomWith(0);
    const stranger = await registerUser(t.url);
    for (const res of [
      await ask(stranger, room.id, { text: 'hello?' }),
      await questions(stranger, room.id),
      await ask(stranger, MISSING_ID, { text: 'hello?' }),
      await questions(stranger, 'x'),
    ]) {
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404, 'not_found');
    }
  });

  it(`is rate limited per user per room (${QUESTIONS_PER_ROOM} here): 429 rate_limited with Retry-After, other rooms unaffected`, async () => {
    const {
      room,
      people: [u],
    } = await roomWith(1);
    const other = await createRoom(await registerUser(t.url));
    await join(u, other.id).expect(200);
    for (let i = 0; i < QUESTIONS_PER_ROOM; i++) expect((await ask(u, room.id, { text: `q${i}` })).status).toBe(201);
    const limited = await ask(u, room.id, { text: 'one more' });
    expect(limited.status).toBe(429);
    expectErrorShape(limited.body, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await ask(u, other.id, { text: 'elsewhere' })).status).toBe(201);
  });

  it('moderators see every question; others see their own and the pinned ones; sorted by status then upvotes', async () => {
    const {
      host,
      room,
      people: [a, b, c],
    } = await roomWith(3);
    const qa1 = (await ask(a, room.id, { text: 'a1' })).body;
    const qa2 = (await ask(a, room.id, { text: 'a2' })).body;
    const qb1 = (await ask(b, room.id, { text: 'b1' })).body;
    const qb2 = (await ask(b, room.id, { text: 'b2' })).body;
    const qc1 = (await ask(c, room.id, { text: 'c1' })).body;
    await upvote(host, room.id, qb2.id).expect(200);
    await upvote(c, room.id, qc1.id).expect(200);
    await upvote(host, room.id, qc1.id).expect(200);
    await patchQuestion(host, room.id, qa2.id, 'pinned').expect(200);
    await patchQuestion(host, room.id, qb1.id, 'answered').expect(200);
    await patchQuestion(host, room.id, qa1.id, 'dismissed').expect(200);

    const modView = (await questions(host, room.id)).body;
    // pinned, then open by upvotes (c1: 2, b2: 1), then answered, then dismissed.
    expect(modView.items.map((x: any) => x.text)).toEqual(['a2', 'c1', 'b2', 'b1', 'a1']);
    expect(modView.items.map((x: any) => x.status)).toEqual(['pinned', 'open', 'open', 'answered', 'dismissed']);
    expect(modView.items.find((x: any) => x.id === qc1.id)).toMatchObject({ upvotes: 2, upvotedByMe: true });
    await expectContract(await questions(host, room.id), 'GET /v1/rooms/{id}/questions', 200);

    expect((await questions(b, room.id)).body.items.map((x: any) => x.text)).toEqual(['a2', 'b2', 'b1']);
    expect((await questions(c, room.id)).body.items.map((x: any) => x.text)).toEqual(['a2', 'c1']);
    const late = await registerUser(t.url);
    await join(late, room.id).expect(200);
    expect((await questions(late, room.id)).body.items.map((x: any) => x.id)).toEqual([qa2.id]);
    // A question one may not see cannot be upvoted either.
    expect((await upvote(c, room.id, qb2.id)).status).toBe(404);
  });

  it('pages with limit and an opaque cursor', async () => {
    const {
      host,
      room,
      people: [a],
    } = await roomWith(1);
    for (const text of ['p1', 'p2', 'p3']) await ask(a, room.id, { text }).expect(201);
    const first = (await t.http().get(`/v1/rooms/${room.id}/questions?limit=2`).set(host.auth).expect(200)).body;
    expect(first.items.map((x: any) => x.text)).toEqual(['p1', 'p2']);
    const second = (await t.http().get(`/v1/rooms/${room.id}/questions?limit=2&cursor=${first.nextCursor}`).set(host.auth).expect(200))
      .body;
    expect(second).toEqual({ items: [expect.objectContaining({ text: 'p3' })], nextCursor: null });
    expect((await t.http().get(`/v1/rooms/${room.id}/questions?cursor=garbage`).set(host.auth)).status).toBe(400);
    await expectError(
      await t.http().get(`/v1/rooms/${room.id}/questions?limit=0`).set(host.auth),
      'GET /v1/rooms/{id}/questions',
      400,
      'invalid_request',
    );
    expect((await t.http().get(`/v1/rooms/${room.id}/questions?limit=0`).set(host.auth)).status).toBe(400);
  });

  it(`one upvote per user: a second is a no-op and 10 parallel upvotes by one user count once (${RACE_ROUNDS} rounds, a fresh room and question each)`, async () => {
    const {
      host,
      room: first,
      people: [a, b],
    } = await roomWith(2);
    let room = first;
    await raceRounds(RACE_ROUNDS, async (round) => {
      // A fresh room each round: asking is limited per user per room.
      if (round > 1) {
        room = await createRoom(host);
        for (const p of [a, b]) await join(p, room.id).expect(200);
      }
      const q = (await ask(a, room.id, { text: `upvote me ${round}` })).body;
      const first = await upvote(a, room.id, q.id);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: q.id, upvotes: 1, upvotedByMe: true });
      await expectContract(first, 'POST /v1/rooms/{id}/questions/{qid}/upvote', 200);
      const second = await upvote(a, room.id, q.id);
      expect(second.status).toBe(200);
      expect(second.body.upvotes).toBe(1);

      const burst = await Promise.all(Array.from({ length: 10 }, () => upvote(host, room.id, q.id)));
      expect(burst.every((r) => r.status === 200)).toBe(true);
      await patchQuestion(host, room.id, q.id, 'pinned').expect(200);
      await Promise.all(Array.from({ length: 10 }, () => upvote(b, room.id, q.id)));
      const [row] = await db.query(
        'SELECT upvotes, (SELECT count(*)::int FROM question_upvote WHERE question_id = $1) AS votes FROM question WHERE id = $1',
        [q.id],
      );
      expect(row).toEqual({ upvotes: 3, votes: 3 });
    });
    await expectError(await upvote(a, room.id, MISSING_ID), 'POST /v1/rooms/{id}/questions/{qid}/upvote', 404, 'not_found');
    expect((await upvote(a, room.id, 'nope')).status).toBe(404);
  });

  it('PATCH status: moderators only (listener 403, stranger 404); pinned|answered|dismissed only; unknown question 404', async () => {
    const {
      host,
      room,
      people: [a],
    } = await roomWith(1);
    const stranger = await registerUser(t.url);
    const q = (await ask(a, room.id, { text: 'status?' })).body;
    const byListener = await patchQuestion(a, room.id, q.id, 'pinned');
    expect(byListener.status).toBe(403);
    expectErrorShape(byListener.body, 403, 'forbidden');
    await expectError(byListener, 'PATCH /v1/rooms/{id}/questions/{qid}', 403, 'forbidden');
    expect((await patchQuestion(stranger, room.id, q.id, 'pinned')).status).toBe(404);
    for (const status of ['open', 'closed', 3, null]) {
      const res = await patchQuestion(host, room.id, q.id, status);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400, 'invalid_request');
    }
    expect((await patchQuestion(host, room.id, MISSING_ID, 'pinned')).status).toBe(404);
    const otherRoom = await roomWith(1);
    expect((await patchQuestion(otherRoom.host, otherRoom.room.id, q.id, 'pinned')).status).toBe(404);
    const ok = await patchQuestion(host, room.id, q.id, 'answered');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: q.id, status: 'answered' });
    await expectContract(ok, 'PATCH /v1/rooms/{id}/questions/{qid}', 200);
  });

  it('question.created goes to the moderators; question.updated to the author, and when pinned to everyone in the room', async () => {
    const {
      host,
      room,
      people: [author, listener, gone],
    } = await roomWith(3);
    await leave(gone, room.id).expect(200);
    const cursors = new Map<TestUser, string>();
    for (const u of [host, author, listener, gone]) cursors.set(u, await syncHead(u));
    const q = (await ask(author, room.id, { text: 'who hears this?' })).body;
    const created = async (u: TestUser) => (await eventsSince(u, cursors.get(u)!)).filter((e) => e.type === 'question.created');
    expect((await created(host)).map((e) => e.question.id)).toEqual([q.id]);
    expect(await created(author)).toEqual([]);
    expect(await created(listener)).toEqual([]);

    for (const u of [host, author, listener, gone]) cursors.set(u, await syncHead(u));
    await patchQuestion(host, room.id, q.id, 'answered').expect(200);
    const updated = async (u: TestUser) => (await eventsSince(u, cursors.get(u)!)).filter((e) => e.type === 'question.updated');
    expect((await updated(author)).map((e) => e.question.status)).toEqual(['answered']);
    expect(await updated(listener)).toEqual([]);

    for (const u of [host, author, listener, gone]) cursors.set(u, await syncHead(u));
    await patchQuestion(host, room.id, q.id, 'pinned').expect(200);
    for (const u of [host, author, listener]) {
      const events = await updated(u);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'question.updated', cursor: expect.any(String), question: { id: q.id, status: 'pinned' } });
    }
    expect(await updated(gone)).toEqual([]);
  });
});

describe('attendees', () => {
  it('lists everyone who was ever in the room with handle, displayName and role, for people who were in it; others 404', async () => {
    const {
      host,
      room,
      people: [a, b],
    } = await roomWith(2);
    await setRole(host, room.id, a.id, 'speaker').expect(200);
    await leave(b, room.id).expect(200);
    const stranger = await registerUser(t.url);
    for (const viewer of [host, a, b]) {
      const res = await t.http().get(`/v1/rooms/${room.id}/attendees`).set(viewer.auth);
      expect(res.status).toBe(200);
      await expectContract(res, 'GET /v1/rooms/{id}/attendees', 200);
      expect(res.body.items.map((x: any) => ({ userId: x.userId, handle: x.handle, displayName: x.displayName, role: x.role }))).toEqual([
        { userId: host.id, handle: host.handle, displayName: host.handle, role: 'moderator' },
        { userId: a.id, handle: a.handle, displayName: a.handle, role: 'speaker' },
        { userId: b.id, handle: b.handle, displayName: b.handle, role: 'listener' },
      ]);
    }
    const res = await t.http().get(`/v1/rooms/${room.id}/attendees`).set(stranger.auth);
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 404, 'not_found');
    await expectError(res, 'GET /v1/rooms/{id}/attendees', 404, 'not_found');
    expect((await t.http().get('/v1/rooms/zzz/attendees').set(host.auth)).status).toBe(404);
    // Still listed (and still allowed to look) after the room ended.
    await t.http().post(`/v1/rooms/${room.id}/end`).set(host.auth).expect(200);
    expect((await t.http().get(`/v1/rooms/${room.id}/attendees`).set(b.auth)).body.items).toHaveLength(3);
  });
});

describe('meeting after the room', () => {
  it('a conversation started with a co-attendee carries context {roomId, roomTitle} into the recipient’s requests folder', async () => {
    const {
      room,
      people: [a, b],
    } = await roomWith(2, 'Synth nerds');
    const created = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id], roomId: room.id });
    expect(created.status).toBe(201);
    expect(created.body.context).toEqual({ roomId: room.id, roomTitle: 'Synth nerds' });
    const requests = (await t.http().get('/v1/conversations?folder=requests').set(b.auth).expect(200)).body.items;
    const mine = requests.find((c: any) => c.id === created.body.id);
    expect(mine).toMatchObject({ myState: 'pending', context: { roomId: room.id, roomTitle: 'Synth nerds' } });
  });

  it('the context does not make it accepted: a recipient who follows the creator gets it in the inbox, with the context', async () => {
    const {
      room,
      people: [a, b],
    } = await roomWith(2, 'Garden club');
    await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
    const created = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [b.id], roomId: room.id });
    expect(created.status).toBe(201);
    const inbox = (await t.http().get('/v1/conversations?folder=inbox').set(b.auth).expect(200)).body.items;
    expect(inbox.find((c: any) => c.id === created.body.id)).toMatchObject({
      myState: 'active',
      context: { roomId: room.id, roomTitle: 'Garden club' },
    });
  });

  it('people who were not both in the room cannot claim it as context', async () => {
    const {
      room,
      people: [a],
    } = await roomWith(1);
    const outsider = await registerUser(t.url);
    const res = await t
      .http()
      .post('/v1/conversations')
      .set(a.auth)
      .send({ participantIds: [outsider.id], roomId: room.id });
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 404, 'not_found');
  });
});
