import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { MAX_PATTERN_PROGRAM, MAX_RULES_PROGRAM, rulePrograms } from '@app/messaging/rules/rule-matcher';
import { startTestApp, type TestApp } from '../support/app';
import { expectErrorShape, loginStaff, registerUser, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { RACE_ROUNDS, raceRounds } from '../support/race';
import { connectSocket, Inbox } from '../support/socket';
import { until } from '../support/wait';

/**
 * Staff rules (API.md v1.1 "Rules", issue #14): CRUD and roles, every action (block, hold,
 * hide, flag, dry_run) and scope (requests, direct, group, room, questions), normalisation,
 * the held-messages queue, hits, and a rule edit seen by a second API process.
 * Rules are global, so every test uses words of its own.
 */

let t: TestApp;
let b: TestApp;
let db: Db;
let admin: { auth: Record<string, string> };
let triage: { auth: Record<string, string> };
const sockets: Socket[] = [];

beforeAll(async () => {
  const env = { LIMIT_SEND_BURST: '1000/10', LIMIT_SEND_SUSTAINED: '5000/3600' };
  t = await startTestApp({ label: 'rules', env });
  b = await startTestApp({ db: t.db, redisPrefix: t.config.redisPrefix, env: { ...env, APP_ROLES: 'api' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
  const email = `triage-${randomBytes(3).toString('hex')}@example.com`;
  await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: 'Tri Age', password: 'staff-password-1', role: 'triage' })
    .expect(201);
  triage = await loginStaff(t.url, email, 'staff-password-1');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await b?.close();
  await t?.close();
});

/** A word of letters only, unique to the test. */
const word = () => `zq${[...randomBytes(5)].map((x) => String.fromCharCode(97 + (x % 26))).join('')}`;
const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(t.url)));
const follow = (a: TestUser, c: TestUser) => t.http().put(`/v1/users/${c.id}/follow`).set(a.auth).expect(204);
const createConv = async (a: TestUser, ids: string[]) =>
  (await t.http().post('/v1/conversations').set(a.auth).send({ participantIds: ids }).expect(201)).body;
const send = (u: TestUser, convId: string, text: string, url = t.url) =>
  request(url).post(`/v1/conversations/${convId}/messages`).set(u.auth).send({ clientId: randomUUID(), text });
const list = async (u: TestUser, convId: string) =>
  (await t.http().get(`/v1/conversations/${convId}/messages`).set(u.auth).expect(200)).body.items as any[];
const head = async (u: TestUser) => (await t.http().get('/v1/sync').set(u.auth).expect(200)).body.cursor as string;
const syncFrom = async (u: TestUser, cursor: string) =>
  (await t.http().get(`/v1/sync?cursor=${cursor}`).set(u.auth).expect(200)).body.events as any[];
const rule = async (body: Record<string, unknown>) => {
  const res = await t
    .http()
    .post('/admin/v1/rules')
    .set(admin.auth)
    .send({ name: `r-${word()}`, appliesTo: ['requests', 'direct', 'group', 'room', 'questions'], reason: 'Not here.', ...body });
  expect(res.status).toBe(201);
  return res.body;
};
const hitsOf = async (filter: Record<string, unknown>) =>
  (
    await t
      .http()
      .get('/admin/v1/rule-hits')
      .query({ filter: JSON.stringify(filter) })
      .set(admin.auth)
      .expect(200)
  ).body as any[];
async function open(u: TestUser) {
  const socket = await connectSocket(t.url, u.token);
  sockets.push(socket);
  return new Inbox(socket);
}
/** An accepted direct conversation (the recipient follows the sender). */
async function chat() {
  const [sender, recipient] = await users(2);
  await follow(recipient, sender);
  const conv = await createConv(sender, [recipient.id]);
  return { sender, recipient, conv };
}
/** A direct message request: the recipient is pending. */
async function requestConv() {
  const [sender, recipient] = await users(2);
  const conv = await createConv(sender, [recipient.id]);
  return { sender, recipient, conv };
}

describe('rules: staff routes', () => {
  it('create answers the rule; GET/PUT/DELETE of unknown or malformed ids are 404; every change is audited and the chain stays valid', async () => {
    const w = word();
    const created = await rule({ kind: 'keyword', patterns: [w, `${w}x*`], action: 'block', mode: 'dry_run' });
    expect(created).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      enabled: true,
      mode: 'dry_run',
      kind: 'keyword',
      patterns: [w, `${w}x*`],
      appliesTo: ['requests', 'direct', 'group', 'room', 'questions'],
      action: 'block',
      reason: 'Not here.',
      exemptUserIds: [],
      exemptHandles: [],
      // v1.2: a rule that names no policy falls under `other`, at its first severity.
      policy: 'other',
      severity: 'low',
      createdBy: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      hits: { day: 0, week: 0 },
    });
    expect((await t.http().get(`/admin/v1/rules/${created.id}`).set(triage.auth).expect(200)).body.id).toBe(created.id);
    const listed = await t
      .http()
      .get('/admin/v1/rules')
      .query({ filter: JSON.stringify({ q: w }) })
      .set(triage.auth)
      .expect(200);
    expect(listed.headers['content-range']).toMatch(/^rules 0-0\/1$/);
    await expectContract(listed, 'GET /admin/v1/rules', 200);
    await expectError(
      await t.http().get('/admin/v1/rules').query({ filter: '{nope' }).set(triage.auth),
      'GET /admin/v1/rules',
      400,
      'invalid_request',
    );
    const put = await t
      .http()
      .put(`/admin/v1/rules/${created.id}`)
      .set(admin.auth)
      .send({ ...created, enabled: false, hits: { day: 9, week: 9 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ enabled: false, mode: 'dry_run', patterns: [w, `${w}x*`] });
    for (const id of [randomUUID(), 'nope']) {
      expectErrorShape((await t.http().get(`/admin/v1/rules/${id}`).set(admin.auth)).body, 404, 'not_found');
      expectErrorShape((await t.http().put(`/admin/v1/rules/${id}`).set(admin.auth).send({ enabled: true })).body, 404, 'not_found');
      expectErrorShape((await t.http().delete(`/admin/v1/rules/${id}`).set(admin.auth)).body, 404, 'not_found');
      expectErrorShape((await t.http().get(`/admin/v1/rule-hits/${id}`).set(admin.auth)).body, 404, 'not_found');
      expectErrorShape((await t.http().get(`/admin/v1/held-messages/${id}`).set(admin.auth)).body, 404, 'not_found');
      expectErrorShape((await t.http().post(`/admin/v1/held-messages/${id}/approve`).set(admin.auth)).body, 404, 'not_found');
      expectErrorShape((await t.http().post(`/admin/v1/held-messages/${id}/reject`).set(admin.auth).send({})).body, 404, 'not_found');
    }
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${randomUUID()}/approve`).set(admin.auth),
      'POST /admin/v1/held-messages/{id}/approve',
      404,
      'not_found',
    );
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${randomUUID()}/reject`).set(admin.auth).send({}),
      'POST /admin/v1/held-messages/{id}/reject',
      404,
      'not_found',
    );
    expect((await t.http().delete(`/admin/v1/rules/${created.id}`).set(admin.auth)).status).toBe(200);
    expectErrorShape((await t.http().get(`/admin/v1/rules/${created.id}`).set(admin.auth)).body, 404, 'not_found');
    const audit = (
      await t
        .http()
        .get('/admin/v1/audit-log')
        .query({ filter: JSON.stringify({ subjectId: created.id }) })
        .set(admin.auth)
        .expect(200)
    ).body;
    expect(audit.map((a: any) => a.action).sort()).toEqual(['rule.create', 'rule.delete', 'rule.update']);
    expect((await t.http().get('/admin/v1/audit-log/verify').set(admin.auth).expect(200)).body.ok).toBe(true);
  });

  it('triage reads but cannot write rules or decide held messages (403 forbidden_role)', async () => {
    const w = word();
    expectErrorShape(
      (
        await t
          .http()
          .post('/admin/v1/rules')
          .set(triage.auth)
          .send({ name: 'x', kind: 'keyword', patterns: [w], appliesTo: ['direct'], action: 'block' })
      ).body,
      403,
      'forbidden_role',
    );
    const r = await rule({ kind: 'keyword', patterns: [w], action: 'flag', mode: 'dry_run' });
    expectErrorShape((await t.http().put(`/admin/v1/rules/${r.id}`).set(triage.auth).send({ enabled: false })).body, 403, 'forbidden_role');
    expectErrorShape((await t.http().delete(`/admin/v1/rules/${r.id}`).set(triage.auth)).body, 403, 'forbidden_role');
    expectErrorShape((await t.http().post(`/admin/v1/held-messages/${randomUUID()}/approve`).set(triage.auth)).body, 403, 'forbidden_role');
    expectErrorShape((await t.http().post(`/admin/v1/held-messages/${randomUUID()}/reject`).set(triage.auth)).body, 403, 'forbidden_role');
    await expectContract(await t.http().get('/admin/v1/rule-hits').set(triage.auth), 'GET /admin/v1/rule-hits', 200);
    await expectContract(await t.http().get('/admin/v1/held-messages').set(triage.auth), 'GET /admin/v1/held-messages', 200);
    await expectError(
      await t.http().get('/admin/v1/rule-hits').query({ filter: '{nope' }).set(triage.auth),
      'GET /admin/v1/rule-hits',
      400,
      'invalid_request',
    );
  });

  it('bad bodies are 400 invalid_request with per-field details; backreferences and lookaround are refused; (a+)+$ is accepted and runs in linear time', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ name: 'x', kind: 'regex', patterns: ['ok'], appliesTo: ['direct'], action: 'block', ...body });
      expectErrorShape(res.body, 400, 'invalid_request');
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    };
    await bad({ patterns: ['(a)\\1'] }, 'patterns[0]');
    await bad({ patterns: ['ok', '(?=x)y'] }, 'patterns[1]');
    await bad({ patterns: ['(?<!x)y'] }, 'patterns[0]');
    await bad({ kind: 'domain', patterns: ['not a domain'] }, 'patterns[0]');
    await bad({ kind: 'keyword', patterns: ['a*b'] }, 'patterns[0]');
    await bad({ action: 'explode' }, 'action');
    await bad({ appliesTo: ['everywhere'] }, 'appliesTo');
    await bad({ patterns: [] }, 'patterns');
    await bad({ exemptUserIds: ['x'] }, 'exemptUserIds');
    await bad({ name: undefined, kind: undefined }, 'name');

    const evil = await rule({ kind: 'regex', patterns: ['(a+)+$'], action: 'block', appliesTo: ['direct'] });
    const { sender, conv } = await chat();
    const started = Date.now();
    const res = await send(sender, conv.id, `${'a'.repeat(3990)}!`);
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await send(sender, conv.id, 'aaaa')).body.code).toBe('blocked_by_rule');
    await t.http().delete(`/admin/v1/rules/${evil.id}`).set(admin.auth).expect(200);
  });

  it('regexes valid alone stay valid together: two rules naming the same group, or a \\Q without \\E, neither fail a request nor hide a match', async () => {
    const [w1, w2, w3] = [word(), word(), word()];
    const made: Array<{ id: string }> = [];
    const created: number[] = [];
    for (const [pattern, action, mode] of [
      [`(?P<n>${w1})`, 'block', 'live'],
      [`(?P<n>${w2})`, 'flag', 'dry_run'],
      [`\\Q${w3}`, 'flag', 'dry_run'],
    ]) {
      const res = await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ name: `r-${word()}`, kind: 'regex', patterns: [pattern], action, mode, appliesTo: ['direct'], reason: 'Not here.' });
      created.push(res.status);
      if (res.status === 201) made.push(res.body);
    }
    expect(created).toEqual([201, 201, 201]);
    const { sender, conv } = await chat();
    const statuses = [];
    for (const text of ['plain hello', `say ${w1}`, `say ${w2}`, `say ${w3}`]) {
      const res = await send(sender, conv.id, text);
      statuses.push([text, res.status, res.body.code ?? null]);
    }
    expect(statuses).toEqual([
      ['plain hello', 201, null],
      [`say ${w1}`, 403, 'blocked_by_rule'],
      [`say ${w2}`, 201, null],
      [`say ${w3}`, 201, null],
    ]);
    expect((await hitsOf({ ruleId: made[2].id })).length).toBe(1);
    for (const r of made) await t.http().delete(`/admin/v1/rules/${r.id}`).set(admin.auth).expect(200);
  });

  it('POST /admin/v1/rules/test reports the stored rules and a draft that match a text', async () => {
    const w = word();
    const r = await rule({ kind: 'keyword', patterns: [w], action: 'flag', mode: 'dry_run', enabled: false });
    const res = await t
      .http()
      .post('/admin/v1/rules/test')
      .set(triage.auth)
      .send({ text: `hey ${w.toUpperCase()} see http://x.${w}.test/a`, kind: 'domain', patterns: [`${w}.test`] });
    expect(res.status).toBe(200);
    expect(res.body.matches).toEqual([
      { ruleId: r.id, name: r.name, enabled: false, mode: 'dry_run', action: 'flag', kind: 'keyword', pattern: w },
    ]);
    expect(res.body.draft).toEqual({ matched: true, pattern: `${w}.test` });
    // The stored rules are compiled once per rules version, and a change is seen at once.
    await t.http().delete(`/admin/v1/rules/${r.id}`).set(admin.auth).expect(200);
    expect(
      (
        await t
          .http()
          .post('/admin/v1/rules/test')
          .set(triage.auth)
          .send({ text: `hey ${w}` })
          .expect(200)
      ).body.matches,
    ).toEqual([]);
    const draftTooCostly = await t
      .http()
      .post('/admin/v1/rules/test')
      .set(triage.auth)
      .send({ text: 'x', kind: 'regex', patterns: ['[a-z]{1000}'.repeat(18)] });
    expectErrorShape(draftTooCostly.body, 400, 'invalid_request');
    expectErrorShape((await t.http().post('/admin/v1/rules/test').set(admin.auth).send({})).body, 400, 'invalid_request');
    expectErrorShape(
      (
        await t
          .http()
          .post('/admin/v1/rules/test')
          .set(admin.auth)
          .send({ text: 'x', kind: 'regex', patterns: ['(?=x)'] })
      ).body,
      400,
      'invalid_request',
    );
  });
});

describe('rules: what regexes may cost (issue #26 item 1)', () => {
  const issuePattern = '[a-z]{1000}'.repeat(18); // 198 characters, accepted before: ~0.6 s per 4,000-character message
  const cost = (patterns: string[]) => rulePrograms('regex', patterns).reduce((a, b) => a + b, 0);
  /** RE2 instructions the stored regex rules (enabled or not) compile to now. */
  const storedRegexCost = async () => {
    const rows = (
      await t
        .http()
        .get('/admin/v1/rules')
        .query({ filter: JSON.stringify({ kind: 'regex' }), range: '[0,99]' })
        .set(admin.auth)
        .expect(200)
    ).body as any[];
    return rows.reduce((n, r) => n + cost(r.patterns), 0);
  };
  /** Distinct patterns (different classes, so the alternation cannot share them) filling `budget` instructions exactly. */
  const filling = (budget: number, tag: string) => {
    const classes = ['\\pL', '.', '\\w', '[^z]', '[a-y]', '\\S', '[\\pL\\d]', '\\PZ'];
    const out: string[] = [];
    let left = budget;
    for (let i = 0; left > 0; i++) {
      let n = Math.min(280, left);
      let p = `${classes[i % classes.length]}{${n}}9${tag}`;
      while (n > 1 && cost([p]) > left) p = `${classes[i % classes.length]}{${--n}}9${tag}`;
      if (cost([p]) > left) break;
      out.push(p);
      left -= cost([p]);
    }
    return { patterns: out, left };
  };

  it(`a pattern past ${MAX_PATTERN_PROGRAM} instructions, or one taking all regex rules past ${MAX_RULES_PROGRAM}, is refused with 400 naming it; with the largest set allowed a 4,000-character send and /health/live stay prompt`, async () => {
    const refused = await t
      .http()
      .post('/admin/v1/rules')
      .set(admin.auth)
      .send({ name: 'slow', kind: 'regex', patterns: ['ok', issuePattern], appliesTo: ['questions'], action: 'flag', mode: 'dry_run' });
    expectErrorShape(refused.body, 400, 'invalid_request');
    expect(refused.body.details).toEqual([{ field: 'patterns[1]', problems: [expect.stringContaining(issuePattern)] }]);
    expect(refused.body.message).toContain(issuePattern);
    expect(refused.body.message).toMatch(/too costly/);

    const w = word();
    const { patterns, left } = filling(MAX_RULES_PROGRAM - (await storedRegexCost()), w);
    expect(left).toBeLessThan(10);
    const fill = await rule({ kind: 'regex', patterns, action: 'flag', mode: 'dry_run', appliesTo: ['direct'] });
    try {
      const extra = `${w}\\d+x`;
      const over = await t
        .http()
        .post('/admin/v1/rules')
        .set(admin.auth)
        .send({ name: 'one more', kind: 'regex', patterns: [extra], appliesTo: ['room'], action: 'block' });
      expectErrorShape(over.body, 400, 'invalid_request');
      expect(over.body.details.map((d: any) => d.field)).toEqual(['patterns[0]']);
      expect(over.body.message).toContain(extra);
      expect(over.body.message).toContain(String(MAX_RULES_PROGRAM));
      // Growing a stored rule past the bound is refused the same way; a change that adds no cost passes.
      const grow = await t
        .http()
        .put(`/admin/v1/rules/${fill.id}`)
        .set(admin.auth)
        .send({ patterns: [...patterns, extra] });
      expectErrorShape(grow.body, 400, 'invalid_request');
      expect(
        (
          await t
            .http()
            .put(`/admin/v1/rules/${fill.id}`)
            .set(admin.auth)
            .send({ appliesTo: ['direct', 'group'] })
        ).status,
      ).toBe(200);

      // Every pattern runs on this text to its end (letters only, and every pattern needs a 9).
      const { sender, conv } = await chat();
      const started = Date.now();
      const sending = send(sender, conv.id, 'a'.repeat(4000));
      const health = t
        .http()
        .get('/health/live')
        .then((r) => ({ status: r.status, ms: Date.now() - started }));
      const [sent, live] = await Promise.all([sending, health]);
      expect(sent.status).toBe(201);
      expect(live.status).toBe(200);
      expect(live.ms).toBeLessThan(1500); // the issue measured 2,000 ms; generous for a shared 2-core machine
    } finally {
      await t.http().delete(`/admin/v1/rules/${fill.id}`).set(admin.auth).expect(200);
    }
  });

  it('a send runs only the rules of its scope, and never more regex than the bound whatever rows are stored (written around the API)', async () => {
    const [w, wHuge] = [word(), word()];
    // Stored straight into the table: the oldest rule fills the whole regex bound for questions only.
    const { patterns } = filling(MAX_RULES_PROGRAM, w);
    expect(cost(patterns)).toBeGreaterThan(MAX_RULES_PROGRAM - cost([`${w}\\d+`]));
    const rows = [
      { id: randomUUID(), kind: 'regex', patterns, applies: ['questions'], mode: 'dry_run', action: 'flag', at: '2000-01-01T00:00:00Z' },
      {
        id: randomUUID(),
        kind: 'regex',
        patterns: [`${w}\\d+`],
        applies: ['questions', 'direct'],
        mode: 'live',
        action: 'block',
        at: null,
      },
      { id: randomUUID(), kind: 'regex', patterns: [`${wHuge}[a-z]{400}`], applies: ['direct'], mode: 'live', action: 'block', at: null },
    ];
    for (const r of rows) {
      await db.query(
        `INSERT INTO moderation_rule (id, name, mode, kind, patterns, applies_to, action, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Not here.', coalesce($8::timestamptz, now()))`,
        [r.id, `raw-${word()}`, r.mode, r.kind, r.patterns, r.applies, r.action, r.at],
      );
    }
    try {
      await rule({ kind: 'keyword', patterns: [word()], action: 'flag', mode: 'dry_run' }); // any change recompiles
      const { sender, conv } = await chat();
      // The questions-only rule is no part of a direct message's screening, so the later rule fits and blocks.
      expect((await send(sender, conv.id, `${w}42`)).body.code).toBe('blocked_by_rule');
      // A question's screening holds the oldest rule whole; the later one is past the bound and does not run.
      const host = await registerUser(t.url);
      const room = (await t.http().post('/v1/rooms').set(host.auth).send({ title: 'Costs' }).expect(201)).body;
      const [listener] = await users(1);
      await t.http().post(`/v1/rooms/${room.id}/join`).set(listener.auth).expect(200);
      expect(
        (
          await t
            .http()
            .post(`/v1/rooms/${room.id}/questions`)
            .set(listener.auth)
            .send({ text: `${w}42?` })
        ).status,
      ).toBe(201);
      // A stored pattern past the per-pattern bound never runs.
      expect((await send(sender, conv.id, `${wHuge}${'a'.repeat(400)}`)).status).toBe(201);
    } finally {
      for (const r of rows) await t.http().delete(`/admin/v1/rules/${r.id}`).set(admin.auth).expect(200);
    }
  });
});

describe('rules: actions', () => {
  it('block: 403 blocked_by_rule with the reason as message, nothing stored, the hit recorded; an exempt sender passes', async () => {
    const w = word();
    const { sender, recipient, conv } = await chat();
    const [exempt] = await users(1);
    const r = await rule({
      kind: 'keyword',
      patterns: [w],
      action: 'block',
      reason: 'No zq words, please.',
      appliesTo: ['direct'],
      exemptUserIds: [exempt.id],
    });
    const res = await send(sender, conv.id, `well ${w} then`);
    expectErrorShape(res.body, 403, 'blocked_by_rule');
    expect(res.body.message).toBe('No zq words, please.');
    expect((await db.query('SELECT count(*)::int AS n FROM message WHERE conversation_id = $1', [conv.id]))[0].n).toBe(0);
    expect(await hitsOf({ ruleId: r.id })).toEqual([
      expect.objectContaining({
        ruleId: r.id,
        userId: sender.id,
        scope: 'direct',
        mode: 'live',
        action: 'block',
        applied: true,
        pattern: w,
        messageId: null,
        conversationId: conv.id,
      }),
    ]);
    expect((await hitsOf({ userId: sender.id })).map((h) => h.ruleId)).toEqual([r.id]);
    await follow(recipient, exempt);
    const mine = await createConv(exempt, [recipient.id]);
    expect((await send(exempt, mine.id, w)).status).toBe(201);
  });

  it('normalisation: leetspeak, accents, zero-width characters and Cyrillic look-alikes all match a keyword', async () => {
    const { sender, conv } = await chat();
    await rule({ kind: 'keyword', patterns: ['zqscammer'], action: 'block', appliesTo: ['direct'] });
    for (const text of ['ZQ5C4MM3R!', 'zqscámmér', 'zq\u200bscam\u200dmer', 'zqѕсаmmеr', 'hi Zq$cammer.']) {
      expect({ text, code: (await send(sender, conv.id, text)).body.code }).toEqual({ text, code: 'blocked_by_rule' });
    }
    expect((await send(sender, conv.id, 'zqscammers are words too')).status).toBe(201);
  });

  it('dry_run changes nothing: delivered as usual, the hit recorded (not applied) and counted on the rule', async () => {
    const w = word();
    const { sender, recipient, conv } = await chat();
    const r = await rule({ kind: 'keyword', patterns: [w], action: 'block', mode: 'dry_run', appliesTo: ['direct'] });
    const res = await send(sender, conv.id, `${w}!`);
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('visible');
    expect((await list(recipient, conv.id)).map((m) => m.id)).toEqual([res.body.id]);
    expect(await hitsOf({ ruleId: r.id })).toEqual([expect.objectContaining({ mode: 'dry_run', applied: false, messageId: res.body.id })]);
    expect((await t.http().get(`/admin/v1/rules/${r.id}`).set(admin.auth)).body.hits).toEqual({ day: 1, week: 1 });
  });

  it('hold: only the sender reads it (list, sync, live; no unread); approve delivers message.created once, live and in sync; a second decision is 409', async () => {
    const w = word();
    const { sender, recipient, conv } = await chat();
    await rule({ kind: 'keyword', patterns: [w], action: 'hold', appliesTo: ['direct'] });
    const inbox = await open(recipient);
    const cursor = await head(recipient);
    const res = await send(sender, conv.id, `psst ${w}`);
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('held');
    const heldId = res.body.id;
    expect((await list(sender, conv.id)).map((m) => [m.id, m.state])).toEqual([[heldId, 'held']]);
    expect(await list(recipient, conv.id)).toEqual([]);
    expect((await t.http().get(`/v1/conversations/${conv.id}`).set(recipient.auth).expect(200)).body.unreadCount).toBe(0);
    const queue = (await t.http().get('/admin/v1/held-messages').set(admin.auth).expect(200)).body as any[];
    expect(queue.find((m) => m.id === heldId)).toMatchObject({
      senderId: sender.id,
      text: `psst ${w}`,
      state: 'held',
      conversationKind: 'direct',
      rules: [expect.objectContaining({ pattern: w })],
    });

    // A later message reaches the recipient; the held one never did.
    const later = await send(sender, conv.id, 'hello there');
    await inbox.waitFor('message.created', (p) => p.message.id === later.body.id);
    expect(inbox.of('message.created', (p) => p.message.id === heldId)).toEqual([]);
    expect((await syncFrom(recipient, cursor)).filter((e) => e.message?.id === heldId)).toEqual([]);

    const senderInbox = await open(sender);
    const approved = await t.http().post(`/admin/v1/held-messages/${heldId}/approve`).set(admin.auth);
    expect(approved.status).toBe(200);
    await expectContract(approved, 'POST /admin/v1/held-messages/{id}/approve', 200);
    expect(approved.body.state).toBe('visible');
    await inbox.waitFor('message.created', (p) => p.message.id === heldId);
    await senderInbox.waitFor('message.updated', (p) => p.message.id === heldId && p.message.state === 'visible');
    const marker = await send(sender, conv.id, 'marker');
    await inbox.waitFor('message.created', (p) => p.message.id === marker.body.id);
    expect(inbox.of('message.created', (p) => p.message.id === heldId)).toHaveLength(1);
    expect((await syncFrom(recipient, cursor)).filter((e) => e.type === 'message.created' && e.message?.id === heldId)).toHaveLength(1);
    expect((await list(recipient, conv.id)).map((m) => m.id)).toContain(heldId);
    expectErrorShape((await t.http().post(`/admin/v1/held-messages/${heldId}/approve`).set(admin.auth)).body, 409, 'conflict');
    expectErrorShape((await t.http().post(`/admin/v1/held-messages/${heldId}/reject`).set(admin.auth).send({})).body, 409, 'conflict');
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${heldId}/approve`).set(admin.auth),
      'POST /admin/v1/held-messages/{id}/approve',
      409,
      'conflict',
    );
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${heldId}/reject`).set(admin.auth).send({}),
      'POST /admin/v1/held-messages/{id}/reject',
      409,
      'conflict',
    );
  });

  it(`hold then reject: removed with reason rule for its sender; the recipient never hears of it; two racing rejections: one wins, the other is 409 (${RACE_ROUNDS} rounds, a fresh held message each)`, async () => {
    const w = word();
    const { sender, recipient, conv } = await chat();
    await rule({ kind: 'keyword', patterns: [w], action: 'hold', appliesTo: ['direct'] });
    await raceRounds(RACE_ROUNDS, async (round) => {
      const cursor = await head(recipient);
      const held = (await send(sender, conv.id, `${w} ${round}`).expect(201)).body;
      // Two rejections race: whichever wins, the outcome is the same (the order of approve against
      // reject is covered by the hold test: a decision after another is 409).
      const decisions = await Promise.all(
        [1, 2].map(() => t.http().post(`/admin/v1/held-messages/${held.id}/reject`).set(admin.auth).send({ note: 'spam' })),
      );
      expect(decisions.map((d) => d.status).sort()).toEqual([200, 409]);
      expect(decisions.map((d) => (d.status === 200 ? d.body.state : d.body.code)).sort()).toEqual(['conflict', 'removed']);
      await expectContract(
        decisions.find((d) => d.status === 200)!,
        'POST /admin/v1/held-messages/{id}/reject',
        200,
      );
      const byId = async (u: TestUser) => (await list(u, conv.id)).find((m) => m.id === held.id);
      expect(await byId(sender)).toMatchObject({ state: 'removed', removedReason: 'rule' });
      expect(await byId(recipient)).toBeUndefined();
      expect((await syncFrom(recipient, cursor)).filter((e) => e.message?.id === held.id)).toEqual([]);
    });
    // A rejection without a race: the sender's notice.
    const again = (await send(sender, conv.id, `${w} again`).expect(201)).body;
    expect((await t.http().post(`/admin/v1/held-messages/${again.id}/reject`).set(admin.auth).send({})).body.state).toBe('removed');
    await expectError(
      await t.http().post(`/admin/v1/held-messages/${again.id}/reject`).set(admin.auth).send({}),
      'POST /admin/v1/held-messages/{id}/reject',
      409,
      'conflict',
    );
    expect((await list(recipient, conv.id)).map((m) => m.id)).not.toContain(again.id);
    // The sender is told why (statement of reasons, API.md v1.1): a person decided, appealable.
    const notices = (await t.http().get('/v1/notices').set(sender.auth).expect(200)).body.items;
    const told = notices.find((n: any) => n.data?.subjectId === again.id);
    expect(told.statement).toEqual(
      expect.objectContaining({ action: 'remove_content', automated: false, appeal: expect.objectContaining({ possible: true }) }),
    );
    expect(told.statement.facts).toContain('safety rule');
  });

  it("hide (scope requests): the request goes to the recipient's hidden folder; a rule for requests only leaves accepted chats alone", async () => {
    const w = word();
    await rule({ kind: 'keyword', patterns: [w], action: 'hide', appliesTo: ['requests'] });
    const { sender, recipient, conv } = await requestConv();
    expect((await send(sender, conv.id, `hi ${w}`)).status).toBe(201);
    const folder = async (f: string) =>
      ((await t.http().get(`/v1/conversations?folder=${f}`).set(recipient.auth).expect(200)).body.items as any[]).map((c) => c.id);
    expect(await folder('hidden')).toEqual([conv.id]);
    expect(await folder('requests')).toEqual([]);

    const blockW = word();
    await rule({ kind: 'keyword', patterns: [blockW], action: 'block', appliesTo: ['requests'] });
    const req = await requestConv();
    expect((await send(req.sender, req.conv.id, blockW)).body.code).toBe('blocked_by_rule');
    const accepted = await chat();
    expect((await send(accepted.sender, accepted.conv.id, blockW)).status).toBe(201);
  });

  it('hide is decided per message and viewer: a member added to the group later, who cannot read the matched message, sees the request in requests', async () => {
    const w = word();
    await rule({ kind: 'keyword', patterns: [w], action: 'hide', appliesTo: ['requests'] });
    const [a, b, c, late] = await users(4);
    const group = await createConv(a, [b.id, c.id]); // b and c do not follow a: pending
    expect((await send(a, group.id, `hi ${w}`)).status).toBe(201);
    const folder = async (u: TestUser, f: string) =>
      ((await t.http().get(`/v1/conversations?folder=${f}`).set(u.auth).expect(200)).body.items as any[]).map((c) => c.id);
    expect(await folder(b, 'hidden')).toEqual([group.id]);
    await t
      .http()
      .post(`/v1/conversations/${group.id}/members`)
      .set(a.auth)
      .send({ userIds: [late.id] })
      .expect(200);
    expect(await list(late, group.id)).toEqual([]); // history before joining is not theirs to read
    expect(await folder(late, 'hidden')).toEqual([]);
    expect(await folder(late, 'requests')).toEqual([group.id]);
    expect(await folder(b, 'hidden')).toEqual([group.id]);
  });

  it('flag (scope group): delivered, and a system report opens on the message', async () => {
    const w = word();
    const [a, m1, m2] = await users(3);
    await follow(m1, a);
    await follow(m2, a);
    const group = await createConv(a, [m1.id, m2.id]);
    await rule({ kind: 'regex', patterns: [`${w}\\s+\\d+`], action: 'flag', appliesTo: ['group'] });
    const res = await send(a, group.id, `${w.toUpperCase()}   42`);
    expect(res.status).toBe(201);
    expect((await list(m1, group.id)).map((x) => x.id)).toEqual([res.body.id]);
    const reports = (
      await t
        .http()
        .get('/admin/v1/reports')
        .query({ filter: JSON.stringify({ source: 'system' }) })
        .set(admin.auth)
        .expect(200)
    ).body as any[];
    expect(reports.find((r) => r.subjectId === res.body.id)).toMatchObject({
      subjectType: 'message',
      subjectUserId: a.id,
      source: 'system',
    });
  });

  it('an edit is screened as a send: block and hold refuse it (the delivered text stays), flag lets it through and opens a system report', async () => {
    const [wb, wh, wf] = [word(), word(), word()];
    const { sender, recipient, conv } = await chat();
    await rule({ kind: 'keyword', patterns: [wb], action: 'block', appliesTo: ['direct'] });
    await rule({ kind: 'keyword', patterns: [wh], action: 'hold', appliesTo: ['direct'] });
    await rule({ kind: 'keyword', patterns: [wf], action: 'flag', appliesTo: ['direct'] });
    const sent = (await send(sender, conv.id, 'a harmless first text').expect(201)).body;
    const edit = (text: string) => t.http().patch(`/v1/conversations/${conv.id}/messages/${sent.id}`).set(sender.auth).send({ text });
    expectErrorShape((await edit(`now ${wb}`)).body, 403, 'blocked_by_rule');
    expectErrorShape((await edit(`now ${wh}`)).body, 403, 'blocked_by_rule');
    expect((await list(recipient, conv.id)).map((m) => [m.text, m.editedAt])).toEqual([['a harmless first text', null]]);
    expect((await edit(`now ${wf}`)).status).toBe(200);
    expect((await list(recipient, conv.id))[0].text).toBe(`now ${wf}`);
    await until('a system report on the edited message', async () => {
      const reports = (
        await t
          .http()
          .get('/admin/v1/reports')
          .query({ filter: JSON.stringify({ source: 'system' }) })
          .set(admin.auth)
          .expect(200)
      ).body as any[];
      return reports.some((r) => r.subjectId === sent.id);
    });
    expect((await hitsOf({ userId: sender.id })).length).toBeGreaterThanOrEqual(3);
  });

  it("an edit is checked for membership and ownership before any rule: an unknown or foreign message id is 404 (someone else's own message 403), no hit is recorded and nothing shows as held", async () => {
    const [wh, wb] = [word(), word()];
    await rule({ kind: 'keyword', patterns: [wh], action: 'hold', appliesTo: ['direct'] });
    await rule({ kind: 'keyword', patterns: [wb], action: 'block', appliesTo: ['direct'] });
    const { sender, recipient, conv } = await chat();
    const mine = (await send(recipient, conv.id, 'the recipient speaks').expect(201)).body;
    // A private message of two other people, in a conversation the caller is not in.
    const other = await chat();
    const secret = (await send(other.sender, other.conv.id, 'a private thing').expect(201)).body;
    const patch = (convId: string, messageId: string, text: string) =>
      t.http().patch(`/v1/conversations/${convId}/messages/${messageId}`).set(sender.auth).send({ text });

    for (const text of [`now ${wh}`, `now ${wb}`]) {
      expectErrorShape((await patch(conv.id, randomUUID(), text)).body, 404, 'not_found');
      expectErrorShape((await patch(conv.id, secret.id, text)).body, 404, 'not_found');
      expectErrorShape((await patch(other.conv.id, secret.id, text)).body, 404, 'not_found');
      expectErrorShape((await patch(conv.id, mine.id, text)).body, 403, 'forbidden');
    }
    expect(await hitsOf({ userId: sender.id })).toEqual([]);
    expectErrorShape((await t.http().get(`/admin/v1/held-messages/${secret.id}`).set(admin.auth)).body, 404, 'not_found');
    expect((await list(other.recipient, other.conv.id)).map((m) => [m.id, m.text, m.editedAt])).toEqual([
      [secret.id, 'a private thing', null],
    ]);

    // The caller's own message: the hold rule refuses the edit; its hit names the caller, and
    // the message (which was never held) does not appear as a held message.
    const own = (await send(sender, conv.id, 'my own words').expect(201)).body;
    expectErrorShape((await patch(conv.id, own.id, `now ${wh}`)).body, 403, 'blocked_by_rule');
    expect((await hitsOf({ userId: sender.id })).map((h) => [h.userId, h.conversationId, h.pattern])).toEqual([[sender.id, conv.id, wh]]);
    expectErrorShape((await t.http().get(`/admin/v1/held-messages/${own.id}`).set(admin.auth)).body, 404, 'not_found');
    expect((await list(recipient, conv.id)).find((m) => m.id === own.id).text).toBe('my own words');
  });

  it('domain rules match the host and its subdomains in links; scope room (backchannel) and questions are screened too', async () => {
    const w = word();
    const { sender, conv } = await chat();
    await rule({ kind: 'domain', patterns: [`${w}.example`], action: 'block', appliesTo: ['direct', 'room', 'questions'] });
    expect((await send(sender, conv.id, `see https://deep.sub.${w}.example/x`)).body.code).toBe('blocked_by_rule');
    expect((await send(sender, conv.id, `see https://not${w}.example/x`)).status).toBe(201);

    const host = await registerUser(t.url);
    const room = (await t.http().post('/v1/rooms').set(host.auth).send({ title: 'Rules night' }).expect(201)).body;
    const back = (await t.http().get(`/v1/rooms/${room.id}/backchannel`).set(host.auth).expect(200)).body;
    expect((await send(host, back.id, `https://${w}.example is great`)).body.code).toBe('blocked_by_rule');
    const [listener] = await users(1);
    await t.http().post(`/v1/rooms/${room.id}/join`).set(listener.auth).expect(200);
    const asked = await t
      .http()
      .post(`/v1/rooms/${room.id}/questions`)
      .set(listener.auth)
      .send({ text: `visit https://www.${w}.example` });
    expectErrorShape(asked.body, 403, 'blocked_by_rule');
    expect((await db.query('SELECT count(*)::int AS n FROM question WHERE room_id = $1', [room.id]))[0].n).toBe(0);

    const flagW = word();
    await rule({ kind: 'keyword', patterns: [flagW], action: 'hold', appliesTo: ['questions'] });
    const q = await t
      .http()
      .post(`/v1/rooms/${room.id}/questions`)
      .set(listener.auth)
      .send({ text: `why ${flagW}?` });
    expect(q.status).toBe(201);
    const hits = await hitsOf({ userId: listener.id, scope: 'questions' });
    expect(hits.find((h) => h.questionId === q.body.id)).toMatchObject({ applied: true, action: 'hold' });
    const reports = (
      await t
        .http()
        .get('/admin/v1/reports')
        .query({ filter: JSON.stringify({ source: 'system' }) })
        .set(admin.auth)
        .expect(200)
    ).body as any[];
    expect(reports.find((r) => r.subjectId === q.body.id)).toMatchObject({ subjectType: 'question' });
  });
});

describe('rules: across processes', () => {
  it('a rule created, disabled and re-enabled on one API process is in force on another within a second', async () => {
    const w = word();
    const { sender, conv } = await chat();
    // Process b has already compiled its rules (without this one).
    expect((await send(sender, conv.id, w, b.url)).status).toBe(201);
    const r = await rule({ kind: 'keyword', patterns: [w], action: 'block', appliesTo: ['direct'] });
    const blockedOnB = async () => ((await send(sender, conv.id, w, b.url)).status === 403 ? true : undefined);
    let started = Date.now();
    await until('rule live on process b', blockedOnB, 1000, 50);
    expect(Date.now() - started).toBeLessThan(1000);
    await t.http().put(`/admin/v1/rules/${r.id}`).set(admin.auth).send({ enabled: false }).expect(200);
    started = Date.now();
    await until('rule off on process b', async () => ((await send(sender, conv.id, w, b.url)).status === 201 ? true : undefined), 1000, 50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
