import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { validateStatement } from '@app/messaging/safety/dsa/statement-validator';
import { startTestApp, type TestApp } from '../support/app';
import { expectContract, expectError } from '../support/contract';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { until } from '../support/wait';

/**
 * API.md v1.2 "statements the EU database accepts": GET /admin/v1/transparency/statements
 * gives one statement per decision of the period, over a run that takes every path ending
 * in a statement of reasons (a report's resolve with each action, a case resolve, a direct
 * action, a held message's rejection, a flag rule's system report resolved, a malicious
 * link's removal), and every one of them passes the database's own validation.
 */
let t: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
const BLOCKED_DOMAIN = 'statements-phish.com';

beforeAll(async () => {
  t = await startTestApp({
    label: 'tdb_statements',
    env: { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600', LIMIT_REPORTS: '1000/3600' },
  });
  db = t.app.get(Db);
  await db.query(`INSERT INTO blocklist_entry (id, pattern, kind, reason) VALUES ($1, $2, 'domain', 'phishing kit')`, [
    newId(),
    BLOCKED_DOMAIN,
  ]);
  admin = await loginStaff(t.url);
  const email = `${uniqueHandle('mod')}@example.com`;
  await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: 'A moderator', password: 'staff-password-1', role: 'moderator' })
    .expect(201);
  moderator = await loginStaff(t.url, email, 'staff-password-1');
});
afterAll(async () => {
  await t?.close();
});

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const word = () => `zq${[...randomBytes(5)].map((x) => String.fromCharCode(97 + (x % 26))).join('')}`;
const send = async (u: TestUser, convId: string, text: string) => {
  const res = await t.http().post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
  expect(res.status).toBe(201);
  return res.body;
};
const report = async (u: TestUser, body: Record<string, unknown>) => {
  const res = await t.http().post('/v1/reports').set(u.auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const notices = async (u: TestUser) => (await t.http().get('/v1/notices').set(u.auth).expect(200)).body.items as any[];

async function chat(a: TestUser, b: TestUser) {
  await t.http().put(`/v1/users/${a.id}/follow`).set(b.auth).expect(204);
  await t.http().put(`/v1/users/${b.id}/follow`).set(a.auth).expect(204);
  const c = await t
    .http()
    .post('/v1/conversations')
    .set(a.auth)
    .send({ participantIds: [b.id] });
  expect([200, 201]).toContain(c.status);
  return c.body.id as string;
}

const ACTIONS = ['warn', 'remove_content', 'restrict_messaging', 'suspend', 'ban'];
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const puidOf = (actionId: string) => `backchannel-action-${actionId}`;

describe('GET /admin/v1/transparency/statements', () => {
  it('gives one statement per decision of the period, each valid for the EU database, with the DSA fields each path calls for and no personal data', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const people: TestUser[] = [];
    const texts: string[] = [];
    const notes: string[] = [];
    const expected = new Map<string, Record<string, unknown>>(); // actionId → fields its statement must have

    // A report's resolve with each action (and a dismissal, which issues no statement).
    for (const action of ['dismiss', ...ACTIONS]) {
      const [subject, reporter] = [await registerUser(t.url), await registerUser(t.url)];
      people.push(subject, reporter);
      const conv = await chat(subject, reporter);
      const text = `nasty words for ${action} ${word()}`;
      texts.push(text);
      const m = await send(subject, conv, text);
      const id = await report(reporter, { subjectType: 'message', subjectId: m.id, reason: action === 'ban' ? 'hate' : 'harassment' });
      const note = `internal note ${word()}`;
      notes.push(note);
      const res = await t.http().post(`/admin/v1/reports/${id}/resolve`).set(moderator.auth).send({ action, durationHours: 30, note });
      expect(res.status).toBe(200);
      if (action === 'dismiss') continue;
      const decision: Record<string, unknown> = {
        source_type: 'SOURCE_ARTICLE_16',
        automated_detection: 'No',
        automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
        category: action === 'ban' ? 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH' : 'STATEMENT_CATEGORY_CYBER_VIOLENCE',
        content_date: ymd(new Date(m.createdAt)),
      };
      const endsAt = new Date(Date.now() + 30 * 3600_000);
      if (action === 'remove_content') decision.decision_visibility = ['DECISION_VISIBILITY_CONTENT_REMOVED'];
      if (action === 'warn') decision.decision_visibility = ['DECISION_VISIBILITY_OTHER'];
      if (action === 'restrict_messaging') {
        decision.decision_provision = 'DECISION_PROVISION_PARTIAL_SUSPENSION';
        decision.end_date_service_restriction = ymd(endsAt);
      }
      if (action === 'suspend') {
        decision.decision_account = 'DECISION_ACCOUNT_SUSPENDED';
        decision.end_date_account_restriction = ymd(endsAt);
      }
      if (action === 'ban') decision.decision_account = 'DECISION_ACCOUNT_TERMINATED';
      expected.set(res.body.resolution.actionId, decision);
    }

    // A case resolve: two reports about one user, one decision.
    const caseSubject = await registerUser(t.url);
    people.push(caseSubject);
    for (const r of [await registerUser(t.url), await registerUser(t.url)]) {
      people.push(r);
      await report(r, { subjectType: 'user', subjectId: caseSubject.id, reason: 'spam' });
    }
    const [c] = (
      await t
        .http()
        .get(`/admin/v1/cases?filter=${q({ subjectUserId: caseSubject.id, status: 'open' })}`)
        .set(moderator.auth)
        .expect(200)
    ).body;
    const caseNote = `case note ${word()}`;
    notes.push(caseNote);
    const resolved = await t.http().post(`/admin/v1/cases/${c.id}/resolve`).set(moderator.auth).send({ action: 'suspend', note: caseNote });
    expect(resolved.status).toBe(200);
    const [caseAction] = await db.query(`SELECT id FROM moderation_action WHERE user_id = $1`, [caseSubject.id]);
    expected.set(caseAction.id, {
      source_type: 'SOURCE_ARTICLE_16',
      decision_account: 'DECISION_ACCOUNT_SUSPENDED',
      category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
      end_date_account_restriction: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    // A direct action on an account: the platform's own initiative.
    const direct = await registerUser(t.url);
    people.push(direct);
    const directNote = `direct note ${word()}`;
    notes.push(directNote);
    const restricted = await t
      .http()
      .post(`/admin/v1/users/${direct.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'restrict_messaging', durationHours: 48, note: directNote });
    expect(restricted.status).toBe(200);
    expected.set(restricted.body.action.id, {
      source_type: 'SOURCE_VOLUNTARY',
      automated_detection: 'No',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      decision_provision: 'DECISION_PROVISION_PARTIAL_SUSPENSION',
      end_date_service_restriction: ymd(new Date(Date.now() + 48 * 3600_000)),
    });

    // Rules: a held message rejected by staff; a flag rule's system report resolved with a warning.
    const [sender, recipient] = [await registerUser(t.url), await registerUser(t.url)];
    people.push(sender, recipient);
    const conv = await chat(sender, recipient);
    const [holdWord, flagWord] = [word(), word()];
    for (const [w, action] of [
      [holdWord, 'hold'],
      [flagWord, 'flag'],
    ]) {
      const res = await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ name: `r-${w}`, kind: 'keyword', patterns: [w], appliesTo: ['direct'], action, reason: 'Not here.' });
      expect(res.status).toBe(201);
    }
    const heldText = `psst ${holdWord}`;
    texts.push(heldText);
    const held = await send(sender, conv, heldText);
    expect(held.state).toBe('held');
    expect((await t.http().post(`/admin/v1/held-messages/${held.id}/reject`).set(moderator.auth).send({ note: 'no' })).status).toBe(200);
    const [heldAction] = await db.query(`SELECT id FROM moderation_action WHERE subject_id = $1`, [held.id]);
    expected.set(heldAction.id, {
      source_type: 'SOURCE_VOLUNTARY',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      content_date: ymd(new Date(held.createdAt)),
    });
    const flagText = `look ${flagWord}`;
    texts.push(flagText);
    const flagged = await send(sender, conv, flagText);
    const flagReport = await until('flag report', async () => {
      const [r] = await db.query(`SELECT id FROM report WHERE source = 'system' AND subject_id = $1`, [flagged.id]);
      return r?.id as string | undefined;
    });
    const flagResolve = await t.http().post(`/admin/v1/reports/${flagReport}/resolve`).set(moderator.auth).send({ action: 'warn' });
    expect(flagResolve.status).toBe(200);
    expected.set(flagResolve.body.resolution.actionId, {
      source_type: 'SOURCE_VOLUNTARY',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      decision_visibility: ['DECISION_VISIBILITY_OTHER'],
    });

    // A malicious link: removed automatically.
    const phishText = `claim it at https://login.${BLOCKED_DOMAIN}/gift`;
    texts.push(phishText);
    const phished = await send(sender, conv, phishText);
    await until('removal notice', async () =>
      (await notices(sender)).find((n) => n.kind === 'content_removed' && n.data?.subjectId === phished.id),
    );
    const [linkAction] = await db.query(`SELECT id FROM moderation_action WHERE subject_id = $1 AND automated`, [phished.id]);
    expected.set(linkAction.id, {
      source_type: 'SOURCE_VOLUNTARY',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_FULLY',
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
    });

    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await t.http().get(`/admin/v1/transparency/statements?from=${from}&to=${to}`).set(admin.auth);
    await expectContract(res, 'GET /admin/v1/transparency/statements', 200);
    const statements: any[] = res.body.statements;

    // One per decision of the period, each valid for the database, with a unique puid.
    const actionIds = (await db.query('SELECT id FROM moderation_action')).map((r) => r.id as string);
    expect(statements.map((s) => s.puid).sort()).toEqual(actionIds.map(puidOf).sort());
    expect(new Set(statements.map((s) => s.puid)).size).toBe(statements.length);
    expect(statements.length).toBe(expected.size);
    for (const s of statements) {
      const verdict = validateStatement(s);
      expect({ puid: s.puid, ...verdict }).toEqual({ puid: s.puid, valid: true, errors: {}, ignored: [] });
      expect(s.content_type).toEqual(['CONTENT_TYPE_TEXT']);
      expect(s.decision_ground).toBe('DECISION_GROUND_INCOMPATIBLE_CONTENT');
      expect(s.application_date).toBe(ymd(new Date()));
    }
    // Each path's DSA fields.
    const byPuid = new Map(statements.map((s) => [s.puid, s]));
    for (const [actionId, fields] of expected) expect(byPuid.get(puidOf(actionId))).toMatchObject(fields);

    // No personal data: no handle, display name, person's id, message text, link, or staff note anywhere.
    const json = JSON.stringify(res.body);
    for (const p of people) {
      expect(json).not.toContain(p.handle);
      expect(json).not.toContain(p.id);
    }
    for (const s of [...texts, ...notes, BLOCKED_DOMAIN, moderator.staff.id, admin.staff.id]) expect(json).not.toContain(s);

    // Stable: the same period exports the same statements again; a period before them has none.
    const again = await t.http().get(`/admin/v1/transparency/statements?from=${from}&to=${to}`).set(admin.auth).expect(200);
    expect(again.body).toEqual(res.body);
    const before = await t
      .http()
      .get(`/admin/v1/transparency/statements?from=2020-01-01&to=${encodeURIComponent(from)}`)
      .set(admin.auth)
      .expect(200);
    expect(before.body).toEqual({ statements: [] });
  });

  it('is for admins; a bad period is 400 invalid_request', async () => {
    await expectError(
      await t.http().get('/admin/v1/transparency/statements').set(moderator.auth),
      'GET /admin/v1/transparency/statements',
      403,
      'forbidden_role',
    );
    await expectError(
      await t.http().get('/admin/v1/transparency/statements?from=yesterday').set(admin.auth),
      'GET /admin/v1/transparency/statements',
      400,
      'invalid_request',
    );
    await expectError(
      await t.http().get('/admin/v1/transparency/statements?from=2026-12-05&to=2026-12-01').set(admin.auth),
      'GET /admin/v1/transparency/statements',
      400,
      'invalid_request',
    );
  });
});
