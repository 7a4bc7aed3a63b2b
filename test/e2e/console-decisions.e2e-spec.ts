import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';

/**
 * Issue #32 items 10 and 11, the API half: the resolve dialog's statement preview (worded by
 * the resolve's own code, so the person receives exactly what staff saw), the built-in
 * templates that word a statement's facts, the recipients of a held message, and exempt
 * accounts named by handle on a rule.
 */
let t: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
let triage: Staff;

const PREVIEW = 'POST /admin/v1/cases/{id}/statement-preview';
const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));

async function staffWith(role: 'moderator' | 'triage'): Promise<Staff> {
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
  t = await startTestApp({ label: 'console_decisions', env: { LIMIT_SEND_BURST: '1000/10', LIMIT_REPORTS: '1000/3600' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
  [moderator, triage] = await Promise.all([staffWith('moderator'), staffWith('triage')]);
});
afterAll(async () => {
  await t?.close();
});

const notices = async (u: TestUser) => (await t.http().get('/v1/notices').set(u.auth).expect(200)).body.items as any[];
const preview = (s: Staff, id: string, body: Record<string, unknown>) =>
  t.http().post(`/admin/v1/cases/${id}/statement-preview`).set(s.auth).send(body);

/** A user reported (about their account) by `n` people; their open case. */
async function reportedUser(n: number, reason = 'spam') {
  const subject = await registerUser(t.url);
  const reporters = await Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
  for (const r of reporters) {
    const res = await t.http().post('/v1/reports').set(r.auth).send({ subjectType: 'user', subjectId: subject.id, reason });
    expect(res.status).toBe(201);
  }
  const [c] = (
    await t
      .http()
      .get(`/admin/v1/cases?filter=${q({ subjectUserId: subject.id, status: 'open' })}`)
      .set(moderator.auth)
      .expect(200)
  ).body as any[];
  return { subject, reporters, caseId: c.id as string };
}

const builtIn = async (name: string) => {
  const list = (
    await t
      .http()
      .get(`/admin/v1/templates?filter=${q({ q: name })}`)
      .set(triage.auth)
      .expect(200)
  ).body as any[];
  const found = list.find((x) => x.name === name && x.builtIn);
  expect(found).toBeDefined();
  return found as { id: string; name: string; body: string; facts: string; variables: string[]; builtIn: boolean };
};

describe('statement preview (item 10)', () => {
  it('a fresh install ships built-in templates that word the facts as well as the notice', async () => {
    for (const name of ['Spam', 'Harassment', 'Scam']) {
      const tpl = await builtIn(name);
      expect(tpl.facts).toEqual(expect.stringContaining('{{reason}}'));
      expect(tpl.variables).not.toContain('endsAt');
    }
    await expectContract(await t.http().get('/admin/v1/templates').set(triage.auth), 'GET /admin/v1/templates', 200);
  });

  it('the preview is the statement the person receives: same facts, ground, action and appeal; nothing is written by previewing', async () => {
    const { subject, caseId } = await reportedUser(2);
    const spam = await builtIn('Spam');
    const facts = `${spam.facts} Edited by the moderator for @{{handle}}.`;
    const body = {
      action: 'restrict_messaging',
      durationHours: 48,
      policy: 'spam',
      severity: 'low',
      templateId: spam.id,
      facts,
      note: 'n',
    };
    const before = await db.query('SELECT count(*)::int AS n FROM moderation_action WHERE user_id = $1', [subject.id]);
    const res = await preview(moderator, caseId, body);
    await expectContract(res, PREVIEW, 200);
    expect(res.body).toMatchObject({ action: 'restrict_messaging', policy: 'spam', severity: 'low' });
    const shown = res.body.statement;
    expect(shown.facts).toBe(
      `A moderator reviewed reports about messages you sent and found spam: the same or similar unsolicited messages sent to many people. Edited by the moderator for @${subject.handle}.`,
    );
    expect(shown.ground).toMatch(/^Community Guidelines: /);
    expect(shown.automated).toBe(false);
    expect(shown.appeal.possible).toBe(true);
    expect(Date.parse(shown.endsAt) - Date.now()).toBeGreaterThan(47 * 3600_000);
    expect(res.body.notice).toContain(`Hi ${subject.handle},`);
    // Previewing wrote nothing: no action, no notice, the case still open.
    expect(await db.query('SELECT count(*)::int AS n FROM moderation_action WHERE user_id = $1', [subject.id])).toEqual(before);
    expect(await notices(subject)).toEqual([]);

    await t.http().post(`/admin/v1/cases/${caseId}/resolve`).set(moderator.auth).send(body).expect(200);
    const [notice] = await notices(subject);
    // The notice's text is the preview's, its dates counted from the decision's moment.
    const undated = (text: string) => text.replace(/\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/g, '<date>');
    expect(undated(notice.text)).toBe(undated(res.body.notice));
    const { endsAt, appeal, ...rest } = notice.statement;
    const { endsAt: shownEnd, appeal: shownAppeal, ...shownRest } = shown;
    expect(rest).toEqual(shownRest);
    expect(appeal.possible).toBe(shownAppeal.possible);
    // The end and the appeal deadline are counted from the moment of the decision.
    expect(Math.abs(Date.parse(endsAt) - Date.parse(shownEnd))).toBeLessThan(60_000);
    expect(Math.abs(Date.parse(appeal.until) - Date.parse(shownAppeal.until))).toBeLessThan(60_000);
  });

  it('without a template the facts are the standard wording, as the resolve gives them', async () => {
    const { subject, caseId } = await reportedUser(1, 'harassment');
    const res = await preview(moderator, caseId, { action: 'warn', policy: 'harassment', severity: 'low' });
    expect(res.status).toBe(200);
    expect(res.body.statement).toMatchObject({
      action: 'warn',
      endsAt: null,
      facts: 'A moderator reviewed a report about your account and found harassment.',
    });
    await t
      .http()
      .post(`/admin/v1/cases/${caseId}/resolve`)
      .set(moderator.auth)
      .send({ action: 'warn', policy: 'harassment', severity: 'low' })
      .expect(200);
    expect((await notices(subject))[0].statement.facts).toBe(res.body.statement.facts);
  });

  it('bad input: 404 for no such case, 400 for a bad body or an unknown policy, 422 for dismiss, a bad template or facts, 403 for triage, 409 once resolved', async () => {
    const { caseId } = await reportedUser(1);
    for (const id of [randomUUID(), 'nope']) await expectError(await preview(moderator, id, { action: 'warn' }), PREVIEW, 404, 'not_found');
    await expectError(await preview(moderator, caseId, { action: 'explode' }), PREVIEW, 400, 'invalid_request');
    await expectError(await preview(moderator, caseId, { action: 'warn', facts: 'x'.repeat(2001) }), PREVIEW, 400, 'invalid_request');
    await expectError(await preview(moderator, caseId, { action: 'warn', facts: 'bad\u0007bell' }), PREVIEW, 400, 'invalid_request');
    await expectError(await preview(moderator, caseId, { action: 'warn', policy: 'no_such_policy' }), PREVIEW, 400, 'invalid_request');
    await expectError(
      await preview(moderator, caseId, { action: 'warn', policy: 'spam', severity: 'cosmic' }),
      PREVIEW,
      400,
      'invalid_request',
    );
    await expectError(await preview(moderator, caseId, { action: 'dismiss' }), PREVIEW, 422, 'unprocessable');
    await expectError(await preview(moderator, caseId, { action: 'remove_content' }), PREVIEW, 422, 'unprocessable');
    await expectError(await preview(moderator, caseId, { action: 'warn', templateId: randomUUID() }), PREVIEW, 422, 'unprocessable');
    await expectError(
      await preview(moderator, caseId, { action: 'warn', facts: 'You did {{nope}}.' }),
      PREVIEW,
      422,
      'template_variable_unknown',
    );
    // A warning has no end: facts that name one cannot be sent.
    await expectError(
      await preview(moderator, caseId, { action: 'warn', facts: 'Until {{endsAt}}.' }),
      PREVIEW,
      422,
      'template_variable_missing',
    );
    await expectError(await preview(triage, caseId, { action: 'warn' }), PREVIEW, 403, 'forbidden_role');
    // The resolve refuses the same facts, so nothing is sent with a hole in it.
    expectErrorShape(
      (await t.http().post(`/admin/v1/cases/${caseId}/resolve`).set(moderator.auth).send({ action: 'warn', facts: 'Until {{endsAt}}.' }))
        .body,
      422,
      'template_variable_missing',
    );
    await t.http().post(`/admin/v1/cases/${caseId}/resolve`).set(moderator.auth).send({ action: 'dismiss' }).expect(200);
    await expectError(await preview(moderator, caseId, { action: 'warn' }), PREVIEW, 409, 'conflict');
  });

  it('a single report has its preview too: the resolve of that report gives exactly its statement; the same refusals', async () => {
    const ROUTE = 'POST /admin/v1/reports/{id}/statement-preview';
    const subject = await registerUser(t.url);
    const reporter = await registerUser(t.url);
    const filed = await t
      .http()
      .post('/v1/reports')
      .set(reporter.auth)
      .send({ subjectType: 'user', subjectId: subject.id, reason: 'scam' });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const scam = await builtIn('Scam');
    const body = { action: 'restrict_messaging', durationHours: 24, policy: 'scam', templateId: scam.id };
    const res = await t.http().post(`/admin/v1/reports/${id}/statement-preview`).set(moderator.auth).send(body);
    await expectContract(res, ROUTE, 200);
    expect(res.body).toMatchObject({ action: 'restrict_messaging', policy: 'scam', severity: 'low' });
    expect(res.body.statement.facts).toBe(
      'A moderator reviewed reports about messages you sent and found scams or fraud: messages that tried to get money, passwords or personal details by deceit.',
    );
    await t.http().post(`/admin/v1/reports/${id}/resolve`).set(moderator.auth).send(body).expect(200);
    const [notice] = (await t.http().get('/v1/notices').set(subject.auth).expect(200)).body.items as any[];
    expect(notice.statement.facts).toBe(res.body.statement.facts);
    expect(notice.statement.ground).toBe(res.body.statement.ground);
    await expectError(
      await t.http().post(`/admin/v1/reports/${id}/statement-preview`).set(moderator.auth).send(body),
      ROUTE,
      409,
      'conflict',
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${randomUUID()}/statement-preview`).set(moderator.auth).send(body),
      ROUTE,
      404,
      'not_found',
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${id}/statement-preview`).set(moderator.auth).send({}),
      ROUTE,
      400,
      'invalid_request',
    );
    await expectError(
      await t.http().post(`/admin/v1/reports/${id}/statement-preview`).set(triage.auth).send(body),
      ROUTE,
      403,
      'forbidden_role',
    );
  });

  it('templates take facts: unknown variables in them are refused (422), and null clears them', async () => {
    const created = await t
      .http()
      .post('/admin/v1/templates')
      .set(admin.auth)
      .send({ name: 'With facts', body: 'Hi {{handle}}.', facts: 'Found {{reason}}.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ facts: 'Found {{reason}}.', builtIn: false, variables: ['handle', 'reason'] });
    expectErrorShape(
      (await t.http().post('/admin/v1/templates').set(admin.auth).send({ name: 'x', body: 'y', facts: '{{nope}}' })).body,
      422,
      'template_variable_unknown',
    );
    expectErrorShape(
      (await t.http().post('/admin/v1/templates').set(admin.auth).send({ name: 'x', body: 'y', facts: 7 })).body,
      400,
      'invalid_request',
    );
    const cleared = await t.http().put(`/admin/v1/templates/${created.body.id}`).set(admin.auth).send({ facts: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.facts).toBeNull();
  });
});

describe('held messages and exempt handles (item 11)', () => {
  const word = () => `zq${[...randomBytes(5)].map((x) => String.fromCharCode(97 + (x % 26))).join('')}`;

  it('a held message names who it was going to', async () => {
    const w = word();
    const [sender, recipient] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    await t.http().put(`/v1/users/${sender.id}/follow`).set(recipient.auth).expect(204);
    await t.http().put(`/v1/users/${recipient.id}/follow`).set(sender.auth).expect(204);
    const conv = await t
      .http()
      .post('/v1/conversations')
      .set(sender.auth)
      .send({ participantIds: [recipient.id] });
    expect([200, 201]).toContain(conv.status);
    await t
      .http()
      .post('/admin/v1/rules')
      .set(moderator.auth)
      .send({ name: 'hold', kind: 'keyword', patterns: [w], appliesTo: ['direct'], action: 'hold' })
      .expect(201);
    const sent = await t
      .http()
      .post(`/v1/conversations/${conv.body.id}/messages`)
      .set(sender.auth)
      .send({ clientId: randomUUID(), text: `hi ${w}` });
    expect(sent.body.state).toBe('held');
    const list = await t
      .http()
      .get(`/admin/v1/held-messages?filter=${q({ senderId: sender.id })}`)
      .set(triage.auth);
    await expectContract(list, 'GET /admin/v1/held-messages', 200);
    expect(list.body).toEqual([
      expect.objectContaining({
        id: sent.body.id,
        recipients: [{ id: recipient.id, handle: recipient.handle, displayName: recipient.handle }],
        recipientCount: 1,
        conversationTitle: null,
      }),
    ]);
  });

  it('a rule names exempt accounts by handle (any case, a leading @); unknown handles and two fields that disagree are 400, a rule sent back as read is accepted', async () => {
    const [a, b] = await Promise.all([registerUser(t.url), registerUser(t.url)]);
    const base = { name: 'exempt by handle', kind: 'keyword', patterns: [word()], appliesTo: ['direct'], action: 'block' };
    const created = await t
      .http()
      .post('/admin/v1/rules')
      .set(moderator.auth)
      .send({ ...base, exemptHandles: [`@${a.handle.toUpperCase()}`, b.handle] });
    await expectContract(created, 'POST /admin/v1/rules', 201);
    expect(created.body.exemptUserIds.sort()).toEqual([a.id, b.id].sort());
    expect(created.body.exemptHandles).toEqual([a.handle, b.handle].sort());
    // An edit by handle replaces the list; the whole record as react-admin sends it, ids left out.
    const { exemptUserIds: _ids, ...record } = created.body;
    const edited = await t
      .http()
      .put(`/admin/v1/rules/${created.body.id}`)
      .set(moderator.auth)
      .send({ ...record, exemptHandles: [b.handle] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ exemptUserIds: [b.id], exemptHandles: [b.handle] });

    const unknown = await t
      .http()
      .post('/admin/v1/rules')
      .set(moderator.auth)
      .send({ ...base, exemptHandles: [a.handle, 'nobody_has_this_handle'] });
    await expectError(unknown, 'POST /admin/v1/rules', 400, 'invalid_request');
    expect(unknown.body.message).toBe('No account has the handle @nobody_has_this_handle.');
    expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'exemptHandles', unknown: ['nobody_has_this_handle'] })]);
    for (const exemptHandles of ['a', [7], ['has space'], Array.from({ length: 1001 }, (_, i) => `h${i}`)]) {
      expectErrorShape(
        (
          await t
            .http()
            .post('/admin/v1/rules')
            .set(moderator.auth)
            .send({ ...base, exemptHandles })
        ).body,
        400,
        'invalid_request',
      );
    }
    expectErrorShape(
      (
        await t
          .http()
          .post('/admin/v1/rules')
          .set(moderator.auth)
          .send({ ...base, exemptHandles: [a.handle], exemptUserIds: [b.id] })
      ).body,
      400,
      'invalid_request',
    );
    // The rule as it was read, sent back whole: both fields name the same accounts.
    const echoed = await t.http().put(`/admin/v1/rules/${created.body.id}`).set(moderator.auth).send(edited.body);
    expect(echoed.status).toBe(200);
    expect(echoed.body).toMatchObject({ exemptUserIds: [b.id], exemptHandles: [b.handle] });
    expectErrorShape(
      (
        await t
          .http()
          .put(`/admin/v1/rules/${created.body.id}`)
          .set(moderator.auth)
          .send({ exemptHandles: ['nobody_has_this_handle'] })
      ).body,
      400,
      'invalid_request',
    );
    // Nothing changed by the refused edit.
    expect((await t.http().get(`/admin/v1/rules/${created.body.id}`).set(triage.auth)).body.exemptHandles).toEqual([b.handle]);
  });
});
