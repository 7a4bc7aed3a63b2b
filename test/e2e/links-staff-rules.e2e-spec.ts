import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, uniqueHandle } from '../support/factories';

/**
 * Links staff see are URLs users sent in private messages: every staff read of them is in
 * the audit log (who, which query, how many rows). And a triage label cannot clear what the
 * blocklist or a reputation provider condemned.
 */
let t: TestApp;
let db: Db;
let admin: { auth: Record<string, string>; staff: { id: string } };
const enc = (o: unknown) => encodeURIComponent(JSON.stringify(o));

async function staffWith(role: 'moderator' | 'triage') {
  const email = `${uniqueHandle(role)}@example.com`;
  const res = await t
    .http()
    .post('/admin/v1/staff')
    .set(admin.auth)
    .send({ email, displayName: `A ${role}`, password: 'staff-password-1', role });
  expect(res.status).toBe(201);
  return loginStaff(t.url, email, 'staff-password-1');
}

async function link(url: string, verdict: string, rule: string, reason: string | null = null): Promise<string> {
  const id = newId();
  await db.query(
    `INSERT INTO link (id, url, host, verdict, reason, rule, scanned_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now(), now() + interval '1 day')`,
    [id, url, new URL(url).hostname, verdict, reason, rule],
  );
  return id;
}

const auditOf = (staffId: string, action: string) =>
  db.query(`SELECT subject_type, subject_id, after FROM audit_log WHERE staff_id = $1 AND action = $2 ORDER BY id`, [staffId, action]);

beforeAll(async () => {
  t = await startTestApp({ label: 'links_staff_rules', env: { APP_ROLES: 'api' } });
  db = t.app.get(Db);
  admin = await loginStaff(t.url);
});
afterAll(async () => {
  await t?.close();
});

describe('staff reads of private URLs are audited', () => {
  it('each links list read (and search) writes exactly one links.read entry with the query and the row count', async () => {
    const triage = await staffWith('triage');
    await link('https://docs.private.example/d/secret-doc-1', 'safe', 'default');
    await link('https://docs.private.example/d/secret-doc-2', 'safe', 'default');
    await link('https://elsewhere.example/x', 'safe', 'default');
    const all = await t.http().get('/admin/v1/links').set(triage.auth);
    expect(all.status).toBe(200);
    const search = await t
      .http()
      .get(`/admin/v1/links?filter=${enc({ q: 'secret-doc' })}&range=${enc([0, 9])}`)
      .set(triage.auth);
    expect(search.status).toBe(200);
    expect(search.body).toHaveLength(2);
    expect(await auditOf(triage.staff.id, 'links.read')).toEqual([
      { subject_type: 'link', subject_id: null, after: { filter: {}, sort: ['lastSeenAt', 'DESC'], range: [0, 24], rows: 3, total: 3 } },
      {
        subject_type: 'link',
        subject_id: null,
        after: { filter: { q: 'secret-doc' }, sort: ['lastSeenAt', 'DESC'], range: [0, 9], rows: 2, total: 2 },
      },
    ]);
  });

  it('reading one link writes exactly one link.read entry naming it', async () => {
    const moderator = await staffWith('moderator');
    const id = await link('https://drive.private.example/file/abc', 'safe', 'default');
    expect((await t.http().get(`/admin/v1/links/${id}`).set(moderator.auth)).status).toBe(200);
    expect(await auditOf(moderator.staff.id, 'link.read')).toEqual([{ subject_type: 'link', subject_id: id, after: { rows: 1 } }]);
  });

  it('a blocklist preview (which shows sample URLs) writes exactly one blocklist.preview entry with the pattern and how many URLs it showed', async () => {
    const triage = await staffWith('triage');
    for (const path of ['a', 'b']) {
      await db.query(`INSERT INTO link_occurrence (url, host, question_id) VALUES ($1, 'preview.example', $2)`, [
        `https://preview.example/${path}`,
        newId(),
      ]);
    }
    const res = await t.http().get('/admin/v1/blocklist/preview?pattern=preview.example&kind=domain').set(triage.auth);
    expect(res.status).toBe(200);
    expect(res.body.sample).toHaveLength(2);
    expect(await auditOf(triage.staff.id, 'blocklist.preview')).toEqual([
      { subject_type: 'blocklist', subject_id: null, after: { pattern: 'preview.example', kind: 'domain', matches: 2, rows: 2 } },
    ]);
  });
});

describe('a safe label over a condemned link needs a moderator', () => {
  it('triage labelling a blocklisted link safe (or suspicious) is 403 forbidden_role and no override is stored', async () => {
    const triage = await staffWith('triage');
    expect((await t.http().post('/admin/v1/blocklist').set(admin.auth).send({ pattern: 'condemned.example', kind: 'domain' })).status).toBe(
      201,
    );
    // Cached safe before the entry existed: the blocklist still condemns it.
    const id = await link('https://sub.condemned.example/p', 'safe', 'default');
    const res = await t.http().put(`/admin/v1/links/${id}`).set(triage.auth).send({ verdict: 'safe' });
    expect([res.status, res.body.code]).toEqual([403, 'forbidden_role']);
    const lowered = await t.http().put(`/admin/v1/links/${id}`).set(triage.auth).send({ verdict: 'suspicious' });
    expect([lowered.status, lowered.body.code]).toEqual([403, 'forbidden_role']);
    expect((await db.query('SELECT verdict, overridden FROM link WHERE id = $1', [id]))[0]).toEqual({ verdict: 'safe', overridden: false });
  });

  it('triage labelling a link a provider condemned safe is 403 forbidden_role', async () => {
    const triage = await staffWith('triage');
    const id = await link('https://provider-bad.example/x', 'malicious', 'provider:urlhaus', 'malware_download');
    const res = await t.http().put(`/admin/v1/links/${id}`).set(triage.auth).send({ verdict: 'safe' });
    expect([res.status, res.body.code]).toEqual([403, 'forbidden_role']);
    expect((await db.query('SELECT verdict, overridden FROM link WHERE id = $1', [id]))[0]).toEqual({
      verdict: 'malicious',
      overridden: false,
    });
  });

  it('a moderator may label a blocklisted link safe; triage may still label an uncondemned link safe', async () => {
    const moderator = await staffWith('moderator');
    const triage = await staffWith('triage');
    expect(
      (await t.http().post('/admin/v1/blocklist').set(admin.auth).send({ pattern: 'https://only.example/this', kind: 'url' })).status,
    ).toBe(201);
    const condemned = await link('https://only.example/this', 'malicious', 'blocklist', 'blocklisted_url');
    const ok = await t.http().put(`/admin/v1/links/${condemned}`).set(moderator.auth).send({ verdict: 'safe' });
    expect([ok.status, ok.body.verdict, ok.body.overridden]).toEqual([200, 'safe', true]);
    const plain = await link('https://heuristics.example/x', 'suspicious', 'heuristic:shortener', 'shortener');
    const fine = await t.http().put(`/admin/v1/links/${plain}`).set(triage.auth).send({ verdict: 'safe' });
    expect([fine.status, fine.body.verdict]).toEqual([200, 'safe']);
  });
});
