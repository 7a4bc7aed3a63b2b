import Redis from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { Db } from '@app/messaging/db/db.service';
import { REDIS_URL, startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle, type TestUser } from '../support/factories';
import { expectContract, expectError } from '../support/contract';
import { emitAck } from '../support/socket';
import { until } from '../support/wait';

/**
 * Issue #32 items 12 and 13: the transparency counts per day (the console's charts), queue
 * statistics, and "who else is viewing this case" over the staff socket, shared by two API
 * processes (one database, one Redis).
 */
let a: TestApp;
let b: TestApp;
let db: Db;
type Staff = { auth: Record<string, string>; staff: { id: string }; token: string };
let admin: Staff;
let alice: Staff;
let bob: Staff;
let triage: Staff;
const UNKNOWN = '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c91';
const sockets: Socket[] = [];
const redis = new Redis(REDIS_URL);

async function staffWith(role: 'admin' | 'moderator' | 'triage', displayName: string): Promise<Staff> {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await a.http().post('/admin/v1/staff').set(admin.auth).send({ email, displayName, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return withToken(await loginStaff(a.url, email, 'staff-password-1'));
}
const withToken = (s: { auth: Record<string, string>; staff: { id: string } }): Staff => ({
  ...s,
  token: s.auth.Authorization.replace(/^Bearer /, ''),
});

beforeAll(async () => {
  a = await startTestApp({ label: 'console_team', env: { LIMIT_REPORTS: '1000/3600' } });
  b = await startTestApp({ db: a.db, redisPrefix: a.config.redisPrefix });
  db = a.app.get(Db);
  admin = withToken(await loginStaff(a.url));
  [alice, bob, triage] = await Promise.all([
    staffWith('moderator', 'Alice Moderator'),
    staffWith('moderator', 'Bob Moderator'),
    staffWith('triage', 'Tess Triage'),
  ]);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await redis.quit();
  await b?.close();
  await a?.close();
});

const report = async (u: TestUser, body: Record<string, unknown>) => {
  const res = await a.http().post('/v1/reports').set(u.auth).send(body);
  expect(res.status).toBe(201);
  return res.body.id as string;
};

/** A subject reported by `n` people; the open case's id. */
async function reportedUser(n: number, reason = 'harassment'): Promise<{ subject: TestUser; caseId: string; reportIds: string[] }> {
  const subject = await registerUser(a.url);
  const reporters = await Promise.all(Array.from({ length: n }, () => registerUser(a.url)));
  const reportIds: string[] = [];
  for (const r of reporters) reportIds.push(await report(r, { subjectType: 'user', subjectId: subject.id, reason }));
  const [row] = await db.query<{ case_id: string }>('SELECT case_id FROM report WHERE id = $1', [reportIds[0]]);
  return { subject, caseId: row.case_id, reportIds };
}

/** A staff socket on `url` (namespace /staff), connected. */
function staffSocket(url: string, token: unknown): Promise<Socket> {
  const socket = io(`${url}/staff`, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: any) => reject(Object.assign(new Error(`refused: ${err.message}`), { data: err.data })));
  });
}

/** The newest `case.viewers` list each socket received for a case (highest version wins, as the console keeps it). */
function viewersOf(socket: Socket, caseId: string) {
  const state = { version: -1, names: [] as string[] };
  socket.on('case.viewers', (e: any) => {
    if (e.caseId !== caseId || e.version <= state.version) return;
    state.version = e.version;
    state.names = e.viewers.map((v: any) => v.displayName);
  });
  return state;
}

describe('GET /admin/v1/transparency/daily', () => {
  it('gives every UTC day of the period, and the days add up to the period counts of GET /admin/v1/transparency', async () => {
    const { reportIds, caseId } = await reportedUser(2, 'spam');
    await reportedUser(1, 'harassment');
    const resolved = await a
      .http()
      .post(`/admin/v1/cases/${caseId}/resolve`)
      .set(alice.auth)
      .send({ action: 'warn', note: 'spam', policy: 'spam' });
    expect(resolved.status).toBe(200);
    // Back-date one report by two days so the series has more than one day.
    await db.query(`UPDATE report SET created_at = created_at - interval '2 days' WHERE id = $1`, [reportIds[1]]);

    const from = new Date(Date.now() - 5 * 86400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    const daily = await a.http().get(`/admin/v1/transparency/daily?from=${from}&to=${to}`).set(admin.auth);
    await expectContract(daily, 'GET /admin/v1/transparency/daily', 200);
    const period = (await a.http().get(`/admin/v1/transparency?from=${from}&to=${to}`).set(admin.auth).expect(200)).body;

    const days = daily.body.days as any[];
    expect(days).toHaveLength(6);
    expect(days[0].day).toBe(from);
    expect(days.map((d) => d.day)).toEqual([...days.map((d) => d.day)].sort());
    const sum = (pick: (d: any) => Record<string, number>) =>
      days.reduce<Record<string, number>>((acc, d) => {
        for (const [k, v] of Object.entries(pick(d))) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {});
    expect(sum((d) => d.reports.byReason)).toEqual(period.reports.byReason);
    expect(sum((d) => d.actions.byAction)).toEqual(period.actions.byAction);
    expect(days.reduce((n, d) => n + d.reports.total, 0)).toBe(period.reports.total);
    expect(days.reduce((n, d) => n + d.actions.total, 0)).toBe(period.actions.total);
    expect(period.reports.byReason).toMatchObject({ spam: 2, harassment: 1 });
    expect(period.actions.byAction).toMatchObject({ warn: 1 });
    // The back-dated report is on its own day; the decision's median is on the day it was taken.
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000).toISOString().slice(0, 10);
    expect(days.find((d) => d.day === twoDaysAgo).reports.byReason).toEqual({ spam: 1 });
    const today = days.find((d) => d.day === new Date().toISOString().slice(0, 10));
    expect(today.decidedWithAction).toBe(2);
    expect(today.medianHoursToAction).toBeGreaterThan(23);
    expect(days.filter((d) => d.medianHoursToAction !== null)).toHaveLength(1);
  });

  it('is for admins: a moderator gets 403 forbidden_role, no token 401', async () => {
    await expectError(
      await a.http().get('/admin/v1/transparency/daily').set(alice.auth),
      'GET /admin/v1/transparency/daily',
      403,
      'forbidden_role',
    );
    await expectError(await a.http().get('/admin/v1/transparency/daily'), 'GET /admin/v1/transparency/daily', 401, 'unauthorized');
  });

  it.each([
    ['from=yesterday', 'from', 'iso8601'],
    ['from=2026-02-30', 'from', 'iso8601'],
    ['from=2026-03-01&to=2026-02-01', 'from', 'before_to'],
    ['from=2024-01-01&to=2026-01-01', 'from', 'period_too_long'],
  ])('refuses %s with 400 invalid_request naming the field', async (query, field, problem) => {
    const res = await a.http().get(`/admin/v1/transparency/daily?${query}`).set(admin.auth);
    await expectError(res, 'GET /admin/v1/transparency/daily', 400, 'invalid_request');
    expect(res.body.details).toEqual([{ field, problems: [problem] }]);
  });
});

describe('GET /admin/v1/queue-stats', () => {
  it('counts open cases and reports, names the oldest, and reports handled per day per moderator over 14 days', async () => {
    const old = await reportedUser(1, 'hate');
    await db.query(`UPDATE report SET created_at = now() - interval '30 days' WHERE id = $1`, [old.reportIds[0]]);
    const handled = await reportedUser(3, 'spam');
    await a.http().post(`/admin/v1/cases/${handled.caseId}/resolve`).set(bob.auth).send({ action: 'dismiss', note: 'fine' }).expect(200);

    const res = await b.http().get('/admin/v1/queue-stats').set(bob.auth);
    await expectContract(res, 'GET /admin/v1/queue-stats', 200);
    const [counts] = await db.query<{ cases: number; reports: number }>(
      `SELECT (SELECT count(*) FROM moderation_case WHERE status = 'open')::int AS cases,
              (SELECT count(*) FROM report WHERE status <> 'resolved')::int AS reports`,
    );
    expect(res.body).toMatchObject({ openCases: counts.cases, openReports: counts.reports, oldestOpenCaseId: old.caseId });
    expect(res.body.oldestOpenHours).toBeGreaterThanOrEqual(30 * 24);
    expect(res.body.days).toHaveLength(14);
    expect(res.body.days[13]).toBe(new Date().toISOString().slice(0, 10));
    const bobs = res.body.moderators.find((m: any) => m.staffId === bob.staff.id);
    expect(bobs).toMatchObject({ displayName: 'Bob Moderator', total: 3 });
    expect(bobs.perDay).toHaveLength(14);
    expect(bobs.perDay[13]).toEqual({ day: res.body.days[13], handled: 3 });
    // Only people who handled something are listed.
    expect(res.body.moderators.find((m: any) => m.staffId === triage.staff.id)).toBeUndefined();
  });

  it('is for moderators and admins: triage gets 403 forbidden_role', async () => {
    await expectError(await a.http().get('/admin/v1/queue-stats').set(triage.auth), 'GET /admin/v1/queue-stats', 403, 'forbidden_role');
    await a.http().get('/admin/v1/queue-stats').set(admin.auth).expect(200);
  });
});

describe('staff socket: who else is viewing a case', () => {
  it('two moderators on two API processes see each other join and leave a case', async () => {
    const { caseId } = await reportedUser(1);
    const sa = await staffSocket(a.url, alice.token);
    const sb = await staffSocket(b.url, bob.token);
    const seenByAlice = viewersOf(sa, caseId);
    const seenByBob = viewersOf(sb, caseId);

    const first = await emitAck(sa, 'case.viewing', { caseId, viewing: true });
    expect(first).toMatchObject({ caseId, viewers: [{ staffId: alice.staff.id, displayName: 'Alice Moderator' }] });
    const second = await emitAck(sb, 'case.viewing', { caseId, viewing: true });
    expect(second.viewers.map((v: any) => v.displayName)).toEqual(['Alice Moderator', 'Bob Moderator']);
    expect(second.version).toBeGreaterThan(first.version);

    // Alice's console (on the other process) hears of Bob.
    await until('Alice sees Bob', async () => seenByAlice.names.includes('Bob Moderator'));
    await until('Bob sees Alice', async () => seenByBob.names.includes('Alice Moderator'));

    // A second tab of Alice's on process B, closed again, leaves her listed once throughout.
    const tab = await staffSocket(b.url, alice.token);
    const again = await emitAck(tab, 'case.viewing', { caseId, viewing: true });
    expect(again.viewers.map((v: any) => v.displayName)).toEqual(['Alice Moderator', 'Bob Moderator']);
    tab.close();

    // Bob closes his console: Alice's list drops him.
    sb.close();
    await until('Alice sees Bob leave', async () => seenByAlice.names.join() === 'Alice Moderator');
    // Alice leaves the case herself: the case has no viewers left.
    const left = await emitAck(sa, 'case.viewing', { caseId, viewing: false });
    expect(left.viewers).toEqual([]);
  });

  it('a viewing of a process that died without saying so expires, and the survivors hear of it', async () => {
    const { caseId } = await reportedUser(1);
    const sa = await staffSocket(a.url, alice.token);
    const seen = viewersOf(sa, caseId);
    await emitAck(sa, 'case.viewing', { caseId, viewing: true });
    // A dead process's entry: listed while its heartbeat would still be due, never removed by its owner.
    const key = `${a.config.redisPrefix}case-viewers:{${caseId}}`;
    const ghost = (expiresAt: number) => `${expiresAt}|${JSON.stringify({ staffId: bob.staff.id, displayName: 'Bob Moderator' })}`;
    await redis.hset(key, 'ghost-socket', ghost(Date.now() + 60_000));
    const joined = await emitAck(sa, 'case.viewing', { caseId, viewing: true });
    expect(joined.viewers.map((v: any) => v.displayName)).toEqual(['Alice Moderator', 'Bob Moderator']);
    // Its heartbeat stops: the entry expires.
    await redis.hset(key, 'ghost-socket', ghost(Date.now() - 1));
    // Any call on the case (here a leave-and-join of Alice's) prunes it and tells everyone viewing.
    await emitAck(sa, 'case.viewing', { caseId, viewing: false });
    const back = await emitAck(sa, 'case.viewing', { caseId, viewing: true });
    expect(back.viewers.map((v: any) => v.displayName)).toEqual(['Alice Moderator']);
    await until('the pushed list has no ghost', async () => seen.names.join() === 'Alice Moderator');
  });

  it('refuses a missing or user token at the handshake (unauthorized), and bad input with a stable code', async () => {
    await expect(staffSocket(a.url, undefined)).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    const user = await registerUser(a.url);
    await expect(staffSocket(a.url, user.auth.Authorization.replace(/^Bearer /, ''))).rejects.toMatchObject({
      data: { code: 'unauthorized' },
    });
    const s = await staffSocket(a.url, triage.token);
    expect(await emitAck(s, 'case.viewing', 'nope')).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await emitAck(s, 'case.viewing', { viewing: true })).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await emitAck(s, 'case.viewing', { caseId: UNKNOWN, viewing: 'yes' })).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await emitAck(s, 'case.viewing', { caseId: 'not-a-case', viewing: true })).toMatchObject({ error: { code: 'not_found' } });
    expect(await emitAck(s, 'case.viewing', { caseId: UNKNOWN, viewing: true })).toMatchObject({ error: { code: 'not_found' } });
    // Triage may view cases (they read them), and is listed like anyone.
    const { caseId } = await reportedUser(1);
    expect((await emitAck(s, 'case.viewing', { caseId, viewing: true })).viewers).toEqual([
      { staffId: triage.staff.id, displayName: 'Tess Triage' },
    ]);
  });

  it('a disabled staff account can no longer say it views a case', async () => {
    const sam = await staffWith('moderator', 'Sam Soon Disabled');
    const s = await staffSocket(a.url, sam.token);
    const { caseId } = await reportedUser(1);
    await db.query('UPDATE staff SET disabled = true WHERE id = $1', [sam.staff.id]);
    expect(await emitAck(s, 'case.viewing', { caseId, viewing: true })).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
