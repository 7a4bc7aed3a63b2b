import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type BrowserContext, type Download, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { loginStaff, registerUser, uniqueHandle } from '../support/factories';
import { screenshot, screenshotsOnFailure } from '../support/screenshots';

/**
 * Issue #32 items 12 and 13 in the console: two moderators on the same case see each other
 * ("Also viewing"), live, in two browser contexts; the dashboard's queue statistics; the
 * transparency page's charts, whose accessible names and tables state the API's figures, and
 * its CSV and JSON downloads. Screenshots go to test-artifacts/console-team/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'console-team');

let t: TestApp;
let browser: Browser;
screenshotsOnFailure(SHOTS, () => browser);
const contexts: BrowserContext[] = [];
let admin: { auth: Record<string, string> };
let bobAuth: { auth: Record<string, string>; staff: { id: string } };
let caseId: string;

async function createStaff(displayName: string, role: 'moderator' | 'triage') {
  const email = `${uniqueHandle('staff')}@example.com`;
  await request(t.url).post('/admin/v1/staff').set(admin.auth).send({ email, displayName, password: 'staff-password-1', role }).expect(201);
  return email;
}

async function report(reporter: { auth: Record<string, string> }, subjectId: string, reason: string) {
  const r = await request(t.url)
    .post('/v1/reports')
    .set(reporter.auth)
    .send({ subjectType: 'user', subjectId, reason, note: 'please look' });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

/** A fresh browser context (its own storage: its own staff session), signed in through the login form. */
async function signIn(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${t.url}/admin/`);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('dashboard').waitFor();
  return page;
}

const text = (download: Download) =>
  new Promise<string>((resolve, reject) => {
    download.createReadStream().then((stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    }, reject);
  });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'admin', 'index.html'))) throw new Error('Run `npm run build:admin` first.');
  mkdirSync(SHOTS, { recursive: true });
  t = await startTestApp({ label: 'browser_console_team', env: { LIMIT_REPORTS: '1000/3600' } });
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

  // A case to work (harassment), and one Bob already handled (two spam reports, a warning).
  const [subject, handled, r1, r2, r3] = await Promise.all([1, 2, 3, 4, 5].map(() => registerUser(t.url)));
  await report(r1, subject.id, 'harassment');
  const spam1 = await report(r1, handled.id, 'spam');
  await report(r2, handled.id, 'spam');
  await report(r3, subject.id, 'harassment');
  await createStaff('Alice Moderator', 'moderator');
  const bobEmail = await createStaff('Bob Moderator', 'moderator');
  bobAuth = await loginStaff(t.url, bobEmail, 'staff-password-1');
  const cases = await request(t.url)
    .get(`/admin/v1/cases?filter=${encodeURIComponent(JSON.stringify({ status: 'open' }))}`)
    .set(admin.auth)
    .expect(200);
  caseId = cases.body.find((c: any) => c.subjectUserId === subject.id).id;
  const handledCase = cases.body.find((c: any) => c.reportIds.includes(spam1)).id;
  await request(t.url)
    .post(`/admin/v1/cases/${handledCase}/resolve`)
    .set(bobAuth.auth)
    .send({ action: 'warn', note: 'Spam', policy: 'spam' })
    .expect(200);
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await t?.close();
});

it('two moderators who open the same case each see the other there, and see them go', async () => {
  const emails = (await request(t.url).get('/admin/v1/staff').set(admin.auth).expect(200)).body as Array<{
    email: string;
    displayName: string;
  }>;
  const emailOf = (name: string) => emails.find((s) => s.displayName === name)!.email;
  const [alice, bob] = await Promise.all([
    signIn(emailOf('Alice Moderator'), 'staff-password-1'),
    signIn(emailOf('Bob Moderator'), 'staff-password-1'),
  ]);

  await alice.goto(`${t.url}/admin/#/cases/${caseId}/show`);
  await alice.getByTestId('case-summary').waitFor();
  await bob.goto(`${t.url}/admin/#/cases/${caseId}/show`);
  await bob.getByTestId('case-summary').waitFor();

  await alice.getByRole('status').filter({ hasText: 'Also viewing: Bob Moderator' }).waitFor();
  await bob.getByRole('status').filter({ hasText: 'Also viewing: Alice Moderator' }).waitFor();
  await screenshot(alice, join(SHOTS, '01-alice-sees-bob.png'));
  // Nobody is told they view their own case.
  await expect(alice.getByText('Also viewing: Alice Moderator').count()).resolves.toBe(0);

  // Bob goes back to the dashboard: Alice's page drops him, live.
  await bob.getByRole('menuitem', { name: 'Dashboard' }).click();
  await bob.getByTestId('dashboard').waitFor();
  await alice.getByText('Also viewing: Bob Moderator').waitFor({ state: 'detached' });

  // Bob opens the case again: seen again.
  await bob.goto(`${t.url}/admin/#/cases/${caseId}/show`);
  await alice.getByRole('status').filter({ hasText: 'Also viewing: Bob Moderator' }).waitFor();
});

it("the dashboard shows a moderator the team's queue: open, oldest, handled per day per moderator, as the API counts them", async () => {
  const stats = (await request(t.url).get('/admin/v1/queue-stats').set(bobAuth.auth).expect(200)).body;
  expect(stats.moderators.map((m: any) => [m.displayName, m.total])).toEqual([['Bob Moderator', 2]]);
  const bob = await signIn(
    (await request(t.url).get('/admin/v1/staff').set(admin.auth)).body.find((s: any) => s.displayName === 'Bob Moderator').email,
    'staff-password-1',
  );
  const panel = bob.getByRole('region', { name: 'Queue statistics' });
  await panel.waitFor();
  await expect(panel.getByTestId('queue-open-cases').textContent()).resolves.toContain(String(stats.openCases));
  await expect(panel.getByTestId('queue-open-reports').textContent()).resolves.toContain(String(stats.openReports));
  await panel
    .getByRole('img', { name: `Reports handled per day per moderator over the last 14 days: 2 in all (Bob Moderator 2).` })
    .waitFor();
  await panel.getByText('Reports handled: the figures as a table').click();
  const row = panel.getByRole('table', { name: 'Reports handled per moderator' }).getByRole('row', { name: /Bob Moderator/ });
  await expect(row.getByRole('cell').last().textContent()).resolves.toBe('2');
  await screenshot(bob, join(SHOTS, '02-queue-stats.png'));
});

it('the transparency page draws the charts with the figures of the API, and its CSV and JSON downloads still work', async () => {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = day(new Date(Date.now() - 30 * 86400_000));
  const to = day(new Date(Date.now() + 86400_000));
  const counts = (await request(t.url).get(`/admin/v1/transparency?from=${from}&to=${to}`).set(admin.auth).expect(200)).body;
  expect(counts.reports.byReason).toEqual({ harassment: 2, spam: 2 });
  expect(counts.actions.byAction).toEqual({ warn: 1 });

  const page = await signIn('admin@example.com', 'admin-password-1');
  await page.getByRole('menuitem', { name: 'Transparency' }).click();
  const charts = page.getByTestId('transparency-charts');
  await charts.waitFor();

  const reports = charts.getByRole('region', { name: 'Reports by reason over time' });
  await reports
    .getByRole('img', { name: /^Reports by reason per day over 31 days: 4 reports \(Harassment 2, Spam 2\); the busiest day was / })
    .waitFor();
  const actions = charts.getByRole('region', { name: 'Actions by type' });
  await actions.getByRole('img', { name: 'Actions by type: 1 action (Warn 1), 0 automated.' }).waitFor();
  const median = charts.getByRole('region', { name: 'Median time to action' });
  await median
    .getByRole('img', { name: new RegExp(`^Median time to action over the period: ${counts.medianHoursToAction} hours?,`) })
    .waitFor();
  await screenshot(page, join(SHOTS, '03-transparency-charts.png'));

  // The same figures as tables.
  await actions.getByText('Actions by type: the figures as a table').click();
  const warnRow = actions.getByRole('table', { name: 'Actions by type' }).getByRole('row', { name: /Warn/ });
  await expect(warnRow.getByRole('cell').last().textContent()).resolves.toBe('1');
  await reports.getByText('Reports by reason over time: the figures as a table').click();
  const today = day(new Date());
  const todayRow = reports.getByRole('table', { name: 'Reports by reason per day' }).getByRole('row', { name: new RegExp(today) });
  await expect(todayRow.getByRole('cell').allTextContents()).resolves.toEqual(['2', '2', '4']);

  // The downloads.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = await text(csvDownload);
  expect(csv.split('\r\n')[0]).toBe('from,to,section,key,value');
  expect(csv).toContain(',actions.byAction,warn,1\r\n');
  expect(csv).toContain(',reports.byReason,spam,2\r\n');
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const { statements } = JSON.parse(await text(jsonDownload));
  expect(statements).toHaveLength(1);
  expect(statements[0].decision_visibility).toEqual(['DECISION_VISIBILITY_OTHER']);
});
