import { randomBytes, randomUUID } from 'node:crypto';
import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { until } from '../support/wait';

/**
 * Issue #26 item 5: every figure of GET /admin/v1/transparency can be recomputed from the
 * audit log (read through its own route) over a run that takes every path producing a
 * report, an action or an appeal decision.
 */
let t: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string } };
let admin: Staff;
let moderator: Staff;
const BLOCKED_DOMAIN = 'transparency-phish.com';

beforeAll(async () => {
  t = await startTestApp({
    label: 'transparency',
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

/** Every audit entry, through GET /admin/v1/audit-log, in chain order. */
async function auditLog(): Promise<any[]> {
  const entries: any[] = [];
  for (let start = 0; ; start += 500) {
    const page = await t
      .http()
      .get(`/admin/v1/audit-log?sort=${q(['seq', 'ASC'])}&range=${q([start, start + 499])}`)
      .set(admin.auth)
      .expect(200);
    entries.push(...page.body);
    if (page.body.length < 500) break;
  }
  return entries;
}

const ACTIONS = ['warn', 'remove_content', 'restrict_messaging', 'suspend', 'ban'];

/** The transparency report, as the audit log alone tells it. */
function fromAudit(entries: any[], from: string, to: string) {
  const inPeriod = (e: any) => e.createdAt >= from && e.createdAt < to;
  const tally = (rows: any[], f: (e: any) => string) =>
    rows.reduce((acc: Record<string, number>, e) => ({ ...acc, [f(e)]: (acc[f(e)] ?? 0) + 1 }), {});
  const filed = entries.filter((e) => e.action === 'report.create' && inPeriod(e));
  const acted = entries.filter(
    (e) => e.action.startsWith('user.') && ACTIONS.includes(e.action.slice('user.'.length)) && e.after?.actionId && inPeriod(e),
  );
  const filedAt = new Map(entries.filter((e) => e.action === 'report.create').map((e) => [e.subjectId, Date.parse(e.createdAt)]));
  const hours = entries
    .filter((e) => e.action === 'report.resolve' && inPeriod(e) && (e.after?.resolution?.action ?? 'dismiss') !== 'dismiss')
    .map((e) => (Date.parse(e.createdAt) - filedAt.get(e.subjectId)!) / 3600_000)
    .sort((a, b) => a - b);
  const mid = hours.length / 2;
  const median = hours.length === 0 ? null : hours.length % 2 ? hours[Math.floor(mid)] : (hours[mid - 1] + hours[mid]) / 2;
  return {
    from,
    to,
    reports: { total: filed.length, byReason: tally(filed, (e) => e.after.reason), bySource: tally(filed, (e) => e.after.source) },
    actions: {
      total: acted.length,
      byAction: tally(acted, (e) => e.action.slice('user.'.length)),
      automated: acted.filter((e) => e.after.automated === true).length,
    },
    appeals: {
      total: entries.filter((e) => e.action === 'appeal.create' && inPeriod(e)).length,
      upheld: entries.filter((e) => e.action === 'appeal.uphold' && inPeriod(e)).length,
      rejected: entries.filter((e) => e.action === 'appeal.deny' && inPeriod(e)).length,
    },
    medianHoursToAction: median === null ? null : Math.round(median * 100) / 100,
  };
}

describe('transparency reconciles with the audit log', () => {
  it('every transparency figure equals the count computed from the audit log, over every path that files a report, takes an action or decides an appeal', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();

    // Report resolves, one per action (and a dismissal), each on a message report.
    for (const action of ['dismiss', ...ACTIONS]) {
      const [subject, reporter] = [await registerUser(t.url), await registerUser(t.url)];
      const conv = await chat(subject, reporter);
      const m = await send(subject, conv, `nasty words for ${action}`);
      const id = await report(reporter, { subjectType: 'message', subjectId: m.id, reason: action === 'ban' ? 'hate' : 'harassment' });
      const res = await t
        .http()
        .post(`/admin/v1/reports/${id}/resolve`)
        .set(moderator.auth)
        .send({ action, durationHours: 2, note: `n ${action}` });
      expect(res.status).toBe(200);
    }

    // A case resolve (two reports, one action) and a bulk resolve.
    const caseSubject = await registerUser(t.url);
    for (const r of [await registerUser(t.url), await registerUser(t.url)])
      await report(r, { subjectType: 'user', subjectId: caseSubject.id, reason: 'spam' });
    const [c] = (
      await t
        .http()
        .get(`/admin/v1/cases?filter=${q({ subjectUserId: caseSubject.id, status: 'open' })}`)
        .set(moderator.auth)
        .expect(200)
    ).body;
    expect((await t.http().post(`/admin/v1/cases/${c.id}/resolve`).set(moderator.auth).send({ action: 'warn' })).status).toBe(200);
    const bulkSubject = await registerUser(t.url);
    const bulkIds = [await report(await registerUser(t.url), { subjectType: 'user', subjectId: bulkSubject.id, reason: 'scam' })];
    expect(
      (
        await t
          .http()
          .post('/admin/v1/reports/bulk-resolve')
          .set(moderator.auth)
          .send({ ids: bulkIds, action: 'restrict_messaging', durationHours: 1 })
      ).status,
    ).toBe(200);

    // Direct actions on an account, one of them lifted.
    const direct = await registerUser(t.url);
    const warned = await t.http().post(`/admin/v1/users/${direct.id}/actions`).set(moderator.auth).send({ action: 'warn', note: 'direct' });
    expect(warned.status).toBe(200);
    const warned2 = await t
      .http()
      .post(`/admin/v1/users/${direct.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'warn', note: 'direct again' });
    expect(warned2.status).toBe(200);
    const suspended = await t
      .http()
      .post(`/admin/v1/users/${direct.id}/actions`)
      .set(moderator.auth)
      .send({ action: 'suspend', durationHours: 5 });
    expect(suspended.status).toBe(200);
    expect(
      (await t.http().post(`/admin/v1/actions/${suspended.body.action.id}/lift`).set(moderator.auth).send({ note: 'mistake' })).status,
    ).toBe(200);

    // Appeals, one upheld and one denied.
    const ap1 = await t.http().post('/v1/appeals').set(direct.auth).send({ actionId: warned.body.action.id, text: 'not me' });
    const ap2 = await t.http().post('/v1/appeals').set(direct.auth).send({ actionId: warned2.body.action.id, text: 'not me either' });
    expect([ap1.status, ap2.status]).toEqual([201, 201]);
    expect((await t.http().post(`/admin/v1/appeals/${ap1.body.id}/decide`).set(moderator.auth).send({ decision: 'upheld' })).status).toBe(
      200,
    );
    expect((await t.http().post(`/admin/v1/appeals/${ap2.body.id}/decide`).set(moderator.auth).send({ decision: 'denied' })).status).toBe(
      200,
    );

    // Rules: a held message rejected by staff, and a flag rule's system report.
    const [sender, recipient] = [await registerUser(t.url), await registerUser(t.url)];
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
    const held = await send(sender, conv, `psst ${holdWord}`);
    expect(held.state).toBe('held');
    expect((await t.http().post(`/admin/v1/held-messages/${held.id}/reject`).set(moderator.auth).send({ note: 'no' })).status).toBe(200);
    const flagged = await send(sender, conv, `look ${flagWord}`);
    await until(
      'flag report',
      async () => (await db.query(`SELECT 1 FROM report WHERE source = 'system' AND subject_id = $1`, [flagged.id])).length > 0,
    );

    // A malicious link: removed, an automated action, a system report.
    const phished = await send(sender, conv, `claim it at https://login.${BLOCKED_DOMAIN}/gift`);
    await until('removal notice', async () =>
      (await notices(sender)).find((n) => n.kind === 'content_removed' && n.data?.subjectId === phished.id),
    );

    const to = new Date(Date.now() + 60_000).toISOString();
    const body = (await t.http().get(`/admin/v1/transparency?from=${from}&to=${to}`).set(admin.auth).expect(200)).body;
    const entries = await auditLog();
    expect(body).toEqual(fromAudit(entries, body.from, body.to));

    // Not vacuous: every action kind, both sources, automated actions, both appeal outcomes.
    for (const action of ACTIONS) expect(body.actions.byAction[action]).toBeGreaterThanOrEqual(1);
    expect(body.actions.byAction.remove_content).toBe(3); // a report resolve, a held-message reject, a malicious link
    expect(body.actions.automated).toBe(1);
    expect(body.reports.bySource).toEqual({ user: 9, system: 2 });
    expect(body.appeals).toEqual({ total: 2, upheld: 1, rejected: 1 });
    expect(typeof body.medianHoursToAction).toBe('number');
    // And the moderation_action rows themselves: one audit entry each, naming it.
    const actionIds = (await db.query('SELECT id FROM moderation_action')).map((r) => r.id).sort();
    const audited = entries
      .filter((e) => e.action.startsWith('user.') && e.after?.actionId)
      .map((e) => e.after.actionId)
      .sort();
    expect(audited).toEqual(actionIds);
    expect((await t.http().get('/admin/v1/audit-log/verify').set(admin.auth)).body).toMatchObject({ ok: true });
  });
});
