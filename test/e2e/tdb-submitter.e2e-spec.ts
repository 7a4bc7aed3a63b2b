import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { TdbRefused, TdbSubmitter } from '@app/messaging/safety/dsa/tdb-submitter';
import { loadConfig } from '../../apps/api/src/config';
import { schedules } from '../../apps/api/src/worker/job-schedules';
import { JobName } from '@app/messaging/queues';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';
import { startFakeTdb, type FakeTdb } from '../support/fake-tdb';

/**
 * The EU DSA Transparency Database submitter (issue #29) against a local fake of the
 * database's API that validates with the same rules and answers as it does: batches of at
 * most 100, a puid the database already has is skipped, a 503 is retried with backoff, a 422
 * is recorded once and not sent again, and what was accepted is recorded with its uuid.
 */
let t: TestApp;
let fake: FakeTdb;
let db: Db;
let submitter: TdbSubmitter;

beforeAll(async () => {
  fake = await startFakeTdb();
  // The API role only: the test runs the submitter itself, so no scheduled run races it.
  t = await startTestApp({
    label: 'tdb_submitter',
    env: { APP_ROLES: 'api', DSA_TDB_URL: fake.url, DSA_TDB_TOKEN: fake.token, DSA_TDB_RETRY_BASE_MS: '20' },
  });
  db = t.app.get(Db);
  submitter = t.app.get(TdbSubmitter);
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

/** Decisions as EnforcementService records them, written directly so a run has more than two batches' worth. */
async function decisions(userId: string, n: number, opts: { action?: string; expiresAt?: string | null; startSecondsAgo: number }) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId();
    ids.push(id);
    await db.query(
      `INSERT INTO moderation_action (id, user_id, action, reason, created_at, expires_at, policy, severity, category, strikes)
       VALUES ($1, $2, $3, 'spam', now() - make_interval(secs => $4), $5, 'spam', 'low', 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', 1)`,
      [id, userId, opts.action ?? 'warn', opts.startSecondsAgo - i, opts.expiresAt ?? null],
    );
  }
  return ids;
}
const puidOf = (actionId: string) => `backchannel-action-${actionId}`;

describe('the EU Transparency Database submitter', () => {
  it('is scheduled only when DSA_TDB_URL and DSA_TDB_TOKEN are set', () => {
    expect(schedules(t.config).map((s) => s.name)).toContain(JobName.SubmitStatements);
    const off = loadConfig({ ...process.env, DATABASE_URL: 'postgres://x@127.0.0.1/x', DSA_TDB_URL: '', DSA_TDB_TOKEN: '' });
    expect(off.dsaTdb).toBeNull();
    expect(schedules(off).map((s) => s.name)).not.toContain(JobName.SubmitStatements);
    expect(() =>
      loadConfig({ ...process.env, DATABASE_URL: 'postgres://x@127.0.0.1/x', DSA_TDB_URL: fake.url, DSA_TDB_TOKEN: '' }),
    ).toThrow(/DSA_TDB_URL and DSA_TDB_TOKEN/);
  });

  it('sends batches of at most 100, skips puids the database has, retries a 503, records a 422 once and what was accepted', async () => {
    const user = await registerUser(t.url);
    // A direct action through the API, then 150 more decisions, one of which the database already has...
    const admin = await loginStaff(t.url);
    const res = await t.http().post(`/admin/v1/users/${user.id}/actions`).set(admin.auth).send({ action: 'warn', note: 'spam' });
    expect(res.status).toBe(200);
    const direct = res.body.action.id as string;
    await db.query(`UPDATE moderation_action SET created_at = now() - interval '1 hour' WHERE id = $1`, [direct]);
    const warns = await decisions(user.id, 150, { startSecondsAgo: 3000 });
    const alreadyThere = warns[40];
    fake.stored.set(puidOf(alreadyThere), { puid: puidOf(alreadyThere) });
    // ...and one the database refuses: a suspension ending after 2038-01-01, past its date range
    // (no API path can write one; it stands for any statement its rules refuse).
    const [refused] = await decisions(user.id, 1, { action: 'suspend', expiresAt: '2040-06-01T00:00:00Z', startSecondsAgo: 2950 });
    const order = (await db.query(`SELECT id FROM moderation_action ORDER BY created_at, id`)).map((r) => r.id as string);
    expect(order[0]).toBe(direct);
    expect(order.indexOf(refused)).toBeLessThan(100);

    fake.failNext = 1; // the first batch's first try answers 503
    const before = fake.calls.length;
    const outcome = await submitter.submitPending();

    // 152 decisions: 1 existing (skipped), 150 to send in 100 + 50; the first try is a 503, the
    // retry a 422 naming the refused one, which is recorded, and the other 99 go again.
    expect(outcome).toEqual({ enabled: true, batches: [99, 51], accepted: 150, existing: 1, rejected: 1, retries: 1 });
    const calls = fake.calls.slice(before);
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => [c.status, c.statements])).toEqual([
      [503, undefined],
      [422, 100],
      [201, 99],
      [201, 51],
    ]);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(152);
    expect(calls.every((c) => c.auth === `Bearer ${fake.token}`)).toBe(true);
    for (const c of posts) expect(c.statements ?? 0).toBeLessThanOrEqual(100);

    // The database holds each accepted statement once; the skipped one was never posted.
    expect(fake.stored.size).toBe(151);
    expect(fake.stored.has(puidOf(refused))).toBe(false);
    const rows = await db.query(`SELECT action_id, puid, status, tdb_uuid, errors FROM tdb_submission ORDER BY settled_at`);
    const byAction = new Map(rows.map((r) => [r.action_id, r]));
    expect(rows).toHaveLength(152);
    expect(byAction.get(alreadyThere)).toMatchObject({ status: 'existing', tdb_uuid: null });
    expect(byAction.get(refused)).toMatchObject({ status: 'rejected', puid: puidOf(refused) });
    expect(JSON.stringify(byAction.get(refused).errors)).toContain('end date account restriction');
    expect(byAction.get(direct)).toMatchObject({ status: 'accepted', tdb_uuid: fake.stored.get(puidOf(direct))!.uuid });

    // Nothing is sent twice: the next run finds nothing to do, the refused one included.
    const mark = fake.calls.length;
    expect(await submitter.submitPending()).toEqual({ enabled: true, batches: [], accepted: 0, existing: 0, rejected: 0, retries: 0 });
    expect(fake.calls.length).toBe(mark);
  });

  it('a refused token stops the run and records nothing; a database that stays unavailable fails the run after its retries', async () => {
    const user = await registerUser(t.url);
    const [id] = await decisions(user.id, 1, { startSecondsAgo: 10 });
    fake.token = 'rotated';
    await expect(submitter.submitPending()).rejects.toBeInstanceOf(TdbRefused);
    fake.token = 'tdb-test-token';
    fake.failNext = 100;
    await expect(submitter.submitPending()).rejects.toThrow(/503 after 5 tries/);
    fake.failNext = 0;
    expect(await db.query(`SELECT 1 FROM tdb_submission WHERE action_id = $1`, [id])).toHaveLength(0);
    // Once the database answers again, the next run sends it.
    expect(await submitter.submitPending()).toMatchObject({ accepted: 1, batches: [1] });
  });
});
