import { Db } from '@app/messaging/db/db.service';
import { newId } from '@app/messaging/ids';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ label: 'blocklist_removal', env: { APP_ROLES: 'api' } });
});
afterAll(async () => {
  await t?.close();
});

it('removing a blocklist entry un-caches the verdicts it decided (and only those), so those links are classified afresh', async () => {
  const db = t.app.get(Db);
  const admin = await loginStaff(t.url);
  const entry = await t
    .http()
    .post('/admin/v1/blocklist')
    .set(admin.auth)
    .send({ pattern: 'evil.example', kind: 'domain', reason: 'test' });
  expect(entry.status).toBe(201);
  const row = (url: string, host: string, rule: string, overridden = false) =>
    db.query(
      `INSERT INTO link (id, url, host, verdict, reason, rule, overridden, scanned_at, expires_at)
       VALUES ($1, $2, $3, 'malicious', 'blocklisted_domain', $4, $5, now(), now() + interval '1 day')`,
      [newId(), url, host, rule, overridden],
    );
  await row('http://a.evil.example/x', 'a.evil.example', 'blocklist');
  await row('http://evil.example/y', 'evil.example', 'blocklist', true);
  await row('http://other.example/z', 'other.example', 'blocklist');
  expect((await t.http().delete(`/admin/v1/blocklist/${entry.body.id}`).set(admin.auth)).status).toBeLessThan(300);
  const rows = await db.query(`SELECT url, expires_at <= now() AS expired FROM link ORDER BY url`);
  expect(rows).toEqual([
    { url: 'http://a.evil.example/x', expired: true },
    { url: 'http://evil.example/y', expired: false },
    { url: 'http://other.example/z', expired: false },
  ]);
});
