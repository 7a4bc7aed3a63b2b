import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

/**
 * Protection around rooms (issue #30, API.md v1.2): Limits, the pile-on breaker (driven with
 * real requests from many accounts across two API processes sharing one Redis), the fan-out
 * hold of first messages, and allowGroupInvites. Thresholds are small settings here:
 * PILE_ON_REQUESTS=5 (the 6th request trips), FANOUT_REQUESTS=3 (the 4th conversation with
 * strangers is held).
 */

const PILE_ON = 5;
const FANOUT = 3;
const ENV = {
  PILE_ON_REQUESTS: String(PILE_ON),
  PILE_ON_WINDOW_MINUTES: '10',
  PILE_ON_LIMITS_HOURS: '24',
  FANOUT_REQUESTS: String(FANOUT),
};

let a: TestApp;
let b: TestApp;
let db: Db;
let staff: { auth: { Authorization: string } };

beforeAll(async () => {
  a = await startTestApp({ label: 'request_protection', env: ENV });
  b = await startTestApp({ db: a.db, redisPrefix: a.config.redisPrefix, env: { ...ENV, APP_ROLES: 'api' } });
  db = a.app.get(Db);
  staff = await loginStaff(a.url);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(a.url)));
const start = (url: string, from: TestUser, participantIds: string[]) =>
  request(url).post('/v1/conversations').set(from.auth).send({ participantIds });
const folder = async (u: TestUser, name: string): Promise<string[]> =>
  ((await request(a.url).get(`/v1/conversations?folder=${name}`).set(u.auth).expect(200)).body.items as any[]).map((c) => c.id);
const follow = (who: TestUser, whom: TestUser) => request(a.url).put(`/v1/users/${whom.id}/follow`).set(who.auth).expect(204);
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const syncFrom = async (u: TestUser, cursor: string) =>
  (await request(a.url).get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body;
const head = async (u: TestUser) => (await request(a.url).get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const trips = async (userId: string) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM pile_on_trip WHERE user_id = $1', [userId]))[0].n);

describe('Limits (PUT / GET / DELETE /v1/me/limits)', () => {
  it('are off for a new account, and refuse a missing or unknown from, a past until and one more than 28 days ahead with 400 invalid_request', async () => {
    const [me] = await users(1);
    const off = await request(a.url).get('/v1/me/limits').set(me.auth);
    await expectContract(off, 'GET /v1/me/limits', 200);
    expect(off.body).toEqual({ from: null, until: null });
    for (const body of [
      { until: inDays(1) },
      { from: 'everyone', until: inDays(1) },
      { from: 'non_followers', until: new Date(Date.now() - 60_000).toISOString() },
      { from: 'non_followers', until: inDays(28.1) },
      { from: 'non_followers', until: 'tomorrow' },
      { from: 'non_followers' },
    ]) {
      const res = await request(a.url).put('/v1/me/limits').set(me.auth).send(body);
      await expectError(res, 'PUT /v1/me/limits', 400, 'invalid_request');
    }
    expect((await request(a.url).get('/v1/me/limits').set(me.auth)).body).toEqual({ from: null, until: null });
  });

  it('non_followers: a stranger is refused exactly as allowIncoming=none refuses, a follower still gets through, and the pending requests of non-followers move to hidden', async () => {
    const [me, stranger, earlier, fan, closed] = await users(5);
    await follow(fan, me);
    // What allowIncoming=none answers, to compare word for word.
    await request(a.url).patch('/v1/me/settings').set(closed.auth).send({ allowIncoming: 'none' }).expect(200);
    const none = await start(a.url, stranger, [closed.id]);
    expect(none.status).toBe(403);

    const before = (await start(a.url, earlier, [me.id]).expect(201)).body.id;
    const fanBefore = (await start(a.url, fan, [me.id]).expect(201)).body.id;
    expect(await folder(me, 'requests')).toEqual(expect.arrayContaining([before, fanBefore]));
    const cursor = await head(me);

    const until = inDays(7);
    const on = await request(a.url).put('/v1/me/limits').set(me.auth).send({ from: 'non_followers', until });
    await expectContract(on, 'PUT /v1/me/limits', 200);
    expect(on.body).toEqual({ from: 'non_followers', until });
    expect((await request(a.url).get('/v1/me/limits').set(me.auth)).body).toEqual({ from: 'non_followers', until });

    // Their pending requests: hidden now; a follower's stays where it was.
    expect(await folder(me, 'hidden')).toEqual([before]);
    expect(await folder(me, 'requests')).toEqual([fanBefore]);
    // My clients are told, so they show what the lists show: the moved request says hidden.
    const moved = (await syncFrom(me, cursor)).events.filter((e: any) => e.type === 'conversation.updated');
    expect(moved.map((e: any) => [e.conversation.id, e.conversation.hidden])).toEqual([[before, true]]);
    const one = await request(a.url).get(`/v1/conversations/${before}`).set(me.auth).expect(200);
    expect(one.body.hidden).toBe(true);
    expect((await request(a.url).get(`/v1/conversations/${fanBefore}`).set(me.auth).expect(200)).body.hidden).toBe(false);

    // New conversations from people who do not follow me: refused as allowIncoming=none refuses them, on either process.
    for (const url of [a.url, b.url]) {
      const refused = await start(url, stranger, [me.id]);
      await expectError(refused, 'POST /v1/conversations', 403, 'recipient_not_accepting');
      expect(refused.body.message).toBe(none.body.message);
    }
    // A group with me in it, and adding me to one, likewise (the same rule for every path).
    const [friend] = await users(1);
    await expectError(await start(a.url, stranger, [me.id, friend.id]), 'POST /v1/conversations', 403, 'recipient_not_accepting');
    const group = (await start(a.url, stranger, [friend.id, fan.id]).expect(201)).body.id;
    const add = await request(a.url)
      .post(`/v1/conversations/${group}/members`)
      .set(stranger.auth)
      .send({ userIds: [me.id] });
    await expectError(add, 'POST /v1/conversations/{id}/members', 403, 'recipient_not_accepting');

    // A follower may still start one (a request: I do not follow them).
    const [fan2] = await users(1);
    await follow(fan2, me);
    const ok = await start(b.url, fan2, [me.id]).expect(201);
    expect(ok.body.members.find((m: any) => m.userId === me.id).state).toBe('pending');
  });

  it('recent_followers also holds back people who started following me less than 7 days ago; an older follower gets through', async () => {
    const [me, recent, old] = await users(3);
    await follow(recent, me);
    await follow(old, me);
    await db.query(`UPDATE follow SET created_at = now() - interval '8 days' WHERE follower_id = $1 AND followee_id = $2`, [old.id, me.id]);
    const pendingFromRecent = (await start(a.url, recent, [me.id]).expect(201)).body.id;

    await request(a.url)
      .put('/v1/me/limits')
      .set(me.auth)
      .send({ from: 'recent_followers', until: inDays(28) })
      .expect(200);
    expect(await folder(me, 'hidden')).toEqual([pendingFromRecent]);
    const [other] = await users(1);
    await follow(other, me);
    await expectError(await start(a.url, other, [me.id]), 'POST /v1/conversations', 403, 'recipient_not_accepting');
    await start(a.url, old, [me.id]).expect(201);
  });

  it('DELETE ends them (204): strangers may start conversations again, and what Limits hid stays hidden (nothing moves back by surprise)', async () => {
    const [me, stranger, other] = await users(3);
    const hiddenId = (await start(a.url, stranger, [me.id]).expect(201)).body.id;
    await request(a.url)
      .put('/v1/me/limits')
      .set(me.auth)
      .send({ from: 'non_followers', until: inDays(1) })
      .expect(200);
    expect(await folder(me, 'hidden')).toEqual([hiddenId]);

    const end = await request(a.url).delete('/v1/me/limits').set(me.auth);
    expect(end.status).toBe(204);
    expect((await request(a.url).get('/v1/me/limits').set(me.auth)).body).toEqual({ from: null, until: null });
    const fresh = (await start(a.url, other, [me.id]).expect(201)).body.id;
    expect(await folder(me, 'hidden')).toEqual([hiddenId]);
    expect(await folder(me, 'requests')).toEqual([fresh]);
    // Still a pending request: accepting it works from the hidden folder.
    await request(a.url).post(`/v1/conversations/${hiddenId}/accept`).set(me.auth).expect(200);
    expect(await folder(me, 'hidden')).toEqual([]);
  });
});

describe('allowGroupInvites (PATCH /v1/me/settings)', () => {
  it('none: nobody may put me in a group (create or add), a direct conversation still works; an unknown value is 400', async () => {
    const [me, friend, other] = await users(3);
    const set = await request(a.url).patch('/v1/me/settings').set(me.auth).send({ allowGroupInvites: 'none' });
    await expectContract(set, 'PATCH /v1/me/settings', 200);
    expect(set.body).toMatchObject({ allowGroupInvites: 'none', allowIncoming: 'all' });
    expect((await request(a.url).get('/v1/me').set(me.auth)).body.allowGroupInvites).toBe('none');
    await follow(me, friend);

    await expectError(await start(a.url, friend, [me.id, other.id]), 'POST /v1/conversations', 403, 'recipient_not_accepting');
    const group = (await start(a.url, friend, [other.id, (await users(1))[0].id]).expect(201)).body.id;
    await request(a.url)
      .post(`/v1/conversations/${group}/members`)
      .set(friend.auth)
      .send({ userIds: [me.id] })
      .expect(403);
    await start(a.url, friend, [me.id]).expect(201);

    const bad = await request(a.url).patch('/v1/me/settings').set(me.auth).send({ allowGroupInvites: 'friends' });
    expectErrorShape(bad.body, 400, 'invalid_request');
  });

  it('following: only people I follow may add me to a group', async () => {
    const [me, friend, stranger, third] = await users(4);
    await request(a.url).patch('/v1/me/settings').set(me.auth).send({ allowGroupInvites: 'following' }).expect(200);
    await follow(me, friend);
    const refused = await start(a.url, stranger, [me.id, third.id]);
    await expectError(refused, 'POST /v1/conversations', 403, 'recipient_not_accepting');
    const theirs = (await start(a.url, stranger, [third.id, friend.id]).expect(201)).body.id;
    const add = await request(a.url)
      .post(`/v1/conversations/${theirs}/members`)
      .set(stranger.auth)
      .send({ userIds: [me.id] });
    await expectError(add, 'POST /v1/conversations/{id}/members', 403, 'recipient_not_accepting');

    const created = await start(a.url, friend, [me.id, third.id]).expect(201);
    expect(created.body.members.find((m: any) => m.userId === me.id).state).toBe('active');
    const mine = (await start(a.url, friend, [third.id, stranger.id]).expect(201)).body.id;
    await request(a.url)
      .post(`/v1/conversations/${mine}/members`)
      .set(friend.auth)
      .send({ userIds: [me.id] })
      .expect(200);
  });
});

describe('the pile-on breaker', () => {
  it(`${PILE_ON + 1} requests from ${PILE_ON + 1} strangers across two API processes switch Limits on: the window's requests and the crossing one are hidden, the person is told (notice.action limits_enabled), and staff see the trip`, async () => {
    const [victim] = await users(1);
    const strangers = await users(PILE_ON + 2);
    const cursor = await head(victim);
    const ids: string[] = [];
    for (let i = 0; i < PILE_ON; i++) ids.push((await start(i % 2 ? b.url : a.url, strangers[i], [victim.id]).expect(201)).body.id);
    // At the threshold, nothing has happened yet.
    expect((await request(a.url).get('/v1/me/limits').set(victim.auth)).body).toEqual({ from: null, until: null });
    expect((await folder(victim, 'requests')).sort()).toEqual([...ids].sort());

    const crossing = await start(b.url, strangers[PILE_ON], [victim.id]).expect(201);
    ids.push(crossing.body.id);
    const limits = (await request(a.url).get('/v1/me/limits').set(victim.auth)).body;
    expect(limits.from).toBe('non_followers');
    const hours = (new Date(limits.until).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(await folder(victim, 'requests')).toEqual([]);
    expect((await folder(victim, 'hidden')).sort()).toEqual([...ids].sort());
    // The stream says the same as the lists: each earlier request announced in requests, then
    // moved to hidden (conversation.updated, hidden: true); the crossing one announced hidden.
    const stream = (await syncFrom(victim, cursor)).events;
    const created = stream.filter((e: any) => e.type === 'request.created');
    expect(created.map((e: any) => [e.conversation.id, e.conversation.hidden])).toEqual(ids.map((id) => [id, id === crossing.body.id]));
    const movedIds = stream
      .filter((e: any) => e.type === 'conversation.updated' && e.conversation.hidden === true)
      .map((e: any) => e.conversation.id);
    expect(movedIds.sort()).toEqual(ids.filter((id) => id !== crossing.body.id).sort());

    // The next stranger is refused, on either process.
    await expectError(await start(a.url, strangers[PILE_ON + 1], [victim.id]), 'POST /v1/conversations', 403, 'recipient_not_accepting');

    const notices = (await request(a.url).get('/v1/notices').set(victim.auth).expect(200)).body.items;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'protection', action: 'limits_enabled', statement: null });
    expect(notices[0].text).toMatch(/Limits/);
    const events = (await syncFrom(victim, cursor)).events.filter((e: any) => e.type === 'notice.created');
    expect(events).toHaveLength(1);
    expect(events[0].notice.action).toBe('limits_enabled');

    // Staff: the dashboard counts today's trips, the user page lists this one.
    const stats = await request(a.url).get('/admin/v1/stats').set(staff.auth).expect(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.body.pileOnTripsPerDay.find((d: any) => d.day === today).trips).toBeGreaterThanOrEqual(1);
    const history = await request(a.url).get(`/admin/v1/users/${victim.id}/history`).set(staff.auth).expect(200);
    expect(history.body.pileOnTrips).toHaveLength(1);
    expect(history.body.pileOnTrips[0]).toMatchObject({ requests: PILE_ON + 1, threshold: PILE_ON, windowMinutes: 10, halved: false });
  });

  it('parallel requests exactly at the threshold, over two processes, trip it exactly once and every one of them ends up hidden', async () => {
    for (let round = 0; round < 3; round++) {
      const [victim] = await users(1);
      const strangers = await users(PILE_ON + 1);
      const created = await Promise.all(strangers.map((s, i) => start(i % 2 ? b.url : a.url, s, [victim.id])));
      expect(created.map((r) => r.status)).toEqual(strangers.map(() => 201));
      expect(await trips(victim.id)).toBe(1);
      const notices = (await request(a.url).get('/v1/notices').set(victim.auth).expect(200)).body.items;
      expect(notices.filter((n: any) => n.action === 'limits_enabled')).toHaveLength(1);
      expect(await folder(victim, 'requests')).toEqual([]);
      expect((await folder(victim, 'hidden')).sort()).toEqual(created.map((r) => r.body.id).sort());
    }
  });

  it(`requests committed in parallel with the trip: the stream tells each one is hidden, announced so or moved after (conversation.updated hidden: true), as the lists say (${RACE_ROUNDS} rounds)`, async () => {
    await raceRounds(RACE_ROUNDS, async () => {
      const [victim] = await users(1);
      const strangers = await users(PILE_ON + 1);
      const cursor = await head(victim);
      const created = await Promise.all(strangers.map((s, i) => start(i % 2 ? b.url : a.url, s, [victim.id])));
      expect(created.map((r) => r.status)).toEqual(strangers.map(() => 201));
      const ids = created.map((r) => r.body.id as string);
      expect((await folder(victim, 'hidden')).sort()).toEqual([...ids].sort());
      const stream = (await syncFrom(victim, cursor)).events as any[];
      // What a client that follows the stream shows last for each request: hidden, for all of them.
      const last = new Map<string, boolean>();
      for (const e of stream) {
        if ((e.type === 'request.created' || e.type === 'conversation.updated') && ids.includes(e.conversation.id)) {
          last.set(e.conversation.id, e.conversation.hidden === true);
        }
      }
      expect(ids.filter((id) => last.get(id) !== true)).toEqual([]);
    });
  });

  it('a wave larger than the threshold in parallel still trips once; whatever gets through is hidden, the rest is refused', async () => {
    const [victim] = await users(1);
    const strangers = await users(PILE_ON * 3);
    const created = await Promise.all(strangers.map((s, i) => start(i % 2 ? b.url : a.url, s, [victim.id])));
    const ok = created.filter((r) => r.status === 201);
    for (const r of created.filter((x) => x.status !== 201)) expectErrorShape(r.body, 403, 'recipient_not_accepting');
    expect(ok.length).toBeGreaterThan(PILE_ON);
    expect(await trips(victim.id)).toBe(1);
    expect(await folder(victim, 'requests')).toEqual([]);
    expect((await folder(victim, 'hidden')).sort()).toEqual(ok.map((r) => r.body.id).sort());
  });

  it('is halved for someone who was on the stage of a room that ended within the hour', async () => {
    const [host, speaker] = await users(2);
    const room = (await request(a.url).post('/v1/rooms').set(host.auth).send({ title: 'Late night show' }).expect(201)).body;
    await request(a.url).post(`/v1/rooms/${room.id}/join`).set(speaker.auth).expect(200);
    await request(a.url).put(`/v1/rooms/${room.id}/members/${speaker.id}/role`).set(host.auth).send({ role: 'speaker' }).expect(200);
    await request(a.url).post(`/v1/rooms/${room.id}/end`).set(host.auth).expect(200);

    const half = Math.floor(PILE_ON / 2);
    for (const victim of [host, speaker]) {
      const strangers = await users(half + 1);
      for (let i = 0; i < half; i++) await start(i % 2 ? b.url : a.url, strangers[i], [victim.id]).expect(201);
      expect(await trips(victim.id)).toBe(0);
      await start(a.url, strangers[half], [victim.id]).expect(201);
      expect(await trips(victim.id)).toBe(1);
      const history = await request(a.url).get(`/admin/v1/users/${victim.id}/history`).set(staff.auth).expect(200);
      expect(history.body.pileOnTrips[0]).toMatchObject({ threshold: half, halved: true });
    }
  });
});

describe('fan-out of first messages', () => {
  it(`a sender who starts more than ${FANOUT} conversations with strangers gets the next ones held: shown to them as sent, invisible to the recipients, listed with the burst in the spam-request queue until staff release them`, async () => {
    const [sender, friend] = await users(2);
    const strangers = await users(FANOUT + 3);
    await follow(friend, sender);
    // A conversation with someone who knows the sender is not a request and does not count.
    await start(a.url, sender, [friend.id]).expect(201);
    const cursors = await Promise.all(strangers.map(head));
    const convs: any[] = [];
    for (let i = 0; i < strangers.length; i++) convs.push((await start(i % 2 ? b.url : a.url, sender, [strangers[i].id]).expect(201)).body);

    for (let i = 0; i < strangers.length; i++) {
      const s = strangers[i];
      // The sender sees every one as sent: the recipient pending.
      expect(convs[i].members.find((m: any) => m.userId === s.id).state).toBe('pending');
      const seen = await request(a.url).get(`/v1/conversations/${convs[i].id}`).set(s.auth);
      const requests = await folder(s, 'requests');
      const told = (await syncFrom(s, cursors[i])).events.filter((e: any) => e.type === 'request.created');
      if (i < FANOUT) {
        expect(seen.status).toBe(200);
        expect(requests).toEqual([convs[i].id]);
        expect(told).toHaveLength(1);
      } else {
        expect(seen.status).toBe(404);
        expect(requests).toEqual([]);
        expect(await folder(s, 'hidden')).toEqual([]);
        expect(told).toHaveLength(0);
      }
    }
    // The sender may still write into a held one (up to the request cap), and still sees it as sent.
    await request(a.url)
      .post(`/v1/conversations/${convs[FANOUT].id}/messages`)
      .set(sender.auth)
      .send({ clientId: `c-${Date.now()}`, text: 'hello there' })
      .expect(201);
    const mine = await request(a.url).get(`/v1/conversations/${convs[FANOUT].id}`).set(sender.auth).expect(200);
    expect(mine.body.members.find((m: any) => m.userId === strangers[FANOUT].id).state).toBe('pending');

    const queue = await request(a.url)
      .get('/admin/v1/spam-requests')
      .query({ filter: JSON.stringify({ senderId: sender.id }) })
      .set(staff.auth);
    await expectContract(queue, 'GET /admin/v1/spam-requests', 200);
    expect(queue.body).toHaveLength(1);
    expect(queue.body[0]).toMatchObject({ senderId: sender.id, heldRequests: 3, burst: { count: FANOUT + 3, windowMinutes: 10 } });

    const released = await request(a.url)
      .post(`/admin/v1/spam-requests/${sender.id}/release`)
      .set(staff.auth)
      .send({ note: 'a fan, not a bot' });
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ requests: 3 });
    for (let i = FANOUT; i < strangers.length; i++) {
      const s = strangers[i];
      expect(await folder(s, 'requests')).toEqual([convs[i].id]);
      const told = (await syncFrom(s, cursors[i])).events.filter((e: any) => e.type === 'request.created');
      expect(told).toHaveLength(1);
      // The first message arrives with it.
      if (i === FANOUT) expect(told[0].conversation.lastMessage.text).toBe('hello there');
    }
    const audit = await request(a.url)
      .get('/admin/v1/audit-log')
      .query({ filter: JSON.stringify({ subjectId: sender.id }) })
      .set(staff.auth)
      .expect(200);
    expect(audit.body.map((e: any) => e.action)).toContain('spam_requests.release');
    // Nothing left to release.
    expect((await request(a.url).post(`/admin/v1/spam-requests/${sender.id}/release`).set(staff.auth).send({})).status).toBe(404);
  });

  it('held requests that staff decline never reach their recipients, and the sender is not told', async () => {
    const [sender] = await users(1);
    const strangers = await users(FANOUT + 1);
    const convs: any[] = [];
    for (const s of strangers) convs.push((await start(a.url, sender, [s.id]).expect(201)).body);
    const held = strangers[FANOUT];
    expect((await request(a.url).get(`/v1/conversations/${convs[FANOUT].id}`).set(held.auth)).status).toBe(404);
    const declined = await request(a.url).post(`/admin/v1/spam-requests/${sender.id}/decline`).set(staff.auth).send({});
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ requests: 1 });
    expect(await folder(held, 'requests')).toEqual([]);
    expect((await request(a.url).get(`/v1/conversations/${convs[FANOUT].id}`).set(held.auth)).status).toBe(404);
    const mine = await request(a.url).get(`/v1/conversations/${convs[FANOUT].id}`).set(sender.auth).expect(200);
    expect(mine.body.members.find((m: any) => m.userId === held.id).state).toBe('pending');
  });
});
