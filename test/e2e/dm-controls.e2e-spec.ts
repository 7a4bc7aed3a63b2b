import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { connectSocket, emitAck, Inbox } from '../support/socket';
import { raceRounds } from '../support/race';

/**
 * Moderators' tools for DMs (API.md v1.2 "Protection around rooms, and moderators' tools for
 * DMs"): switching one account's DM access off (it may not start conversations or add members,
 * but still reads and replies), locking a conversation (nobody sends, edits, reacts or adds
 * members; members hear conversation.updated with `locked`), and per-user DM statistics over
 * 30 days. Moderator and up, each audited.
 */

let t: TestApp;
let admin: { auth: Record<string, string> };
let moderator: { auth: Record<string, string> };
let triage: { auth: Record<string, string> };
const sockets: Socket[] = [];

async function staffWith(role: 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await request(t.url)
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

beforeAll(async () => {
  t = await startTestApp({ label: 'dm_controls', env: { LIMIT_SEND_BURST: '5000/10', LIMIT_SEND_SUSTAINED: '50000/3600' } });
  admin = await loginStaff(t.url);
  moderator = await staffWith('moderator');
  triage = await staffWith('triage');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const user = () => registerUser(t.url);
const follow = (a: TestUser, b: TestUser) => t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
const create = (u: TestUser, others: TestUser[]) =>
  t
    .http()
    .post('/v1/conversations')
    .set(u.auth)
    .send({ participantIds: others.map((o) => o.id) });
async function conversation(a: TestUser, others: TestUser[]): Promise<string> {
  const res = await create(a, others);
  expect(res.status).toBe(201);
  return res.body.id;
}
const post = (u: TestUser, convId: string, body: Record<string, unknown> = {}) =>
  t
    .http()
    .post(`/v1/conversations/${convId}/messages`)
    .set(u.auth)
    .send({ clientId: randomUUID(), text: 'hello', ...body });
const auditFor = async (subjectId: string) =>
  (
    await t
      .http()
      .get(`/admin/v1/audit-log?filter=${encodeURIComponent(JSON.stringify({ subjectId }))}`)
      .set(admin.auth)
  ).body as Array<{ action: string; staffId: string | null; after: any }>;
const lock = (convId: string, auth = moderator.auth, note = 'cooling off') =>
  t.http().post(`/admin/v1/conversations/${convId}/lock`).set(auth).send({ note });
const unlock = (convId: string, auth = moderator.auth) => t.http().delete(`/admin/v1/conversations/${convId}/lock`).set(auth).send({});

describe('dm-access', () => {
  it('switched off: the user may not start conversations or add members (403 messaging_restricted), but still reads and replies where active; DELETE undoes it; both audited', async () => {
    const [u, friend, stranger, third] = [await user(), await user(), await user(), await user()];
    const direct = await conversation(friend, [u]);
    await post(friend, direct).expect(201);
    await t.http().post(`/v1/conversations/${direct}/accept`).set(u.auth).expect(200);
    const group = await conversation(u, [friend, third]);

    const off = await t.http().put(`/admin/v1/users/${u.id}/dm-access`).set(moderator.auth).send({ note: 'spam wave' });
    await expectContract(off, 'PUT /admin/v1/users/{id}/dm-access', 200);
    expect(off.body).toMatchObject({ userId: u.id, dmAccess: false, revokedAt: expect.any(String) });

    await expectError(await create(u, [stranger]), 'POST /v1/conversations', 403, 'messaging_restricted');
    expect((await create(u, [stranger])).body.message).toMatch(/reply/);
    await expectError(
      await t
        .http()
        .post(`/v1/conversations/${group}/members`)
        .set(u.auth)
        .send({ userIds: [stranger.id] }),
      'POST /v1/conversations/{id}/members',
      403,
      'messaging_restricted',
    );
    // Still reads and replies where active: direct and group, REST and socket.
    expect((await post(u, direct, { text: 'still here' })).status).toBe(201);
    expect((await post(u, group, { text: 'group reply' })).status).toBe(201);
    const socket = await connectSocket(t.url, u.token);
    sockets.push(socket);
    const ack = await emitAck(socket, 'message.send', { conversationId: direct, clientId: randomUUID(), text: 'via socket' });
    expect(ack.message).toMatchObject({ text: 'via socket' });
    expect((await t.http().get(`/v1/conversations/${direct}/messages`).set(u.auth)).body.items.length).toBe(3);
    // Others may still start a conversation with them.
    expect((await create(stranger, [u])).status).toBe(201);

    // Idempotent: a second PUT changes nothing and records nothing.
    const again = await t.http().put(`/admin/v1/users/${u.id}/dm-access`).set(moderator.auth).send({ note: 'again' });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(off.body.revokedAt);

    const on = await t.http().delete(`/admin/v1/users/${u.id}/dm-access`).set(moderator.auth).send({ note: 'reviewed' });
    await expectContract(on, 'DELETE /admin/v1/users/{id}/dm-access', 200);
    expect(on.body).toMatchObject({ userId: u.id, dmAccess: true, revokedAt: null });
    expect((await create(u, [third])).status).toBe(201);

    const audit = await auditFor(u.id);
    expect(audit.filter((e) => e.action === 'user.dm_access.revoke')).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ dmAccess: false, note: 'spam wave' }) }),
    ]);
    expect(audit.filter((e) => e.action === 'user.dm_access.restore')).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ dmAccess: true, note: 'reviewed' }) }),
    ]);
    const verify = await t.http().get('/admin/v1/audit-log/verify').set(admin.auth);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('is for moderators and up: triage gets 403 forbidden_role; an unknown user is 404; a bad note is 400', async () => {
    const u = await user();
    await expectError(
      await t.http().put(`/admin/v1/users/${u.id}/dm-access`).set(triage.auth).send({}),
      'PUT /admin/v1/users/{id}/dm-access',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().delete(`/admin/v1/users/${u.id}/dm-access`).set(triage.auth).send({}),
      'DELETE /admin/v1/users/{id}/dm-access',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().put(`/admin/v1/users/${randomUUID()}/dm-access`).set(moderator.auth).send({}),
      'PUT /admin/v1/users/{id}/dm-access',
      404,
      'not_found',
    );
    await expectError(
      await t.http().put(`/admin/v1/users/${u.id}/dm-access`).set(moderator.auth).send({ note: 42 }),
      'PUT /admin/v1/users/{id}/dm-access',
      400,
      'invalid_request',
    );
    expect((await t.http().put(`/admin/v1/users/${u.id}/dm-access`).set(u.auth).send({})).status).toBe(401);
  });
});

describe('conversation lock', () => {
  it('nobody may send, reply, edit, react or add members (403 conversation_locked); members hear conversation.updated locked true/false live and in sync; the view carries locked; audited', async () => {
    const [a, b, c, d] = [await user(), await user(), await user(), await user()];
    for (const x of [b, c]) await follow(x, a);
    const group = await conversation(a, [b, c]);
    const first = (await post(a, group, { text: 'before the lock' }).expect(201)).body;
    const cursor = (await t.http().get('/v1/sync').set(b.auth)).body.cursor;
    const socketB = await connectSocket(t.url, b.token);
    sockets.push(socketB);
    const inboxB = new Inbox(socketB);

    const res = await lock(group);
    await expectContract(res, 'POST /admin/v1/conversations/{id}/lock', 200);
    expect(res.body).toEqual({ conversationId: group, locked: true });

    const live = await inboxB.waitFor('conversation.updated', (p) => p.conversation?.id === group && p.conversation.locked === true);
    expect(live[0]).toMatchObject({ type: 'conversation.updated', cursor: expect.any(String) });
    const synced = (await t.http().get(`/v1/sync?cursor=${cursor}`).set(b.auth)).body.events;
    expect(synced).toEqual([
      expect.objectContaining({ type: 'conversation.updated', conversation: expect.objectContaining({ locked: true }) }),
    ]);
    expect((await t.http().get(`/v1/conversations/${group}`).set(c.auth)).body.locked).toBe(true);

    for (const u of [a, b]) {
      await expectError(await post(u, group), 'POST /v1/conversations/{id}/messages', 403, 'conversation_locked');
      await expectError(await post(u, group, { replyTo: first.seq }), 'POST /v1/conversations/{id}/messages', 403, 'conversation_locked');
    }
    const ack = await emitAck(socketB, 'message.send', { conversationId: group, clientId: randomUUID(), text: 'socket' });
    expect(ack.error).toMatchObject({ code: 'conversation_locked' });
    await expectError(
      await t.http().patch(`/v1/conversations/${group}/messages/${first.id}`).set(a.auth).send({ text: 'edited' }),
      'PATCH /v1/conversations/{id}/messages/{messageId}',
      403,
      'conversation_locked',
    );
    await expectError(
      await t
        .http()
        .put(`/v1/conversations/${group}/messages/${first.id}/reactions/${encodeURIComponent('👍')}`)
        .set(b.auth),
      'PUT /v1/conversations/{id}/messages/{messageId}/reactions/{emoji}',
      403,
      'conversation_locked',
    );
    await expectError(
      await t
        .http()
        .post(`/v1/conversations/${group}/members`)
        .set(a.auth)
        .send({ userIds: [d.id] }),
      'POST /v1/conversations/{id}/members',
      403,
      'conversation_locked',
    );
    // Reading still works; nothing was stored.
    const msgs = (await t.http().get(`/v1/conversations/${group}/messages`).set(b.auth)).body.items;
    expect(msgs.map((m: any) => m.text)).toEqual(['before the lock']);
    // Idempotent: locking again tells nobody and records nothing.
    expect((await lock(group)).status).toBe(200);

    const un = await unlock(group);
    await expectContract(un, 'DELETE /admin/v1/conversations/{id}/lock', 200);
    expect(un.body).toEqual({ conversationId: group, locked: false });
    await inboxB.waitFor('conversation.updated', (p) => p.conversation?.id === group && p.conversation.locked === false);
    expect(inboxB.of('conversation.updated', (p) => p.conversation?.id === group)).toHaveLength(2);
    expect((await t.http().get(`/v1/conversations/${group}`).set(b.auth)).body.locked).toBe(false);
    expect((await post(b, group, { text: 'after unlock' })).status).toBe(201);

    const audit = await auditFor(group);
    expect(audit.map((e) => e.action).sort()).toEqual(['conversation.lock', 'conversation.unlock']);
    expect(audit.find((e) => e.action === 'conversation.lock')?.after).toMatchObject({ locked: true, note: 'cooling off' });
  });

  it('is for moderators and up; an unknown or malformed conversation id is 404', async () => {
    const [a, b] = [await user(), await user()];
    const conv = await conversation(a, [b]);
    await expectError(await lock(conv, triage.auth), 'POST /admin/v1/conversations/{id}/lock', 403, 'forbidden_role');
    await expectError(await unlock(conv, triage.auth), 'DELETE /admin/v1/conversations/{id}/lock', 403, 'forbidden_role');
    await expectError(await lock(randomUUID()), 'POST /admin/v1/conversations/{id}/lock', 404, 'not_found');
    await expectError(await unlock('not-a-uuid'), 'DELETE /admin/v1/conversations/{id}/lock', 404, 'not_found');
    expect((await lock(conv, admin.auth)).status).toBe(200);
  });

  it('a lock or unlock naming the state the caller read (expectLocked) is refused with 409 lock_state_changed when someone changed it since: nothing changes, nothing is audited', async () => {
    const [a, b] = [await user(), await user()];
    const conv = await conversation(a, [b]);
    const lockSeen = (auth: Record<string, string>, expectLocked: boolean) =>
      t.http().post(`/admin/v1/conversations/${conv}/lock`).set(auth).send({ note: 'seen open', expectLocked });
    const unlockSeen = (auth: Record<string, string>, expectLocked: boolean) =>
      t.http().delete(`/admin/v1/conversations/${conv}/lock`).set(auth).send({ note: 'seen locked', expectLocked });
    // Read open, still open: it locks.
    expect((await lockSeen(moderator.auth, false)).body).toEqual({ conversationId: conv, locked: true });
    // Another page also read it open: refused, in words, with the state found.
    const stale = await lockSeen(admin.auth, false);
    await expectError(stale, 'POST /admin/v1/conversations/{id}/lock', 409, 'lock_state_changed');
    expect(stale.body.message).toBe('Someone locked this conversation after you read it, so it is already locked; nothing was changed.');
    expect(stale.body.details).toEqual({ locked: true });
    // Read locked, still locked: it unlocks; a second page that read it locked is refused.
    expect((await unlockSeen(moderator.auth, true)).body).toEqual({ conversationId: conv, locked: false });
    const staleUnlock = await unlockSeen(admin.auth, true);
    await expectError(staleUnlock, 'DELETE /admin/v1/conversations/{id}/lock', 409, 'lock_state_changed');
    expect(staleUnlock.body.message).toBe(
      'Someone unlocked this conversation after you read it, so it is already open; nothing was changed.',
    );
    expect((await t.http().get(`/v1/conversations/${conv}`).set(a.auth)).body.locked).toBe(false);
    const audit = await auditFor(conv);
    expect(audit.map((e) => e.action).sort()).toEqual(['conversation.lock', 'conversation.unlock']);
    expect(audit.find((e) => e.action === 'conversation.lock')?.after).toMatchObject({ locked: true, note: 'seen open' });
    // expectLocked must be a boolean.
    await expectError(
      await lockSeen(moderator.auth, 'no' as unknown as boolean),
      'POST /admin/v1/conversations/{id}/lock',
      400,
      'invalid_request',
    );
  });

  it('race: a lock during parallel sends: no send is accepted after the lock answers 200', async () => {
    const rounds = await raceRounds(8, async () => {
      const [a, b, c] = [await user(), await user(), await user()];
      for (const x of [b, c]) await follow(x, a);
      const conv = await conversation(a, [b, c]);
      await t.http().post(`/v1/conversations/${conv}/accept`).set(b.auth);
      await t.http().post(`/v1/conversations/${conv}/accept`).set(c.auth);
      const accepted: string[] = [];
      const refusals: string[] = [];
      let stop = false;
      // Three senders keep sending until refused; the lock lands in the middle of the stream.
      const senders = [a, b, c].map(async (u) => {
        while (!stop) {
          const r = await post(u, conv);
          if (r.status === 201) accepted.push(r.body.id);
          else {
            expectErrorShape(r.body, 403, 'conversation_locked');
            refusals.push(r.body.code);
            return;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 30));
      const res = await lock(conv);
      expect(res.status).toBe(200);
      const stored = new Set<string>(
        (await t.http().get(`/v1/conversations/${conv}/messages?limit=100`).set(a.auth)).body.items.map((m: any) => m.id),
      );
      await Promise.race([Promise.all(senders), new Promise((r) => setTimeout(r, 5000))]);
      stop = true;
      await Promise.all(senders);
      // Every accepted send was stored before the lock answered; every sender was then refused.
      for (const id of accepted) expect(stored.has(id)).toBe(true);
      expect(accepted.length).toBe(stored.size);
      expect(refusals).toEqual(['conversation_locked', 'conversation_locked', 'conversation_locked']);
      const seqs = (await t.http().get(`/v1/conversations/${conv}/messages?limit=100`).set(a.auth)).body.items.map((m: any) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    });
    expect(rounds).toBe(8);
  });
});

describe('dm-stats', () => {
  it('counts sent, received, started, requests sent / declined / reported over 30 days, byDay every day with zeros; audited; moderator and up', async () => {
    const [s, friend, r1, r2, r3] = [await user(), await user(), await user(), await user(), await user()];
    await follow(friend, s);
    const withFriend = await conversation(s, [friend]); // not a request: the friend follows them
    await post(s, withFriend).expect(201);
    await post(s, withFriend).expect(201);
    await post(friend, withFriend).expect(201);
    const req1 = await conversation(s, [r1]);
    const req2 = await conversation(s, [r2]);
    const req3 = await conversation(s, [r3]);
    for (const c of [req1, req2, req3]) await post(s, c).expect(201);
    await t.http().post(`/v1/conversations/${req1}/decline`).set(r1.auth).expect(200);
    expect(
      (await t.http().post('/v1/reports').set(r2.auth).send({ subjectType: 'conversation', subjectId: req2, reason: 'spam' })).status,
    ).toBe(201);
    await post(r3, req3, { text: 'hi back' }).expect(201); // a reply accepts the request

    const res = await t.http().get(`/admin/v1/users/${s.id}/dm-stats`).set(moderator.auth);
    await expectContract(res, 'GET /admin/v1/users/{id}/dm-stats', 200);
    expect(res.body).toMatchObject({
      sent: 5,
      received: 2,
      conversationsStarted: 4,
      requestsSent: 3,
      requestsDeclined: 2, // r1 declined; reporting a pending request as spam also declines it (r2)
      requestsReported: 1,
    });
    const byDay = res.body.byDay as Array<{ day: string; sent: number; requestsSent: number }>;
    expect(byDay).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(byDay[29]).toEqual({ day: today, sent: 5, requestsSent: 3 });
    expect(byDay.slice(0, 29).every((d) => d.sent === 0 && d.requestsSent === 0)).toBe(true);
    const first = new Date(`${byDay[0].day}T00:00:00Z`).getTime();
    expect((new Date(`${today}T00:00:00Z`).getTime() - first) / 86_400_000).toBe(29);
    expect(new Set(byDay.map((d) => d.day)).size).toBe(30);

    // The person at the other end: what they received.
    const theirs = (await t.http().get(`/admin/v1/users/${friend.id}/dm-stats`).set(admin.auth)).body;
    expect(theirs).toMatchObject({ sent: 1, received: 2, conversationsStarted: 0, requestsSent: 0 });

    expect((await auditFor(s.id)).some((e) => e.action === 'user.dm_stats.read')).toBe(true);
    await expectError(
      await t.http().get(`/admin/v1/users/${s.id}/dm-stats`).set(triage.auth),
      'GET /admin/v1/users/{id}/dm-stats',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().get(`/admin/v1/users/${randomUUID()}/dm-stats`).set(moderator.auth),
      'GET /admin/v1/users/{id}/dm-stats',
      404,
      'not_found',
    );
  });
});
