import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser } from '../support/factories';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * A moderator's first hour (#20.8-11): names instead of ids, the page current after an
 * action, lifting an action early, and a blocklist input that says what it will match.
 * Screenshots go to test-artifacts/moderator-first-hour/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'moderator-first-hour');

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
let page: Page;
let admin: { auth: Record<string, string>; staff: { id: string; displayName: string } };
const shot = async (name: string) => {
  await screenshot(page, join(SHOTS, `${name}.png`));
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) throw new Error('Run `npm run build:admin` first.');
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser_first_hour' });
  admin = await loginStaff(t.url);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20_000);
  await page.goto(`${t.url}/admin/`);
  await page.locator('input[name="email"]').fill('admin@example.com');
  await page.locator('input[name="password"]').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  await shot('00-login-error');
  // One error per failed login: the inline alert, no second toast.
  expect(await page.getByTestId('login-error').count()).toBe(1);
  expect(await page.locator('.MuiSnackbar-root').count()).toBe(0);
  await page.locator('input[name="password"]').fill('admin-password-1');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function reportUser(reporter: { auth: Record<string, string> }, subjectId: string, reason = 'harassment') {
  const r = await request(t.url)
    .post('/v1/reports')
    .set(reporter.auth)
    .send({ subjectType: 'user', subjectId, reason, note: 'keeps messaging me' });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

it('reports, actions and the audit log show handles and names; a resolution reads as a sentence; the queue moves to the next open report', async () => {
  const offender = await registerUser(t.url, 'mallory_first');
  const other = await registerUser(t.url, 'oscar_second');
  const victim = await registerUser(t.url, 'victor_reporter');
  const first = await reportUser(victim, offender.id);
  const second = await reportUser(victim, other.id, 'spam');

  await page.goto(`${t.url}/admin/#/reports`);
  await page.getByTestId('report-list').waitFor();
  await page.getByText('@mallory_first').first().waitFor();
  await shot('01-queue-names');
  const listText = await page.getByTestId('report-list').textContent();
  expect(listText).toContain('@oscar_second');
  expect(listText).not.toContain(offender.id);

  await page.goto(`${t.url}/admin/#/reports/${first}/show`);
  await page.getByTestId('report-summary').getByText('@mallory_first').first().waitFor();
  await expect(page.getByTestId('report-summary').getByText('@victor_reporter').count()).resolves.toBe(1);
  await page.getByTestId('resolve-button').click();
  await page.getByTestId('resolve-dialog').waitFor();
  await page.getByTestId('resolve-action').selectOption('suspend');
  await page.locator('[data-testid="resolve-duration"] input, input[data-testid="resolve-duration"]').first().fill('72');
  await page
    .locator('[data-testid="resolve-note"] textarea, textarea[data-testid="resolve-note"], [data-testid="resolve-note"] input')
    .first()
    .fill('Harassment');
  await page.getByTestId('resolve-submit').click();
  // The queue moves on to the next open report.
  await page.waitForURL(new RegExp(`/reports/${second}/show`));
  await page.getByTestId('report-summary').getByText('@oscar_second').first().waitFor();
  await shot('02-moved-to-next-report');

  // The resolved report reads as a sentence.
  await page.goto(`${t.url}/admin/#/reports/${first}/show`);
  const sentence = page.getByTestId('resolution-sentence');
  await sentence.waitFor();
  await expect(sentence.textContent()).resolves.toBe('Suspended @mallory_first for 3 days. Note: “Harassment”');
  await shot('03-resolution-sentence');

  // The actions list names the user and the staff member.
  await page.goto(`${t.url}/admin/#/actions`);
  await page.getByText('@mallory_first').first().waitFor();
  await expect(
    page.locator('[data-testid="staff-name"], .MuiChip-label').filter({ hasText: admin.staff.displayName }).count(),
  ).resolves.toBeGreaterThan(0);
  // Its report column names the report by its reason, never by an id.
  await page
    .getByTestId('record-link')
    .filter({ hasText: /report$/ })
    .first()
    .waitFor();
  await expect(page.locator('tbody').first().textContent()).resolves.not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  await shot('04-actions-names');

  // The audit log filters by staff name and by action, and names the subject.
  await page.goto(
    `${t.url}/admin/#/audit-log?filter=${encodeURIComponent(JSON.stringify({ action: 'report.resolve', staffQ: admin.staff.displayName }))}`,
  );
  await page.getByText('Resolved a report').first().waitFor();
  // A report is named in words ("Harassment report about @mallory_first"), not "Report 01a2…".
  await page
    .getByTestId('audit-subject')
    .filter({ hasText: /report about @mallory_first$/ })
    .first()
    .waitFor();
  await shot('05-audit-log-filtered');
  await page.goto(`${t.url}/admin/#/audit-log?filter=${encodeURIComponent(JSON.stringify({ subjectId: offender.id }))}`);
  await page.getByTestId('audit-subject').filter({ hasText: '@mallory_first' }).first().waitFor();
  // The list keeps the previous filter's rows until the new page arrives (those name the report
  // "… report about @mallory_first" too): wait for an entry only this filter lists.
  await page.locator('tbody tr').filter({ hasText: 'Suspended a user' }).first().waitFor();
  const rows = await page.locator('tbody tr').count();
  expect(rows).toBe(await page.locator('tbody tr').filter({ hasText: '@mallory_first' }).count());
  await shot('06-audit-log-by-user');
});

it('lifting a suspension from the user page restores the account and the page shows it at once', async () => {
  const u = await registerUser(t.url, 'sam_suspended');
  const act = await request(t.url)
    .post(`/admin/v1/users/${u.id}/actions`)
    .set(admin.auth)
    .send({ action: 'suspend', durationHours: 48, note: 'x' });
  expect(act.status).toBe(200);
  await page.goto(`${t.url}/admin/#/users/${u.id}/show`);
  await page.getByTestId('standing-suspended').first().waitFor();
  await expect(page.getByTestId('suggested-because').textContent()).resolves.toMatch(/Already suspended/);
  await shot('07-user-suspended');
  await page.getByTestId('lift-button').first().click();
  await page.getByTestId('lift-dialog').waitFor();
  await page.getByTestId('lift-note').fill('Wrong account');
  await shot('08-lift-dialog');
  await page.getByTestId('lift-submit').click();
  // The page is current: the suspension chip is gone and the action reads as lifted.
  await page.getByTestId('standing-suspended').first().waitFor({ state: 'detached' });
  await page.getByTestId('history-action').filter({ hasText: 'Lifted' }).first().waitFor();
  expect(await page.getByTestId('lift-button').count()).toBe(0);
  await shot('09-user-lifted');
  expect((await request(t.url).get('/v1/me').set(u.auth)).status).toBe(200);

  // A restriction shows on the user's standing, and lifts from the action page.
  const r = await request(t.url)
    .post(`/admin/v1/users/${u.id}/actions`)
    .set(admin.auth)
    .send({ action: 'restrict_messaging', durationHours: 24 });
  await page.reload();
  await page.getByTestId('standing-restricted').first().waitFor();
  await shot('09b-user-restricted');
  await page.goto(`${t.url}/admin/#/actions/${r.body.action.id}/show`);
  await page.getByTestId('lift-button').click();
  await page.getByTestId('lift-submit').click();
  await page.getByTestId('action-state').filter({ hasText: 'Lifted' }).waitFor();
  await shot('10-action-lifted');
  const user = await request(t.url).get(`/admin/v1/users/${u.id}`).set(admin.auth);
  expect(user.body.restrictedUntil).toBeNull();
});

it('spam signals read in plain words and the raw subject JSON stays behind a toggle', async () => {
  const sender = await registerUser(t.url, 'pat_sender');
  const target = await registerUser(t.url, 'quinn_target');
  const conv = await request(t.url)
    .post('/v1/conversations')
    .set(sender.auth)
    .send({ participantIds: [target.id] });
  expect(conv.status).toBe(201);
  await request(t.url)
    .post(`/v1/conversations/${conv.body.id}/messages`)
    .set(sender.auth)
    .send({ clientId: 'c1', text: 'hello there' })
    .expect(201);
  await page.goto(`${t.url}/admin/#/users/${sender.id}/show`);
  const spam = page.getByTestId('spam-signals');
  await spam.getByText(/message request/).waitFor();
  const text = await spam.textContent();
  expect(text).not.toMatch(/false|true/i);
  await shot('11-spam-in-words');

  const rep = await reportUser(target, sender.id);
  await page.goto(`${t.url}/admin/#/reports/${rep}/show`);
  await page.getByTestId('evidence').waitFor();
  const toggle = page.getByTestId('subject-raw-toggle');
  await toggle.waitFor();
  expect(await page.locator('[data-testid="subject-raw"] pre').count()).toBe(0);
  await toggle.click();
  expect(await page.locator('[data-testid="subject-raw"] pre').count()).toBe(1);
  await shot('12-report-raw-toggle');
});

it('the blocklist form keeps the host of a pasted URL, says what it blocks, warns about www. and shows punycode both ways', async () => {
  await page.goto(`${t.url}/admin/#/blocklist/create`);
  const input = page.locator('input[name="pattern"]');
  await input.fill('https://www.Evil-Shop.example/deals?x=1');
  await page.getByTestId('blocklist-matches').waitFor();
  await expect(page.getByTestId('blocklist-pattern').textContent()).resolves.toBe('www.evil-shop.example');
  const warnings = await page.getByTestId('blocklist-warning').allTextContents();
  expect(warnings).toEqual([
    'Only the host is kept: www.evil-shop.example.',
    'www.evil-shop.example does not cover evil-shop.example itself or its other subdomains; enter evil-shop.example to block the whole domain.',
  ]);
  await shot('13-blocklist-www-warning');
  await input.fill('xn--bcher-kva.example');
  await page.getByTestId('blocklist-unicode').waitFor();
  await expect(page.getByTestId('blocklist-matches').textContent()).resolves.toContain('bücher.example (xn--bcher-kva.example) itself');
  await shot('14-blocklist-punycode');
  await input.fill('https://evil-shop.example/deals');
  await page.locator('textarea[name="reason"], input[name="reason"]').first().fill('scam shop');
  await page.getByRole('button', { name: /save/i }).click();
  await page.getByText('evil-shop.example').first().waitFor();
  await page.getByText(admin.staff.displayName).first().waitFor();
  await shot('15-blocklist-list-author');
  const list = await request(t.url).get('/admin/v1/blocklist').set(admin.auth);
  expect(list.body.map((e: any) => e.pattern)).toEqual(['evil-shop.example']);
});
