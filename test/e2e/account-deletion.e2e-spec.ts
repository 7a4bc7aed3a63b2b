import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Db } from '@app/messaging/db/db.service';
import { ErasedEvidence } from '@app/messaging/safety/reports/erased-evidence.service';
import { RetainedMessages } from '@app/messaging/messages/retained-messages';
import { startTestApp, type TestApp } from '../support/app';
import { expectContract, expectError } from '../support/contract';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { connectSocket, disconnected } from '../support/socket';
import { until } from '../support/wait';
import { raceRounds } from '../support/race';

/**
 * Account deletion (API.md v1.2 "Your data", issue #31): `DELETE /v1/me` `{password}` and
 * `DELETE /platform/v1/users/:externalId` → 202. At once, on every API process: tokens 401,
 * sockets closed, the profile `{handle: null, displayName: "Deleted account"}`, the handle held
 * 30 days. Then the messages they sent read removed (`account_deleted`, seq kept) for everyone,
 * their follows, blocks and reactions are gone, they leave their groups, and a conversation of
 * two stays readable to the other person. Legal holds (admin, audited) keep frozen evidence
 * past its retention.
 */
const PLATFORM_KEY = 'deletion-key-0123456789abcdef';
const PASSWORD = 'correct horse battery';

let a: TestApp;
let b: TestApp;
let db: Db;
let admin: { auth: Record<string, string> };
beforeAll(async () => {
  a = await startTestApp({ label: 'account_deletion', env: { PLATFORM_API_KEYS: `main:${PLATFORM_KEY}` } });
  b = await startTestApp({
    db: a.db,
    redisPrefix: a.config.redisPrefix,
    env: { APP_ROLES: 'api', PLATFORM_API_KEYS: `main:${PLATFORM_KEY}` },
  });
  db = a.app.get(Db);
  admin = await loginStaff(a.url);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const http = () => request(a.url);
async function conversation(u: TestUser, ids: string[]): Promise<string> {
  const res = await http().post('/v1/conversations').set(u.auth).send({ participantIds: ids });
  expect([200, 201]).toContain(res.status);
  return res.body.id;
}
async function send(u: TestUser, conversationId: string, text: string) {
  const res = await http().post(`/v1/conversations/${conversationId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
}
const messagesOf = async (u: TestUser, conversationId: string) =>
  (await http().get(`/v1/conversations/${conversationId}/messages?limit=100`).set(u.auth).expect(200)).body.items as any[];
const deleteMe = (u: TestUser, body?: unknown) => {
  const req = http().delete('/v1/me').set(u.auth);
  return body === undefined ? req : req.send(body as object);
};
/** Waits until the erasure job has removed every message `sender` sent in the conversation, as `reader` lists them. */
const erased = (reader: TestUser, conversationId: string, senderId: string) =>
  until('the deleted account’s messages removed', async () => {
    const items = await messagesOf(reader, conversationId);
    return items.filter((m) => m.senderId === senderId).every((m) => m.state === 'removed') ? items : null;
  });

describe('DELETE /v1/me', () => {
  it('a wrong password is 401 invalid_credentials and deletes nothing; a missing one is 400', async () => {
    const u = await registerUser(a.url);
    await expectError(await deleteMe(u, { password: 'not my password at all' }), 'DELETE /v1/me', 401, 'invalid_credentials');
    await expectError(await deleteMe(u), 'DELETE /v1/me', 400, 'invalid_request');
    await http().get('/v1/me').set(u.auth).expect(200);
  });

  it("takes the sightings of the account's cached links (link_seen) with its messages; the other member's stay", async () => {
    const [alice, bob] = await Promise.all([registerUser(a.url), registerUser(a.url)]);
    await http().put(`/v1/users/${bob.id}/follow`).set(alice.auth).expect(204);
    await http().put(`/v1/users/${alice.id}/follow`).set(bob.auth).expect(204);
    const direct = await conversation(alice, [bob.id]);
    await http().post(`/v1/conversations/${direct}/accept`).set(bob.auth);
    const url = `https://seen-${randomUUID().slice(0, 8)}.deletion.example/`;
    await db.query(
      `INSERT INTO link (id, url, host, verdict, rule, sources, scanned_at, expires_at) VALUES ($1, $2, $3, 'safe', 'default', '[]', now(), now() + interval '1 hour')`,
      [randomUUID(), url, new URL(url).hostname],
    );
    expect((await send(alice, direct, `mine ${url}`)).links).toEqual([expect.objectContaining({ url, verdict: 'safe' })]);
    await send(bob, direct, `his ${url}`);
    const seenBy = async () =>
      (await db.query('SELECT sender_id FROM link_seen WHERE conversation_id = $1 ORDER BY sender_id', [direct])).map(
        (r: { sender_id: string }) => r.sender_id,
      );
    expect(await seenBy()).toEqual([alice.id, bob.id].sort());
    await deleteMe(alice, { password: PASSWORD }).expect(202);
    await erased(bob, direct, alice.id);
    expect(await until("alice's sightings gone", async () => ((await seenBy()).length === 1 ? seenBy() : null))).toEqual([bob.id]);
    expect(await db.query('SELECT count(*)::int AS n FROM link_seen_dirty WHERE sender_id = $1', [alice.id])).toEqual([{ n: 0 }]);
  });

  it('ends tokens and sockets at once on every API process, anonymises the profile, and removes what they sent for everyone', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      registerUser(a.url),
      registerUser(a.url),
      registerUser(a.url),
      registerUser(a.url),
    ]);
    await http().put(`/v1/users/${bob.id}/follow`).set(alice.auth).expect(204);
    await http().put(`/v1/users/${alice.id}/follow`).set(bob.auth).expect(204);
    await http().put(`/v1/users/${dave.id}/block`).set(alice.auth).expect(204);
    const direct = await conversation(alice, [bob.id]);
    await http().post(`/v1/conversations/${direct}/accept`).set(bob.auth);
    const sent = await send(alice, direct, 'see https://example.com/alice-page for my address');
    const reply = await send(bob, direct, 'thanks alice');
    const reacted = await http()
      .put(`/v1/conversations/${direct}/messages/${reply.id}/reactions/${encodeURIComponent('👍')}`)
      .set(alice.auth);
    expect(reacted.status).toBe(204);
    const group = await conversation(bob, [alice.id, carol.id]);
    await http().post(`/v1/conversations/${group}/accept`).set(alice.auth);
    const refresh = await http().post('/v1/auth/login').send({ handle: alice.handle, password: PASSWORD }).expect(200);
    // Sockets on both processes, and process b has just let her in (its status copy is fresh).
    const sockA = await connectSocket(a.url, alice.token);
    const sockB = await connectSocket(b.url, alice.token);
    const closedA = disconnected(sockA);
    const closedB = disconnected(sockB);
    await request(b.url).get('/v1/me').set(alice.auth).expect(200);

    await expectContract(await deleteMe(alice, { password: PASSWORD }), 'DELETE /v1/me', 202);

    // At once: the tokens here and there, the refresh token, the sockets on both processes.
    expect((await http().get('/v1/me').set(alice.auth)).status).toBe(401);
    const there = await until('process b refuses the token', async () => {
      const r = await request(b.url).get('/v1/me').set(alice.auth);
      return r.status === 401 ? r : null;
    });
    expect(there.status).toBe(401);
    expect((await http().post('/v1/auth/refresh').send({ refreshToken: refresh.body.refreshToken })).status).toBe(401);
    await Promise.all([closedA, closedB]);
    // The profile, to everyone.
    const profile = await http().get(`/v1/users/${alice.id}`).set(bob.auth).expect(200);
    expect(profile.body).toMatchObject({ id: alice.id, handle: null, displayName: 'Deleted account' });
    expect((await http().get(`/v1/users?handle=${alice.handle}`).set(bob.auth).expect(200)).body.items).toEqual([]);
    // Her messages: removed for the other person, seq kept; the conversation stays readable to him.
    const items = await erased(bob, direct, alice.id);
    const mine = items.find((m) => m.id === sent.id);
    expect(mine).toMatchObject({ seq: sent.seq, state: 'removed', removedReason: 'account_deleted', text: null, links: [] });
    expect(items.find((m) => m.id === reply.id)).toMatchObject({ text: 'thanks alice', state: 'visible' });
    const view = await http().get(`/v1/conversations/${direct}`).set(bob.auth).expect(200);
    expect(view.body.members.find((m: any) => m.userId === alice.id)).toMatchObject({ handle: null, displayName: 'Deleted account' });
    // Her reaction, follows and block are gone; she left the group.
    await until('her reaction withdrawn', async () => {
      const r = (await messagesOf(bob, direct)).find((m) => m.id === reply.id);
      return r.reactions.length === 0;
    });
    const rows = await db.query(
      `SELECT (SELECT count(*)::int FROM follow WHERE follower_id = $1 OR followee_id = $1) AS follows,
              (SELECT count(*)::int FROM block WHERE blocker_id = $1 OR blocked_id = $1) AS blocks`,
      [alice.id],
    );
    expect(rows[0]).toEqual({ follows: 0, blocks: 0 });
    await until('she left the group', async () => {
      const g = await http().get(`/v1/conversations/${group}`).set(bob.auth).expect(200);
      return (
        g.body.members.find((m: any) => m.userId === alice.id)?.state === 'left' || !g.body.members.some((m: any) => m.userId === alice.id)
      );
    });
    sockA.close();
    sockB.close();
  });

  it('holds the handle for 30 days (handle_taken), then anyone may register it', async () => {
    const u = await registerUser(a.url);
    await deleteMe(u, { password: PASSWORD }).expect(202);
    const again = await http().post('/v1/auth/register').send({ handle: u.handle, displayName: 'Someone else', password: PASSWORD });
    await expectError(again, 'POST /v1/auth/register', 409, 'handle_taken');
    // Thirty days later (the hold's end moved to the past).
    await db.query(`UPDATE handle_hold SET until = now() - interval '1 second'`);
    const later = await http().post('/v1/auth/register').send({ handle: u.handle, displayName: 'Someone else', password: PASSWORD });
    expect(later.status).toBe(201);
    expect(later.body.user.id).not.toBe(u.id);
  });

  it('two parallel deletions (on two API processes) make one: one audit entry, one hold', async () => {
    const rounds = await raceRounds(5, async () => {
      const u = await registerUser(a.url);
      const [r1, r2] = await Promise.all([
        deleteMe(u, { password: PASSWORD }),
        request(b.url).delete('/v1/me').set(u.auth).send({ password: PASSWORD }),
      ]);
      // The second either waited for the first's row lock (202, nothing done twice) or arrived after it (its token is refused).
      expect([r1.status, r2.status].filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
      for (const r of [r1, r2]) expect([202, 401]).toContain(r.status);
      const [row] = await db.query(
        `SELECT (SELECT count(*)::int FROM audit_log WHERE action = 'user.deleted' AND subject_id = $1) AS audits,
              (SELECT count(*)::int FROM handle_hold WHERE handle_hash = encode(sha256(convert_to($2, 'UTF8')), 'hex')) AS holds`,
        [u.id, u.handle],
      );
      expect(row).toEqual({ audits: 1, holds: 1 });
    });
    expect(rounds).toBe(5);
  });
});

describe('DELETE /platform/v1/users/:externalId', () => {
  const key = { Authorization: `Bearer ${PLATFORM_KEY}` };
  it('deletes a host account (202, again 202), its tokens stop, and the externalId is free for a new account', async () => {
    const externalId = `host-${randomUUID()}`;
    const handle = uniqueHandle('host');
    await http().put(`/platform/v1/users/${externalId}`).set(key).send({ handle, displayName: 'Host Person' }).expect(201);
    const tokens = await http().post(`/platform/v1/users/${externalId}/tokens`).set(key).expect(200);
    const auth = { Authorization: `Bearer ${tokens.body.accessToken}` };
    const me = await http().get('/v1/me').set(auth).expect(200);

    await expectContract(await http().delete(`/platform/v1/users/${externalId}`).set(key), 'DELETE /platform/v1/users/{externalId}', 202);
    expect((await http().get('/v1/me').set(auth)).status).toBe(401);
    expect(
      (
        await http()
          .get(`/v1/users/${me.body.id}`)
          .set(await someone())
          .expect(200)
      ).body,
    ).toMatchObject({
      handle: null,
      displayName: 'Deleted account',
    });
    // Idempotent; an id nobody had is 404.
    expect((await http().delete(`/platform/v1/users/${externalId}`).set(key)).status).toBe(202);
    await expectError(
      await http().delete(`/platform/v1/users/never-${randomUUID()}`).set(key),
      'DELETE /platform/v1/users/{externalId}',
      404,
      'not_found',
    );
    // The deleted account's handle is held for the host's accounts too (409 handle_taken, as for registration).
    await expectError(
      await http().put(`/platform/v1/users/other-${randomUUID()}`).set(key).send({ handle, displayName: 'Impostor' }),
      'PUT /platform/v1/users/{externalId}',
      409,
      'handle_taken',
    );
    // The host may create a new account under the same id: a different user.
    const fresh = await http()
      .put(`/platform/v1/users/${externalId}`)
      .set(key)
      .send({ handle: uniqueHandle('host'), displayName: 'New' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(me.body.id);
  });

  it('a deleted account without a password deletes itself with no body', async () => {
    const externalId = `host-${randomUUID()}`;
    await http()
      .put(`/platform/v1/users/${externalId}`)
      .set(key)
      .send({ handle: uniqueHandle('host'), displayName: 'Host' })
      .expect(201);
    const tokens = await http().post(`/platform/v1/users/${externalId}/tokens`).set(key).expect(200);
    const auth = { Authorization: `Bearer ${tokens.body.accessToken}` };
    await http().delete('/v1/me').set(auth).expect(202);
    expect((await http().get('/v1/me').set(auth)).status).toBe(401);
  });
});

async function someone() {
  return (await registerUser(a.url)).auth;
}

describe('legal hold', () => {
  async function staffWith(role: 'moderator') {
    const email = `${uniqueHandle(role)}@example.com`;
    await http()
      .post('/admin/v1/staff')
      .set(admin.auth)
      .send({ email, displayName: 'Mod', password: 'staff-password-1', role })
      .expect(201);
    return loginStaff(a.url, email, 'staff-password-1');
  }

  it('PUT and DELETE /admin/v1/users/:id/legal-hold: admin only, 204, each audited; bad input 400, unknown user 404', async () => {
    const u = await registerUser(a.url);
    const mod = await staffWith('moderator');
    await expectError(
      await http().put(`/admin/v1/users/${u.id}/legal-hold`).set(mod.auth).send({ note: 'court order' }),
      'PUT /admin/v1/users/{id}/legal-hold',
      403,
      'forbidden_role',
    );
    await expectError(
      await http().put(`/admin/v1/users/${u.id}/legal-hold`).set(admin.auth).send({}),
      'PUT /admin/v1/users/{id}/legal-hold',
      400,
      'invalid_request',
    );
    await expectError(
      await http().put(`/admin/v1/users/${randomUUID()}/legal-hold`).set(admin.auth).send({ note: 'x' }),
      'PUT /admin/v1/users/{id}/legal-hold',
      404,
      'not_found',
    );
    await expectContract(
      await http().put(`/admin/v1/users/${u.id}/legal-hold`).set(admin.auth).send({ note: 'Police preservation request 118' }),
      'PUT /admin/v1/users/{id}/legal-hold',
      204,
    );
    const user = await http().get(`/admin/v1/users/${u.id}`).set(admin.auth).expect(200);
    expect(user.body.legalHold).toMatchObject({ note: 'Police preservation request 118' });
    await expectError(
      await http().delete(`/admin/v1/users/${u.id}/legal-hold`).set(mod.auth).send({}),
      'DELETE /admin/v1/users/{id}/legal-hold',
      403,
      'forbidden_role',
    );
    await expectContract(
      await http().delete(`/admin/v1/users/${u.id}/legal-hold`).set(admin.auth).send({ note: 'Request withdrawn' }),
      'DELETE /admin/v1/users/{id}/legal-hold',
      204,
    );
    expect((await http().get(`/admin/v1/users/${u.id}`).set(admin.auth).expect(200)).body.legalHold).toBeNull();
    const audit = await db.query(
      `SELECT action, after FROM audit_log WHERE subject_id = $1 AND action LIKE 'user.legal_hold.%' ORDER BY seq`,
      [u.id],
    );
    expect(audit.map((r: any) => r.action)).toEqual(['user.legal_hold.place', 'user.legal_hold.lift']);
  });

  it('frozen evidence about a deleted account stays while its report is open or a hold stands, then goes with the unsent-text retention', async () => {
    const [harasser, victim] = await Promise.all([registerUser(a.url), registerUser(a.url)]);
    const c = await conversation(harasser, [victim.id]);
    const open = await send(harasser, c, 'first nasty message from the harasser');
    await send(harasser, c, 'second nasty message from the harasser');
    const evidenceText = async (id: string) =>
      JSON.stringify((await db.query(`SELECT evidence FROM report WHERE id = $1`, [id]))[0].evidence);
    const fileReport = async (reporter: TestUser, messageId: string) => {
      const r = await http()
        .post('/v1/reports')
        .set(reporter.auth)
        .send({ subjectType: 'message', subjectId: messageId, reason: 'harassment' });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    // Open: the victim's report about the harasser (its case stays open). Closed: the harasser's
    // own report about the victim, whose evidence holds the harasser's messages as context.
    await http().post(`/v1/conversations/${c}/accept`).set(victim.auth).expect(200);
    const answer = await send(victim, c, 'leave me alone please');
    const openReport = await fileReport(victim, open.id);
    const closedReport = await fileReport(harasser, answer.id);
    expect(await evidenceText(closedReport)).toContain('second nasty message');
    await http().post(`/admin/v1/reports/${closedReport}/resolve`).set(admin.auth).send({ action: 'dismiss' }).expect(200);
    await http().put(`/admin/v1/users/${harasser.id}/legal-hold`).set(admin.auth).send({ note: 'Court order 7' }).expect(204);
    await deleteMe(harasser, { password: PASSWORD }).expect(202);
    await erased(victim, c, harasser.id);
    // The staff console shows the account as deleted, held, with its open case.
    const staffView = await http().get(`/admin/v1/users/${harasser.id}`).set(admin.auth).expect(200);
    expect(staffView.body).toMatchObject({ handle: null, displayName: 'Deleted account', legalHold: { note: 'Court order 7' } });
    expect(staffView.body.deletedAt).not.toBeNull();
    expect(staffView.body.openCaseIds.length).toBe(1);

    // Long past the retention: everything older than UNSENT_RETENTION_DAYS (30 by default).
    const backdate = () =>
      db.query(`UPDATE app_user SET deleted_at = now() - interval '400 days' WHERE id = $1;`, [harasser.id]).then(() =>
        db.query(
          `WITH r AS (UPDATE report SET resolved_at = now() - interval '400 days' WHERE id = $1 RETURNING case_id)
           UPDATE moderation_case SET resolved_at = now() - interval '400 days' WHERE id IN (SELECT case_id FROM r)`,
          [closedReport],
        ),
      );
    await backdate();
    const sweep = async () => {
      await a.app.get(RetainedMessages).purgeExpired();
      await a.app.get(ErasedEvidence).purgeExpired();
    };
    await sweep();
    // Under the hold: both reports keep their evidence (the closed one too).
    expect(await evidenceText(openReport)).toContain('first nasty message');
    expect(await evidenceText(closedReport)).toContain('second nasty message');
    // The hold lifted: the closed report loses the account's words; the open one keeps them.
    await http().delete(`/admin/v1/users/${harasser.id}/legal-hold`).set(admin.auth).send({}).expect(204);
    await sweep();
    expect(await evidenceText(openReport)).toContain('first nasty message');
    const erasedEvidence = await evidenceText(closedReport);
    expect(erasedEvidence).not.toContain('second nasty message');
    expect(erasedEvidence).not.toContain(harasser.handle);
    expect(erasedEvidence).toContain('Deleted account');
    // The staff-only copies of the account's messages went once no hold kept them.
    const [copies] = await db.query(
      `SELECT count(*)::int AS n FROM message_retained r JOIN message m ON m.id = r.message_id WHERE m.sender_id = $1`,
      [harasser.id],
    );
    expect(copies.n).toBe(0);
  });
});
