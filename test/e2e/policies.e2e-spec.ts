import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { STATEMENT_CATEGORIES } from '@app/messaging/safety/enforcement/dsa-vocabulary';
import { Migration20261206200000_policies } from '@app/messaging/migrations/Migration20261206200000_policies';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';

/**
 * Issue #29 (API.md v1.2 "Policies, strikes and statements the EU database accepts"): the
 * policies (CRUD, the default set, its seed), every decision naming a policy and severity
 * with the contract's defaults, strikes that expire and the standing, and statements that
 * name the policy.
 */
let t: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
let triage: Staff;

async function staffWith(role: 'admin' | 'moderator' | 'triage'): Promise<Staff> {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

beforeAll(async () => {
  t = await startTestApp({ label: 'policies', env: { LIMIT_REPORTS: '1000/3600', LIMIT_SEND_BURST: '1000/10' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
  [moderator, triage] = await Promise.all([staffWith('moderator'), staffWith('triage')]);
});
afterAll(async () => {
  await t?.close();
});

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const key = () => `p_${randomBytes(4).toString('hex')}`;
const word = () => `zq${[...randomBytes(5)].map((x) => String.fromCharCode(97 + (x % 26))).join('')}`;
const DEFAULT_KEYS = ['spam', 'harassment', 'hate', 'violence', 'self_harm', 'scam', 'other', 'unfounded_reports'];
const severities = [
  { key: 'minor', strikes: 1, expiryDays: 30, suggestedAction: 'warn' },
  { key: 'major', strikes: 3, expiryDays: 120, suggestedAction: 'suspend' },
];
const policyBody = (k = key()) => ({
  key: k,
  title: 'Sharing private information',
  description: "Publishing someone's address or documents without consent.",
  category: 'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
  severities,
});
const allPolicies = async (s: Staff = admin) =>
  (
    await t
      .http()
      .get(`/admin/v1/policies?range=${q([0, 99])}`)
      .set(s.auth)
      .expect(200)
  ).body as any[];
const policyByKey = async (k: string) => (await allPolicies()).find((p) => p.key === k);
const act = (u: TestUser, body: Record<string, unknown>) => t.http().post(`/admin/v1/users/${u.id}/actions`).set(moderator.auth).send(body);
const standing = (u: TestUser, query = '') => t.http().get(`/admin/v1/users/${u.id}/standing${query}`).set(triage.auth);
const notices = async (u: TestUser) => (await t.http().get('/v1/notices').set(u.auth).expect(200)).body.items as any[];
const actionRow = async (id: string) =>
  (
    await db.query(
      `SELECT action, policy, severity, category, strikes, round(extract(epoch FROM strikes_expire_at - created_at) / 86400) AS days
         FROM moderation_action WHERE id = $1`,
      [id],
    )
  )[0];
const report = (u: TestUser, body: Record<string, unknown>) => t.http().post('/v1/reports').set(u.auth).send(body);
const caseOf = async (userId: string) =>
  (
    await t
      .http()
      .get(`/admin/v1/cases?filter=${q({ subjectUserId: userId, status: 'open' })}`)
      .set(moderator.auth)
      .expect(200)
  ).body as any[];

async function reportedUser(reason: string) {
  const [subject, reporter] = [await registerUser(t.url), await registerUser(t.url)];
  const r = await report(reporter, { subjectType: 'user', subjectId: subject.id, reason });
  expect(r.status).toBe(201);
  return { subject, reporter, reportId: r.body.id as string };
}

describe('policies: the resource', () => {
  it('a fresh install ships the default set: every report reason, scam and unfounded_reports, each severity at least one strike for at least a day, with a DSA category', async () => {
    const res = await t
      .http()
      .get(`/admin/v1/policies?range=${q([0, 99])}&sort=${q(['key', 'ASC'])}`)
      .set(triage.auth);
    await expectContract(res, 'GET /admin/v1/policies', 200);
    const keys = res.body.map((p: { key: string }) => p.key);
    expect(keys).toEqual(expect.arrayContaining(DEFAULT_KEYS));
    for (const p of res.body.filter((x: { key: string }) => DEFAULT_KEYS.includes(x.key))) {
      expect(STATEMENT_CATEGORIES).toContain(p.category);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.severities.length).toBeGreaterThan(0);
      for (const s of p.severities) {
        expect(s.strikes).toBeGreaterThanOrEqual(1);
        expect(s.expiryDays).toBeGreaterThanOrEqual(1);
        expect(['remove_content', 'warn', 'restrict_messaging', 'suspend', 'ban']).toContain(s.suggestedAction);
      }
    }
    expect((await policyByKey('scam')).category).toBe('STATEMENT_CATEGORY_SCAMS_AND_FRAUD');
    // Every staff role reads one policy too.
    const one = await t.http().get(`/admin/v1/policies/${res.body[0].id}`).set(moderator.auth);
    await expectContract(one, 'GET /admin/v1/policies/{id}', 200);
    expect(one.body).toEqual(res.body[0]);
    await expectError(
      await t.http().get(`/admin/v1/policies/${randomUUID()}`).set(triage.auth),
      'GET /admin/v1/policies/{id}',
      404,
      'not_found',
    );
    expectErrorShape((await t.http().get('/admin/v1/policies/not-a-uuid').set(triage.auth)).body, 404, 'not_found');
    await expectError(
      await t
        .http()
        .get(`/admin/v1/policies?filter=${q({ nope: 1 })}`)
        .set(triage.auth),
      'GET /admin/v1/policies',
      400,
      'invalid_request',
    );
    expect(await allPolicies(triage)).toHaveLength((await allPolicies()).length);
  });

  it('admins create (201, audited), edit and delete; moderators and triage may not write (403 forbidden_role)', async () => {
    const body = policyBody();
    for (const s of [moderator, triage]) {
      await expectError(await t.http().post('/admin/v1/policies').set(s.auth).send(body), 'POST /admin/v1/policies', 403, 'forbidden_role');
    }
    const created = await t.http().post('/admin/v1/policies').set(admin.auth).send(body);
    await expectContract(created, 'POST /admin/v1/policies', 201);
    expect(created.body).toMatchObject({ ...body, id: expect.any(String), updatedBy: admin.staff.id });
    const id = created.body.id as string;
    expectErrorShape((await t.http().put(`/admin/v1/policies/${id}`).set(moderator.auth).send({ title: 'x' })).body, 403, 'forbidden_role');

    // A react-admin edit sends the whole record back: the key is unchanged, fields left out keep their value.
    const edited = await t
      .http()
      .put(`/admin/v1/policies/${id}`)
      .set(admin.auth)
      .send({
        ...created.body,
        title: 'Doxxing',
        severities: [{ key: 'only', strikes: 2, expiryDays: 7, suggestedAction: 'restrict_messaging' }],
      });
    await expectContract(edited, 'PUT /admin/v1/policies/{id}', 200);
    expect(edited.body).toMatchObject({
      key: body.key,
      title: 'Doxxing',
      description: body.description,
      severities: [{ key: 'only', strikes: 2 }],
    });
    await expectError(
      await t.http().put(`/admin/v1/policies/${id}`).set(admin.auth).send({ key: 'renamed' }),
      'PUT /admin/v1/policies/{id}',
      400,
      'invalid_request',
    );
    const audit = await db.query(
      `SELECT action, before, after FROM audit_log WHERE subject_type = 'policy' AND subject_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['policy.create', 'policy.update']);
    expect(audit[1].before.title).toBe(body.title);
    expect(audit[1].after.title).toBe('Doxxing');

    const removed = await t.http().delete(`/admin/v1/policies/${id}`).set(admin.auth);
    await expectContract(removed, 'DELETE /admin/v1/policies/{id}', 200);
    expectErrorShape((await t.http().get(`/admin/v1/policies/${id}`).set(admin.auth)).body, 404, 'not_found');
  });

  it('a duplicate key is 409 conflict, also when two admins create it at the same moment (exactly one wins)', async () => {
    const body = policyBody();
    expect((await t.http().post('/admin/v1/policies').set(admin.auth).send(body)).status).toBe(201);
    await expectError(await t.http().post('/admin/v1/policies').set(admin.auth).send(body), 'POST /admin/v1/policies', 409, 'conflict');
    expectErrorShape(
      (
        await t
          .http()
          .post('/admin/v1/policies')
          .set(admin.auth)
          .send({ ...body, key: 'spam' })
      ).body,
      409,
      'conflict',
    );
    const admin2 = await staffWith('admin');
    await raceRounds(RACE_ROUNDS, async () => {
      const k = key();
      const res = await Promise.all([admin, admin2, admin].map((s) => t.http().post('/admin/v1/policies').set(s.auth).send(policyBody(k))));
      expect(res.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect(await db.query('SELECT id FROM policy WHERE key = $1', [k])).toHaveLength(1);
    });
  });

  it('bad input is 400 invalid_request naming the field: key pattern, unknown category, severities', async () => {
    const bad = async (patch: Record<string, unknown>, field: string) => {
      const res = await t
        .http()
        .post('/admin/v1/policies')
        .set(admin.auth)
        .send({ ...policyBody(), ...patch });
      expectErrorShape(res.body, 400, 'invalid_request');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      return res;
    };
    await bad({ key: 'Has Spaces' }, 'key');
    await bad({ key: 'x' }, 'key');
    await bad({ key: 'k'.repeat(41) }, 'key');
    await expectError(await bad({ category: 'STATEMENT_CATEGORY_MADE_UP' }, 'category'), 'POST /admin/v1/policies', 400, 'invalid_request');
    await bad({ category: 'Scams and/or fraud' }, 'category');
    await bad({ title: '' }, 'title');
    await bad({ severities: [] }, 'severities');
    await bad({ severities: 'low' }, 'severities');
    await bad({ severities: [{ key: 'low', strikes: -1, expiryDays: 30, suggestedAction: 'warn' }] }, 'severities[0].strikes');
    await bad({ severities: [{ key: 'low', strikes: 1, expiryDays: 0, suggestedAction: 'warn' }] }, 'severities[0].expiryDays');
    await bad({ severities: [{ key: 'low', strikes: 1, expiryDays: 3, suggestedAction: 'dismiss' }] }, 'severities[0].suggestedAction');
    await bad({ severities: [severities[0], severities[0]] }, 'severities[1].key');
    const p = await policyByKey('violence');
    expectErrorShape(
      (await t.http().put(`/admin/v1/policies/${p.id}`).set(admin.auth).send({ category: 'NOPE' })).body,
      400,
      'invalid_request',
    );
    expect((await policyByKey('violence')).category).toBe(p.category);
  });

  it("the default set is seeded without overwriting admins' edits; the default policies and those a rule names cannot be deleted (409)", async () => {
    const spam = await policyByKey('spam');
    const edited = { title: 'Spam (our wording)', severities: [{ key: 'first', strikes: 2, expiryDays: 10, suggestedAction: 'warn' }] };
    expect((await t.http().put(`/admin/v1/policies/${spam.id}`).set(admin.auth).send(edited)).status).toBe(200);
    // The migration's seed, run again over the edited set, changes nothing.
    const migration = new Migration20261206200000_policies(undefined as never, undefined as never);
    await migration.up();
    const seed = migration.getQueries().filter((s): s is string => typeof s === 'string' && s.startsWith('insert into policy'));
    expect(seed.length).toBeGreaterThanOrEqual(DEFAULT_KEYS.length);
    for (const sql of seed) await db.query(sql);
    expect(await policyByKey('spam')).toMatchObject(edited);
    expect(await db.query(`SELECT count(*)::int AS n FROM policy WHERE key = 'spam'`)).toEqual([{ n: 1 }]);
    await t
      .http()
      .put(`/admin/v1/policies/${spam.id}`)
      .set(admin.auth)
      .send({ title: spam.title, severities: spam.severities })
      .expect(200);

    await expectError(
      await t.http().delete(`/admin/v1/policies/${spam.id}`).set(admin.auth),
      'DELETE /admin/v1/policies/{id}',
      409,
      'conflict',
    );
    const mine = (await t.http().post('/admin/v1/policies').set(admin.auth).send(policyBody()).expect(201)).body;
    const r = (
      await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ name: `r-${word()}`, kind: 'keyword', patterns: [word()], appliesTo: ['direct'], action: 'flag', policy: mine.key })
        .expect(201)
    ).body;
    expectErrorShape((await t.http().delete(`/admin/v1/policies/${mine.id}`).set(admin.auth)).body, 409, 'conflict');
    await t.http().delete(`/admin/v1/rules/${r.id}`).set(admin.auth).expect(200);
    expect((await t.http().delete(`/admin/v1/policies/${mine.id}`).set(admin.auth)).status).toBe(200);
  });
});

describe('every decision names a policy and a severity', () => {
  it('a direct action takes the named policy and severity: its strikes, category and statement; left out: other at its first severity; a policy alone: its first severity', async () => {
    const u = await registerUser(t.url);
    const named = await act(u, { action: 'warn', note: 'threats', policy: 'violence', severity: 'medium' });
    await expectContract(named, 'POST /admin/v1/users/{id}/actions', 200);
    expect(named.body.action).toMatchObject({
      policy: 'violence',
      severity: 'medium',
      category: 'STATEMENT_CATEGORY_VIOLENCE',
      strikes: 2,
    });
    expect(await actionRow(named.body.action.id)).toEqual({
      action: 'warn',
      policy: 'violence',
      severity: 'medium',
      category: 'STATEMENT_CATEGORY_VIOLENCE',
      strikes: 2,
      days: '180',
    });
    // The notice and its statement, as a resolve gives; the ground names the policy.
    const warning = (await notices(u)).find((n) => n.kind === 'warning');
    expect(warning.data).toMatchObject({ actionId: named.body.action.id, policy: 'violence', severity: 'medium' });
    expect(warning.statement).toMatchObject({
      action: 'warn',
      automated: false,
      ground: 'Community Guidelines: Violence and threats. Threatening, inciting or glorifying violence against people.',
      facts: 'A moderator reviewed your account and found violent content.',
    });
    expect(warning.text).toMatch(/found violent content/);

    const plain = await act(u, { action: 'warn', note: 'v1 client' });
    expect(plain.body.action).toMatchObject({
      policy: 'other',
      severity: 'low',
      strikes: 1,
      category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    });
    const policyOnly = await act(u, { action: 'restrict_messaging', durationHours: 1, note: 'x', policy: 'hate' });
    expect(policyOnly.body.action).toMatchObject({ policy: 'hate', severity: 'low', strikes: 1 });
  });

  it('an unknown policy or severity is 400 invalid_request and nothing is applied', async () => {
    const u = await registerUser(t.url);
    await expectError(
      await act(u, { action: 'suspend', note: 'x', policy: 'nope' }),
      'POST /admin/v1/users/{id}/actions',
      400,
      'invalid_request',
    );
    expectErrorShape((await act(u, { action: 'suspend', note: 'x', policy: 'spam', severity: 'nope' })).body, 400, 'invalid_request');
    // A severity of another policy is not one of this policy's.
    expectErrorShape(
      (await act(u, { action: 'suspend', note: 'x', policy: 'self_harm', severity: 'severe' })).body,
      400,
      'invalid_request',
    );
    expectErrorShape((await act(u, { action: 'warn', policy: 42 })).body, 400, 'invalid_request');
    expect(await db.query('SELECT id FROM moderation_action WHERE user_id = $1', [u.id])).toEqual([]);
    expect((await t.http().get('/v1/me').set(u.auth)).status).toBe(200);
  });

  it("a report's resolve defaults to the policy of the report's reason at its first severity; named ones win; unknown ones are 400 and the report stays open", async () => {
    const a = await reportedUser('harassment');
    const res = await t.http().post(`/admin/v1/reports/${a.reportId}/resolve`).set(moderator.auth).send({ action: 'warn' });
    expect(res.status).toBe(200);
    const [byDefault] = await db.query('SELECT policy, severity, strikes FROM moderation_action WHERE user_id = $1', [a.subject.id]);
    expect(byDefault).toEqual({ policy: 'harassment', severity: 'low', strikes: 1 });
    expect(res.body.resolution).toMatchObject({ policy: 'harassment', severity: 'low' });

    const b = await reportedUser('spam');
    expectErrorShape(
      (
        await t
          .http()
          .post(`/admin/v1/reports/${b.reportId}/resolve`)
          .set(moderator.auth)
          .send({ action: 'warn', policy: 'spam', severity: 'x' })
      ).body,
      400,
      'invalid_request',
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${b.reportId}/resolve`).set(moderator.auth).send({ action: 'warn', policy: 'unknown_one' }),
      'POST /admin/v1/reports/{id}/resolve',
      400,
      'invalid_request',
    );
    expect((await t.http().get(`/admin/v1/reports/${b.reportId}`).set(moderator.auth)).body.status).not.toBe('resolved');
    const named = await t
      .http()
      .post(`/admin/v1/reports/${b.reportId}/resolve`)
      .set(moderator.auth)
      .send({ action: 'suspend', durationHours: 2, policy: 'scam', severity: 'severe' });
    expect(named.status).toBe(200);
    const [row] = await db.query('SELECT policy, severity, strikes, category FROM moderation_action WHERE user_id = $1', [b.subject.id]);
    expect(row).toEqual({ policy: 'scam', severity: 'severe', strikes: 4, category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD' });

    // A dismissal takes no policy: nothing is applied.
    const c = await reportedUser('other');
    await t.http().post(`/admin/v1/reports/${c.reportId}/resolve`).set(moderator.auth).send({ action: 'dismiss' }).expect(200);
    expect(await db.query('SELECT id FROM moderation_action WHERE user_id = $1', [c.subject.id])).toEqual([]);
  });

  it("a case's resolve names the policy and severity (statement, strikes, the case's resolution); unknown ones are 400 and the case stays open", async () => {
    const { subject } = await reportedUser('hate');
    const [c] = await caseOf(subject.id);
    await expectError(
      await t.http().post(`/admin/v1/cases/${c.id}/resolve`).set(moderator.auth).send({ action: 'warn', policy: 'hate', severity: 'nope' }),
      'POST /admin/v1/cases/{id}/resolve',
      400,
      'invalid_request',
    );
    expect((await caseOf(subject.id))[0].id).toBe(c.id);
    const res = await t
      .http()
      .post(`/admin/v1/cases/${c.id}/resolve`)
      .set(moderator.auth)
      .send({ action: 'suspend', durationHours: 1, policy: 'hate', severity: 'medium' });
    expect(res.status).toBe(200);
    expect(res.body.resolution).toMatchObject({ policy: 'hate', severity: 'medium' });
    const [n] = await db.query(`SELECT statement FROM notice WHERE user_id = $1 AND kind = 'enforcement'`, [subject.id]);
    expect(n.statement.ground).toMatch(/^Community Guidelines: Hateful conduct\./);
    expect((await standing(subject)).body.activeStrikes).toBe(2);
  });

  it("rules take a policy and severity (default: other at its first); a held message's rejection takes the rule's unless staff name one; unknown ones are 400", async () => {
    const w = word();
    const base = { name: `r-${w}`, kind: 'keyword', patterns: [w], appliesTo: ['direct'], action: 'hold' };
    await expectError(
      await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ ...base, policy: 'nope' }),
      'POST /admin/v1/rules',
      400,
      'invalid_request',
    );
    expectErrorShape(
      (
        await t
          .http()
          .post('/admin/v1/rules')
          .set(admin.auth)
          .send({ ...base, policy: 'spam', severity: 'nope' })
      ).body,
      400,
      'invalid_request',
    );
    const plain = (
      await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ ...base, name: `plain-${w}`, patterns: [word()] })
        .expect(201)
    ).body;
    expect(plain).toMatchObject({ policy: 'other', severity: 'low' });
    const r = await t
      .http()
      .post('/admin/v1/rules')
      .set(admin.auth)
      .send({ ...base, policy: 'spam', severity: 'medium' });
    await expectContract(r, 'POST /admin/v1/rules', 201);
    expect(r.body).toMatchObject({ policy: 'spam', severity: 'medium' });
    // A new policy alone takes its first severity; the rule's other fields stay.
    const moved = await t.http().put(`/admin/v1/rules/${plain.id}`).set(admin.auth).send({ policy: 'scam' });
    expect(moved.body).toMatchObject({ policy: 'scam', severity: 'low', patterns: plain.patterns });

    const [sender, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    await t.http().put(`/v1/users/${sender.id}/follow`).set(recipient.auth).expect(204);
    const conv = (
      await t
        .http()
        .post('/v1/conversations')
        .set(sender.auth)
        .send({ participantIds: [recipient.id] })
        .expect(201)
    ).body;
    const sendHeld = async () =>
      (
        await t
          .http()
          .post(`/v1/conversations/${conv.id}/messages`)
          .set(sender.auth)
          .send({ clientId: randomUUID(), text: `${w} now` })
          .expect(201)
      ).body;
    const first = await sendHeld();
    const held = (await t.http().get(`/admin/v1/held-messages/${first.id}`).set(admin.auth).expect(200)).body;
    expect(held.rules[0]).toMatchObject({ id: r.body.id, policy: 'spam', severity: 'medium' });
    await t.http().post(`/admin/v1/held-messages/${first.id}/reject`).set(admin.auth).send({}).expect(200);
    const second = await sendHeld();
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${second.id}/reject`).set(admin.auth).send({ policy: 'nope' }),
      'POST /admin/v1/held-messages/{id}/reject',
      400,
      'invalid_request',
    );
    expect((await t.http().get(`/admin/v1/held-messages/${second.id}`).set(admin.auth)).body.state).toBe('held');
    await t.http().post(`/admin/v1/held-messages/${second.id}/reject`).set(admin.auth).send({ policy: 'harassment' }).expect(200);
    const rows = await db.query('SELECT subject_id, policy, severity, strikes FROM moderation_action WHERE user_id = $1', [sender.id]);
    expect(rows).toEqual(
      expect.arrayContaining([
        { subject_id: first.id, policy: 'spam', severity: 'medium', strikes: 2 },
        { subject_id: second.id, policy: 'harassment', severity: 'low', strikes: 1 },
      ]),
    );
    const removed = (await notices(sender)).filter((n) => n.kind === 'content_removed');
    expect(removed.map((n) => n.statement.ground)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Community Guidelines: Spam and platform manipulation\./)]),
    );
  });
});

describe('strikes that expire, and the standing', () => {
  it('the standing lists each action’s strikes with its policy, severity and expiry; the suggestion follows the strikes in force', async () => {
    const u = await registerUser(t.url);
    const empty = await standing(u);
    await expectContract(empty, 'GET /admin/v1/users/{id}/standing', 200);
    expect(empty.body).toEqual({ activeStrikes: 0, strikes: [], suggestedAction: { action: 'warn' } });

    const first = (await act(u, { action: 'warn', note: '1', policy: 'spam', severity: 'low' }).expect(200)).body.action;
    const before = Date.now();
    const second = (await act(u, { action: 'warn', note: '2', policy: 'harassment', severity: 'high' }).expect(200)).body.action;
    const s = await standing(u);
    await expectContract(s, 'GET /admin/v1/users/{id}/standing', 200);
    expect(s.body.activeStrikes).toBe(4);
    expect(s.body.strikes).toEqual([
      { actionId: first.id, policy: 'spam', severity: 'low', count: 1, expiresAt: expect.any(String) },
      { actionId: second.id, policy: 'harassment', severity: 'high', count: 3, expiresAt: expect.any(String) },
    ]);
    const days = (at: string) => (new Date(at).getTime() - before) / 86_400_000;
    expect(days(s.body.strikes[0].expiresAt)).toBeCloseTo(90, 1);
    expect(days(s.body.strikes[1].expiresAt)).toBeCloseTo(180, 1);
    expect(s.body.suggestedAction).toEqual({ action: 'ban' });
    // The user list and the history count the same strikes.
    expect((await t.http().get(`/admin/v1/users/${u.id}`).set(triage.auth)).body.strikes).toBe(4);
    expect((await t.http().get(`/admin/v1/users/${u.id}/history`).set(moderator.auth)).body).toMatchObject({
      strikes: 4,
      suggestedAction: { action: 'ban' },
    });

    // Expired strikes stop counting.
    await db.query(`UPDATE moderation_action SET strikes_expire_at = now() - interval '1 second' WHERE id = $1`, [second.id]);
    expect((await standing(u)).body).toMatchObject({
      activeStrikes: 1,
      strikes: [{ actionId: first.id }],
      suggestedAction: { action: 'restrict_messaging', durationHours: 24 },
    });
  });

  it("with the decision about to be taken (?policy=&severity=) the suggestion takes the severity's suggested action into account; unknown ones are 400, an unknown user 404", async () => {
    const u = await registerUser(t.url);
    expect((await standing(u, '?policy=hate&severity=severe')).body.suggestedAction).toEqual({
      action: 'ban',
      because: 'Policy "hate" at severity "severe" suggests at least a ban.',
    });
    expect((await standing(u, '?policy=spam')).body.suggestedAction).toEqual({ action: 'warn' });
    await expectError(await standing(u, '?policy=nope'), 'GET /admin/v1/users/{id}/standing', 400, 'invalid_request');
    expectErrorShape((await standing(u, '?policy=spam&severity=nope')).body, 400, 'invalid_request');
    await expectError(
      await t.http().get(`/admin/v1/users/${randomUUID()}/standing`).set(triage.auth),
      'GET /admin/v1/users/{id}/standing',
      404,
      'not_found',
    );
    expectErrorShape((await t.http().get('/admin/v1/users/nope/standing').set(triage.auth)).body, 404, 'not_found');
  });

  it('lifting an action removes its strikes (a suspension and an upheld appeal alike)', async () => {
    const u = await registerUser(t.url);
    const warn = (await act(u, { action: 'warn', note: 'w', policy: 'spam', severity: 'low' }).expect(200)).body.action;
    const susp = (await act(u, { action: 'suspend', durationHours: 5, note: 's', policy: 'scam', severity: 'medium' }).expect(200)).body
      .action;
    expect((await standing(u)).body.activeStrikes).toBe(3);
    await t.http().post(`/admin/v1/actions/${susp.id}/lift`).set(moderator.auth).send({ note: 'mistake' }).expect(200);
    expect((await standing(u)).body).toMatchObject({ activeStrikes: 1, strikes: [{ actionId: warn.id }] });
    // The person appeals the warning; upheld, its strike goes too.
    const appeal = await t.http().post('/v1/appeals').set(u.auth).send({ actionId: warn.id, text: 'It was not spam.' });
    expect(appeal.status).toBe(201);
    await t.http().post(`/admin/v1/appeals/${appeal.body.id}/decide`).set(moderator.auth).send({ decision: 'upheld' }).expect(200);
    expect((await standing(u)).body).toEqual({ activeStrikes: 0, strikes: [], suggestedAction: { action: 'warn' } });
  });

  it('parallel actions on one user count every strike exactly once', async () => {
    await raceRounds(RACE_ROUNDS, async () => {
      const u = await registerUser(t.url);
      const decisions = [
        { policy: 'spam', severity: 'low' },
        { policy: 'harassment', severity: 'medium' },
        { policy: 'hate', severity: 'severe' },
        { policy: 'other', severity: 'high' },
        {},
      ];
      const res = await Promise.all(decisions.map((d, i) => act(u, { action: 'warn', note: `n${i}`, ...d })));
      expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const s = (await standing(u)).body;
      expect(s.activeStrikes).toBe(1 + 2 + 4 + 3 + 1);
      expect(s.strikes).toHaveLength(5);
      expect((await t.http().get(`/admin/v1/users/${u.id}`).set(triage.auth)).body.strikes).toBe(11);
    });
  });

  it('a notice template may name the policy ({{policy}}): the notice is pre-filled from it', async () => {
    const tpl = (
      await t
        .http()
        .post('/admin/v1/templates')
        .set(admin.auth)
        .send({ name: `policy-${word()}`, body: 'Hi {{handle}}: {{action}} under our policy "{{policy}}". {{ground}}' })
        .expect(201)
    ).body;
    const { subject } = await reportedUser('violence');
    const [c] = await caseOf(subject.id);
    await t
      .http()
      .post(`/admin/v1/cases/${c.id}/resolve`)
      .set(moderator.auth)
      .send({ action: 'warn', templateId: tpl.id, policy: 'violence', severity: 'low' })
      .expect(200);
    const n = (await notices(subject)).find((x) => x.kind === 'warning');
    expect(n.text).toBe(
      `Hi ${subject.handle}: a warning under our policy "Violence and threats". Community Guidelines: Violence and threats. Threatening, inciting or glorifying violence against people.`,
    );
  });
});
